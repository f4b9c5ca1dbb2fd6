/* After every point: dose-response readouts from the stored observables, 4-parameter Hill
 * fits, the final store and the summary. */
#include "study_internal.h"

#include "../common/error.h"
#include "hill.h"
#include "point.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* One series and readout: the Hill fit over the positive doses with finite responses
 * (fit_status 1 fitted, -1 failed, 0 fewer than four points; quality names why a fit is
 * not to be trusted). */
static void fit_one(const ilnet_config_experiment *e, const double *resp, int nr, int s, int k,
                    double *xd, double *yd, double *f, signed char *st, const char **quality)
{
    size_t n = 0;
    for (int d = 0; d < e->n_doses; d++) {
        double v = resp[((size_t)s * e->n_doses + d) * nr + k];
        if (e->doses[d] > 0 && isfinite(v)) {
            xd[n] = e->doses[d];
            yd[n++] = v;
        }
    }
    for (int i = 0; i < ILNET_STUDY_FIT_FIELDS; i++)
        f[i] = NAN;
    *st = 0;
    *quality = "not_fitted";
    if (n < 4) return;
    ilnet_hill_fit hf;
    ilnet_hill_options ho = ILNET_HILL_OPTIONS_INIT;
    int frc = ilnet_hill_fit_run(&hf, xd, yd, n, &ho);
    *st = frc ? -1 : 1;
    *quality = frc ? "failed" : ilnet_hill_quality_name(hf.quality);
    if (frc) return;
    double v[ILNET_STUDY_FIT_FIELDS] = {hf.ec50,    hf.hill,    hf.bottom,       hf.top,
                                        hf.se_ec50, hf.se_hill, hf.se_bottom,    hf.se_top,
                                        hf.r2,      hf.rss,     hf.half_max_dose};
    memcpy(f, v, sizeof v);
}

/* A readout normalised over one series' doses (rows of nr readouts; column k): divided by
 * its maximum, or mapped onto [0, 1] by its minimum and maximum. Non-finite values (failed
 * points) stay out; a zero maximum or range leaves NaN. */
static void normalise(double *rows, int nd, int nr, int k, int how)
{
    if (how == ILNET_NORMALISE_NONE) return;
    double lo = INFINITY, hi = -INFINITY;
    for (int d = 0; d < nd; d++) {
        double v = rows[(size_t)d * nr + k];
        if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
    }
    double base = how == ILNET_NORMALISE_RANGE ? lo : 0, span = hi - base;
    for (int d = 0; d < nd; d++) {
        double *v = &rows[(size_t)d * nr + k];
        *v = span != 0 && isfinite(span) ? (*v - base) / span : NAN;
    }
}

static int dose_fits(ilnet_study *S, int g, double *resp, double *fit, signed char *fit_status,
                     const char **quality)
{
    const ilnet_study_exp *x = &S->x[g];
    const ilnet_config_experiment *e = x->e;
    int nd = e->n_doses, nr = x->n_readouts, n_obs = S->n_obs;
    double *obs = malloc((x->n_times * (size_t)n_obs + 1) * sizeof *obs);
    double *xd = malloc((nd + 1) * sizeof *xd), *yd = malloc((nd + 1) * sizeof *yd);
    int rc = !obs || !xd || !yd ? ilnet_error_oom() : 0;
    for (size_t p = 0; !rc && p < x->pts.n_points; p++) {
        int s = (int)(p / (size_t)nd), d = (int)(p % (size_t)nd);
        double *row = resp + ((size_t)s * nd + d) * nr;
        if (x->status[p] != ILNET_POINT_OK) {
            for (int k = 0; k < nr; k++)
                row[k] = NAN;
        } else if (!(rc = S->store->read_observables(S->h, g, p, obs))) {
            for (int k = 0; k < nr; k++)
                row[k] = x->readout_col[k] < 0
                             ? NAN
                             : ilnet_study_reduce(x, k, obs + x->readout_col[k], (size_t)n_obs);
        }
    }
    if (!rc) rc = ilnet_study_series_readouts(S, g, resp);
    for (int s = 0; !rc && s < e->n_series; s++)
        for (int k = 0; k < nr; k++)
            normalise(resp + (size_t)s * nd * nr, nd, nr, k,
                      e->readouts[x->readout_spec[k]].normalise);
    for (int s = 0; !rc && s < e->n_series; s++)
        for (int k = 0; k < nr; k++)
            fit_one(e, resp, nr, s, k, xd, yd, fit + ((size_t)s * nr + k) * ILNET_STUDY_FIT_FIELDS,
                    &fit_status[(size_t)s * nr + k], &quality[(size_t)s * nr + k]);
    free(obs);
    free(xd);
    free(yd);
    return rc;
}

typedef struct {
    double **resp, **fits;
    signed char **fit_st;
    const char ***fit_q;
    double **sobol; /* per experiment: first then total, each [time][column][parameter] */
    ilnet_study_final *fin;
    int n;
} finals;

static void finals_free(finals *F)
{
    for (int k = 0; F->fin && F->resp && F->fits && F->fit_st && F->fit_q && k < F->n; k++) {
        free(F->resp[k]);
        free(F->fits[k]);
        free(F->fit_st[k]);
        free(F->fit_q[k]);
        if (F->sobol) free(F->sobol[k]);
    }
    free(F->resp);
    free(F->fits);
    free(F->fit_st);
    free(F->fit_q);
    free(F->sobol);
    free(F->fin);
}

/* Failed-point counts and, per dose response, its responses and fits. */
static int compute_finals(ilnet_study *S, finals *F, size_t *failed)
{
    int n = F->n = S->c.n_experiments;
    F->resp = calloc(n + 1, sizeof *F->resp);
    F->fits = calloc(n + 1, sizeof *F->fits);
    F->fit_st = calloc(n + 1, sizeof *F->fit_st);
    F->fit_q = calloc(n + 1, sizeof *F->fit_q);
    F->sobol = calloc(n + 1, sizeof *F->sobol);
    F->fin = calloc(n + 1, sizeof *F->fin);
    if (!F->resp || !F->fits || !F->fit_st || !F->fit_q || !F->sobol || !F->fin)
        return ilnet_error_oom();
    *failed = 0;
    for (int k = 0; k < n; k++) {
        const ilnet_config_experiment *e = &S->c.experiments[k];
        ilnet_study_exp *x = &S->x[k];
        for (size_t p = 0; p < x->pts.n_points; p++)
            x->n_failed += x->status[p] != ILNET_POINT_OK;
        *failed += x->n_failed;
        F->fin[k].n_failed = x->n_failed;
        if (e->type == ILNET_EXP_SWEEP && e->design == ILNET_DESIGN_SALTELLI) {
            size_t m = x->n_times * (size_t)S->n_obs * (size_t)x->pts.n_vars;
            if (!(F->sobol[k] = malloc((2 * m + 1) * sizeof **F->sobol))) return ilnet_error_oom();
            int rc = ilnet_study_sobol(S, k, F->sobol[k], F->sobol[k] + m, &F->fin[k].sobol_used);
            if (rc) return rc;
            F->fin[k].sobol_first = F->sobol[k];
            F->fin[k].sobol_total = F->sobol[k] + m;
        }
        if (e->type != ILNET_EXP_DOSE) continue;
        size_t nr = (size_t)x->n_readouts, ns = (size_t)e->n_series;
        F->resp[k] = malloc((ns * e->n_doses * nr + 1) * sizeof **F->resp);
        F->fits[k] = malloc((ns * nr * ILNET_STUDY_FIT_FIELDS + 1) * sizeof **F->fits);
        F->fit_st[k] = malloc(ns * nr + 1);
        F->fit_q[k] = malloc((ns * nr + 1) * sizeof **F->fit_q);
        if (!F->resp[k] || !F->fits[k] || !F->fit_st[k] || !F->fit_q[k]) return ilnet_error_oom();
        int rc = dose_fits(S, k, F->resp[k], F->fits[k], F->fit_st[k], F->fit_q[k]);
        if (rc) return rc;
        F->fin[k].response = F->resp[k];
        F->fin[k].fit = F->fits[k];
        F->fin[k].fit_status = F->fit_st[k];
        F->fin[k].fit_quality = F->fit_q[k];
    }
    return 0;
}

int ilnet_study_finish(ilnet_study *S)
{
    double t_points = ilnet_clock_now() - S->t0;
    finals F;
    memset(&F, 0, sizeof F);
    size_t failed = 0;
    int rc = compute_finals(S, &F, &failed);
    if (!rc) {
        rc = S->store->finalize(S->h, S->c.compression, F.fin,
                                failed ? "failed_points" : "complete");
        S->h = NULL;
    }
    finals_free(&F);
    if (rc) return rc;
    double t_all = ilnet_clock_now() - S->t0;
    size_t total = S->total;
    int T = S->n_threads, R = S->n_ranks;
    ilnet_notify_send(&S->notify, ILNET_MESSAGE_INFO,
                      "%s: %zu point%s in %.2f s (%zu this run, %d rank%s x %d thread%s; points "
                      "%.2f s, fits and final file %.2f s)%s",
                      S->c.output, total, total == 1 ? "" : "s", t_all, S->pending, R,
                      R == 1 ? "" : "s", T, T == 1 ? "" : "s", t_points, t_all - t_points,
                      failed ? "; some points failed (status -1/-2)" : "");
    for (int k = 0; failed && k < S->c.n_experiments; k++)
        if (S->x[k].n_failed)
            return ilnet_error_set(ILNET_ESOLVER,
                                   "%s: experiment '%s': %zu of %zu points failed (see its "
                                   "status and message datasets)",
                                   S->c.output, S->c.experiments[k].name, S->x[k].n_failed,
                                   S->x[k].pts.n_points);
    return 0;
}

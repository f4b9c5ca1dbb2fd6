/* The public fit entry (<ilnet/fit.h>): ilnet_fit_run with the fit file as its record,
 * then the intervals, the best fit's simulations and the parameter files beside it. The
 * command (`ilnet fit`) is a thin layer over it. */
#include <ilnet/fit.h>

#include "../common/error.h"
#include "../common/notify.h"
#include "../experiment/dispatch.h"
#include "../experiment/fit.h"
#include "../experiment/fit_profile.h"
#include "fitout.h"
#include "h5fit.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ilnet_fit_result {
    ilnet_fit f;
    double *fisher_lo, *fisher_hi, *profile_lo, *profile_hi; /* [n_par] or NULL */
};

typedef struct {
    const ilnet_fit_run_options *user;
    ilnet_h5fit *h5;
    const ilnet_fit *f;
    int write_rc;      /* a failed write of a start stops the fit with this code */
    int skip_profiles; /* an MPI run whose ranks did not agree to go on to profiles */
} run_state;

static const char *status_name(ilnet_fit_status s)
{
    switch (s) {
    case ILNET_FIT_CONVERGED:
        return "converged";
    case ILNET_FIT_MAXITER:
        return "limit";
    case ILNET_FIT_STALLED:
        return "stalled";
    case ILNET_FIT_FAILED:
        return "failed";
    default:
        return "pending";
    }
}

static int on_start(const ilnet_fit_start *s, const struct ilnet_fit_progress *p, void *payload)
{
    run_state *R = payload;
    if (R->h5 && (R->write_rc = ilnet_h5fit_write_start(R->h5, R->f, s))) return 1;
    if (!R->user->on_start) return 0;
    ilnet_fit_start_info info = {s->index,  p->done,       p->total,
                                 s->llh,    p->best_llh,   status_name(s->status),
                                 s->reason, s->iterations, s->seconds};
    return R->user->on_start(&info, R->user->payload) != 0;
}

/* the public options onto the fit's */
static int fit_options(ilnet_fit_options *o, ilnet_profile_options *po,
                       const ilnet_fit_run_options *u)
{
    ilnet_fit_options d = ILNET_FIT_OPTIONS_INIT;
    ilnet_profile_options pd = ILNET_PROFILE_OPTIONS_INIT;
    *o = d;
    *po = pd;
    if (u->version < 1 || u->version > ILNET_FIT_RUN_OPTIONS_VERSION)
        return ilnet_error_set(ILNET_EINPUT,
                               "ilnet_fit_run_options: version %u, this library has 1 to %d",
                               u->version, ILNET_FIT_RUN_OPTIONS_VERSION);
    if (u->version >= 2 && u->gradient && (o->gradient = ilnet_fit_gradient_parse(u->gradient)) < 0)
        return ilnet_error_set(ILNET_EINPUT, "fit: gradient '%s' is not auto, forward or adjoint",
                               u->gradient);
    if (u->starts) o->n_starts = u->starts;
    if (u->seed) o->seed = u->seed;
    if (u->threads < 0 || u->max_iter < 0 || u->atol < 0 || u->rtol < 0)
        return ilnet_error_set(ILNET_EINPUT, "fit options: threads, max_iter, atol and rtol must "
                                             "not be negative");
    o->threads = u->threads;
    if (u->optimizer) {
        int m = ilnet_fit_method_parse(u->optimizer);
        if (m < 0)
            return ilnet_error_set(
                ILNET_EINPUT, "fit: optimizer '%s' is not auto, ls-trust or lbfgs", u->optimizer);
        o->method = (ilnet_fit_method)m;
    }
    if (u->max_iter) o->max_iter = u->max_iter;
    if (u->atol > 0) o->atol = u->atol;
    if (u->rtol > 0) o->rtol = u->rtol;
    o->hierarchical = u->hierarchical == 0 ? -1 : u->hierarchical > 0 ? 1 : 0;
    o->include_nominal = u->include_nominal != 0;
    o->cancel = u->cancel;
    if (u->profile_points) po->max_points = u->profile_points;
    if (u->resume && !u->output)
        return ilnet_error_set(ILNET_EINPUT, "fit: resume needs an output file");
    return 0;
}

/* the profiled parameters: "all" or ids separated by commas */
static int profile_list(size_t **which, size_t *k, const ilnet_fit *f, const char *list)
{
    *which = calloc(f->n_par + 1, sizeof **which);
    *k = 0;
    if (!*which) return ilnet_error_oom();
    if (!strcmp(list, "all")) {
        for (size_t j = 0; j < f->n_par; j++)
            if (!f->hierarchical || !f->inner[j]) (*which)[(*k)++] = j;
        return 0;
    }
    char *copy = strdup(list), *save = NULL;
    int rc = copy ? 0 : ilnet_error_oom();
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc;
         t = strtok_r(NULL, ",", &save)) {
        size_t j = 0;
        while (j < f->n_par && strcmp(f->ids[j], t))
            j++;
        if (j == f->n_par)
            rc = ilnet_error_set(ILNET_EINPUT, "fit: profile: '%s' is not an estimated parameter",
                                 t);
        else if (f->hierarchical && f->inner[j])
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "fit: profile: '%s' is computed in closed form (parameterType); "
                                 "profile it without the hierarchical mode",
                                 t);
        else if (*k < f->n_par)
            (*which)[(*k)++] = j;
    }
    free(copy);
    return rc;
}

/* Fisher intervals at the best fit and the profiles asked for, into the result (and h5) */
static int uncertainty(ilnet_fit_result *res, const char *yaml, const ilnet_fit_options *o,
                       const ilnet_profile_options *po, const char *profile, ilnet_h5fit *h5)
{
    const ilnet_fit *f = &res->f;
    size_t np = f->n_par, k = 0, *which = NULL;
    double *cov = malloc((np * np + 1) * sizeof *cov);
    res->fisher_lo = malloc((np + 1) * sizeof *res->fisher_lo);
    res->fisher_hi = malloc((np + 1) * sizeof *res->fisher_hi);
    res->profile_lo = malloc((np + 1) * sizeof *res->profile_lo);
    res->profile_hi = malloc((np + 1) * sizeof *res->profile_hi);
    ilnet_fit_profile *pr = NULL;
    int rc = cov && res->fisher_lo && res->fisher_hi && res->profile_lo && res->profile_hi
                 ? 0
                 : ilnet_error_oom();
    for (size_t j = 0; !rc && j < np; j++)
        res->profile_lo[j] = res->profile_hi[j] = NAN;
    /* the profiles first: in an MPI run every rank takes part (share_best) */
    int prc = profile ? profile_list(&which, &k, f, profile) : 0;
    if (!prc && k) prc = ilnet_fit_profiles(&pr, which, k, f, yaml, o, po);
    if (!rc) rc = prc;
    if (!rc)
        rc = ilnet_fit_fisher(cov, res->fisher_lo, res->fisher_hi, f, yaml, o,
                              f->starts[f->best].theta);
    for (size_t q = 0; !rc && q < k; q++) {
        res->profile_lo[pr[q].par] = isnan(pr[q].ci_lower) ? -INFINITY : pr[q].ci_lower;
        res->profile_hi[pr[q].par] = isnan(pr[q].ci_upper) ? INFINITY : pr[q].ci_upper;
    }
    if (!rc && h5)
        rc = ilnet_h5fit_write_uncertainty(h5, f, cov, res->fisher_lo, res->fisher_hi, pr, k);
    for (size_t q = 0; pr && q < k; q++)
        ilnet_fit_profile_free(&pr[q]);
    free(pr);
    free(which);
    free(cov);
    return rc;
}

/* OUT.h5 -> OUT<suffix> (caller frees) */
static char *beside(const char *out, const char *suffix)
{
    size_t n = strlen(out);
    if (n > 3 && !strcmp(out + n - 3, ".h5")) n -= 3;
    char *s = malloc(n + strlen(suffix) + 1);
    if (s) {
        memcpy(s, out, n);
        strcpy(s + n, suffix);
    }
    return s;
}

/* the simulations at the best fit into the file, and the best parameters as
 * OUT.parameters.tsv (PEtab) and OUT.presets.yaml (ilnet presets, preset "fit") */
static int best_outputs(const ilnet_fit_run_options *u, const char *yaml,
                        const ilnet_fit_options *o, const ilnet_fit *f, ilnet_h5fit *h5)
{
    ilnet_petab *p = NULL;
    double *x = NULL;
    ilnet_petab_result r;
    memset(&r, 0, sizeof r);
    char *tsv = beside(u->output, ".parameters.tsv"), *yml = beside(u->output, ".presets.yaml");
    int rc = tsv && yml ? ilnet_fit_best_evaluation(&p, &x, &r, f, yaml, o) : ilnet_error_oom();
    if (!rc) rc = ilnet_h5fit_write_best_fit(h5, p, &r);
    if (!rc) rc = ilnet_fit_write_parameter_table(tsv, p, x);
    if (!rc) rc = ilnet_fit_write_presets(yml, p, x, f, yaml);
    if (!rc)
        ilnet_notify_send(&(ilnet_notify){u->message, u->payload}, ILNET_MESSAGE_INFO,
                          "ilnet fit: wrote %s, %s and %s", u->output, tsv, yml);
    ilnet_petab_result_free(&r);
    ilnet_petab_free(p);
    free(x);
    free(tsv);
    free(yml);
    return rc;
}

/* Every rank of an MPI run starts only when all have set up (one failing alone would leave
 * the others waiting), with rank 0's list of finished starts (resume). */
static int agree(int rc, unsigned char *done, size_t n)
{
    int bad = rc != 0, e = ilnet_dispatch_max(&bad, 1);
    if (!rc && e) rc = e;
    if (!rc && bad) {
        rc = ilnet_error_set(ILNET_EIO, "another MPI rank failed to set up (it says why)");
        ilnet_dispatch_mark_relayed();
    }
    if (!rc && done) rc = ilnet_dispatch_bcast(done, n);
    return rc;
}

/* the file (rank 0) and the finished starts of a resumed one, agreed by every rank */
static int open_record(run_state *R, ilnet_fit_result *res, const char *yaml,
                       const ilnet_fit_options *o, unsigned char *done, int rank)
{
    const ilnet_fit_run_options *u = R->user;
    ilnet_fit *f = &res->f;
    int rc = 0;
    if (f->hierarchical && rank == 0) {
        size_t k = 0;
        for (size_t j = 0; j < f->n_par; j++)
            k += f->inner[j] != 0;
        ilnet_notify_send(
            &(ilnet_notify){u->message, u->payload}, ILNET_MESSAGE_INFO,
            "hierarchical: %zu of %zu parameters (scaling, offset, sigma) in closed form", k,
            f->n_par);
    }
    if (u->profile) { /* a bad profile list is refused before any start runs */
        size_t *which = NULL, k;
        rc = profile_list(&which, &k, f, u->profile);
        free(which);
    }
    if (!rc && u->output && rank == 0) /* rank 0 writes; in an MPI run the others send to it */
        rc = u->resume ? ilnet_h5fit_open(&R->h5, u->output, yaml, f, o, done)
                       : ilnet_h5fit_create(&R->h5, u->output, yaml, f, o,
                                            u->command_line ? u->command_line : "");
    return agree(rc, done, f->n_starts);
}

/* An MPI run profiles on every rank. Rank 0 says whether the fit goes on to profiles (it
 * did not fail, stop or lose a write, the best start is finite and profiles were asked
 * for: exactly when conclude reaches them) and hands the best start to the others, which
 * hold only their own starts. *go is the same on every rank. */
static int share_go(const run_state *R, ilnet_fit *f, int rank, int failed, int *go)
{
    *go = !failed && rank == 0 && !R->write_rc && !f->stopped && R->user->profile &&
          isfinite(f->starts[f->best].objective);
    long long best = (long long)f->best;
    if (ilnet_dispatch_bcast(go, sizeof *go) || ilnet_dispatch_bcast(&best, sizeof best))
        return ILNET_EIO;
    if (!*go) return 0;
    f->best = (size_t)best;
    ilnet_fit_start *b = &f->starts[f->best];
    double v[4] = {b->llh, b->log_prior, b->objective, (double)b->status};
    if (ilnet_dispatch_bcast(v, sizeof v) ||
        ilnet_dispatch_bcast(b->theta, f->n_par * sizeof *b->theta))
        return ILNET_EIO;
    b->llh = v[0];
    b->log_prior = v[1];
    b->objective = v[2];
    b->status = (ilnet_fit_status)v[3];
    return 0;
}

static int share_best(run_state *R, ilnet_fit *f, int rank, int rc, int *go)
{
    int failed = rc != 0, e = ilnet_dispatch_max(&failed, 1);
    if (!e) e = share_go(R, f, rank, failed, go);
    R->skip_profiles = !*go;
    if (e) return ILNET_EIO;
    /* every rank took part in the broadcasts before this one says why it stops */
    if (failed && !rc) {
        rc = ilnet_error_set(ILNET_EIO, "another MPI rank failed (it says why)");
        ilnet_dispatch_mark_relayed();
        return rc;
    }
    return 0;
}

/* Another rank's part of the profiles (rank 0 gets them; its own result has none). */
static int profile_elsewhere(const ilnet_fit *f, const char *yaml, const ilnet_fit_options *o,
                             const ilnet_profile_options *po, const char *profile)
{
    size_t k = 0, *which = NULL;
    ilnet_fit_profile *pr = NULL;
    int rc = profile_list(&which, &k, f, profile);
    if (!rc && k) rc = ilnet_fit_profiles(&pr, which, k, f, yaml, o, po);
    for (size_t q = 0; pr && q < k; q++)
        ilnet_fit_profile_free(&pr[q]);
    free(pr);
    free(which);
    return rc;
}

/* after the starts (rank 0): the reason a fit stopped, or the intervals and best outputs */
static int conclude(run_state *R, ilnet_fit_result *res, const char *yaml, ilnet_fit_options *o,
                    const ilnet_profile_options *po, int rc)
{
    const ilnet_fit_run_options *u = R->user;
    ilnet_fit *f = &res->f;
    size_t n = 0;
    for (size_t i = 0; i < f->n_starts; i++)
        n += f->starts[i].status != ILNET_FIT_PENDING;
    if (!rc && R->write_rc) rc = R->write_rc;
    if (rc == ILNET_ECANCELLED || (!rc && f->stopped))
        return ilnet_error_set(ILNET_ECANCELLED, "fit %s: %zu of %zu starts finished%s%s%s",
                               rc ? "interrupted" : "stopped by the start callback", n, f->n_starts,
                               u->output ? " (kept in " : "", u->output ? u->output : "",
                               u->output ? "; resume continues)" : "");
    if (rc) return rc;
    int failed = !isfinite(f->starts[f->best].objective);
    if (!failed) rc = uncertainty(res, yaml, o, po, R->skip_profiles ? NULL : u->profile, R->h5);
    if (!rc && !failed && R->h5) rc = best_outputs(u, yaml, o, f, R->h5);
    if (!rc && R->h5) {
        rc = ilnet_h5fit_finish(R->h5, f); /* closes it */
        R->h5 = NULL;
    }
    if (!rc && failed)
        rc = ilnet_error_set(ILNET_ESOLVER, "%s: every start failed (%s)", yaml,
                             f->starts[f->best].reason);
    return rc;
}

int ilnet_fit_problem(ilnet_fit_result **out, const char *problem_yaml,
                      const ilnet_fit_run_options *opts)
{
    *out = NULL;
    ilnet_fit_run_options defaults = ILNET_FIT_RUN_OPTIONS_INIT;
    const ilnet_fit_run_options *u = opts ? opts : &defaults;
    ilnet_fit_options o;
    ilnet_profile_options po;
    int rc = fit_options(&o, &po, u);
    if (rc) return rc;
    ilnet_fit_result *res = calloc(1, sizeof *res);
    if (!res) return ilnet_error_oom();
    if ((rc = ilnet_fit_prepare(&res->f, problem_yaml, &o))) {
        free(res);
        return rc;
    }
    run_state R = {u, NULL, &res->f, 0, 0};
    int rank = 0, size = 1;
    ilnet_dispatch_world(&rank, &size);
    unsigned char *done = calloc(res->f.n_starts + 1, 1);
    rc = done ? open_record(&R, res, problem_yaml, &o, done, rank) : ilnet_error_oom();
    o.done = done;
    o.on_start = on_start;
    o.payload = &R;
    if (!rc) rc = ilnet_fit_run(&res->f, problem_yaml, &o);
    int go = 0;
    if (size > 1) {
        int src = share_best(&R, &res->f, rank, rc, &go);
        if (!rc) rc = src;
    }
    if (rank == 0 && (!rc || rc == ILNET_ECANCELLED))
        rc = conclude(&R, res, problem_yaml, &o, &po, rc);
    else if (rank > 0 && go)
        rc = profile_elsewhere(&res->f, problem_yaml, &o, &po, u->profile);
    ilnet_h5fit_close(R.h5);
    free(done);
    if (rc && rc != ILNET_ESOLVER && rc != ILNET_ECANCELLED) {
        ilnet_fit_result_free(res);
        return rc;
    }
    *out = res;
    return rc;
}

void ilnet_fit_result_free(ilnet_fit_result *r)
{
    if (!r) return;
    ilnet_fit_free(&r->f);
    free(r->fisher_lo);
    free(r->fisher_hi);
    free(r->profile_lo);
    free(r->profile_hi);
    free(r);
}

size_t ilnet_fit_result_parameter_count(const ilnet_fit_result *r)
{
    return r->f.n_par;
}

const char *ilnet_fit_result_parameter_id(const ilnet_fit_result *r, size_t j)
{
    return j < r->f.n_par ? r->f.ids[j] : NULL;
}

const char *ilnet_fit_result_parameter_scale(const ilnet_fit_result *r, size_t j)
{
    if (j >= r->f.n_par) return NULL;
    return r->f.scale[j] == PETAB_LOG ? "log" : r->f.scale[j] == PETAB_LOG10 ? "log10" : "lin";
}

int ilnet_fit_result_parameter_inner(const ilnet_fit_result *r, size_t j)
{
    return j < r->f.n_par && r->f.hierarchical && r->f.inner[j];
}

size_t ilnet_fit_result_start_count(const ilnet_fit_result *r)
{
    return r->f.n_starts;
}

size_t ilnet_fit_result_best(const ilnet_fit_result *r)
{
    return r->f.best;
}

int ilnet_fit_result_start(double *llh, double *log_prior, const char **status, long *iterations,
                           long *evaluations, double *seconds, const double **theta0,
                           const double **theta, const ilnet_fit_result *r, size_t i)
{
    if (i >= r->f.n_starts)
        return ilnet_error_set(ILNET_EINPUT, "fit result: start %zu of %zu", i, r->f.n_starts);
    const ilnet_fit_start *s = &r->f.starts[i];
    if (llh) *llh = s->llh;
    if (log_prior) *log_prior = s->log_prior;
    if (status) *status = status_name(s->status);
    if (iterations) *iterations = s->iterations;
    if (evaluations) *evaluations = s->evaluations;
    if (seconds) *seconds = s->seconds;
    if (theta0) *theta0 = s->theta0;
    if (theta) *theta = s->theta;
    return 0;
}

const double *ilnet_fit_result_fisher_lower(const ilnet_fit_result *r)
{
    return r->fisher_lo;
}

const double *ilnet_fit_result_fisher_upper(const ilnet_fit_result *r)
{
    return r->fisher_hi;
}

const double *ilnet_fit_result_profile_lower(const ilnet_fit_result *r)
{
    return r->profile_lo;
}

const double *ilnet_fit_result_profile_upper(const ilnet_fit_result *r)
{
    return r->profile_hi;
}

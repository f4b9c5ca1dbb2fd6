#include "study.h"

#include "../common/error.h"
#include "config.h"
#include "../output/h5study.h"
#include "../model/load.h"
#include "design.h"
#include "dispatch.h"
#include "hill.h"
#include "point.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* What the runner derives from one experiment of the config. */
typedef struct {
    const ilnet_config_experiment *e;
    ilnet_design_points pts;
    double *times;
    size_t n_times;
    int n_readouts;
    char **readout_names;
    size_t *readout_row; /* per readout time: row in the grid */
    signed char *status;
    size_t n_pending, n_failed;
} exp_info;

typedef struct {
    int exp;
    size_t point;
    ilnet_point_out out;
    int rc; /* non-point failure (out of memory) */
    char err[512];
} slot;

typedef struct {
    const ilnet_config *cfg;
    const ilnet_presets *presets;
    exp_info *x;
    int n_exp;
    /* the job list: (experiment, point) of every pending point, in order, the same on
     * every rank; this rank's queue holds indices into it, appended as they are handed out */
    int *job_exp;
    size_t *job_point;
    size_t n_jobs;
    size_t *queue, n_queue, next_queue;
    int all_in; /* no more jobs will be queued */
    /* slots: free stack and done queue */
    slot *slots;
    int n_slots;
    int *free_stack, n_free;
    int *done_q, n_done_q;
    int workers_left;
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_done;
} runner;

/* set by signal handlers and read by every thread: a lock-free atomic serves both */
static atomic_int g_interrupted;
static void on_signal(int sig)
{
    (void)sig;
    g_interrupted = 1;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void exp_info_free(exp_info *x)
{
    ilnet_design_free(&x->pts);
    free(x->times);
    for (int i = 0; i < x->n_readouts; i++)
        free(x->readout_names[i]);
    free(x->readout_names);
    free(x->readout_row);
    free(x->status);
}

/* Output grid (the simulation grid plus readout times) and readout names. */
static int exp_info_init(exp_info *x, const ilnet_config *c, const ilnet_config_experiment *e)
{
    memset(x, 0, sizeof *x);
    x->e = e;
    int rc = ilnet_design_expand(&x->pts, e);
    if (rc) return rc;
    size_t extra = e->type == ILNET_EXP_DOSE ? (size_t)e->n_readout_times : 0;
    x->times = malloc((c->n_times + extra) * sizeof *x->times);
    x->status = calloc(x->pts.n_points + 1, 1);
    if (!x->times || !x->status) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    memcpy(x->times, c->times, c->n_times * sizeof *x->times);
    size_t n = c->n_times;
    for (size_t i = 0; i < extra; i++)
        x->times[n++] = e->readout_times[i];
    qsort(x->times, n, sizeof *x->times, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || x->times[i] != x->times[m - 1]) x->times[m++] = x->times[i];
    x->n_times = m;
    if (e->type != ILNET_EXP_DOSE) return 0;
    int nr = e->n_readout_times + e->readout_peak + e->readout_integral;
    x->readout_names = calloc(nr, sizeof *x->readout_names);
    x->readout_row = calloc(nr, sizeof *x->readout_row);
    if (!x->readout_names || !x->readout_row) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    for (int i = 0; i < nr; i++) {
        char buf[512];
        if (i < e->n_readout_times) {
            snprintf(buf, sizeof buf, "%s@%g", e->readout_obs, e->readout_times[i]);
            for (size_t r = 0; r < m; r++)
                if (x->times[r] == e->readout_times[i]) x->readout_row[i] = r;
        } else {
            snprintf(buf, sizeof buf, "%s:%s", e->readout_obs,
                     i == e->n_readout_times && e->readout_peak ? "peak" : "integral");
        }
        if (!(x->readout_names[i] = strdup(buf)))
            return ilnet_error_set(ILNET_ENOMEM, "out of memory");
        x->n_readouts = i + 1;
    }
    return 0;
}

/* ---- workers ---- */

typedef struct {
    runner *R;
    ilnet_point_unit **units; /* [exp][series], created on first use */
    int *unit_base;
} worker;

static int series_of(const exp_info *x, size_t point)
{
    return x->e->type == ILNET_EXP_DOSE ? (int)(point / (size_t)x->e->n_doses) : 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    runner *R = w->R;
    gsl_set_error_handler_off();
    for (;;) {
        pthread_mutex_lock(&R->mu);
        while (!g_interrupted && (R->n_free == 0 || R->next_queue >= R->n_queue) &&
               !(R->next_queue >= R->n_queue && R->all_in))
            pthread_cond_wait(&R->cv_free, &R->mu);
        if (g_interrupted || (R->next_queue >= R->n_queue && R->all_in)) {
            R->workers_left--;
            pthread_cond_broadcast(&R->cv_done);
            pthread_mutex_unlock(&R->mu);
            return NULL;
        }
        size_t j = R->queue[R->next_queue++];
        int si = R->free_stack[--R->n_free];
        pthread_mutex_unlock(&R->mu);

        slot *s = &R->slots[si];
        s->exp = R->job_exp[j];
        s->point = R->job_point[j];
        s->rc = 0;
        exp_info *x = &R->x[s->exp];
        int series = series_of(x, s->point);
        ilnet_point_unit **u = &w->units[w->unit_base[s->exp] + series];
        if (!*u)
            s->rc = ilnet_point_unit_new(u, R->cfg, x->e, series, R->presets, x->times, x->n_times,
                                         x->pts.names, x->pts.n_vars);
        if (!s->rc)
            s->rc = ilnet_point_run(*u, x->pts.values + s->point * (size_t)x->pts.n_vars, &s->out);
        if (s->rc) snprintf(s->err, sizeof s->err, "%s", ilnet_error_last());

        pthread_mutex_lock(&R->mu);
        R->done_q[R->n_done_q++] = si;
        pthread_cond_signal(&R->cv_done);
        pthread_mutex_unlock(&R->mu);
    }
}

/* On an interrupt or a writer failure: take no more jobs (and tell rank 0), and wake the
 * workers waiting for jobs that will not come. */
static void stop_taking(runner *R, ilnet_dispatch *D, int *stopped, int *wrc)
{
    if (*stopped || !(*wrc || g_interrupted)) return;
    g_interrupted = 1;
    int src = ilnet_dispatch_stop(D);
    if (src && !*wrc) *wrc = src;
    *stopped = 1;
    pthread_mutex_lock(&R->mu);
    R->all_in = 1;
    pthread_cond_broadcast(&R->cv_free);
    pthread_mutex_unlock(&R->mu);
}

/* ---- progress ---- */

static void progress(size_t done, size_t total, double t0, int final)
{
    double el = now_s() - t0, rate = el > 0 ? (double)done / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : width;
    char bar[64];
    for (int i = 0; i < width; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[width] = 0;
    fprintf(stderr, "\r[%s] %zu/%zu %5.1f%% %8.1f pts/s ETA %d:%02d:%02d ", bar, done, total,
            total ? 100.0 * (double)done / (double)total : 100.0, rate, (int)(eta / 3600),
            (int)fmod(eta / 60, 60), (int)fmod(eta, 60));
    if (final) fputc('\n', stderr);
    fflush(stderr);
}

/* ---- dose-response readouts and fits ---- */

static double readout(const exp_info *x, int k, const double *obs, int n_obs, int col)
{
    const ilnet_config_experiment *e = x->e;
    if (k < e->n_readout_times) return obs[x->readout_row[k] * (size_t)n_obs + col];
    int peak = k == e->n_readout_times && e->readout_peak;
    double acc = peak ? -INFINITY : 0;
    for (size_t r = 0; r < x->n_times; r++) {
        double v = obs[r * (size_t)n_obs + col];
        if (peak)
            acc = v > acc ? v : acc;
        else if (r > 0)
            acc += 0.5 * (x->times[r] - x->times[r - 1]) * (v + obs[(r - 1) * (size_t)n_obs + col]);
    }
    return acc;
}

static int dose_fits(ilnet_h5study *h, int g, const exp_info *x, int n_obs, int col, double *resp,
                     double *fit, signed char *fit_status)
{
    const ilnet_config_experiment *e = x->e;
    int nd = e->n_doses, nr = x->n_readouts;
    double *obs = malloc((x->n_times * (size_t)n_obs + 1) * sizeof *obs);
    double *xd = malloc((nd + 1) * sizeof *xd), *yd = malloc((nd + 1) * sizeof *yd);
    int rc = 0;
    if (!obs || !xd || !yd) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t p = 0; p < x->pts.n_points; p++) {
        int s = (int)(p / (size_t)nd), d = (int)(p % (size_t)nd);
        if (x->status[p] == ILNET_POINT_OK) {
            if ((rc = ilnet_h5study_read_observables(h, g, p, obs))) goto out;
            for (int k = 0; k < nr; k++)
                resp[((size_t)s * nd + d) * nr + k] = readout(x, k, obs, n_obs, col);
        } else {
            for (int k = 0; k < nr; k++)
                resp[((size_t)s * nd + d) * nr + k] = NAN;
        }
    }
    for (int s = 0; s < e->n_series; s++)
        for (int k = 0; k < nr; k++) {
            size_t n = 0;
            for (int d = 0; d < nd; d++) {
                double v = resp[((size_t)s * nd + d) * nr + k];
                if (e->doses[d] > 0 && isfinite(v)) {
                    xd[n] = e->doses[d];
                    yd[n++] = v;
                }
            }
            double *f = fit + ((size_t)s * nr + k) * ILNET_H5STUDY_FIT_FIELDS;
            for (int i = 0; i < ILNET_H5STUDY_FIT_FIELDS; i++)
                f[i] = NAN;
            ilnet_hill_fit hf;
            ilnet_hill_options ho = ILNET_HILL_OPTIONS_INIT;
            signed char st = 0;
            if (n >= 4) {
                int frc = ilnet_hill_fit_run(&hf, xd, yd, n, &ho);
                st = frc ? -1 : 1;
                if (!frc) {
                    double v[ILNET_H5STUDY_FIT_FIELDS] = {
                        hf.ec50,    hf.hill,      hf.bottom, hf.top, hf.se_ec50,
                        hf.se_hill, hf.se_bottom, hf.se_top, hf.r2,  hf.rss};
                    memcpy(f, v, sizeof v);
                }
            }
            fit_status[(size_t)s * nr + k] = st;
        }
out:
    free(obs);
    free(xd);
    free(yd);
    return rc;
}

/* ---- the study ---- */

static int read_text(const char *path, char **out)
{
    FILE *f = fopen(path, "rb");
    *out = NULL;
    if (!f) return 0;
    size_t cap = 1 << 16, len = 0, got;
    char *t = malloc(cap);
    while (t && (got = fread(t + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            char *nt = realloc(t, cap *= 2);
            if (!nt) free(t);
            t = nt;
        }
    }
    fclose(f);
    if (!t) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    t[len] = 0;
    *out = t;
    return 0;
}

int ilnet_study_run(const char *config_path, const ilnet_study_options *o)
{
    ilnet_config c;
    ilnet_presets presets_store, *presets = NULL;
    ilnet_network *net = NULL;
    exp_info *x = NULL;
    ilnet_h5study_group *groups = NULL;
    const char **obs_names = NULL, **sp_names = NULL;
    int *obs_idx = NULL, *sp_idx = NULL, n_obs = 0, n_sp = 0;
    char *model_text = NULL, *default_presets = NULL;
    ilnet_h5study *h = NULL;
    runner R;
    memset(&R, 0, sizeof R);
    ilnet_dispatch D;
    memset(&D, 0, sizeof D);
    int sync_up = 0, rank = 0, n_ranks = 1;
    int own_error = 0; /* an error only this rank has (others print what every rank knows) */
    ilnet_dispatch_world(&rank, &n_ranks);
    worker *workers = NULL;
    pthread_t *tids = NULL;
    int n_threads = 0, started = 0;
    double *wbuf = NULL, *wsp = NULL;
    double **resp = NULL, **fits = NULL;
    signed char **fit_st = NULL;
    ilnet_h5study_final *fin = NULL;

    int rc = ilnet_config_read(&c, config_path);
    if (rc) return rc;
    if (o->output) {
        free(c.output);
        if (!(c.output = strdup(o->output))) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            goto out;
        }
    }
    /* the model, its presets, and every name in the config */
    if ((rc = ilnet_network_load(&net, c.model, NULL))) {
        ilnet_error_prefix("%s:%d:%d: model", c.path, c.model_pos.line, c.model_pos.col);
        goto out;
    }
    const char *pf =
        c.presets_file ? c.presets_file : (default_presets = ilnet_presets_default_path(c.model));
    if (pf) {
        if ((rc = ilnet_presets_read(&presets_store, pf))) goto out;
        presets = &presets_store;
    }
    if ((rc = ilnet_config_check_names(&c, net, presets))) goto out;
    if ((rc = read_text(c.model, &model_text))) goto out;

    /* stored columns */
    size_t net_obs = ilnet_network_observable_count(net), net_sp = ilnet_network_species_count(net);
    n_obs = c.all_observables ? (int)net_obs : c.n_observables;
    obs_names = calloc(n_obs + 1, sizeof *obs_names);
    obs_idx = calloc(n_obs + 1, sizeof *obs_idx);
    n_sp = c.species_mode == 1 ? (int)net_sp : c.species_mode == 2 ? c.n_species : 0;
    sp_names = calloc(n_sp + 1, sizeof *sp_names);
    sp_idx = calloc(n_sp + 1, sizeof *sp_idx);
    x = calloc(c.n_experiments, sizeof *x);
    groups = calloc(c.n_experiments, sizeof *groups);
    if (!obs_names || !obs_idx || !sp_names || !sp_idx || !x || !groups) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
        goto out;
    }
    for (int i = 0; i < n_obs; i++) {
        obs_idx[i] = c.all_observables ? i : ilnet_network_find_observable(net, c.observables[i]);
        obs_names[i] = ilnet_network_observable(net, obs_idx[i])->name;
    }
    for (int i = 0; i < n_sp; i++) {
        sp_idx[i] = c.species_mode == 1 ? i : ilnet_network_find_species(net, c.species[i]);
        sp_names[i] = ilnet_network_species(net, sp_idx[i])->name;
    }
    /* a dose response's readout must be stored */
    for (int k = 0; k < c.n_experiments; k++) {
        const ilnet_config_experiment *e = &c.experiments[k];
        if (e->type != ILNET_EXP_DOSE) continue;
        int have = 0;
        for (int i = 0; i < n_obs; i++)
            have |= !strcmp(obs_names[i], e->readout_obs);
        if (!have) {
            char kp[600];
            snprintf(kp, sizeof kp, "%s.readout.observable", e->path);
            rc = ilnet_config_error(&c, e->readout_pos, kp,
                                    "'%s' is not among output.observables (it must be stored)",
                                    e->readout_obs);
            goto out;
        }
    }
    size_t max_times = 0, total = 0, pending = 0;
    for (int k = 0; k < c.n_experiments; k++) {
        const ilnet_config_experiment *e = &c.experiments[k];
        if ((rc = exp_info_init(&x[k], &c, e))) goto out;
        if (x[k].n_times > max_times) max_times = x[k].n_times;
        total += x[k].pts.n_points;
        /* dry run of the setup: every override and the first point's values must apply */
        for (int s = 0; s < (e->type == ILNET_EXP_DOSE ? e->n_series : 1); s++) {
            ilnet_point_unit *u;
            if ((rc = ilnet_point_unit_new(&u, &c, e, s, presets, x[k].times, x[k].n_times,
                                           x[k].pts.names, x[k].pts.n_vars)))
                goto out;
            for (int j = 0; j < x[k].pts.n_vars && x[k].pts.n_points && !rc; j++)
                if (u->var_param[j] >= 0 &&
                    ilnet_network_set_parameter(u->net, x[k].pts.names[j], x[k].pts.values[j])) {
                    ilnet_config_pos pos =
                        e->type == ILNET_EXP_DOSE ? e->dose_pos : e->sweep[j].pos;
                    char kp[600];
                    snprintf(kp, sizeof kp, "%s",
                             e->type == ILNET_EXP_DOSE ? e->path : e->sweep[j].path);
                    rc = ilnet_config_error(&c, pos, kp, "%s", ilnet_error_last());
                }
            ilnet_point_unit_free(u);
            if (rc) goto out;
        }
        ilnet_h5study_group *G = &groups[k];
        static const char *const design_names[] = {"grid", "zip", "lhs", "sobol"};
        G->name = e->name;
        G->type = e->type == ILNET_EXP_TIMECOURSE ? "timecourse"
                  : e->type == ILNET_EXP_SWEEP    ? "sweep"
                                                  : "dose_response";
        G->design = e->type == ILNET_EXP_SWEEP ? design_names[e->design] : NULL;
        G->has_seed = e->type == ILNET_EXP_SWEEP && e->design == ILNET_DESIGN_LHS;
        G->seed = e->seed;
        G->n_points = x[k].pts.n_points;
        G->n_vars = x[k].pts.n_vars;
        G->var_names = x[k].pts.names;
        G->var_values = x[k].pts.values;
        G->n_times = x[k].n_times;
        G->times = x[k].times;
        G->n_obs = n_obs;
        G->obs_names = obs_names;
        G->n_species = n_sp;
        G->species_names = sp_names;
        G->n_stats = ILNET_STAT_COUNT;
        G->stat_names = ilnet_stat_names;
        if (e->type == ILNET_EXP_DOSE) {
            G->n_series = e->n_series;
            G->n_doses = e->n_doses;
            G->n_readouts = x[k].n_readouts;
            G->doses = e->doses;
            G->readout_names = (const char *const *)x[k].readout_names;
            const char **sn = calloc(e->n_series, sizeof *sn);
            if (!sn) {
                rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
                goto out;
            }
            for (int s = 0; s < e->n_series; s++)
                sn[s] = e->series[s].name;
            G->series_names = sn;
        }
    }
    if (o->check_only) {
        if (!o->quiet && rank == 0)
            printf("%s: valid: %d experiment%s, %zu point%s\n", c.path, c.n_experiments,
                   c.n_experiments == 1 ? "" : "s", total, total == 1 ? "" : "s");
        goto out;
    }

    /* the output file: rank 0 creates or reopens it, reads what is done, tells the others */
    ilnet_solver *probe = NULL;
    if ((rc = ilnet_solver_new(&probe, net, &c.solver))) goto out;
    ilnet_h5study_meta meta = {c.path,
                               c.text,
                               c.model,
                               model_text ? model_text : "",
                               o->command_line ? o->command_line : "",
                               &c.solver,
                               ilnet_solver_linsol_name(probe)};
    int finished = 0;
    if (rank == 0) {
        char *fs = ilnet_h5study_file_status(c.output);
        if (o->resume && fs) {
            rc = ilnet_h5study_open(&h, &finished, c.output, &meta, groups, c.n_experiments);
        } else if (fs && !strcmp(fs, "running") && !o->overwrite) {
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "%s: holds an unfinished study; use --resume to continue it or "
                                 "--overwrite to start again",
                                 c.output);
        } else {
            rc = ilnet_h5study_create(&h, c.output, &meta, groups, c.n_experiments);
        }
        free(fs);
        for (int k = 0; !rc && !finished && k < c.n_experiments; k++)
            rc = ilnet_h5study_read_status(h, k, x[k].status);
    }
    ilnet_solver_free(probe);
    {
        int st[3] = {rc, finished, ilnet_error_code()}, bad;
        if ((bad = ilnet_dispatch_bcast(st, sizeof st))) {
            rc = bad;
            goto out;
        }
        if (st[0] && !rc) {
            rc = ilnet_error_set(st[0], "rank 0 could not open the output (it says why)");
            ilnet_dispatch_mark_relayed();
        }
        finished = st[1];
    }
    if (rc) goto out;
    if (finished) {
        char *fs = rank == 0 ? ilnet_h5study_file_status(c.output) : NULL;
        int had_failures = fs && !strcmp(fs, "failed_points");
        free(fs);
        ilnet_dispatch_bcast(&had_failures, sizeof had_failures);
        if (had_failures) /* the same exit status as the run that finished it */
            rc = ilnet_error_set(ILNET_ESOLVER,
                                 "%s: already finished, with failed points (see the status and "
                                 "message datasets)",
                                 c.output);
        else if (!o->quiet && rank == 0)
            printf("%s: already finished; nothing to do\n", c.output);
        goto out;
    }
    for (int k = 0; k < c.n_experiments; k++) {
        if ((rc = ilnet_dispatch_bcast(x[k].status, x[k].pts.n_points))) goto out;
        for (size_t p = 0; p < x[k].pts.n_points; p++)
            pending += x[k].status[p] == ILNET_POINT_PENDING;
    }
    if (n_ranks > 1) {
        /* every rank writes its own points into the preallocated file (MPI-IO) */
        if (h) ilnet_h5study_close(h);
        h = NULL;
        if ((rc = ilnet_h5study_open_ranks(&h, c.output, &meta, groups, c.n_experiments))) goto out;
    }

    /* jobs, slots, workers */
    n_threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n_threads < 1) n_threads = 1;
    if ((size_t)n_threads > pending && pending > 0) n_threads = (int)pending;
    if ((rc = ilnet_dispatch_init(&D, pending, n_threads))) goto agree;
    R.cfg = &c;
    R.presets = presets;
    R.x = x;
    R.n_exp = c.n_experiments;
    R.n_slots = 4 * n_threads;
    R.job_exp = malloc((pending + 1) * sizeof *R.job_exp);
    R.job_point = malloc((pending + 1) * sizeof *R.job_point);
    R.queue = malloc((pending + 1) * sizeof *R.queue);
    R.slots = calloc(R.n_slots, sizeof *R.slots);
    R.free_stack = malloc(R.n_slots * sizeof *R.free_stack);
    R.done_q = malloc(R.n_slots * sizeof *R.done_q);
    workers = calloc(n_threads, sizeof *workers);
    tids = calloc(n_threads, sizeof *tids);
    wbuf = malloc((max_times * (size_t)n_obs + 1) * sizeof *wbuf);
    wsp = malloc((max_times * (size_t)n_sp + 1) * sizeof *wsp);
    if (!R.job_exp || !R.job_point || !R.queue || !R.slots || !R.free_stack || !R.done_q ||
        !workers || !tids || !wbuf || !wsp) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
        goto agree;
    }
    for (int k = 0; k < c.n_experiments; k++)
        for (size_t p = 0; p < x[k].pts.n_points; p++)
            if (x[k].status[p] == ILNET_POINT_PENDING) {
                R.job_exp[R.n_jobs] = k;
                R.job_point[R.n_jobs++] = p;
            }
    for (int i = 0; i < R.n_slots; i++) {
        slot *s = &R.slots[i];
        s->out.observables = malloc((max_times * net_obs + 1) * sizeof(double));
        s->out.species = malloc((max_times * net_sp + 1) * sizeof(double));
        if (!s->out.observables || !s->out.species) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            goto agree;
        }
        R.free_stack[R.n_free++] = i;
    }
    int n_units = 0;
    for (int k = 0; k < c.n_experiments; k++)
        n_units += c.experiments[k].type == ILNET_EXP_DOSE ? c.experiments[k].n_series : 1;
    for (int t = 0; t < n_threads; t++) {
        workers[t].R = &R;
        workers[t].units = calloc(n_units, sizeof *workers[t].units);
        workers[t].unit_base = calloc(c.n_experiments, sizeof *workers[t].unit_base);
        if (!workers[t].units || !workers[t].unit_base) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            goto agree;
        }
        for (int k = 1; k < c.n_experiments; k++)
            workers[t].unit_base[k] =
                workers[t].unit_base[k - 1] +
                (c.experiments[k - 1].type == ILNET_EXP_DOSE ? c.experiments[k - 1].n_series : 1);
    }
agree : {
    /* every rank starts only when all have set up: one that failed alone would leave
     * the others waiting for it */
    own_error = rc != 0;
    int bad = rc != 0, e2 = ilnet_dispatch_max(&bad, 1);
    if (e2 && !rc) rc = e2;
    if (bad && !rc) {
        rc = ilnet_error_set(ILNET_EIO, "another MPI rank failed to set up (it says why)");
        ilnet_dispatch_mark_relayed();
    }
    if (rc) goto out;
}
    pthread_mutex_init(&R.mu, NULL);
    pthread_cond_init(&R.cv_free, NULL);
    pthread_cond_init(&R.cv_done, NULL);
    sync_up = 1;
    g_interrupted = 0;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    R.workers_left = n_threads;
    int show = !o->quiet && isatty(2) && rank == 0;
    double t0 = now_s(), last_flush = t0, last_bar = 0;
    for (int t = 0; t < n_threads; t++) {
        if (pthread_create(&tids[t], NULL, worker_main, &workers[t])) {
            pthread_mutex_lock(&R.mu);
            R.workers_left -= n_threads - t;
            g_interrupted = 1; /* no more work */
            pthread_cond_broadcast(&R.cv_free);
            pthread_mutex_unlock(&R.mu);
            rc = ilnet_error_set(ILNET_EINTERNAL, "cannot start worker thread %d", t);
            break;
        }
        started++;
    }

    /* the writer: this thread owns the HDF5 file (and, in an MPI run, talks to the other
     * ranks); it waits for results in short slices when there are ranks to serve */
    size_t done = 0;
    int wrc = 0, stopped = 0;
    for (;;) {
        stop_taking(&R, &D, &stopped, &wrc);
        pthread_mutex_lock(&R.mu);
        size_t queued = R.n_queue - R.next_queue;
        pthread_mutex_unlock(&R.mu);
        if (!wrc && !D.exhausted && queued < (size_t)(2 * n_threads)) {
            size_t first, count;
            int got = ilnet_dispatch_take(&D, &first, &count);
            if (got < -1) wrc = got;
            pthread_mutex_lock(&R.mu);
            for (size_t j = 0; got > 0 && j < count; j++)
                R.queue[R.n_queue++] = first + j;
            if (got < 0 || D.exhausted) R.all_in = 1;
            pthread_cond_broadcast(&R.cv_free);
            pthread_mutex_unlock(&R.mu);
        }
        {
            /* rank 0 answers the others even after a failure: they need its "no more" */
            int src = ilnet_dispatch_serve(&D);
            if (src && !wrc) wrc = src;
        }
        stop_taking(&R, &D, &stopped, &wrc);
        pthread_mutex_lock(&R.mu);
        if (n_ranks > 1 || !R.all_in) {
            if (R.n_done_q == 0 && R.workers_left > 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += 2000000; /* 2 ms */
                if (ts.tv_nsec >= 1000000000L) {
                    ts.tv_sec++;
                    ts.tv_nsec -= 1000000000L;
                }
                pthread_cond_timedwait(&R.cv_done, &R.mu, &ts);
            }
        } else {
            while (R.n_done_q == 0 && R.workers_left > 0)
                pthread_cond_wait(&R.cv_done, &R.mu);
        }
        if (R.n_done_q == 0 && R.workers_left == 0) {
            pthread_mutex_unlock(&R.mu);
            if (!ilnet_dispatch_others_done(&D)) {
                /* rank 0's own work is over; the other ranks may still ask */
                struct timespec nap = {0, 1000000};
                nanosleep(&nap, NULL);
                continue;
            }
            break;
        }
        if (R.n_done_q == 0) {
            pthread_mutex_unlock(&R.mu);
            continue;
        }
        int si = R.done_q[--R.n_done_q];
        pthread_mutex_unlock(&R.mu);
        slot *s = &R.slots[si];
        exp_info *xe = &x[s->exp];
        if (s->rc && !wrc) {
            /* not the point's fault (out of memory, a broken setup): stop everything */
            wrc = ilnet_error_set(s->rc, "%s", s->err);
            g_interrupted = 1;
        }
        if (!s->rc && !wrc) {
            size_t nt = xe->n_times;
            for (size_t r = 0; r < nt; r++) {
                for (int i = 0; i < n_obs; i++)
                    wbuf[r * n_obs + i] = s->out.observables[r * net_obs + obs_idx[i]];
                for (int i = 0; i < n_sp; i++)
                    wsp[r * n_sp + i] = s->out.species[r * net_sp + sp_idx[i]];
            }
            wrc =
                ilnet_h5study_write_point(h, s->exp, s->point, wbuf, wsp,
                                          (signed char)s->out.status, s->out.stats, s->out.message);
            xe->status[s->point] = (signed char)s->out.status;
            done++;
            if (wrc) g_interrupted = 1;
        }
        pthread_mutex_lock(&R.mu);
        R.free_stack[R.n_free++] = si;
        pthread_cond_signal(&R.cv_free);
        pthread_mutex_unlock(&R.mu);
        double t = now_s();
        /* a point's rows reach the file at once (no chunk cache), its status last, so the
         * flush is only periodic; MPI-IO writes go straight to the file too, and HDF5's
         * flush is collective there */
        if (!wrc && n_ranks == 1 && t - last_flush > 1.0) {
            wrc = ilnet_h5study_flush(h);
            last_flush = t;
        }
        if (show && t - last_bar > 0.1) {
            progress(done * (size_t)n_ranks, pending, t0, 0);
            last_bar = t;
        }
    }
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    if (!rc) rc = wrc;
    own_error = rc != 0;
    if (!rc && h && n_ranks == 1) rc = ilnet_h5study_flush(h);
    {
        /* every rank's outcome */
        long long tot[2] = {(long long)done, (g_interrupted || rc) ? 1 : 0};
        int e1 = ilnet_dispatch_sum(tot, 2);
        if (e1 && !rc) rc = e1;
        if (show) progress((size_t)tot[0], pending, t0, 1);
        if (n_ranks > 1) {
            ilnet_h5study_close(h); /* collective */
            h = NULL;
        }
        if (!rc && (tot[1] || (size_t)tot[0] < pending)) {
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "interrupted after %lld of %zu points; %s keeps the finished "
                                 "ones (run again with --resume)",
                                 tot[0], pending, c.output);
            if (rank != 0) ilnet_dispatch_mark_relayed(); /* rank 0 says it */
        }
    }
    if (rc) goto out;
    if (n_ranks > 1) {
        /* rank 0 alone writes the final file, from what every rank stored */
        if (rank == 0) {
            rc = ilnet_h5study_open(&h, &finished, c.output, &meta, groups, c.n_experiments);
            for (int k = 0; !rc && k < c.n_experiments; k++)
                rc = ilnet_h5study_read_status(h, k, x[k].status);
        }
        int st[2] = {rc, ilnet_error_code()};
        ilnet_dispatch_bcast(st, sizeof st);
        if (rc || st[0]) {
            if (!rc) {
                rc = ilnet_error_set(st[0], "rank 0 could not reopen the output");
                ilnet_dispatch_mark_relayed();
            }
            goto out;
        }
        if (rank != 0) {
            /* the final file is rank 0's; wait for its verdict */
            int verdict[2];
            ilnet_dispatch_bcast(verdict, sizeof verdict);
            if (verdict[0]) {
                rc = ilnet_error_set(verdict[0], "rank 0 reported the study's outcome");
                ilnet_dispatch_mark_relayed();
            }
            goto out;
        }
    }

    /* every point is done: fits and the final file */
    double t_points = now_s() - t0;
    resp = calloc(c.n_experiments, sizeof *resp);
    fits = calloc(c.n_experiments, sizeof *fits);
    fit_st = calloc(c.n_experiments, sizeof *fit_st);
    fin = calloc(c.n_experiments, sizeof *fin);
    if (!resp || !fits || !fit_st || !fin) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
        goto finish;
    }
    size_t failed = 0;
    for (int k = 0; k < c.n_experiments; k++) {
        const ilnet_config_experiment *e = &c.experiments[k];
        for (size_t p = 0; p < x[k].pts.n_points; p++)
            x[k].n_failed += x[k].status[p] != ILNET_POINT_OK;
        failed += x[k].n_failed;
        fin[k].n_failed = x[k].n_failed;
        if (e->type != ILNET_EXP_DOSE) continue;
        size_t nr = (size_t)x[k].n_readouts;
        resp[k] = malloc(((size_t)e->n_series * e->n_doses * nr + 1) * sizeof **resp);
        fits[k] = malloc(((size_t)e->n_series * nr * ILNET_H5STUDY_FIT_FIELDS + 1) * sizeof **fits);
        fit_st[k] = malloc((size_t)e->n_series * nr + 1);
        if (!resp[k] || !fits[k] || !fit_st[k]) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            goto finish;
        }
        int col = 0;
        for (int i = 0; i < n_obs; i++)
            if (!strcmp(obs_names[i], e->readout_obs)) col = i;
        if ((rc = dose_fits(h, k, &x[k], n_obs, col, resp[k], fits[k], fit_st[k]))) goto finish;
        fin[k].response = resp[k];
        fin[k].fit = fits[k];
        fin[k].fit_status = fit_st[k];
    }
    rc = ilnet_h5study_finalize(h, c.compression, fin, failed ? "failed_points" : "complete");
    h = NULL;
    if (rc) goto finish;
    if (!o->quiet)
        printf("%s: %zu point%s in %.2f s (%zu this run, %d rank%s x %d thread%s; points %.2f s, "
               "fits and final file %.2f s)%s\n",
               c.output, total, total == 1 ? "" : "s", now_s() - t0, pending, n_ranks,
               n_ranks == 1 ? "" : "s", n_threads, n_threads == 1 ? "" : "s", t_points,
               now_s() - t0 - t_points, failed ? "; some points failed (status -1/-2)" : "");
    if (failed) {
        for (int k = 0; k < c.n_experiments && !rc; k++)
            if (x[k].n_failed)
                rc = ilnet_error_set(ILNET_ESOLVER,
                                     "%s: experiment '%s': %zu of %zu points failed (see its "
                                     "status and message datasets)",
                                     c.output, c.experiments[k].name, x[k].n_failed,
                                     x[k].pts.n_points);
    }
finish:
    if (n_ranks > 1 && rank == 0) {
        int verdict[2] = {rc, 0};
        ilnet_dispatch_bcast(verdict, sizeof verdict);
    }
out:
    if (rc && rank != 0 && !own_error) ilnet_dispatch_mark_relayed();
    if (sync_up) {
        pthread_mutex_destroy(&R.mu);
        pthread_cond_destroy(&R.cv_free);
        pthread_cond_destroy(&R.cv_done);
    }
    ilnet_dispatch_free(&D);
    free(R.queue);
    for (int t = 0; workers && t < n_threads; t++) {
        int nu = 0;
        for (int k = 0; k < c.n_experiments; k++)
            nu += c.experiments[k].type == ILNET_EXP_DOSE ? c.experiments[k].n_series : 1;
        for (int i = 0; workers[t].units && i < nu; i++)
            ilnet_point_unit_free(workers[t].units[i]);
        free(workers[t].units);
        free(workers[t].unit_base);
    }
    free(workers);
    free(tids);
    for (int i = 0; R.slots && i < R.n_slots; i++) {
        free(R.slots[i].out.observables);
        free(R.slots[i].out.species);
    }
    free(R.slots);
    free(R.free_stack);
    free(R.done_q);
    free(R.job_exp);
    free(R.job_point);
    if (h) ilnet_h5study_close(h);
    for (int k = 0; fin && k < c.n_experiments; k++) {
        free(resp[k]);
        free(fits[k]);
        free(fit_st[k]);
    }
    free(resp);
    free(fits);
    free(fit_st);
    free(fin);
    for (int k = 0; groups && k < c.n_experiments; k++)
        free((void *)groups[k].series_names);
    free(groups);
    for (int k = 0; x && k < c.n_experiments; k++)
        exp_info_free(&x[k]);
    free(x);
    free(wbuf);
    free(wsp);
    free(obs_names);
    free(obs_idx);
    free(sp_names);
    free(sp_idx);
    free(model_text);
    free(default_presets);
    if (presets) ilnet_presets_free(presets);
    ilnet_network_free(net);
    ilnet_config_free(&c);
    return rc;
}

/* Worker threads and the writer loop. Workers take jobs (experiment, point) from a queue
 * the writer fills from the dispatcher (all jobs at once without MPI, shrinking ranges from
 * rank 0 with it), run them into result slots and hand the slots back; the writer (the
 * caller's thread) stores finished points, flushes, reports progress and owns every MPI
 * call. A cancel (the progress callback) or a store failure stops the taking of jobs; the
 * workers finish the point they hold. */
#include "study_internal.h"

#include "../common/error.h"
#include "dispatch.h"
#include "point.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    int exp;
    size_t point;
    ilnet_point_out out;
    int rc; /* non-point failure (out of memory) */
    char err[512];
} slot;

typedef struct pool pool;

typedef struct {
    pool *P;
    ilnet_point_unit **units; /* [exp][series], created on first use */
    int *unit_base;
    int n_units;
} worker;

struct pool {
    ilnet_study *S;
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
    atomic_int stop; /* read by every worker: take no more jobs */
    pthread_mutex_t mu;
    pthread_cond_t cv_free, cv_done;
    worker *workers;
    pthread_t *tids;
    int n_threads, started;
    double *wbuf, *wsp;    /* the stored columns of one point */
    double *wosen, *wssen; /* and their sensitivities */
    ilnet_dispatch D;
    size_t done;
    int wrc, stopped;
};

static int series_of(const ilnet_study_exp *x, size_t point)
{
    return x->e->type == ILNET_EXP_DOSE ? (int)(point / (size_t)x->e->n_doses) : 0;
}

/* Waits for a job and a free slot; -1 when there will be no more jobs. */
static int next_job(pool *P, size_t *job, int *si)
{
    pthread_mutex_lock(&P->mu);
    while (!P->stop && (P->n_free == 0 || P->next_queue >= P->n_queue) &&
           !(P->next_queue >= P->n_queue && P->all_in))
        pthread_cond_wait(&P->cv_free, &P->mu);
    if (P->stop || (P->next_queue >= P->n_queue && P->all_in)) {
        P->workers_left--;
        pthread_cond_broadcast(&P->cv_done);
        pthread_mutex_unlock(&P->mu);
        return -1;
    }
    *job = P->queue[P->next_queue++];
    *si = P->free_stack[--P->n_free];
    pthread_mutex_unlock(&P->mu);
    return 0;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    pool *P = w->P;
    ilnet_study *S = P->S;
    gsl_set_error_handler_off();
    size_t j;
    int si;
    while (!next_job(P, &j, &si)) {
        slot *s = &P->slots[si];
        s->exp = P->job_exp[j];
        s->point = P->job_point[j];
        s->rc = 0;
        ilnet_study_exp *x = &S->x[s->exp];
        int series = series_of(x, s->point);
        ilnet_point_unit **u = &w->units[w->unit_base[s->exp] + series];
        if (!*u)
            s->rc = ilnet_point_unit_new(u, &S->c, x->e, series, S->presets, x->times, x->n_times,
                                         x->pts.names, x->pts.n_vars);
        if (!s->rc)
            s->rc = ilnet_point_run(*u, x->pts.values + s->point * (size_t)x->pts.n_vars, &s->out);
        if (s->rc) snprintf(s->err, sizeof s->err, "%s", ilnet_error_last());

        pthread_mutex_lock(&P->mu);
        P->done_q[P->n_done_q++] = si;
        pthread_cond_signal(&P->cv_done);
        pthread_mutex_unlock(&P->mu);
    }
    return NULL;
}

/* On a cancel or a writer failure: take no more jobs (and tell rank 0), and wake the
 * workers waiting for jobs that will not come. */
static void stop_taking(pool *P)
{
    if (P->stopped || !(P->wrc || P->stop)) return;
    P->stop = 1;
    int src = ilnet_dispatch_stop(&P->D);
    if (src && !P->wrc) P->wrc = src;
    P->stopped = 1;
    pthread_mutex_lock(&P->mu);
    P->all_in = 1;
    pthread_cond_broadcast(&P->cv_free);
    pthread_mutex_unlock(&P->mu);
}

static int units_per_worker(const ilnet_config *c, int *base)
{
    int n = 0;
    for (int k = 0; k < c->n_experiments; k++) {
        if (base) base[k] = n;
        n += c->experiments[k].type == ILNET_EXP_DOSE ? c->experiments[k].n_series : 1;
    }
    return n;
}

/* Jobs, slots, buffers and per-worker units. */
static int pool_alloc(pool *P)
{
    ilnet_study *S = P->S;
    size_t pending = S->pending;
    int T = P->n_threads;
    P->n_slots = 4 * T;
    P->job_exp = malloc((pending + 1) * sizeof *P->job_exp);
    P->job_point = malloc((pending + 1) * sizeof *P->job_point);
    P->queue = malloc((pending + 1) * sizeof *P->queue);
    P->slots = calloc(P->n_slots, sizeof *P->slots);
    P->free_stack = malloc(P->n_slots * sizeof *P->free_stack);
    P->done_q = malloc(P->n_slots * sizeof *P->done_q);
    P->workers = calloc(T, sizeof *P->workers);
    P->tids = calloc(T, sizeof *P->tids);
    P->wbuf = malloc((S->max_times * (size_t)S->n_obs + 1) * sizeof *P->wbuf);
    P->wsp = malloc((S->max_times * (size_t)S->n_sp + 1) * sizeof *P->wsp);
    size_t k = (size_t)S->c.n_sens;
    P->wosen = malloc((S->max_times * (size_t)S->n_obs * k + 1) * sizeof *P->wosen);
    P->wssen = malloc((S->max_times * (size_t)S->n_sp * k + 1) * sizeof *P->wssen);
    if (!P->job_exp || !P->job_point || !P->queue || !P->slots || !P->free_stack || !P->done_q ||
        !P->workers || !P->tids || !P->wbuf || !P->wsp || !P->wosen || !P->wssen)
        return ilnet_error_oom();
    for (int k = 0; k < S->c.n_experiments; k++)
        for (size_t p = 0; p < S->x[k].pts.n_points; p++)
            if (S->x[k].status[p] == ILNET_POINT_PENDING) {
                P->job_exp[P->n_jobs] = k;
                P->job_point[P->n_jobs++] = p;
            }
    for (int i = 0; i < P->n_slots; i++) {
        slot *s = &P->slots[i];
        s->out.observables = malloc((S->max_times * S->net_obs + 1) * sizeof(double));
        s->out.species = malloc((S->max_times * S->net_sp + 1) * sizeof(double));
        s->out.obs_sens = malloc((S->max_times * S->net_obs * k + 1) * sizeof(double));
        s->out.species_sens = malloc((S->max_times * S->net_sp * k + 1) * sizeof(double));
        s->out.expressions = malloc((S->max_times * (size_t)S->c.n_expr + 1) * sizeof(double));
        if (!s->out.observables || !s->out.species || !s->out.obs_sens || !s->out.species_sens ||
            !s->out.expressions)
            return ilnet_error_oom();
        P->free_stack[P->n_free++] = i;
    }
    int n_units = units_per_worker(&S->c, NULL);
    for (int t = 0; t < T; t++) {
        worker *w = &P->workers[t];
        w->P = P;
        w->n_units = n_units;
        w->units = calloc(n_units + 1, sizeof *w->units);
        w->unit_base = calloc(S->c.n_experiments + 1, sizeof *w->unit_base);
        if (!w->units || !w->unit_base) return ilnet_error_oom();
        units_per_worker(&S->c, w->unit_base);
    }
    return 0;
}

static void pool_free(pool *P)
{
    ilnet_dispatch_free(&P->D);
    for (int t = 0; P->workers && t < P->n_threads; t++) {
        for (int i = 0; P->workers[t].units && i < P->workers[t].n_units; i++)
            ilnet_point_unit_free(P->workers[t].units[i]);
        free(P->workers[t].units);
        free(P->workers[t].unit_base);
    }
    free(P->workers);
    free(P->tids);
    for (int i = 0; P->slots && i < P->n_slots; i++) {
        free(P->slots[i].out.observables);
        free(P->slots[i].out.species);
        free(P->slots[i].out.obs_sens);
        free(P->slots[i].out.species_sens);
        free(P->slots[i].out.expressions);
    }
    free(P->slots);
    free(P->free_stack);
    free(P->done_q);
    free(P->job_exp);
    free(P->job_point);
    free(P->queue);
    free(P->wbuf);
    free(P->wsp);
    free(P->wosen);
    free(P->wssen);
}

static int start_workers(pool *P)
{
    pthread_mutex_init(&P->mu, NULL);
    pthread_cond_init(&P->cv_free, NULL);
    pthread_cond_init(&P->cv_done, NULL);
    P->workers_left = P->n_threads;
    for (int t = 0; t < P->n_threads; t++) {
        if (pthread_create(&P->tids[t], NULL, worker_main, &P->workers[t])) {
            pthread_mutex_lock(&P->mu);
            P->workers_left -= P->n_threads - t;
            P->stop = 1; /* no more work */
            pthread_cond_broadcast(&P->cv_free);
            pthread_mutex_unlock(&P->mu);
            return ilnet_error_set(ILNET_EINTERNAL, "cannot start worker thread %d", t);
        }
        P->started++;
    }
    return 0;
}

/* Keeps the queue ahead of the workers with jobs from the dispatcher, and (rank 0) answers
 * the other ranks even after a failure: they need its "no more". */
static void refill(pool *P)
{
    stop_taking(P);
    pthread_mutex_lock(&P->mu);
    size_t queued = P->n_queue - P->next_queue;
    pthread_mutex_unlock(&P->mu);
    if (!P->wrc && !P->D.exhausted && queued < (size_t)(2 * P->n_threads)) {
        size_t first, count;
        int got = ilnet_dispatch_take(&P->D, &first, &count);
        if (got < -1) P->wrc = got;
        pthread_mutex_lock(&P->mu);
        for (size_t j = 0; got > 0 && j < count; j++)
            P->queue[P->n_queue++] = first + j;
        if (got < 0 || P->D.exhausted) P->all_in = 1;
        pthread_cond_broadcast(&P->cv_free);
        pthread_mutex_unlock(&P->mu);
    }
    int src = ilnet_dispatch_serve(&P->D);
    if (src && !P->wrc) P->wrc = src;
    stop_taking(P);
}

/* Waits for a finished slot: its index, -1 to look again, -2 when this rank is done. The
 * wait is sliced so that progress and cancels are seen (2 ms while there are ranks to
 * serve or jobs to fetch, 100 ms otherwise). */
static int wait_slot(pool *P)
{
    pthread_mutex_lock(&P->mu);
    if (P->n_done_q == 0 && P->workers_left > 0) {
        long slice = P->S->n_ranks > 1 || !P->all_in ? 2000000L : 100000000L;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += slice;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&P->cv_done, &P->mu, &ts);
    }
    if (P->n_done_q == 0 && P->workers_left == 0) {
        pthread_mutex_unlock(&P->mu);
        if (!ilnet_dispatch_others_done(&P->D)) {
            /* rank 0's own work is over; the other ranks may still ask */
            struct timespec nap = {0, 1000000};
            nanosleep(&nap, NULL);
            return -1;
        }
        return -2;
    }
    int si = P->n_done_q ? P->done_q[--P->n_done_q] : -1;
    pthread_mutex_unlock(&P->mu);
    return si;
}

/* Stores a finished point (the stored columns only) and frees its slot. */
static void store_slot(pool *P, int si)
{
    ilnet_study *S = P->S;
    slot *s = &P->slots[si];
    ilnet_study_exp *xe = &S->x[s->exp];
    if (s->rc && !P->wrc) {
        /* not the point's fault (out of memory, a broken setup): stop everything */
        P->wrc = ilnet_error_set(s->rc, "%s", s->err);
        P->stop = 1;
    }
    if (!s->rc && !P->wrc) {
        size_t k = (size_t)S->c.n_sens;
        size_t ne = (size_t)S->c.n_expr;
        for (size_t r = 0; r < xe->n_times; r++) {
            for (int i = 0; i < S->n_obs; i++) {
                int o = S->obs_idx[i]; /* negative: output expression -1 - o */
                P->wbuf[r * S->n_obs + i] = o >= 0 ? s->out.observables[r * S->net_obs + o]
                                                   : s->out.expressions[r * ne + (size_t)(-1 - o)];
            }
            for (int i = 0; i < S->n_sp; i++)
                P->wsp[r * S->n_sp + i] = s->out.species[r * S->net_sp + S->sp_idx[i]];
            for (int i = 0; i < S->n_obs && k; i++) {
                double *to = P->wosen + (r * S->n_obs + i) * k;
                if (S->obs_idx[i] < 0) { /* no sensitivities of output expressions */
                    for (size_t j = 0; j < k; j++)
                        to[j] = NAN;
                } else {
                    memcpy(to, s->out.obs_sens + (r * S->net_obs + S->obs_idx[i]) * k,
                           k * sizeof(double));
                }
            }
            for (int i = 0; i < S->n_sp && k; i++)
                memcpy(P->wssen + (r * S->n_sp + i) * k,
                       s->out.species_sens + (r * S->net_sp + S->sp_idx[i]) * k,
                       k * sizeof(double));
        }
        P->wrc = S->store->write_point(S->h, s->exp, s->point, P->wbuf, P->wsp, k ? P->wosen : NULL,
                                       k ? P->wssen : NULL, (signed char)s->out.status,
                                       s->out.stats, s->out.message);
        xe->status[s->point] = (signed char)s->out.status;
        P->done++;
        if (P->wrc) P->stop = 1;
    }
    pthread_mutex_lock(&P->mu);
    P->free_stack[P->n_free++] = si;
    pthread_cond_signal(&P->cv_free);
    pthread_mutex_unlock(&P->mu);
}

static void report(pool *P, size_t done, int final)
{
    const ilnet_study_options *o = P->S->o;
    if (!o->progress) return;
    ilnet_study_progress pr = {done,       P->S->pending, ilnet_clock_now() - P->S->t0,
                               P->S->rank, final,         NULL};
    if (o->progress(&pr, o->payload) && !final) P->stop = 1;
}

/* The writer: this thread owns the store (and, in an MPI run, talks to the other ranks). */
static void writer_loop(pool *P)
{
    ilnet_study *S = P->S;
    double last_flush = S->t0, last_report = 0;
    for (;;) {
        refill(P);
        int si = wait_slot(P);
        if (si == -2) break;
        if (si >= 0) store_slot(P, si);
        double t = ilnet_clock_now();
        /* a point's rows reach the file at once (no chunk cache), its status last, so the
         * flush is only periodic; MPI-IO writes go straight to the file too, and HDF5's
         * flush is collective there */
        if (!P->wrc && S->n_ranks == 1 && t - last_flush > 1.0) {
            P->wrc = S->store->flush(S->h);
            last_flush = t;
        }
        if (t - last_report > 0.1) {
            report(P, P->done * (size_t)S->n_ranks, 0);
            last_report = t;
        }
    }
}

/* Every rank starts only when all have set up: one that failed alone would leave the
 * others waiting for it. */
static int agree(int rc, int *own_error)
{
    *own_error = rc != 0;
    int bad = rc != 0, e2 = ilnet_dispatch_max(&bad, 1);
    if (e2 && !rc) rc = e2;
    if (bad && !rc) {
        rc = ilnet_error_set(ILNET_EIO, "another MPI rank failed to set up (it says why)");
        ilnet_dispatch_mark_relayed();
    }
    return rc;
}

int ilnet_study_pool_run(ilnet_study *S, size_t *done, int *interrupted)
{
    pool P;
    memset(&P, 0, sizeof P);
    P.S = S;
    int own_error = 0;
    P.n_threads = S->o->threads > 0 ? S->o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (P.n_threads < 1) P.n_threads = 1;
    if ((size_t)P.n_threads > S->pending && S->pending > 0) P.n_threads = (int)S->pending;
    S->n_threads = P.n_threads;
    int rc = ilnet_dispatch_init(&P.D, S->pending, P.n_threads);
    if (!rc) rc = pool_alloc(&P);
    if ((rc = agree(rc, &own_error))) {
        if (!own_error && S->rank != 0) ilnet_dispatch_mark_relayed();
        pool_free(&P);
        return rc;
    }
    S->t0 = ilnet_clock_now();
    rc = start_workers(&P);
    writer_loop(&P);
    for (int t = 0; t < P.started; t++)
        pthread_join(P.tids[t], NULL);
    pthread_mutex_destroy(&P.mu);
    pthread_cond_destroy(&P.cv_free);
    pthread_cond_destroy(&P.cv_done);
    if (!rc) rc = P.wrc;
    if (!rc && S->h && S->n_ranks == 1) rc = S->store->flush(S->h);
    /* every rank's outcome */
    long long tot[2] = {(long long)P.done, (P.stop || rc) ? 1 : 0};
    int e1 = ilnet_dispatch_sum(tot, 2);
    if (e1 && !rc) rc = e1;
    report(&P, (size_t)tot[0], 1);
    *done = (size_t)tot[0];
    *interrupted = tot[1] != 0;
    pool_free(&P);
    return rc;
}

/* Running a fit's starts (fit.h): worker threads, each with its own problem handle, take
 * start indices from a queue that the calling thread (the coordinator) fills from the
 * dispatcher (dispatch.h: everything at once in one process, shrinking ranges from rank 0
 * in an MPI run). Finished starts come back to the coordinator, which reports them (rank
 * 0: the caller's callback) or sends them to rank 0 (other ranks). A start's result depends
 * only on its index -- the Latin hypercube is drawn once from the seed and each
 * optimisation is sequential -- so any thread or rank count gives the same starts. */
#include "../common/error.h"
#include "dispatch.h"
#include "fit.h"
#include <ilnet/petab.h>

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

typedef struct {
    ilnet_fit *f;
    const ilnet_fit_options *o;
    const char *yaml;
    size_t *jobs, n_jobs; /* pending start indices, the same on every rank */
    pthread_mutex_t mu;
    pthread_cond_t cv_work, cv_done;
    size_t *queue, n_queue, next_queue; /* indices into jobs, as handed to this rank */
    size_t *done_q, n_done_q;           /* finished start indices, not yet reported */
    int all_in, stop, workers_left, rc;
    char error[1024];
} shared;

static void *worker(void *arg)
{
    shared *S = arg;
    ilnet_petab_problem *p = NULL;
    int rc = ilnet_fit_problem_load(&p, S->f, S->yaml, S->o);
    for (;;) {
        pthread_mutex_lock(&S->mu);
        if (rc && !S->rc) {
            S->rc = rc;
            snprintf(S->error, sizeof S->error, "%s", ilnet_error_last());
        }
        while (!S->rc && !S->stop && S->next_queue >= S->n_queue && !S->all_in)
            pthread_cond_wait(&S->cv_work, &S->mu);
        int quit = S->rc || S->stop || S->next_queue >= S->n_queue;
        size_t j = quit ? 0 : S->jobs[S->queue[S->next_queue++]];
        if (quit) {
            S->workers_left--;
            pthread_cond_signal(&S->cv_done);
        }
        pthread_mutex_unlock(&S->mu);
        if (quit) break;
        rc = ilnet_fit_local(&S->f->starts[j], p, S->f, S->o);
        pthread_mutex_lock(&S->mu);
        if (!rc) S->done_q[S->n_done_q++] = j;
        pthread_cond_signal(&S->cv_done);
        pthread_mutex_unlock(&S->mu);
    }
    ilnet_petab_problem_free(p);
    return NULL;
}

/* ---- a finished start as bytes, for the trip to rank 0 ---- */

enum { HEAD = 10 };

static size_t record_size(const ilnet_fit *f)
{
    return (HEAD + 2 * f->n_par) * sizeof(double) + sizeof(f->starts[0].reason);
}

static void pack(const ilnet_fit *f, const ilnet_fit_start *s, unsigned char *buf)
{
    double h[HEAD] = {(double)s->index,      s->llh,
                      s->log_prior,          s->objective,
                      (double)s->iterations, (double)s->evaluations,
                      (double)s->gradients,  s->seconds,
                      (double)s->method,     (double)s->status};
    size_t np = f->n_par, off = 0;
    memcpy(buf, h, sizeof h), off += sizeof h;
    memcpy(buf + off, s->theta0, np * sizeof(double)), off += np * sizeof(double);
    memcpy(buf + off, s->theta, np * sizeof(double)), off += np * sizeof(double);
    memcpy(buf + off, s->reason, sizeof s->reason);
}

/* the start the record describes, filled from it (NULL for a bad record) */
static ilnet_fit_start *unpack(ilnet_fit *f, const unsigned char *buf)
{
    double h[HEAD];
    memcpy(h, buf, sizeof h);
    if (!(h[0] >= 0 && h[0] < (double)f->n_starts)) return NULL;
    ilnet_fit_start *s = &f->starts[(size_t)h[0]];
    size_t np = f->n_par, off = sizeof h;
    s->llh = h[1], s->log_prior = h[2], s->objective = h[3];
    s->iterations = (long)h[4], s->evaluations = (long)h[5], s->gradients = (long)h[6];
    s->seconds = h[7], s->method = (ilnet_fit_method)h[8], s->status = (ilnet_fit_status)h[9];
    memcpy(s->theta0, buf + off, np * sizeof(double)), off += np * sizeof(double);
    memcpy(s->theta, buf + off, np * sizeof(double)), off += np * sizeof(double);
    memcpy(s->reason, buf + off, sizeof s->reason);
    s->reason[sizeof s->reason - 1] = 0;
    return s;
}

/* ---- the coordinator: the calling thread, the only one that talks MPI ---- */

typedef struct {
    shared *S;
    ilnet_dispatch D;
    int threads;
    size_t reported;
    unsigned char *buf;
    int remote_done; /* rank 0: other ranks whose end marker arrived */
    size_t *batch;   /* finished starts taken from the done queue */
    double best_obj; /* objective of f->best, +inf while none is finite */
} coord;

/* the best of the starts reported so far (never a start a worker still writes) */
static void consider(coord *C, const ilnet_fit_start *s)
{
    if (!(s->objective >= C->best_obj)) { /* lower, or the first finite one */
        if (isfinite(s->objective) || !isfinite(C->best_obj)) C->S->f->best = s->index;
        if (isfinite(s->objective)) C->best_obj = s->objective;
    }
}

static void stop_all(coord *C)
{
    shared *S = C->S;
    pthread_mutex_lock(&S->mu);
    S->stop = 1;
    pthread_cond_broadcast(&S->cv_work);
    pthread_mutex_unlock(&S->mu);
    int rc = ilnet_dispatch_stop(&C->D);
    if (rc && !S->rc) S->rc = rc;
}

/* rank 0: a finished start, through the caller's callback */
static void report(coord *C, const ilnet_fit_start *s)
{
    shared *S = C->S;
    ilnet_fit *f = S->f;
    consider(C, s);
    C->reported++;
    struct ilnet_fit_progress pr = {C->reported, S->n_jobs, f->starts[f->best].llh};
    if (!f->stopped && S->o->on_start && S->o->on_start(s, &pr, S->o->payload)) {
        f->stopped = 1;
        stop_all(C);
    }
}

/* keeps the queue ahead of the workers with ranges from the dispatcher */
static int refill(coord *C)
{
    shared *S = C->S;
    int rc = ilnet_dispatch_serve(&C->D);
    pthread_mutex_lock(&S->mu);
    size_t queued = S->n_queue - S->next_queue;
    int stop = S->stop || S->rc;
    pthread_mutex_unlock(&S->mu);
    if (rc || stop || C->D.exhausted || queued >= (size_t)(2 * C->threads)) return rc;
    size_t first, count;
    int got = ilnet_dispatch_take(&C->D, &first, &count);
    if (got < -1) return got;
    pthread_mutex_lock(&S->mu);
    for (size_t j = 0; got > 0 && j < count; j++)
        S->queue[S->n_queue++] = first + j;
    if (got < 0 || C->D.exhausted) S->all_in = 1;
    pthread_cond_broadcast(&S->cv_work);
    pthread_mutex_unlock(&S->mu);
    return 0;
}

/* finished starts: reported (rank 0) or sent to rank 0; rank 0 also takes the others' */
static int collect(coord *C)
{
    shared *S = C->S;
    ilnet_fit *f = S->f;
    pthread_mutex_lock(&S->mu);
    size_t n = S->n_done_q;
    memcpy(C->batch, S->done_q, n * sizeof *C->batch);
    S->n_done_q = 0;
    pthread_mutex_unlock(&S->mu);
    int rc = 0;
    for (size_t i = 0; i < n && !rc; i++) {
        if (C->D.rank == 0) {
            report(C, &f->starts[C->batch[i]]);
        } else {
            pack(f, &f->starts[C->batch[i]], C->buf);
            rc = ilnet_dispatch_send_data(C->buf, record_size(f));
        }
    }
    for (int got = 1; !rc && got && C->D.rank == 0 && C->D.size > 1;) {
        rc = ilnet_dispatch_recv_data(C->buf, record_size(f), &got);
        if (rc || !got) break;
        double idx;
        memcpy(&idx, C->buf, sizeof idx);
        const ilnet_fit_start *s = idx < 0 ? NULL : unpack(f, C->buf);
        if (idx < 0)
            C->remote_done++;
        else if (s)
            report(C, s);
    }
    return rc;
}

/* whether this rank is done: its workers finished and reported, and (rank 0) every other
 * rank's end marker arrived; waits a little for news otherwise */
static int finished(coord *C)
{
    shared *S = C->S;
    pthread_mutex_lock(&S->mu);
    int idle = S->workers_left == 0 && S->n_done_q == 0;
    if (!idle && S->n_done_q == 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += C->D.size > 1 ? 2000000L : 50000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_cond_timedwait(&S->cv_done, &S->mu, &ts);
    }
    pthread_mutex_unlock(&S->mu);
    if (!idle) return 0;
    if (C->D.rank != 0) return 1;
    return C->D.size < 2 || (ilnet_dispatch_others_done(&C->D) && C->remote_done >= C->D.size - 1);
}

static int coordinate(coord *C)
{
    shared *S = C->S;
    int rc = 0;
    for (;;) {
        if (!rc && S->o->cancel && *S->o->cancel) /* the workers notice at their next step */
            rc = ilnet_error_set(ILNET_ECANCELLED, "fit cancelled");
        if (!rc)
            rc = refill(C);
        else if (ilnet_dispatch_serve(&C->D)) /* rank 0 answers the others until they end */
            break;
        int e = collect(C); /* finished starts are reported even after a stop */
        if (e && !rc) rc = e;
        if (rc && !S->rc) S->rc = rc;
        if (S->rc && !S->stop) stop_all(C);
        /* until the workers are done and every finished start is reported */
        if (finished(C)) break;
    }
    if (C->D.rank != 0) { /* the end marker: index -1 */
        memset(C->buf, 0, record_size(S->f));
        double idx = -1;
        memcpy(C->buf, &idx, sizeof idx);
        int e = ilnet_dispatch_send_data(C->buf, record_size(S->f));
        if (e && !S->rc) S->rc = e;
    }
    return S->rc;
}

int ilnet_fit_run(ilnet_fit *f, const char *yaml_path, const ilnet_fit_options *o)
{
    shared S = {.f = f, .o = o, .yaml = yaml_path};
    coord C = {.S = &S};
    size_t n = f->n_starts;
    S.jobs = malloc((n + 1) * sizeof *S.jobs);
    S.queue = malloc((n + 1) * sizeof *S.queue);
    S.done_q = malloc((n + 1) * sizeof *S.done_q);
    C.batch = malloc((n + 1) * sizeof *C.batch);
    C.buf = malloc(record_size(f));
    if (!S.jobs || !S.queue || !S.done_q || !C.batch || !C.buf) S.rc = ilnet_error_oom();
    C.best_obj = INFINITY;
    f->best = 0;
    for (size_t i = 0; !S.rc && i < n; i++) {
        if (!(o->done && o->done[i]))
            S.jobs[S.n_jobs++] = i;
        else
            consider(&C, &f->starts[i]); /* finished in an earlier run */
    }
    C.threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (C.threads < 1) C.threads = 1;
    if ((size_t)C.threads > S.n_jobs) C.threads = S.n_jobs ? (int)S.n_jobs : 1;
    pthread_t *th = calloc((size_t)C.threads, sizeof *th);
    int rc = S.rc ? S.rc : !th ? ilnet_error_oom() : ilnet_dispatch_init(&C.D, S.n_jobs, C.threads);
    pthread_mutex_init(&S.mu, NULL);
    pthread_cond_init(&S.cv_work, NULL);
    pthread_cond_init(&S.cv_done, NULL);
    int started = 0;
    S.workers_left = C.threads; /* before any worker can quit */
    for (int t = 0; !rc && t < C.threads; t++, started++)
        if (pthread_create(&th[t], NULL, worker, &S)) break;
    pthread_mutex_lock(&S.mu);
    S.workers_left -= C.threads - started;
    pthread_mutex_unlock(&S.mu);
    if (!rc && started < C.threads) {
        S.rc = ILNET_EINTERNAL;
        snprintf(S.error, sizeof S.error, "cannot start worker thread %d", started);
    }
    if (!rc) rc = coordinate(&C);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    if (S.rc && S.error[0]) /* a worker's error: its message is in its own thread */
        rc = ilnet_error_set(S.rc, "%s", S.error);
    else if (!rc)
        rc = S.rc;
    pthread_mutex_destroy(&S.mu);
    pthread_cond_destroy(&S.cv_work);
    pthread_cond_destroy(&S.cv_done);
    ilnet_dispatch_free(&C.D);
    free(th), free(S.jobs), free(S.queue), free(S.done_q), free(C.batch), free(C.buf);
    return rc;
}

/* Profile likelihoods and Fisher-information intervals (fit_profile.h). */
#include "fit_profile.h"

#include "../common/clock.h"
#include "../common/error.h"
#include "dispatch.h"
#include <ilnet/petab.h>

#include <gsl/gsl_eigen.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ilnet_fit_profile_free(ilnet_fit_profile *p)
{
    free(p->value);
    free(p->llh);
    free(p->theta);
    free(p->status);
    memset(p, 0, sizeof *p);
}

/* one side's points, appended as the walk goes */
typedef struct {
    size_t n, cap, np;
    double *value, *llh, *theta;
    signed char *status;
} side;

static int side_add(side *s, double v, double l, const double *theta, signed char st)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        double *a = realloc(s->value, cap * sizeof *a), *b = realloc(s->llh, cap * sizeof *b);
        if (a) s->value = a;
        if (b) s->llh = b;
        double *c = realloc(s->theta, cap * s->np * sizeof *c);
        if (c) s->theta = c;
        signed char *d = realloc(s->status, cap);
        if (d) s->status = d;
        if (!a || !b || !c || !d) return ilnet_error_oom();
        s->cap = cap;
    }
    s->value[s->n] = v;
    s->llh[s->n] = l;
    memcpy(s->theta + s->n * s->np, theta, s->np * sizeof *theta);
    s->status[s->n++] = st;
    return 0;
}

static void side_free(side *s)
{
    free(s->value);
    free(s->llh);
    free(s->theta);
    free(s->status);
}

typedef struct {
    const ilnet_fit *f;
    const ilnet_fit_options *o;
    const ilnet_profile_options *po;
    ilnet_petab_problem *p;
    double *lower, *upper; /* the fit's bounds, with the profiled parameter's pinned */
    ilnet_fit_start s;
} walker;

/* the best fit of the others with parameter j fixed at v, warm-started from theta */
static int reoptimise(walker *w, size_t j, double v, const double *theta, double *out_llh,
                      signed char *status)
{
    ilnet_fit g = *w->f;
    size_t np = g.n_par;
    memcpy(w->lower, g.lower, np * sizeof *w->lower);
    memcpy(w->upper, g.upper, np * sizeof *w->upper);
    w->lower[j] = w->upper[j] = v;
    g.lower = w->lower;
    g.upper = w->upper;
    g.method = ILNET_FIT_LBFGS;
    memcpy(w->s.theta0, theta, np * sizeof *theta);
    w->s.theta0[j] = v;
    int rc = ilnet_fit_local(&w->s, w->p, &g, w->o);
    *out_llh = w->s.llh + w->s.log_prior;
    *status = (signed char)w->s.status;
    return rc;
}

/* walks from the best fit in direction dir (+1, -1) until the profile falls by more than
 * the threshold or reaches the bound */
static int walk(walker *w, size_t j, int dir, side *out)
{
    const ilnet_fit *f = w->f;
    const ilnet_fit_start *b = &f->starts[f->best];
    double best = b->llh + b->log_prior, width = f->upper[j] - f->lower[j];
    double bound = dir > 0 ? f->upper[j] : f->lower[j];
    double h = w->po->first_step * width, v = b->theta[j], prev = best;
    const double *theta = b->theta;
    int rc = 0;
    while (out->n < w->po->max_points && !rc && dir * (bound - v) > 0) {
        double nv = v + dir * h, l;
        if (dir * (nv - bound) > 0) nv = bound;
        signed char st;
        if ((rc = reoptimise(w, j, nv, theta, &l, &st))) break;
        double drop = prev - l;
        if (!(drop <= 0.5) && h > w->po->min_step * width) { /* too coarse here: halve */
            h /= 2;
            continue;
        }
        if ((rc = side_add(out, nv, l, w->s.theta, st))) break;
        theta = out->theta + (out->n - 1) * out->np;
        v = nv;
        prev = l;
        if (!(best - l <= ILNET_PROFILE_THRESHOLD)) break; /* past the threshold */
        if (drop < 0.1) h = fmin(2 * h, 0.1 * width);
    }
    return rc;
}

/* where the profile (sorted, best at index ib) crosses best - threshold on each side */
static void interval(ilnet_fit_profile *pr, size_t ib, double best)
{
    double cut = best - ILNET_PROFILE_THRESHOLD;
    pr->ci_lower = pr->ci_upper = NAN;
    for (size_t i = ib; i-- > 0;)
        if (pr->llh[i] < cut) {
            double t = (cut - pr->llh[i]) / (pr->llh[i + 1] - pr->llh[i]);
            pr->ci_lower = pr->value[i] + t * (pr->value[i + 1] - pr->value[i]);
            break;
        }
    for (size_t i = ib + 1; i < pr->n; i++)
        if (pr->llh[i] < cut) {
            double t = (pr->llh[i - 1] - cut) / (pr->llh[i - 1] - pr->llh[i]);
            pr->ci_upper = pr->value[i - 1] + t * (pr->value[i] - pr->value[i - 1]);
            break;
        }
}

/* both sides and the best point, in increasing order of the parameter */
static int profile_one(walker *w, size_t j, ilnet_fit_profile *pr)
{
    const ilnet_fit *f = w->f;
    const ilnet_fit_start *b = &f->starts[f->best];
    size_t np = f->n_par;
    double t0 = ilnet_clock_now();
    side lo = {.np = np}, hi = {.np = np};
    int rc = walk(w, j, -1, &lo);
    if (!rc) rc = walk(w, j, +1, &hi);
    size_t n = lo.n + 1 + hi.n;
    memset(pr, 0, sizeof *pr);
    pr->par = j;
    pr->value = malloc(n * sizeof *pr->value);
    pr->llh = malloc(n * sizeof *pr->llh);
    pr->theta = malloc(n * np * sizeof *pr->theta);
    pr->status = malloc(n);
    if (!rc && (!pr->value || !pr->llh || !pr->theta || !pr->status)) rc = ilnet_error_oom();
    for (size_t i = 0; !rc && i < n; i++) {
        side *s = i < lo.n ? &lo : i == lo.n ? NULL : &hi;
        size_t k = i < lo.n ? lo.n - 1 - i : i - lo.n - 1;
        pr->value[i] = s ? s->value[k] : b->theta[j];
        pr->llh[i] = s ? s->llh[k] : b->llh + b->log_prior;
        memcpy(pr->theta + i * np, s ? s->theta + k * np : b->theta, np * sizeof *pr->theta);
        pr->status[i] = s ? s->status[k] : (signed char)b->status;
    }
    if (!rc) {
        pr->n = n;
        interval(pr, lo.n, b->llh + b->log_prior);
    }
    side_free(&lo);
    side_free(&hi);
    pr->seconds = ilnet_clock_now() - t0;
    return rc;
}

typedef struct {
    const ilnet_fit *f;
    const ilnet_fit_options *o;
    const ilnet_profile_options *po;
    const char *yaml;
    const size_t *which;
    size_t k, next;
    int rank, size; /* profile q is this rank's when q % size == rank */
    ilnet_fit_profile *out;
    pthread_mutex_t mu;
    int rc;
    char error[1024];
} pool;

static void *profile_worker(void *arg)
{
    pool *P = arg;
    size_t np = P->f->n_par;
    walker w = {.f = P->f, .o = P->o, .po = P->po};
    w.lower = malloc(np * sizeof(double));
    w.upper = malloc(np * sizeof(double));
    w.s.theta0 = malloc(np * sizeof(double));
    w.s.theta = malloc(np * sizeof(double));
    int rc = !w.lower || !w.upper || !w.s.theta0 || !w.s.theta
                 ? ilnet_error_oom()
                 : ilnet_fit_problem_load(&w.p, P->f, P->yaml, P->o);
    for (;;) {
        pthread_mutex_lock(&P->mu);
        if (rc && !P->rc) {
            P->rc = rc;
            snprintf(P->error, sizeof P->error, "%s", ilnet_error_last());
        }
        size_t q = P->next;
        while (q < P->k && (int)(q % (size_t)P->size) != P->rank)
            q++;
        P->next = q + 1;
        int stop = P->rc || q >= P->k;
        pthread_mutex_unlock(&P->mu);
        if (stop) break;
        rc = profile_one(&w, P->which[q], &P->out[q]);
        P->out[q].rank = P->rank;
    }
    ilnet_petab_problem_free(w.p);
    free(w.lower);
    free(w.upper);
    free(w.s.theta0);
    free(w.s.theta);
    return NULL;
}

/* ---- profiles of other ranks, as doubles for the trip to rank 0 ---- */

/* header: q, rc, n, ci_lower, ci_upper, seconds, rank; then value[n], llh[n], theta[n][np],
 * status[n]; after the doubles, the error message when rc != 0 */
enum { HEAD = 7 };

static size_t message_cap(const pool *P)
{
    size_t n = 2 * P->po->max_points + 1;
    return (HEAD + n * (P->f->n_par + 3)) * sizeof(double) + sizeof P->error;
}

static int send_profile(pool *P, size_t q, double *buf)
{
    const ilnet_fit_profile *pr = &P->out[q];
    size_t np = P->f->n_par, n = P->rc ? 0 : pr->n, m = HEAD;
    double head[HEAD] = {(double)q,    P->rc,       (double)n,      pr->ci_lower,
                         pr->ci_upper, pr->seconds, (double)P->rank};
    memcpy(buf, head, sizeof head);
    memcpy(buf + m, pr->value, n * sizeof *buf);
    memcpy(buf + (m += n), pr->llh, n * sizeof *buf);
    memcpy(buf + (m += n), pr->theta, n * np * sizeof *buf);
    m += n * np;
    for (size_t i = 0; i < n; i++)
        buf[m++] = pr->status[i];
    size_t bytes = m * sizeof *buf;
    if (P->rc) {
        memcpy((char *)(buf + m), P->error, sizeof P->error);
        bytes += sizeof P->error;
    }
    return ilnet_dispatch_send_data(buf, bytes);
}

static int take_profile(pool *P, const double *buf)
{
    size_t np = P->f->n_par, q = (size_t)buf[0], n = (size_t)buf[2], m = HEAD;
    int rc = (int)buf[1];
    if (q >= P->k) return ilnet_error_set(ILNET_EINTERNAL, "MPI: profile %zu of %zu", q, P->k);
    if (rc) {
        if (!P->rc) {
            P->rc = rc;
            const char *msg = (const char *)(buf + m);
            snprintf(P->error, sizeof P->error, "%.*s", (int)sizeof P->error - 1, msg);
        }
        return 0;
    }
    ilnet_fit_profile *pr = &P->out[q];
    pr->par = P->which[q];
    pr->ci_lower = buf[3];
    pr->ci_upper = buf[4];
    pr->seconds = buf[5];
    pr->rank = (int)buf[6];
    pr->value = malloc((n + 1) * sizeof *pr->value);
    pr->llh = malloc((n + 1) * sizeof *pr->llh);
    pr->theta = malloc((n * np + 1) * sizeof *pr->theta);
    pr->status = malloc(n + 1);
    if (!pr->value || !pr->llh || !pr->theta || !pr->status) return ilnet_error_oom();
    memcpy(pr->value, buf + m, n * sizeof *buf);
    memcpy(pr->llh, buf + (m += n), n * sizeof *buf);
    memcpy(pr->theta, buf + (m += n), n * np * sizeof *buf);
    m += n * np;
    for (size_t i = 0; i < n; i++)
        pr->status[i] = (signed char)buf[m + i];
    pr->n = n;
    return 0;
}

/* Rank 0 takes every other rank's profiles (they block until it does); the others send
 * theirs (with the error that stopped them, if any). */
static int exchange(pool *P, double *buf)
{
    int rc = 0, taken = 0;
    size_t theirs = 0;
    for (size_t q = 0; q < P->k; q++)
        theirs += (int)(q % (size_t)P->size) != P->rank;
    for (size_t q = 0; !rc && P->rank && q < P->k; q++)
        if ((int)(q % (size_t)P->size) == P->rank) rc = send_profile(P, q, buf);
    /* rank 0 takes every message, also after one it could not keep: the senders block
     * until it does */
    while (!rc && !P->rank && theirs) {
        int got = 0;
        if ((rc = ilnet_dispatch_recv_data(buf, message_cap(P), &got))) break;
        if (got) {
            int trc = take_profile(P, buf);
            if (trc && !taken) taken = trc;
            theirs--;
        } else {
            usleep(2000);
        }
    }
    return rc ? rc : taken;
}

/* Every rank has what the profiles need before any starts (an MPI run: or none does, and
 * all return). */
static int agree_ready(const pool *P, int ready)
{
    int bad = !ready;
    if (P->size > 1 && ilnet_dispatch_max(&bad, 1)) return ILNET_EIO;
    if (!bad) return 0;
    if (!ready) return ilnet_error_oom();
    ilnet_dispatch_mark_relayed();
    return ilnet_error_set(ILNET_EIO, "profiles: another MPI rank failed to set up (it says why)");
}

int ilnet_fit_profiles(ilnet_fit_profile **outp, const size_t *which, size_t k, const ilnet_fit *f,
                       const char *yaml_path, const ilnet_fit_options *o,
                       const ilnet_profile_options *po)
{
    ilnet_fit_profile *out = *outp = calloc(k + 1, sizeof *out);
    pool P = {.f = f, .o = o, .po = po, .yaml = yaml_path, .which = which, .k = k, .out = out};
    ilnet_dispatch_world(&P.rank, &P.size);
    size_t mine = 0;
    for (size_t q = 0; q < k; q++)
        mine += (int)(q % (size_t)P.size) == P.rank;
    int T = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (T < 1) T = 1;
    if ((size_t)T > mine) T = mine ? (int)mine : 1;
    pthread_t *th = calloc((size_t)T, sizeof *th);
    double *buf = P.size > 1 ? malloc(message_cap(&P)) : NULL;
    int rc = agree_ready(&P, out && th && (P.size == 1 || buf));
    if (rc) {
        free(th);
        free(buf);
        return rc;
    }
    pthread_mutex_init(&P.mu, NULL);
    int started = 0;
    for (int t = 1; t < T; t++, started++)
        if (pthread_create(&th[t], NULL, profile_worker, &P)) break;
    profile_worker(&P);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    pthread_mutex_destroy(&P.mu);
    free(th);
    rc = P.size > 1 ? exchange(&P, buf) : 0;
    free(buf);
    if (rc) return rc;
    return P.rc ? ilnet_error_set(P.rc, "%s", P.error) : 0;
}

/* ---- Fisher information ---- */

/* J^T J of the weighted residuals and the noise residuals sqrt(2 log sigma + C) at theta */
static int information(double *F, const ilnet_fit *f, const char *yaml, const ilnet_fit_options *o,
                       const double *theta)
{
    ilnet_petab_options popt = ILNET_PETAB_OPTIONS_INIT;
    popt.atol = o->atol;
    popt.rtol = o->rtol;
    ilnet_petab_problem *p = NULL;
    ilnet_petab_evaluation e;
    int rc = ilnet_petab_problem_load(&p, yaml, &popt);
    if (!rc)
        rc = ilnet_petab_problem_evaluate(&e, p, theta,
                                          ILNET_PETAB_WANT_GRADIENT | ILNET_PETAB_WANT_RESIDUALS);
    if (rc == ILNET_ESOLVER)
        rc = ilnet_error_set(rc, "Fisher information: the simulation at the best fit failed: %s",
                             e.message);
    size_t n = f->n_par, m = rc ? 0 : ilnet_petab_problem_measurement_count(p);
    memset(F, 0, n * n * sizeof *F);
    for (size_t i = 0; i < m; i++) {
        double rs = sqrt(fmax(2 * log(e.sigmas[i]) + 50.0, 1e-300));
        for (size_t a = 0; a < n; a++)
            for (size_t b = 0; b < n; b++) {
                double ja = e.jacobian[i * n + a], jb = e.jacobian[i * n + b];
                double sa = e.log_sigma_jacobian[i * n + a] / rs;
                double sb = e.log_sigma_jacobian[i * n + b] / rs;
                F[a * n + b] += ja * jb + sa * sb;
            }
    }
    ilnet_petab_problem_free(p);
    return rc;
}

int ilnet_fit_fisher(double *cov, double *ci_lower, double *ci_upper, const ilnet_fit *f,
                     const char *yaml_path, const ilnet_fit_options *o, const double *theta)
{
    size_t n = f->n_par;
    gsl_matrix *F = gsl_matrix_alloc(n, n), *V = gsl_matrix_alloc(n, n);
    gsl_vector *ev = gsl_vector_alloc(n);
    gsl_eigen_symmv_workspace *w = gsl_eigen_symmv_alloc(n);
    int rc = F && V && ev && w ? information(F->data, f, yaml_path, o, theta) : ilnet_error_oom();
    if (!rc && gsl_eigen_symmv(F, ev, V, w))
        rc = ilnet_error_set(ILNET_EINTERNAL, "Fisher information: eigen decomposition failed");
    double big = 0;
    for (size_t a = 0; !rc && a < n; a++)
        big = fmax(big, gsl_vector_get(ev, a));
    /* the pseudo-inverse over the directions the data determine; a parameter that loads on
     * an undetermined direction has an unbounded interval */
    for (size_t a = 0; !rc && a < n; a++) {
        int unbounded = 0;
        for (size_t b = 0; b < n; b++) {
            double c = 0;
            for (size_t q = 0; q < n; q++) {
                double lam = gsl_vector_get(ev, q);
                double va = gsl_matrix_get(V, a, q), vb = gsl_matrix_get(V, b, q);
                if (lam > 1e-10 * big)
                    c += va * vb / lam;
                else if (a == b && fabs(va) > 1e-3)
                    unbounded = 1;
            }
            cov[a * n + b] = c;
        }
        double sd = unbounded ? INFINITY : sqrt(fmax(cov[a * n + a], 0));
        ci_lower[a] = theta[a] - 1.959963984540054 * sd;
        ci_upper[a] = theta[a] + 1.959963984540054 * sd;
    }
    if (F) gsl_matrix_free(F);
    if (V) gsl_matrix_free(V);
    if (ev) gsl_vector_free(ev);
    if (w) gsl_eigen_symmv_free(w);
    return rc;
}

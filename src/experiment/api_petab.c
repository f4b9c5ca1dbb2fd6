/* The public PEtab API (<ilnet/petab.h>): a problem read once per worker thread, theta of
 * the estimated parameters on their scales mapped onto the evaluator's linear values of
 * every parameter-table row, and its results compacted to the estimated columns. */
#include <ilnet/petab.h>

#include "../common/error.h"
#include "petab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ilnet_petab_problem {
    ilnet_petab **ps; /* one copy per worker thread */
    int n_threads;
    double atol, rtol;
    size_t *est; /* parameter-table rows of the estimated parameters */
    size_t n_est;
    double *x;        /* linear values of every row */
    int hierarchical; /* inner parameters in closed form (ilnet_petab_problem_set_hierarchical) */
    int adjoint;      /* gradients by the adjoint method (ilnet_petab_problem_set_adjoint) */
    ilnet_petab_result r;
    double *grad, *prior_grad, *jac, *lsjac; /* compacted to the estimated parameters */
    ilnet_petab_evaluation ev;
};

void ilnet_petab_problem_free(ilnet_petab_problem *p)
{
    if (!p) return;
    for (int t = 0; p->ps && t < p->n_threads; t++)
        ilnet_petab_free(p->ps[t]);
    free(p->ps);
    free(p->est);
    free(p->x);
    ilnet_petab_result_free(&p->r);
    free(p->grad);
    free(p->prior_grad);
    free(p->jac);
    free(p->lsjac);
    free(p);
}

static int options(ilnet_petab_options *o, const ilnet_petab_options *in)
{
    ilnet_petab_options d = ILNET_PETAB_OPTIONS_INIT;
    *o = in ? *in : d;
    if (o->version != ILNET_PETAB_OPTIONS_VERSION)
        return ilnet_error_set(ILNET_EINPUT, "ilnet_petab_options: version %u, this library has %d",
                               o->version, ILNET_PETAB_OPTIONS_VERSION);
    if (!(o->atol > 0) || !(o->rtol > 0) || o->threads < 0)
        return ilnet_error_set(ILNET_EINPUT,
                               "petab options: atol and rtol must be > 0 and threads >= 0 "
                               "(atol %g, rtol %g, threads %d)",
                               o->atol, o->rtol, o->threads);
    if (o->threads == 0) o->threads = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (o->threads < 1) o->threads = 1;
    return 0;
}

/* the problem's first copy read; the estimated rows and the buffers sized from it */
static int first_copy(ilnet_petab_problem *p, const char *yaml_path, int threads)
{
    ilnet_petab *q = NULL;
    int rc = ilnet_petab_read(&q, yaml_path);
    if (rc) return rc;
    size_t pairs = ilnet_petab_pair_count(q), np = q->n_par, nm = q->n_meas;
    p->n_threads = threads > (int)pairs ? (int)(pairs ? pairs : 1) : threads;
    p->ps = calloc((size_t)p->n_threads, sizeof *p->ps);
    p->est = malloc((np + 1) * sizeof *p->est);
    p->x = malloc((np + 1) * sizeof *p->x);
    if (!p->ps || !p->est || !p->x) {
        ilnet_petab_free(q);
        return ilnet_error_oom();
    }
    p->ps[0] = q;
    for (size_t i = 0; i < np; i++)
        if (q->par[i].estimate) p->est[p->n_est++] = i;
    p->grad = calloc(p->n_est + 1, sizeof *p->grad);
    p->prior_grad = calloc(p->n_est + 1, sizeof *p->prior_grad);
    p->jac = calloc(nm * p->n_est + 1, sizeof *p->jac);
    p->lsjac = calloc(nm * p->n_est + 1, sizeof *p->lsjac);
    return p->grad && p->prior_grad && p->jac && p->lsjac ? 0 : ilnet_error_oom();
}

int ilnet_petab_problem_load(ilnet_petab_problem **out, const char *yaml_path,
                             const ilnet_petab_options *opts)
{
    *out = NULL;
    ilnet_petab_options o;
    int rc = options(&o, opts);
    if (rc) return rc;
    ilnet_petab_problem *p = calloc(1, sizeof *p);
    if (!p) return ilnet_error_oom();
    p->atol = o.atol;
    p->rtol = o.rtol;
    rc = first_copy(p, yaml_path, o.threads);
    for (int t = 1; t < p->n_threads && !rc; t++)
        rc = ilnet_petab_read(&p->ps[t], yaml_path);
    if (rc) {
        ilnet_petab_problem_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

size_t ilnet_petab_problem_parameter_count(const ilnet_petab_problem *p)
{
    return p->n_est;
}

static const petab_parameter *estimated(const ilnet_petab_problem *p, size_t i)
{
    return i < p->n_est ? &p->ps[0]->par[p->est[i]] : NULL;
}

const char *ilnet_petab_problem_parameter_id(const ilnet_petab_problem *p, size_t i)
{
    const petab_parameter *q = estimated(p, i);
    return q ? q->id : NULL;
}

ilnet_petab_scale ilnet_petab_problem_parameter_scale(const ilnet_petab_problem *p, size_t i)
{
    const petab_parameter *q = estimated(p, i);
    return !q || q->scale == PETAB_LIN ? ILNET_PETAB_SCALE_LIN
           : q->scale == PETAB_LOG     ? ILNET_PETAB_SCALE_LOG
                                       : ILNET_PETAB_SCALE_LOG10;
}

int ilnet_petab_problem_parameter_bounds(double *lower, double *upper, double *nominal,
                                         const ilnet_petab_problem *p, size_t i)
{
    const petab_parameter *q = estimated(p, i);
    if (!q)
        return ilnet_error_set(ILNET_EINPUT, "estimated parameter %zu: only %zu are estimated", i,
                               p->n_est);
    if (lower) *lower = petab_to_scale(q->scale, q->lower);
    if (upper) *upper = petab_to_scale(q->scale, q->upper);
    if (nominal) *nominal = petab_to_scale(q->scale, q->nominal);
    return 0;
}

int ilnet_petab_problem_parameter_find(const ilnet_petab_problem *p, const char *id)
{
    for (size_t i = 0; id && i < p->n_est; i++)
        if (!strcmp(estimated(p, i)->id, id)) return (int)i;
    return -1;
}

size_t ilnet_petab_problem_measurement_count(const ilnet_petab_problem *p)
{
    return p->ps[0]->n_meas;
}

int ilnet_petab_problem_measurement(const char **observable, const char **preequilibration,
                                    const char **simulation, double *time, double *value,
                                    const ilnet_petab_problem *p, size_t i)
{
    const ilnet_petab *q = p->ps[0];
    if (i >= q->n_meas)
        return ilnet_error_set(ILNET_EINPUT, "measurement %zu: the problem has %zu", i, q->n_meas);
    const petab_measurement *m = &q->meas[i];
    if (observable) *observable = q->obs[m->obs].id;
    if (preequilibration) *preequilibration = m->preeq >= 0 ? q->cond_id[m->preeq] : "";
    if (simulation) *simulation = q->cond_id[m->sim];
    if (time) *time = m->time;
    if (value) *value = m->value;
    return 0;
}

int ilnet_petab_problem_parameter_inner(const ilnet_petab_problem *p, size_t i)
{
    const petab_parameter *q = estimated(p, i);
    return q ? q->inner : 0;
}

int ilnet_petab_problem_set_hierarchical(ilnet_petab_problem *p, int on)
{
    if (on && !p->ps[0]->n_inner) return petab_inner_none(p->ps[0]);
    p->hierarchical = on != 0;
    return 0;
}

void ilnet_petab_problem_inner_values(const ilnet_petab_problem *p, double *theta)
{
    const ilnet_petab *q = p->ps[0];
    for (size_t j = 0; p->hierarchical && j < p->n_est; j++) {
        const petab_parameter *par = &q->par[p->est[j]];
        if (par->inner) theta[j] = petab_to_scale(par->scale, p->x[p->est[j]]);
    }
}

/* theta (on scales) onto the linear values of every row */
static int set_theta(ilnet_petab_problem *p, const double *theta)
{
    const ilnet_petab *q = p->ps[0];
    for (size_t i = 0; i < q->n_par; i++)
        p->x[i] = q->par[i].nominal;
    for (size_t j = 0; theta && j < p->n_est; j++) {
        const petab_parameter *par = &q->par[p->est[j]];
        double t = theta[j];
        double x = petab_from_scale(par->scale, t);
        if (!isfinite(t) || !isfinite(x))
            return ilnet_error_set(ILNET_EINPUT, "theta[%zu] (%s): %g is not a finite value", j,
                                   par->id, t);
        p->x[p->est[j]] = x;
    }
    return 0;
}

/* the evaluator's per-row arrays compacted to the estimated parameters */
static void compact(ilnet_petab_problem *p)
{
    const ilnet_petab_result *r = &p->r;
    size_t np = p->ps[0]->n_par, nm = p->ps[0]->n_meas;
    for (size_t j = 0; r->grad && j < p->n_est; j++) {
        p->grad[j] = r->grad[p->est[j]];
        p->prior_grad[j] = r->prior_grad[p->est[j]];
    }
    for (size_t i = 0; r->res_jac && i < nm; i++)
        for (size_t j = 0; j < p->n_est; j++) {
            p->jac[i * p->n_est + j] = r->res_jac[i * np + p->est[j]];
            p->lsjac[i * p->n_est + j] = r->logsig_jac[i * np + p->est[j]];
        }
}

int ilnet_petab_problem_set_adjoint(ilnet_petab_problem *p, int on)
{
    p->adjoint = on != 0;
    return 0;
}

int ilnet_petab_problem_evaluate(ilnet_petab_evaluation *out, ilnet_petab_problem *p,
                                 const double *theta, unsigned int want)
{
    memset(out, 0, sizeof *out);
    ilnet_petab_result_free(&p->r);
    int rc = set_theta(p, theta), what = 0;
    if (rc) return rc;
    if (want & ILNET_PETAB_WANT_GRADIENT) what |= ILNET_PETAB_GRADIENT;
    if (want & ILNET_PETAB_WANT_RESIDUALS) what |= ILNET_PETAB_RESIDUALS;
    if (p->adjoint) what |= ILNET_PETAB_ADJOINT;
    rc = p->hierarchical
             ? ilnet_petab_evaluate_inner(&p->r, p->ps, p->n_threads, p->x, p->atol, p->rtol, what)
             : ilnet_petab_evaluate_parallel(&p->r, p->ps, p->n_threads, p->x, p->atol, p->rtol,
                                             what);
    if (rc && rc != ILNET_ESOLVER) return rc;
    const ilnet_petab_result *r = &p->r;
    int ok = !rc;
    if (ok) compact(p);
    *out = (ilnet_petab_evaluation){
        .llh = r->llh,
        .chi2 = ok ? r->chi2 : INFINITY,
        .log_prior = r->log_prior,
        .gradient = ok && r->grad ? p->grad : NULL,
        .prior_gradient = ok && r->grad ? p->prior_grad : NULL,
        .residuals = ok ? r->residual : NULL,
        .jacobian = ok && r->res_jac ? p->jac : NULL,
        .log_sigma_jacobian = ok && r->res_jac ? p->lsjac : NULL,
        .simulations = r->sim,
        .sigmas = r->sigma,
        .status = r->status,
        .message = r->status ? r->message : "",
    };
    return rc;
}

/* Local optimisations of a PEtab objective on theta (the estimated parameters on their
 * scales), within the bounds.
 *
 * ls-trust: GSL's trust-region least squares (Levenberg-Marquardt, More scaling, QR) on
 * the residuals r_i = (h(m_i) - h(y_i)) / sigma_i and, for the noise, r'_i =
 * sqrt(2 log sigma_i + C): 1/2 sum (r^2 + r'^2) = -llh + const, so estimated sigmas are fitted
 * too (C keeps the root real for sigma > e^-C/2). GSL has no bounds; theta = lb + (ub - lb)
 * (1 + sin z) / 2 maps every z into them (the transformation MINUIT uses), so steps are
 * never clipped, and the Jacobian gains d theta / d z.
 *
 * lbfgs: NLopt's bounded L-BFGS on -(llh + log_prior) with its gradient.
 *
 * A simulation that fails at a trial point makes that point infeasible (residuals 1e100,
 * objective +inf): the step is rejected, not the start. */
#include "../common/clock.h"
#include "../common/error.h"
#include "fit.h"
#include <ilnet/petab.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <nlopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIGMA_C 50.0 /* the constant under the noise residuals' root */

typedef struct {
    ilnet_petab_problem *p;
    const ilnet_fit *f;
    ilnet_fit_start *s;
    size_t n_par, n_meas;
    double *theta; /* scratch */
    double best_obj, best_llh, best_prior;
    int rc; /* an error that is not the point's (out of memory, bad input) */
    nlopt_opt opt;
    const volatile sig_atomic_t *cancel;
} ctx;

/* an evaluation at theta; keeps the best point seen. Returns 0, 1 when the point is
 * infeasible (simulation failed), or a negative code in c->rc. */
static int eval(ctx *c, const double *theta, unsigned want, ilnet_petab_evaluation *e)
{
    if (c->cancel && *c->cancel) {
        c->rc = ilnet_error_set(ILNET_ECANCELLED, "fit cancelled");
        return 1;
    }
    int rc = ilnet_petab_problem_evaluate(e, c->p, theta, want);
    if (want & ILNET_PETAB_WANT_GRADIENT)
        c->s->gradients++;
    else
        c->s->evaluations++;
    if (rc == ILNET_ESOLVER) return 1;
    if (rc) {
        c->rc = rc;
        return 1;
    }
    double obj = -(e->llh + e->log_prior);
    if (!isfinite(obj)) return 1;
    if (obj < c->best_obj) {
        c->best_obj = obj;
        c->best_llh = e->llh;
        c->best_prior = e->log_prior;
        memcpy(c->s->theta, theta, c->n_par * sizeof *theta);
        ilnet_petab_problem_inner_values(c->p, c->s->theta); /* closed-form ones, if any */
    }
    return 0;
}

/* ---- ls-trust ---- */

static void to_theta(const ctx *c, const gsl_vector *z, double *theta)
{
    for (size_t j = 0; j < c->n_par; j++) {
        double lo = c->f->lower[j], hi = c->f->upper[j];
        theta[j] = lo + (hi - lo) * 0.5 * (1 + sin(gsl_vector_get(z, j)));
    }
}

static int ls_f(const gsl_vector *z, void *arg, gsl_vector *r)
{
    ctx *c = arg;
    ilnet_petab_evaluation e;
    to_theta(c, z, c->theta);
    int bad = eval(c, c->theta, ILNET_PETAB_WANT_RESIDUALS, &e);
    for (size_t i = 0; i < c->n_meas; i++) {
        double a = 2 * log(bad ? 1 : e.sigmas[i]) + SIGMA_C;
        gsl_vector_set(r, i, bad ? 1e100 : e.residuals[i]);
        gsl_vector_set(r, c->n_meas + i, bad || !(a > 0) ? 1e100 : sqrt(a));
    }
    return c->rc ? GSL_EFAILED : GSL_SUCCESS;
}

static int ls_df(const gsl_vector *z, void *arg, gsl_matrix *J)
{
    ctx *c = arg;
    ilnet_petab_evaluation e;
    to_theta(c, z, c->theta);
    int bad = eval(c, c->theta, ILNET_PETAB_WANT_RESIDUALS | ILNET_PETAB_WANT_GRADIENT, &e);
    size_t n = c->n_par;
    for (size_t j = 0; j < n; j++) {
        double dz = 0.5 * (c->f->upper[j] - c->f->lower[j]) * cos(gsl_vector_get(z, j));
        for (size_t i = 0; i < c->n_meas; i++) {
            double rs = sqrt(fmax(2 * log(bad ? 1 : e.sigmas[i]) + SIGMA_C, 1e-300));
            gsl_matrix_set(J, i, j, bad ? 0 : e.jacobian[i * n + j] * dz);
            gsl_matrix_set(J, c->n_meas + i, j,
                           bad ? 0 : e.log_sigma_jacobian[i * n + j] / rs * dz);
        }
    }
    return c->rc ? GSL_EFAILED : GSL_SUCCESS;
}

static int run_ls(ctx *c, const ilnet_fit_options *o)
{
    size_t n = c->n_par, m = 2 * c->n_meas;
    gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, m, n);
    gsl_vector *z = gsl_vector_alloc(n);
    if (!w || !z) {
        if (w) gsl_multifit_nlinear_free(w);
        if (z) gsl_vector_free(z);
        return ilnet_error_oom();
    }
    for (size_t j = 0; j < n; j++) {
        double lo = c->f->lower[j], hi = c->f->upper[j];
        double u = 2 * (c->s->theta0[j] - lo) / (hi - lo) - 1;
        gsl_vector_set(z, j, asin(u < -1 ? -1 : u > 1 ? 1 : u));
    }
    gsl_multifit_nlinear_fdf fdf = {ls_f, ls_df, NULL, m, n, c, 0, 0, 0};
    int info = 0, st = gsl_multifit_nlinear_init(z, &fdf, w);
    if (st == GSL_SUCCESS)
        st = gsl_multifit_nlinear_driver((size_t)o->max_iter, o->xtol, o->gtol, o->ftol, NULL, NULL,
                                         &info, w);
    c->s->iterations = (long)gsl_multifit_nlinear_niter(w);
    ilnet_fit_start *s = c->s;
    if (c->rc) {
        s->status = ILNET_FIT_FAILED;
    } else if (st == GSL_SUCCESS) {
        s->status = ILNET_FIT_CONVERGED;
        snprintf(s->reason, sizeof s->reason, "%s", info == 1 ? "xtol reached" : "gtol reached");
    } else if (st == GSL_EMAXITER) {
        s->status = ILNET_FIT_MAXITER;
        snprintf(s->reason, sizeof s->reason, "iteration limit (%ld)", o->max_iter);
    } else if (st == GSL_ENOPROG) {
        s->status = ILNET_FIT_STALLED;
        snprintf(s->reason, sizeof s->reason, "no further progress");
    } else {
        s->status = ILNET_FIT_FAILED;
        snprintf(s->reason, sizeof s->reason, "%s", gsl_strerror(st));
    }
    gsl_multifit_nlinear_free(w);
    gsl_vector_free(z);
    return c->rc;
}

/* ---- lbfgs ---- */

static double nl_obj(unsigned n, const double *theta, double *grad, void *arg)
{
    ctx *c = arg;
    ilnet_petab_evaluation e;
    int bad = eval(c, theta, grad ? ILNET_PETAB_WANT_GRADIENT : 0, &e);
    for (unsigned j = 0; grad && j < n; j++)
        grad[j] = bad ? 0 : -(e.gradient[j] + e.prior_gradient[j]);
    if (c->rc) nlopt_force_stop(c->opt);
    return bad ? HUGE_VAL : -(e.llh + e.log_prior);
}

static int run_lbfgs(ctx *c, const ilnet_fit_options *o)
{
    unsigned n = (unsigned)c->n_par;
    nlopt_opt opt = c->opt = nlopt_create(NLOPT_LD_LBFGS, n);
    if (!opt) return ilnet_error_oom();
    double *x = malloc(n * sizeof *x), minf = 0;
    if (!x) {
        nlopt_destroy(opt);
        return ilnet_error_oom();
    }
    memcpy(x, c->s->theta0, n * sizeof *x);
    nlopt_set_lower_bounds(opt, c->f->lower);
    nlopt_set_upper_bounds(opt, c->f->upper);
    nlopt_set_min_objective(opt, nl_obj, c);
    nlopt_set_ftol_rel(opt, o->ftol);
    nlopt_set_xtol_rel(opt, o->xtol);
    nlopt_set_maxeval(opt, (int)o->max_iter);
    nlopt_result res = nlopt_optimize(opt, x, &minf);
    ilnet_fit_start *s = c->s;
    s->iterations = s->gradients;
    if (c->rc)
        s->status = ILNET_FIT_FAILED;
    else if (res == NLOPT_MAXEVAL_REACHED)
        s->status = ILNET_FIT_MAXITER;
    else if (res == NLOPT_ROUNDOFF_LIMITED || res == NLOPT_FAILURE)
        s->status = ILNET_FIT_STALLED; /* L-BFGS's line search gave up: no further progress */
    else
        s->status = res > 0 ? ILNET_FIT_CONVERGED : ILNET_FIT_FAILED;
    snprintf(s->reason, sizeof s->reason, "%s", nlopt_result_to_string(res));
    free(x);
    nlopt_destroy(opt);
    return c->rc;
}

int ilnet_fit_local(ilnet_fit_start *s, ilnet_petab_problem *p, const ilnet_fit *f,
                    const ilnet_fit_options *o)
{
    double t0 = ilnet_clock_now();
    ctx c = {.p = p, .f = f, .s = s, .n_par = f->n_par, .cancel = o->cancel};
    c.n_meas = ilnet_petab_problem_measurement_count(p);
    c.best_obj = INFINITY;
    c.best_llh = -INFINITY;
    s->iterations = s->evaluations = s->gradients = 0;
    s->method = f->method;
    s->reason[0] = 0;
    memcpy(s->theta, s->theta0, f->n_par * sizeof *s->theta);
    c.theta = malloc((f->n_par + 1) * sizeof *c.theta);
    if (!c.theta) return ilnet_error_oom();
    int rc = f->method == ILNET_FIT_LBFGS ? run_lbfgs(&c, o) : run_ls(&c, o);
    free(c.theta);
    s->llh = c.best_llh;
    s->log_prior = c.best_prior;
    s->objective = c.best_obj;
    if (!isfinite(c.best_obj)) {
        s->status = ILNET_FIT_FAILED;
        snprintf(s->reason, sizeof s->reason, "no finite objective reached from the start");
    }
    s->seconds = ilnet_clock_now() - t0;
    if (rc) s->status = ILNET_FIT_PENDING; /* abandoned (cancelled, out of memory): not run */
    return rc;
}

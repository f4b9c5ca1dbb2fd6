#include "hill.h"

#include "../common/error.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* theta = (bottom, top, log10 EC50, n); the fit moves the free entries (idx[0..p-1]) and
 * holds the others at their value in th. */
struct data {
    const double *log10_dose, *resp;
    size_t n;
    double th[4];
    int idx[4];
    size_t p;
};

static void full_theta(const struct data *d, const gsl_vector *x, double th[4])
{
    memcpy(th, d->th, sizeof d->th);
    for (size_t k = 0; k < d->p; k++)
        th[d->idx[k]] = gsl_vector_get(x, k);
}

/* u = n (log10 x - log10 EC50), f = 1/(1+10^-u) */
static double logistic(const double th[4], double log10_dose)
{
    return 1.0 / (1.0 + pow(10.0, -th[3] * (log10_dose - th[2])));
}

static int residual(const gsl_vector *x, void *p, gsl_vector *r)
{
    const struct data *d = p;
    double th[4];
    full_theta(d, x, th);
    for (size_t i = 0; i < d->n; i++)
        gsl_vector_set(r, i, th[0] + (th[1] - th[0]) * logistic(th, d->log10_dose[i]) - d->resp[i]);
    return GSL_SUCCESS;
}

static int jacobian(const gsl_vector *x, void *p, gsl_matrix *J)
{
    const struct data *d = p;
    double th[4];
    full_theta(d, x, th);
    for (size_t i = 0; i < d->n; i++) {
        double dx = d->log10_dose[i] - th[2];
        double f = logistic(th, d->log10_dose[i]);
        double df_du = M_LN10 * f * (1 - f); /* d f / d u */
        double col[4] = {1 - f, f, (th[1] - th[0]) * df_du * -th[3], (th[1] - th[0]) * df_du * dx};
        for (size_t k = 0; k < d->p; k++)
            gsl_matrix_set(J, i, k, col[d->idx[k]]);
    }
    return GSL_SUCCESS;
}

double ilnet_hill_eval(const ilnet_hill_fit *fit, double x)
{
    if (x <= 0) return fit->bottom;
    double f = 1.0 / (1.0 + pow(fit->ec50 / x, fit->hill));
    return fit->bottom + (fit->top - fit->bottom) * f;
}

/* Starting point: extremes of the data, EC50 where the response crosses half way
 * (log-interpolated), Hill coefficient 1. */
static void initial_guess(const double *ld, const double *y, size_t n, double th[4])
{
    size_t lo = 0, hi = 0;
    for (size_t i = 1; i < n; i++) {
        if (ld[i] < ld[lo]) lo = i;
        if (ld[i] > ld[hi]) hi = i;
    }
    double ymin = y[0], ymax = y[0];
    for (size_t i = 1; i < n; i++)
        ymin = fmin(ymin, y[i]), ymax = fmax(ymax, y[i]);
    int rising = y[hi] >= y[lo];
    th[0] = rising ? ymin : ymax;
    th[1] = rising ? ymax : ymin;
    double half = 0.5 * (ymin + ymax), best = INFINITY;
    th[2] = 0.5 * (ld[lo] + ld[hi]);
    for (size_t i = 0; i < n; i++)
        if (fabs(y[i] - half) < best) best = fabs(y[i] - half), th[2] = ld[i];
    th[3] = 1.0;
}

/* Least squares over the free entries of d->th (d->idx/d->p set); on success d->th holds
 * the solution and se[] the standard errors (NaN for fixed entries or without degrees of
 * freedom). Running out of iterations is not an error here (*maxed is set): the curve
 * may be flat, where EC50 and n wander without bound, and that is for the caller to judge. */
static int fit_free(struct data *d, const ilnet_hill_options *o, double se[4], double *rss,
                    size_t *niter, int *maxed)
{
    size_t p = d->p, n = d->n;
    double x0[4];
    for (size_t k = 0; k < p; k++)
        x0[k] = d->th[d->idx[k]];
    gsl_vector_view xv = gsl_vector_view_array(x0, p);
    gsl_multifit_nlinear_fdf fdf = {residual, jacobian, NULL, n, p, d, 0, 0, 0};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, p);
    gsl_matrix *cov = gsl_matrix_alloc(p, p);
    if (!w || !cov) {
        if (w) gsl_multifit_nlinear_free(w);
        if (cov) gsl_matrix_free(cov);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory in the Hill fit");
    }
    int info, rc = 0, st = gsl_multifit_nlinear_init(&xv.vector, &fdf, w);
    if (st == GSL_SUCCESS)
        st = gsl_multifit_nlinear_driver(o->max_iter, o->xtol, o->gtol, o->ftol, NULL, NULL, &info,
                                         w);
    double th[4];
    full_theta(d, gsl_multifit_nlinear_position(w), th);
    if (st == GSL_EMAXITER) *maxed = 1, st = GSL_SUCCESS;
    if (st != GSL_SUCCESS || !isfinite(th[2]) || !isfinite(th[3])) {
        rc = ilnet_error_set(ILNET_ESOLVER, "Hill fit did not converge: %s",
                             st != GSL_SUCCESS ? gsl_strerror(st) : "EC50 or n not finite");
        goto out;
    }
    memcpy(d->th, th, sizeof th);
    *niter += gsl_multifit_nlinear_niter(w);
    const gsl_vector *r = gsl_multifit_nlinear_residual(w);
    gsl_blas_ddot(r, r, rss);
    for (int k = 0; k < 4; k++)
        se[k] = NAN;
    if (n > p && gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, cov) == 0)
        for (size_t k = 0; k < p; k++)
            se[d->idx[k]] = sqrt(*rss / (double)(n - p) * gsl_matrix_get(cov, k, k));
out:
    gsl_multifit_nlinear_free(w);
    gsl_matrix_free(cov);
    return rc;
}

/* A negative n is the same curve with the plateaus (and their fixed flags) swapped. */
static void normalise(double th[4], double se[4], unsigned *fixed)
{
    if (th[3] >= 0) return;
    double t = th[0];
    th[0] = th[1], th[1] = t, th[3] = -th[3];
    t = se[0], se[0] = se[1], se[1] = t;
    unsigned f = *fixed;
    *fixed = ((f & ILNET_HILL_FIXED_BOTTOM) ? ILNET_HILL_FIXED_TOP : 0) |
             ((f & ILNET_HILL_FIXED_TOP) ? ILNET_HILL_FIXED_BOTTOM : 0);
}

/* Fits, then holds a plateau outside [lo, hi] at the bound it crossed and refits the rest
 * (at most once per plateau). */
static int fit_bounded(struct data *d, const ilnet_hill_options *o, double lo, double hi,
                       ilnet_hill_fit *out, int *maxed)
{
    double se[4];
    unsigned fixed = 0;
    size_t niter = 0;
    for (int pass = 0; pass < 3; pass++) {
        d->p = 0;
        for (int k = 0; k < 4; k++)
            if (k >= 2 || !(fixed & (k ? ILNET_HILL_FIXED_TOP : ILNET_HILL_FIXED_BOTTOM)))
                d->idx[d->p++] = k;
        *maxed = 0; /* only the last pass's fit counts */
        int rc = fit_free(d, o, se, &out->rss, &niter, maxed);
        if (rc) return rc;
        normalise(d->th, se, &fixed);
        unsigned add = 0;
        for (int k = 0; k < 2; k++) {
            unsigned flag = k ? ILNET_HILL_FIXED_TOP : ILNET_HILL_FIXED_BOTTOM;
            if (fixed & flag || (d->th[k] >= lo && d->th[k] <= hi)) continue;
            d->th[k] = d->th[k] < lo ? lo : hi;
            add |= flag;
        }
        if (!add) break;
        fixed |= add;
    }
    out->bottom = d->th[0], out->top = d->th[1];
    out->ec50 = pow(10.0, d->th[2]), out->hill = d->th[3];
    out->se_bottom = se[0], out->se_top = se[1], out->se_log10_ec50 = se[2], out->se_hill = se[3];
    out->se_ec50 = out->ec50 * M_LN10 * se[2];
    out->fixed = fixed;
    out->n_iter = niter;
    return 0;
}

static int check_points(const double *dose, const double *resp, size_t n)
{
    if (n < 4) return ilnet_error_set(ILNET_EINPUT, "Hill fit needs at least 4 doses, got %zu", n);
    for (size_t i = 0; i < n; i++) {
        if (!(dose[i] > 0) || !isfinite(dose[i]))
            return ilnet_error_set(ILNET_EINPUT, "Hill fit: dose %zu is %g (must be > 0)", i + 1,
                                   dose[i]);
        if (!isfinite(resp[i]))
            return ilnet_error_set(ILNET_EINPUT, "Hill fit: response %zu (dose %g) is %g", i + 1,
                                   dose[i], resp[i]);
    }
    return 0;
}

/* A response that does not vary (to rounding) has no EC50. */
static int constant_response(ilnet_hill_fit *out, const double *resp, size_t n, double ymin,
                             double ymax)
{
    if (ymax - ymin > 1e-12 * fmax(fabs(ymin), fabs(ymax))) return 0;
    double mean = 0;
    for (size_t i = 0; i < n; i++)
        mean += resp[i] / (double)n;
    out->bottom = out->top = mean;
    out->ec50 = out->hill = out->half_max_dose = NAN;
    out->se_bottom = out->se_top = out->se_ec50 = out->se_hill = out->se_log10_ec50 = NAN;
    out->rss = 0, out->r2 = 0;
    out->quality = ILNET_HILL_FLAT;
    return 1;
}

int ilnet_hill_fit_run(ilnet_hill_fit *out, const double *dose, const double *resp, size_t n,
                       const ilnet_hill_options *opts)
{
    memset(out, 0, sizeof *out);
    ilnet_hill_options o = ILNET_HILL_OPTIONS_INIT;
    if (opts) o = *opts;
    int rc = check_points(dose, resp, n);
    if (rc) return rc;
    double ymin = resp[0], ymax = resp[0];
    for (size_t i = 1; i < n; i++)
        ymin = fmin(ymin, resp[i]), ymax = fmax(ymax, resp[i]);
    if (constant_response(out, resp, n, ymin, ymax)) return 0;
    gsl_set_error_handler_off();
    double *ld = malloc(n * sizeof *ld);
    if (!ld) return ilnet_error_set(ILNET_ENOMEM, "out of memory in the Hill fit");
    for (size_t i = 0; i < n; i++)
        ld[i] = log10(dose[i]);
    struct data d = {.log10_dose = ld, .resp = resp, .n = n};
    initial_guess(ld, resp, n, d.th);
    double range = ymax - ymin, lo = ymin - range, hi = ymax + range;
    if (ymin >= 0 && lo < 0) lo = 0;
    int maxed = 0;
    rc = fit_bounded(&d, &o, lo, hi, out, &maxed);
    free(ld);
    if (rc) return rc;
    double mean = 0, tss = 0;
    for (size_t i = 0; i < n; i++)
        mean += resp[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        tss += (resp[i] - mean) * (resp[i] - mean);
    out->r2 = tss > 0 ? 1 - out->rss / tss : 1;
    if ((rc = ilnet_hill_assess(out, dose, resp, n, &o))) return rc;
    /* out of iterations: the curve is kept and says it is not to be trusted */
    if (maxed && out->quality != ILNET_HILL_FLAT && out->quality != ILNET_HILL_BIPHASIC)
        out->quality = ILNET_HILL_POOR_FIT;
    return 0;
}

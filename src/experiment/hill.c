#include "hill.h"

#include "../common/error.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct data {
    const double *log10_dose, *resp;
    size_t n;
};

/* theta = (bottom, top, log10 EC50, n); u = n (log10 x - log10 EC50), f = 1/(1+10^-u) */
static double logistic(const gsl_vector *th, double log10_dose)
{
    return 1.0 / (1.0 + pow(10.0, -gsl_vector_get(th, 3) * (log10_dose - gsl_vector_get(th, 2))));
}

static int residual(const gsl_vector *th, void *p, gsl_vector *r)
{
    const struct data *d = p;
    double b = gsl_vector_get(th, 0), t = gsl_vector_get(th, 1);
    for (size_t i = 0; i < d->n; i++)
        gsl_vector_set(r, i, b + (t - b) * logistic(th, d->log10_dose[i]) - d->resp[i]);
    return GSL_SUCCESS;
}

static int jacobian(const gsl_vector *th, void *p, gsl_matrix *J)
{
    const struct data *d = p;
    double b = gsl_vector_get(th, 0), t = gsl_vector_get(th, 1);
    double le = gsl_vector_get(th, 2), h = gsl_vector_get(th, 3);
    for (size_t i = 0; i < d->n; i++) {
        double dx = d->log10_dose[i] - le;
        double f = logistic(th, d->log10_dose[i]);
        double df_du = M_LN10 * f * (1 - f); /* d f / d u */
        gsl_matrix_set(J, i, 0, 1 - f);
        gsl_matrix_set(J, i, 1, f);
        gsl_matrix_set(J, i, 2, (t - b) * df_du * -h);
        gsl_matrix_set(J, i, 3, (t - b) * df_du * dx);
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

int ilnet_hill_fit_run(ilnet_hill_fit *out, const double *dose, const double *resp, size_t n,
                       const ilnet_hill_options *opts)
{
    memset(out, 0, sizeof *out);
    ilnet_hill_options o = ILNET_HILL_OPTIONS_INIT;
    if (opts) o = *opts;
    if (n < 4) return ilnet_error_set(ILNET_EINPUT, "Hill fit needs at least 4 doses, got %zu", n);
    for (size_t i = 0; i < n; i++) {
        if (!(dose[i] > 0) || !isfinite(dose[i]))
            return ilnet_error_set(ILNET_EINPUT, "Hill fit: dose %zu is %g (must be > 0)", i + 1,
                                   dose[i]);
        if (!isfinite(resp[i]))
            return ilnet_error_set(ILNET_EINPUT, "Hill fit: response %zu (dose %g) is %g", i + 1,
                                   dose[i], resp[i]);
    }
    gsl_set_error_handler_off();
    double *ld = malloc(n * sizeof *ld);
    if (!ld) return ilnet_error_set(ILNET_ENOMEM, "out of memory in the Hill fit");
    for (size_t i = 0; i < n; i++)
        ld[i] = log10(dose[i]);
    struct data d = {ld, resp, n};
    double th0[4];
    initial_guess(ld, resp, n, th0);
    gsl_vector_view x0 = gsl_vector_view_array(th0, 4);
    gsl_multifit_nlinear_fdf fdf = {residual, jacobian, NULL, n, 4, &d, 0, 0, 0};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, n, 4);
    gsl_matrix *cov = gsl_matrix_alloc(4, 4);
    if (!w || !cov) {
        if (w) gsl_multifit_nlinear_free(w);
        if (cov) gsl_matrix_free(cov);
        free(ld);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory in the Hill fit");
    }
    int rc = 0, info;
    int st = gsl_multifit_nlinear_init(&x0.vector, &fdf, w);
    if (st == GSL_SUCCESS)
        st = gsl_multifit_nlinear_driver(o.max_iter, o.xtol, o.gtol, o.ftol, NULL, NULL, &info, w);
    const gsl_vector *th = gsl_multifit_nlinear_position(w);
    if (st != GSL_SUCCESS || !isfinite(gsl_vector_get(th, 2))) {
        rc = ilnet_error_set(ILNET_ESOLVER, "Hill fit did not converge: %s", gsl_strerror(st));
        goto out;
    }
    double b = gsl_vector_get(th, 0), t = gsl_vector_get(th, 1);
    double le = gsl_vector_get(th, 2), h = gsl_vector_get(th, 3);
    if (h < 0) { /* same curve with the plateaus swapped */
        double tmp = b;
        b = t, t = tmp, h = -h;
    }
    out->bottom = b, out->top = t, out->ec50 = pow(10.0, le), out->hill = h;
    out->n_iter = gsl_multifit_nlinear_niter(w);
    double rss;
    gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), &rss);
    double mean = 0, tss = 0;
    for (size_t i = 0; i < n; i++)
        mean += resp[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        tss += (resp[i] - mean) * (resp[i] - mean);
    out->rss = rss;
    out->r2 = tss > 0 ? 1 - rss / tss : 1;
    out->se_bottom = out->se_top = out->se_ec50 = out->se_hill = out->se_log10_ec50 = NAN;
    if (n > 4 && gsl_multifit_nlinear_covar(gsl_multifit_nlinear_jac(w), 0.0, cov) == 0) {
        double s2 = rss / (double)(n - 4);
        double se[4];
        for (int k = 0; k < 4; k++)
            se[k] = sqrt(s2 * gsl_matrix_get(cov, k, k));
        int swapped = gsl_vector_get(th, 3) < 0;
        out->se_bottom = se[swapped ? 1 : 0];
        out->se_top = se[swapped ? 0 : 1];
        out->se_log10_ec50 = se[2];
        out->se_ec50 = out->ec50 * M_LN10 * se[2];
        out->se_hill = se[3];
    }
out:
    gsl_multifit_nlinear_free(w);
    gsl_matrix_free(cov);
    free(ld);
    return rc;
}

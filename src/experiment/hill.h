/* Four-parameter Hill (log-logistic) fit of a dose-response series:
 *   y = bottom + (top - bottom) * x^n / (EC50^n + x^n),  x > 0, n > 0
 * (a falling response has top < bottom). Nonlinear least squares with GSL's
 * trust-region Levenberg-Marquardt, fitted in log10(EC50) so EC50 stays positive. */
#ifndef ILNET_HILL_H
#define ILNET_HILL_H

#include <stddef.h>

typedef struct {
    double bottom, top, ec50, hill;
    /* standard errors from s^2 (J^T J)^-1; NaN when there are no residual degrees of
     * freedom. se_ec50 comes from se_log10_ec50 by the delta method. */
    double se_bottom, se_top, se_ec50, se_hill, se_log10_ec50;
    double rss, r2;
    size_t n_iter;
} ilnet_hill_fit;

typedef struct {
    size_t max_iter;
    double xtol, gtol, ftol;
} ilnet_hill_options;

#define ILNET_HILL_OPTIONS_INIT                                                                    \
    {                                                                                              \
        500, 1e-10, 1e-10, 0.0                                                                     \
    }

/* Fits n points (dose[i] > 0, finite responses, n >= 4). Returns 0, ILNET_EINPUT for bad
 * data (the message names the point), or ILNET_ESOLVER when the fit does not converge. */
int ilnet_hill_fit_run(ilnet_hill_fit *out, const double *dose, const double *resp, size_t n,
                       const ilnet_hill_options *opts);
/* The fitted curve at dose x. */
double ilnet_hill_eval(const ilnet_hill_fit *fit, double x);

#endif

/* Four-parameter Hill (log-logistic) fit of a dose-response series:
 *   y = bottom + (top - bottom) * x^n / (EC50^n + x^n),  x > 0, n > 0
 * (a falling response has top < bottom). Nonlinear least squares with GSL's
 * trust-region Levenberg-Marquardt, fitted in log10(EC50) so EC50 stays positive.
 *
 * The plateaus are bounded: both lie within the data's range widened by the range on
 * each side, and never below 0 when no response is negative (a non-negative readout
 * cannot have a negative plateau). A plateau that leaves its bounds is fixed at the bound
 * and the others refitted (an active set; its standard error is then NaN).
 *
 * Every fit gets a quality that says whether its EC50 can be trusted (hill_quality.c). */
#ifndef ILNET_HILL_H
#define ILNET_HILL_H

#include <stddef.h>

typedef enum {
    ILNET_HILL_OK = 0,
    /* the response is constant, or the Hill curve explains it no better than a constant
     * (F-test of the extra sum of squares, p > 0.05): its range is within the noise */
    ILNET_HILL_FLAT,
    /* two separated phases: the response reverses (rises then falls by more than a quarter
     * of its range, or the reverse, and a rise-and-fall curve fits significantly better than
     * the Hill curve), or a two-step curve with steps >= 10-fold apart fits significantly
     * better than one step (F-test p < 0.01) */
    ILNET_HILL_BIPHASIC,
    /* the fitted EC50 lies below the lowest or above the highest dose: an extrapolation */
    ILNET_HILL_EC50_OUTSIDE_DOSES,
    /* r^2 < 0.9, the standard error of EC50 exceeds EC50 (or is unknown although the fit has
     * residual degrees of freedom), or the fit ran out of iterations */
    ILNET_HILL_POOR_FIT,
} ilnet_hill_quality;

/* "ok", "flat", "biphasic", "ec50_outside_doses", "poor_fit" */
const char *ilnet_hill_quality_name(ilnet_hill_quality q);

enum { ILNET_HILL_FIXED_BOTTOM = 1, ILNET_HILL_FIXED_TOP = 2 };

typedef struct {
    double bottom, top, ec50, hill;
    /* standard errors from s^2 (J^T J)^-1; NaN when there are no residual degrees of
     * freedom or the parameter is fixed at a bound. se_ec50 comes from se_log10_ec50 by the
     * delta method. */
    double se_bottom, se_top, se_ec50, se_hill, se_log10_ec50;
    double rss, r2;
    /* the dose where the data (mean per dose, in order of dose) first cross half-way
     * between their lowest and highest value in the direction of the fitted curve,
     * interpolated linearly in log10 dose; NaN when they never cross */
    double half_max_dose;
    unsigned fixed; /* ILNET_HILL_FIXED_*: plateaus held at a bound */
    ilnet_hill_quality quality;
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

/* Fits n points (dose[i] > 0, finite responses, n >= 4) and assesses the fit. A constant
 * response is not an error: it gets quality flat, bottom = top = the response and NaN EC50
 * and Hill coefficient; a fit out of iterations is kept with quality poor_fit (unless flat
 * or biphasic). Returns 0, ILNET_EINPUT for bad data (the message names the point), or
 * ILNET_ESOLVER when the fit fails (non-finite parameters, a GSL error). */
int ilnet_hill_fit_run(ilnet_hill_fit *out, const double *dose, const double *resp, size_t n,
                       const ilnet_hill_options *opts);
/* The fitted curve at dose x. */
double ilnet_hill_eval(const ilnet_hill_fit *fit, double x);

/* Sets fit->quality and fit->half_max_dose for a fit of these n points (called by
 * ilnet_hill_fit_run). Returns 0 or ILNET_ENOMEM. */
int ilnet_hill_assess(ilnet_hill_fit *fit, const double *dose, const double *resp, size_t n,
                      const ilnet_hill_options *opts);

#endif

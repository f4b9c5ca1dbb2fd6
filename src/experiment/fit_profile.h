/* Uncertainty of a fit (docs/fitting.md, "Profiles"): profile likelihoods -- each chosen
 * parameter fixed on an adaptive grid walking out from the best fit in both directions,
 * the others re-optimised (L-BFGS, warm-started from the neighbouring point), until the
 * profile has fallen by the 95 % threshold chi2(1, 0.95) / 2 = 1.92 or reaches a bound --
 * and Fisher-information intervals from the residuals' Jacobian at the best fit. */
#ifndef ILNET_FIT_PROFILE_H
#define ILNET_FIT_PROFILE_H

#include "fit.h"

#define ILNET_PROFILE_THRESHOLD 1.9207294103470673 /* chi2(1, 0.95) / 2 */

typedef struct {
    size_t par;          /* index among the estimated parameters */
    size_t n;            /* points, increasing in the profiled parameter */
    double *value;       /* [n] the parameter on its scale */
    double *llh;         /* [n] llh + log_prior of the re-optimised fit */
    double *theta;       /* [n][n_par] */
    signed char *status; /* [n] ilnet_fit_status of each re-optimisation */
    /* the 95 % interval on the scale: where the profile crosses best - threshold
     * (interpolated); NaN on a side where it stays above the threshold up to the bound */
    double ci_lower, ci_upper;
    double seconds;
    int rank; /* the MPI rank that computed it (0 without MPI) */
} ilnet_fit_profile;

typedef struct {
    size_t max_points; /* per direction (default 40) */
    double min_step;   /* relative to the bounds' width (default 1e-4) */
    double first_step; /* relative to the bounds' width (default 1e-2) */
} ilnet_profile_options;

#define ILNET_PROFILE_OPTIONS_INIT                                                                 \
    {                                                                                              \
        40, 1e-4, 1e-2                                                                             \
    }

/* Profiles of the parameters which[0..k) around f's best start, on o->threads threads;
 * *out gets k of them (free each with ilnet_fit_profile_free, then *out; *out may be set
 * on failure too). In an MPI run every rank
 * calls it with the same best start and list: profile q is computed by rank q % ranks and
 * sent to rank 0, where out is filled (on the other ranks only their own entries are). A
 * profile depends only on the best start, so any rank or thread count gives the same. */
int ilnet_fit_profiles(ilnet_fit_profile **out, const size_t *which, size_t k, const ilnet_fit *f,
                       const char *yaml_path, const ilnet_fit_options *o,
                       const ilnet_profile_options *po);
void ilnet_fit_profile_free(ilnet_fit_profile *p);

/* Fisher-information intervals at theta on the scales: the Gauss-Newton information
 * J^T J of the weighted and noise residuals; cov [n_par][n_par] its (pseudo-)inverse;
 * ci_lower/ci_upper = theta -+ 1.96 sd, +-inf for a parameter in a direction the data do
 * not determine. */
int ilnet_fit_fisher(double *cov, double *ci_lower, double *ci_upper, const ilnet_fit *f,
                     const char *yaml_path, const ilnet_fit_options *o, const double *theta);

#endif

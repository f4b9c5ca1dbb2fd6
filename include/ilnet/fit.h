/* Parameter estimation (docs/fitting.md): multi-start local optimisation of a PEtab
 * problem from a seeded Latin hypercube within the bounds, on worker threads (and the
 * ranks of an MPI build), then Fisher-information intervals and, on request, profile
 * likelihoods; with an output file, every start is written as it finishes (a killed fit
 * loses only the starts in flight and resumes), then the best fit's simulations and
 * intervals, and beside it a PEtab parameter table and a presets file. */
#ifndef INCLUDE_ILNET_FIT_H
#define INCLUDE_ILNET_FIT_H

#include "common.h"

#include <signal.h>
#include <stddef.h>

ILNET_BEGIN_DECL

/* One finished start, as the start callback sees it (valid during the call). */
typedef struct {
    size_t index;       /* which start */
    size_t done, total; /* starts finished (this one included) and in all */
    double llh;         /* at the start's end (-inf: failed) */
    double best_llh;    /* the best so far */
    const char *status; /* "converged", "limit", "stalled" or "failed" */
    const char *reason; /* the method's exit reason ("ftol reached", ...) */
    long iterations;
    double seconds;
} ilnet_fit_start_info;

/* Called on rank 0 as each start finishes (on the calling thread or a worker's, one at a
 * time). A non-zero return stops the fit: no more starts, the finished ones kept. */
typedef int (*ilnet_fit_started_cb)(const ilnet_fit_start_info *start, void *payload);

/* 2 added gradient; a caller built against version 1 still works (gradient is not read) */
#define ILNET_FIT_RUN_OPTIONS_VERSION 2

typedef struct {
    unsigned int version;  /* ILNET_FIT_RUN_OPTIONS_VERSION */
    size_t starts;         /* local optimisations (0: 100) */
    unsigned long seed;    /* of the Latin hypercube (0: 1) */
    int threads;           /* 0: every core */
    const char *optimizer; /* "auto" (NULL), "lbfgs" or "ls-trust" */
    long max_iter;         /* iterations (ls-trust) or evaluations (lbfgs) per start (0: 500) */
    double atol, rtol;     /* integration tolerances (0: 1e-12, 1e-10) */
    /* parameters whose parameterType is scaling, offset or sigma computed in closed form:
     * 0 when the parameter table has any (the default), 1 required, -1 never (searched
     * like the others) */
    int hierarchical;
    int include_nominal;      /* start 0 from the table's nominal values */
    const char *output;       /* HDF5 fit file (NULL: none, nothing written) */
    int resume;               /* continue output: finished starts kept */
    const char *profile;      /* "all" or estimated ids separated by commas (NULL: none) */
    size_t profile_points;    /* per direction of a profile (0: 40) */
    const char *command_line; /* stored in the file (NULL: "") */
    ilnet_fit_started_cb on_start;
    ilnet_message_cb message; /* what was written, hierarchical parameters; may be NULL */
    void *payload;
    /* when *cancel becomes non-zero (e.g. from a signal handler the caller installed), the
     * starts in flight are abandoned at their next evaluation and the fit returns
     * ILNET_ECANCELLED, keeping the finished starts in the file; may be NULL */
    const volatile sig_atomic_t *cancel;
    /* version >= 2: how gradients are computed: "auto" (NULL: the adjoint method for lbfgs
     * when at least 10 estimated parameters move the state, else forward sensitivities),
     * "forward" or "adjoint" (lbfgs only: it gives no residual Jacobian) */
    const char *gradient;
} ilnet_fit_run_options;

#ifdef __cplusplus
#define ILNET_FIT_RUN_OPTIONS_INIT                                                                 \
    {                                                                                              \
        ILNET_FIT_RUN_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0     \
    }
#else
#define ILNET_FIT_RUN_OPTIONS_INIT                                                                 \
    {                                                                                              \
        .version = ILNET_FIT_RUN_OPTIONS_VERSION                                                   \
    }
#endif

typedef struct ilnet_fit_result ilnet_fit_result;

/* Fits the PEtab problem at problem_yaml. Returns 0 with *out the result (on every rank;
 * only rank 0's holds the intervals); ILNET_ESOLVER when every start failed (*out holds
 * the starts); ILNET_ECANCELLED when stopped (*out holds the finished starts); another
 * negative code with *out NULL. */
ILNET_EXTERN(int)
ilnet_fit_problem(ilnet_fit_result **out, const char *problem_yaml,
                  const ilnet_fit_run_options *opts);
ILNET_EXTERN(void) ilnet_fit_result_free(ilnet_fit_result *r);

/* The estimated parameters (the entries of theta, on their scales: "lin", "log", "log10"). */
ILNET_EXTERN(size_t) ilnet_fit_result_parameter_count(const ilnet_fit_result *r);
ILNET_EXTERN(const char *) ilnet_fit_result_parameter_id(const ilnet_fit_result *r, size_t j);
ILNET_EXTERN(const char *) ilnet_fit_result_parameter_scale(const ilnet_fit_result *r, size_t j);
/* 1 when parameter j was computed in closed form (hierarchical), not searched */
ILNET_EXTERN(int) ilnet_fit_result_parameter_inner(const ilnet_fit_result *r, size_t j);
ILNET_EXTERN(size_t) ilnet_fit_result_start_count(const ilnet_fit_result *r);
ILNET_EXTERN(size_t) ilnet_fit_result_best(const ilnet_fit_result *r);
/* Start i: llh and log prior at its end, status ("pending" when it did not run),
 * iterations, evaluations, seconds, and theta0/theta [n_parameters] on the scales. */
ILNET_EXTERN(int)
ilnet_fit_result_start(double *llh, double *log_prior, const char **status, long *iterations,
                       long *evaluations, double *seconds, const double **theta0,
                       const double **theta, const ilnet_fit_result *r, size_t i);
/* 95 % intervals on the scales: Fisher (±inf: undetermined) and profile (NaN: not
 * profiled; ±inf: unbounded); NULL when the fit stopped before them or every start failed. */
ILNET_EXTERN(const double *) ilnet_fit_result_fisher_lower(const ilnet_fit_result *r);
ILNET_EXTERN(const double *) ilnet_fit_result_fisher_upper(const ilnet_fit_result *r);
ILNET_EXTERN(const double *) ilnet_fit_result_profile_lower(const ilnet_fit_result *r);
ILNET_EXTERN(const double *) ilnet_fit_result_profile_upper(const ilnet_fit_result *r);

ILNET_END_DECL

#endif

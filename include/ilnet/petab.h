/* PEtab estimation problems (docs/petab.md): a model, conditions, measurements, an
 * observation and noise model and a parameter table, read from a PEtab YAML file. The
 * objective is evaluated at a vector theta of the estimated parameters, each on its
 * parameterScale, as optimisers and samplers see it: the log-likelihood of the data, the
 * log prior, and on request the gradient (forward sensitivities), the weighted residuals
 * and their Jacobian (for least-squares methods). The condition pairs are simulated on
 * worker threads; a problem handle is used by one calling thread at a time (take one
 * handle per calling thread). */
#ifndef INCLUDE_ILNET_PETAB_H
#define INCLUDE_ILNET_PETAB_H

#include "common.h"

#include <stddef.h>

ILNET_BEGIN_DECL

typedef struct ilnet_petab_problem ilnet_petab_problem;

#define ILNET_PETAB_OPTIONS_VERSION 1

typedef struct {
    unsigned int version; /* ILNET_PETAB_OPTIONS_VERSION */
    /* worker threads over the (preequilibration, simulation) condition pairs, each holding
     * its own copy of the model; 0: every core. No more than there are pairs are used. */
    int threads;
    double atol, rtol; /* CVODE's tolerances (the sensitivities' too) */
} ilnet_petab_options;

#ifdef __cplusplus
#define ILNET_PETAB_OPTIONS_INIT                                                                   \
    {                                                                                              \
        ILNET_PETAB_OPTIONS_VERSION, 1, 1e-12, 1e-10                                               \
    }
#else
#define ILNET_PETAB_OPTIONS_INIT                                                                   \
    {                                                                                              \
        .version = ILNET_PETAB_OPTIONS_VERSION, .threads = 1, .atol = 1e-12, .rtol = 1e-10         \
    }
#endif

/* Reads and checks a PEtab v1 (or v2) problem; opts may be NULL for the defaults. Bad
 * tables give ILNET_EINPUT with "FILE:ROW: column: id: message". */
ILNET_EXTERN(int)
ilnet_petab_problem_load(ilnet_petab_problem **out, const char *yaml_path,
                         const ilnet_petab_options *opts);
ILNET_EXTERN(void) ilnet_petab_problem_free(ilnet_petab_problem *p);

typedef enum {
    ILNET_PETAB_SCALE_LIN = 0,
    ILNET_PETAB_SCALE_LOG = 1,
    ILNET_PETAB_SCALE_LOG10 = 2
} ilnet_petab_scale;

/* The estimated parameters (estimate = 1), in the parameter table's order: the entries of
 * theta. Bounds and nominal values are on the parameter's scale; the parameters not
 * estimated keep their nominal values. */
ILNET_EXTERN(size_t) ilnet_petab_problem_parameter_count(const ilnet_petab_problem *p);
ILNET_EXTERN(const char *) ilnet_petab_problem_parameter_id(const ilnet_petab_problem *p, size_t i);
ILNET_EXTERN(ilnet_petab_scale)
ilnet_petab_problem_parameter_scale(const ilnet_petab_problem *p, size_t i);
ILNET_EXTERN(int)
ilnet_petab_problem_parameter_bounds(double *lower, double *upper, double *nominal,
                                     const ilnet_petab_problem *p, size_t i);
/* index of an estimated parameter, or -1 */
ILNET_EXTERN(int) ilnet_petab_problem_parameter_find(const ilnet_petab_problem *p, const char *id);

/* The measurements, in the measurement table's order: the entries of the residuals and
 * the rows of their Jacobian. preequilibration is "" when there is none; time may be
 * INFINITY (a steady-state measurement). */
ILNET_EXTERN(size_t) ilnet_petab_problem_measurement_count(const ilnet_petab_problem *p);
ILNET_EXTERN(int)
ilnet_petab_problem_measurement(const char **observable, const char **preequilibration,
                                const char **simulation, double *time, double *value,
                                const ilnet_petab_problem *p, size_t i);

/* Hierarchical optimisation (pyPESTO's convention): parameters whose parameterType column
 * says scaling, offset or sigma are computed in closed form at every evaluation (the
 * maximum-likelihood values for the simulations; linear observables scaling * X + offset,
 * normal noise, sigma the noise parameter itself), so an optimiser searches only the others.
 * ilnet_petab_problem_parameter_inner: 1 scaling, 2 offset, 3 sigma, 0 an ordinary estimated
 * parameter. set_hierarchical(p, 1) switches the closed form on (ILNET_EINPUT when no
 * parameter has a type); evaluations then ignore the inner entries of theta, return 0
 * gradient for them, and inner_values writes their values at the last evaluation into the
 * inner entries of theta (on their scales). */
ILNET_EXTERN(int) ilnet_petab_problem_parameter_inner(const ilnet_petab_problem *p, size_t i);
ILNET_EXTERN(int) ilnet_petab_problem_set_hierarchical(ilnet_petab_problem *p, int on);
ILNET_EXTERN(void)
ilnet_petab_problem_inner_values(const ilnet_petab_problem *p, double *theta);

/* Gradients by the adjoint method (on = 1) instead of forward sensitivities: one backward
 * integration per condition, whatever the number of parameters -- far cheaper with many
 * parameters. Applies to evaluations that ask for the gradient without residuals (their
 * Jacobian needs forward sensitivities) and to conditions without preequilibration or
 * steady-state measurements (those keep forward sensitivities). Models with events: not
 * supported (ILNET_EINPUT at the evaluation). */
ILNET_EXTERN(int) ilnet_petab_problem_set_adjoint(ilnet_petab_problem *p, int on);

enum {
    ILNET_PETAB_WANT_GRADIENT = 1, /* gradient and prior_gradient */
    ILNET_PETAB_WANT_RESIDUALS = 2 /* residuals, and with the gradient their jacobian */
};

/* One evaluation. The arrays belong to the problem and stay valid until its next
 * evaluation or its free; an array not asked for is NULL. */
typedef struct {
    double llh;             /* log-likelihood of the data (priors not included) */
    double chi2;            /* sum of squared weighted residuals */
    double log_prior;       /* sum of the estimated parameters' log prior densities (0: none) */
    const double *gradient; /* d llh / d theta (n_parameters) */
    const double *prior_gradient; /* d log_prior / d theta (n_parameters) */
    /* (h(m) - h(y)) / sigma per measurement, h the observable's transformation
     * (n_measurements); with the gradient, d residual_i / d theta_j, row-major
     * (n_measurements x n_parameters) */
    const double *residuals, *jacobian;
    /* with residuals and gradient: d log sigma_i / d theta_j, row-major (n_measurements x
     * n_parameters): least-squares methods add sqrt(2 log sigma_i + C) residuals with it
     * when the noise is estimated */
    const double *log_sigma_jacobian;
    const double *simulations, *sigmas; /* the simulated observable and its noise */
    int status;                         /* 0, or ILNET_ESOLVER: a simulation failed */
    const char *message;                /* with ILNET_ESOLVER: which condition, why */
} ilnet_petab_evaluation;

/* Simulates every condition pair at theta (n_parameters values on their scales; NULL: the
 * nominal values) and evaluates what `want` (ILNET_PETAB_WANT_*) asks. Returns 0;
 * ILNET_ESOLVER when a simulation failed (out->llh = -inf, out->status and out->message
 * set: an optimiser treats the point as infeasible); ILNET_EINPUT for a non-finite theta or
 * a value a formula cannot take; or another negative code. */
ILNET_EXTERN(int)
ilnet_petab_problem_evaluate(ilnet_petab_evaluation *out, ilnet_petab_problem *p,
                             const double *theta, unsigned int want);

ILNET_END_DECL

#endif

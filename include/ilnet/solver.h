/* Simulation: CVODE (BDF, Newton, analytic Jacobian; dense or KLU sparse direct linear
 * solver, or GMRES preconditioned by KLU for large networks) from a model's initial amounts through
 * a list of output times. The model keeps its solver between simulations (CVodeReInit), so repeated
 * runs cost only integration. */
#ifndef INCLUDE_ILNET_SOLVER_H
#define INCLUDE_ILNET_SOLVER_H

#include "common.h"
#include "model.h"

#include <stddef.h>

ILNET_BEGIN_DECL

typedef enum {
    ILNET_LINEAR_SOLVER_AUTO = 0, /* dense up to dense_max species, KLU sparse above, GMRES
                                     from 250 species */
    ILNET_LINEAR_SOLVER_DENSE = 1,
    ILNET_LINEAR_SOLVER_KLU = 2,
    /* SPGMR (Jacobian-vector products by difference quotients), preconditioned by a KLU
     * factorisation of
     * I - gamma J kept across steps (refactored far less often than KLU direct) */
    ILNET_LINEAR_SOLVER_GMRES = 3
} ilnet_linear_solver;

/* 2 added the sensitivity fields; version 1 structs are still accepted */
#define ILNET_SIMULATE_OPTIONS_VERSION 2

typedef struct {
    unsigned int version; /* ILNET_SIMULATE_OPTIONS_VERSION */
    double atol, rtol;    /* CVODE's absolute and relative tolerances */
    long max_steps;       /* internal steps allowed per output interval */
    ilnet_linear_solver linear_solver;
    int dense_max; /* AUTO: the largest network (species) solved dense */
    /* Forward sensitivities (CVODES, error control on them) of every species and observable
     * w.r.t. these names: parameters (a derived one is varied as if set directly; what is
     * defined from it follows) or species (their initial amounts). NULL/0: none. */
    const char *const *sensitivities;
    size_t n_sensitivities;
    double sens_atol, sens_rtol; /* 0: the state's atol and rtol */
} ilnet_simulate_options;

#ifdef __cplusplus
#define ILNET_SIMULATE_OPTIONS_INIT                                                                \
    {                                                                                              \
        ILNET_SIMULATE_OPTIONS_VERSION, 1e-8, 1e-8, 100000, ILNET_LINEAR_SOLVER_AUTO, 10, NULL, 0, \
            0, 0                                                                                   \
    }
#else
#define ILNET_SIMULATE_OPTIONS_INIT                                                                \
    {                                                                                              \
        .version = ILNET_SIMULATE_OPTIONS_VERSION, .atol = 1e-8, .rtol = 1e-8,                     \
        .max_steps = 100000, .linear_solver = ILNET_LINEAR_SOLVER_AUTO, .dense_max = 10,           \
        .sensitivities = NULL, .n_sensitivities = 0, .sens_atol = 0, .sens_rtol = 0                \
    }
#endif

typedef struct ilnet_simulation ilnet_simulation;

/* Integrates m from its initial amounts at times[0] through times[n_times - 1]
 * (non-decreasing), one output row per time (row 0: the initial state). opts may be NULL.
 * Returns 0; ILNET_ESOLVER when the integrator stopped early, with *out holding the rows it
 * reached (ilnet_simulation_rows) and the reason (ilnet_simulation_message); or another
 * negative code with *out NULL. */
ILNET_EXTERN(int)
ilnet_model_simulate(ilnet_simulation **out, ilnet_model *m, const double *times, size_t n_times,
                     const ilnet_simulate_options *opts);
ILNET_EXTERN(void) ilnet_simulation_free(ilnet_simulation *s);

/* Rows requested and rows filled (equal unless the integrator failed). */
ILNET_EXTERN(size_t) ilnet_simulation_times_count(const ilnet_simulation *s);
ILNET_EXTERN(size_t) ilnet_simulation_rows(const ilnet_simulation *s);
ILNET_EXTERN(const double *) ilnet_simulation_times(const ilnet_simulation *s);
/* Row-major [times][species] and [times][observables], in the model's order. */
ILNET_EXTERN(const double *) ilnet_simulation_species(const ilnet_simulation *s);
ILNET_EXTERN(const double *) ilnet_simulation_observables(const ilnet_simulation *s);
ILNET_EXTERN(size_t) ilnet_simulation_species_count(const ilnet_simulation *s);
ILNET_EXTERN(size_t) ilnet_simulation_observable_count(const ilnet_simulation *s);
/* 0, or ILNET_ESOLVER with the message: time reached, CVODE's reason, dominant species. */
ILNET_EXTERN(int) ilnet_simulation_status(const ilnet_simulation *s);
ILNET_EXTERN(const char *) ilnet_simulation_message(const ilnet_simulation *s);
/* Sensitivities (when requested): how many parameters, the name of parameter j, and the
 * row-major arrays [times][species][parameters] and [times][observables][parameters]
 * (NULL when none were requested). */
ILNET_EXTERN(size_t) ilnet_simulation_sensitivity_count(const ilnet_simulation *s);
ILNET_EXTERN(const char *)
ilnet_simulation_sensitivity_name(const ilnet_simulation *s, size_t j);
ILNET_EXTERN(const double *) ilnet_simulation_sensitivities(const ilnet_simulation *s);
ILNET_EXTERN(const double *) ilnet_simulation_observable_sensitivities(const ilnet_simulation *s);
/* "dense" or "klu". */
ILNET_EXTERN(const char *) ilnet_simulation_linear_solver(const ilnet_simulation *s);

typedef struct {
    long steps, rhs_evals, jac_evals, lin_setups;
    long err_test_fails, nonlin_iters, nonlin_conv_fails;
    double last_step, t_reached;
} ilnet_simulation_stats;
ILNET_EXTERN(void)
ilnet_simulation_get_stats(ilnet_simulation_stats *out, const ilnet_simulation *s);

/* Steady states: Newton (KINSOL) on the model's equations with its conservation laws,
 * accepted when non-negative and stable; otherwise (or when Newton fails) CVODE integrates
 * until the rates are small, then Newton polishes. The tolerances, linear solver and
 * sensitivities come from the simulate options (the same cached solver); with
 * sensitivities, dy/dp at the steady state from the linearised equations. */
#define ILNET_STEADY_STATE_OPTIONS_VERSION 1

typedef struct {
    unsigned int version;  /* ILNET_STEADY_STATE_OPTIONS_VERSION */
    double atol, rtol;     /* converged when the rates' weighted RMS norm, dy/dt / (atol +
                            * rtol |y|), is <= 1; 0: the simulate options' tolerances */
    long max_newton_iters; /* per Newton solve */
    double max_time;       /* integration: simulated time limit */
    long max_steps;        /* integration: CVODE steps in all */
    int newton, integrate; /* which methods may be used (both: Newton first) */
} ilnet_steady_state_options;

#ifdef __cplusplus
#define ILNET_STEADY_STATE_OPTIONS_INIT                                                            \
    {                                                                                              \
        ILNET_STEADY_STATE_OPTIONS_VERSION, 0, 0, 40, 1e10, 200000, 1, 1                           \
    }
#else
#define ILNET_STEADY_STATE_OPTIONS_INIT                                                            \
    {                                                                                              \
        .version = ILNET_STEADY_STATE_OPTIONS_VERSION, .max_newton_iters = 40, .max_time = 1e10,   \
        .max_steps = 200000, .newton = 1, .integrate = 1                                           \
    }
#endif

typedef struct ilnet_steady_state ilnet_steady_state;

/* The steady state reached from m's initial amounts. sim and opts may be NULL. Returns 0;
 * ILNET_ESOLVER when none was found, with *out holding the last state and the reason
 * (ilnet_steady_state_message); or another negative code with *out NULL (a model with
 * events: ILNET_EINPUT). */
ILNET_EXTERN(int)
ilnet_model_steady_state(ilnet_steady_state **out, ilnet_model *m,
                         const ilnet_simulate_options *sim, const ilnet_steady_state_options *opts);
ILNET_EXTERN(void) ilnet_steady_state_free(ilnet_steady_state *s);
/* 0, or ILNET_ESOLVER with the message (time reached, the species changing fastest). */
ILNET_EXTERN(int) ilnet_steady_state_status(const ilnet_steady_state *s);
ILNET_EXTERN(const char *) ilnet_steady_state_message(const ilnet_steady_state *s);
/* The amounts [species] and observables [observables], in the model's order. */
ILNET_EXTERN(const double *) ilnet_steady_state_species(const ilnet_steady_state *s);
ILNET_EXTERN(const double *) ilnet_steady_state_observables(const ilnet_steady_state *s);
ILNET_EXTERN(size_t) ilnet_steady_state_species_count(const ilnet_steady_state *s);
ILNET_EXTERN(size_t) ilnet_steady_state_observable_count(const ilnet_steady_state *s);
/* "newton", "integration" or "integration+newton"; the simulated time (0 for Newton), the
 * weighted rate norm reached, Newton iterations and CVODE steps. */
ILNET_EXTERN(const char *) ilnet_steady_state_method(const ilnet_steady_state *s);
ILNET_EXTERN(double) ilnet_steady_state_time(const ilnet_steady_state *s);
ILNET_EXTERN(double) ilnet_steady_state_rate_norm(const ilnet_steady_state *s);
ILNET_EXTERN(long) ilnet_steady_state_newton_iterations(const ilnet_steady_state *s);
ILNET_EXTERN(long) ilnet_steady_state_steps(const ilnet_steady_state *s);
/* Sensitivities (when the simulate options asked for them): row-major [species][parameters]
 * and [observables][parameters] (NULL when none). */
ILNET_EXTERN(size_t) ilnet_steady_state_sensitivity_count(const ilnet_steady_state *s);
ILNET_EXTERN(const char *)
ilnet_steady_state_sensitivity_name(const ilnet_steady_state *s, size_t j);
ILNET_EXTERN(const double *) ilnet_steady_state_sensitivities(const ilnet_steady_state *s);
ILNET_EXTERN(const double *)
ilnet_steady_state_observable_sensitivities(const ilnet_steady_state *s);

/* Writes the simulation as an HDF5 time course (docs/hdf5-layout.md; via a temporary name,
 * renamed into place when complete). m must be the model that produced it. */
ILNET_EXTERN(int)
ilnet_simulation_write_hdf5(const ilnet_simulation *s, const ilnet_model *m, const char *path);
/* CSV: a header "time,<observables>,<species>", one row per time reached. */
ILNET_EXTERN(int)
ilnet_simulation_write_csv(const ilnet_simulation *s, const ilnet_model *m, const char *path);

ILNET_END_DECL

#endif

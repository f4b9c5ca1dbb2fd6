/* CVODE (BDF + Newton) on a compiled network, with an analytic Jacobian and a dense or
 * KLU sparse direct linear solver. A solver is created once per network and worker and
 * reused across runs (CVodeReInit). */
#ifndef ILNET_SOLVER_H
#define ILNET_SOLVER_H

#include "../model/network.h"

#include <stddef.h>

/* GMRES: CVODE's SPGMR (difference-quotient Jacobian-vector products), preconditioned by a KLU
 * factorisation of I - gamma J kept across steps (precond_klu.h) */
typedef enum {
    ILNET_LINSOL_AUTO,
    ILNET_LINSOL_DENSE,
    ILNET_LINSOL_KLU,
    ILNET_LINSOL_GMRES
} ilnet_linsol;

/* AUTO picks GMRES from this many species on: bench_reference, per simulation against KLU
 * direct (2026-12-08): fceri_fyn (1281 species) 609 vs 2002 ms, fceri_ji (354) 59 vs 110,
 * egfr_net (356) 71 vs 74; Motivating_example (78) 4.4 vs 2.8 ms (a small system's
 * factorisation is cheap, GMRES's extra products are not) */
#define ILNET_GMRES_MIN_SPECIES 250

typedef struct {
    double atol, rtol;
    long max_steps;      /* CVODE's limit on internal steps per output interval */
    ilnet_linsol linsol; /* AUTO: dense up to dense_max species, KLU above, GMRES from
                            ILNET_GMRES_MIN_SPECIES */
    int dense_max;
} ilnet_solver_options;

#define ILNET_SOLVER_OPTIONS_INIT                                                                  \
    {                                                                                              \
        1e-8, 1e-8, 100000, ILNET_LINSOL_AUTO, 10                                                  \
    }

typedef struct {
    long steps, rhs_evals, jac_evals, lin_setups;
    long err_test_fails, nonlin_iters, nonlin_conv_fails;
    double last_step, t_reached;
} ilnet_solver_stats;

typedef struct {
    int status;     /* 0, or ILNET_ESOLVER when the integration stopped early */
    int cvode_flag; /* CVODE's return code at the failure */
    size_t n_times; /* rows requested */
    size_t n_done;  /* rows filled (== n_times on success) */
    size_t n_species, n_observables;
    double *times;       /* [n_times] */
    double *species;     /* [n_times][n_species], row-major */
    double *observables; /* [n_times][n_observables] */
    ilnet_solver_stats stats;
    char message[1024]; /* on failure: time reached, CVODE's reason, dominant species */
    /* forward sensitivities (ilnet_solver_set_sensitivities), else n_sens 0 and NULL */
    size_t n_sens;
    int *sens_which;  /* [n_sens]: parameter index, or -(species + 1) for an initial amount */
    double *sens;     /* [n_times][n_species][n_sens]: d species / d p */
    double *obs_sens; /* [n_times][n_observables][n_sens] */
    /* events executed during the run, in order: time and network event index */
    size_t n_fired, cap_fired;
    double *fired_time;
    int *fired_event;
} ilnet_result;

typedef struct ilnet_solver ilnet_solver;

int ilnet_solver_new(ilnet_solver **out, const ilnet_network *net,
                     const ilnet_solver_options *opts);
void ilnet_solver_free(ilnet_solver *s);
/* Which linear solver the solver ended up with ("dense" or "klu"). */
const char *ilnet_solver_linsol_name(const ilnet_solver *s);
const ilnet_solver_options *ilnet_solver_options_get(const ilnet_solver *s);

/* "auto", "dense" or "klu" -> *out; returns 0 or ILNET_EINPUT. */
int ilnet_linsol_parse(ilnet_linsol *out, const char *name);

/* Forward sensitivities (CVODES, staggered corrector, error control on them) of every
 * species and observable with respect to which[0..k) (network_sens.h: a parameter index,
 * or -(species + 1) for a species' initial amount), for every later run; k = 0 turns them
 * off. Tolerances: atol and rtol as for the state unless sens_atol/sens_rtol > 0. A run
 * from a given y0 takes that state as independent of the parameters. Models with events:
 * ILNET_EINPUT. */
int ilnet_solver_set_sensitivities(ilnet_solver *s, const int *which, int k, double sens_atol,
                                   double sens_rtol);

/* ---- steady states (steady.c) ---- */

typedef struct {
    /* converged when the rates' weighted RMS norm, dy/dt / (atol + rtol |y|), is <= 1
     * (AMICI's criterion); 0: the solver's own atol and rtol */
    double atol, rtol;
    long max_newton_iters; /* per Newton solve */
    double max_time;       /* integration: simulated time limit */
    long max_steps;        /* integration: CVODE steps in all */
    int newton, integrate; /* which methods may be used (both: Newton first) */
} ilnet_steady_options;

#define ILNET_STEADY_OPTIONS_INIT                                                                  \
    {                                                                                              \
        0, 0, 40, 1e10, 200000, 1, 1                                                               \
    }

enum { ILNET_STEADY_NEWTON = 1, ILNET_STEADY_INTEGRATION = 2, ILNET_STEADY_INTEGRATION_NEWTON = 3 };

typedef struct {
    int status;      /* 0, or ILNET_ESOLVER when no steady state was found */
    int method;      /* ILNET_STEADY_* that gave y */
    double *y, *obs; /* [n_species], [n_observables]: the steady state (or the last state) */
    double t;        /* simulated time (0 for Newton from y0) */
    double wrms;     /* the weighted rate norm at y */
    long newton_iters, steps;
    size_t n_species, n_observables;
    size_t n_sens;      /* the solver's sensitivity parameters */
    int *sens_which;    /* [n_sens] */
    double *sens;       /* [n_species][n_sens]: dy/dp at the steady state */
    double *obs_sens;   /* [n_observables][n_sens] */
    char message[1024]; /* on failure: why, and the species that do not settle */
} ilnet_steady_result;

void ilnet_steady_result_free(ilnet_steady_result *r);
/* The weighted RMS norm of dy/dt at (t, y), weights 1 / (atol + rtol |y|) with the solver's
 * tolerances: <= 1 counts as a steady state. */
double ilnet_solver_rate_norm(ilnet_solver *s, double t, const double *y);
/* Method names for messages and files: "newton", "integration", "integration+newton". */
const char *ilnet_steady_method_name(int method);

/* The steady state reached from y0 (NULL: the network's initial amounts; otherwise taken as
 * independent of the parameters): Newton (KINSOL) on the system where each conservation
 * law's leading species has its equation replaced by the law and a fixed species by
 * y = y0, accepted when non-negative and, up to 600 species, stable (no Jacobian
 * eigenvalue with positive real part outside the conserved directions); otherwise, or when
 * Newton fails, CVODE integrates from y0 until the rates are small, then Newton polishes.
 * With sensitivities set on the solver, also dy/dp at the steady state, from the same
 * equations: J s = -df/dp, the conservation rows c . s = c . dy0/dp. Returns 0; ILNET_ESOLVER
 * with r->message saying why (time reached, the species changing fastest, an unstable
 * Newton solution); another code on bad input. Models with events: ILNET_EINPUT. */
int ilnet_solver_steady_state(ilnet_solver *s, ilnet_steady_result *r, const double *y0,
                              const ilnet_steady_options *opts);
/* The same from y0 where only the species with y0_set[i] != 0 are independent of the
 * parameters (the others' initial amounts follow their expressions, as in
 * ilnet_solver_run_masked); y0_set NULL: all of them. */
int ilnet_solver_steady_state_masked(ilnet_solver *s, ilnet_steady_result *r, const double *y0,
                                     const unsigned char *y0_set, const ilnet_steady_options *opts);

/* Pauses (1) or resumes (0) the sensitivities set on s without releasing them: runs and
 * steady states meanwhile compute none (res->n_sens 0). */
void ilnet_solver_pause_sensitivities(ilnet_solver *s, int paused);
/* The initial sensitivities of the next run or steady state (once): yS0[i * k + j] = d y_i(t0)
 * / d p_j, instead of those the initial-amount expressions give (after a preequilibration:
 * the steady state's sensitivities). */
int ilnet_solver_set_initial_sensitivities(ilnet_solver *s, const double *yS0);

/* Adjoint gradients instead of forward sensitivities (on = 1), for the parameters set by
 * ilnet_solver_set_sensitivities: runs then record checkpoints and compute no sensitivities
 * (res->n_sens 0); ilnet_solver_adjoint_gradient afterwards gives the derivative of an
 * objective of the states at the output times. Not for models with events. */
int ilnet_solver_set_adjoint(ilnet_solver *s, int on);
/* 1 when the next run records checkpoints (adjoint on, sensitivities set and not paused) */
int ilnet_solver_adjoint_active(const ilnet_solver *s);
/* After a completed run in adjoint mode: grad[j] = dJ/dp_j (k entries) for
 * J = sum_i g_i(y(t_i)), G[i * n_species + s] = dg_i/dy_s at the result's row i (rows with
 * nothing measured all 0), through the state and the initial state alike (as forward
 * sensitivities would give it). */
int ilnet_solver_adjoint_gradient(ilnet_solver *s, const ilnet_result *res, const double *G,
                                  double *grad);
/* d initial amount_i / d p_j from the network's expressions at the current parameters into
 * out[i * k + j]. */
int ilnet_solver_initial_sensitivities(ilnet_solver *s, double *out);

/* Allocates result arrays for n_times output rows of net. */
int ilnet_result_init(ilnet_result *res, const ilnet_network *net, size_t n_times);
void ilnet_result_free(ilnet_result *res);
/* Fills res->times with n_times equally spaced times from t0 to t_end (both exact). */
void ilnet_result_linear_times(ilnet_result *res, double t0, double t_end);

/* Integrates from times[0] through times[n-1] (non-decreasing), filling one row per time;
 * row 0 is the initial state. y0 = NULL uses the network's initial amounts. Rate
 * constants are read from the network at the start of every run. Returns 0, an input
 * error, or ILNET_ESOLVER with res->n_done rows valid and res->message set.
 *
 * Events (SBML semantics): trigger comparisons (and those of the functions a trigger uses)
 * are CVODE root functions; a trigger that turns true schedules its event (after its delay,
 * evaluated then); due events execute in order of priority (evaluated at execution; ties:
 * earlier scheduled first), each one followed by a fresh look at every trigger (cascades at
 * the same time; events that are not persistent are dropped when their trigger is false);
 * then CVODE restarts. When a comparison's two sides are exactly equal, the trigger is also
 * true when it is true just after that time (so "time > 5" turns true at 5). Rows at an
 * event time hold the state after the events, row 0 included. res->fired_time/fired_event
 * list what executed. */
int ilnet_solver_run(ilnet_solver *s, ilnet_result *res, const double *y0);
/* The same, saying which entries of y0 are independent of the parameters (y0_set[i] != 0)
 * and which are the network's initial amounts (their sensitivities follow the parameters);
 * y0_set = NULL: all of y0 is independent. Matters only with sensitivities. */
int ilnet_solver_run_masked(ilnet_solver *s, ilnet_result *res, const double *y0,
                            const unsigned char *y0_set);

#endif

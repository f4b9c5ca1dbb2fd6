/* The solver's private state, shared by solver.c (integration, events) and sens.c
 * (forward sensitivities). */
#ifndef ILNET_SOLVER_IMPL_H
#define ILNET_SOLVER_IMPL_H

#include "../model/network_sens.h"
#include "kinetics.h"
#include "solver.h"

#include <gsl/gsl_rng.h>
#include <sundials/sundials_linearsolver.h>
#include <sundials/sundials_matrix.h>
#include <sundials/sundials_nvector.h>

typedef struct steady_sys steady_sys; /* steady_sys.h */

/* forward sensitivities; k == 0: off */
typedef struct {
    int k;
    int cvodes_k; /* CVodeSensInit's Ns (0: never initialised) */
    ilnet_sens_params sp;
    N_Vector *yS;      /* k vectors */
    double **v, **out; /* k pointers each, scratch for the right-hand side */
    double atol, rtol;
    double *yS0; /* [n_species][k]: initial sensitivities for the next run or steady state */
    int have_yS0;
    int paused; /* set up but not computed (ilnet_solver_pause_sensitivities) */
} solver_sens;

/* adjoint gradients (adjoint.c); on == 0: off */
typedef struct {
    int on, inited, ran;
    int failed;         /* setting up the backward problem failed: CVODES keeps it, no retry */
    int which, k;       /* the backward problem (CVodeCreateB), -1 none; its quadratures */
    int dense, dynamic; /* dense backward Jacobian; some rate depends on the state */
    N_Vector yB, qB;
    SUNMatrix A;
    SUNLinearSolver LS;
    double *yS0; /* [k][n_species]: the last run's d y(t0) / d p */
    size_t k_yS0;
    double *u;        /* [n_reactions]: N^T lambda */
    double *jt;       /* dense: J scratch */
    int tight;        /* CVODE's rtol is the adjoint runs' (ilnet_solver_adjoint_tolerances) */
    int *rx_ptr, *rx; /* per parameter the reactions with d k_r / d p_j != 0 (rx_ptr: k + 1) */
} solver_adj;

/* an event scheduled for execution */
typedef struct {
    int event;
    double time;
    long seq;       /* scheduling order */
    double *values; /* assignment values from the trigger time, or NULL */
} ev_pending;

/* event machinery; all zero for a network without events */
typedef struct {
    int n_ev, n_rel;
    int *rel_ptr; /* event e's comparisons: [rel_ptr[e], rel_ptr[e + 1]) */
    /* functions the triggers use that hold comparisons: theirs are root functions too,
     * from fn_off[i] on (after the triggers' own) */
    int n_fn;
    const ilnet_expr **fn_expr;
    int *fn_off;
    double *diff;
    signed char *force;
    int *roots;          /* CVodeGetRootInfo at the last root return */
    int roots_valid;     /* roots belong to the current time */
    unsigned char *prev; /* trigger value after the last look */
    double *vars, *probe, *vals, *ytmp, *fy;
    int max_assign;
    ev_pending *q;
    size_t nq, capq;
    long seq;
    /* SBML: events due at once with equal priorities execute in random order; the
     * generator is seeded at the start of every run, so a run is reproducible */
    gsl_rng *rng;
} ev_state;

struct ilnet_solver {
    const ilnet_network *net;
    ilnet_solver_options opts;
    ilnet_kinetics kin;
    ev_state ev;
    int sparse, gmres;
    struct ilnet_kluprec *prec; /* GMRES: its preconditioner (NULL otherwise) */
    SUNContext ctx;
    void *cvode;
    N_Vector y, work;
    SUNMatrix A;
    SUNLinearSolver LS;
    char cvode_msg[512];
    solver_sens sens;
    solver_adj adj;
    steady_sys *steady; /* built on the first steady state */
};

/* sens.c */
/* After CVodeReInit: the sensitivities' initial values (row 0 of res), CVODES set up. */
int ilnet_solver_sens_begin(ilnet_solver *s, ilnet_result *res, const double *y0,
                            const unsigned char *y0_set);
/* Sensitivities at the time CVODE just returned into row `row` of res. */
int ilnet_solver_sens_store(ilnet_solver *s, ilnet_result *res, size_t row);
void ilnet_solver_sens_free(ilnet_solver *s);
/* out += df/dp_j at state y (kin->vars must hold y's variable vector unless fresh, which
 * evaluates it at t = 0) */
void ilnet_solver_sens_dfdp(ilnet_solver *s, const double *y, int j, double *out, int fresh);

/* d y(t0) / d p_j of the next run into v (n_species): the parameters' initial amounts,
 * a given y0 (independent where y0_set, or everywhere without it), or the values set by
 * ilnet_solver_set_initial_sensitivities */
void ilnet_solver_sens_initial_column(const ilnet_solver *s, int j, const double *y0,
                                      const unsigned char *y0_set, double *v);
/* sum_r d v_r / d p_j * u[r] at state y, over the constant-rate reactions rx[0..nrx) (those
 * with d k_r / d p_j != 0) and the state-dependent ones p_j reaches (kin->vars holding y's
 * variables) */
double ilnet_solver_sens_dfdp_dot(ilnet_solver *s, const double *y, int j, const double *u,
                                  const int *rx, int nrx);

/* adjoint.c */
void ilnet_solver_adjoint_free(ilnet_solver *s);
/* After CVodeReInit of an adjoint run: the initial sensitivities, checkpointing reset. */
int ilnet_solver_adjoint_begin(ilnet_solver *s, const double *y0, const unsigned char *y0_set);
/* CVODE's tolerances for an adjoint run (1) or any other (0) */
int ilnet_solver_adjoint_tolerances(ilnet_solver *s, int adjoint);
/* CVodeF to tout; returns CVODE's flag */
int ilnet_solver_adjoint_step(ilnet_solver *s, double tout, double *t);

/* the seed of every run's event tie-breaking (reproducible runs) */
#define ILNET_EVENT_SEED 20061101UL

#endif

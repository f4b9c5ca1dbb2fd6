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

/* the seed of every run's event tie-breaking (reproducible runs) */
#define ILNET_EVENT_SEED 20061101UL

#endif

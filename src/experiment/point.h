/* One point of an experiment: a worker's own network and solver, set to the point's
 * parameters, integrated through the experiment's protocol onto its output grid. */
#ifndef ILNET_POINT_H
#define ILNET_POINT_H

#include "config.h"
#include "../solver/solver.h"

enum { ILNET_POINT_PENDING = 0, ILNET_POINT_OK = 1, ILNET_POINT_FAILED = -1, ILNET_POINT_BAD = -2 };

/* Statistics columns stored per point. */
enum {
    ILNET_STAT_STEPS,
    ILNET_STAT_RHS,
    ILNET_STAT_JAC,
    ILNET_STAT_LINSETUP,
    ILNET_STAT_ERRFAIL,
    ILNET_STAT_NLITER,
    ILNET_STAT_NLFAIL,
    ILNET_STAT_TREACHED,
    ILNET_STAT_SOLVER, /* seconds inside ilnet_solver_run (CVODE and the model's RHS/Jacobian) */
    ILNET_STAT_WALL,
    ILNET_STAT_COUNT
};
extern const char *const ilnet_stat_names[ILNET_STAT_COUNT];

/* A model set up for one experiment (and dose-response series): the network with the
 * global, experiment and series overrides applied, and a solver for it. */
typedef struct {
    const ilnet_config *cfg;
    const ilnet_config_experiment *exp;
    ilnet_network *net;
    ilnet_solver *solver;
    size_t n_times;
    const double *times; /* the experiment's output grid */
    ilnet_result seg;    /* scratch for one protocol segment */
    double *y, *init_before, *seg_times;
    int *var_param;           /* per varying parameter: index in the network, or -1 */
    int *var_species;         /* per varying name (species dose): species index, or -1 */
    int *var_step;            /* per varying name: the protocol step whose time it is, or -1 */
    double *step_at;          /* per protocol step: its time at this point */
    int *step_order;          /* the steps in time order at this point */
    double *saved;            /* parameter values before pre-equilibration */
    unsigned char *saved_set; /* and whether they were set (or followed their expression) */
    int n_touched;            /* parameters the protocol sets, restored after every point */
    int *touched;
    unsigned char *touched_set;
    double *touched_base;
    /* forward sensitivities (the config's output.sensitivities, k of them): the state's
     * dy/dp [n_species][k] carried across protocol segments, and scratch */
    int k;
    int *sens_which;
    double *yS, *yS_tmp;
    /* the config's output expressions, compiled on this unit's network, and the variable
     * vector they are evaluated on */
    int n_expr;
    struct ilnet_readout **expr; /* the config's output expressions (model/readout.h) */
    double *vars;
} ilnet_point_unit;

/* Loads the model and applies presets and overrides for experiment e, series s (0 when
 * not a dose response). presets may be NULL. */
int ilnet_point_unit_new(ilnet_point_unit **out, const ilnet_config *c,
                         const ilnet_config_experiment *e, int series, const ilnet_presets *presets,
                         const double *times, size_t n_times, const char *const *var_names,
                         int n_vars);
void ilnet_point_unit_free(ilnet_point_unit *u);

typedef struct {
    int status;
    double *observables; /* [n_times][n_observables of the network] */
    double *species;     /* [n_times][n_species] */
    /* with sensitivities: [n_times][n_observables][k] and [n_times][n_species][k] */
    double *obs_sens, *species_sens;
    double *expressions; /* [n_times][the config's n_expr] */
    double stats[ILNET_STAT_COUNT];
    char message[256];
} ilnet_point_out;

/* Runs one point with the varying parameters set to values[n_vars]. Rows not reached are
 * NaN. Returns 0 whatever the point's status (out->status says), or a negative code for a
 * failure that is not the point's (out of memory). */
int ilnet_point_run(ilnet_point_unit *u, const double *values, ilnet_point_out *out);

#endif

/* Study config files (YAML, docs/study.md): a model, shared simulation and output
 * settings, and a list of experiments. ilnet_config_read checks syntax, keys, types and
 * values; ilnet_config_check_names checks every name against the compiled model. Errors
 * are "FILE:LINE:COL: key.path: what is wrong". */
#ifndef ILNET_CONFIG_H
#define ILNET_CONFIG_H

#include "../model/network.h"
#include "../model/presets.h"
#include "../solver/solver.h"
#include "series_expr.h"

#include <stddef.h>

typedef struct {
    int line, col;
} ilnet_config_pos;

/* name: value pairs (parameter overrides, initial amounts, protocol changes) */
typedef struct {
    int n;
    char **names;
    double *values;
    ilnet_config_pos *pos;
    char **paths; /* key path of each entry, for late errors */
} ilnet_config_assign;

/* One dose-response readout: a stored column (an observable, or an output expression) at
 * times, its peak and/or its integral over the output grid. */
typedef struct {
    char *column;
    ilnet_config_pos pos;
    int n_times;
    double *times;
    int peak, integral;
    int normalise;             /* ILNET_NORMALISE_*: per series, over its doses, before the fit */
    ilnet_series_expr *series; /* an expression using max_over_doses(...): evaluated after
                                  the last point from its operands' columns; NULL if none */
} ilnet_config_readout;

enum { ILNET_NORMALISE_NONE, ILNET_NORMALISE_MAX, ILNET_NORMALISE_RANGE };

typedef struct {
    double at;
    ilnet_config_assign set, add;
    ilnet_config_pos pos;
    char *name; /* optional: what a sweep's {step: NAME} varies the time of */
} ilnet_config_step;

typedef struct {
    int has_preeq;
    int preeq_steady; /* to the steady state (ilnet_solver_steady_state), not for a duration */
    double preeq_duration;
    ilnet_config_assign preeq_set;
    int n_steps;
    ilnet_config_step *steps;
} ilnet_config_protocol;

typedef enum {
    ILNET_DESIGN_GRID,
    ILNET_DESIGN_ZIP,
    ILNET_DESIGN_LHS,
    ILNET_DESIGN_SOBOL,
    ILNET_DESIGN_SALTELLI, /* Sobol' indices: n base samples, blocks A, B and A_B^(i) */
    ILNET_DESIGN_FILE      /* the points of a CSV/TSV file, one column per swept quantity */
} ilnet_design;

typedef struct {
    char *name;
    int is_species; /* {species: NAME}: its initial amount, not a parameter */
    int is_step;    /* {step: NAME}: the time of the protocol step of that name */
    int step_index; /* which step (resolved with the model's names) */
    int relative;   /* factor: values (or min/max) multiply the base value before the point */
    int n_values;
    double *values;  /* grid/zip */
    double min, max; /* lhs/sobol */
    int log;
    ilnet_config_pos pos;
    char *path;
} ilnet_config_sweep_param;

typedef enum { ILNET_EXP_TIMECOURSE, ILNET_EXP_SWEEP, ILNET_EXP_DOSE } ilnet_exp_type;

typedef struct {
    char *name;
    int n_presets;
    char **presets;
    ilnet_config_pos *preset_pos;
    ilnet_config_assign params;
    ilnet_config_pos pos;
} ilnet_config_series;

typedef struct {
    char *name;
    ilnet_exp_type type;
    ilnet_config_pos pos;
    char *path; /* "experiments[i]" */
    int n_presets;
    char **presets;
    ilnet_config_pos *preset_pos;
    ilnet_config_assign params;
    ilnet_config_protocol protocol;
    /* sweep */
    ilnet_design design;
    int n_sweep;
    ilnet_config_sweep_param *sweep;
    long n_samples;
    unsigned long seed;
    /* dose response */
    char *dose_name;
    int dose_is_species;
    ilnet_config_pos dose_pos;
    int n_doses;
    double *doses;
    int n_readouts;
    ilnet_config_readout *readouts;
    int n_series;
    ilnet_config_series *series;
} ilnet_config_experiment;

/* type: fit: a PEtab problem fitted (ilnet fit, docs/fitting.md) after the study's other
 * experiments, into its own fit file beside the study file, which links to it. */
typedef struct {
    char *name, *path; /* its key path, experiments[i] */
    ilnet_config_pos pos;
    char *problem; /* the PEtab problem's YAML, resolved against the config */
    ilnet_config_pos problem_pos;
    long starts, seed, max_iter; /* 0: ilnet fit's defaults */
    char *optimizer;             /* NULL: auto */
    char *gradient;              /* NULL: auto; "forward" or "adjoint" */
    char *profile;               /* "all" or ids joined by commas; NULL: none */
    long profile_points;
    int hierarchical; /* 0 the default, 1 required, -1 never (ilnet_fit_run_options) */
    int include_nominal;
    double atol, rtol; /* 0: the defaults */
} ilnet_config_fit;

typedef struct {
    char *path;      /* the config file */
    char *text;      /* its whole text */
    char *dir;       /* its directory */
    char *model;     /* resolved model path */
    char *model_arg; /* as written */
    ilnet_config_pos model_pos;
    char *presets_file; /* resolved, or NULL for the default beside the model */
    int n_presets;
    char **presets;
    ilnet_config_pos *preset_pos;
    ilnet_config_assign params, initial;
    /* simulation */
    size_t n_times;
    double *times; /* output grid, increasing; times[0] = t_start */
    ilnet_config_pos times_pos;
    ilnet_solver_options solver;
    /* output */
    /* units: {time: UNIT, NAME: UNIT, ...}: labels for time and for observables, output
     * expressions and parameters, written beside them in the study file */
    char *time_units;
    ilnet_config_pos time_units_pos;
    int n_units;
    char **unit_names, **unit_texts;
    ilnet_config_pos *unit_pos;
    char *output;
    int all_observables;
    int n_observables;
    char **observables;
    ilnet_config_pos *observable_pos;
    int species_mode; /* 0 none, 1 all, 2 list */
    int n_species;
    char **species;
    ilnet_config_pos *species_pos;
    /* forward sensitivities of the stored observables (and species) w.r.t. these
     * parameters or species (initial amounts), per point */
    int n_sens;
    char **sens;
    ilnet_config_pos *sens_pos;
    /* output.expressions (and readouts' expression:): stored beside the observables, each
     * evaluated at every output time from the state and the point's parameters */
    int n_expr;
    char **expr_names, **expr_texts;
    char **expr_paths; /* where each was given: output.expressions.NAME or a readout's key */
    ilnet_config_pos *expr_pos;
    int compression;
    int n_experiments;
    ilnet_config_experiment *experiments;
    int n_fits; /* experiments of type fit, kept apart: the study runner does not see them */
    ilnet_config_fit *fits;
} ilnet_config;

int ilnet_config_read(ilnet_config *out, const char *path);
void ilnet_config_free(ilnet_config *c);
/* Checks parameter, species, observable and preset names against the compiled model
 * and its presets (NULL when the model has none). Species names written with their
 * components in another order are rewritten to the network's spelling. */
int ilnet_config_check_names(ilnet_config *c, const ilnet_network *net,
                             const ilnet_presets *presets);
/* Error at a config position: "FILE:LINE:COL: path: message"; returns ILNET_EINPUT. */
/* Appends name = value with its key path and position. */
int ilnet_config_assign_append(ilnet_config_assign *a, const char *name, double value,
                               const char *path, ilnet_config_pos pos);
/* Sets name to value in a (replacing an entry for it, else appending one whose key path is
 * path and position line 0: errors about it then name only the path). */
int ilnet_config_assign_put(ilnet_config_assign *a, const char *name, double value,
                            const char *path);
/* Reports "FILE:LINE:COL: PATH: message", or "PATH: message" for line 0 (a value that came
 * from the command line, not the file). */
int ilnet_config_error(const ilnet_config *c, ilnet_config_pos pos, const char *path,
                       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif

/* PEtab v1 estimation problems (https://petab.readthedocs.io): a YAML file tying an SBML
 * model (or, an ilnet extension, a .bngl/.net model) to a conditions table, a measurements
 * table, an observables table and a parameters table. petab_read.c reads and checks them
 * (errors "FILE:ROW: column: id: message", ROW the line in the file); petab_eval.c simulates
 * every condition and evaluates the log-likelihood. */
#ifndef ILNET_PETAB_H
#define ILNET_PETAB_H

#include "../common/strmap.h"
#include "../common/tsv.h"
#include "../model/expr.h"
#include "../model/network.h"
#include "../model/sbml/sbml.h"

#include <stddef.h>

enum { PETAB_LIN, PETAB_LOG, PETAB_LOG10 }; /* scales and transformations */
enum { PETAB_NORMAL, PETAB_LAPLACE };       /* noise distributions */
enum {
    PETAB_PRIOR_NONE,
    PETAB_PRIOR_NORMAL,
    PETAB_PRIOR_LAPLACE,
    PETAB_PRIOR_UNIFORM,
    PETAB_PRIOR_LOGNORMAL,
    PETAB_PRIOR_LOGLAPLACE
};

typedef struct {
    char *id;
    int scale;                    /* PETAB_LIN/LOG/LOG10 */
    double lower, upper, nominal; /* linear scale */
    int estimate;
    int prior, prior_on_scale; /* objectivePriorType; parameterScale* priors: on the scale */
    double prior_par[2];
    int inner; /* parameterType: PETAB_INNER_* (0: an ordinary parameter) */
    int line;
} petab_parameter;

/* observation parameters computed in closed form at each evaluation (petab_inner.c) */
enum { PETAB_INNER_NONE, PETAB_INNER_SCALING, PETAB_INNER_OFFSET, PETAB_INNER_SIGMA };

typedef struct {
    char *id, *formula, *noise;
    int transform, dist;
    int n_obs_par, n_noise_par; /* placeholders observableParameterN_id / noiseParameterN_id */
    int line;
} petab_observable;

/* a value given in a table cell: a number, or a parameter-table id (par >= 0), or none (NaN
 * or empty) */
typedef struct {
    double value;
    int par; /* index into parameters, or -1 */
    int none;
} petab_value;

typedef struct {
    int obs, sim, preeq; /* indices into observables and conditions; preeq -1: none */
    double time, value;
    petab_value *obs_par, *noise_par;
    int n_obs_par, n_noise_par;
    int line;
} petab_measurement;

/* what a condition-table column sets */
enum { PETAB_TARGET_PARAMETER, PETAB_TARGET_SPECIES };
typedef struct {
    char *id;
    int kind;  /* PETAB_TARGET_* (compartments are model parameters) */
    int index; /* network parameter or species index */
} petab_column;

typedef struct {
    char *yaml_path, *model_path;
    ilnet_sbml_symbols syms; /* SBML models: ids -> amount/concentration expressions */
    int is_sbml;
    ilnet_network *net; /* the model as read (the evaluator copies it per condition) */
    petab_parameter *par;
    size_t n_par;
    petab_observable *obs;
    size_t n_obs;
    char **cond_id;
    size_t n_cond;
    petab_column *col;
    size_t n_col;
    petab_value *cond; /* n_cond x n_col */
    petab_measurement *meas;
    size_t n_meas;
    char *cond_file, *meas_file, *obs_file, *par_file;
    /* names formulas may use besides the parameter table: SBML ids (species as
     * concentrations unless hasOnlySubstanceUnits), or a .net/.bngl model's parameters,
     * species and observables; sym_expr[i] is the expression over network variables */
    char **sym, **sym_expr;
    size_t n_sym;
    /* evaluation state (petab_eval.c): per condition its network and solver, built on
     * first use; the observables' compiled formulas */
    struct petab_cond_net *cn;
    ilnet_expr **obs_expr, **noise_expr;
    double atol, rtol; /* of the solvers in cn */
    int gradient;      /* the evaluation under way computes one */
    int *cond_line;
    ilnet_strmap par_ids, obs_ids, cond_ids;
    /* inner parameters (parameterType): how many, and per measurement the parameter-table
     * row of its inner scaling, offset and sigma (-1: none) */
    size_t n_inner;
    int *inner_s, *inner_b, *inner_sig;
} ilnet_petab;

/* Reads and checks a PEtab v1 problem (a single problem in the YAML file). */
int ilnet_petab_read(ilnet_petab **out, const char *yaml_path);
void ilnet_petab_free(ilnet_petab *p);

/* A linear value on a parameterScale (PETAB_LIN/LOG/LOG10), and back. */
double petab_to_scale(int scale, double x);
double petab_from_scale(int scale, double t);
/* "lin", "log", "log10": the scale's name in PEtab tables */
const char *petab_scale_name(int scale);

/* The value of a cell for parameter values x (linear scale, one per parameter-table row). */
double petab_value_get(const petab_value *v, const double *x);

typedef struct {
    double llh;  /* log-likelihood of the data (priors not included) */
    double chi2; /* sum of squared weighted residuals */
    double log_prior;
    double *sim;        /* per measurement: the simulated observable (untransformed) */
    double *sigma;      /* per measurement: the noise parameter */
    double *grad;       /* with gradients: d llh / d parameter on its scale (0 if not estimated) */
    double *prior_grad; /* with gradients: d log_prior / d parameter on its scale */
    /* with ILNET_PETAB_RESIDUALS: per measurement (h(m) - h(y)) / sigma, h the transformation,
     * and with gradients too, d residual_i / d parameter_j on its scale (n_meas x n_par) */
    double *residual, *res_jac;
    double *logsig_jac; /* with res_jac: d log sigma_i / d parameter_j on its scale */
    int status;         /* 0, or ILNET_ESOLVER (llh = -inf) */
    char message[1024];
    size_t adjoint_pairs; /* condition pairs whose gradient came from the adjoint method */
} ilnet_petab_result;

/* Simulates every condition at parameter values x (linear scale; NULL: the nominal values)
 * and evaluates the objective; what: ILNET_PETAB_GRADIENT, also d llh / d parameter (on the
 * parameter's scale) of every estimated parameter, from forward sensitivities;
 * ILNET_PETAB_RESIDUALS, the weighted residuals (and their Jacobian with the gradient).
 * Returns 0, ILNET_ESOLVER (with r->status and r->message), or an input error. */
enum { ILNET_PETAB_GRADIENT = 1, ILNET_PETAB_RESIDUALS = 2, ILNET_PETAB_ADJOINT = 4 };
/* ILNET_PETAB_ADJOINT with ILNET_PETAB_GRADIENT (and without residuals, whose Jacobian
 * needs forward sensitivities): the gradient of the condition pairs without
 * preequilibration or steady-state measurements by the adjoint method (one backward run
 * per pair, whatever the number of parameters); the others by forward sensitivities. */
int ilnet_petab_evaluate(ilnet_petab_result *r, ilnet_petab *p, const double *x, double atol,
                         double rtol, int what);
/* The same on n_threads worker threads, each with its own copy of the problem (ps[t], read
 * from the same file: networks and solvers are not shared); the condition pairs are dealt
 * round-robin, the results are those of one thread. */
int ilnet_petab_evaluate_parallel(ilnet_petab_result *r, ilnet_petab *const *ps, int n_threads,
                                  const double *x, double atol, double rtol, int what);
/* The same with the inner parameters (parameterType scaling, offset, sigma) at their
 * closed-form optimum for the simulations at x: x (linear values of every row) is updated
 * with them; the gradient is the llh's with them at the optimum (0 for the inner ones). A
 * problem without inner parameters is evaluated as ilnet_petab_evaluate_parallel does. */
int ilnet_petab_evaluate_inner(ilnet_petab_result *r, ilnet_petab *const *ps, int n_threads,
                               double *x, double atol, double rtol, int what);
/* the error for --hierarchical on a problem without parameterType (ILNET_EINPUT) */
int petab_inner_none(const ilnet_petab *p);
void ilnet_petab_result_free(ilnet_petab_result *r);
/* the distinct (preequilibration, simulation) pairs: what worker threads share out */
size_t ilnet_petab_pair_count(const ilnet_petab *p);
/* The simulations as a PEtab measurements-style table (column "simulation"). */
int ilnet_petab_write_simulations(const ilnet_petab *p, const ilnet_petab_result *r,
                                  const char *path);

#endif

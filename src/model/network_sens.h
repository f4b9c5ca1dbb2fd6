/* Exact derivatives of a compiled network's quantities with respect to chosen sensitivity
 * parameters, for forward sensitivities and steady-state sensitivities. A sensitivity
 * parameter is a model parameter -- base or derived: a derived one is then varied as if
 * set directly, and every parameter, rate and initial amount defined from it follows by the
 * chain rule -- or the initial amount of one species. Derivatives come from the compiled
 * expressions (ilnet_expr_eval_dual), never from differences. */
#ifndef ILNET_NETWORK_SENS_H
#define ILNET_NETWORK_SENS_H

#include "network.h"

typedef struct {
    int k;        /* number of sensitivity parameters */
    int *which;   /* parameter index >= 0, or -(species + 1) for an initial amount */
    double *dpar; /* [k][n_params]: d parameter_i / d p_j */
    double *dy0;  /* [k][n_species]: d initial amount_i / d p_j */
    double *dk;   /* [k][n_reactions]: d k_r / d p_j (0 for rates that depend on the state) */
    /* per column j, the reactions with state-dependent rates that p_j reaches (through
     * derived parameters and functions): dyn_list[dyn_ptr[j] .. dyn_ptr[j+1]) */
    int *dyn_ptr, *dyn_list;
    double *vars;  /* scratch, var_count */
    double *dvars; /* scratch, var_count */
    const ilnet_network *net;
} ilnet_sens_params;

/* Names (parameters, or species for their initial amounts) -> which[]; "all" is not
 * handled here. An unknown name is ILNET_EINPUT naming it. */
int ilnet_sens_resolve(int *which, const ilnet_network *net, const char *const *names, int k);
int ilnet_sens_params_init(ilnet_sens_params *sp, const ilnet_network *net, const int *which,
                           int k);
void ilnet_sens_params_free(ilnet_sens_params *sp);
/* Recomputes dpar, dy0 and dk at the network's current parameter values. */
int ilnet_sens_params_update(ilnet_sens_params *sp);
/* Label of sensitivity parameter j: the parameter's or the species' name. */
const char *ilnet_sens_params_name(const ilnet_sens_params *sp, int j);

/* dvars for direction j (or, j < 0, no parameter direction) and species direction dy (NULL:
 * none), given vars = ilnet_network_vars_eval at the state: parameters from dpar,
 * observables by their weights, functions by the chain rule, time 0. */
void ilnet_network_vars_dual(const ilnet_sens_params *sp, int j, const double *vars,
                             const double *dy, double *dvars);
/* Fills the function entries of dvars from the other entries (vars: values at the state). */
void ilnet_network_functions_dual(const ilnet_network *net, const double *vars, double *dvars);

#endif

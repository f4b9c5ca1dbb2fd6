/* Kinetics compiled from a network into flat arrays: the right-hand side dy/dt = N v(t, y)
 * and its Jacobian, dense or sparse (CSC). Used by the solver. Rates are mass action,
 * v_r = k_r * product of reactant amounts, or general, v_r = k_r (an SBML kinetic law); a
 * dynamic reaction's k_r is an expression of observables, species and time re-evaluated at
 * every call. The Jacobian is analytic: in the mass-action amounts, and dk_r/d(input) by
 * forward-mode differentiation of the rate expression and the functions it uses, then the
 * chain rule through the observable weights. */
#ifndef ILNET_KINETICS_H
#define ILNET_KINETICS_H

#include "../model/network.h"

typedef struct {
    int n_species, n_reactions;
    /* reactants of reaction r: react[react_ptr[r] .. react_ptr[r+1]) */
    int *react_ptr, *react;
    /* net stoichiometry, CSC by reaction (fixed species left out) */
    const int *st_ptr, *st_row;
    const double *st_val;
    double *k; /* rate constants, refreshed from the network before each run */

    /* Jacobian terms: for each (reaction, distinct reactant) pair t, partial derivative
     * d v_r / d y_j multiplied by coef[] added into data[pos[]] over [term_ptr[t], ...). */
    int n_terms;
    int *term_rxn, *term_species, *term_mult, *term_ptr;
    double *term_coef;
    int *term_pos_dense, *term_pos_sparse;

    /* dynamic rate laws */
    const ilnet_network *net;
    int n_dyn;
    int *dyn_rxn;               /* n_dyn reaction indices */
    int *dyn_obs_ptr, *dyn_obs; /* inputs (observable or species variables) of each one */
    double *vars, *dk;          /* variable vector; dk per (dyn, observable) entry */
    double *dvars;              /* directional derivatives of vars (eval_dk) */
    int n_x;                    /* Jacobian entries through observables */
    int *x_dk, *x_rxn;          /* index into dk, reaction */
    double *x_coef;             /* stoichiometric coefficient * observable weight */
    int *x_pos_dense, *x_pos_sparse;
    int *x_row, *x_col;

    /* Sparse Jacobian pattern (CSC, diagonal always present). */
    int nnz;
    int *col_ptr, *row_idx;
} ilnet_kinetics;

int ilnet_kinetics_init(ilnet_kinetics *kin, const ilnet_network *net);
void ilnet_kinetics_free(ilnet_kinetics *kin);
/* Copies the network's current rate constants. */
void ilnet_kinetics_refresh(ilnet_kinetics *kin, const ilnet_network *net);
void ilnet_kinetics_rhs(ilnet_kinetics *kin, double t, const double *y, double *dydt);
/* Fills a column-major dense n x n matrix (zeroed here). */
void ilnet_kinetics_jac_dense(ilnet_kinetics *kin, double t, const double *y, double *data);
/* Fills the data array (nnz) of the CSC pattern col_ptr/row_idx (zeroed here). */
void ilnet_kinetics_jac_sparse(ilnet_kinetics *kin, double t, const double *y, double *data);

/* out[j] = J(t, y) * v[j] for j < nv (each n_species long; out zeroed here): the forward
 * sensitivity equations' Jacobian products, without forming J. */
void ilnet_kinetics_jac_times(ilnet_kinetics *kin, double t, const double *y, int nv,
                              const double *const *v, double *const *out);

/* out = J(t, y)^T v (out zeroed here): the adjoint equations' right-hand side, without
 * forming J. */
void ilnet_kinetics_jac_transpose_times(ilnet_kinetics *kin, double t, const double *y,
                                        const double *v, double *out);

#endif

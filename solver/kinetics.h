/* Mass-action kinetics compiled from a network into flat arrays: the right-hand side
 * dy/dt = N v(y) and its analytic Jacobian, dense or sparse (CSC). Used by the solver. */
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

    /* Sparse Jacobian pattern (CSC, diagonal always present). */
    int nnz;
    int *col_ptr, *row_idx;
} ilnet_kinetics;

int ilnet_kinetics_init(ilnet_kinetics *kin, const ilnet_network *net);
void ilnet_kinetics_free(ilnet_kinetics *kin);
/* Copies the network's current rate constants. */
void ilnet_kinetics_refresh(ilnet_kinetics *kin, const ilnet_network *net);
void ilnet_kinetics_rhs(const ilnet_kinetics *kin, const double *y, double *dydt);
/* Fills a column-major dense n x n matrix (zeroed here). */
void ilnet_kinetics_jac_dense(const ilnet_kinetics *kin, const double *y, double *data);
/* Fills the data array (nnz) of the CSC pattern col_ptr/row_idx (zeroed here). */
void ilnet_kinetics_jac_sparse(const ilnet_kinetics *kin, const double *y, double *data);

#endif

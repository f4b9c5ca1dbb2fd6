/* The steady-state system F(y) = 0 (steady.c): one equation per species, the rates f(y)
 * except that the leading species of each conservation law has its row replaced by the law,
 * c . y - c . y0, and a fixed species by y - y0, so F's Jacobian is nonsingular at an
 * isolated steady state of y0's conservation class. Built once per solver (steady_sys.c:
 * the rows, the Jacobian's pattern, KINSOL and its linear solver) and reused. */
#ifndef ILNET_STEADY_SYS_H
#define ILNET_STEADY_SYS_H

#include "../model/conservation.h"
#include "solver_impl.h"

#include <sundials/sundials_linearsolver.h>
#include <sundials/sundials_matrix.h>
#include <sundials/sundials_nvector.h>

struct steady_sys {
    ilnet_solver *s;
    int n, sparse;
    ilnet_conservation cons;
    int *role; /* per species: -1 its rate, >= 0 the conservation law it stands for, -2 fixed */
    int n_fixed, *lead; /* lead[l]: the species law l stands for */
    double *total;      /* per law: c . y0 */
    const double *y0;
    double *f, *w; /* scratch: rates, weights */
    /* Jacobian: dense, or CSC with the kinetics' entries mapped (map[e] = position or -1)
     * and the laws' (law_pos per law term) and fixed species' (fixed_pos) entries added */
    int nnz, *col_ptr, *row_idx, *map, *law_pos, *fixed_pos;
    double *kdata;
    SUNMatrix A;
    SUNLinearSolver LS;
    void *kin;
    N_Vector u, uscale, fscale, constraints;
    char msg[512];
};

int steady_sys_new(steady_sys **out, ilnet_solver *s);
void steady_sys_free(steady_sys *q);
/* Sets y0 (the conservation totals and fixed amounts come from it). */
void steady_sys_set_y0(steady_sys *q, const double *y0);
/* F(y) into F (n). */
void steady_sys_residual(steady_sys *q, const double *y, double *F);
/* F's Jacobian at y into q->A. */
void steady_sys_jacobian(steady_sys *q, const double *y);
/* Newton from y (in place); 0 when KINSOL converged, *iters its iterations. */
int steady_sys_newton(steady_sys *q, double *y, long max_iters, double atol, double rtol,
                      long *iters);
/* Weighted RMS of dy/dt / (atol + rtol |y|) over the species. */
double steady_sys_wrms(steady_sys *q, const double *y, double atol, double rtol);
/* 1 when stable (or too large to check), 0 with the offending eigenvalue in *re, *im. */
int steady_sys_stable(steady_sys *q, const double *y, double *re, double *im);

#endif

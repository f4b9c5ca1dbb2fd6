/* A KLU factorisation of the Newton matrix P = I - gamma J as the preconditioner of a Krylov
 * solver (CVODE's SPGMR): refactored only when CVODE evaluates a new Jacobian or gamma has
 * moved far from the gamma P was built with. A direct solver must refactor at every gamma
 * change (the Newton iteration needs I - gamma J exactly); GMRES solves with the exact
 * matrix through Jacobian-vector products and needs P only to be close, so most
 * refactorisations -- 70-85 % of the time on large networks -- are saved. */
#ifndef ILNET_PRECOND_KLU_H
#define ILNET_PRECOND_KLU_H

#include "kinetics.h"

typedef struct ilnet_kluprec ilnet_kluprec;

/* The pattern of kin's sparse Jacobian (its diagonal always present). */
int ilnet_kluprec_new(ilnet_kluprec **out, const ilnet_kinetics *kin);
void ilnet_kluprec_free(ilnet_kluprec *p);
/* CVODE's psetup: a new J at (t, y) unless jok (then *jcur = 0 and J is reused), and P
 * refactored unless J was reused and gamma is within the reuse band of P's gamma. Returns 0,
 * or 1 (recoverable: a singular P) */
int ilnet_kluprec_setup(ilnet_kluprec *p, ilnet_kinetics *kin, double t, const double *y, int jok,
                        int *jcur, double gamma);
/* z = P^-1 r (z may be r) */
int ilnet_kluprec_solve(ilnet_kluprec *p, const double *r, double *z);
/* Jacobians evaluated (new J at a setup without jok) */
long ilnet_kluprec_jac_evals(const ilnet_kluprec *p);
void ilnet_kluprec_reset_jac_evals(ilnet_kluprec *p); /* p may be NULL */

#endif

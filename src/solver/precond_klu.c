/* KLU preconditioner for CVODE's Krylov solvers (precond_klu.h). */
#include "precond_klu.h"

#include "../common/error.h"

#include <klu.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* P is kept while gamma stays within this factor of the gamma it was built with. Measured
 * with bench_reference (fceri_fyn, fceri_ji, egfr_net): a band of 3 refactored 1.3x as
 * often for 1.3x the time on fceri_fyn; 10 and unlimited were equal; GMRES absorbs the
 * mismatch in an iteration or two. */
#define GAMMA_BAND 10.0

struct ilnet_kluprec {
    int n, nnz;
    const int *Ap, *Ai; /* the Jacobian's pattern (kin's), shared by P */
    int *diag;          /* position of (j, j) in column j */
    double *Jx, *Px;
    double gamma; /* P's */
    klu_common common;
    klu_symbolic *sym;
    klu_numeric *num;
    long factorisations, jac_evals;
};

int ilnet_kluprec_new(ilnet_kluprec **out, const ilnet_kinetics *kin)
{
    *out = NULL;
    ilnet_kluprec *p = calloc(1, sizeof *p);
    if (!p) return ilnet_error_oom();
    p->n = kin->n_species;
    p->nnz = kin->nnz;
    p->Ap = kin->col_ptr;
    p->Ai = kin->row_idx;
    p->diag = malloc(((size_t)p->n + 1) * sizeof *p->diag);
    p->Jx = calloc((size_t)p->nnz + 1, sizeof *p->Jx);
    p->Px = calloc((size_t)p->nnz + 1, sizeof *p->Px);
    if (!p->diag || !p->Jx || !p->Px) {
        ilnet_kluprec_free(p);
        return ilnet_error_oom();
    }
    for (int j = 0; j < p->n; j++) {
        p->diag[j] = -1;
        for (int e = p->Ap[j]; e < p->Ap[j + 1]; e++)
            if (p->Ai[e] == j) p->diag[j] = e;
        if (p->diag[j] < 0) {
            ilnet_kluprec_free(p);
            return ilnet_error_set(ILNET_EINTERNAL, "Jacobian pattern lacks diagonal entry %d", j);
        }
    }
    klu_defaults(&p->common);
    p->common.ordering = 0; /* AMD: less fill than COLAMD on reaction networks */
    p->sym = klu_analyze(p->n, (int *)p->Ap, (int *)p->Ai, &p->common);
    if (!p->sym) {
        int status = p->common.status;
        ilnet_kluprec_free(p);
        return ilnet_error_set(ILNET_EINTERNAL, "klu_analyze failed (status %d)", status);
    }
    *out = p;
    return 0;
}

void ilnet_kluprec_free(ilnet_kluprec *p)
{
    if (!p) return;
    if (p->num) klu_free_numeric(&p->num, &p->common);
    if (p->sym) klu_free_symbolic(&p->sym, &p->common);
    free(p->diag);
    free(p->Jx);
    free(p->Px);
    free(p);
}

/* P = I - gamma J, factored: numerically refactored with the pivots of the last full
 * factorisation while they stay good, else factored afresh */
static int factor(ilnet_kluprec *p, double gamma)
{
    for (int e = 0; e < p->nnz; e++)
        p->Px[e] = -gamma * p->Jx[e];
    for (int j = 0; j < p->n; j++)
        p->Px[p->diag[j]] += 1.0;
    p->gamma = gamma;
    p->factorisations++;
    if (p->num && klu_refactor((int *)p->Ap, (int *)p->Ai, p->Px, p->sym, p->num, &p->common) &&
        klu_rcond(p->sym, p->num, &p->common) && p->common.rcond > 1e-10)
        return 0;
    if (p->num) klu_free_numeric(&p->num, &p->common);
    p->num = klu_factor((int *)p->Ap, (int *)p->Ai, p->Px, p->sym, &p->common);
    if (p->num) return 0;
    /* singular: recoverable (CVODE retries with a new Jacobian or a smaller step); out of
     * memory or anything else: fatal */
    return p->common.status == KLU_SINGULAR ? 1 : -1;
}

int ilnet_kluprec_setup(ilnet_kluprec *p, ilnet_kinetics *kin, double t, const double *y, int jok,
                        int *jcur, double gamma)
{
    if (!jok) {
        ilnet_kinetics_jac_sparse(kin, t, y, p->Jx);
        p->jac_evals++;
        *jcur = 1;
    } else {
        *jcur = 0;
        double ratio = p->gamma > 0 ? gamma / p->gamma : INFINITY;
        if (p->num && ratio < GAMMA_BAND && ratio > 1.0 / GAMMA_BAND) return 0;
    }
    return factor(p, gamma);
}

int ilnet_kluprec_solve(ilnet_kluprec *p, const double *r, double *z)
{
    if (z != r) memcpy(z, r, (size_t)p->n * sizeof *z);
    return klu_solve(p->sym, p->num, p->n, 1, z, &p->common) ? 0 : -1;
}

long ilnet_kluprec_jac_evals(const ilnet_kluprec *p)
{
    return p ? p->jac_evals : 0;
}

void ilnet_kluprec_reset_jac_evals(ilnet_kluprec *p)
{
    if (p) p->jac_evals = 0;
}

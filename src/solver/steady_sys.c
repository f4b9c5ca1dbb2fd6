#include "steady_sys.h"

#include "../common/error.h"

#include <gsl/gsl_complex_math.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <kinsol/kinsol.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#define STABILITY_MAX 600 /* species: the dense eigenvalue check beyond costs seconds */

static int kin_ok(int flag, const char *call)
{
    return flag >= 0 ? 0 : ilnet_error_set(ILNET_EINTERNAL, "%s failed with flag %d", call, flag);
}

void steady_sys_set_y0(steady_sys *q, const double *y0)
{
    q->y0 = y0;
    for (size_t l = 0; l < q->cons.n_laws; l++)
        q->total[l] = ilnet_conservation_eval(&q->cons.laws[l], y0);
}

void steady_sys_residual(steady_sys *q, const double *y, double *F)
{
    ilnet_kinetics_rhs(&q->s->kin, 0.0, y, F);
    for (int i = 0; i < q->n; i++) {
        if (q->role[i] >= 0)
            F[i] = ilnet_conservation_eval(&q->cons.laws[q->role[i]], y) - q->total[q->role[i]];
        else if (q->role[i] == -2)
            F[i] = y[i] - q->y0[i];
    }
}

/* rows replaced in a dense column-major Jacobian */
static void dense_rows(steady_sys *q, double *J)
{
    size_t n = (size_t)q->n;
    for (size_t i = 0; i < n; i++) {
        if (q->role[i] == -1) continue;
        for (size_t c = 0; c < n; c++)
            J[c * n + i] = 0;
        if (q->role[i] == -2) {
            J[i * n + i] = 1;
            continue;
        }
        const ilnet_conservation_law *law = &q->cons.laws[q->role[i]];
        for (int t = 0; t < law->n_terms; t++)
            J[(size_t)law->species[t] * n + i] += law->coef[t];
    }
}

void steady_sys_jacobian(steady_sys *q, const double *y)
{
    ilnet_kinetics *kin = &q->s->kin;
    if (!q->sparse) {
        ilnet_kinetics_jac_dense(kin, 0.0, y, SM_DATA_D(q->A));
        dense_rows(q, SM_DATA_D(q->A));
        return;
    }
    ilnet_kinetics_jac_sparse(kin, 0.0, y, q->kdata);
    sunindextype *ptr = SM_INDEXPTRS_S(q->A), *idx = SM_INDEXVALS_S(q->A);
    double *data = SM_DATA_S(q->A);
    for (int j = 0; j <= q->n; j++)
        ptr[j] = q->col_ptr[j];
    for (int e = 0; e < q->nnz; e++) {
        idx[e] = q->row_idx[e];
        data[e] = 0;
    }
    for (int e = 0; e < kin->nnz; e++)
        if (q->map[e] >= 0) data[q->map[e]] += q->kdata[e];
    int p = 0;
    for (size_t l = 0; l < q->cons.n_laws; l++)
        for (int t = 0; t < q->cons.laws[l].n_terms; t++)
            data[q->law_pos[p++]] += q->cons.laws[l].coef[t];
    for (int i = 0, f = 0; i < q->n; i++)
        if (q->role[i] == -2) data[q->fixed_pos[f++]] = 1;
}

struct cr {
    int col, row;
};

static int cmp_cr(const void *a, const void *b)
{
    const struct cr *x = a, *y = b;
    if (x->col != y->col) return x->col < y->col ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int find_pos(const steady_sys *q, int row, int col)
{
    for (int e = q->col_ptr[col]; e < q->col_ptr[col + 1]; e++)
        if (q->row_idx[e] == row) return e;
    return -1;
}

/* The sparse pattern: the kinetics' entries in rows that keep their rate, the laws' and
 * the fixed species' entries, the diagonal. */
static int sparse_pattern(steady_sys *q)
{
    const ilnet_kinetics *kin = &q->s->kin;
    size_t cap = (size_t)kin->nnz + (size_t)q->n + 1, np = 0;
    for (size_t l = 0; l < q->cons.n_laws; l++)
        cap += (size_t)q->cons.laws[l].n_terms;
    struct cr *e = malloc(cap * sizeof *e);
    q->col_ptr = calloc((size_t)q->n + 1, sizeof *q->col_ptr);
    q->map = malloc(((size_t)kin->nnz + 1) * sizeof *q->map);
    q->law_pos = malloc(cap * sizeof *q->law_pos);
    q->fixed_pos = malloc(((size_t)q->n + 1) * sizeof *q->fixed_pos);
    q->kdata = malloc(((size_t)kin->nnz + 1) * sizeof *q->kdata);
    q->row_idx = malloc(cap * sizeof *q->row_idx);
    if (!e || !q->col_ptr || !q->map || !q->law_pos || !q->fixed_pos || !q->kdata || !q->row_idx) {
        free(e);
        return ilnet_error_oom();
    }
    for (int c = 0; c < q->n; c++)
        for (int k = kin->col_ptr[c]; k < kin->col_ptr[c + 1]; k++)
            if (q->role[kin->row_idx[k]] == -1) e[np++] = (struct cr){c, kin->row_idx[k]};
    for (int i = 0; i < q->n; i++) {
        e[np++] = (struct cr){i, i};
        if (q->role[i] >= 0) {
            const ilnet_conservation_law *law = &q->cons.laws[q->role[i]];
            for (int t = 0; t < law->n_terms; t++)
                e[np++] = (struct cr){law->species[t], i};
        }
    }
    qsort(e, np, sizeof *e, cmp_cr);
    int nu = 0;
    for (size_t k = 0; k < np; k++)
        if (!nu || cmp_cr(&e[k], &e[nu - 1])) e[nu++] = e[k];
    for (int k = 0; k < nu; k++) {
        q->row_idx[k] = e[k].row;
        q->col_ptr[e[k].col + 1]++;
    }
    for (int c = 0; c < q->n; c++)
        q->col_ptr[c + 1] += q->col_ptr[c];
    q->nnz = nu;
    free(e);
    for (int c = 0; c < q->n; c++)
        for (int k = kin->col_ptr[c]; k < kin->col_ptr[c + 1]; k++)
            q->map[k] = q->role[kin->row_idx[k]] == -1 ? find_pos(q, kin->row_idx[k], c) : -1;
    int p = 0;
    for (size_t l = 0; l < q->cons.n_laws; l++) /* the order steady_sys_jacobian reads */
        for (int t = 0; t < q->cons.laws[l].n_terms; t++)
            q->law_pos[p++] = find_pos(q, q->lead[l], q->cons.laws[l].species[t]);
    for (int i = 0, f = 0; i < q->n; i++)
        if (q->role[i] == -2) q->fixed_pos[f++] = find_pos(q, i, i);
    return 0;
}

/* which species stands for which law: the law's leading species (coefficient 1, in no
 * other law) */
static int assign_roles(steady_sys *q)
{
    const ilnet_network *net = q->s->net;
    for (int i = 0; i < q->n; i++) {
        q->role[i] = ilnet_network_species(net, (size_t)i)->fixed ? -2 : -1;
        q->n_fixed += q->role[i] == -2;
    }
    for (size_t l = 0; l < q->cons.n_laws; l++) {
        const ilnet_conservation_law *law = &q->cons.laws[l];
        int lead = -1;
        for (int t = 0; t < law->n_terms && lead < 0; t++) {
            int sp = law->species[t], other = 0;
            for (size_t m = 0; m < q->cons.n_laws && !other; m++)
                for (int u = 0; m != l && u < q->cons.laws[m].n_terms; u++)
                    other |= q->cons.laws[m].species[u] == sp;
            if (law->coef[t] == 1 && !other && q->role[sp] == -1) lead = sp;
        }
        if (lead < 0)
            return ilnet_error_set(ILNET_EINTERNAL, "conservation law %zu has no leading species",
                                   l + 1);
        q->role[lead] = (int)l;
        q->lead[l] = lead;
    }
    return 0;
}

static int kin_residual(N_Vector u, N_Vector fv, void *user)
{
    steady_sys_residual(user, N_VGetArrayPointer(u), N_VGetArrayPointer(fv));
    return 0;
}

static int kin_jacobian(N_Vector u, N_Vector fu, SUNMatrix J, void *user, N_Vector t1, N_Vector t2)
{
    (void)fu, (void)J, (void)t1, (void)t2;
    steady_sys_jacobian(user, N_VGetArrayPointer(u));
    return 0;
}

static void kin_err(int code, const char *module, const char *function, char *msg, void *user)
{
    (void)module;
    steady_sys *q = user;
    if (code < 0) snprintf(q->msg, sizeof q->msg, "%s: %s", function, msg);
}

static int setup_kinsol(steady_sys *q)
{
    SUNContext ctx = q->s->ctx;
    int n = q->n, rc;
    q->u = N_VNew_Serial(n, ctx);
    q->uscale = N_VNew_Serial(n, ctx);
    q->fscale = N_VNew_Serial(n, ctx);
    q->constraints = N_VNew_Serial(n, ctx);
    if (!q->u || !q->uscale || !q->fscale || !q->constraints) return ilnet_error_oom();
    if (q->sparse) {
        q->A = SUNSparseMatrix(n, n, q->nnz, CSC_MAT, ctx);
        q->LS = q->A ? SUNLinSol_KLU(q->u, q->A, ctx) : NULL;
    } else {
        q->A = SUNDenseMatrix(n, n, ctx);
        q->LS = q->A ? SUNLinSol_Dense(q->u, q->A, ctx) : NULL;
    }
    if (!q->A || !q->LS) return ilnet_error_set(ILNET_EINTERNAL, "cannot create the linear solver");
    if (!(q->kin = KINCreate(ctx))) return ilnet_error_oom();
    if ((rc = kin_ok(KINSetErrHandlerFn(q->kin, kin_err, q), "KINSetErrHandlerFn")) ||
        (rc = kin_ok(KINInit(q->kin, kin_residual, q->u), "KINInit")) ||
        (rc = kin_ok(KINSetUserData(q->kin, q), "KINSetUserData")) ||
        (rc = kin_ok(KINSetLinearSolver(q->kin, q->LS, q->A), "KINSetLinearSolver")) ||
        (rc = kin_ok(KINSetJacFn(q->kin, kin_jacobian), "KINSetJacFn")) ||
        (rc = kin_ok(KINSetMaxSetupCalls(q->kin, 1), "KINSetMaxSetupCalls")))
        return rc;
    /* No constraints u >= 0: near-zero species made KINSOL cut every step to a sliver
     * (fceri_ji: 100 iterations without converging); a solution with an amount negative
     * beyond the tolerance is rejected afterwards (steady.c) instead. */
    return 0;
}

int steady_sys_new(steady_sys **out, ilnet_solver *s)
{
    steady_sys *q = calloc(1, sizeof *q);
    if (!q) return ilnet_error_oom();
    q->s = s;
    q->n = s->kin.n_species;
    q->sparse = s->sparse;
    int rc = ilnet_conservation_analyze(&q->cons, s->net);
    size_t nl = q->cons.n_laws;
    q->role = malloc(((size_t)q->n + 1) * sizeof *q->role);
    q->total = calloc(nl + 1, sizeof *q->total);
    q->lead = calloc(nl + 1, sizeof *q->lead);
    q->f = malloc(((size_t)q->n + 1) * sizeof *q->f);
    q->w = malloc(((size_t)q->n + 1) * sizeof *q->w);
    if (!rc && (!q->role || !q->total || !q->lead || !q->f || !q->w)) rc = ilnet_error_oom();
    if (!rc) rc = assign_roles(q);
    if (!rc && q->sparse) rc = sparse_pattern(q);
    if (!rc) rc = setup_kinsol(q);
    if (rc) {
        steady_sys_free(q);
        return rc;
    }
    *out = q;
    return 0;
}

void steady_sys_free(steady_sys *q)
{
    if (!q) return;
    if (q->kin) KINFree(&q->kin);
    if (q->LS) SUNLinSolFree(q->LS);
    if (q->A) SUNMatDestroy(q->A);
    N_Vector v[] = {q->u, q->uscale, q->fscale, q->constraints};
    for (int i = 0; i < 4; i++)
        if (v[i]) N_VDestroy(v[i]);
    ilnet_conservation_free(&q->cons);
    free(q->role);
    free(q->total);
    free(q->lead);
    free(q->f);
    free(q->w);
    free(q->col_ptr);
    free(q->row_idx);
    free(q->map);
    free(q->law_pos);
    free(q->fixed_pos);
    free(q->kdata);
    free(q);
}

double steady_sys_wrms(steady_sys *q, const double *y, double atol, double rtol)
{
    ilnet_kinetics_rhs(&q->s->kin, 0.0, y, q->f);
    double s = 0;
    for (int i = 0; i < q->n; i++) {
        double v = q->f[i] / (atol + rtol * fabs(y[i]));
        s += v * v;
    }
    return q->n ? sqrt(s / q->n) : 0;
}

int steady_sys_newton(steady_sys *q, double *y, long max_iters, double atol, double rtol,
                      long *iters)
{
    double *u = N_VGetArrayPointer(q->u), *us = N_VGetArrayPointer(q->uscale);
    double *fs = N_VGetArrayPointer(q->fscale);
    /* residual rows in units of the state tolerance: a rate row per unit time, a law row
     * like an amount */
    for (int i = 0; i < q->n; i++) {
        u[i] = y[i] < 0 && !ilnet_network_allows_negative(q->s->net) ? 0 : y[i];
        us[i] = fs[i] = 1 / (atol + rtol * fabs(y[i]));
    }
    q->msg[0] = '\0';
    *iters = 0;
    if (kin_ok(KINSetNumMaxIters(q->kin, max_iters), "KINSetNumMaxIters") ||
        kin_ok(KINSetFuncNormTol(q->kin, 1e-3), "KINSetFuncNormTol") ||
        kin_ok(KINSetScaledStepTol(q->kin, 1e-12), "KINSetScaledStepTol"))
        return -1;
    int flag = KINSol(q->kin, q->u, KIN_LINESEARCH, q->uscale, q->fscale);
    long it = 0;
    if (KINGetNumNonlinSolvIters(q->kin, &it) >= 0) *iters = it;
    if (flag < 0) {
        if (!q->msg[0]) snprintf(q->msg, sizeof q->msg, "KINSOL flag %d", flag);
        return -1;
    }
    memcpy(y, u, (size_t)q->n * sizeof *y);
    return 0;
}

/* Eigenvalues of dy/dt's Jacobian: the laws' and fixed species' directions give zeros,
 * the n_laws + n_fixed eigenvalues smallest in modulus are set aside, and the state is
 * stable when every other one has a real part <= 1e-9 of the largest modulus. */
int steady_sys_stable(steady_sys *q, const double *y, double *re, double *im)
{
    size_t n = (size_t)q->n, skip = q->cons.n_laws + (size_t)q->n_fixed;
    if (n == 0 || n > STABILITY_MAX || skip >= n) return 1;
    gsl_matrix *J = gsl_matrix_alloc(n, n);
    gsl_vector_complex *ev = gsl_vector_complex_alloc(n);
    gsl_eigen_nonsymm_workspace *ws = gsl_eigen_nonsymm_alloc(n);
    double *d = malloc(n * n * sizeof *d);
    int stable = 1;
    if (J && ev && ws && d) {
        ilnet_kinetics_jac_dense(&q->s->kin, 0.0, y, d); /* column-major */
        for (size_t i = 0; i < n; i++)
            for (size_t c = 0; c < n; c++)
                gsl_matrix_set(J, i, c, d[c * n + i]);
        if (gsl_eigen_nonsymm(J, ev, ws) == GSL_SUCCESS) {
            double big = 0;
            for (size_t k = 0; k < n; k++)
                big = fmax(big, gsl_complex_abs(gsl_vector_complex_get(ev, k)));
            /* set aside the `skip` smallest moduli: repeatedly the smallest not yet taken */
            unsigned char *aside = calloc(n, 1);
            for (size_t s = 0; aside && s < skip; s++) {
                size_t best = n;
                for (size_t k = 0; k < n; k++)
                    if (!aside[k] &&
                        (best == n || gsl_complex_abs(gsl_vector_complex_get(ev, k)) <
                                          gsl_complex_abs(gsl_vector_complex_get(ev, best))))
                        best = k;
                aside[best] = 1;
            }
            for (size_t k = 0; aside && k < n; k++) {
                gsl_complex z = gsl_vector_complex_get(ev, k);
                if (!aside[k] && GSL_REAL(z) > 1e-9 * big && (stable || GSL_REAL(z) > *re)) {
                    stable = 0;
                    *re = GSL_REAL(z);
                    *im = GSL_IMAG(z);
                }
            }
            free(aside);
        }
    }
    free(d);
    if (ws) gsl_eigen_nonsymm_free(ws);
    if (ev) gsl_vector_complex_free(ev);
    if (J) gsl_matrix_free(J);
    return stable;
}

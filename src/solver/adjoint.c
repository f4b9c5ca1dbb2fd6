/* Adjoint gradients (CVODES adjoint sensitivity analysis): the derivative of an objective
 * J = sum_i g_i(y(t_i)) with respect to the sensitivity parameters at the cost of one
 * forward run with checkpoints and one backward run, whatever their number -- where
 * forward sensitivities cost a corrector per parameter at every step.
 *
 * With lambda' = -J_f^T lambda integrated from the last measurement back to t0, lambda
 * jumping by dg_i/dy at every t_i, and the quadratures q_j' = -lambda^T df/dp_j:
 *   dJ/dp_j = q_j(t0) + lambda(t0)^T dy(t0)/dp_j.
 * The backward Jacobian -J_f^T is J_f's CSC arrays read as a CSR matrix (KLU solves the
 * transposed system), or the transposed dense matrix. */
#include "../common/error.h"
#include "nvector_fast.h"
#include "solver_impl.h"

#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

/* steps between checkpoints: each segment keeps every step (Hermite interpolation) */
#define ADJ_CHECKPOINT_STEPS 250
/* lambda's absolute tolerance, relative to the largest jump times rtol */
#define ADJ_ATOL_FACTOR 1e-2
/* The forward run of an adjoint gradient integrates at rtol / 10: forward sensitivities
 * control their own error, which shortens the steps, and the adjoint gradient is only as
 * good as the interpolated forward solution (Bachmann 2011 at rtol 1e-8: 0.7 % of the
 * gradient's norm off at rtol, 0.02 % at rtol / 10, for about the same time). */
#define ADJ_RTOL_FACTOR 0.1

static int cv_ok(int flag, const char *call)
{
    return flag >= 0 ? 0 : ilnet_error_set(ILNET_EINTERNAL, "%s failed with flag %d", call, flag);
}

static int rhs_b(sunrealtype t, N_Vector y, N_Vector yB, N_Vector yBdot, void *user)
{
    ilnet_solver *s = user;
    double *out = N_VGetArrayPointer(yBdot);
    ilnet_kinetics_jac_transpose_times(&s->kin, t, N_VGetArrayPointer(y), N_VGetArrayPointer(yB),
                                       out);
    for (int i = 0; i < s->kin.n_species; i++)
        out[i] = -out[i];
    return 0;
}

static int jac_b(sunrealtype t, N_Vector y, N_Vector yB, N_Vector fyB, SUNMatrix JB, void *user,
                 N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)yB, (void)fyB, (void)t1, (void)t2, (void)t3;
    ilnet_solver *s = user;
    int n = s->kin.n_species;
    if (s->adj.dense) {
        double *J = s->adj.jt, *B = SM_DATA_D(JB);
        ilnet_kinetics_jac_dense(&s->kin, t, N_VGetArrayPointer(y), J);
        for (int c = 0; c < n; c++)
            for (int r = 0; r < n; r++)
                B[(size_t)c * (size_t)n + (size_t)r] = -J[(size_t)r * (size_t)n + (size_t)c];
        return 0;
    }
    /* J's CSC arrays are the CSR arrays of J^T; CVODE clears the pattern before the call */
    sunindextype *ptr = SM_INDEXPTRS_S(JB), *idx = SM_INDEXVALS_S(JB);
    for (int j = 0; j <= n; j++)
        ptr[j] = s->kin.col_ptr[j];
    for (int e = 0; e < s->kin.nnz; e++)
        idx[e] = s->kin.row_idx[e];
    double *d = SM_DATA_S(JB);
    ilnet_kinetics_jac_sparse(&s->kin, t, N_VGetArrayPointer(y), d);
    for (int e = 0; e < s->kin.nnz; e++)
        d[e] = -d[e];
    return 0;
}

static int quad_b(sunrealtype t, N_Vector y, N_Vector yB, N_Vector qBdot, void *user)
{
    ilnet_solver *s = user;
    const ilnet_kinetics *kin = &s->kin;
    const double *yy = N_VGetArrayPointer(y), *lam = N_VGetArrayPointer(yB);
    double *u = s->adj.u, *q = N_VGetArrayPointer(qBdot);
    for (int r = 0; r < kin->n_reactions; r++) { /* u = N^T lambda */
        double acc = 0;
        for (int p = kin->st_ptr[r]; p < kin->st_ptr[r + 1]; p++)
            acc += kin->st_val[p] * lam[kin->st_row[p]];
        u[r] = acc;
    }
    if (s->adj.dynamic) ilnet_network_vars_eval(s->net, t, yy, s->kin.vars);
    const solver_adj *a = &s->adj;
    for (int j = 0; j < s->sens.k; j++)
        q[j] = -ilnet_solver_sens_dfdp_dot(s, yy, j, u, a->rx + a->rx_ptr[j],
                                           a->rx_ptr[j + 1] - a->rx_ptr[j]);
    return 0;
}

/* after CVodeFree, which frees the checkpoints and the backward problem */
void ilnet_solver_adjoint_free(ilnet_solver *s)
{
    solver_adj *a = &s->adj;
    int on = a->on;
    if (a->LS) SUNLinSolFree(a->LS);
    if (a->A) SUNMatDestroy(a->A);
    if (a->yB) N_VDestroy(a->yB);
    if (a->qB) N_VDestroy(a->qB);
    free(a->yS0);
    free(a->u);
    free(a->jt);
    free(a->rx_ptr);
    free(a->rx);
    memset(a, 0, sizeof *a);
    a->which = -1;
    a->on = on;
}

int ilnet_solver_set_adjoint(ilnet_solver *s, int on)
{
    if (on && s->ev.n_ev)
        return ilnet_error_set(ILNET_EINPUT,
                               "adjoint gradients of models with events are not supported yet "
                               "(%d event(s))",
                               s->ev.n_ev);
    s->adj.on = on != 0;
    s->adj.ran = 0;
    return on || !s->cvode ? 0 : ilnet_solver_adjoint_tolerances(s, 0);
}

int ilnet_solver_adjoint_active(const ilnet_solver *s)
{
    return s->adj.on && s->sens.k > 0 && !s->sens.paused && s->cvode;
}

/* CVodeCreateB and the rest of the backward problem's setup; which and k published last */
static int create_backward(ilnet_solver *s, int k)
{
    solver_adj *a = &s->adj;
    int n = s->kin.n_species, rc;
    ilnet_nvector_use_fast_ops(a->yB);
    ilnet_nvector_use_fast_ops(a->qB);
    N_VConst(0.0, a->yB);
    N_VConst(0.0, a->qB);
    int which = -1;
    rc = cv_ok(CVodeCreateB(s->cvode, CV_BDF, &which), "CVodeCreateB");
    if (!rc) rc = cv_ok(CVodeInitB(s->cvode, which, rhs_b, 0.0, a->yB), "CVodeInitB");
    if (rc) return rc;
    if ((rc = cv_ok(CVodeSetUserDataB(s->cvode, which, s), "CVodeSetUserDataB")) ||
        (rc = cv_ok(CVodeSStolerancesB(s->cvode, which, s->opts.rtol, s->opts.atol),
                    "CVodeSStolerancesB")) ||
        (rc = cv_ok(CVodeSetMaxNumStepsB(s->cvode, which, s->opts.max_steps),
                    "CVodeSetMaxNumStepsB")))
        return rc;
    if (a->dense) {
        a->A = SUNDenseMatrix(n, n, s->ctx);
        a->LS = a->A ? SUNLinSol_Dense(a->yB, a->A, s->ctx) : NULL;
    } else {
        a->A = SUNSparseMatrix(n, n, s->kin.nnz, CSR_MAT, s->ctx);
        a->LS = a->A ? SUNLinSol_KLU(a->yB, a->A, s->ctx) : NULL;
    }
    if (!a->A || !a->LS) return ilnet_error_set(ILNET_ENOMEM, "adjoint: cannot create its solver");
    if ((rc =
             cv_ok(CVodeSetLinearSolverB(s->cvode, which, a->LS, a->A), "CVodeSetLinearSolverB")) ||
        (rc = cv_ok(CVodeSetJacFnB(s->cvode, which, jac_b), "CVodeSetJacFnB")) ||
        (rc = cv_ok(CVodeQuadInitB(s->cvode, which, quad_b, a->qB), "CVodeQuadInitB")) ||
        (rc = cv_ok(CVodeQuadSStolerancesB(s->cvode, which, s->opts.rtol,
                                           fmax(s->opts.atol, s->opts.rtol * 1e-4)),
                    "CVodeQuadSStolerancesB")) ||
        (rc = cv_ok(CVodeSetQuadErrConB(s->cvode, which, SUNTRUE), "CVodeSetQuadErrConB")))
        return rc;
    a->which = which;
    a->k = k;
    return 0;
}

/* the backward problem's memory, once per solver (its quadratures sized for k) */
static int setup_backward(ilnet_solver *s)
{
    solver_adj *a = &s->adj;
    int n = s->kin.n_species, k = s->sens.k, rc = 0;
    if (a->failed)
        return ilnet_error_set(ILNET_EINTERNAL, "adjoint: the backward problem could not be set "
                                                "up earlier (a new solver is needed)");
    if (a->which >= 0 && a->k == k) return 0;
    if (a->which >= 0) /* set_sensitivities refuses a new k once quadratures exist */
        return ilnet_error_set(ILNET_EINTERNAL, "adjoint: the number of parameters changed");
    if (!a->yB) a->yB = N_VNew_Serial(n, s->ctx);
    if (!a->qB) a->qB = N_VNew_Serial(k, s->ctx);
    if (!a->u) a->u = malloc(((size_t)s->kin.n_reactions + 1) * sizeof *a->u);
    a->dense = !s->sparse;
    if (a->dense && !a->jt) a->jt = malloc((size_t)n * (size_t)n * sizeof *a->jt);
    if (!a->yB || !a->qB || !a->u || (a->dense && !a->jt)) return ilnet_error_oom();
    rc = create_backward(s, k);
    a->failed = rc != 0; /* CVODES keeps a backward problem once created: no second try */
    return rc;
}

/* per parameter, the reactions whose constant rate it moves (d k_r / d p_j != 0 at the
 * current values): the quadratures' loops */
static int rate_lists(ilnet_solver *s)
{
    solver_adj *a = &s->adj;
    size_t k = (size_t)s->sens.k, nr = (size_t)s->kin.n_reactions, cnt = 0;
    const double *dk = s->sens.sp.dk;
    for (size_t e = 0; e < k * nr; e++)
        cnt += dk[e] != 0;
    free(a->rx_ptr);
    free(a->rx);
    a->rx_ptr = malloc((k + 1) * sizeof *a->rx_ptr);
    a->rx = malloc((cnt + 1) * sizeof *a->rx);
    if (!a->rx_ptr || !a->rx) return ilnet_error_oom();
    int q = 0;
    for (size_t j = 0; j < k; j++) {
        a->rx_ptr[j] = q;
        for (size_t r = 0; r < nr; r++)
            if (dk[j * nr + r] != 0) a->rx[q++] = (int)r;
    }
    a->rx_ptr[k] = q;
    return 0;
}

int ilnet_solver_adjoint_begin(ilnet_solver *s, const double *y0, const unsigned char *y0_set)
{
    solver_adj *a = &s->adj;
    size_t n = (size_t)s->kin.n_species, k = (size_t)s->sens.k;
    int rc = 0;
    a->ran = 0;
    if (a->k_yS0 != k) {
        free(a->yS0);
        a->yS0 = malloc((k * n + 1) * sizeof *a->yS0);
        if (!a->yS0) return ilnet_error_oom();
        a->k_yS0 = k;
    }
    for (size_t j = 0; j < k; j++)
        ilnet_solver_sens_initial_column(s, (int)j, y0, y0_set, a->yS0 + j * n);
    s->sens.have_yS0 = 0;
    if ((rc = rate_lists(s))) return rc;
    a->dynamic = 0;
    for (size_t j = 0; j < k; j++)
        a->dynamic |= s->sens.sp.dyn_ptr[j] != s->sens.sp.dyn_ptr[j + 1];
    if (!a->inited) {
        rc = cv_ok(CVodeAdjInit(s->cvode, ADJ_CHECKPOINT_STEPS, CV_HERMITE), "CVodeAdjInit");
        a->inited = !rc;
    } else {
        rc = cv_ok(CVodeAdjReInit(s->cvode), "CVodeAdjReInit");
    }
    return rc;
}

int ilnet_solver_adjoint_tolerances(ilnet_solver *s, int adjoint)
{
    if (s->adj.tight == adjoint) return 0;
    s->adj.tight = adjoint;
    double rtol = s->opts.rtol * (adjoint ? ADJ_RTOL_FACTOR : 1);
    return cv_ok(CVodeSStolerances(s->cvode, rtol, s->opts.atol), "CVodeSStolerances");
}

int ilnet_solver_adjoint_step(ilnet_solver *s, double tout, double *t)
{
    int ncheck = 0;
    sunrealtype tret = *t;
    int flag = CVodeF(s->cvode, tout, s->y, &tret, CV_NORMAL, &ncheck);
    *t = tret;
    return flag;
}

/* integrate the backward problem to t (< its current time) and add its quadratures */
static int backward_to(ilnet_solver *s, double t, double *grad)
{
    solver_adj *a = &s->adj;
    int flag = CVodeB(s->cvode, t, CV_NORMAL);
    if (flag < 0)
        return ilnet_error_set(ILNET_ESOLVER, "adjoint integration failed at t = %g: %s", t,
                               s->cvode_msg[0] ? s->cvode_msg : CVodeGetReturnFlagName(flag));
    sunrealtype tret;
    int rc = cv_ok(CVodeGetB(s->cvode, a->which, &tret, a->yB), "CVodeGetB");
    if (!rc) rc = cv_ok(CVodeGetQuadB(s->cvode, a->which, &tret, a->qB), "CVodeGetQuadB");
    const double *q = N_VGetArrayPointer(a->qB);
    for (int j = 0; !rc && j < a->k; j++)
        grad[j] += q[j];
    return rc;
}

static int restart_backward(ilnet_solver *s, double t)
{
    solver_adj *a = &s->adj;
    N_VConst(0.0, a->qB);
    int rc = cv_ok(CVodeReInitB(s->cvode, a->which, t, a->yB), "CVodeReInitB");
    return rc ? rc : cv_ok(CVodeQuadReInitB(s->cvode, a->which, a->qB), "CVodeQuadReInitB");
}

static int row_nonzero(const double *g, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (g[i] != 0) return 1;
    return 0;
}

int ilnet_solver_adjoint_gradient(ilnet_solver *s, const ilnet_result *res, const double *G,
                                  double *grad)
{
    solver_adj *a = &s->adj;
    size_t n = (size_t)s->kin.n_species, k = (size_t)s->sens.k, last = res->n_times;
    memset(grad, 0, k * sizeof *grad);
    if (!n) return 0; /* nothing to integrate: no state, no dependence */
    if (!a->ran || res->n_done != res->n_times || !res->n_times)
        return ilnet_error_set(ILNET_EINPUT, "adjoint gradient without a completed adjoint run");
    while (last > 0 && !row_nonzero(G + (last - 1) * n, n))
        last--;
    if (!k) return 0;
    if (last <= 1) { /* nothing after t0: the initial state's term alone */
        for (size_t j = 0; last && j < k; j++)
            for (size_t i = 0; i < n; i++)
                grad[j] += G[i] * a->yS0[j * n + i];
        return 0;
    }
    int rc = setup_backward(s);
    if (rc) return rc;
    /* lambda's scale is that of the jumps, not of the state: an absolute tolerance
     * relative to the largest jump keeps the gradient to about rtol */
    double gmax = 0;
    for (size_t e = 0; e < last * n; e++)
        gmax = fmax(gmax, fabs(G[e]));
    double atol_b = gmax * s->opts.rtol * ADJ_ATOL_FACTOR;
    if ((rc = cv_ok(CVodeSStolerancesB(s->cvode, a->which, s->opts.rtol, atol_b),
                    "CVodeSStolerancesB")))
        return rc;
    double *lam = N_VGetArrayPointer(a->yB);
    memcpy(lam, G + (last - 1) * n, n * sizeof *lam);
    double tb = res->times[last - 1];
    if ((rc = restart_backward(s, tb))) return rc;
    for (size_t row = last - 1; row-- > 0;) {
        const double *g = G + row * n;
        int jump = row_nonzero(g, n);
        if (!jump && row > 0) continue;
        if (res->times[row] < tb) {
            if ((rc = backward_to(s, res->times[row], grad))) return rc;
            tb = res->times[row];
        }
        for (size_t i = 0; i < n; i++)
            lam[i] += g[i];
        if (row > 0 && (rc = restart_backward(s, tb))) return rc;
    }
    for (size_t j = 0; j < k; j++) /* the initial state's dependence on p_j */
        for (size_t i = 0; i < n; i++)
            grad[j] += lam[i] * a->yS0[j * n + i];
    return 0;
}

#include "solver.h"

#include "../common/error.h"
#include "kinetics.h"
#include "nvector_fast.h"

#include <cvode/cvode.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

struct ilnet_solver {
    const ilnet_network *net;
    ilnet_solver_options opts;
    ilnet_kinetics kin;
    int sparse;
    SUNContext ctx;
    void *cvode;
    N_Vector y, work;
    SUNMatrix A;
    SUNLinearSolver LS;
    char cvode_msg[512];
};

static int rhs_fn(realtype t, N_Vector y, N_Vector ydot, void *user)
{
    (void)t;
    ilnet_solver *s = user;
    ilnet_kinetics_rhs(&s->kin, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
}

static int jac_dense_fn(realtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user, N_Vector t1,
                        N_Vector t2, N_Vector t3)
{
    (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
    ilnet_solver *s = user;
    ilnet_kinetics_jac_dense(&s->kin, t, N_VGetArrayPointer(y), SM_DATA_D(J));
    return 0;
}

static int jac_sparse_fn(realtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user, N_Vector t1,
                         N_Vector t2, N_Vector t3)
{
    (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
    ilnet_solver *s = user;
    int n = s->kin.n_species;
    /* CVODE zeroes the whole sparse matrix, pattern included, before calling us. */
    sunindextype *ptr = SM_INDEXPTRS_S(J), *idx = SM_INDEXVALS_S(J);
    for (int j = 0; j <= n; j++)
        ptr[j] = s->kin.col_ptr[j];
    for (int e = 0; e < s->kin.nnz; e++)
        idx[e] = s->kin.row_idx[e];
    ilnet_kinetics_jac_sparse(&s->kin, t, N_VGetArrayPointer(y), SM_DATA_S(J));
    return 0;
}

static void err_handler(int code, const char *module, const char *function, char *msg, void *user)
{
    (void)module;
    ilnet_solver *s = user;
    if (code < 0) snprintf(s->cvode_msg, sizeof s->cvode_msg, "%s: %s", function, msg);
}

static int cv_check(int flag, const char *call)
{
    if (flag >= 0) return 0;
    return ilnet_error_set(ILNET_EINTERNAL, "%s failed with flag %d", call, flag);
}

void ilnet_solver_free(ilnet_solver *s)
{
    if (!s) return;
    if (s->cvode) CVodeFree(&s->cvode);
    if (s->LS) SUNLinSolFree(s->LS);
    if (s->A) SUNMatDestroy(s->A);
    if (s->y) N_VDestroy(s->y);
    if (s->work) N_VDestroy(s->work);
    if (s->ctx) SUNContext_Free(&s->ctx);
    ilnet_kinetics_free(&s->kin);
    free(s);
}

static int setup_cvode(ilnet_solver *s)
{
    int n = s->kin.n_species;
    int rc = cv_check(SUNContext_Create(NULL, &s->ctx), "SUNContext_Create");
    if (rc) return rc;
    s->y = N_VNew_Serial(n, s->ctx);
    s->work = N_VNew_Serial(n, s->ctx);
    if (!s->y || !s->work) return ilnet_error_set(ILNET_ENOMEM, "cannot allocate vectors");
    ilnet_nvector_use_fast_ops(s->y);
    N_VConst(0.0, s->y);
    s->cvode = CVodeCreate(CV_BDF, s->ctx);
    if (!s->cvode) return ilnet_error_set(ILNET_ENOMEM, "CVodeCreate failed");
    if ((rc = cv_check(CVodeSetErrHandlerFn(s->cvode, err_handler, s), "CVodeSetErrHandlerFn")))
        return rc;
    if ((rc = cv_check(CVodeInit(s->cvode, rhs_fn, 0.0, s->y), "CVodeInit"))) return rc;
    if ((rc = cv_check(CVodeSetUserData(s->cvode, s), "CVodeSetUserData"))) return rc;
    if (s->sparse) {
        s->A = SUNSparseMatrix(n, n, s->kin.nnz, CSC_MAT, s->ctx);
        if (!s->A) return ilnet_error_set(ILNET_ENOMEM, "cannot allocate sparse Jacobian");
        s->LS = SUNLinSol_KLU(s->y, s->A, s->ctx);
        if (!s->LS) return ilnet_error_set(ILNET_EINTERNAL, "SUNLinSol_KLU failed");
        /* AMD ordering gives less fill-in than the default COLAMD on these networks */
        if ((rc = cv_check(SUNLinSol_KLUSetOrdering(s->LS, 0), "SUNLinSol_KLUSetOrdering")))
            return rc;
    } else {
        s->A = SUNDenseMatrix(n, n, s->ctx);
        if (!s->A) return ilnet_error_set(ILNET_ENOMEM, "cannot allocate dense Jacobian");
        s->LS = SUNLinSol_Dense(s->y, s->A, s->ctx);
        if (!s->LS) return ilnet_error_set(ILNET_EINTERNAL, "SUNLinSol_Dense failed");
    }
    if ((rc = cv_check(CVodeSetLinearSolver(s->cvode, s->LS, s->A), "CVodeSetLinearSolver")))
        return rc;
    if ((rc = cv_check(CVodeSetJacFn(s->cvode, s->sparse ? jac_sparse_fn : jac_dense_fn),
                       "CVodeSetJacFn")))
        return rc;
    if ((rc = cv_check(CVodeSStolerances(s->cvode, s->opts.rtol, s->opts.atol),
                       "CVodeSStolerances")))
        return rc;
    /* Each linear-solver setup is a full KLU refactorisation (about 70 % of the time on
     * large networks); refreshing every 50 steps instead of CVODE's 20 saved 20 % on
     * egfr_net and fceri_fyn in benchmarks/bench_reference with no loss of accuracy. */
    if ((rc = cv_check(CVodeSetLSetupFrequency(s->cvode, 50), "CVodeSetLSetupFrequency")))
        return rc;
    return cv_check(CVodeSetMaxNumSteps(s->cvode, s->opts.max_steps), "CVodeSetMaxNumSteps");
}

int ilnet_solver_new(ilnet_solver **out, const ilnet_network *net, const ilnet_solver_options *opts)
{
    *out = NULL;
    ilnet_solver_options o = ILNET_SOLVER_OPTIONS_INIT;
    if (opts) o = *opts;
    if (!(o.atol > 0) || !(o.rtol > 0) || !isfinite(o.atol) || !isfinite(o.rtol))
        return ilnet_error_set(ILNET_EINPUT, "tolerances must be positive (atol %g, rtol %g)",
                               o.atol, o.rtol);
    if (o.max_steps <= 0)
        return ilnet_error_set(ILNET_EINPUT, "max steps must be positive (%ld)", o.max_steps);
    ilnet_solver *s = calloc(1, sizeof *s);
    if (!s) return ilnet_error_set(ILNET_ENOMEM, "out of memory creating the solver");
    s->net = net;
    s->opts = o;
    int rc = ilnet_kinetics_init(&s->kin, net);
    if (rc) {
        free(s);
        return rc;
    }
    int n = s->kin.n_species;
    s->sparse = o.linsol == ILNET_LINSOL_KLU || (o.linsol == ILNET_LINSOL_AUTO && n > o.dense_max);
    if (!s->sparse && (long)n * n > 0x7fffffffL) {
        ilnet_solver_free(s);
        return ilnet_error_set(ILNET_EINPUT, "%d species is too many for the dense solver", n);
    }
    if (n > 0 && (rc = setup_cvode(s))) {
        ilnet_solver_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

const char *ilnet_solver_linsol_name(const ilnet_solver *s)
{
    return s->sparse ? "klu" : "dense";
}

const ilnet_solver_options *ilnet_solver_options_get(const ilnet_solver *s)
{
    return &s->opts;
}

int ilnet_linsol_parse(ilnet_linsol *out, const char *name)
{
    if (!strcmp(name, "auto"))
        *out = ILNET_LINSOL_AUTO;
    else if (!strcmp(name, "dense"))
        *out = ILNET_LINSOL_DENSE;
    else if (!strcmp(name, "klu"))
        *out = ILNET_LINSOL_KLU;
    else
        return ilnet_error_set(ILNET_EINPUT, "unknown linear solver '%s' (auto, dense or klu)",
                               name);
    return 0;
}

void ilnet_result_linear_times(ilnet_result *res, double t0, double t_end)
{
    size_t n = res->n_times;
    for (size_t i = 0; i < n; i++)
        res->times[i] = i + 1 == n ? t_end : t0 + (t_end - t0) * (double)i / (double)(n - 1);
    if (n) res->times[0] = t0;
}

void ilnet_result_free(ilnet_result *res)
{
    free(res->times);
    free(res->species);
    free(res->observables);
    memset(res, 0, sizeof *res);
}

int ilnet_result_init(ilnet_result *res, const ilnet_network *net, size_t n_times)
{
    memset(res, 0, sizeof *res);
    res->n_times = n_times;
    res->n_species = ilnet_network_species_count(net);
    res->n_observables = ilnet_network_observable_count(net);
    res->times = calloc(n_times + 1, sizeof(double));
    res->species = calloc(n_times * res->n_species + 1, sizeof(double));
    res->observables = calloc(n_times * res->n_observables + 1, sizeof(double));
    if (!res->times || !res->species || !res->observables) {
        ilnet_result_free(res);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory for %zu output rows", n_times);
    }
    return 0;
}

static void store_row(ilnet_solver *s, ilnet_result *res, size_t row, const double *y)
{
    if (res->n_species && y)
        memcpy(res->species + row * res->n_species, y, res->n_species * sizeof *y);
    ilnet_network_observables_eval(s->net, y, res->observables + row * res->n_observables);
    res->n_done = row + 1;
}

static void collect_stats(ilnet_solver *s, ilnet_result *res)
{
    long v;
    ilnet_solver_stats *st = &res->stats;
    if (!s->cvode) return;
    if (CVodeGetNumSteps(s->cvode, &v) >= 0) st->steps = v;
    if (CVodeGetNumRhsEvals(s->cvode, &v) >= 0) st->rhs_evals = v;
    if (CVodeGetNumJacEvals(s->cvode, &v) >= 0) st->jac_evals = v;
    if (CVodeGetNumLinSolvSetups(s->cvode, &v) >= 0) st->lin_setups = v;
    if (CVodeGetNumErrTestFails(s->cvode, &v) >= 0) st->err_test_fails = v;
    if (CVodeGetNumNonlinSolvIters(s->cvode, &v) >= 0) st->nonlin_iters = v;
    if (CVodeGetNumNonlinSolvConvFails(s->cvode, &v) >= 0) st->nonlin_conv_fails = v;
    realtype h, t;
    if (CVodeGetLastStep(s->cvode, &h) >= 0) st->last_step = h;
    if (CVodeGetCurrentTime(s->cvode, &t) >= 0) st->t_reached = t;
}

/* Names the species with the largest weighted local error estimates. */
static void describe_failure(ilnet_solver *s, ilnet_result *res, int flag, double t)
{
    int n = s->kin.n_species;
    char dom[512] = "";
    if (CVodeGetEstLocalErrors(s->cvode, s->work) >= 0) {
        double *ele = N_VGetArrayPointer(s->work);
        N_Vector w = N_VClone(s->work);
        if (w && CVodeGetErrWeights(s->cvode, w) >= 0) {
            double *ew = N_VGetArrayPointer(w);
            int top[3] = {-1, -1, -1};
            double val[3] = {0, 0, 0};
            for (int i = 0; i < n; i++) {
                double e = fabs(ele[i] * ew[i]);
                for (int k = 0; k < 3; k++)
                    if (top[k] < 0 || e > val[k]) {
                        for (int m = 2; m > k; m--)
                            top[m] = top[m - 1], val[m] = val[m - 1];
                        top[k] = i, val[k] = e;
                        break;
                    }
            }
            size_t len = 0;
            for (int k = 0; k < 3 && top[k] >= 0 && len < sizeof dom; k++) {
                int w = snprintf(dom + len, sizeof dom - len, "%s%s (%.3g)", k ? ", " : "",
                                 ilnet_network_species(s->net, top[k])->name, val[k]);
                if (w > 0) len += (size_t)w;
            }
        }
        if (w) N_VDestroy(w);
    }
    snprintf(res->message, sizeof res->message,
             "CVODE failed at t = %.10g (flag %d: %s); largest weighted local errors: %s", t, flag,
             s->cvode_msg[0] ? s->cvode_msg : CVodeGetReturnFlagName(flag),
             dom[0] ? dom : "unavailable");
}

int ilnet_solver_run(ilnet_solver *s, ilnet_result *res, const double *y0)
{
    int n = s->kin.n_species;
    res->status = 0;
    res->cvode_flag = 0;
    res->n_done = 0;
    res->message[0] = '\0';
    memset(&res->stats, 0, sizeof res->stats);
    if (res->n_times == 0) return 0;
    for (size_t i = 1; i < res->n_times; i++)
        if (!(res->times[i] >= res->times[i - 1]) || !isfinite(res->times[i]))
            return ilnet_error_set(ILNET_EINPUT,
                                   "output times must be finite and increasing "
                                   "(time %zu is %g after %g)",
                                   i, res->times[i], res->times[i - 1]);
    ilnet_kinetics_refresh(&s->kin, s->net);
    double t0 = res->times[0];
    if (n == 0) {
        for (size_t i = 0; i < res->n_times; i++)
            store_row(s, res, i, NULL);
        return 0;
    }
    double *y = N_VGetArrayPointer(s->y);
    for (int i = 0; i < n; i++) {
        y[i] = y0 ? y0[i] : ilnet_network_species(s->net, i)->initial;
        if (!isfinite(y[i]) || y[i] < 0)
            return ilnet_error_set(ILNET_EINPUT, "species '%s' starts at %g",
                                   ilnet_network_species(s->net, i)->name, y[i]);
    }
    store_row(s, res, 0, y);
    s->cvode_msg[0] = '\0';
    /* CVodeInit ran at creation; every run restarts the same memory. */
    int rc = cv_check(CVodeReInit(s->cvode, t0, s->y), "CVodeReInit");
    if (rc) return rc;
    double t = t0;
    for (size_t i = 1; i < res->n_times; i++) {
        double tout = res->times[i];
        if (tout > t) {
            int flag = CVode(s->cvode, tout, s->y, &t, CV_NORMAL);
            if (flag < 0) {
                collect_stats(s, res);
                res->status = ILNET_ESOLVER;
                res->cvode_flag = flag;
                describe_failure(s, res, flag, t);
                return ilnet_error_set(ILNET_ESOLVER, "%s", res->message);
            }
        }
        store_row(s, res, i, y);
    }
    collect_stats(s, res);
    return 0;
}

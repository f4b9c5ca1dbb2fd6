#include "solver_impl.h"
#include "steady_sys.h"

#include "../common/error.h"
#include "../model/expr.h"
#include "kinetics.h"
#include "nvector_fast.h"
#include "precond_klu.h"

#include "sundials_compat.h"
#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunlinsol/sunlinsol_spgmr.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

static int rhs_fn(sunrealtype t, N_Vector y, N_Vector ydot, void *user)
{
    (void)t;
    ilnet_solver *s = user;
    ilnet_kinetics_rhs(&s->kin, t, N_VGetArrayPointer(y), N_VGetArrayPointer(ydot));
    return 0;
}

static int jac_dense_fn(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user,
                        N_Vector t1, N_Vector t2, N_Vector t3)
{
    (void)t, (void)fy, (void)t1, (void)t2, (void)t3;
    ilnet_solver *s = user;
    ilnet_kinetics_jac_dense(&s->kin, t, N_VGetArrayPointer(y), SM_DATA_D(J));
    return 0;
}

static int jac_sparse_fn(sunrealtype t, N_Vector y, N_Vector fy, SUNMatrix J, void *user,
                         N_Vector t1, N_Vector t2, N_Vector t3)
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

static int cv_check(int flag, const char *call)
{
    if (flag >= 0) return 0;
    return ilnet_error_set(ILNET_EINTERNAL, "%s failed with flag %d", call, flag);
}

static int prec_setup_fn(sunrealtype t, N_Vector y, N_Vector fy, sunbooleantype jok,
                         sunbooleantype *jcur, sunrealtype gamma, void *user)
{
    (void)fy;
    ilnet_solver *s = user;
    int cur = 0;
    int rc = ilnet_kluprec_setup(s->prec, &s->kin, t, N_VGetArrayPointer(y), jok, &cur, gamma);
    *jcur = cur ? SUNTRUE : SUNFALSE;
    return rc;
}

static int prec_solve_fn(sunrealtype t, N_Vector y, N_Vector fy, N_Vector r, N_Vector z,
                         sunrealtype gamma, sunrealtype delta, int lr, void *user)
{
    (void)t, (void)y, (void)fy, (void)gamma, (void)delta, (void)lr;
    ilnet_solver *s = user;
    return ilnet_kluprec_solve(s->prec, N_VGetArrayPointer(r), N_VGetArrayPointer(z)) ? 1 : 0;
}

/* SPGMR preconditioned by KLU (precond_klu.h) */
static int setup_gmres(ilnet_solver *s)
{
    int rc = ilnet_kluprec_new(&s->prec, &s->kin);
    if (rc) return rc;
    s->LS = SUNLinSol_SPGMR(s->y, SUN_PREC_LEFT, 0, s->ctx);
    if (!s->LS) return ilnet_error_set(ILNET_EINTERNAL, "SUNLinSol_SPGMR failed");
    if ((rc = cv_check(CVodeSetLinearSolver(s->cvode, s->LS, NULL), "CVodeSetLinearSolver")) ||
        (rc = cv_check(CVodeSetPreconditioner(s->cvode, prec_setup_fn, prec_solve_fn),
                       "CVodeSetPreconditioner")))
        return rc;
    /* Jacobian-vector products by CVODE's difference quotient (one right-hand side each):
     * faster here than exact products from the kinetics (bench_reference: fceri_fyn 609 vs
     * 673 ms, fceri_ji 59 vs 66, egfr_net 71 vs 83) and than the stale J of P (fewer Newton
     * iterations: fceri_fyn 1058 ms) */
    return 0;
}

/* g of every trigger comparison, and of the comparisons in functions the triggers use:
 * lhs - rhs (CVODE finds where it changes sign) */
static int root_fn(sunrealtype t, N_Vector y, sunrealtype *gout, void *user)
{
    ilnet_solver *s = user;
    ev_state *ev = &s->ev;
    ilnet_network_vars_eval(s->net, t, N_VGetArrayPointer(y), ev->vars);
    for (int e = 0; e < ev->n_ev; e++)
        if (ev->rel_ptr[e + 1] > ev->rel_ptr[e])
            ilnet_expr_eval_relations(ilnet_network_event(s->net, (size_t)e)->trigger_expr,
                                      ev->vars, gout + ev->rel_ptr[e], NULL);
    for (int f = 0; f < ev->n_fn; f++)
        ilnet_expr_eval_relations(ev->fn_expr[f], ev->vars, gout + ev->fn_off[f], NULL);
    for (int r = 0; r < ev->n_rel; r++)
        if (!isfinite(gout[r])) gout[r] = gout[r] < 0 ? -1 : 1;
    return 0;
}

static void err_handler(int code, const char *module, const char *function, char *msg, void *user)
{
    (void)module;
    ilnet_solver *s = user;
    if (code < 0) snprintf(s->cvode_msg, sizeof s->cvode_msg, "%s: %s", function, msg);
}

static void ev_free(ev_state *ev)
{
    if (ev->rng) gsl_rng_free(ev->rng);
    for (size_t i = 0; i < ev->nq; i++)
        free(ev->q[i].values);
    free(ev->q);
    free(ev->rel_ptr);
    free(ev->fn_expr);
    free(ev->fn_off);
    free(ev->diff);
    free(ev->force);
    free(ev->roots);
    free(ev->prev);
    free(ev->vars);
    free(ev->probe);
    free(ev->vals);
    free(ev->ytmp);
    free(ev->fy);
    memset(ev, 0, sizeof *ev);
}

static int ev_init(ev_state *ev, const ilnet_network *net)
{
    int ne = (int)ilnet_network_event_count(net);
    size_t ns = ilnet_network_species_count(net);
    ev->n_ev = ne;
    if (!ne) return 0;
    ev->rel_ptr = calloc((size_t)ne + 1, sizeof *ev->rel_ptr);
    ev->rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!ev->rel_ptr || !ev->rng) return ILNET_ENOMEM;
    for (int e = 0; e < ne; e++) {
        const ilnet_event *x = ilnet_network_event(net, (size_t)e);
        ev->rel_ptr[e + 1] = ev->rel_ptr[e] + (int)ilnet_expr_relation_count(x->trigger_expr);
        if (x->n_assign > ev->max_assign) ev->max_assign = x->n_assign;
    }
    ev->n_rel = ev->rel_ptr[ne];
    size_t nf = ilnet_network_function_count(net);
    int *used = calloc(nf + 1, sizeof *used), *tmp = malloc((nf + 1) * sizeof *tmp);
    ev->fn_expr = calloc(nf + 1, sizeof *ev->fn_expr);
    ev->fn_off = calloc(nf + 1, sizeof *ev->fn_off);
    int oom = !used || !tmp || !ev->fn_expr || !ev->fn_off;
    for (int e = 0; e < ne && !oom; e++) {
        int k = ilnet_network_expr_functions(net, ilnet_network_event(net, (size_t)e)->trigger_expr,
                                             tmp);
        oom = k < 0;
        for (int q = 0; q < k; q++) {
            const ilnet_expr *f = ilnet_network_function_expr(net, (size_t)tmp[q]);
            if (used[tmp[q]] || !ilnet_expr_relation_count(f)) continue;
            used[tmp[q]] = 1;
            ev->fn_expr[ev->n_fn] = f;
            ev->fn_off[ev->n_fn++] = ev->n_rel;
            ev->n_rel += (int)ilnet_expr_relation_count(f);
        }
    }
    free(used);
    free(tmp);
    if (oom) return ILNET_ENOMEM;
    size_t nr = (size_t)ev->n_rel + 1;
    ev->diff = calloc(nr, sizeof *ev->diff);
    ev->force = calloc(nr, sizeof *ev->force);
    ev->roots = calloc(nr, sizeof *ev->roots);
    ev->prev = calloc((size_t)ne, 1);
    ev->vars = calloc(ilnet_network_var_count(net) + 1, sizeof *ev->vars);
    ev->probe = calloc(ilnet_network_var_count(net) + 1, sizeof *ev->probe);
    ev->vals = calloc((size_t)ev->max_assign + 1, sizeof *ev->vals);
    ev->ytmp = calloc(ns + 1, sizeof *ev->ytmp);
    ev->fy = calloc(ns + 1, sizeof *ev->fy);
    if (!ev->diff || !ev->force || !ev->roots || !ev->prev || !ev->vars || !ev->probe ||
        !ev->vals || !ev->ytmp || !ev->fy)
        return ILNET_ENOMEM;
    return 0;
}

void ilnet_solver_free(ilnet_solver *s)
{
    if (!s) return;
    ilnet_solver_sens_free(s);
    steady_sys_free(s->steady);
    ev_free(&s->ev);
    if (s->cvode) CVodeFree(&s->cvode); /* and the adjoint memory with it */
    ilnet_solver_adjoint_free(s);
    if (s->LS) SUNLinSolFree(s->LS);
    ilnet_kluprec_free(s->prec);
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
    int rc = cv_check(SUNContext_Create(SUN_COMM_NULL, &s->ctx), "SUNContext_Create");
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
    if (s->gmres) {
        if ((rc = setup_gmres(s))) return rc;
    } else if (s->sparse) {
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
    if (!s->prec &&
        ((rc = cv_check(CVodeSetLinearSolver(s->cvode, s->LS, s->A), "CVodeSetLinearSolver")) ||
         (rc = cv_check(CVodeSetJacFn(s->cvode, s->sparse ? jac_sparse_fn : jac_dense_fn),
                        "CVodeSetJacFn"))))
        return rc;
    if ((rc = cv_check(CVodeSStolerances(s->cvode, s->opts.rtol, s->opts.atol),
                       "CVodeSStolerances")))
        return rc;
    /* Each linear-solver setup is a full KLU refactorisation (about 70 % of the time on
     * large networks); refreshing every 50 steps instead of CVODE's 20 saved 20 % on
     * egfr_net and fceri_fyn in benchmarks/bench_reference with no loss of accuracy. */
    if ((rc = cv_check(CVodeSetLSetupFrequency(s->cvode, 50), "CVodeSetLSetupFrequency")))
        return rc;
    if (s->ev.n_rel > 0) {
        if ((rc = cv_check(CVodeRootInit(s->cvode, s->ev.n_rel, root_fn), "CVodeRootInit")))
            return rc;
        if ((rc = cv_check(CVodeSetNoInactiveRootWarn(s->cvode), "CVodeSetNoInactiveRootWarn")))
            return rc;
    }
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
    s->adj.which = -1;
    int rc = ilnet_kinetics_init(&s->kin, net);
    if (rc) {
        free(s);
        return rc;
    }
    if (ev_init(&s->ev, net)) {
        ilnet_solver_free(s);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory preparing the events");
    }
    int n = s->kin.n_species;
    s->gmres = o.linsol == ILNET_LINSOL_GMRES ||
               (o.linsol == ILNET_LINSOL_AUTO && n >= ILNET_GMRES_MIN_SPECIES && n > o.dense_max);
    s->sparse = s->gmres || o.linsol == ILNET_LINSOL_KLU ||
                (o.linsol == ILNET_LINSOL_AUTO && n > o.dense_max);
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
    return s->prec ? "gmres" : s->sparse ? "klu" : "dense";
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
    else if (!strcmp(name, "gmres"))
        *out = ILNET_LINSOL_GMRES;
    else
        return ilnet_error_set(ILNET_EINPUT,
                               "unknown linear solver '%s' (auto, dense, klu or gmres)", name);
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
    free(res->fired_time);
    free(res->fired_event);
    free(res->sens_which);
    free(res->sens);
    free(res->obs_sens);
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
    if (s->prec && CVodeGetNumLinRhsEvals(s->cvode, &v) >= 0) st->rhs_evals += v; /* J v */
    if (s->prec)
        st->jac_evals = ilnet_kluprec_jac_evals(s->prec);
    else if (CVodeGetNumJacEvals(s->cvode, &v) >= 0)
        st->jac_evals = v;
    if (CVodeGetNumLinSolvSetups(s->cvode, &v) >= 0) st->lin_setups = v;
    if (CVodeGetNumErrTestFails(s->cvode, &v) >= 0) st->err_test_fails = v;
    if (CVodeGetNumNonlinSolvIters(s->cvode, &v) >= 0) st->nonlin_iters = v;
    if (CVodeGetNumNonlinSolvConvFails(s->cvode, &v) >= 0) st->nonlin_conv_fails = v;
    sunrealtype h, t;
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

static void fold_stats(ilnet_solver *s, ilnet_result *res);

/* ---- events ---- */

static int log_fired(ilnet_result *res, double t, int e)
{
    if (res->n_fired == res->cap_fired) {
        size_t cap = res->cap_fired ? 2 * res->cap_fired : 16;
        double *tt = realloc(res->fired_time, cap * sizeof *tt);
        if (tt) res->fired_time = tt;
        int *ee = realloc(res->fired_event, cap * sizeof *ee);
        if (ee) res->fired_event = ee;
        if (!tt || !ee) return ilnet_error_set(ILNET_ENOMEM, "out of memory logging events");
        res->cap_fired = cap;
    }
    res->fired_time[res->n_fired] = t;
    res->fired_event[res->n_fired++] = e;
    return 0;
}

/* Value of event e's trigger at (t, y), ev->vars holding that state. When a comparison
 * in the trigger, or in a function it uses (tie), has its two sides exactly equal, the
 * trigger is also true when it is true just after t: the state moved a small step along
 * dy/dt (*probed says whether ev->probe holds it already). So "time > 5" turns true at 5,
 * where CVODE may stop exactly (and a root found there is not reported again), and a root
 * CVODE returns with g exactly 0 counts. An equality whose sides CVODE has just seen cross
 * is true at that root (and an inequality false). */
static int trigger_value(ilnet_solver *s, int e, double t, const double *y, int tie, int *probed)
{
    ev_state *ev = &s->ev;
    const ilnet_expr *tr = ilnet_network_event(s->net, (size_t)e)->trigger_expr;
    int r0 = ev->rel_ptr[e], nr = ev->rel_ptr[e + 1] - r0, forced = 0;
    for (int r = 0; r < nr; r++) {
        char k = ilnet_expr_relation_kind(tr, (size_t)r);
        ev->force[r0 + r] = -1;
        if (ev->roots_valid && ev->roots[r0 + r] && (k == '=' || k == '!')) {
            ev->force[r0 + r] = k == '=';
            forced = 1;
        }
    }
    double v =
        ilnet_expr_eval_relations(tr, ev->vars, ev->diff + r0, forced ? ev->force + r0 : NULL);
    for (int r = 0; r < nr && !tie; r++) {
        char k = ilnet_expr_relation_kind(tr, (size_t)r);
        tie = ev->diff[r0 + r] == 0 && (k == '<' || k == '>');
    }
    if (v != 0 || !tie) return v != 0;
    if (!*probed) {
        int n = s->kin.n_species;
        double dt = 1e-9 * (fabs(t) > 1 ? fabs(t) : 1);
        ilnet_kinetics_rhs(&s->kin, t, y, ev->fy);
        for (int i = 0; i < n; i++)
            ev->ytmp[i] = y[i] + dt * ev->fy[i];
        ilnet_network_vars_eval(s->net, t + dt, ev->ytmp, ev->probe);
        *probed = 1;
    }
    return ilnet_expr_eval_relations(tr, ev->probe, NULL, forced ? ev->force + r0 : NULL) != 0;
}

static void drop_pending(ev_state *ev, size_t i)
{
    free(ev->q[i].values);
    ev->q[i] = ev->q[--ev->nq];
}

/* Event e's trigger turned true at t: schedule it (ev->vars holds the state at t). */
static int schedule(ilnet_solver *s, int e, double t)
{
    ev_state *ev = &s->ev;
    const ilnet_event *x = ilnet_network_event(s->net, (size_t)e);
    double delay = x->delay_expr ? ilnet_expr_eval(x->delay_expr, ev->vars) : 0;
    if (!(delay >= 0) || !isfinite(delay))
        return ilnet_error_set(ILNET_EINPUT, "event '%s': delay %g at t = %g", x->name, delay, t);
    if (ev->nq == ev->capq) {
        size_t cap = ev->capq ? 2 * ev->capq : 8;
        ev_pending *q = realloc(ev->q, cap * sizeof *q);
        if (!q) return ilnet_error_set(ILNET_ENOMEM, "out of memory scheduling events");
        ev->q = q;
        ev->capq = cap;
    }
    ev_pending *p = &ev->q[ev->nq];
    p->event = e;
    p->time = t + delay;
    p->seq = ev->seq++;
    p->values = NULL;
    if (x->use_trigger_values && x->n_assign) {
        p->values = malloc((size_t)x->n_assign * sizeof *p->values);
        if (!p->values) return ilnet_error_set(ILNET_ENOMEM, "out of memory scheduling events");
        for (int a = 0; a < x->n_assign; a++)
            p->values[a] = ilnet_expr_eval(x->value_expr[a], ev->vars);
    }
    ev->nq++;
    return 0;
}

/* Looks at every trigger at (t, y): schedules those that turned true, records the values,
 * drops pending events that are not persistent and whose trigger is false. */
static int look(ilnet_solver *s, double t, const double *y)
{
    ev_state *ev = &s->ev;
    ilnet_network_vars_eval(s->net, t, y, ev->vars);
    int tie = 0, probed = 0;
    for (int f = 0; f < ev->n_fn; f++) {
        ilnet_expr_eval_relations(ev->fn_expr[f], ev->vars, ev->diff + ev->fn_off[f], NULL);
        for (size_t r = 0; r < ilnet_expr_relation_count(ev->fn_expr[f]); r++) {
            char k = ilnet_expr_relation_kind(ev->fn_expr[f], r);
            tie |= ev->diff[ev->fn_off[f] + (int)r] == 0 && (k == '<' || k == '>');
        }
    }
    for (int e = 0; e < ev->n_ev; e++) {
        int v = trigger_value(s, e, t, y, tie, &probed);
        if (v && !ev->prev[e]) {
            int rc = schedule(s, e, t);
            if (rc) return rc;
        }
        ev->prev[e] = (unsigned char)v;
    }
    for (size_t i = 0; i < ev->nq;)
        if (!ev->prev[ev->q[i].event] &&
            !ilnet_network_event(s->net, (size_t)ev->q[i].event)->persistent)
            drop_pending(ev, i);
        else
            i++;
    return 0;
}

/* Executes the events due at t, highest priority first, looking at the triggers after
 * each; *changed is set when the state changed. */
/* The pending event to execute next at t: the highest priority, then the earliest
 * scheduled; among events of equal explicit priority due at the same time a random one
 * (SBML), else the first scheduled. -1 when none is due. */
static long next_due(ilnet_solver *s, double t)
{
    ev_state *ev = &s->ev;
    long best = -1, ties = 0;
    double best_pri = 0;
    for (size_t i = 0; i < ev->nq; i++) {
        if (ev->q[i].time > t) continue;
        const ilnet_event *x = ilnet_network_event(s->net, (size_t)ev->q[i].event);
        double pri = x->priority_expr ? ilnet_expr_eval(x->priority_expr, ev->vars) : -INFINITY;
        if (isnan(pri)) pri = -INFINITY;
        int tie = best >= 0 && pri == best_pri && ev->q[i].time == ev->q[best].time;
        if (best < 0 || pri > best_pri || (pri == best_pri && ev->q[i].time < ev->q[best].time) ||
            (tie && ev->q[i].seq < ev->q[best].seq)) {
            ties = tie ? ties + 1 : 1;
            best = (long)i;
            best_pri = pri;
        } else if (tie) {
            ties++;
        }
    }
    if (best < 0 || ties < 2 || !isfinite(best_pri)) return best;
    /* the k-th of the tied events, in queue order */
    unsigned long k = gsl_rng_uniform_int(ev->rng, (unsigned long)ties);
    double when = ev->q[best].time;
    for (size_t i = 0; i < ev->nq; i++) {
        if (ev->q[i].time != when) continue;
        const ilnet_event *x = ilnet_network_event(s->net, (size_t)ev->q[i].event);
        double pri = x->priority_expr ? ilnet_expr_eval(x->priority_expr, ev->vars) : -INFINITY;
        if (pri == best_pri && k-- == 0) return (long)i;
    }
    return best;
}

static int fire_due(ilnet_solver *s, ilnet_result *res, double t, double *y, int *changed)
{
    ev_state *ev = &s->ev;
    for (long count = 0;; count++) {
        long best = next_due(s, t);
        if (best < 0) return 0;
        if (count > 100000)
            return ilnet_error_set(ILNET_ESOLVER, "events keep firing at t = %g (event '%s')", t,
                                   ilnet_network_event(s->net, (size_t)ev->q[best].event)->name);
        ev_pending p = ev->q[best];
        ev->q[best] = ev->q[--ev->nq];
        const ilnet_event *x = ilnet_network_event(s->net, (size_t)p.event);
        double *vals = p.values ? p.values : ev->vals;
        if (!p.values)
            for (int a = 0; a < x->n_assign; a++)
                vals[a] = ilnet_expr_eval(x->value_expr[a], ev->vars);
        /* every assignment reads the state before any of them is written */
        for (int a = 0; a < x->n_assign; a++)
            if (x->scale_expr[a]) vals[a] *= ilnet_expr_eval(x->scale_expr[a], ev->vars);
        for (int a = 0; a < x->n_assign; a++)
            y[x->target_species[a]] = vals[a];
        free(p.values);
        if (x->n_assign) *changed = 1;
        int rc = log_fired(res, t, p.event);
        if (!rc) rc = look(s, t, y);
        if (rc) return rc;
    }
}

static int solver_failed(ilnet_solver *s, ilnet_result *res, int flag, double t)
{
    fold_stats(s, res);
    res->status = ILNET_ESOLVER;
    res->cvode_flag = flag;
    describe_failure(s, res, flag, t);
    return ilnet_error_set(ILNET_ESOLVER, "%s", res->message);
}

/* CVodeReInit, and the preconditioner's count of Jacobians restarted with CVODE's */
static int reinit(ilnet_solver *s, double t)
{
    ilnet_kluprec_reset_jac_evals(s->prec);
    /* an adjoint gradient's backward run leaves its forward run's first step set as the
     * initial step (CVODES restores it with the first checkpoint); every run estimates
     * its own, so that results do not depend on what ran before */
    int rc = cv_check(CVodeSetInitStep(s->cvode, 0.0), "CVodeSetInitStep");
    return rc ? rc : cv_check(CVodeReInit(s->cvode, t, s->y), "CVodeReInit");
}

/* CVodeReInit zeroes CVODE's counters: runs with events add them up over the restarts */
static void fold_stats(ilnet_solver *s, ilnet_result *res)
{
    ilnet_solver_stats sum = res->stats;
    collect_stats(s, res);
    ilnet_solver_stats *st = &res->stats;
    st->steps += sum.steps;
    st->rhs_evals += sum.rhs_evals;
    st->jac_evals += sum.jac_evals;
    st->lin_setups += sum.lin_setups;
    st->err_test_fails += sum.err_test_fails;
    st->nonlin_iters += sum.nonlin_iters;
    st->nonlin_conv_fails += sum.nonlin_conv_fails;
}

static int restart(ilnet_solver *s, ilnet_result *res, double t)
{
    fold_stats(s, res);
    return reinit(s, t);
}

/* The output loop with events: CVODE stops at roots of the trigger comparisons, at
 * pending execution times and at output times; events are handled at every stop. */
static int run_events(ilnet_solver *s, ilnet_result *res, double t0)
{
    ev_state *ev = &s->ev;
    double *y = N_VGetArrayPointer(s->y), t = t0;
    for (size_t i = 0; i < ev->nq; i++)
        free(ev->q[i].values);
    ev->nq = 0;
    ev->seq = 0;
    gsl_rng_set(ev->rng, ILNET_EVENT_SEED);
    res->n_fired = 0;
    ev->roots_valid = 0;
    for (int e = 0; e < ev->n_ev; e++)
        ev->prev[e] = (unsigned char)ilnet_network_event(s->net, (size_t)e)->initial_value;
    int changed = 0, rc = look(s, t, y);
    if (!rc) rc = fire_due(s, res, t, y, &changed);
    if (rc) return rc;
    store_row(s, res, 0, y);
    if ((rc = reinit(s, t0))) return rc;
    for (size_t i = 1; i < res->n_times;) {
        double tout = res->times[i], target = tout;
        for (size_t k = 0; k < ev->nq; k++)
            if (ev->q[k].time < target) target = ev->q[k].time;
        if (target > t) {
            sunrealtype tn = t;
            if ((rc = cv_check(CVodeGetCurrentTime(s->cvode, &tn), "CVodeGetCurrentTime")))
                return rc;
            if (target > tn &&
                (rc = cv_check(CVodeSetStopTime(s->cvode, target), "CVodeSetStopTime")))
                return rc;
            sunrealtype tret = t;
            int flag = CVode(s->cvode, target, s->y, &tret, CV_NORMAL);
            if (flag < 0) return solver_failed(s, res, flag, tret);
            t = flag == CV_ROOT_RETURN ? tret : target;
            ev->roots_valid = flag == CV_ROOT_RETURN;
            if (ev->roots_valid &&
                (rc = cv_check(CVodeGetRootInfo(s->cvode, ev->roots), "CVodeGetRootInfo")))
                return rc;
            changed = 0;
            if ((rc = look(s, t, y)) || (rc = fire_due(s, res, t, y, &changed))) return rc;
            if (changed && (rc = restart(s, res, t))) return rc;
        }
        if (t >= tout) store_row(s, res, i++, y);
    }
    return 0;
}

int ilnet_solver_run(ilnet_solver *s, ilnet_result *res, const double *y0)
{
    return ilnet_solver_run_masked(s, res, y0, NULL);
}

int ilnet_solver_run_masked(ilnet_solver *s, ilnet_result *res, const double *y0,
                            const unsigned char *y0_set)
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
    int rc;
    if (n == 0) {
        for (size_t i = 0; i < res->n_times; i++)
            store_row(s, res, i, NULL);
        return 0;
    }
    double *y = N_VGetArrayPointer(s->y);
    for (int i = 0; i < n; i++) {
        y[i] = y0 ? y0[i] : ilnet_network_species(s->net, i)->initial;
        if (!isfinite(y[i]) || (y[i] < 0 && !ilnet_network_allows_negative(s->net)))
            return ilnet_error_set(ILNET_EINPUT, "species '%s' starts at %g",
                                   ilnet_network_species(s->net, i)->name, y[i]);
    }
    s->cvode_msg[0] = '\0';
    if (s->ev.n_ev) {
        rc = run_events(s, res, t0);
        if (rc == ILNET_ESOLVER && !res->status) {
            res->status = rc;
            snprintf(res->message, sizeof res->message, "%s", ilnet_error_last());
        }
        if (!rc) fold_stats(s, res);
        return rc;
    }
    store_row(s, res, 0, y);
    /* CVodeInit ran at creation; every run restarts the same memory. */
    int adjoint = ilnet_solver_adjoint_active(s);
    rc = reinit(s, t0);
    if (!rc) rc = ilnet_solver_adjoint_tolerances(s, adjoint);
    if (!rc) rc = ilnet_solver_sens_begin(s, res, y0, y0_set);
    if (rc) return rc;
    double t = t0;
    for (size_t i = 1; i < res->n_times; i++) {
        double tout = res->times[i];
        if (tout > t) {
            int flag = adjoint ? ilnet_solver_adjoint_step(s, tout, &t)
                               : CVode(s->cvode, tout, s->y, &t, CV_NORMAL);
            if (flag < 0) return solver_failed(s, res, flag, t);
        }
        store_row(s, res, i, y);
        if ((rc = ilnet_solver_sens_store(s, res, i))) return rc;
    }
    s->adj.ran = adjoint;
    collect_stats(s, res);
    return 0;
}

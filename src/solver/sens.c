/* Forward sensitivities: s_j' = J s_j + df/dp_j for each sensitivity parameter p_j, solved
 * by CVODES beside the state (staggered corrector, the state's linear solver, error control
 * on the sensitivities). J s_j comes from the kinetics without forming J; df/dp_j = N dv/dp_j
 * with dv_r/dp_j = dk_r/dp_j times the reactant product -- dk_r/dp_j precomputed for
 * constant rates (network_sens.c), by dual numbers at the state for rates that depend on it. */
#include "../common/error.h"
#include "../model/expr.h"
#include "solver_impl.h"

#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdlib.h>
#include <string.h>

static int cv_ok(int flag, const char *call)
{
    return flag >= 0 ? 0 : ilnet_error_set(ILNET_EINTERNAL, "%s failed with flag %d", call, flag);
}

static double reactants(const ilnet_kinetics *kin, int r, const double *y)
{
    double v = 1;
    for (int a = kin->react_ptr[r]; a < kin->react_ptr[r + 1]; a++)
        v *= y[kin->react[a]];
    return v;
}

static void add_column(const ilnet_kinetics *kin, int r, double v, double *out)
{
    for (int p = kin->st_ptr[r]; p < kin->st_ptr[r + 1]; p++)
        out[kin->st_row[p]] += kin->st_val[p] * v;
}

static int sens_rhs(int ns, sunrealtype t, N_Vector y, N_Vector ydot, N_Vector *yS, N_Vector *ySdot,
                    void *user, N_Vector tmp1, N_Vector tmp2)
{
    (void)ydot, (void)tmp1, (void)tmp2;
    ilnet_solver *s = user;
    solver_sens *ss = &s->sens;
    ilnet_kinetics *kin = &s->kin;
    const double *yy = N_VGetArrayPointer(y);
    for (int j = 0; j < ns; j++) {
        ss->v[j] = N_VGetArrayPointer(yS[j]);
        ss->out[j] = N_VGetArrayPointer(ySdot[j]);
    }
    /* J s_j; this also leaves the state's variable vector in kin->vars */
    ilnet_kinetics_jac_times(kin, t, yy, ns, (const double *const *)ss->v, ss->out);
    for (int j = 0; j < ns; j++)
        ilnet_solver_sens_dfdp(s, yy, j, ss->out[j], 0);
    return 0;
}

/* d k_r / d p along the direction already in sp.dvars (kin->vars at the state) */
static double dyn_dk(ilnet_solver *s, int r)
{
    double dkr = 0;
    ilnet_expr_eval_dual(ilnet_network_rate_expr(s->net, (size_t)r), s->kin.vars, s->sens.sp.dvars,
                         &dkr);
    return dkr;
}

void ilnet_solver_sens_dfdp(ilnet_solver *s, const double *y, int j, double *out, int fresh)
{
    solver_sens *ss = &s->sens;
    ilnet_kinetics *kin = &s->kin;
    int nr = kin->n_reactions;
    if (ss->sp.which[j] < 0) return; /* an initial amount: f does not depend on it */
    const double *dk = ss->sp.dk + (size_t)j * (size_t)nr;
    for (int r = 0; r < nr; r++)
        if (dk[r] != 0) add_column(kin, r, dk[r] * reactants(kin, r, y), out);
    if (ss->sp.dyn_ptr[j] == ss->sp.dyn_ptr[j + 1]) return; /* no state-dependent rate */
    if (fresh) ilnet_network_vars_eval(s->net, 0.0, y, kin->vars);
    ilnet_network_vars_dual(&ss->sp, j, kin->vars, NULL, ss->sp.dvars);
    for (int q = ss->sp.dyn_ptr[j]; q < ss->sp.dyn_ptr[j + 1]; q++) {
        int r = ss->sp.dyn_list[q];
        double dkr = dyn_dk(s, r);
        if (dkr != 0) add_column(kin, r, dkr * reactants(kin, r, y), out);
    }
}

void ilnet_solver_sens_initial_column(const ilnet_solver *s, int j, const double *y0,
                                      const unsigned char *y0_set, double *v)
{
    const solver_sens *ss = &s->sens;
    size_t ns = (size_t)s->kin.n_species;
    int w = ss->sp.which[j];
    memcpy(v, ss->sp.dy0 + (size_t)j * ns, ns * sizeof *v);
    /* a given initial amount does not follow the parameters; its own sensitivity is 1 */
    for (size_t i = 0; y0 && i < ns; i++)
        if (!y0_set || y0_set[i]) v[i] = w == -(int)i - 1;
    for (size_t i = 0; ss->have_yS0 && i < ns; i++)
        v[i] = ss->yS0[i * (size_t)ss->k + (size_t)j];
}

double ilnet_solver_sens_dfdp_dot(ilnet_solver *s, const double *y, int j, const double *u,
                                  const int *rx, int nrx)
{
    solver_sens *ss = &s->sens;
    ilnet_kinetics *kin = &s->kin;
    int nr = kin->n_reactions;
    if (ss->sp.which[j] < 0) return 0; /* an initial amount: f does not depend on it */
    const double *dk = ss->sp.dk + (size_t)j * (size_t)nr;
    double acc = 0;
    for (int q = 0; q < nrx; q++) {
        int r = rx[q];
        if (u[r] != 0) acc += dk[r] * reactants(kin, r, y) * u[r];
    }
    if (ss->sp.dyn_ptr[j] == ss->sp.dyn_ptr[j + 1]) return acc;
    ilnet_network_vars_dual(&ss->sp, j, kin->vars, NULL, ss->sp.dvars);
    for (int q = ss->sp.dyn_ptr[j]; q < ss->sp.dyn_ptr[j + 1]; q++) {
        int r = ss->sp.dyn_list[q];
        acc += dyn_dk(s, r) * reactants(kin, r, y) * u[r];
    }
    return acc;
}

static void sens_release(solver_sens *ss)
{
    free(ss->yS0);
    ss->yS0 = NULL;
    ss->have_yS0 = 0;
    if (ss->yS) N_VDestroyVectorArray(ss->yS, ss->k);
    ss->yS = NULL;
    free(ss->v);
    free(ss->out);
    ss->v = ss->out = NULL;
    ilnet_sens_params_free(&ss->sp);
}

void ilnet_solver_sens_free(ilnet_solver *s)
{
    sens_release(&s->sens);
    s->sens.k = 0;
}

int ilnet_solver_set_sensitivities(ilnet_solver *s, const int *which, int k, double sens_atol,
                                   double sens_rtol)
{
    solver_sens *ss = &s->sens;
    if (k > 0 && s->ev.n_ev)
        return ilnet_error_set(ILNET_EINPUT,
                               "sensitivities of models with events are not supported yet (%d "
                               "event(s))",
                               s->ev.n_ev);
    sens_release(ss);
    ss->k = 0;
    if (s->cvode && ss->cvodes_k) {
        CVodeSensFree(s->cvode); /* a new Ns needs a new CVodeSensInit */
        ss->cvodes_k = 0;
    }
    if (k <= 0 || !s->cvode) return 0;
    if (s->adj.which >= 0 && s->adj.k != k)
        return ilnet_error_set(ILNET_EINPUT,
                               "the solver's adjoint quadratures are for %d parameters, not %d "
                               "(a new solver is needed)",
                               s->adj.k, k);
    ss->atol = sens_atol > 0 ? sens_atol : s->opts.atol;
    ss->rtol = sens_rtol > 0 ? sens_rtol : s->opts.rtol;
    int rc = ilnet_sens_params_init(&ss->sp, s->net, which, k);
    if (rc) return rc;
    ss->yS = N_VCloneVectorArray(k, s->y);
    ss->v = calloc((size_t)k, sizeof *ss->v);
    ss->yS0 = calloc((size_t)k * ((size_t)s->kin.n_species + 1), sizeof *ss->yS0);
    ss->out = calloc((size_t)k, sizeof *ss->out);
    ss->k = k;
    if (!ss->yS || !ss->v || !ss->out || !ss->yS0) {
        sens_release(ss);
        ss->k = 0;
        return ilnet_error_oom();
    }
    return 0;
}

/* res->sens/obs_sens sized for res->n_times rows and k parameters */
static int sens_alloc(ilnet_result *res, const solver_sens *ss)
{
    size_t k = (size_t)ss->k, rows = res->n_times;
    if (res->n_sens == k && res->sens) return 0;
    free(res->sens_which);
    free(res->sens);
    free(res->obs_sens);
    res->sens_which = malloc(k * sizeof *res->sens_which);
    res->sens = calloc(rows * res->n_species * k + 1, sizeof *res->sens);
    res->obs_sens = calloc(rows * res->n_observables * k + 1, sizeof *res->obs_sens);
    if (!res->sens_which || !res->sens || !res->obs_sens) {
        res->n_sens = 0;
        return ilnet_error_set(ILNET_ENOMEM, "out of memory for sensitivities (%zu rows)", rows);
    }
    memcpy(res->sens_which, ss->sp.which, k * sizeof *res->sens_which);
    res->n_sens = k;
    return 0;
}

/* row `row` of res from the vectors in ss->yS */
static void sens_row(ilnet_solver *s, ilnet_result *res, size_t row)
{
    solver_sens *ss = &s->sens;
    size_t k = (size_t)ss->k, ns = res->n_species, no = res->n_observables;
    double *S = res->sens + row * ns * k, *O = res->obs_sens + row * no * k;
    for (size_t j = 0; j < k; j++) {
        const double *v = N_VGetArrayPointer(ss->yS[j]);
        for (size_t i = 0; i < ns; i++)
            S[i * k + j] = v[i];
    }
    ilnet_network_observables_sens(s->net, S, k, O);
}

int ilnet_solver_sens_begin(ilnet_solver *s, ilnet_result *res, const double *y0,
                            const unsigned char *y0_set)
{
    solver_sens *ss = &s->sens;
    if (!ss->k || ss->paused) {
        res->n_sens = 0;
        if (ss->cvodes_k) return cv_ok(CVodeSensToggleOff(s->cvode), "CVodeSensToggleOff");
        return 0;
    }
    int rc = ilnet_sens_params_update(&ss->sp);
    if (rc) return rc;
    if (s->adj.on) { /* adjoint: no forward sensitivities, checkpoints instead */
        res->n_sens = 0;
        if (ss->cvodes_k && (rc = cv_ok(CVodeSensToggleOff(s->cvode), "CVodeSensToggleOff")))
            return rc;
        return ilnet_solver_adjoint_begin(s, y0, y0_set);
    }
    if ((rc = sens_alloc(res, ss))) return rc;
    for (int j = 0; j < ss->k; j++)
        ilnet_solver_sens_initial_column(s, j, y0, y0_set, N_VGetArrayPointer(ss->yS[j]));
    if (!ss->cvodes_k) {
        double *abstol = malloc((size_t)ss->k * sizeof *abstol);
        if (!abstol) return ilnet_error_oom();
        for (int j = 0; j < ss->k; j++)
            abstol[j] = ss->atol;
        rc = cv_ok(CVodeSensInit(s->cvode, ss->k, CV_STAGGERED, sens_rhs, ss->yS), "CVodeSensInit");
        if (!rc)
            rc = cv_ok(CVodeSensSStolerances(s->cvode, ss->rtol, abstol), "CVodeSensSStolerances");
        free(abstol);
        if (!rc) rc = cv_ok(CVodeSetSensErrCon(s->cvode, SUNTRUE), "CVodeSetSensErrCon");
        if (rc) return rc;
        ss->cvodes_k = ss->k;
    } else if ((rc = cv_ok(CVodeSensReInit(s->cvode, CV_STAGGERED, ss->yS), "CVodeSensReInit"))) {
        return rc;
    }
    ss->have_yS0 = 0;
    sens_row(s, res, 0);
    return 0;
}

int ilnet_solver_set_initial_sensitivities(ilnet_solver *s, const double *yS0)
{
    solver_sens *ss = &s->sens;
    if (!ss->k) return ilnet_error_set(ILNET_EINPUT, "initial sensitivities without sensitivities");
    memcpy(ss->yS0, yS0, (size_t)ss->k * (size_t)s->kin.n_species * sizeof *yS0);
    ss->have_yS0 = 1;
    return 0;
}

int ilnet_solver_initial_sensitivities(ilnet_solver *s, double *out)
{
    solver_sens *ss = &s->sens;
    int rc = ss->k ? ilnet_sens_params_update(&ss->sp) : 0;
    size_t n = (size_t)s->kin.n_species, k = (size_t)ss->k;
    for (size_t i = 0; !rc && i < n; i++)
        for (size_t j = 0; j < k; j++)
            out[i * k + j] = ss->sp.dy0[j * n + i];
    return rc;
}

void ilnet_solver_pause_sensitivities(ilnet_solver *s, int paused)
{
    s->sens.paused = paused;
}

int ilnet_solver_sens_store(ilnet_solver *s, ilnet_result *res, size_t row)
{
    solver_sens *ss = &s->sens;
    if (!ss->k || ss->paused || s->adj.on) return 0;
    sunrealtype t;
    int rc = cv_ok(CVodeGetSens(s->cvode, &t, ss->yS), "CVodeGetSens");
    if (rc) return rc;
    sens_row(s, res, row);
    return 0;
}

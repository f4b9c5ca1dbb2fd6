/* Steady states: Newton first, integration when Newton fails or lands somewhere a trajectory
 * from y0 cannot settle (negative amounts, an unstable state), then sensitivities from the
 * linearised steady-state equations. See ilnet_solver_steady_state in solver.h. */
#include "../common/error.h"
#include "steady_sys.h"

#include <cvodes/cvodes.h>
#include <math.h>
#include <nvector/nvector_serial.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ilnet_steady_method_name(int method)
{
    switch (method) {
    case ILNET_STEADY_NEWTON:
        return "newton";
    case ILNET_STEADY_INTEGRATION:
        return "integration";
    case ILNET_STEADY_INTEGRATION_NEWTON:
        return "integration+newton";
    default:
        return "none";
    }
}

void ilnet_steady_result_free(ilnet_steady_result *r)
{
    free(r->y);
    free(r->obs);
    free(r->sens_which);
    free(r->sens);
    free(r->obs_sens);
    memset(r, 0, sizeof *r);
}

static int result_init(ilnet_steady_result *r, const ilnet_solver *s)
{
    memset(r, 0, sizeof *r);
    size_t ns = ilnet_network_species_count(s->net), no = ilnet_network_observable_count(s->net);
    size_t k = s->sens.paused ? 0 : (size_t)s->sens.k;
    r->n_species = ns;
    r->n_observables = no;
    r->y = calloc(ns + 1, sizeof *r->y);
    r->obs = calloc(no + 1, sizeof *r->obs);
    if (k) {
        r->n_sens = k;
        r->sens_which = malloc(k * sizeof *r->sens_which);
        r->sens = calloc(ns * k + 1, sizeof *r->sens);
        r->obs_sens = calloc(no * k + 1, sizeof *r->obs_sens);
        if (r->sens_which) memcpy(r->sens_which, s->sens.sp.which, k * sizeof *r->sens_which);
    }
    if (!r->y || !r->obs || (k && (!r->sens_which || !r->sens || !r->obs_sens))) {
        ilnet_steady_result_free(r);
        return ilnet_error_oom();
    }
    return 0;
}

/* "X (dy/dt = ...), ..." for the three species whose weighted rates are largest at y */
static void fastest(steady_sys *q, const double *y, double atol, double rtol, char *buf, size_t n)
{
    ilnet_kinetics_rhs(&q->s->kin, 0.0, y, q->f);
    int top[3] = {-1, -1, -1};
    double val[3] = {0, 0, 0};
    for (int i = 0; i < q->n; i++) {
        double v = fabs(q->f[i]) / (atol + rtol * fabs(y[i]));
        for (int k = 0; k < 3; k++)
            if (top[k] < 0 || v > val[k]) {
                for (int m = 2; m > k; m--)
                    top[m] = top[m - 1], val[m] = val[m - 1];
                top[k] = i, val[k] = v;
                break;
            }
    }
    size_t len = 0;
    buf[0] = '\0';
    for (int k = 0; k < 3 && top[k] >= 0 && val[k] > 0 && len < n; k++) {
        int w = snprintf(buf + len, n - len, "%s%s (dy/dt = %.3g)", k ? ", " : "",
                         ilnet_network_species(q->s->net, (size_t)top[k])->name, q->f[top[k]]);
        if (w > 0) len += (size_t)w;
    }
}

/* CVODE from y0 until the weighted rate norm is <= 1, looking at t = 1, 2, 4, ...; 0, or
 * ILNET_ESOLVER with why set */
static int integrate(ilnet_solver *s, steady_sys *q, const double *y0, ilnet_steady_result *r,
                     const ilnet_steady_options *o, double atol, double rtol, char *why, size_t wn)
{
    double *y = N_VGetArrayPointer(s->y), t = 0, tout = 1;
    memcpy(y, y0, (size_t)q->n * sizeof *y);
    /* the initial step is estimated afresh (an adjoint run leaves one set: solver.c
     * reinit), at the solver's own tolerances (not an adjoint run's) */
    if (CVodeSetInitStep(s->cvode, 0.0) < 0 || ilnet_solver_adjoint_tolerances(s, 0) ||
        CVodeReInit(s->cvode, 0.0, s->y) < 0 ||
        (s->sens.cvodes_k && CVodeSensToggleOff(s->cvode) < 0))
        return ilnet_error_set(ILNET_EINTERNAL, "CVodeReInit failed");
    long used = 0;
    int rc = ILNET_ESOLVER;
    char fast[400];
    for (;;) {
        if (CVodeSetMaxNumSteps(s->cvode, o->max_steps - used) < 0) break;
        int flag = CVode(s->cvode, tout, s->y, &t, CV_NORMAL);
        CVodeGetNumSteps(s->cvode, &used);
        r->steps = used;
        r->t = t;
        memcpy(r->y, y, (size_t)q->n * sizeof *y);
        if (flag < 0) {
            fastest(q, y, atol, rtol, fast, sizeof fast);
            snprintf(why, wn,
                     "integration stopped at t = %.6g after %ld steps (%s); changing "
                     "fastest: %s",
                     t, used, used >= o->max_steps ? "step limit" : CVodeGetReturnFlagName(flag),
                     fast);
            break;
        }
        r->wrms = steady_sys_wrms(q, y, atol, rtol);
        if (r->wrms <= 1) {
            rc = 0;
            break;
        }
        if (tout >= o->max_time) {
            fastest(q, y, atol, rtol, fast, sizeof fast);
            snprintf(why, wn,
                     "still changing at t = %.6g (the time limit; weighted rate norm %.3g); "
                     "changing fastest: %s",
                     t, r->wrms, fast);
            break;
        }
        tout = fmin(2 * tout, o->max_time);
    }
    CVodeSetMaxNumSteps(s->cvode, s->opts.max_steps);
    return rc;
}

/* 1 when y is acceptable as a steady state reached from y0: rates small, amounts not
 * negative (beyond the tolerance), stable; otherwise 0 with why */
static int acceptable(steady_sys *q, const double *y, double atol, double rtol, double *wrms,
                      char *why, size_t wn)
{
    *wrms = steady_sys_wrms(q, y, atol, rtol);
    if (!(*wrms <= 1)) {
        snprintf(why, wn, "Newton ended with weighted rate norm %.3g > 1", *wrms);
        return 0;
    }
    for (int i = 0; i < q->n && !ilnet_network_allows_negative(q->s->net); i++)
        if (y[i] < -(atol + rtol * fabs(q->y0[i]))) {
            snprintf(why, wn, "Newton reached a negative amount of %s (%.3g)",
                     ilnet_network_species(q->s->net, (size_t)i)->name, y[i]);
            return 0;
        }
    double re = 0, im = 0;
    if (!steady_sys_stable(q, y, &re, &im)) {
        snprintf(why, wn, "Newton reached an unstable steady state (eigenvalue %.3g %+.3gi)", re,
                 im);
        return 0;
    }
    return 1;
}

/* observable sensitivities from the species' */
static void obs_sens(const ilnet_solver *s, ilnet_steady_result *r)
{
    ilnet_network_observables_sens(s->net, r->sens, r->n_sens, r->obs_sens);
}

/* When the steady-state equations are singular -- a conserved quantity the stoichiometry
 * does not show (rate rules) -- dy/dp comes from forward sensitivities over a horizon
 * doubled until they settle (relative change 1e-6 between T/2 and T). */
static int sens_by_integration(ilnet_solver *s, ilnet_steady_result *r, const double *y0,
                               int y0_given, const unsigned char *y0_set)
{
    size_t n = r->n_species, k = r->n_sens;
    double T = r->t > 1 ? r->t : 1, *given = NULL;
    unsigned char *follow = calloc(n + 1, 1); /* all initial amounts follow the network */
    if (s->sens.have_yS0 && (given = malloc(n * k * sizeof *given)))
        memcpy(given, s->sens.yS0, n * k * sizeof *given);
    ilnet_result res = {0};
    int rc = !follow || (s->sens.have_yS0 && !given) ? ilnet_error_oom()
                                                     : ilnet_result_init(&res, s->net, 3);
    int settled = 0;
    for (; !rc && !settled && T <= 1e12; T *= 2) {
        res.times[0] = 0, res.times[1] = T / 2, res.times[2] = T;
        if (given) rc = ilnet_solver_set_initial_sensitivities(s, given);
        if (!rc) rc = ilnet_solver_run_masked(s, &res, y0, y0_given ? y0_set : follow);
        double big = 0, diff = 0;
        for (size_t e = 0; !rc && e < n * k; e++) {
            big = fmax(big, fabs(res.sens[2 * n * k + e]));
            diff = fmax(diff, fabs(res.sens[2 * n * k + e] - res.sens[n * k + e]));
        }
        settled = !rc && diff <= 1e-6 * big + s->opts.atol;
    }
    if (settled) {
        memcpy(r->sens, res.sens + 2 * n * k, n * k * sizeof *r->sens);
        obs_sens(s, r);
    } else if (!rc) {
        rc = ilnet_error_set(ILNET_ESOLVER, "steady-state sensitivities: the Jacobian is singular "
                                            "and the forward sensitivities did not settle");
    }
    ilnet_result_free(&res);
    free(follow);
    free(given);
    return rc;
}

/* dy/dp at the steady state: J_F s_j = -dF/dp_j, where a law's row asks c . s_j = c . dy0/dp_j
 * and a fixed species' s_j = dy0/dp_j */
static int steady_sens(ilnet_solver *s, steady_sys *q, ilnet_steady_result *r, int y0_given,
                       const unsigned char *y0_set)
{
    size_t k = r->n_sens, n = (size_t)q->n;
    int rc = ilnet_sens_params_update(&s->sens.sp);
    if (rc) return rc;
    steady_sys_jacobian(q, r->y);
    if (SUNLinSolSetup(q->LS, q->A) != 0) return sens_by_integration(s, r, q->y0, y0_given, y0_set);
    N_Vector b = N_VClone(q->u), x = N_VClone(q->u);
    double *dy0 = malloc((n + 1) * sizeof *dy0);
    if (!b || !x || !dy0) rc = ilnet_error_oom();
    for (size_t j = 0; j < k && !rc; j++) {
        double *bb = N_VGetArrayPointer(b);
        int w = s->sens.sp.which[j];
        memset(bb, 0, n * sizeof *bb);
        ilnet_solver_sens_dfdp(s, r->y, (int)j, bb, 1);
        for (size_t i = 0; i < n; i++)
            dy0[i] = s->sens.have_yS0                     ? s->sens.yS0[i * k + j]
                     : y0_given && (!y0_set || y0_set[i]) ? (w == -(int)i - 1)
                                                          : s->sens.sp.dy0[j * n + i];
        for (size_t i = 0; i < n; i++) {
            bb[i] = -bb[i];
            if (q->role[i] == -2) bb[i] = dy0[i];
            if (q->role[i] >= 0) bb[i] = ilnet_conservation_eval(&q->cons.laws[q->role[i]], dy0);
        }
        if (SUNLinSolSolve(q->LS, q->A, x, b, 0.0) != 0)
            rc = ilnet_error_set(ILNET_ESOLVER, "steady-state sensitivities: the solve failed");
        const double *xx = N_VGetArrayPointer(x);
        for (size_t i = 0; i < n && !rc; i++)
            r->sens[i * k + j] = xx[i];
    }
    if (!rc) obs_sens(s, r);
    if (b) N_VDestroy(b);
    if (x) N_VDestroy(x);
    free(dy0);
    s->sens.have_yS0 = 0;
    return rc;
}

/* Newton from y0, then integration (and a Newton polish) if needed; fills r->y */
static int find(ilnet_solver *s, steady_sys *q, const double *y0, ilnet_steady_result *r,
                const ilnet_steady_options *o, double atol, double rtol)
{
    char why_n[400] = "", why_i[700] = "";
    size_t n = (size_t)q->n;
    double *tmp = malloc((n + 1) * sizeof *tmp);
    if (!tmp) return ilnet_error_oom();
    int found = 0;
    if (o->newton) {
        memcpy(tmp, y0, n * sizeof *tmp);
        long it = 0;
        if (steady_sys_newton(q, tmp, o->max_newton_iters, atol, rtol, &it) == 0)
            found = acceptable(q, tmp, atol, rtol, &r->wrms, why_n, sizeof why_n);
        else
            snprintf(why_n, sizeof why_n, "Newton did not converge (%.300s)", q->msg);
        r->newton_iters += it;
        if (found) {
            memcpy(r->y, tmp, n * sizeof *tmp);
            r->method = ILNET_STEADY_NEWTON;
        }
    }
    if (!found && o->integrate) {
        int rc = integrate(s, q, y0, r, o, atol, rtol, why_i, sizeof why_i);
        if (rc && rc != ILNET_ESOLVER) {
            free(tmp);
            return rc;
        }
        found = rc == 0;
        r->method = found ? ILNET_STEADY_INTEGRATION : 0;
        long it = 0;
        double w = 0;
        char ignore[400];
        memcpy(tmp, r->y, n * sizeof *tmp);
        if (found && o->newton &&
            steady_sys_newton(q, tmp, o->max_newton_iters, atol, rtol, &it) == 0 &&
            acceptable(q, tmp, atol, rtol, &w, ignore, sizeof ignore) && w <= r->wrms) {
            memcpy(r->y, tmp, n * sizeof *tmp);
            r->wrms = w;
            r->method = ILNET_STEADY_INTEGRATION_NEWTON;
        }
        r->newton_iters += it;
    }
    free(tmp);
    if (found) return 0;
    if (!o->integrate) memcpy(r->y, y0, n * sizeof *y0); /* the last state: where it began */
    r->status = ILNET_ESOLVER;
    snprintf(r->message, sizeof r->message, "no steady state found: %s%s%s", why_n,
             why_n[0] && why_i[0] ? "; " : "", why_i[0] ? why_i : "");
    return ilnet_error_set(ILNET_ESOLVER, "%s", r->message);
}

int ilnet_solver_steady_state(ilnet_solver *s, ilnet_steady_result *r, const double *y0,
                              const ilnet_steady_options *opts)
{
    return ilnet_solver_steady_state_masked(s, r, y0, NULL, opts);
}

int ilnet_solver_steady_state_masked(ilnet_solver *s, ilnet_steady_result *r, const double *y0,
                                     const unsigned char *y0_set, const ilnet_steady_options *opts)
{
    ilnet_steady_options o = ILNET_STEADY_OPTIONS_INIT;
    if (opts) o = *opts;
    int rc = result_init(r, s);
    if (rc) return rc;
    if (s->ev.n_ev)
        return ilnet_error_set(
            ILNET_EINPUT, "steady states of models with events are not supported (%d event(s))",
            s->ev.n_ev);
    if (!o.newton && !o.integrate)
        return ilnet_error_set(ILNET_EINPUT,
                               "steady state: neither Newton nor integration allowed");
    double atol = o.atol > 0 ? o.atol : s->opts.atol, rtol = o.rtol > 0 ? o.rtol : s->opts.rtol;
    size_t n = r->n_species;
    if (n == 0) return 0;
    if (!s->steady && (rc = steady_sys_new(&s->steady, s))) return rc;
    steady_sys *q = s->steady;
    double *y0v = malloc((n + 1) * sizeof *y0v);
    if (!y0v) return ilnet_error_oom();
    for (size_t i = 0; i < n; i++)
        y0v[i] = y0 ? y0[i] : ilnet_network_species(s->net, i)->initial;
    ilnet_kinetics_refresh(&s->kin, s->net);
    steady_sys_set_y0(q, y0v);
    rc = find(s, q, y0v, r, &o, atol, rtol);
    if (!rc) {
        ilnet_network_observables_eval(s->net, r->y, r->obs);
        if (r->n_sens && (rc = steady_sens(s, q, r, y0 != NULL, y0_set)) == ILNET_ESOLVER) {
            r->status = rc;
            snprintf(r->message, sizeof r->message, "%s", ilnet_error_last());
        }
    } else {
        ilnet_network_observables_eval(s->net, r->y, r->obs);
    }
    free(y0v);
    s->sens.have_yS0 = 0; /* given initial sensitivities serve one computation */
    return rc;
}

double ilnet_solver_rate_norm(ilnet_solver *s, double t, const double *y)
{
    int n = s->kin.n_species;
    double *f = malloc(((size_t)n + 1) * sizeof *f), sum = 0;
    if (!f) return INFINITY;
    ilnet_kinetics_rhs(&s->kin, t, y, f);
    for (int i = 0; i < n; i++) {
        double v = f[i] / (s->opts.atol + s->opts.rtol * fabs(y[i]));
        sum += v * v;
    }
    free(f);
    return n ? sqrt(sum / n) : 0;
}

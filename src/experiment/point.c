#include "point.h"

#include "../common/clock.h"
#include "../common/error.h"
#include "../model/expr.h"
#include "../model/readout.h"
#include "../model/load.h"
#include "../model/network_sens.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *const ilnet_stat_names[ILNET_STAT_COUNT] = {
    "steps",        "rhs_evals",         "jac_evals", "lin_setups", "err_test_fails",
    "nonlin_iters", "nonlin_conv_fails", "t_reached", "solver_s",   "wall_s"};

void ilnet_point_unit_free(ilnet_point_unit *u)
{
    if (!u) return;
    ilnet_solver_free(u->solver);
    ilnet_network_free(u->net);
    ilnet_result_free(&u->seg);
    free(u->y);
    free(u->init_before);
    free(u->seg_times);
    free(u->var_param);
    free(u->var_species);
    free(u->var_step);
    free(u->step_at);
    free(u->step_order);
    free(u->saved);
    free(u->saved_set);
    free(u->touched_set);
    free(u->touched);
    free(u->touched_base);
    free(u->sens_which);
    free(u->yS);
    free(u->yS_tmp);
    for (int i = 0; u->expr && i < u->n_expr; i++)
        ilnet_readout_free(u->expr[i]);
    free(u->expr);
    free(u->vars);
    free(u);
}

/* The config's output expressions on this unit's network (checked at load; an error here
 * is not the point's). */
static int unit_expressions(ilnet_point_unit *u)
{
    const ilnet_config *c = u->cfg;
    if (!c->n_expr) return 0;
    u->expr = calloc((size_t)c->n_expr, sizeof *u->expr);
    if (!u->expr) return ilnet_error_oom();
    u->n_expr = c->n_expr;
    size_t nv = ilnet_network_var_count(u->net);
    for (int i = 0; i < c->n_expr; i++) {
        if (ilnet_readout_compile(&u->expr[i], u->net, c->expr_texts[i])) {
            ilnet_error_prefix("output.expressions.%s", c->expr_names[i]);
            return ILNET_EINPUT;
        }
        if (ilnet_readout_var_count(u->expr[i]) > nv) nv = ilnet_readout_var_count(u->expr[i]);
    }
    u->vars = calloc(nv + 1, sizeof *u->vars);
    return u->vars ? 0 : ilnet_error_oom();
}

static int apply_presets(ilnet_network *net, const ilnet_presets *ps, char **names, int n)
{
    for (int i = 0; i < n; i++) {
        const ilnet_preset *p = ps ? ilnet_presets_find(ps, names[i]) : NULL;
        if (!p) return ilnet_error_set(ILNET_EINPUT, "no preset '%s'", names[i]);
        int rc = ilnet_preset_apply(net, ps, p);
        if (rc) return rc;
    }
    return 0;
}

static int apply_params(const ilnet_config *c, ilnet_network *net, const ilnet_config_assign *a)
{
    for (int i = 0; i < a->n; i++)
        if (ilnet_network_set_parameter(net, a->names[i], a->values[i]))
            return ilnet_config_error(c, a->pos[i], a->paths[i], "%s", ilnet_error_last());
    return 0;
}

/* The config's sensitivities on the unit's solver, and the state's sensitivity buffers. */
static int unit_sens(ilnet_point_unit *u)
{
    const ilnet_config *c = u->cfg;
    size_t ns = ilnet_network_species_count(u->net), k = (size_t)c->n_sens;
    if (!k) return 0;
    u->k = (int)k;
    u->sens_which = calloc(k, sizeof *u->sens_which);
    u->yS = calloc(ns * k + 1, sizeof *u->yS);
    u->yS_tmp = calloc(ns * k + 1, sizeof *u->yS_tmp);
    if (!u->sens_which || !u->yS || !u->yS_tmp) return ilnet_error_oom();
    int rc = ilnet_sens_resolve(u->sens_which, u->net, (const char *const *)c->sens, (int)k);
    if (!rc) rc = ilnet_solver_set_sensitivities(u->solver, u->sens_which, (int)k, 0, 0);
    return rc;
}

/* Row i of the state's sensitivities for a species given a fixed amount: only its own
 * initial-amount direction (own) has 1. */
static void sens_fixed_row(ilnet_point_unit *u, size_t i, int own)
{
    for (int j = 0; j < u->k; j++)
        u->yS[i * (size_t)u->k + (size_t)j] = own && u->sens_which[j] == -(int)i - 1;
}

int ilnet_point_unit_new(ilnet_point_unit **out, const ilnet_config *c,
                         const ilnet_config_experiment *e, int series, const ilnet_presets *ps,
                         const double *times, size_t n_times, const char *const *var_names,
                         int n_vars)
{
    *out = NULL;
    ilnet_point_unit *u = calloc(1, sizeof *u);
    if (!u) return ilnet_error_oom();
    u->cfg = c;
    u->exp = e;
    u->times = times;
    u->n_times = n_times;
    int rc = ilnet_network_load(&u->net, c->model, NULL);
    if (!rc) rc = apply_presets(u->net, ps, c->presets, c->n_presets);
    if (!rc) rc = apply_params(c, u->net, &c->params);
    if (!rc) rc = apply_presets(u->net, ps, e->presets, e->n_presets);
    if (!rc) rc = apply_params(c, u->net, &e->params);
    if (!rc && e->type == ILNET_EXP_DOSE) {
        const ilnet_config_series *s = &e->series[series];
        rc = apply_presets(u->net, ps, s->presets, s->n_presets);
        if (!rc) rc = apply_params(c, u->net, &s->params);
    }
    if (rc) {
        ilnet_point_unit_free(u);
        return rc;
    }
    size_t ns = ilnet_network_species_count(u->net);
    /* longest segment: every output time plus its two ends */
    size_t cap = n_times + 2;
    u->y = calloc(ns + 1, sizeof *u->y);
    u->init_before = calloc(ns + 1, sizeof *u->init_before);
    u->seg_times = calloc(cap, sizeof *u->seg_times);
    u->var_param = calloc(n_vars + 1, sizeof *u->var_param);
    u->var_species = calloc(n_vars + 1, sizeof *u->var_species);
    u->var_step = calloc(n_vars + 1, sizeof *u->var_step);
    u->step_at = calloc(e->protocol.n_steps + 1, sizeof *u->step_at);
    u->step_order = calloc(e->protocol.n_steps + 1, sizeof *u->step_order);
    int max_touched = e->protocol.preeq_set.n + 1;
    for (int k = 0; k < e->protocol.n_steps; k++)
        max_touched += e->protocol.steps[k].set.n;
    u->saved = calloc(e->protocol.preeq_set.n + 1, sizeof *u->saved);
    u->saved_set = calloc(e->protocol.preeq_set.n + 1, 1);
    u->touched = calloc(max_touched + 1, sizeof *u->touched);
    u->touched_set = calloc(max_touched + 1, 1);
    u->touched_base = calloc(max_touched + 1, sizeof *u->touched_base);
    if (!u->y || !u->init_before || !u->seg_times || !u->var_param || !u->var_species ||
        !u->var_step || !u->step_at || !u->step_order || !u->saved || !u->saved_set ||
        !u->touched || !u->touched_set || !u->touched_base) {
        ilnet_point_unit_free(u);
        return ilnet_error_oom();
    }
    for (int j = 0; j < n_vars; j++) {
        int species = e->type == ILNET_EXP_DOSE    ? e->dose_is_species
                      : e->type == ILNET_EXP_SWEEP ? e->sweep[j].is_species
                                                   : 0;
        int step = e->type == ILNET_EXP_SWEEP && e->sweep[j].is_step;
        u->var_step[j] = step ? e->sweep[j].step_index : -1;
        u->var_param[j] = species || step ? -1 : ilnet_network_find_parameter(u->net, var_names[j]);
        u->var_species[j] = species ? ilnet_network_find_species(u->net, var_names[j]) : -1;
    }
    /* parameters the protocol's steps set (and a dose given after pre-equilibration), with
     * their values before any point */
    int late_dose = e->type == ILNET_EXP_DOSE && e->protocol.has_preeq && !e->dose_is_species;
    for (int k = -1 - late_dose; k < e->protocol.n_steps; k++) {
        const ilnet_config_assign *a = k < 0 ? &e->protocol.preeq_set : &e->protocol.steps[k].set;
        for (int i = 0; i < (k == -2 ? 1 : a->n); i++) {
            const char *name = k == -2 ? e->dose_name : a->names[i];
            int p = ilnet_network_find_parameter(u->net, name), seen = 0;
            for (int j = 0; j < u->n_touched; j++)
                seen |= u->touched[j] == p;
            if (p < 0 || seen) continue;
            u->touched[u->n_touched] = p;
            u->touched_set[u->n_touched] = ilnet_network_parameter_is_set(u->net, (size_t)p);
            u->touched_base[u->n_touched++] = ilnet_network_parameter(u->net, p)->value;
        }
    }
    if ((rc = ilnet_result_init(&u->seg, u->net, cap)) ||
        (rc = ilnet_solver_new(&u->solver, u->net, &c->solver)) || (rc = unit_sens(u)) ||
        (rc = unit_expressions(u))) {
        ilnet_point_unit_free(u);
        return rc;
    }
    *out = u;
    return 0;
}

/* Sets parameter name (or, with unset, lets it follow its expression again); species whose
 * initial amount changes with it are reset to their new initial amount (how a dose
 * parameter adds or removes a clamped ligand). */
static int change_param_reset(ilnet_point_unit *u, const char *name, double v, int unset)
{
    size_t ns = ilnet_network_species_count(u->net);
    for (size_t i = 0; i < ns; i++)
        u->init_before[i] = ilnet_network_species(u->net, i)->initial;
    int rc = unset ? ilnet_network_unset_parameter(u->net, name)
                   : ilnet_network_set_parameter(u->net, name, v);
    if (rc) return rc;
    int have_dy0 = 0;
    size_t k = (size_t)u->k;
    for (size_t i = 0; i < ns && !rc; i++) {
        double now = ilnet_network_species(u->net, i)->initial;
        if (now == u->init_before[i]) continue;
        u->y[i] = now;
        if (!k) continue;
        /* the reset amount follows the parameters as an initial amount does, not the
         * species' own initial-amount direction */
        if (!have_dy0++) rc = ilnet_solver_initial_sensitivities(u->solver, u->yS_tmp);
        for (size_t j = 0; j < k && !rc; j++)
            u->yS[i * k + j] = u->sens_which[j] < 0 ? 0 : u->yS_tmp[i * k + j];
    }
    return rc;
}

static int apply_changes(ilnet_point_unit *u, const ilnet_config_assign *set,
                         const ilnet_config_assign *add)
{
    for (int i = 0; set && i < set->n; i++) {
        int sp = ilnet_network_find_species(u->net, set->names[i]);
        if (sp >= 0) {
            u->y[sp] = set->values[i];
            if (u->k) sens_fixed_row(u, (size_t)sp, 0);
        } else if (change_param_reset(u, set->names[i], set->values[i], 0))
            return ilnet_config_error(u->cfg, set->pos[i], set->paths[i], "%s", ilnet_error_last());
    }
    for (int i = 0; add && i < add->n; i++)
        u->y[ilnet_network_find_species(u->net, add->names[i])] += add->values[i];
    return 0;
}

/* Integrates u->y over seg_times[0..n-1]; the state at the end goes back into u->y. */
static int segment(ilnet_point_unit *u, size_t n, ilnet_point_out *out)
{
    size_t ns = ilnet_network_species_count(u->net);
    double atol = u->cfg->solver.atol;
    for (size_t i = 0; i < ns; i++)
        if (u->y[i] < 0 && u->y[i] > -1e3 * atol) u->y[i] = 0; /* round-off of a restart */
    memcpy(u->seg.times, u->seg_times, n * sizeof *u->seg_times);
    u->seg.n_times = n;
    double t0 = ilnet_clock_now();
    int rc = u->k ? ilnet_solver_set_initial_sensitivities(u->solver, u->yS) : 0;
    if (!rc) rc = ilnet_solver_run(u->solver, &u->seg, u->y);
    out->stats[ILNET_STAT_SOLVER] += ilnet_clock_now() - t0;
    const ilnet_solver_stats *st = &u->seg.stats;
    out->stats[ILNET_STAT_STEPS] += (double)st->steps;
    out->stats[ILNET_STAT_RHS] += (double)st->rhs_evals;
    out->stats[ILNET_STAT_JAC] += (double)st->jac_evals;
    out->stats[ILNET_STAT_LINSETUP] += (double)st->lin_setups;
    out->stats[ILNET_STAT_ERRFAIL] += (double)st->err_test_fails;
    out->stats[ILNET_STAT_NLITER] += (double)st->nonlin_iters;
    out->stats[ILNET_STAT_NLFAIL] += (double)st->nonlin_conv_fails;
    if (!rc && u->seg.n_done == n) {
        memcpy(u->y, u->seg.species + (n - 1) * ns, ns * sizeof *u->y);
        if (u->k)
            memcpy(u->yS, u->seg.sens + (n - 1) * ns * (size_t)u->k,
                   ns * (size_t)u->k * sizeof *u->yS);
    }
    return rc;
}

/* output row `row`: the state y and (with sensitivities) its dy/dp S */
static void store(ilnet_point_unit *u, ilnet_point_out *out, size_t row, const double *y,
                  const double *S)
{
    size_t ns = ilnet_network_species_count(u->net), no = ilnet_network_observable_count(u->net);
    size_t k = (size_t)u->k;
    memcpy(out->species + row * ns, y, ns * sizeof *y);
    ilnet_network_observables_eval(u->net, y, out->observables + row * no);
    if (u->n_expr) {
        /* with the parameters as they are now (protocol steps included) */
        ilnet_network_vars_eval(u->net, u->times[row], y, u->vars);
        for (int i = 0; i < u->n_expr; i++)
            out->expressions[row * (size_t)u->n_expr + (size_t)i] =
                ilnet_readout_eval(u->expr[i], y, u->vars);
    }
    if (!k) return;
    memcpy(out->species_sens + row * ns * k, S, ns * k * sizeof *S);
    ilnet_network_observables_sens(u->net, S, k, out->obs_sens + row * no * k);
}

static void fail(ilnet_point_out *out, int status, const char *msg)
{
    out->status = status;
    if (snprintf(out->message, sizeof out->message, "%s", msg) < 0) out->message[0] = 0;
}

/* The state's sensitivities at the start: the initial-amount expressions', except for the
 * species given amounts (the config's initial, a swept or dosed species). */
static int initial_sens(ilnet_point_unit *u, int n_vars, int dose_late)
{
    int rc = ilnet_solver_initial_sensitivities(u->solver, u->yS);
    const ilnet_config *c = u->cfg;
    for (int i = 0; !rc && i < c->initial.n; i++)
        sens_fixed_row(u, (size_t)ilnet_network_find_species(u->net, c->initial.names[i]), 1);
    for (int j = 0; !rc && j < n_vars && !dose_late; j++)
        if (u->var_species[j] >= 0) sens_fixed_row(u, (size_t)u->var_species[j], 1);
    return rc;
}

/* Pre-equilibration to the steady state reached from u->y (ilnet_solver_steady_state:
 * Newton, else integration); nonzero when none was found (out says why). */
static int steady(ilnet_point_unit *u, ilnet_point_out *out)
{
    ilnet_steady_result r;
    double t0 = ilnet_clock_now();
    int rc = u->k ? ilnet_solver_set_initial_sensitivities(u->solver, u->yS) : 0;
    memset(&r, 0, sizeof r);
    if (!rc) rc = ilnet_solver_steady_state(u->solver, &r, u->y, NULL);
    out->stats[ILNET_STAT_SOLVER] += ilnet_clock_now() - t0;
    out->stats[ILNET_STAT_STEPS] += (double)r.steps;
    if (!rc) {
        memcpy(u->y, r.y, r.n_species * sizeof *u->y);
        if (u->k) memcpy(u->yS, r.sens, r.n_species * (size_t)u->k * sizeof *u->yS);
    } else {
        char m[1100];
        snprintf(m, sizeof m, "pre-equilibration to a steady state: %s",
                 rc == ILNET_ESOLVER ? r.message : ilnet_error_last());
        fail(out, rc == ILNET_ESOLVER ? ILNET_POINT_FAILED : ILNET_POINT_BAD, m);
    }
    ilnet_steady_result_free(&r);
    return rc != 0;
}

/* Pre-equilibration: runs without the protocol's changes for preeq_duration, then restores
 * the parameters it set and, when the dose comes late, gives the dose. Returns nonzero when
 * the point failed (out says why). */
static int preequilibrate(ilnet_point_unit *u, const double *values, int n_vars, int dose_late,
                          ilnet_point_out *out)
{
    const ilnet_config_protocol *pr = &u->exp->protocol;
    const ilnet_config_assign *ps = &pr->preeq_set;
    double *saved = u->saved;
    int n_saved = ps->n;
    for (int i = 0; i < n_saved; i++) {
        int k = ilnet_network_find_parameter(u->net, ps->names[i]);
        saved[i] = k >= 0 ? ilnet_network_parameter(u->net, k)->value : NAN;
        u->saved_set[i] = k >= 0 && ilnet_network_parameter_is_set(u->net, (size_t)k);
    }
    if (apply_changes(u, ps, NULL)) {
        fail(out, ILNET_POINT_BAD, ilnet_error_last());
        return 1;
    }
    if (pr->preeq_steady) {
        if (steady(u, out)) return 1;
    } else {
        u->seg_times[0] = 0;
        u->seg_times[1] = pr->preeq_duration;
    }
    if (!pr->preeq_steady && segment(u, 2, out)) {
        char m[256];
        snprintf(m, sizeof m, "pre-equilibration: %s", ilnet_error_last());
        fail(out, u->seg.status ? ILNET_POINT_FAILED : ILNET_POINT_BAD, m);
        return 1;
    }
    for (int i = 0; i < n_saved; i++)
        if (!isnan(saved[i]) && change_param_reset(u, ps->names[i], saved[i], !u->saved_set[i])) {
            fail(out, ILNET_POINT_BAD, ilnet_error_last());
            return 1;
        }
    for (int j = 0; j < n_vars && dose_late; j++) {
        if (u->var_species[j] >= 0) u->y[u->var_species[j]] = values[j];
        if (u->var_species[j] >= 0 && u->k) sens_fixed_row(u, (size_t)u->var_species[j], 1);
        if (u->var_param[j] >= 0 &&
            change_param_reset(u, ilnet_network_parameter(u->net, u->var_param[j])->name, values[j],
                               0)) {
            fail(out, ILNET_POINT_BAD, ilnet_error_last());
            return 1;
        }
    }
    return 0;
}

/* The next point starts from the same parameters: undoes the protocol's changes. */
static int restore_touched(ilnet_point_unit *u)
{
    for (int i = 0; i < u->n_touched; i++) {
        size_t pi = (size_t)u->touched[i];
        const ilnet_parameter *p = ilnet_network_parameter(u->net, pi);
        int now_set = ilnet_network_parameter_is_set(u->net, pi);
        if (!u->touched_set[i]
                ? now_set && ilnet_network_unset_parameter(u->net, p->name)
                : (p->value != u->touched_base[i] || !now_set) &&
                      ilnet_network_set_parameter(u->net, p->name, u->touched_base[i]))
            return ilnet_error_code();
    }
    return 0;
}

/* A time within round-off of an output time is that time (as the config snaps steps). */
static double snap_time(const ilnet_point_unit *u, double t)
{
    double tol = 1e-9 * (u->times[u->n_times - 1] - u->times[0]);
    for (size_t r = 0; r < u->n_times; r++)
        if (fabs(u->times[r] - t) <= tol) return u->times[r];
    return t;
}

/* The protocol's step times at this point (a sweep may vary some) and the steps in time
 * order (steps at equal times in the order the protocol lists them). */
static void schedule_steps(ilnet_point_unit *u, const double *values, int n_vars)
{
    const ilnet_config_protocol *pr = &u->exp->protocol;
    for (int k = 0; k < pr->n_steps; k++)
        u->step_at[k] = pr->steps[k].at;
    for (int j = 0; j < n_vars; j++)
        if (u->var_step[j] >= 0) u->step_at[u->var_step[j]] = snap_time(u, values[j]);
    for (int k = 0; k < pr->n_steps; k++) {
        int i = k;
        while (i > 0 && u->step_at[u->step_order[i - 1]] > u->step_at[k]) {
            u->step_order[i] = u->step_order[i - 1];
            i--;
        }
        u->step_order[i] = k;
    }
}

/* Applies the steps due at time cur from the k-th in time order on; returns the next one's
 * position, or -1 when a step failed (the point is bad). */
static int apply_due_steps(ilnet_point_unit *u, int k, double cur)
{
    const ilnet_config_protocol *pr = &u->exp->protocol;
    for (; k < pr->n_steps && u->step_at[u->step_order[k]] <= cur; k++) {
        const ilnet_config_step *s = &pr->steps[u->step_order[k]];
        if (apply_changes(u, &s->set, &s->add)) return -1;
    }
    return k;
}

int ilnet_point_run(ilnet_point_unit *u, const double *values, ilnet_point_out *out)
{
    const ilnet_config *c = u->cfg;
    const ilnet_config_experiment *e = u->exp;
    const ilnet_config_protocol *pr = &e->protocol;
    size_t ns = ilnet_network_species_count(u->net), no = ilnet_network_observable_count(u->net);
    size_t nt = u->n_times;
    double t_wall = ilnet_clock_now();
    memset(out->stats, 0, sizeof out->stats);
    memset(&u->seg.stats, 0, sizeof u->seg.stats);
    out->message[0] = 0;
    out->status = ILNET_POINT_OK;
    for (size_t i = 0; i < nt * no; i++)
        out->observables[i] = NAN;
    for (size_t i = 0; i < nt * (size_t)u->n_expr; i++)
        out->expressions[i] = NAN;
    for (size_t i = 0; i < nt * ns; i++)
        out->species[i] = NAN;
    for (size_t i = 0; i < nt * no * (size_t)u->k; i++)
        out->obs_sens[i] = NAN;
    for (size_t i = 0; i < nt * ns * (size_t)u->k; i++)
        out->species_sens[i] = NAN;
    int n_vars = e->type == ILNET_EXP_DOSE ? 1 : e->type == ILNET_EXP_SWEEP ? e->n_sweep : 0;
    /* a dose comes at t_start: after the pre-equilibration, when there is one */
    int dose_late = e->type == ILNET_EXP_DOSE && pr->has_preeq;
    for (int j = 0; j < n_vars && !dose_late; j++)
        if (u->var_param[j] >= 0 &&
            ilnet_network_set_parameter(
                u->net, ilnet_network_parameter(u->net, u->var_param[j])->name, values[j])) {
            fail(out, ILNET_POINT_BAD, ilnet_error_last());
            goto done;
        }
    for (size_t i = 0; i < ns; i++)
        u->y[i] = ilnet_network_species(u->net, i)->initial;
    for (int i = 0; i < c->initial.n; i++)
        u->y[ilnet_network_find_species(u->net, c->initial.names[i])] = c->initial.values[i];
    for (int j = 0; j < n_vars && !dose_late; j++)
        if (u->var_species[j] >= 0) u->y[u->var_species[j]] = values[j];
    if (u->k && initial_sens(u, n_vars, dose_late)) {
        fail(out, ILNET_POINT_BAD, ilnet_error_last());
        goto done;
    }

    if (pr->has_preeq && preequilibrate(u, values, n_vars, dose_late, out)) goto done;

    schedule_steps(u, values, n_vars);
    double cur = u->times[0];
    int k = apply_due_steps(u, 0, cur); /* the next protocol step in time order */
    if (k < 0) {
        fail(out, ILNET_POINT_BAD, ilnet_error_last());
        goto done;
    }
    store(u, out, 0, u->y, u->yS);
    size_t r = 1;
    while (r < nt) {
        double b = u->times[nt - 1];
        if (k < pr->n_steps && u->step_at[u->step_order[k]] < b) b = u->step_at[u->step_order[k]];
        size_t n = 0, r0 = r;
        u->seg_times[n++] = cur;
        while (r < nt && u->times[r] < b)
            u->seg_times[n++] = u->times[r++];
        u->seg_times[n++] = b;
        int rc = segment(u, n, out);
        for (size_t i = 1; i < u->seg.n_done && r0 + i - 1 < r; i++)
            store(u, out, r0 + i - 1, u->seg.species + i * ns,
                  u->k ? u->seg.sens + i * ns * (size_t)u->k : NULL);
        if (rc) {
            fail(out, u->seg.status ? ILNET_POINT_FAILED : ILNET_POINT_BAD,
                 u->seg.status ? u->seg.message : ilnet_error_last());
            goto done;
        }
        cur = b;
        if ((k = apply_due_steps(u, k, cur)) < 0) {
            fail(out, ILNET_POINT_BAD, ilnet_error_last());
            goto done;
        }
        if (r < nt && u->times[r] == b) store(u, out, r++, u->y, u->yS);
    }
done:
    out->stats[ILNET_STAT_TREACHED] = u->seg.stats.t_reached;
    out->stats[ILNET_STAT_WALL] = ilnet_clock_now() - t_wall;
    return restore_touched(u);
}

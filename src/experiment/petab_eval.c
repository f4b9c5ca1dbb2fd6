/* Evaluating a PEtab problem: every (preequilibration, simulation) condition pair simulated
 * once, observables and noise from their formulas, the log-likelihood (petab.h). */
#include "../common/error.h"
#include "../model/load.h"
#include "../solver/solver.h"
#include "petab_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cond_net_free(struct petab_cond_net *c)
{
    if (!c) return;
    petab_grad_free(c);
    ilnet_solver_free(c->solver);
    ilnet_network_free(c->net);
    free(c->vars);
    free(c->dvars);
    memset(c, 0, sizeof *c);
}

void petab_eval_free(ilnet_petab *p)
{
    for (size_t i = 0; p->cn && i < p->n_cond; i++) {
        for (size_t s = 0; p->cn[i].sym && s < p->n_sym; s++)
            ilnet_expr_free(p->cn[i].sym[s]);
        free(p->cn[i].sym);
        cond_net_free(&p->cn[i]);
    }
    free(p->cn);
    p->cn = NULL;
    for (size_t o = 0; p->obs_expr && o < p->n_obs; o++) {
        ilnet_expr_free(p->obs_expr[o]);
        ilnet_expr_free(p->noise_expr[o]);
    }
    free(p->obs_expr);
    free(p->noise_expr);
    p->obs_expr = p->noise_expr = NULL;
}

/* the amount expression a condition cell gives species i: the cell times the compartment
 * for an SBML species in concentration units */
static int species_amount_text(const ilnet_petab *p, const ilnet_network *net, int i,
                               const petab_value *v, char *buf, size_t n)
{
    const char *name = ilnet_network_species(net, (size_t)i)->name, *comp = NULL;
    if (p->is_sbml)
        for (int s = 0; s < p->syms.n; s++)
            if (p->syms.species[s] && !strcmp(p->syms.amount[s], name)) {
                const char *slash = strrchr(p->syms.conc[s], '/');
                comp = slash && !p->syms.amount_default[s] ? slash + 1 : NULL;
            }
    char val[256];
    if (v->par >= 0)
        snprintf(val, sizeof val, "%s", p->par[v->par].id);
    else
        snprintf(val, sizeof val, "%.17g", v->value);
    int w = comp ? snprintf(buf, n, "(%s)*%s", val, comp) : snprintf(buf, n, "(%s)", val);
    return w > 0 && (size_t)w < n
               ? 0
               : ilnet_error_set(ILNET_EINPUT, "species '%s': expression too long", name);
}

/* Condition c's network: the model with the parameter table's other ids added as
 * parameters and the species the condition sets given that initial amount. */
static int cond_net_build(ilnet_petab *p, size_t c)
{
    struct petab_cond_net *cn = &p->cn[c];
    int rc = p->is_sbml ? ilnet_sbml_read(&cn->net, NULL, p->model_path, NULL)
                        : ilnet_network_load(&cn->net, p->model_path, NULL);
    for (size_t i = 0; i < p->n_par && !rc; i++)
        if (ilnet_network_find_parameter(cn->net, p->par[i].id) < 0 &&
            ilnet_network_find_species(cn->net, p->par[i].id) < 0) {
            char v[64];
            snprintf(v, sizeof v, "%.17g", p->par[i].nominal);
            rc = ilnet_network_add_parameter(cn->net, p->par[i].id, v, 0);
        }
    for (size_t k = 0; k < p->n_col && !rc; k++) {
        const petab_value *v = &p->cond[c * p->n_col + k];
        if (p->col[k].kind != PETAB_TARGET_SPECIES || v->none) continue;
        char text[512];
        rc = species_amount_text(p, cn->net, p->col[k].index, v, text, sizeof text);
        if (!rc) rc = ilnet_network_set_species_amount(cn->net, (size_t)p->col[k].index, text);
    }
    if (!rc) rc = ilnet_network_compile(cn->net);
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = p->atol;
    so.rtol = p->rtol;
    if (!rc) rc = ilnet_solver_new(&cn->solver, cn->net, &so);
    cn->sym = calloc(p->n_sym + 1, sizeof *cn->sym);
    size_t nv = rc ? 0 : ilnet_network_var_count(cn->net);
    cn->vars = calloc(nv + 1, sizeof *cn->vars);
    cn->dvars = calloc(nv + 1, sizeof *cn->dvars);
    if (!rc && (!cn->sym || !cn->vars || !cn->dvars)) rc = ilnet_error_oom();
    for (size_t s = 0; s < p->n_sym && !rc; s++)
        rc = ilnet_network_expr_compile(cn->net, p->sym_expr[s], &cn->sym[s]);
    if (rc) ilnet_error_prefix("%s: condition '%s'", p->cond_file, p->cond_id[c]);
    return rc;
}

/* Parameter values for condition c: the parameter table's, then the condition's columns. */
static int cond_net_set(ilnet_petab *p, size_t c, const double *x)
{
    ilnet_network *net = p->cn[c].net;
    int rc = 0;
    for (size_t i = 0; i < p->n_par && !rc; i++)
        if (ilnet_network_find_parameter(net, p->par[i].id) >= 0)
            rc = ilnet_network_set_parameter(net, p->par[i].id, x[i]);
    for (size_t k = 0; k < p->n_col && !rc; k++) {
        const petab_value *v = &p->cond[c * p->n_col + k];
        if (p->col[k].kind == PETAB_TARGET_PARAMETER && !v->none)
            rc = ilnet_network_set_parameter(net, p->col[k].id, petab_value_get(v, x));
    }
    return rc;
}

static int prepare(ilnet_petab *p, double atol, double rtol)
{
    if (p->cn && (p->atol != atol || p->rtol != rtol)) petab_eval_free(p);
    p->atol = atol;
    p->rtol = rtol;
    if (!p->cn && !(p->cn = calloc(p->n_cond + 1, sizeof *p->cn))) return ilnet_error_oom();
    if (p->obs_expr) return 0;
    p->obs_expr = calloc(p->n_obs + 1, sizeof *p->obs_expr);
    p->noise_expr = calloc(p->n_obs + 1, sizeof *p->noise_expr);
    if (!p->obs_expr || !p->noise_expr) return ilnet_error_oom();
    int rc = 0;
    for (size_t o = 0; o < p->n_obs && !rc; o++) {
        rc = petab_formula_compile(p, (int)o, p->obs[o].formula, &p->obs_expr[o]);
        if (!rc) rc = petab_formula_compile(p, (int)o, p->obs[o].noise, &p->noise_expr[o]);
    }
    return rc;
}

static int cond_net(ilnet_petab *p, size_t c, const double *x, struct petab_cond_net **out)
{
    int rc = p->cn[c].net ? 0 : cond_net_build(p, c);
    if (!rc) rc = cond_net_set(p, c, x);
    *out = &p->cn[c];
    /* sensitivities set up by an earlier gradient rest while only llh is asked */
    if (!rc && p->cn[c].which) ilnet_solver_pause_sensitivities(p->cn[c].solver, !p->gradient);
    return rc;
}

/* ---- one experiment: a (preequilibration, simulation) pair ---- */

typedef struct {
    ilnet_petab *p;
    const double *x;
    ilnet_petab_result *r;
    double *fv, *dfv; /* formula variables and a direction in them */
    double *grad;     /* d llh / d x (linear scale), or NULL */
} evalctx;

/* d llh / d y and d llh / d sigma of measurement m */
static void llh_weights(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                        double *wy, double *ws)
{
    const petab_observable *o = &p->obs[m->obs];
    double a = m->value, b = y, db = 1;
    if (o->transform == PETAB_LOG) {
        a = log(a), b = log(b), db = 1 / y;
    } else if (o->transform == PETAB_LOG10) {
        a = log10(a), b = log10(b), db = 1 / (y * log(10.0));
    }
    double r = (a - b) / sigma;
    if (o->dist == PETAB_LAPLACE) {
        *wy = (r > 0 ? 1 : r < 0 ? -1 : 0) / sigma * db;
        *ws = -1 / sigma + fabs(r) / sigma;
    } else {
        *wy = r / sigma * db;
        *ws = -1 / sigma + r * r / sigma;
    }
}

/* with gradients: condition c's sensitivity columns, at the current parameters */
static int grad_ready(evalctx *E, size_t c)
{
    if (!E->grad) return 0;
    int rc = petab_grad_columns(E->p, c);
    return rc ? rc : ilnet_sens_params_update(&E->p->cn[c].sp);
}

/* the observable and its noise for measurement m at state y, time t of network cn */
static void observe(evalctx *E, struct petab_cond_net *cn, const petab_measurement *m, double t,
                    const double *y, double *sim, double *sigma)
{
    const ilnet_petab *p = E->p;
    ilnet_network_vars_eval(cn->net, t, y, cn->vars);
    double *fv = E->fv;
    for (size_t s = 0; s < p->n_sym; s++)
        fv[s] = ilnet_expr_eval(cn->sym[s], cn->vars);
    for (size_t i = 0; i < p->n_par; i++)
        fv[p->n_sym + i] = E->x[i];
    size_t base = p->n_sym + p->n_par;
    for (int k = 0; k < m->n_obs_par; k++)
        fv[base + (size_t)k] = petab_value_get(&m->obs_par[k], E->x);
    for (int k = 0; k < m->n_noise_par; k++)
        fv[base + PETAB_MAX_PLACEHOLDERS + (size_t)k] = petab_value_get(&m->noise_par[k], E->x);
    fv[base + 2 * PETAB_MAX_PLACEHOLDERS] = t;
    *sim = ilnet_expr_eval(p->obs_expr[m->obs], fv);
    *sigma = ilnet_expr_eval(p->noise_expr[m->obs], fv);
}

/* adds measurement m's terms to r */
static void likelihood(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                       ilnet_petab_result *r)
{
    const petab_observable *o = &p->obs[m->obs];
    double a = m->value, b = y, jac = 0;
    if (o->transform == PETAB_LOG) {
        a = log(a), b = log(b), jac = log(m->value);
    } else if (o->transform == PETAB_LOG10) {
        a = log10(a), b = log10(b), jac = log(m->value * log(10.0));
    }
    double res = (a - b) / sigma;
    r->chi2 += res * res;
    if (o->dist == PETAB_LAPLACE)
        r->llh += -log(2 * sigma) - fabs(res) - jac;
    else
        r->llh += -0.5 * log(2 * M_PI * sigma * sigma) - 0.5 * res * res - jac;
}

/* sorted distinct finite times of the measurements of pair (pre, sim), 0 first */
static size_t pair_times(const ilnet_petab *p, int pre, int sim, double *times)
{
    size_t n = 0;
    times[n++] = 0;
    for (size_t i = 0; i < p->n_meas; i++) {
        const petab_measurement *m = &p->meas[i];
        if (m->preeq != pre || m->sim != sim || !isfinite(m->time)) continue;
        size_t k = 0;
        while (k < n && times[k] < m->time)
            k++;
        if (k < n && times[k] == m->time) continue;
        memmove(times + k + 1, times + k, (n - k) * sizeof *times);
        times[k] = m->time;
        n++;
    }
    return n;
}

static int fail(ilnet_petab_result *r, const char *what, int pre, int sim, const ilnet_petab *p)
{
    r->status = ILNET_ESOLVER;
    r->llh = -INFINITY;
    snprintf(r->message, sizeof r->message, "condition %.100s%s%.100s: %.700s",
             pre >= 0 ? p->cond_id[pre] : "", pre >= 0 ? " -> " : "", p->cond_id[sim], what);
    return ILNET_ESOLVER;
}

/* initial state of the simulation after preequilibration in pre: the steady state, except
 * the species the simulation condition sets (re-initialised to its amounts) */
static int preequilibrate(evalctx *E, int pre, int sim, struct petab_cond_net *cs, double *y0,
                          double *yS0)
{
    struct petab_cond_net *cp;
    int rc = cond_net(E->p, (size_t)pre, E->x, &cp);
    if (!rc) rc = grad_ready(E, (size_t)pre);
    if (rc) return rc;
    ilnet_steady_result ss;
    rc = ilnet_solver_steady_state(cp->solver, &ss, NULL, NULL);
    if (!rc && E->grad) rc = petab_grad_initial(E->p, cs, sim, cp, ss.sens, yS0);
    if (rc == ILNET_ESOLVER) rc = fail(E->r, ss.message, pre, sim, E->p);
    size_t n = ilnet_network_species_count(cs->net);
    int neg = ilnet_network_allows_negative(cs->net);
    for (size_t i = 0; !rc && i < n; i++) /* round-off below 0 is no amount */
        y0[i] = ss.y[i] < 0 && !neg ? 0 : ss.y[i];
    for (size_t k = 0; !rc && k < E->p->n_col; k++) {
        const petab_value *v = &E->p->cond[(size_t)sim * E->p->n_col + k];
        if (E->p->col[k].kind == PETAB_TARGET_SPECIES && !v->none) {
            int i = E->p->col[k].index;
            y0[i] = ilnet_network_species(cs->net, (size_t)i)->initial;
        }
    }
    ilnet_steady_result_free(&ss);
    return rc;
}

/* measurement i of the pair at state y (row of sensitivities S): observable, noise, and
 * with gradients their terms */
static void measure(evalctx *E, struct petab_cond_net *cs, size_t i, double t, const double *y,
                    const double *S)
{
    const petab_measurement *m = &E->p->meas[i];
    observe(E, cs, m, t, y, &E->r->sim[i], &E->r->sigma[i]);
    if (!E->grad) return;
    double wy, ws;
    llh_weights(E->p, m, E->r->sim[i], E->r->sigma[i], &wy, &ws);
    petab_grad_measurement(E->p, cs, m, t, y, S, E->fv, E->dfv, wy, ws, E->grad);
}

/* the measurements of the pair at time inf: the simulation condition's steady state */
static int measure_steady(evalctx *E, int pre, int sim, struct petab_cond_net *cs, const double *y0,
                          const double *yS0)
{
    ilnet_petab *p = E->p;
    ilnet_steady_result ss = {0};
    int rc = 0, have = 0;
    for (size_t i = 0; i < p->n_meas && !rc; i++) {
        const petab_measurement *m = &p->meas[i];
        if (m->preeq != pre || m->sim != sim || isfinite(m->time)) continue;
        if (!have) {
            if (E->grad) rc = ilnet_solver_set_initial_sensitivities(cs->solver, yS0);
            if (!rc) rc = ilnet_solver_steady_state(cs->solver, &ss, y0, NULL);
            if (rc == ILNET_ESOLVER) rc = fail(E->r, ss.message, pre, sim, p);
            have = 1;
        }
        if (!rc) measure(E, cs, i, INFINITY, ss.y, ss.sens);
    }
    ilnet_steady_result_free(&ss);
    return rc;
}

static int run_pair(evalctx *E, int pre, int sim, double *times)
{
    ilnet_petab *p = E->p;
    struct petab_cond_net *cs;
    int rc = cond_net(p, (size_t)sim, E->x, &cs);
    if (!rc) rc = grad_ready(E, (size_t)sim);
    if (rc) return rc;
    size_t n = ilnet_network_species_count(cs->net), nt = pair_times(p, pre, sim, times);
    size_t k = E->grad ? (size_t)cs->k : 0;
    double *y0 = calloc(n + 1, sizeof *y0), *yS0 = calloc(n * k + 1, sizeof *yS0);
    ilnet_result res;
    if (!y0 || !yS0 || ilnet_result_init(&res, cs->net, nt)) {
        free(y0);
        free(yS0);
        return ilnet_error_oom();
    }
    memcpy(res.times, times, nt * sizeof *times);
    if (pre >= 0)
        rc = preequilibrate(E, pre, sim, cs, y0, yS0);
    else if (E->grad)
        rc = petab_grad_initial(p, cs, sim, NULL, NULL, yS0);
    if (!rc && E->grad) rc = ilnet_solver_set_initial_sensitivities(cs->solver, yS0);
    if (!rc) rc = ilnet_solver_run(cs->solver, &res, pre >= 0 ? y0 : NULL);
    if (rc == ILNET_ESOLVER) rc = fail(E->r, res.message, pre, sim, p);
    if (!rc && pre < 0) memcpy(y0, res.species, n * sizeof *y0);
    for (size_t i = 0; i < p->n_meas && !rc; i++) {
        const petab_measurement *m = &p->meas[i];
        if (m->preeq != pre || m->sim != sim || !isfinite(m->time)) continue;
        size_t row = 0;
        while (res.times[row] != m->time)
            row++;
        measure(E, cs, i, m->time, res.species + row * n, k ? res.sens + row * n * k : NULL);
    }
    if (!rc) rc = measure_steady(E, pre, sim, cs, y0, yS0);
    ilnet_result_free(&res);
    free(y0);
    free(yS0);
    return rc;
}

static double log_prior(const petab_parameter *q, double x)
{
    double v = x, a = q->prior_par[0], b = q->prior_par[1];
    if (q->prior_on_scale)
        v = q->scale == PETAB_LOG ? log(x) : q->scale == PETAB_LOG10 ? log10(x) : x;
    switch (q->prior) {
    case PETAB_PRIOR_NORMAL:
        return -0.5 * log(2 * M_PI * b * b) - 0.5 * (v - a) * (v - a) / (b * b);
    case PETAB_PRIOR_LAPLACE:
        return -log(2 * b) - fabs(v - a) / b;
    case PETAB_PRIOR_UNIFORM:
        return v >= a && v <= b ? -log(b - a) : -INFINITY;
    case PETAB_PRIOR_LOGNORMAL:
        return -log(x * b * sqrt(2 * M_PI)) - 0.5 * (log(x) - a) * (log(x) - a) / (b * b);
    case PETAB_PRIOR_LOGLAPLACE:
        return -log(2 * b * x) - fabs(log(x) - a) / b;
    default:
        return 0;
    }
}

void ilnet_petab_result_free(ilnet_petab_result *r)
{
    free(r->sim);
    free(r->sigma);
    free(r->grad);
    memset(r, 0, sizeof *r);
}

/* d llh / d x into d llh / d (x on its scale) */
static void to_scale(const ilnet_petab *p, const double *x, double *g)
{
    for (size_t j = 0; j < p->n_par; j++) {
        if (!p->par[j].estimate)
            g[j] = 0;
        else if (p->par[j].scale == PETAB_LOG)
            g[j] *= x[j];
        else if (p->par[j].scale == PETAB_LOG10)
            g[j] *= x[j] * log(10.0);
    }
}

int ilnet_petab_evaluate(ilnet_petab_result *r, ilnet_petab *p, const double *x, double atol,
                         double rtol, int gradient)
{
    memset(r, 0, sizeof *r);
    r->grad = gradient ? calloc(p->n_par + 1, sizeof *r->grad) : NULL;
    r->sim = calloc(p->n_meas + 1, sizeof *r->sim);
    r->sigma = calloc(p->n_meas + 1, sizeof *r->sigma);
    double *xn = malloc((p->n_par + 1) * sizeof *xn),
           *times = malloc((p->n_meas + 2) * sizeof *times);
    double *fv = calloc(petab_formula_var_count(p) + 1, sizeof *fv);
    double *dfv = calloc(petab_formula_var_count(p) + 1, sizeof *dfv);
    unsigned char *done = calloc(p->n_meas + 1, 1);
    int rc = r->sim && r->sigma && xn && times && fv && dfv && done && (!gradient || r->grad)
                 ? 0
                 : ilnet_error_oom();
    for (size_t i = 0; i < p->n_par && xn; i++)
        xn[i] = x ? x[i] : p->par[i].nominal;
    if (!rc) rc = prepare(p, atol, rtol);
    evalctx E = {p, xn, r, fv, dfv, r->grad};
    p->gradient = gradient;
    for (size_t i = 0; i < p->n_meas && !rc; i++) {
        if (done[i]) continue;
        int pre = p->meas[i].preeq, sim = p->meas[i].sim;
        rc = run_pair(&E, pre, sim, times);
        for (size_t k = i; k < p->n_meas; k++)
            done[k] |= p->meas[k].preeq == pre && p->meas[k].sim == sim;
    }
    for (size_t i = 0; i < p->n_meas && !rc; i++)
        likelihood(p, &p->meas[i], r->sim[i], r->sigma[i], r);
    for (size_t i = 0; i < p->n_par && !rc; i++)
        if (p->par[i].estimate && p->par[i].prior) r->log_prior += log_prior(&p->par[i], xn[i]);
    if (!rc && r->grad) to_scale(p, xn, r->grad);
    free(dfv);
    free(xn);
    free(times);
    free(fv);
    free(done);
    return rc;
}

int ilnet_petab_write_simulations(const ilnet_petab *p, const ilnet_petab_result *r,
                                  const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot create", path);
    fprintf(f, "observableId\tpreequilibrationConditionId\tsimulationConditionId\ttime\t"
               "simulation\tmeasurement\tnoise\n");
    for (size_t i = 0; i < p->n_meas; i++) {
        const petab_measurement *m = &p->meas[i];
        fprintf(f, "%s\t%s\t%s\t%.17g\t%.17g\t%.17g\t%.17g\n", p->obs[m->obs].id,
                m->preeq >= 0 ? p->cond_id[m->preeq] : "", p->cond_id[m->sim], m->time, r->sim[i],
                m->value, r->sigma[i]);
    }
    if (fclose(f)) return ilnet_error_set(ILNET_EIO, "%s: write failed", path);
    return 0;
}

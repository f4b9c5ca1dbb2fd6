/* Evaluating a PEtab problem: every (preequilibration, simulation) condition pair simulated
 * once, observables and noise from their formulas, the log-likelihood (petab.h). */
#include "../common/error.h"
#include "../model/load.h"
#include "../solver/solver.h"
#include "petab_internal.h"

#include <math.h>
#include <pthread.h>
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
    double *jac;      /* d residual_i / d x_j (n_meas x n_par), or NULL */
    double *logsig;   /* d log sigma_i / d x_j, with jac */
    int status;       /* ILNET_ESOLVER after a failed simulation of this worker */
    char message[1024];
    int adjoint;      /* gradients by the adjoint method where a pair allows it */
    size_t n_adjoint; /* pairs this worker did so */
} evalctx;

/* the weighted residual (h(m) - h(y)) / sigma of measurement m, h its observable's
 * transformation, and dh/dy at y */
static double weighted_residual(const ilnet_petab *p, const petab_measurement *m, double y,
                                double sigma, double *db)
{
    const petab_observable *o = &p->obs[m->obs];
    double a = m->value, b = y;
    *db = 1;
    if (o->transform == PETAB_LOG) {
        a = log(a), b = log(b), *db = 1 / y;
    } else if (o->transform == PETAB_LOG10) {
        a = log10(a), b = log10(b), *db = 1 / (y * log(10.0));
    }
    return (a - b) / sigma;
}

/* d llh / d y and d llh / d sigma of measurement m */
static void llh_weights(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                        double *wy, double *ws)
{
    double db, r = weighted_residual(p, m, y, sigma, &db);
    if (p->obs[m->obs].dist == PETAB_LAPLACE) {
        *wy = (r > 0 ? 1 : r < 0 ? -1 : 0) / sigma * db;
        *ws = -1 / sigma + fabs(r) / sigma;
    } else {
        *wy = r / sigma * db;
        *ws = -1 / sigma + r * r / sigma;
    }
}

/* the weighted residual r = (h(m) - h(y)) / sigma of measurement m and its derivatives */
static double residual(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                       double *dy, double *ds)
{
    double db, r = weighted_residual(p, m, y, sigma, &db);
    *dy = -db / sigma;
    *ds = -r / sigma;
    return r;
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

void petab_likelihood_add(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                          ilnet_petab_result *r)
{
    const petab_observable *o = &p->obs[m->obs];
    double db, res = weighted_residual(p, m, y, sigma, &db);
    /* the density of the untransformed datum: the transformation's Jacobian at m */
    double jac = o->transform == PETAB_LOG     ? log(m->value)
                 : o->transform == PETAB_LOG10 ? log(m->value * log(10.0))
                                               : 0;
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

static int fail(evalctx *E, const char *what, int pre, int sim, const ilnet_petab *p)
{
    E->status = ILNET_ESOLVER;
    snprintf(E->message, sizeof E->message, "condition %.100s%s%.100s: %.700s",
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
    if (!rc && E->grad) rc = ilnet_solver_set_adjoint(cp->solver, 0);
    if (rc) return rc;
    ilnet_steady_result ss;
    rc = ilnet_solver_steady_state(cp->solver, &ss, NULL, NULL);
    if (!rc && E->grad) rc = petab_grad_initial(E->p, cs, sim, cp, ss.sens, yS0);
    if (rc == ILNET_ESOLVER) rc = fail(E, ss.message, pre, sim, E->p);
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
                    const double *S, double *G)
{
    const petab_measurement *m = &E->p->meas[i];
    observe(E, cs, m, t, y, &E->r->sim[i], &E->r->sigma[i]);
    double jy = 0, js = 0;
    if (E->r->residual)
        E->r->residual[i] = residual(E->p, m, E->r->sim[i], E->r->sigma[i], &jy, &js);
    if (!E->grad) return;
    double wy, ws;
    llh_weights(E->p, m, E->r->sim[i], E->r->sigma[i], &wy, &ws);
    size_t row = i * E->p->n_par;
    petab_weights w = {wy,
                       ws,
                       jy,
                       js,
                       E->jac ? E->jac + row : NULL,
                       E->jac ? E->logsig + row : NULL,
                       E->r->sigma[i]};
    petab_grad_measurement(E->p, cs, m, t, y, S, E->fv, E->dfv, &w, E->grad);
    if (G) petab_grad_state(E->p, cs, m, t, y, E->fv, E->dfv, &w, G);
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
            if (rc == ILNET_ESOLVER) rc = fail(E, ss.message, pre, sim, p);
            have = 1;
        }
        if (!rc) measure(E, cs, i, INFINITY, ss.y, ss.sens, NULL);
    }
    ilnet_steady_result_free(&ss);
    return rc;
}

/* 1 when pair (pre, sim) can take the adjoint path: no preequilibration and no
 * steady-state measurement */
static int adjoint_pair(const evalctx *E, int pre, int sim)
{
    if (!E->grad || !E->adjoint || pre >= 0) return 0;
    for (size_t i = 0; i < E->p->n_meas; i++) {
        const petab_measurement *m = &E->p->meas[i];
        if (m->preeq == pre && m->sim == sim && !isfinite(m->time)) return 0;
    }
    return 1;
}

/* the adjoint gradient of the pair's terms (the jumps G at the result's rows) */
static int adjoint_add(evalctx *E, struct petab_cond_net *cs, const ilnet_result *res,
                       const double *G)
{
    double *g = malloc(((size_t)cs->k + 1) * sizeof *g);
    if (!g) return ilnet_error_oom();
    int rc = ilnet_solver_adjoint_gradient(cs->solver, res, G, g);
    for (int c = 0; !rc && c < cs->k; c++)
        E->grad[cs->src[c]] += g[c];
    E->n_adjoint += !rc;
    free(g);
    return rc;
}

static int run_pair(evalctx *E, int pre, int sim, double *times)
{
    ilnet_petab *p = E->p;
    struct petab_cond_net *cs;
    int rc = cond_net(p, (size_t)sim, E->x, &cs), adj = adjoint_pair(E, pre, sim);
    if (!rc) rc = grad_ready(E, (size_t)sim);
    if (!rc && E->grad) rc = ilnet_solver_set_adjoint(cs->solver, adj);
    if (rc) return rc;
    size_t n = ilnet_network_species_count(cs->net), nt = pair_times(p, pre, sim, times);
    size_t k = E->grad ? (size_t)cs->k : 0;
    double *y0 = calloc(n + 1, sizeof *y0), *yS0 = calloc(n * k + 1, sizeof *yS0);
    double *G = adj ? calloc(nt * n + 1, sizeof *G) : NULL;
    ilnet_result res;
    if (!y0 || !yS0 || (adj && !G) || ilnet_result_init(&res, cs->net, nt)) {
        free(y0);
        free(yS0);
        free(G);
        return ilnet_error_oom();
    }
    memcpy(res.times, times, nt * sizeof *times);
    if (pre >= 0)
        rc = preequilibrate(E, pre, sim, cs, y0, yS0);
    else if (E->grad)
        rc = petab_grad_initial(p, cs, sim, NULL, NULL, yS0);
    if (!rc && E->grad) rc = ilnet_solver_set_initial_sensitivities(cs->solver, yS0);
    if (!rc) rc = ilnet_solver_run(cs->solver, &res, pre >= 0 ? y0 : NULL);
    if (rc == ILNET_ESOLVER) rc = fail(E, res.message, pre, sim, p);
    if (!rc && pre < 0) memcpy(y0, res.species, n * sizeof *y0);
    /* the adjoint path: the state terms go into G, the formulas' own through zero S */
    const double *S0 = adj ? yS0 : NULL;
    if (adj) memset(yS0, 0, n * k * sizeof *yS0);
    for (size_t i = 0; i < p->n_meas && !rc; i++) {
        const petab_measurement *m = &p->meas[i];
        if (m->preeq != pre || m->sim != sim || !isfinite(m->time)) continue;
        size_t row = 0;
        while (res.times[row] != m->time)
            row++;
        const double *S = adj ? S0 : k ? res.sens + row * n * k : NULL;
        measure(E, cs, i, m->time, res.species + row * n, S, adj ? G + row * n : NULL);
    }
    if (!rc && adj) rc = adjoint_add(E, cs, &res, G);
    if (rc == ILNET_ESOLVER && !E->status) rc = fail(E, ilnet_error_last(), pre, sim, p);
    if (!rc) rc = measure_steady(E, pre, sim, cs, y0, yS0);
    ilnet_result_free(&res);
    free(y0);
    free(yS0);
    free(G);
    return rc;
}

static double log_prior(const petab_parameter *q, double x)
{
    double v = x, a = q->prior_par[0], b = q->prior_par[1];
    if (q->prior_on_scale) v = petab_to_scale(q->scale, x);
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

/* d log prior / d x (linear x) */
static double log_prior_dx(const petab_parameter *q, double x)
{
    double v = x, dv = 1, a = q->prior_par[0], b = q->prior_par[1];
    if (q->prior_on_scale && q->scale == PETAB_LOG)
        v = log(x), dv = 1 / x;
    else if (q->prior_on_scale && q->scale == PETAB_LOG10)
        v = log10(x), dv = 1 / (x * log(10.0));
    double u = log(x) - a;
    switch (q->prior) {
    case PETAB_PRIOR_NORMAL:
        return -(v - a) / (b * b) * dv;
    case PETAB_PRIOR_LAPLACE:
        return -(v > a ? 1 : v < a ? -1 : 0) / b * dv;
    case PETAB_PRIOR_LOGNORMAL:
        return -1 / x - u / (b * b * x);
    case PETAB_PRIOR_LOGLAPLACE:
        return -1 / x - (u > 0 ? 1 : u < 0 ? -1 : 0) / (b * x);
    default: /* uniform: flat inside its bounds */
        return 0;
    }
}

void ilnet_petab_result_free(ilnet_petab_result *r)
{
    free(r->sim);
    free(r->sigma);
    free(r->grad);
    free(r->prior_grad);
    free(r->residual);
    free(r->res_jac);
    free(r->logsig_jac);
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

/* the distinct (preequilibration, simulation) pairs, in the order of the measurements */
static size_t pairs_of(const ilnet_petab *p, int *pre, int *sim)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_meas; i++) {
        size_t k = 0;
        while (k < n && !(pre[k] == p->meas[i].preeq && sim[k] == p->meas[i].sim))
            k++;
        if (k == n) pre[n] = p->meas[i].preeq, sim[n++] = p->meas[i].sim;
    }
    return n;
}

size_t ilnet_petab_pair_count(const ilnet_petab *p)
{
    int *pre = malloc((p->n_meas + 1) * sizeof *pre), *sim = malloc((p->n_meas + 1) * sizeof *sim);
    size_t n = pre && sim ? pairs_of(p, pre, sim) : 1;
    free(pre);
    free(sim);
    return n;
}

typedef struct {
    evalctx E;
    const int *pre, *sim;
    size_t n_pairs, first, stride;
    double *times;
    int rc;
    char error[1024]; /* the thread-local message of a failed worker thread */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    for (size_t q = w->first; q < w->n_pairs && !w->rc; q += w->stride)
        w->rc = run_pair(&w->E, w->pre[q], w->sim[q], w->times);
    if (w->rc && w->rc != ILNET_ESOLVER)
        snprintf(w->error, sizeof w->error, "%s", ilnet_error_last());
    return NULL;
}

static int result_alloc(ilnet_petab_result *r, const ilnet_petab *p, int what)
{
    memset(r, 0, sizeof *r);
    r->sim = calloc(p->n_meas + 1, sizeof *r->sim);
    r->sigma = calloc(p->n_meas + 1, sizeof *r->sigma);
    if (what & ILNET_PETAB_GRADIENT) {
        r->grad = calloc(p->n_par + 1, sizeof *r->grad);
        r->prior_grad = calloc(p->n_par + 1, sizeof *r->prior_grad);
    }
    if (what & ILNET_PETAB_RESIDUALS) r->residual = calloc(p->n_meas + 1, sizeof *r->residual);
    if ((what & ILNET_PETAB_RESIDUALS) && (what & ILNET_PETAB_GRADIENT)) {
        r->res_jac = calloc(p->n_meas * p->n_par + 1, sizeof *r->res_jac);
        r->logsig_jac = calloc(p->n_meas * p->n_par + 1, sizeof *r->logsig_jac);
    }
    int ok = r->sim && r->sigma && (!(what & ILNET_PETAB_GRADIENT) || (r->grad && r->prior_grad)) &&
             (!(what & ILNET_PETAB_RESIDUALS) || r->residual) &&
             (!r->residual || !r->grad || (r->res_jac && r->logsig_jac));
    return ok ? 0 : ilnet_error_oom();
}

/* llh, chi2, priors and the scale of the derivatives, once every pair is simulated */
static void finish(ilnet_petab_result *r, const ilnet_petab *p, const double *x)
{
    for (size_t i = 0; i < p->n_meas; i++)
        petab_likelihood_add(p, &p->meas[i], r->sim[i], r->sigma[i], r);
    for (size_t i = 0; i < p->n_par; i++)
        if (p->par[i].estimate && p->par[i].prior) {
            r->log_prior += log_prior(&p->par[i], x[i]);
            if (r->prior_grad) r->prior_grad[i] = log_prior_dx(&p->par[i], x[i]);
        }
    if (r->grad) to_scale(p, x, r->grad);
    if (r->prior_grad) to_scale(p, x, r->prior_grad);
    for (size_t i = 0; r->res_jac && i < p->n_meas; i++) {
        to_scale(p, x, r->res_jac + i * p->n_par);
        to_scale(p, x, r->logsig_jac + i * p->n_par);
    }
}

int ilnet_petab_evaluate_parallel(ilnet_petab_result *r, ilnet_petab *const *ps, int n_threads,
                                  const double *x, double atol, double rtol, int what)
{
    const ilnet_petab *p = ps[0];
    int rc = result_alloc(r, p, what), T = n_threads > 0 ? n_threads : 1;
    size_t nf = petab_formula_var_count(p), np = p->n_par;
    double *xn = malloc((np + 1) * sizeof *xn);
    int *pre = malloc((p->n_meas + 1) * sizeof *pre), *sim = malloc((p->n_meas + 1) * sizeof *sim);
    worker *w = calloc((size_t)T, sizeof *w);
    if (!rc && (!xn || !pre || !sim || !w)) rc = ilnet_error_oom();
    for (size_t i = 0; !rc && i < np; i++)
        xn[i] = x ? x[i] : p->par[i].nominal;
    size_t n_pairs = rc ? 0 : pairs_of(p, pre, sim);
    if ((size_t)T > n_pairs && n_pairs) T = (int)n_pairs;
    for (int t = 0; t < T && !rc; t++) {
        ps[t]->gradient = (what & ILNET_PETAB_GRADIENT) != 0;
        rc = prepare(ps[t], atol, rtol);
        evalctx E = {ps[t],
                     xn,
                     r,
                     calloc(nf + 1, sizeof(double)),
                     calloc(nf + 1, sizeof(double)),
                     r->grad ? calloc(np + 1, sizeof(double)) : NULL,
                     r->res_jac,
                     r->logsig_jac,
                     0,
                     "",
                     (what & ILNET_PETAB_ADJOINT) && !(what & ILNET_PETAB_RESIDUALS),
                     0};
        w[t] = (worker){
            E, pre, sim, n_pairs, (size_t)t, (size_t)T, malloc((p->n_meas + 2) * sizeof(double)),
            0, ""};
        if (!rc && (!E.fv || !E.dfv || (r->grad && !E.grad) || !w[t].times)) rc = ilnet_error_oom();
    }
    pthread_t *th = calloc((size_t)T, sizeof *th);
    int started = 0;
    if (!rc && !th) rc = ilnet_error_oom();
    for (int t = 1; t < T && !rc; t++, started++)
        if (pthread_create(&th[t], NULL, work, &w[t])) break;
    if (!rc) work(&w[0]);
    for (int t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
    for (int t = 0; t < T && !rc; t++) { /* the first failure, in worker order */
        if (w[t].rc && w[t].rc != ILNET_ESOLVER)
            rc = ilnet_error_set(w[t].rc, "%s", w[t].error);
        else if (w[t].rc)
            rc = w[t].rc;
        if (w[t].E.status) {
            r->status = w[t].E.status;
            snprintf(r->message, sizeof r->message, "%s", w[t].E.message);
        }
    }
    if (!rc && started < T - 1) rc = ilnet_error_set(ILNET_ENOMEM, "cannot start worker threads");
    for (int t = 0; t < T && r->grad; t++) {
        for (size_t j = 0; w[t].E.grad && j < np; j++)
            r->grad[j] += w[t].E.grad[j];
        r->adjoint_pairs += w[t].E.n_adjoint;
    }
    if (!rc) finish(r, p, xn);
    if (rc == ILNET_ESOLVER) r->llh = -INFINITY;
    for (int t = 0; w && t < T; t++) {
        free(w[t].E.fv);
        free(w[t].E.dfv);
        free(w[t].E.grad);
        free(w[t].times);
    }
    free(th);
    free(w);
    free(pre);
    free(sim);
    free(xn);
    return rc;
}

int ilnet_petab_evaluate(ilnet_petab_result *r, ilnet_petab *p, const double *x, double atol,
                         double rtol, int what)
{
    return ilnet_petab_evaluate_parallel(r, &p, 1, x, atol, rtol, what);
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

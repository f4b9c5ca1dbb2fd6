/* Gradients of a PEtab log-likelihood: forward sensitivities of every condition network
 * w.r.t. the network parameters the estimated parameters set, steady-state sensitivities
 * after preequilibration, and the chain rule through the observable and noise formulas
 * (dual numbers over their compiled expressions). petab_eval.c combines the pieces. */
#include "../common/error.h"
#include "../model/expr.h"
#include "petab_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void petab_grad_free(struct petab_cond_net *cn)
{
    free(cn->which);
    free(cn->src);
    free(cn->first);
    free(cn->dummy);
    ilnet_sens_params_free(&cn->sp);
    cn->which = cn->src = cn->first = cn->dummy = NULL;
    cn->k = 0;
}

/* which estimated entry sets network parameter i in condition c, or -1 */
static int source_of(const ilnet_petab *p, size_t c, size_t i, const ilnet_network *net)
{
    int j = ilnet_strmap_get(&p->par_ids, ilnet_network_parameter(net, i)->name, (size_t)-1);
    for (size_t k = 0; k < p->n_col; k++) {
        const petab_value *v = &p->cond[c * p->n_col + k];
        if (p->col[k].kind == PETAB_TARGET_PARAMETER && (size_t)p->col[k].index == i && !v->none)
            j = v->par;
    }
    return j >= 0 && p->par[j].estimate ? j : -1;
}

/* 1 when entry j can move the state in some condition: a model parameter, or named in a
 * condition cell (noise and scaling parameters cannot, and need no state sensitivities) */
int petab_moves_state(const ilnet_petab *p, size_t j)
{
    if (ilnet_network_find_parameter(p->net, p->par[j].id) >= 0) return 1;
    for (size_t e = 0; e < p->n_cond * p->n_col; e++)
        if (p->cond[e].par == (int)j) return 1;
    return 0;
}

int petab_grad_columns(ilnet_petab *p, size_t c)
{
    struct petab_cond_net *cn = &p->cn[c];
    if (cn->which) return 0;
    size_t np = ilnet_network_parameter_count(cn->net), cap = np + p->n_par + 1;
    cn->which = malloc(cap * sizeof *cn->which);
    cn->src = malloc(cap * sizeof *cn->src);
    cn->dummy = calloc(cap, sizeof *cn->dummy);
    cn->first = malloc((p->n_par + 1) * sizeof *cn->first);
    if (!cn->which || !cn->src || !cn->dummy || !cn->first) return ilnet_error_oom();
    for (size_t j = 0; j < p->n_par; j++)
        cn->first[j] = -1;
    int k = 0;
    for (size_t i = 0; i < np; i++) {
        int j = source_of(p, c, i, cn->net);
        if (j < 0) continue;
        cn->which[k] = (int)i;
        cn->src[k] = j;
        if (cn->first[j] < 0) cn->first[j] = k;
        k++;
    }
    /* an estimated entry with no parameter here still moves the preequilibrated state */
    for (size_t j = 0; j < p->n_par; j++)
        if (p->par[j].estimate && cn->first[j] < 0 && ilnet_network_species_count(cn->net) &&
            petab_moves_state(p, j)) {
            cn->which[k] = -1; /* species 0's initial amount: f does not depend on it */
            cn->src[k] = (int)j;
            cn->dummy[k] = 1;
            cn->first[j] = k++;
        }
    cn->k = k;
    int rc = ilnet_solver_set_sensitivities(cn->solver, cn->which, k, 0, 0);
    if (!rc) rc = ilnet_sens_params_init(&cn->sp, cn->net, cn->which, k);
    return rc;
}

int petab_grad_initial(ilnet_petab *p, struct petab_cond_net *cs, int sim,
                       struct petab_cond_net *cp, const double *Spre, double *yS0)
{
    size_t n = ilnet_network_species_count(cs->net), k = (size_t)cs->k;
    int rc = ilnet_solver_initial_sensitivities(cs->solver, yS0);
    if (rc) return rc;
    for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < k; c++)
            if (cs->dummy[c]) yS0[i * k + c] = 0;
    if (!cp) return 0;
    unsigned char *reinit = calloc(n + 1, 1);
    if (!reinit) return ilnet_error_oom();
    for (size_t q = 0; q < p->n_col; q++)
        if (p->col[q].kind == PETAB_TARGET_SPECIES && !p->cond[(size_t)sim * p->n_col + q].none)
            reinit[p->col[q].index] = 1;
    size_t kp = (size_t)cp->k;
    for (size_t i = 0; i < n; i++) {
        if (reinit[i]) continue;
        for (size_t c = 0; c < k; c++)
            yS0[i * k + c] = 0;
        /* the steady state's dependence on entry j goes to j's first column here */
        for (size_t c = 0; c < kp; c++)
            if (cs->first[cp->src[c]] >= 0)
                yS0[i * k + (size_t)cs->first[cp->src[c]]] += Spre[i * kp + c];
    }
    free(reinit);
    return 0;
}

/* 1 when expression e reads formula variable v */
static int reads(const ilnet_expr *e, int v)
{
    for (size_t q = 0; q < ilnet_expr_var_count(e); q++)
        if (ilnet_expr_var(e, q) == v) return 1;
    return 0;
}

/* dfv = the directions of the symbols m's formulas read, from cs->dvars (the others 0);
 * 0 when all vanish */
static int symbol_duals(const ilnet_petab *p, struct petab_cond_net *cs, const petab_measurement *m,
                        double *dfv)
{
    const ilnet_expr *fo = p->obs_expr[m->obs], *fn = p->noise_expr[m->obs];
    memset(dfv, 0, petab_formula_var_count(p) * sizeof *dfv);
    int any = 0;
    for (size_t s = 0; s < p->n_sym; s++) {
        if (!reads(fo, (int)s) && !reads(fn, (int)s)) continue;
        ilnet_expr_eval_dual(cs->sym[s], cs->vars, cs->dvars, &dfv[s]);
        any |= dfv[s] != 0;
    }
    return any;
}

/* d obs / d dir and d noise / d dir into *dy, *ds for the direction dfv */
static void formula_duals(const ilnet_petab *p, const petab_measurement *m, const double *fv,
                          const double *dfv, double *dy, double *ds)
{
    ilnet_expr_eval_dual(p->obs_expr[m->obs], fv, dfv, dy);
    ilnet_expr_eval_dual(p->noise_expr[m->obs], fv, dfv, ds);
}

static void add(const petab_weights *w, double *grad, size_t j, double dy, double ds)
{
    grad[j] += w->llh_y * dy + w->llh_s * ds;
    if (w->jac_row) w->jac_row[j] += w->res_y * dy + w->res_s * ds;
    if (w->logsig_row) w->logsig_row[j] += ds / w->sigma;
}

void petab_grad_measurement(ilnet_petab *p, struct petab_cond_net *cs, const petab_measurement *m,
                            double t, const double *y, const double *S, double *fv, double *dfv,
                            const petab_weights *w, double *grad)
{
    size_t n = ilnet_network_species_count(cs->net), k = (size_t)cs->k,
           nf = petab_formula_var_count(p);
    size_t base = p->n_sym + p->n_par;
    const ilnet_expr *fo = p->obs_expr[m->obs], *fn = p->noise_expr[m->obs];
    double *col = malloc((n + 1) * sizeof *col);
    if (!col) return;
    ilnet_network_vars_eval(cs->net, t, y, cs->vars);
    /* through the model: each column's direction in the state and parameters */
    for (size_t c = 0; c < k; c++) {
        for (size_t i = 0; i < n; i++)
            col[i] = S[i * k + c];
        ilnet_network_vars_dual(&cs->sp, cs->dummy[c] ? -1 : (int)c, cs->vars, col, cs->dvars);
        if (!symbol_duals(p, cs, m, dfv)) continue;
        double dy = 0, ds = 0;
        formula_duals(p, m, fv, dfv, &dy, &ds);
        add(w, grad, (size_t)cs->src[c], dy, ds);
    }
    /* directly: the formulas' parameter-table ids and the placeholders set from them */
    for (size_t j = 0; j < p->n_par; j++) {
        if (!p->par[j].estimate) continue;
        memset(dfv, 0, nf * sizeof *dfv);
        int any = 0;
        if (reads(fo, (int)(p->n_sym + j)) || reads(fn, (int)(p->n_sym + j))) {
            dfv[p->n_sym + j] = 1;
            any = 1;
        }
        for (int q = 0; q < m->n_obs_par; q++)
            if (m->obs_par[q].par == (int)j) dfv[base + (size_t)q] = 1, any = 1;
        for (int q = 0; q < m->n_noise_par; q++)
            if (m->noise_par[q].par == (int)j)
                dfv[base + PETAB_MAX_PLACEHOLDERS + (size_t)q] = 1, any = 1;
        if (!any) continue;
        double dy = 0, ds = 0;
        formula_duals(p, m, fv, dfv, &dy, &ds);
        add(w, grad, j, dy, ds);
    }
    free(col);
}

void petab_grad_state(ilnet_petab *p, struct petab_cond_net *cs, const petab_measurement *m,
                      double t, const double *y, double *fv, double *dfv, const petab_weights *w,
                      double *g)
{
    size_t n = ilnet_network_species_count(cs->net);
    double *dir = calloc(n + 1, sizeof *dir);
    if (!dir) return;
    ilnet_network_vars_eval(cs->net, t, y, cs->vars);
    for (size_t i = 0; i < n; i++) {
        dir[i] = 1;
        ilnet_network_vars_dual(&cs->sp, -1, cs->vars, dir, cs->dvars);
        dir[i] = 0;
        if (!symbol_duals(p, cs, m, dfv)) continue;
        double dy = 0, ds = 0;
        formula_duals(p, m, fv, dfv, &dy, &ds);
        g[i] += w->llh_y * dy + w->llh_s * ds;
    }
    free(dir);
}

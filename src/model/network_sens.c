#include "network_sens.h"

#include "../common/error.h"
#include "expr.h"

#include <stdlib.h>
#include <string.h>

int ilnet_sens_resolve(int *which, const ilnet_network *net, const char *const *names, int k)
{
    for (int j = 0; j < k; j++) {
        int p = ilnet_network_find_parameter(net, names[j]);
        if (p >= 0) {
            which[j] = p;
        } else if ((p = ilnet_network_find_species(net, names[j])) >= 0) {
            which[j] = -(p + 1);
        } else {
            return ilnet_error_set(ILNET_EINPUT,
                                   "sensitivities: '%s' is neither a parameter nor a species of "
                                   "the model",
                                   names[j]);
        }
        for (int i = 0; i < j; i++)
            if (which[i] == which[j])
                return ilnet_error_set(ILNET_EINPUT, "sensitivities: '%s' is listed twice",
                                       names[j]);
    }
    return 0;
}

void ilnet_sens_params_free(ilnet_sens_params *sp)
{
    free(sp->which);
    free(sp->dpar);
    free(sp->dy0);
    free(sp->dk);
    free(sp->dyn_ptr);
    free(sp->dyn_list);
    free(sp->vars);
    free(sp->dvars);
    memset(sp, 0, sizeof *sp);
}

/* returns whether expression e reads a marked parameter (dp) or function (df) */
static int reads_marked(const ilnet_network *net, const ilnet_expr *e, const unsigned char *dp,
                        const unsigned char *df)
{
    size_t np = ilnet_network_parameter_count(net), base = np + ilnet_network_observable_count(net);
    size_t nf = ilnet_network_function_count(net);
    for (size_t q = 0; q < ilnet_expr_var_count(e); q++) {
        size_t v = (size_t)ilnet_expr_var(e, q);
        if ((v < np && dp[v]) || (v >= base && v < base + nf && df[v - base])) return 1;
    }
    return 0;
}

/* marks (dp) the parameters that follow parameter `seed` (itself included) and (df) the
 * functions that read one of them */
static void mark(const ilnet_network *net, int seed, unsigned char *dp, unsigned char *df)
{
    size_t np = ilnet_network_parameter_count(net), nf = ilnet_network_function_count(net);
    memset(dp, 0, np + 1);
    memset(df, 0, nf + 1);
    if (seed < 0) return;
    dp[seed] = 1;
    for (size_t q = 0; q < np; q++) {
        size_t i = ilnet_network_param_order(net, q);
        if ((int)i != seed && !ilnet_network_parameter_is_set(net, i))
            dp[i] = (unsigned char)reads_marked(net, ilnet_network_param_expr(net, i), dp, df);
    }
    for (size_t q = 0; q < nf; q++) {
        size_t f = ilnet_network_function_order(net, q);
        df[f] = (unsigned char)reads_marked(net, ilnet_network_function_expr(net, f), dp, df);
    }
}

/* dyn_ptr/dyn_list: which state-dependent rates each column reaches, so that the
 * sensitivities' right-hand side differentiates only those (Bachmann 2011: 113 parameters,
 * most rate laws reach one or two) */
static int reached_reactions(ilnet_sens_params *sp)
{
    const ilnet_network *net = sp->net;
    size_t np = ilnet_network_parameter_count(net), nf = ilnet_network_function_count(net);
    size_t nr = ilnet_network_reaction_count(net), k = (size_t)(sp->k > 0 ? sp->k : 0);
    unsigned char *dp = malloc(np + 1), *df = malloc(nf + 1);
    sp->dyn_ptr = calloc(k + 1, sizeof *sp->dyn_ptr);
    size_t cap = 16, n = 0;
    sp->dyn_list = malloc(cap * sizeof *sp->dyn_list);
    int rc = dp && df && sp->dyn_ptr && sp->dyn_list ? 0 : ilnet_error_oom();
    for (size_t j = 0; j < k && !rc; j++) {
        mark(net, sp->which[j], dp, df);
        for (size_t r = 0; r < nr && !rc; r++) {
            if (!ilnet_network_reaction_is_dynamic(net, r) ||
                !reads_marked(net, ilnet_network_rate_expr(net, r), dp, df))
                continue;
            if (n == cap) {
                int *q = realloc(sp->dyn_list, 2 * cap * sizeof *q);
                if (!q)
                    rc = ilnet_error_oom();
                else
                    sp->dyn_list = q, cap *= 2;
            }
            if (!rc) sp->dyn_list[n++] = (int)r;
        }
        sp->dyn_ptr[j + 1] = (int)n;
    }
    free(dp);
    free(df);
    return rc;
}

int ilnet_sens_params_init(ilnet_sens_params *sp, const ilnet_network *net, const int *which, int k)
{
    memset(sp, 0, sizeof *sp);
    size_t np = ilnet_network_parameter_count(net), ns = ilnet_network_species_count(net);
    size_t nr = ilnet_network_reaction_count(net), nv = ilnet_network_var_count(net);
    size_t kk = (size_t)(k > 0 ? k : 0);
    sp->net = net;
    sp->k = k;
    sp->which = malloc((kk + 1) * sizeof *sp->which);
    sp->dpar = calloc(kk * np + 1, sizeof *sp->dpar);
    sp->dy0 = calloc(kk * ns + 1, sizeof *sp->dy0);
    sp->dk = calloc(kk * nr + 1, sizeof *sp->dk);
    sp->vars = calloc(nv + 1, sizeof *sp->vars);
    sp->dvars = calloc(nv + 1, sizeof *sp->dvars);
    if (!sp->which || !sp->dpar || !sp->dy0 || !sp->dk || !sp->vars || !sp->dvars) {
        ilnet_sens_params_free(sp);
        return ilnet_error_oom();
    }
    if (k) memcpy(sp->which, which, kk * sizeof *which);
    int rc = reached_reactions(sp);
    if (rc) {
        ilnet_sens_params_free(sp);
        return rc;
    }
    return ilnet_sens_params_update(sp);
}

const char *ilnet_sens_params_name(const ilnet_sens_params *sp, int j)
{
    int w = sp->which[j];
    return w >= 0 ? ilnet_network_parameter(sp->net, (size_t)w)->name
                  : ilnet_network_species(sp->net, (size_t)(-w - 1))->name;
}

void ilnet_network_functions_dual(const ilnet_network *net, const double *vars, double *dvars)
{
    size_t base = ilnet_network_parameter_count(net) + ilnet_network_observable_count(net);
    for (size_t k = 0; k < ilnet_network_function_count(net); k++) {
        size_t i = ilnet_network_function_order(net, k);
        ilnet_expr_eval_dual(ilnet_network_function_expr(net, i), vars, dvars, &dvars[base + i]);
    }
}

void ilnet_network_vars_dual(const ilnet_sens_params *sp, int j, const double *vars,
                             const double *dy, double *dvars)
{
    const ilnet_network *net = sp->net;
    size_t np = ilnet_network_parameter_count(net), no = ilnet_network_observable_count(net);
    size_t nf = ilnet_network_function_count(net), ns = ilnet_network_species_count(net);
    if (j >= 0)
        memcpy(dvars, sp->dpar + (size_t)j * np, np * sizeof *dvars);
    else
        memset(dvars, 0, np * sizeof *dvars);
    for (size_t o = 0; o < no; o++) {
        const ilnet_observable *ob = ilnet_network_observable(net, o);
        double d = 0;
        for (int t = 0; dy && t < ob->n_terms; t++)
            d += ob->weights[t] * dy[ob->species[t]];
        dvars[np + o] = d;
    }
    dvars[np + no + nf] = 0; /* time */
    if (dy)
        memcpy(dvars + np + no + nf + 1, dy, ns * sizeof *dvars);
    else
        memset(dvars + np + no + nf + 1, 0, ns * sizeof *dvars);
    ilnet_network_functions_dual(net, vars, dvars);
}

/* dpar column j: the seed, then every parameter in dependency order (a parameter set
 * directly does not follow its expression) */
static void param_column(ilnet_sens_params *sp, int j)
{
    const ilnet_network *net = sp->net;
    size_t np = ilnet_network_parameter_count(net);
    double *d = sp->dpar + (size_t)j * np;
    const double *pv = ilnet_network_param_values(net);
    memset(d, 0, np * sizeof *d);
    for (size_t q = 0; q < np; q++) {
        size_t i = ilnet_network_param_order(net, q);
        if ((int)i == sp->which[j])
            d[i] = 1;
        else if (!ilnet_network_parameter_is_set(net, i))
            ilnet_expr_eval_dual(ilnet_network_param_expr(net, i), pv, d, &d[i]);
    }
}

/* 1 when an initial amount refers to a species, function or time (SBML initial
 * assignments), so amounts must be iterated like ilnet_network_compile does */
static int dynamic_initials(const ilnet_network *net)
{
    size_t np = ilnet_network_parameter_count(net);
    for (size_t i = 0; i < ilnet_network_species_count(net); i++) {
        const ilnet_expr *e = ilnet_network_species_expr(net, i);
        for (size_t v = 0; v < ilnet_expr_var_count(e); v++)
            if ((size_t)ilnet_expr_var(e, v) >= np) return 1;
    }
    return 0;
}

/* dy0 column j; the state is the network's initial amounts */
static void initial_column(ilnet_sens_params *sp, int j, int dyn)
{
    const ilnet_network *net = sp->net;
    size_t np = ilnet_network_parameter_count(net), ns = ilnet_network_species_count(net);
    double *dy = sp->dy0 + (size_t)j * ns;
    int fixed = sp->which[j] < 0 ? -sp->which[j] - 1 : -1;
    memset(dy, 0, ns * sizeof *dy);
    size_t passes = dyn ? ns + ilnet_network_function_count(net) + 2 : 1;
    for (size_t pass = 0; pass < passes; pass++) {
        int changed = 0;
        /* column j of dpar is all zero for an initial-amount parameter */
        if (dyn)
            ilnet_network_vars_dual(sp, j, sp->vars, dy, sp->dvars);
        else
            memcpy(sp->dvars, sp->dpar + (size_t)j * np, np * sizeof *sp->dvars);
        for (size_t i = 0; i < ns; i++) {
            double d = 1;
            if ((int)i != fixed)
                ilnet_expr_eval_dual(ilnet_network_species_expr(net, i), sp->vars, sp->dvars, &d);
            if (d != dy[i]) changed = 1;
            dy[i] = d;
        }
        if (!changed) break;
    }
}

int ilnet_sens_params_update(ilnet_sens_params *sp)
{
    const ilnet_network *net = sp->net;
    size_t np = ilnet_network_parameter_count(net), ns = ilnet_network_species_count(net);
    size_t nr = ilnet_network_reaction_count(net);
    int dyn = dynamic_initials(net);
    double *y0 = malloc((ns + 1) * sizeof *y0);
    if (!y0) return ilnet_error_oom();
    for (size_t i = 0; i < ns; i++)
        y0[i] = ilnet_network_species(net, i)->initial;
    for (int j = 0; j < sp->k; j++)
        param_column(sp, j);
    /* initial amounts: over parameters only, or the variable vector at the initial state */
    if (dyn)
        ilnet_network_vars_eval(net, 0.0, y0, sp->vars);
    else
        memcpy(sp->vars, ilnet_network_param_values(net), np * sizeof *sp->vars);
    for (int j = 0; j < sp->k; j++)
        initial_column(sp, j, dyn);
    /* constant rates are expressions of parameters */
    memcpy(sp->vars, ilnet_network_param_values(net), np * sizeof *sp->vars);
    for (int j = 0; j < sp->k; j++) {
        const double *dp = sp->dpar + (size_t)j * np;
        double *dk = sp->dk + (size_t)j * nr;
        for (size_t r = 0; r < nr; r++) {
            dk[r] = 0;
            if (sp->which[j] < 0 || ilnet_network_reaction_is_dynamic(net, r)) continue;
            ilnet_expr_eval_dual(ilnet_network_rate_expr(net, r), sp->vars, dp, &dk[r]);
        }
    }
    free(y0);
    return 0;
}

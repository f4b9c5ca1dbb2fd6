#include "kinetics.h"

#include "../common/error.h"
#include "../model/expr.h"
#include "../model/network_sens.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct pair {
    int col, row;
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *p = a, *q = b;
    if (p->col != q->col) return p->col < q->col ? -1 : 1;
    return (p->row > q->row) - (p->row < q->row);
}

/* Position of (row, col) in the CSC pattern (binary search within the column). */
static int sparse_pos(const ilnet_kinetics *kin, int row, int col)
{
    int lo = kin->col_ptr[col], hi = kin->col_ptr[col + 1] - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (kin->row_idx[mid] == row) return mid;
        if (kin->row_idx[mid] < row)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

void ilnet_kinetics_free(ilnet_kinetics *kin)
{
    free(kin->react_ptr);
    free(kin->react);
    free(kin->k);
    free(kin->term_rxn);
    free(kin->term_species);
    free(kin->term_mult);
    free(kin->term_ptr);
    free(kin->term_coef);
    free(kin->term_pos_dense);
    free(kin->term_pos_sparse);
    free(kin->col_ptr);
    free(kin->row_idx);
    free(kin->dyn_rxn);
    free(kin->dyn_obs_ptr);
    free(kin->dyn_obs);
    free(kin->vars);
    free(kin->dvars);
    free(kin->dk);
    free(kin->x_dk);
    free(kin->x_rxn);
    free(kin->x_coef);
    free(kin->x_pos_dense);
    free(kin->x_pos_sparse);
    free(kin->x_row);
    free(kin->x_col);
    memset(kin, 0, sizeof *kin);
}

static int build_pattern(ilnet_kinetics *kin, size_t n_entries)
{
    int n = kin->n_species;
    struct pair *pairs = malloc((n_entries + (size_t)kin->n_x + (size_t)n + 1) * sizeof *pairs);
    if (!pairs) return ILNET_ENOMEM;
    size_t np = 0;
    for (int x = 0; x < kin->n_x; x++)
        pairs[np++] = (struct pair){kin->x_col[x], kin->x_row[x]};
    for (int t = 0; t < kin->n_terms; t++) {
        int r = kin->term_rxn[t];
        for (int p = kin->st_ptr[r]; p < kin->st_ptr[r + 1]; p++)
            pairs[np++] = (struct pair){kin->term_species[t], kin->st_row[p]};
    }
    for (int i = 0; i < n; i++)
        pairs[np++] = (struct pair){i, i};
    qsort(pairs, np, sizeof *pairs, cmp_pair);
    size_t nu = 0;
    for (size_t i = 0; i < np; i++)
        if (nu == 0 || cmp_pair(&pairs[i], &pairs[nu - 1])) pairs[nu++] = pairs[i];
    kin->col_ptr = calloc((size_t)n + 1, sizeof(int));
    kin->row_idx = malloc((nu + 1) * sizeof(int));
    if (!kin->col_ptr || !kin->row_idx) {
        free(pairs);
        return ILNET_ENOMEM;
    }
    for (size_t i = 0; i < nu; i++) {
        kin->row_idx[i] = pairs[i].row;
        kin->col_ptr[pairs[i].col + 1]++;
    }
    for (int j = 0; j < n; j++)
        kin->col_ptr[j + 1] += kin->col_ptr[j];
    kin->nnz = (int)nu;
    free(pairs);
    return 0;
}

/* Dynamic reactions, the observables they depend on, and the Jacobian entries those
 * dependencies add: row i of the reaction's stoichiometry, column j of a species in the
 * observable. */
static int init_dynamic(ilnet_kinetics *kin, const ilnet_network *net)
{
    kin->net = net;
    int nd = (int)ilnet_network_dynamic_count(net);
    size_t no = ilnet_network_observable_count(net), ns = ilnet_network_species_count(net);
    size_t sv0 = ilnet_network_species_var(net, 0);
    kin->n_dyn = nd;
    kin->vars = calloc(ilnet_network_var_count(net) + 1, sizeof(double));
    kin->dvars = calloc(ilnet_network_var_count(net) + 1, sizeof(double));
    kin->dyn_rxn = malloc(((size_t)nd + 1) * sizeof(int));
    kin->dyn_obs_ptr = malloc(((size_t)nd + 2) * sizeof(int));
    int *tmp = malloc((no + ns + 1) * sizeof(int));
    if (!kin->vars || !kin->dvars || !kin->dyn_rxn || !kin->dyn_obs_ptr || !tmp) {
        free(tmp);
        return ILNET_ENOMEM;
    }
    /* an input is an observable (its weighted species) or one species (weight 1) */
    size_t n_in = 0, n_x = 0;
    int d = 0;
    for (int r = 0; r < kin->n_reactions; r++) {
        if (!ilnet_network_reaction_is_dynamic(net, (size_t)r)) continue;
        kin->dyn_rxn[d++] = r;
        int k = ilnet_network_rate_inputs(net, (size_t)r, tmp);
        if (k < 0) {
            free(tmp);
            return ILNET_ENOMEM;
        }
        n_in += (size_t)k;
        for (int q = 0; q < k; q++) {
            size_t terms = (size_t)tmp[q] >= sv0
                               ? 1
                               : (size_t)ilnet_network_observable(
                                     net, (size_t)tmp[q] - ilnet_network_observable_var(net, 0))
                                     ->n_terms;
            n_x += terms * (size_t)(kin->st_ptr[r + 1] - kin->st_ptr[r]);
        }
    }
    kin->dyn_obs = malloc((n_in + 1) * sizeof(int));
    kin->dk = calloc(n_in + 1, sizeof(double));
    kin->x_dk = malloc((n_x + 1) * sizeof(int));
    kin->x_rxn = malloc((n_x + 1) * sizeof(int));
    kin->x_coef = malloc((n_x + 1) * sizeof(double));
    kin->x_pos_dense = malloc((n_x + 1) * sizeof(int));
    kin->x_pos_sparse = malloc((n_x + 1) * sizeof(int));
    kin->x_row = malloc((n_x + 1) * sizeof(int));
    kin->x_col = malloc((n_x + 1) * sizeof(int));
    if (!kin->dyn_obs || !kin->dk || !kin->x_dk || !kin->x_rxn || !kin->x_coef ||
        !kin->x_pos_dense || !kin->x_pos_sparse || !kin->x_row || !kin->x_col) {
        free(tmp);
        return ILNET_ENOMEM;
    }
    int po = 0, px = 0;
    for (d = 0; d < nd; d++) {
        int r = kin->dyn_rxn[d];
        kin->dyn_obs_ptr[d] = po;
        int k = ilnet_network_rate_inputs(net, (size_t)r, kin->dyn_obs + po);
        for (int q = 0; q < k; q++, po++) {
            size_t v = (size_t)kin->dyn_obs[po];
            int one_species = (int)(v - sv0);
            const ilnet_observable *o =
                v >= sv0 ? NULL
                         : ilnet_network_observable(net, v - ilnet_network_observable_var(net, 0));
            int nt = o ? o->n_terms : 1;
            for (int w = 0; w < nt; w++)
                for (int p = kin->st_ptr[r]; p < kin->st_ptr[r + 1]; p++) {
                    kin->x_dk[px] = po;
                    kin->x_rxn[px] = r;
                    kin->x_coef[px] = kin->st_val[p] * (o ? o->weights[w] : 1.0);
                    kin->x_row[px] = kin->st_row[p];
                    kin->x_col[px] = o ? o->species[w] : one_species;
                    px++;
                }
        }
    }
    kin->dyn_obs_ptr[nd] = po;
    kin->n_x = px;
    free(tmp);
    return 0;
}

/* k of every dynamic reaction at (t, y) */
static void eval_dynamic(ilnet_kinetics *kin, double t, const double *y)
{
    if (!kin->n_dyn) return;
    ilnet_network_vars_eval(kin->net, t, y, kin->vars);
    for (int d = 0; d < kin->n_dyn; d++)
        kin->k[kin->dyn_rxn[d]] =
            ilnet_network_rate_eval(kin->net, (size_t)kin->dyn_rxn[d], kin->vars);
}

/* dk/d(input) for every dynamic reaction and input (an observable or species variable),
 * exactly: the input's direction through the functions and the rate expression (dual
 * numbers; kin->vars holds the state). A derivative that is not finite (sqrt at 0) counts
 * as 0 in the Jacobian. */
static void eval_dk(ilnet_kinetics *kin)
{
    for (int d = 0; d < kin->n_dyn; d++) {
        const ilnet_expr *rate = ilnet_network_rate_expr(kin->net, (size_t)kin->dyn_rxn[d]);
        for (int q = kin->dyn_obs_ptr[d]; q < kin->dyn_obs_ptr[d + 1]; q++) {
            size_t v = (size_t)kin->dyn_obs[q];
            double dk = 0;
            kin->dvars[v] = 1;
            ilnet_network_functions_dual(kin->net, kin->vars, kin->dvars);
            ilnet_expr_eval_dual(rate, kin->vars, kin->dvars, &dk);
            kin->dvars[v] = 0;
            kin->dk[q] = isfinite(dk) ? dk : 0;
        }
    }
}

static double reactant_product(const ilnet_kinetics *kin, int r, const double *y)
{
    double v = 1;
    for (int a = kin->react_ptr[r]; a < kin->react_ptr[r + 1]; a++)
        v *= y[kin->react[a]];
    return v;
}

int ilnet_kinetics_init(ilnet_kinetics *kin, const ilnet_network *net)
{
    memset(kin, 0, sizeof *kin);
    const ilnet_stoich *st = ilnet_network_stoichiometry(net);
    if (!st) return ilnet_error_set(ILNET_EINPUT, "network is not compiled");
    int n = (int)ilnet_network_species_count(net);
    int m = (int)ilnet_network_reaction_count(net);
    kin->n_species = n;
    kin->n_reactions = m;
    kin->st_ptr = st->col_ptr;
    kin->st_row = st->row;
    kin->st_val = st->val;

    size_t n_react = 0;
    for (int r = 0; r < m; r++)
        if (!ilnet_network_reaction(net, r)->general)
            n_react += (size_t)ilnet_network_reaction(net, r)->n_reactants;
    kin->react_ptr = malloc(((size_t)m + 1) * sizeof(int));
    kin->react = malloc((n_react + 1) * sizeof(int));
    kin->k = calloc((size_t)m + 1, sizeof(double));
    /* at most one term per reactant occurrence */
    kin->term_rxn = malloc((n_react + 1) * sizeof(int));
    kin->term_species = malloc((n_react + 1) * sizeof(int));
    kin->term_mult = malloc((n_react + 1) * sizeof(int));
    kin->term_ptr = malloc((n_react + 2) * sizeof(int));
    if (!kin->react_ptr || !kin->react || !kin->k || !kin->term_rxn || !kin->term_species ||
        !kin->term_mult || !kin->term_ptr)
        goto oom;

    size_t pos = 0, n_entries = 0;
    int nt = 0;
    for (int r = 0; r < m; r++) {
        const ilnet_reaction *rx = ilnet_network_reaction(net, r);
        kin->react_ptr[r] = (int)pos;
        /* a general rate law is the whole velocity: no mass-action product */
        for (int a = 0; a < (rx->general ? 0 : rx->n_reactants); a++) {
            int j = rx->reactants[a], seen = 0, mult = 0;
            kin->react[pos++] = j;
            for (int b = 0; b < a; b++)
                seen |= rx->reactants[b] == j;
            if (seen) continue;
            for (int b = a; b < rx->n_reactants; b++)
                mult += rx->reactants[b] == j;
            kin->term_rxn[nt] = r;
            kin->term_species[nt] = j;
            kin->term_mult[nt] = mult;
            kin->term_ptr[nt] = (int)n_entries;
            n_entries += (size_t)(st->col_ptr[r + 1] - st->col_ptr[r]);
            nt++;
        }
    }
    kin->react_ptr[m] = (int)pos;
    kin->term_ptr[nt] = (int)n_entries;
    kin->n_terms = nt;

    kin->term_coef = malloc((n_entries + 1) * sizeof(double));
    kin->term_pos_dense = malloc((n_entries + 1) * sizeof(int));
    kin->term_pos_sparse = malloc((n_entries + 1) * sizeof(int));
    if (!kin->term_coef || !kin->term_pos_dense || !kin->term_pos_sparse) goto oom;
    if (init_dynamic(kin, net)) goto oom;
    if (build_pattern(kin, n_entries)) goto oom;
    for (int x = 0; x < kin->n_x; x++) {
        long dpos = (long)kin->x_col[x] * n + kin->x_row[x];
        kin->x_pos_dense[x] = dpos > 0x7fffffffL ? -1 : (int)dpos;
        kin->x_pos_sparse[x] = sparse_pos(kin, kin->x_row[x], kin->x_col[x]);
    }
    for (int t = 0; t < nt; t++) {
        int r = kin->term_rxn[t], j = kin->term_species[t], e = kin->term_ptr[t];
        for (int p = st->col_ptr[r]; p < st->col_ptr[r + 1]; p++, e++) {
            int i = st->row[p];
            kin->term_coef[e] = st->val[p];
            /* dense positions overflow int only beyond 46340 species; dense is never
             * chosen there, so mark them unusable */
            long dpos = (long)j * n + i;
            kin->term_pos_dense[e] = dpos > 0x7fffffffL ? -1 : (int)dpos;
            kin->term_pos_sparse[e] = sparse_pos(kin, i, j);
        }
    }
    ilnet_kinetics_refresh(kin, net);
    return 0;
oom:
    ilnet_kinetics_free(kin);
    return ilnet_error_set(ILNET_ENOMEM, "out of memory preparing the kinetics");
}

void ilnet_kinetics_refresh(ilnet_kinetics *kin, const ilnet_network *net)
{
    for (int r = 0; r < kin->n_reactions; r++)
        kin->k[r] = ilnet_network_reaction(net, r)->k;
}

void ilnet_kinetics_rhs(ilnet_kinetics *kin, double t, const double *y, double *dydt)
{
    eval_dynamic(kin, t, y);
    memset(dydt, 0, (size_t)kin->n_species * sizeof *dydt);
    const int *rp = kin->react_ptr, *sp = kin->st_ptr;
    for (int r = 0; r < kin->n_reactions; r++) {
        double v = kin->k[r];
        for (int a = rp[r]; a < rp[r + 1]; a++)
            v *= y[kin->react[a]];
        for (int p = sp[r]; p < sp[r + 1]; p++)
            dydt[kin->st_row[p]] += kin->st_val[p] * v;
    }
}

/* d v_r / d y_j: k * mult * y_j^(mult-1) * product of the other reactants. */
static double partial(const ilnet_kinetics *kin, int t, const double *y)
{
    int r = kin->term_rxn[t], j = kin->term_species[t];
    double d = kin->k[r] * kin->term_mult[t];
    int skipped = 0;
    for (int a = kin->react_ptr[r]; a < kin->react_ptr[r + 1]; a++) {
        int s = kin->react[a];
        if (s == j && !skipped) {
            skipped = 1;
            continue;
        }
        d *= y[s];
    }
    return d;
}

void ilnet_kinetics_jac_dense(ilnet_kinetics *kin, double time, const double *y, double *data)
{
    eval_dynamic(kin, time, y);
    memset(data, 0, (size_t)kin->n_species * (size_t)kin->n_species * sizeof *data);
    for (int t = 0; t < kin->n_terms; t++) {
        double d = partial(kin, t, y);
        for (int e = kin->term_ptr[t]; e < kin->term_ptr[t + 1]; e++)
            data[kin->term_pos_dense[e]] += kin->term_coef[e] * d;
    }
    if (kin->n_x) {
        eval_dk(kin);
        for (int x = 0; x < kin->n_x; x++)
            data[kin->x_pos_dense[x]] +=
                kin->x_coef[x] * kin->dk[kin->x_dk[x]] * reactant_product(kin, kin->x_rxn[x], y);
    }
}

void ilnet_kinetics_jac_sparse(ilnet_kinetics *kin, double time, const double *y, double *data)
{
    eval_dynamic(kin, time, y);
    memset(data, 0, (size_t)kin->nnz * sizeof *data);
    for (int t = 0; t < kin->n_terms; t++) {
        double d = partial(kin, t, y);
        for (int e = kin->term_ptr[t]; e < kin->term_ptr[t + 1]; e++)
            data[kin->term_pos_sparse[e]] += kin->term_coef[e] * d;
    }
    if (kin->n_x) {
        eval_dk(kin);
        for (int x = 0; x < kin->n_x; x++)
            data[kin->x_pos_sparse[x]] +=
                kin->x_coef[x] * kin->dk[kin->x_dk[x]] * reactant_product(kin, kin->x_rxn[x], y);
    }
}

void ilnet_kinetics_jac_times(ilnet_kinetics *kin, double time, const double *y, int nv,
                              const double *const *v, double *const *out)
{
    eval_dynamic(kin, time, y);
    for (int j = 0; j < nv; j++)
        memset(out[j], 0, (size_t)kin->n_species * sizeof *out[j]);
    for (int t = 0; t < kin->n_terms; t++) {
        double d = partial(kin, t, y);
        int col = kin->term_species[t], p0 = kin->st_ptr[kin->term_rxn[t]] - kin->term_ptr[t];
        for (int j = 0; j < nv; j++) {
            double dv = d * v[j][col];
            if (dv == 0) continue;
            for (int e = kin->term_ptr[t]; e < kin->term_ptr[t + 1]; e++)
                out[j][kin->st_row[p0 + e]] += kin->term_coef[e] * dv;
        }
    }
    if (kin->n_x) {
        eval_dk(kin);
        for (int x = 0; x < kin->n_x; x++) {
            double d =
                kin->x_coef[x] * kin->dk[kin->x_dk[x]] * reactant_product(kin, kin->x_rxn[x], y);
            for (int j = 0; j < nv; j++)
                out[j][kin->x_row[x]] += d * v[j][kin->x_col[x]];
        }
    }
}

void ilnet_kinetics_jac_transpose_times(ilnet_kinetics *kin, double time, const double *y,
                                        const double *v, double *out)
{
    eval_dynamic(kin, time, y);
    memset(out, 0, (size_t)kin->n_species * sizeof *out);
    for (int t = 0; t < kin->n_terms; t++) {
        int p0 = kin->st_ptr[kin->term_rxn[t]] - kin->term_ptr[t];
        double dot = 0;
        for (int e = kin->term_ptr[t]; e < kin->term_ptr[t + 1]; e++)
            dot += kin->term_coef[e] * v[kin->st_row[p0 + e]];
        if (dot != 0) out[kin->term_species[t]] += partial(kin, t, y) * dot;
    }
    if (kin->n_x) {
        eval_dk(kin);
        for (int x = 0; x < kin->n_x; x++)
            out[kin->x_col[x]] += kin->x_coef[x] * kin->dk[kin->x_dk[x]] *
                                  reactant_product(kin, kin->x_rxn[x], y) * v[kin->x_row[x]];
    }
}

#include "readout.h"

#include "../common/error.h"
#include "../common/strbuf.h"
#include "bngl/bngl.h"
#include "expr.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { X_SUM, X_FLUX };

/* A variable the network does not have: a weighted sum of species amounts, or the summed
 * velocities of some reactions. */
typedef struct {
    int kind, n;
    int *idx;
    double *w;
} extra;

struct ilnet_readout {
    const ilnet_network *net;
    ilnet_expr *expr;
    int n_extra;
    extra *x;
};

static const char *const calls[] = {"species", "molecules",     "flux",
                                    "amount",  "concentration", NULL};

static int call_kind(const ilnet_network *net, const char *s, size_t len)
{
    char name[32];
    if (len >= sizeof name) return -1;
    memcpy(name, s, len);
    name[len] = 0;
    /* the model's own names win */
    if (ilnet_network_find_function(net, name) >= 0 ||
        ilnet_network_find_parameter(net, name) >= 0 ||
        ilnet_network_find_observable(net, name) >= 0)
        return -1;
    for (int k = 0; calls[k]; k++)
        if (!strcmp(calls[k], name)) return k;
    return -1;
}

static extra *new_extra(ilnet_readout *r, int kind, size_t cap)
{
    extra *x = realloc(r->x, (size_t)(r->n_extra + 1) * sizeof *x);
    if (!x) return NULL;
    r->x = x;
    x = &r->x[r->n_extra];
    memset(x, 0, sizeof *x);
    x->kind = kind;
    x->idx = malloc((cap + 1) * sizeof *x->idx);
    x->w = malloc((cap + 1) * sizeof *x->w);
    r->n_extra++; /* freed with the readout even when the arrays failed */
    return x->idx && x->w ? x : NULL;
}

/* species(X) / molecules(P): a weighted species sum into extra k */
static int species_extra(ilnet_readout *r, const char *arg, int molecules)
{
    const ilnet_network *net = r->net;
    size_t ns = ilnet_network_species_count(net);
    extra *x = new_extra(r, X_SUM, ns);
    if (!x) return ilnet_error_oom();
    int s = molecules ? -1 : ilnet_network_find_species_any_order(net, arg);
    if (s >= 0) {
        x->idx[0] = s;
        x->w[0] = 1;
        x->n = 1;
        return 0;
    }
    const char *src = ilnet_network_source_path(net);
    size_t len = src ? strlen(src) : 0;
    if (len < 5 || strcmp(src + len - 5, ".bngl")) { /* not a pattern: a name misspelt */
        char dym[300];
        return ilnet_error_set(
            ILNET_EINPUT, "no species '%s'%s%s", arg,
            ilnet_network_did_you_mean(net, ILNET_NAME_SPECIES, arg, dym, sizeof dym),
            molecules ? " (patterns need a BNGL model, .bngl)" : "");
    }
    return ilnet_bngl_pattern_weights(net, arg, !molecules, x->idx, x->w, &x->n);
}

static int label_is(const char *label, const char *name)
{
    return label && !strcmp(label, name);
}

/* flux(R): reaction R (its id), or the reactions a rule labelled R generated; a name that
 * is both a reaction's id and another reaction's rule label is ambiguous */
static int flux_extra(ilnet_readout *r, const char *arg)
{
    const ilnet_network *net = r->net;
    size_t nr = ilnet_network_reaction_count(net);
    extra *x = new_extra(r, X_FLUX, nr);
    if (!x) return ilnet_error_oom();
    int by_id = -1, by_label = 0;
    for (size_t i = 0; i < nr; i++) {
        const ilnet_reaction *rx = ilnet_network_reaction(net, i);
        if (!strcmp(rx->name, arg)) by_id = (int)i;
        if (label_is(rx->label, arg)) {
            x->idx[x->n++] = (int)i;
            by_label++;
        }
    }
    if (by_id >= 0 && by_label && !(by_label == 1 && x->idx[0] == by_id))
        return ilnet_error_set(ILNET_EINPUT,
                               "flux(%s): '%s' is both a reaction's id and a rule's name; "
                               "rename the rule",
                               arg, arg);
    if (by_id >= 0 && !by_label) x->idx[x->n++] = by_id;
    if (!x->n)
        return ilnet_error_set(ILNET_EINPUT,
                               "flux(%s): no reaction or rule '%s' (ilnet info MODEL --only "
                               "reactions lists them)",
                               arg, arg);
    return 0;
}

/* amount(S) / concentration(S): an SBML species' expression, or a species' amount */
static int quantity(ilnet_readout *r, const char *arg, int conc, ilnet_strbuf *b)
{
    const char *q = ilnet_network_quantity(r->net, arg, conc);
    if (q) {
        ilnet_strbuf_printf(b, "(%s)", q);
        return 0;
    }
    if (conc)
        return ilnet_error_set(ILNET_EINPUT,
                               "concentration(%s): no SBML species '%s' (only SBML models have "
                               "compartments; species(NAME) reads an amount)",
                               arg, arg);
    int rc = species_extra(r, arg, 0);
    if (!rc) ilnet_strbuf_printf(b, "__ilnet_rd%d", r->n_extra - 1);
    return rc;
}

/* The argument of the call whose '(' is at text[open]: up to the matching ')', trimmed,
 * quotes removed; *end receives the index after ')'. */
static char *call_arg(const char *text, size_t open, size_t *end)
{
    int depth = 0;
    size_t i = open;
    for (; text[i]; i++) {
        if (text[i] == '(') depth++;
        if (text[i] == ')' && --depth == 0) break;
    }
    if (!text[i]) return NULL;
    *end = i + 1;
    size_t a = open + 1, b = i;
    while (a < b && isspace((unsigned char)text[a]))
        a++;
    while (b > a && isspace((unsigned char)text[b - 1]))
        b--;
    if (b - a >= 2 && (text[a] == '"' || text[a] == '\'') && text[b - 1] == text[a]) a++, b--;
    char *out = malloc(b - a + 1);
    if (!out) return NULL;
    memcpy(out, text + a, b - a);
    out[b - a] = 0;
    return out;
}

static int rewrite_call(ilnet_readout *r, int kind, const char *arg, ilnet_strbuf *b)
{
    int rc;
    switch (kind) {
    case 0: /* species */
        if (ilnet_network_find_species_any_order(r->net, arg) < 0 &&
            ilnet_network_quantity(r->net, arg, 0))
            return quantity(r, arg, 0, b);
        rc = species_extra(r, arg, 0);
        break;
    case 1:
        rc = species_extra(r, arg, 1);
        break;
    case 2:
        rc = flux_extra(r, arg);
        break;
    default:
        return quantity(r, arg, kind == 4, b);
    }
    if (!rc) ilnet_strbuf_printf(b, "__ilnet_rd%d", r->n_extra - 1);
    return rc;
}

/* text with every readout call replaced by its variable (or expression) */
static int rewrite(ilnet_readout *r, const char *text, char **out)
{
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    size_t i = 0;
    int rc = 0;
    while (text[i] && !rc) {
        if (!(isalpha((unsigned char)text[i]) || text[i] == '_')) {
            ilnet_strbuf_printf(&b, "%c", text[i++]);
            continue;
        }
        size_t e = i;
        while (isalnum((unsigned char)text[e]) || text[e] == '_')
            e++;
        size_t k = e;
        while (text[k] == ' ')
            k++;
        int kind = text[k] == '(' ? call_kind(r->net, text + i, e - i) : -1;
        if (kind < 0) {
            ilnet_strbuf_printf(&b, "%.*s", (int)(e - i), text + i);
            i = e;
            continue;
        }
        size_t end;
        char *arg = call_arg(text, k, &end);
        if (!arg) {
            rc = ilnet_error_set(ILNET_EINPUT, "%.*s(: no closing ')'", (int)(e - i), text + i);
            break;
        }
        rc = *arg ? rewrite_call(r, kind, arg, &b)
                  : ilnet_error_set(ILNET_EINPUT, "%s(): expected a name", calls[kind]);
        if (rc && strncmp(ilnet_error_last(), calls[kind], strlen(calls[kind])))
            ilnet_error_prefix("%s(%s)", calls[kind], arg);
        free(arg);
        i = end;
    }
    char *t = ilnet_strbuf_detach(&b);
    if (!rc && !t) rc = ilnet_error_oom();
    if (rc) free(t);
    *out = rc ? NULL : t;
    return rc;
}

static int resolve_extra(void *ctx, const char *name, size_t len)
{
    const ilnet_readout *r = ctx;
    const char *pre = "__ilnet_rd";
    size_t n = strlen(pre);
    if (len <= n || strncmp(name, pre, n)) return -1;
    int k = 0;
    if (len - n > 6) return -1;
    for (size_t i = n; i < len; i++) {
        if (!isdigit((unsigned char)name[i])) return -1;
        k = k * 10 + (name[i] - '0');
    }
    return k < r->n_extra ? k : -1;
}

int ilnet_readout_compile(ilnet_readout **out, const ilnet_network *net, const char *text)
{
    *out = NULL;
    ilnet_readout *r = calloc(1, sizeof *r);
    if (!r) return ilnet_error_oom();
    r->net = net;
    char *t = NULL;
    int rc = rewrite(r, text, &t);
    if (!rc) rc = ilnet_network_expr_compile_ex(net, t, resolve_extra, r, &r->expr);
    free(t);
    if (rc) {
        ilnet_readout_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void ilnet_readout_free(ilnet_readout *r)
{
    if (!r) return;
    for (int i = 0; i < r->n_extra; i++) {
        free(r->x[i].idx);
        free(r->x[i].w);
    }
    free(r->x);
    ilnet_expr_free(r->expr);
    free(r);
}

size_t ilnet_readout_var_count(const ilnet_readout *r)
{
    return ilnet_network_var_count(r->net) + (size_t)r->n_extra;
}

static double flux(const ilnet_network *net, const extra *x, const double *y, const double *vars)
{
    double v = 0;
    for (int i = 0; i < x->n; i++) {
        const ilnet_reaction *rx = ilnet_network_reaction(net, (size_t)x->idx[i]);
        double f = ilnet_network_rate_eval(net, (size_t)x->idx[i], vars);
        for (int j = 0; j < rx->n_reactants && !rx->general; j++)
            f *= y[rx->reactants[j]];
        v += f;
    }
    return v;
}

double ilnet_readout_eval(const ilnet_readout *r, const double *y, double *vars)
{
    size_t base = ilnet_network_var_count(r->net);
    for (int k = 0; k < r->n_extra; k++) {
        const extra *x = &r->x[k];
        double v = 0;
        if (x->kind == X_FLUX)
            v = flux(r->net, x, y, vars);
        else
            for (int i = 0; i < x->n; i++)
                v += x->w[i] * y[x->idx[i]];
        vars[base + (size_t)k] = v;
    }
    return ilnet_expr_eval(r->expr, vars);
}

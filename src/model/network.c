#include "network.h"

#include "../common/error.h"
#include "../common/strmap.h"
#include "expr.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ilnet_network {
    char *source_path, *source_text;

    ilnet_parameter *params;
    ilnet_expr **param_expr;
    unsigned char *param_overridden;
    int *param_order; /* evaluation order (dependencies first) */
    double *param_values;
    size_t n_params, cap_params;

    ilnet_species *species;
    ilnet_expr **species_expr;
    size_t n_species, cap_species;

    ilnet_reaction *reactions;
    ilnet_expr **rate_expr;
    size_t n_reactions, cap_reactions;

    ilnet_observable *observables;
    size_t n_observables, cap_observables;

    ilnet_function *functions;
    ilnet_expr **func_expr;
    int *func_order; /* functions before the functions that use them */
    size_t n_functions, cap_functions;
    unsigned char *rate_dynamic;
    size_t n_dynamic;

    ilnet_event *events;
    size_t n_events, cap_events;
    int allow_nonfinite; /* SBML: INF/NaN parameters are legal (errors come from their use) */
    double *scratch;     /* var_count doubles for evaluating at the initial state */
    /* SBML ids' amount and concentration as expressions over the network's names */
    char **q_id, **q_amount, **q_conc;
    size_t n_quantities;

    ilnet_strmap param_names, species_names, reaction_names, observable_names, function_names;
    ilnet_strmap species_labels;
    ilnet_stoich stoich;
    int compiled;
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap) return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *p = realloc(*arr, n * elem);
    if (!p) return ilnet_error_set(ILNET_ENOMEM, "out of memory building the network");
    memset((char *)p + *cap * elem, 0, (n - *cap) * elem);
    *arr = p;
    *cap = n;
    return 0;
}

/* "file:line: " prefix for element errors. */
static int elem_error(const ilnet_network *net, int line, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const char *path = net->source_path ? net->source_path : "<model>";
    if (line > 0) return ilnet_error_set(ILNET_EINPUT, "%s:%d: %s", path, line, msg);
    return ilnet_error_set(ILNET_EINPUT, "%s: %s", path, msg);
}

static char *dup_str(const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

int ilnet_network_new(ilnet_network **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : ilnet_error_set(ILNET_ENOMEM, "out of memory creating a network");
}

static void free_stoich(ilnet_stoich *s)
{
    free(s->col_ptr);
    free(s->row);
    free(s->val);
    memset(s, 0, sizeof *s);
}

static void free_event(ilnet_event *e)
{
    free(e->name);
    free(e->trigger);
    free(e->delay);
    free(e->priority);
    for (int a = 0; a < e->n_assign; a++) {
        free(e->assign[a].target);
        free(e->assign[a].value);
        free(e->assign[a].scale);
        if (e->value_expr) ilnet_expr_free(e->value_expr[a]);
        if (e->scale_expr) ilnet_expr_free(e->scale_expr[a]);
    }
    free(e->assign);
    ilnet_expr_free(e->trigger_expr);
    ilnet_expr_free(e->delay_expr);
    ilnet_expr_free(e->priority_expr);
    free(e->value_expr);
    free(e->scale_expr);
    free(e->target_species);
    memset(e, 0, sizeof *e);
}

void ilnet_network_free(ilnet_network *net)
{
    if (!net) return;
    for (size_t i = 0; i < net->n_events; i++)
        free_event(&net->events[i]);
    free(net->events);
    for (size_t i = 0; i < net->n_params; i++) {
        free(net->params[i].name);
        free(net->params[i].text);
        ilnet_expr_free(net->param_expr[i]);
    }
    for (size_t i = 0; i < net->n_species; i++) {
        free(net->species[i].name);
        free(net->species[i].label);
        free(net->species[i].amount_text);
        ilnet_expr_free(net->species_expr[i]);
    }
    for (size_t i = 0; i < net->n_reactions; i++) {
        ilnet_reaction *r = &net->reactions[i];
        free(r->name);
        free(r->label);
        free(r->reactants);
        free(r->products);
        free(r->rcoef);
        free(r->pcoef);
        free(r->rate_text);
        ilnet_expr_free(net->rate_expr[i]);
    }
    for (size_t i = 0; i < net->n_observables; i++) {
        free(net->observables[i].name);
        free(net->observables[i].species);
        free(net->observables[i].weights);
        free(net->observables[i].definition);
    }
    free(net->params);
    free(net->param_expr);
    free(net->param_overridden);
    free(net->param_order);
    free(net->param_values);
    free(net->species);
    free(net->species_expr);
    free(net->reactions);
    free(net->rate_expr);
    free(net->observables);
    for (size_t i = 0; i < net->n_functions; i++) {
        free(net->functions[i].name);
        free(net->functions[i].text);
        ilnet_expr_free(net->func_expr[i]);
    }
    free(net->functions);
    free(net->func_expr);
    free(net->func_order);
    free(net->rate_dynamic);
    free(net->scratch);
    for (size_t i = 0; i < net->n_quantities; i++) {
        free(net->q_id[i]);
        free(net->q_amount[i]);
        free(net->q_conc[i]);
    }
    free(net->q_id);
    free(net->q_amount);
    free(net->q_conc);
    ilnet_strmap_free(&net->function_names);
    ilnet_strmap_free(&net->param_names);
    ilnet_strmap_free(&net->species_names);
    ilnet_strmap_free(&net->species_labels);
    ilnet_strmap_free(&net->reaction_names);
    ilnet_strmap_free(&net->observable_names);
    free_stoich(&net->stoich);
    free(net->source_path);
    free(net->source_text);
    free(net);
}

int ilnet_network_set_source(ilnet_network *net, const char *path, const char *text)
{
    char *p = dup_str(path), *t = dup_str(text);
    if ((path && !p) || (text && !t)) {
        free(p);
        free(t);
        return ilnet_error_oom();
    }
    free(net->source_path);
    free(net->source_text);
    net->source_path = p;
    net->source_text = t;
    return 0;
}

const char *ilnet_network_source_path(const ilnet_network *net)
{
    return net->source_path;
}

const char *ilnet_network_source_text(const ilnet_network *net)
{
    return net->source_text;
}

static int check_name(const ilnet_network *net, const char *kind, const char *name, int line)
{
    if (!name || !*name) return elem_error(net, line, "%s with an empty name", kind);
    return 0;
}

int ilnet_network_add_parameter(ilnet_network *net, const char *name, const char *expr, int line)
{
    if (check_name(net, "parameter", name, line)) return ILNET_EINPUT;
    if (ilnet_network_find_parameter(net, name) >= 0)
        return elem_error(net, line, "parameter '%s' defined twice", name);
    size_t n = net->n_params + 1, cap = net->cap_params;
    if (grow((void **)&net->params, &cap, n, sizeof *net->params)) return ILNET_ENOMEM;
    cap = net->cap_params;
    if (grow((void **)&net->param_expr, &cap, n, sizeof *net->param_expr)) return ILNET_ENOMEM;
    net->cap_params = cap;
    ilnet_parameter *p = &net->params[net->n_params];
    p->name = dup_str(name);
    p->text = dup_str(expr);
    p->line = line;
    if (!p->name || !p->text) {
        free(p->name);
        free(p->text);
        return ilnet_error_oom();
    }
    if (ilnet_strmap_put(&net->param_names, p->name, (int)net->n_params) < 0) {
        free(p->name);
        free(p->text);
        return ILNET_ENOMEM;
    }
    net->n_params++;
    net->compiled = 0;
    return 0;
}

int ilnet_network_add_species(ilnet_network *net, const char *name, const char *amount_expr,
                              int fixed, int line)
{
    if (check_name(net, "species", name, line)) return ILNET_EINPUT;
    if (ilnet_network_find_species(net, name) >= 0)
        return elem_error(net, line, "species '%s' defined twice", name);
    size_t n = net->n_species + 1, cap = net->cap_species;
    if (grow((void **)&net->species, &cap, n, sizeof *net->species)) return ILNET_ENOMEM;
    cap = net->cap_species;
    if (grow((void **)&net->species_expr, &cap, n, sizeof *net->species_expr)) return ILNET_ENOMEM;
    net->cap_species = cap;
    ilnet_species *s = &net->species[net->n_species];
    s->name = dup_str(name);
    s->amount_text = dup_str(amount_expr);
    s->fixed = fixed != 0;
    s->line = line;
    if (!s->name || !s->amount_text ||
        ilnet_strmap_put(&net->species_names, s->name, (int)net->n_species) < 0) {
        free(s->name);
        free(s->amount_text);
        return ilnet_error_oom();
    }
    net->n_species++;
    net->compiled = 0;
    return 0;
}

static int check_species_refs(const ilnet_network *net, const int *idx, int n, const char *what,
                              int line)
{
    for (int i = 0; i < n; i++)
        if (idx[i] < 0 || (size_t)idx[i] >= net->n_species)
            return elem_error(net, line, "%s refers to unknown species index %d", what, idx[i] + 1);
    return 0;
}

int ilnet_network_add_reaction(ilnet_network *net, const int *reactants, int n_reactants,
                               const int *products, int n_products, const char *rate_expr,
                               const char *label, int line)
{
    return ilnet_network_add_reaction_ex(net, reactants, NULL, n_reactants, products, NULL,
                                         n_products, rate_expr, label, line, 0);
}

static double *dup_coef(const double *c, int n)
{
    double *d = malloc(((size_t)n + 1) * sizeof *d);
    if (d && n) memcpy(d, c, (size_t)n * sizeof *d);
    return d;
}

int ilnet_network_add_reaction_ex(ilnet_network *net, const int *reactants, const double *rcoef,
                                  int n_reactants, const int *products, const double *pcoef,
                                  int n_products, const char *rate_expr, const char *label,
                                  int line, int general)
{
    char name[32];
    snprintf(name, sizeof name, "R%zu", net->n_reactions + 1);
    if (n_reactants < 0 || n_products < 0)
        return elem_error(net, line, "reaction %s has a negative count", name);
    if (check_species_refs(net, reactants, n_reactants, name, line) ||
        check_species_refs(net, products, n_products, name, line))
        return ILNET_EINPUT;
    size_t n = net->n_reactions + 1, cap = net->cap_reactions;
    if (grow((void **)&net->reactions, &cap, n, sizeof *net->reactions)) return ILNET_ENOMEM;
    cap = net->cap_reactions;
    if (grow((void **)&net->rate_expr, &cap, n, sizeof *net->rate_expr)) return ILNET_ENOMEM;
    net->cap_reactions = cap;
    ilnet_reaction *r = &net->reactions[net->n_reactions];
    memset(r, 0, sizeof *r);
    r->name = dup_str(name);
    r->label = dup_str(label);
    r->rate_text = dup_str(rate_expr);
    r->reactants = malloc((size_t)(n_reactants + 1) * sizeof(int));
    r->products = malloc((size_t)(n_products + 1) * sizeof(int));
    if (!r->name || (label && !r->label) || !r->rate_text || !r->reactants || !r->products ||
        ilnet_strmap_put(&net->reaction_names, r->name, (int)net->n_reactions) < 0) {
        free(r->name);
        free(r->label);
        free(r->rate_text);
        free(r->reactants);
        free(r->products);
        memset(r, 0, sizeof *r);
        return ilnet_error_oom();
    }
    for (int i = 0; i < n_reactants && rcoef; i++)
        if (!isfinite(rcoef[i]) || (rcoef[i] < 0 && !general))
            return elem_error(net, line, "reaction %s has a bad stoichiometric coefficient", name);
    for (int i = 0; i < n_products && pcoef; i++)
        if (!isfinite(pcoef[i]) || (pcoef[i] < 0 && !general))
            return elem_error(net, line, "reaction %s has a bad stoichiometric coefficient", name);
    if ((rcoef && !(r->rcoef = dup_coef(rcoef, n_reactants))) ||
        (pcoef && !(r->pcoef = dup_coef(pcoef, n_products))))
        return ilnet_error_oom();
    r->general = general != 0;
    if (n_reactants) memcpy(r->reactants, reactants, (size_t)n_reactants * sizeof(int));
    if (n_products) memcpy(r->products, products, (size_t)n_products * sizeof(int));
    r->n_reactants = n_reactants;
    r->n_products = n_products;
    r->line = line;
    net->n_reactions++;
    net->compiled = 0;
    return 0;
}

int ilnet_network_set_observable_definition(ilnet_network *net, size_t k, const char *text)
{
    if (k >= net->n_observables)
        return ilnet_error_set(ILNET_EINPUT, "no observable %zu (%zu observables)", k,
                               net->n_observables);
    char *copy = text ? dup_str(text) : NULL;
    if (text && !copy) return ilnet_error_oom();
    free(net->observables[k].definition);
    net->observables[k].definition = copy;
    return 0;
}

int ilnet_network_add_observable(ilnet_network *net, const char *name, const int *species,
                                 const double *weights, int n_terms, int line)
{
    if (check_name(net, "observable", name, line)) return ILNET_EINPUT;
    if (ilnet_network_find_observable(net, name) >= 0)
        return elem_error(net, line, "observable '%s' defined twice", name);
    if (n_terms < 0) return elem_error(net, line, "observable '%s' has a negative count", name);
    char what[300];
    snprintf(what, sizeof what, "observable '%s'", name);
    if (check_species_refs(net, species, n_terms, what, line)) return ILNET_EINPUT;
    for (int i = 0; i < n_terms; i++)
        if (!isfinite(weights[i]))
            return elem_error(net, line, "observable '%s' has a non-finite weight", name);
    if (grow((void **)&net->observables, &net->cap_observables, net->n_observables + 1,
             sizeof *net->observables))
        return ILNET_ENOMEM;
    ilnet_observable *o = &net->observables[net->n_observables];
    o->name = dup_str(name);
    o->species = malloc((size_t)(n_terms + 1) * sizeof(int));
    o->weights = malloc((size_t)(n_terms + 1) * sizeof(double));
    if (!o->name || !o->species || !o->weights ||
        ilnet_strmap_put(&net->observable_names, o->name, (int)net->n_observables) < 0) {
        free(o->name);
        free(o->species);
        free(o->weights);
        memset(o, 0, sizeof *o);
        return ilnet_error_oom();
    }
    if (n_terms) {
        memcpy(o->species, species, (size_t)n_terms * sizeof(int));
        memcpy(o->weights, weights, (size_t)n_terms * sizeof(double));
    }
    o->n_terms = n_terms;
    o->line = line;
    net->n_observables++;
    return 0;
}

int ilnet_network_add_function(ilnet_network *net, const char *name, const char *expr, int line)
{
    if (check_name(net, "function", name, line)) return ILNET_EINPUT;
    if (ilnet_network_find_function(net, name) >= 0)
        return elem_error(net, line, "function '%s' defined twice", name);
    if (ilnet_network_find_parameter(net, name) >= 0 ||
        ilnet_network_find_observable(net, name) >= 0)
        return elem_error(net, line, "function '%s' has the name of a parameter or observable",
                          name);
    size_t n = net->n_functions + 1, cap = net->cap_functions;
    if (grow((void **)&net->functions, &cap, n, sizeof *net->functions)) return ILNET_ENOMEM;
    cap = net->cap_functions;
    if (grow((void **)&net->func_expr, &cap, n, sizeof *net->func_expr)) return ILNET_ENOMEM;
    net->cap_functions = cap;
    ilnet_function *f = &net->functions[net->n_functions];
    f->name = dup_str(name);
    f->text = dup_str(expr);
    f->line = line;
    if (!f->name || !f->text ||
        ilnet_strmap_put(&net->function_names, f->name, (int)net->n_functions) < 0) {
        free(f->name);
        free(f->text);
        memset(f, 0, sizeof *f);
        return ilnet_error_oom();
    }
    net->n_functions++;
    net->compiled = 0;
    return 0;
}

int ilnet_network_add_event(ilnet_network *net, const ilnet_event *def)
{
    if (check_name(net, "event", def->name, def->line)) return ILNET_EINPUT;
    for (size_t i = 0; i < net->n_events; i++)
        if (!strcmp(net->events[i].name, def->name))
            return elem_error(net, def->line, "event '%s' defined twice", def->name);
    if (!def->trigger || !*def->trigger)
        return elem_error(net, def->line, "event '%s' has no trigger", def->name);
    if (def->n_assign < 0 || (def->n_assign && !def->assign))
        return elem_error(net, def->line, "event '%s' has a bad assignment count", def->name);
    if (grow((void **)&net->events, &net->cap_events, net->n_events + 1, sizeof *net->events))
        return ILNET_ENOMEM;
    ilnet_event *e = &net->events[net->n_events];
    memset(e, 0, sizeof *e);
    e->name = dup_str(def->name);
    e->trigger = dup_str(def->trigger);
    e->delay = dup_str(def->delay);
    e->priority = dup_str(def->priority);
    e->initial_value = def->initial_value != 0;
    e->persistent = def->persistent != 0;
    e->use_trigger_values = def->use_trigger_values != 0;
    e->line = def->line;
    e->assign = calloc((size_t)def->n_assign + 1, sizeof *e->assign);
    int oom = !e->name || !e->trigger || (def->delay && !e->delay) ||
              (def->priority && !e->priority) || !e->assign;
    for (int a = 0; a < def->n_assign && !oom; a++) {
        const ilnet_event_assignment *d = &def->assign[a];
        ilnet_event_assignment *x = &e->assign[a];
        x->target = dup_str(d->target);
        x->value = dup_str(d->value);
        x->scale = dup_str(d->scale);
        e->n_assign = a + 1;
        oom = !x->target || !x->value || (d->scale && !x->scale);
    }
    if (oom) {
        free_event(e);
        return ilnet_error_oom();
    }
    net->n_events++;
    net->compiled = 0;
    return 0;
}

size_t ilnet_network_event_count(const ilnet_network *net)
{
    return net->n_events;
}

const ilnet_event *ilnet_network_event(const ilnet_network *net, size_t i)
{
    return i < net->n_events ? &net->events[i] : NULL;
}

static int resolve_param(void *ctx, const char *name, size_t len)
{
    return ilnet_strmap_get(&((ilnet_network *)ctx)->param_names, name, len);
}

/* parameters, then observables, functions and time */
static int resolve_dynamic(void *ctx, const char *name, size_t len)
{
    const ilnet_network *net = ctx;
    int i = ilnet_strmap_get(&net->param_names, name, len);
    if (i >= 0) return i;
    size_t np = net->n_params, no = net->n_observables, nf = net->n_functions;
    if ((i = ilnet_strmap_get(&net->observable_names, name, len)) >= 0) return (int)np + i;
    if ((i = ilnet_strmap_get(&net->function_names, name, len)) >= 0) return (int)(np + no) + i;
    if (len == 4 && !strncmp(name, "time", 4)) return (int)(np + no + nf);
    if ((i = ilnet_strmap_get(&net->species_names, name, len)) >= 0)
        return (int)(np + no + nf + 1) + i;
    return -1;
}

/* "f()" and "time()" -> "f" and "time": the expression grammar has no zero-argument calls */
static char *strip_calls(const ilnet_network *net, const char *text)
{
    size_t n = strlen(text);
    char *out = malloc(n + 1);
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (isalpha((unsigned char)text[i]) || text[i] == '_') {
            size_t e = i;
            while (isalnum((unsigned char)text[e]) || text[e] == '_')
                e++;
            memcpy(out + o, text + i, e - i);
            o += e - i;
            size_t k = e;
            while (text[k] == ' ')
                k++;
            if (text[k] == '(') {
                size_t q = k + 1;
                while (text[q] == ' ')
                    q++;
                if (text[q] == ')' &&
                    ((e - i == 4 && !strncmp(text + i, "time", 4)) ||
                     ilnet_strmap_get(&net->function_names, text + i, e - i) >= 0)) {
                    i = q + 1;
                    continue;
                }
            }
            i = e;
            continue;
        }
        if (isdigit((unsigned char)text[i]) || text[i] == '.') {
            /* numbers, including exponents like 1e-3, copied whole */
            size_t e = i;
            while (isalnum((unsigned char)text[e]) || text[e] == '.' ||
                   ((text[e] == '-' || text[e] == '+') && e > i &&
                    (text[e - 1] == 'e' || text[e - 1] == 'E')))
                e++;
            memcpy(out + o, text + i, e - i);
            o += e - i;
            i = e;
            continue;
        }
        out[o++] = text[i++];
    }
    out[o] = '\0';
    return out;
}

static int compile_expr(ilnet_network *net, ilnet_expr **out, const char *text, int line,
                        const char *kind, const char *name)
{
    ilnet_expr_free(*out);
    *out = NULL;
    int dynamic = !strcmp(kind, "reaction") || !strcmp(kind, "function") ||
                  !strcmp(kind, "species") || !strncmp(kind, "event", 5);
    char *t = dynamic ? strip_calls(net, text) : NULL;
    if (dynamic && !t) return ilnet_error_oom();
    int rc =
        ilnet_expr_parse(out, t ? t : text, dynamic ? resolve_dynamic : resolve_param, net, NULL);
    free(t);
    if (rc == ILNET_EINPUT) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", ilnet_error_last());
        return elem_error(net, line, "%s '%s': %s", kind, name, msg);
    }
    return rc;
}

/* Topological sort of parameters, dependencies first: an explicit-stack depth-first
 * search (a chain of 10^5 parameters must not overflow the C stack). state: 1 = on the
 * current path, 2 = placed. stack/next are caller-owned scratch of n_params entries. */
static int order_params(ilnet_network *net, int root, unsigned char *state, int *stack,
                        size_t *next, size_t *pos)
{
    if (state[root] == 2) return 0;
    size_t sp = 0;
    stack[sp] = root;
    next[sp++] = 0;
    state[root] = 1;
    while (sp) {
        int i = stack[sp - 1];
        const ilnet_expr *e = net->param_expr[i];
        if (next[sp - 1] < ilnet_expr_var_count(e)) {
            int j = ilnet_expr_var(e, next[sp - 1]++);
            if (state[j] == 2) continue;
            if (state[j] == 1)
                return elem_error(net, net->params[j].line, "parameter '%s' depends on itself",
                                  net->params[j].name);
            state[j] = 1;
            stack[sp] = j;
            next[sp++] = 0;
        } else {
            state[i] = 2;
            net->param_order[(*pos)++] = i;
            sp--;
        }
    }
    return 0;
}

static int evaluate(ilnet_network *net)
{
    for (size_t k = 0; k < net->n_params; k++) {
        int i = net->param_order[k];
        if (net->param_overridden[i]) continue;
        double v = ilnet_expr_eval(net->param_expr[i], net->param_values);
        if (!isfinite(v) && !net->allow_nonfinite)
            return elem_error(net, net->params[i].line, "parameter '%s' evaluates to %g",
                              net->params[i].name, v);
        net->param_values[i] = v;
        net->params[i].value = v;
    }
    /* Initial amounts may use other species, functions and time (SBML initial assignments):
     * evaluate to a fixed point; an acyclic dependency settles within its depth. */
    double *vars = net->scratch;
    size_t np = net->n_params;
    int dyn_init = 0;
    for (size_t i = 0; i < net->n_species; i++)
        for (size_t v = 0; v < ilnet_expr_var_count(net->species_expr[i]); v++)
            if ((size_t)ilnet_expr_var(net->species_expr[i], v) >= np) dyn_init = 1;
    double *y0 = malloc((net->n_species + 1) * sizeof *y0);
    if (!y0) return ilnet_error_oom();
    for (size_t i = 0; i < net->n_species; i++)
        y0[i] = 0;
    size_t passes = dyn_init ? net->n_species + net->n_functions + 2 : 1;
    int changed = 1;
    for (size_t pass = 0; pass < passes && changed; pass++) {
        changed = 0;
        if (dyn_init)
            ilnet_network_vars_eval(net, 0.0, y0, vars);
        else
            memcpy(vars, net->param_values, np * sizeof *vars);
        for (size_t i = 0; i < net->n_species; i++) {
            double v = ilnet_expr_eval(net->species_expr[i], vars);
            if (!(v == y0[i] || (isnan(v) && isnan(y0[i])))) changed = 1;
            y0[i] = v;
        }
    }
    if (dyn_init && changed) {
        free(y0);
        return elem_error(net, 0, "initial amounts depend on each other in a cycle");
    }
    for (size_t i = 0; i < net->n_species; i++) {
        ilnet_species *s = &net->species[i];
        double v = y0[i];
        if (!isfinite(v) || (v < 0 && !net->allow_nonfinite)) {
            free(y0);
            return elem_error(net, s->line, "species '%s' has initial amount %g (%s)", s->name, v,
                              s->amount_text);
        }
        s->initial = v;
    }
    if (net->n_dynamic || dyn_init) {
        ilnet_network_vars_eval(net, 0.0, y0, vars);
        for (size_t i = 0; i < net->n_functions && !net->allow_nonfinite; i++) {
            double v = vars[net->n_params + net->n_observables + i];
            if (!isfinite(v)) {
                free(y0);
                return elem_error(net, net->functions[i].line,
                                  "function '%s' evaluates to %g at the initial state",
                                  net->functions[i].name, v);
            }
        }
    } else {
        memcpy(vars, net->param_values, net->n_params * sizeof *vars);
    }
    free(y0);
    for (size_t i = 0; i < net->n_reactions; i++) {
        ilnet_reaction *r = &net->reactions[i];
        double v = ilnet_expr_eval(net->rate_expr[i], vars);
        /* SBML semantics (allow_nonfinite) let a law be negative, mass action included */
        if ((!isfinite(v) && !(net->allow_nonfinite && r->general)) ||
            (v < 0 && !r->general && !net->allow_nonfinite))
            return elem_error(net, r->line, "reaction %s has rate %s %g (%s)", r->name,
                              net->rate_dynamic[i] ? "at the initial state" : "constant", v,
                              r->rate_text);
        r->k = v;
    }
    return 0;
}

/* Orders functions so each comes after those it uses; rejects cycles. */
static int order_functions(ilnet_network *net)
{
    size_t nf = net->n_functions, base = net->n_params + net->n_observables;
    unsigned char *state = calloc(nf + 1, 1);
    int *stack = malloc((nf + 1) * sizeof *stack);
    size_t *next = malloc((nf + 1) * sizeof *next), pos = 0;
    int rc = 0;
    if (!state || !stack || !next) rc = ilnet_error_oom();
    for (size_t root = 0; root < nf && !rc; root++) {
        if (state[root] == 2) continue;
        size_t sp = 0;
        stack[sp] = (int)root;
        next[sp++] = 0;
        state[root] = 1;
        while (sp && !rc) {
            int i = stack[sp - 1];
            const ilnet_expr *e = net->func_expr[i];
            if (next[sp - 1] < ilnet_expr_var_count(e)) {
                int v = ilnet_expr_var(e, next[sp - 1]++);
                if (v < (int)base || v >= (int)(base + nf)) continue;
                int j = v - (int)base;
                if (state[j] == 2) continue;
                if (state[j] == 1) {
                    rc = elem_error(net, net->functions[j].line, "function '%s' depends on itself",
                                    net->functions[j].name);
                    break;
                }
                state[j] = 1;
                stack[sp] = j;
                next[sp++] = 0;
            } else {
                state[i] = 2;
                net->func_order[pos++] = i;
                sp--;
            }
        }
    }
    free(state);
    free(stack);
    free(next);
    return rc;
}

/* Net change per reaction, summed per species; zero entries and fixed species dropped. */
static int build_stoich(ilnet_network *net)
{
    ilnet_stoich *s = &net->stoich;
    free_stoich(s);
    size_t nnz = 0;
    for (size_t j = 0; j < net->n_reactions; j++)
        nnz += (size_t)(net->reactions[j].n_reactants + net->reactions[j].n_products);
    s->n_rows = (int)net->n_species;
    s->n_cols = (int)net->n_reactions;
    s->col_ptr = malloc((net->n_reactions + 1) * sizeof(int));
    s->row = malloc((nnz + 1) * sizeof(int));
    s->val = malloc((nnz + 1) * sizeof(double));
    double *acc = calloc(net->n_species + 1, sizeof(double));
    if (!s->col_ptr || !s->row || !s->val || !acc) {
        free(acc);
        free_stoich(s);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory building the stoichiometry");
    }
    size_t pos = 0;
    for (size_t j = 0; j < net->n_reactions; j++) {
        const ilnet_reaction *r = &net->reactions[j];
        s->col_ptr[j] = (int)pos;
        for (int a = 0; a < r->n_reactants; a++)
            acc[r->reactants[a]] -= r->rcoef ? r->rcoef[a] : 1;
        for (int a = 0; a < r->n_products; a++)
            acc[r->products[a]] += r->pcoef ? r->pcoef[a] : 1;
        /* Visit each touched species once, in order of first appearance. */
        for (int side = 0; side < 2; side++) {
            const int *idx = side ? r->products : r->reactants;
            int n = side ? r->n_products : r->n_reactants;
            for (int a = 0; a < n; a++) {
                int i = idx[a];
                if (acc[i] != 0 && !net->species[i].fixed) {
                    s->row[pos] = i;
                    s->val[pos++] = acc[i];
                }
                acc[i] = 0;
            }
        }
    }
    s->col_ptr[net->n_reactions] = (int)pos;
    free(acc);
    return 0;
}

static int compile_event(ilnet_network *net, ilnet_event *e)
{
    char what[400];
    int n = e->n_assign, rc = 0;
    for (int a = 0; a < n && e->value_expr; a++)
        ilnet_expr_free(e->value_expr[a]);
    for (int a = 0; a < n && e->scale_expr; a++)
        ilnet_expr_free(e->scale_expr[a]);
    free(e->value_expr);
    free(e->scale_expr);
    free(e->target_species);
    e->value_expr = calloc((size_t)n + 1, sizeof *e->value_expr);
    e->scale_expr = calloc((size_t)n + 1, sizeof *e->scale_expr);
    e->target_species = calloc((size_t)n + 1, sizeof *e->target_species);
    if (!e->value_expr || !e->scale_expr || !e->target_species)
        return ilnet_error_set(ILNET_ENOMEM, "out of memory compiling the network");
    rc = compile_expr(net, &e->trigger_expr, e->trigger, e->line, "event trigger", e->name);
    if (!rc && e->delay)
        rc = compile_expr(net, &e->delay_expr, e->delay, e->line, "event delay", e->name);
    if (!rc && e->priority)
        rc = compile_expr(net, &e->priority_expr, e->priority, e->line, "event priority", e->name);
    for (int a = 0; a < n && !rc; a++) {
        ilnet_event_assignment *x = &e->assign[a];
        int i = ilnet_network_find_species(net, x->target);
        if (i < 0)
            return elem_error(net, e->line,
                              "event '%s' assigns to '%s', which is not a species (events change "
                              "only the state)",
                              e->name, x->target);
        e->target_species[a] = i;
        snprintf(what, sizeof what, "%s' assignment to '%s", e->name, x->target);
        rc = compile_expr(net, &e->value_expr[a], x->value, e->line, "event", what);
        if (!rc && x->scale)
            rc = compile_expr(net, &e->scale_expr[a], x->scale, e->line, "event", what);
    }
    return rc;
}

int ilnet_network_compile(ilnet_network *net)
{
    size_t np = net->n_params;
    free(net->param_order);
    free(net->param_values);
    free(net->param_overridden);
    net->param_order = malloc((np + 1) * sizeof(int));
    net->param_values = calloc(np + 1, sizeof(double));
    net->param_overridden = calloc(np + 1, 1);
    unsigned char *state = calloc(np + 1, 1);
    int *stack = malloc((np + 1) * sizeof *stack);
    size_t *next = malloc((np + 1) * sizeof *next);
    if (!net->param_order || !net->param_values || !net->param_overridden || !state || !stack ||
        !next) {
        free(state);
        free(stack);
        free(next);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory compiling the network");
    }
    int rc = 0;
    for (size_t i = 0; i < np && !rc; i++)
        rc = compile_expr(net, &net->param_expr[i], net->params[i].text, net->params[i].line,
                          "parameter", net->params[i].name);
    size_t pos = 0;
    for (size_t i = 0; i < np && !rc; i++)
        rc = order_params(net, (int)i, state, stack, next, &pos);
    free(state);
    free(stack);
    free(next);
    for (size_t i = 0; i < net->n_species && !rc; i++)
        rc = compile_expr(net, &net->species_expr[i], net->species[i].amount_text,
                          net->species[i].line, "species", net->species[i].name);
    for (size_t i = 0; i < net->n_functions && !rc; i++)
        rc = compile_expr(net, &net->func_expr[i], net->functions[i].text, net->functions[i].line,
                          "function", net->functions[i].name);
    free(net->func_order);
    free(net->rate_dynamic);
    free(net->scratch);
    net->func_order = malloc((net->n_functions + 1) * sizeof(int));
    net->rate_dynamic = calloc(net->n_reactions + 1, 1);
    net->scratch = calloc(ilnet_network_var_count(net) + 1, sizeof(double));
    if (!rc && (!net->func_order || !net->rate_dynamic || !net->scratch))
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory compiling the network");
    if (!rc) rc = order_functions(net);
    net->n_dynamic = 0;
    for (size_t i = 0; i < net->n_reactions && !rc; i++) {
        rc = compile_expr(net, &net->rate_expr[i], net->reactions[i].rate_text,
                          net->reactions[i].line, "reaction", net->reactions[i].name);
        for (size_t v = 0; !rc && v < ilnet_expr_var_count(net->rate_expr[i]); v++)
            if ((size_t)ilnet_expr_var(net->rate_expr[i], v) >= np) net->rate_dynamic[i] = 1;
        if (!rc) net->n_dynamic += net->rate_dynamic[i];
    }
    for (size_t i = 0; i < net->n_events && !rc; i++)
        rc = compile_event(net, &net->events[i]);
    if (!rc) rc = evaluate(net);
    if (!rc) rc = build_stoich(net);
    net->compiled = rc == 0;
    return rc;
}

int ilnet_network_parameter_is_set(const ilnet_network *net, size_t i)
{
    return net->compiled && i < net->n_params && net->param_overridden[i];
}

int ilnet_network_unset_parameter(ilnet_network *net, const char *name)
{
    if (!net->compiled)
        return ilnet_error_set(ILNET_EINPUT, "network not compiled before resetting '%s'", name);
    int i = ilnet_network_find_parameter(net, name);
    char dym[300];
    if (i < 0)
        return ilnet_error_set(
            ILNET_EINPUT, "unknown parameter '%s'%s", name,
            ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, name, dym, sizeof dym));
    if (!net->param_overridden[i]) return 0;
    net->param_overridden[i] = 0;
    return evaluate(net);
}

int ilnet_network_set_parameter(ilnet_network *net, const char *name, double value)
{
    if (!net->compiled)
        return ilnet_error_set(ILNET_EINPUT, "network not compiled before setting '%s'", name);
    int i = ilnet_network_find_parameter(net, name);
    char dym[300];
    if (i < 0)
        return ilnet_error_set(
            ILNET_EINPUT, "unknown parameter '%s'%s", name,
            ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, name, dym, sizeof dym));
    if (!isfinite(value))
        return ilnet_error_set(ILNET_EINPUT, "parameter '%s' set to non-finite value", name);
    net->param_overridden[i] = 1;
    net->param_values[i] = value;
    net->params[i].value = value;
    return evaluate(net);
}

void ilnet_network_allow_nonfinite(ilnet_network *net, int allow)
{
    net->allow_nonfinite = allow;
}

int ilnet_network_allows_negative(const ilnet_network *net)
{
    return net->allow_nonfinite;
}

int ilnet_network_set_fixed(ilnet_network *net, size_t i, int fixed)
{
    if (!net->compiled) return ilnet_error_set(ILNET_EINPUT, "network not compiled");
    if (i >= net->n_species)
        return ilnet_error_set(ILNET_EINPUT, "species index %zu out of range", i + 1);
    net->species[i].fixed = fixed != 0;
    return build_stoich(net);
}

size_t ilnet_network_function_count(const ilnet_network *net)
{
    return net->n_functions;
}

const ilnet_function *ilnet_network_function(const ilnet_network *net, size_t i)
{
    return &net->functions[i];
}

int ilnet_network_find_function(const ilnet_network *net, const char *name)
{
    return ilnet_strmap_get(&net->function_names, name, (size_t)-1);
}

size_t ilnet_network_var_count(const ilnet_network *net)
{
    return net->n_params + net->n_observables + net->n_functions + 1 + net->n_species;
}

size_t ilnet_network_species_var(const ilnet_network *net, size_t i)
{
    return net->n_params + net->n_observables + net->n_functions + 1 + i;
}

int ilnet_network_expr_compile(const ilnet_network *net, const char *text, ilnet_expr **out)
{
    return ilnet_network_expr_compile_ex(net, text, NULL, NULL, out);
}

typedef struct {
    const ilnet_network *net;
    ilnet_expr_resolve_fn extra;
    void *ctx;
} resolve_ex;

static int resolve_extra(void *ctx, const char *name, size_t len)
{
    const resolve_ex *x = ctx;
    int i = resolve_dynamic((void *)x->net, name, len);
    if (i >= 0 || !x->extra) return i;
    i = x->extra(x->ctx, name, len);
    return i < 0 ? i : (int)ilnet_network_var_count(x->net) + i;
}

int ilnet_network_expr_compile_ex(const ilnet_network *net, const char *text,
                                  ilnet_expr_resolve_fn extra, void *ctx, ilnet_expr **out)
{
    char *t = strip_calls(net, text);
    if (!t) return ilnet_error_oom();
    resolve_ex x = {net, extra, ctx};
    int rc = ilnet_expr_parse(out, t, resolve_extra, &x, NULL);
    free(t);
    return rc;
}

int ilnet_network_add_quantity(ilnet_network *net, const char *id, const char *amount,
                               const char *conc)
{
    size_t n = net->n_quantities + 1;
    char **a = realloc(net->q_id, n * sizeof *a);
    if (a) net->q_id = a;
    char **b = a ? realloc(net->q_amount, n * sizeof *b) : NULL;
    if (b) net->q_amount = b;
    char **c = b ? realloc(net->q_conc, n * sizeof *c) : NULL;
    if (c) net->q_conc = c;
    if (!c) return ilnet_error_oom();
    char *i = dup_str(id), *am = dup_str(amount), *co = dup_str(conc);
    if (!i || !am || !co) {
        free(i);
        free(am);
        free(co);
        return ilnet_error_oom();
    }
    net->q_id[n - 1] = i;
    net->q_amount[n - 1] = am;
    net->q_conc[n - 1] = co;
    net->n_quantities = n;
    return 0;
}

const char *ilnet_network_quantity(const ilnet_network *net, const char *id, int conc)
{
    for (size_t i = 0; i < net->n_quantities; i++)
        if (!strcmp(net->q_id[i], id)) return conc ? net->q_conc[i] : net->q_amount[i];
    return NULL;
}

size_t ilnet_network_dynamic_count(const ilnet_network *net)
{
    return net->n_dynamic;
}

int ilnet_network_reaction_is_dynamic(const ilnet_network *net, size_t r)
{
    return net->rate_dynamic && net->rate_dynamic[r];
}

size_t ilnet_network_observable_var(const ilnet_network *net, size_t o)
{
    return net->n_params + o;
}

size_t ilnet_network_function_var(const ilnet_network *net, size_t k)
{
    return net->n_params + net->n_observables + k;
}

void ilnet_network_functions_eval(const ilnet_network *net, double *vars)
{
    size_t base = net->n_params + net->n_observables;
    for (size_t k = 0; k < net->n_functions; k++) {
        int i = net->func_order[k];
        vars[base + (size_t)i] = ilnet_expr_eval(net->func_expr[i], vars);
    }
}

void ilnet_network_vars_eval(const ilnet_network *net, double t, const double *y, double *vars)
{
    memcpy(vars, net->param_values, net->n_params * sizeof *vars);
    ilnet_network_observables_eval(net, y, vars + net->n_params);
    vars[net->n_params + net->n_observables + net->n_functions] = t;
    memcpy(vars + net->n_params + net->n_observables + net->n_functions + 1, y,
           net->n_species * sizeof *vars);
    ilnet_network_functions_eval(net, vars);
}

int ilnet_network_set_species_amount(ilnet_network *net, size_t i, const char *expr)
{
    char *d = dup_str(expr);
    if (!d) return ilnet_error_oom();
    free(net->species[i].amount_text);
    net->species[i].amount_text = d;
    net->compiled = 0;
    return 0;
}

const ilnet_expr *ilnet_network_param_expr(const ilnet_network *net, size_t i)
{
    return net->param_expr[i];
}

size_t ilnet_network_param_order(const ilnet_network *net, size_t k)
{
    return (size_t)net->param_order[k];
}

const double *ilnet_network_param_values(const ilnet_network *net)
{
    return net->param_values;
}

const ilnet_expr *ilnet_network_species_expr(const ilnet_network *net, size_t i)
{
    return net->species_expr[i];
}

const ilnet_expr *ilnet_network_rate_expr(const ilnet_network *net, size_t r)
{
    return net->rate_expr[r];
}

size_t ilnet_network_function_order(const ilnet_network *net, size_t k)
{
    return (size_t)net->func_order[k];
}

double ilnet_network_rate_eval(const ilnet_network *net, size_t r, const double *vars)
{
    return ilnet_expr_eval(net->rate_expr[r], vars);
}

int ilnet_network_rate_inputs(const ilnet_network *net, size_t r, int *out)
{
    size_t np = net->n_params, no = net->n_observables, nf = net->n_functions;
    size_t sv = np + no + nf + 1, nv = sv + net->n_species;
    unsigned char *seen = calloc(nv + 1, 1);
    int *stack = malloc((nf + 1) * sizeof *stack), sp = 0, n = 0;
    if (!seen || !stack) {
        free(seen);
        free(stack);
        return -1;
    }
    const ilnet_expr *e = net->rate_expr[r];
    for (;;) {
        for (size_t k = 0; k < ilnet_expr_var_count(e); k++) {
            size_t v = (size_t)ilnet_expr_var(e, k);
            if (seen[v]) continue;
            seen[v] = 1;
            if ((v >= np && v < np + no) || v >= sv)
                out[n++] = (int)v;
            else if (v >= np + no && v < np + no + nf)
                stack[sp++] = (int)(v - np - no);
        }
        if (!sp) break;
        e = net->func_expr[stack[--sp]];
    }
    free(seen);
    free(stack);
    return n;
}

int ilnet_network_expr_functions(const ilnet_network *net, const ilnet_expr *e, int *out)
{
    size_t base = net->n_params + net->n_observables, nf = net->n_functions;
    unsigned char *seen = calloc(nf + 1, 1);
    int n = 0;
    if (!seen) return -1;
    /* out doubles as the work list: functions found are visited in turn */
    for (int next = 0;; next++) {
        for (size_t k = 0; k < ilnet_expr_var_count(e); k++) {
            size_t v = (size_t)ilnet_expr_var(e, k);
            if (v < base || v >= base + nf || seen[v - base]) continue;
            seen[v - base] = 1;
            out[n++] = (int)(v - base);
        }
        if (next >= n) break;
        e = net->func_expr[out[next]];
    }
    free(seen);
    return n;
}

const ilnet_expr *ilnet_network_function_expr(const ilnet_network *net, size_t i)
{
    return i < net->n_functions ? net->func_expr[i] : NULL;
}

size_t ilnet_network_parameter_count(const ilnet_network *net)
{
    return net->n_params;
}
size_t ilnet_network_species_count(const ilnet_network *net)
{
    return net->n_species;
}
size_t ilnet_network_reaction_count(const ilnet_network *net)
{
    return net->n_reactions;
}
size_t ilnet_network_observable_count(const ilnet_network *net)
{
    return net->n_observables;
}
const ilnet_parameter *ilnet_network_parameter(const ilnet_network *net, size_t i)
{
    return i < net->n_params ? &net->params[i] : NULL;
}
const ilnet_species *ilnet_network_species(const ilnet_network *net, size_t i)
{
    return i < net->n_species ? &net->species[i] : NULL;
}
const ilnet_reaction *ilnet_network_reaction(const ilnet_network *net, size_t i)
{
    return i < net->n_reactions ? &net->reactions[i] : NULL;
}
const ilnet_observable *ilnet_network_observable(const ilnet_network *net, size_t i)
{
    return i < net->n_observables ? &net->observables[i] : NULL;
}

int ilnet_network_find_parameter(const ilnet_network *net, const char *name)
{
    return ilnet_strmap_get(&net->param_names, name, (size_t)-1);
}
static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A BioNetGen species string with each molecule's components sorted, so that
 * "S5(d,y~u,dm)" and "S5(d,dm,y~u)" compare equal (caller frees; NULL when out of memory). */
static char *sorted_components(const char *name)
{
    size_t n = strlen(name);
    char *out = malloc(n + 1), *buf = dup_str(name);
    char **parts = malloc((n / 2 + 2) * sizeof *parts);
    if (!out || !buf || !parts) {
        free(out);
        free(buf);
        free(parts);
        return NULL;
    }
    size_t o = 0;
    for (char *m = buf; *m;) {
        char *open = strchr(m, '('), *close = open ? strchr(open, ')') : NULL, *save = NULL;
        if (!open || !close) {
            strcpy(out + o, m);
            o += strlen(m);
            break;
        }
        memcpy(out + o, m, (size_t)(open - m) + 1);
        o += (size_t)(open - m) + 1;
        *close = 0;
        int k = 0;
        for (char *c = strtok_r(open + 1, ",", &save); c; c = strtok_r(NULL, ",", &save))
            parts[k++] = c;
        qsort(parts, k, sizeof *parts, cmp_str);
        for (int i = 0; i < k; i++)
            o += (size_t)sprintf(out + o, "%s%s", i ? "," : "", parts[i]);
        out[o++] = ')';
        m = close + 1;
    }
    out[o] = 0;
    free(buf);
    free(parts);
    return out;
}

int ilnet_network_find_species(const ilnet_network *net, const char *name)
{
    int i = ilnet_strmap_get(&net->species_names, name, (size_t)-1);
    return i >= 0 ? i : ilnet_strmap_get(&net->species_labels, name, (size_t)-1);
}

int ilnet_network_find_species_any_order(const ilnet_network *net, const char *name)
{
    int i = ilnet_network_find_species(net, name);
    if (i >= 0 || !strchr(name, '(')) return i;
    /* a BioNetGen name with its components in another order */
    char *want = sorted_components(name);
    for (size_t k = 0; want && i < 0 && k < net->n_species; k++) {
        char *have = sorted_components(net->species[k].name);
        if (have && !strcmp(have, want)) i = (int)k;
        free(have);
    }
    free(want);
    return i;
}

const char *ilnet_network_species_label(const ilnet_network *net, size_t i)
{
    const ilnet_species *s = &net->species[i];
    return s->label ? s->label : s->name;
}

int ilnet_network_set_species_label(ilnet_network *net, size_t i, const char *label)
{
    if (i >= net->n_species) return ilnet_error_set(ILNET_EINPUT, "no species %zu", i);
    /* once: the label map keeps the string */
    if (net->species[i].label)
        return ilnet_error_set(ILNET_EINPUT, "species '%s' already has a label",
                               net->species[i].name);
    int other = ilnet_network_find_species(net, label);
    if (other >= 0 && other != (int)i)
        return ilnet_error_set(ILNET_EINPUT, "species label '%s' is another species' name", label);
    char *copy = dup_str(label);
    if (!copy || ilnet_strmap_put(&net->species_labels, copy, (int)i) < 0) {
        free(copy);
        return ilnet_error_oom();
    }
    net->species[i].label = copy;
    return 0;
}
int ilnet_network_find_reaction(const ilnet_network *net, const char *name)
{
    return ilnet_strmap_get(&net->reaction_names, name, (size_t)-1);
}
int ilnet_network_find_observable(const ilnet_network *net, const char *name)
{
    return ilnet_strmap_get(&net->observable_names, name, (size_t)-1);
}

const ilnet_stoich *ilnet_network_stoichiometry(const ilnet_network *net)
{
    return net->compiled ? &net->stoich : NULL;
}

void ilnet_network_observables_sens(const ilnet_network *net, const double *S, size_t k,
                                    double *out)
{
    for (size_t o = 0; o < net->n_observables; o++) {
        const ilnet_observable *ob = &net->observables[o];
        for (size_t j = 0; j < k; j++) {
            double d = 0;
            for (int t = 0; t < ob->n_terms; t++)
                d += ob->weights[t] * S[(size_t)ob->species[t] * k + j];
            out[o * k + j] = d;
        }
    }
}

void ilnet_network_observables_eval(const ilnet_network *net, const double *y, double *out)
{
    for (size_t k = 0; k < net->n_observables; k++) {
        const ilnet_observable *o = &net->observables[k];
        double sum = 0;
        for (int t = 0; t < o->n_terms; t++)
            sum += o->weights[t] * y[o->species[t]];
        out[k] = sum;
    }
}

#include "config_schema.h"

#include "../common/error.h"
#include "../common/file.h"
#include "../common/tsv.h"
#include "../common/paths.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Parsing state: the document and the config being filled. */
typedef struct {
    ilnet_config *c;
    const ilnet_yaml *y;
} P;

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

static ilnet_config_pos pos_of(const yaml_node_t *n)
{
    ilnet_config_pos p = {ilnet_yaml_line(n), ilnet_yaml_col(n)};
    return p;
}

static int err(P *p, const yaml_node_t *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int err(P *p, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ilnet_config_error(p->c, pos_of(n), path, "%s", msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return ilnet_yaml_scalar(n);
}

static yaml_node_t *lookup(P *p, const yaml_node_t *m, const char *key)
{
    return ilnet_yaml_lookup(p->y, m, key); /* check_keys reports non-string keys */
}

/* Child key path "parent.key" or "parent[i]". */
static void sub(char *out, size_t n, const char *parent, const char *key, int index)
{
    ilnet_yaml_path(out, n, parent, key, index);
}

static int get_double(P *p, const yaml_node_t *n, const char *path, double *out)
{
    return ilnet_yaml_number(p->y, n, path, out);
}

static int get_long(P *p, const yaml_node_t *n, const char *path, long lo, long *out)
{
    return ilnet_yaml_integer(p->y, n, path, lo, out);
}

static int get_bool(P *p, const yaml_node_t *n, const char *path, int *out)
{
    return ilnet_yaml_boolean(p->y, n, path, out);
}

static int get_string(P *p, const yaml_node_t *n, const char *path, char **out)
{
    return ilnet_yaml_string(p->y, n, path, out);
}

/* Checks a mapping's keys against a list; rejects unknown and repeated keys. */
static int check_keys(P *p, const yaml_node_t *m, const char *path, const char *const *allowed)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, *path ? path : "(top level)", "expected a mapping, found %s",
                   ilnet_yaml_kind(m));
    for (int a = 0; a < ilnet_yaml_pairs(m); a++) {
        yaml_node_t *k = ilnet_yaml_key(p->y, m, a);
        const char *ks = scalar(k);
        char kp[512];
        if (!ks) return err(p, k, *path ? path : "(top level)", "keys must be strings");
        sub(kp, sizeof kp, path, ks, 0);
        int ok = 0;
        for (int i = 0; allowed[i]; i++)
            ok |= !strcmp(allowed[i], ks);
        if (!ok) {
            char list[400] = "";
            for (int i = 0; allowed[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         allowed[i]);
            return err(p, k, kp, "unknown key '%s' (expected one of: %s)", ks, list);
        }
        for (int b = 0; b < a; b++)
            if (!strcmp(scalar(ilnet_yaml_key(p->y, m, b)), ks))
                return err(p, k, kp, "key '%s' given twice", ks);
    }
    return 0;
}

/* Appends x to an array grown only by this function: its capacity is the next power of two
 * of its length, so it doubles when the length is one (a realloc per element was
 * quadratic where realloc copies: ten million output times took minutes under ASan). */
static int push_double(double **v, int *n, double x)
{
    int k = *n;
    if ((k & (k - 1)) == 0) {
        double *a = realloc(*v, (size_t)(k ? 2 * k : 1) * sizeof *a);
        if (!a) return ilnet_error_oom();
        *v = a;
    }
    (*v)[(*n)++] = x;
    return 0;
}

/* A name: number mapping. */
static int get_assign(P *p, const yaml_node_t *m, const char *path, ilnet_config_assign *a)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, path, "expected a mapping NAME: VALUE, found %s", ilnet_yaml_kind(m));
    for (int q = 0; q < ilnet_yaml_pairs(m); q++) {
        yaml_node_t *k = ilnet_yaml_key(p->y, m, q), *v = ilnet_yaml_value(p->y, m, q);
        char kp[512];
        if (!scalar(k)) return err(p, k, path, "names must be strings");
        sub(kp, sizeof kp, path, scalar(k), 0);
        double x;
        TRY(get_double(p, v, kp, &x));
        for (int i = 0; i < a->n; i++)
            if (!strcmp(a->names[i], scalar(k)))
                return err(p, k, kp, "'%s' given twice", scalar(k));
        TRY(ilnet_config_assign_append(a, scalar(k), x, kp, pos_of(k)));
    }
    return 0;
}

/* "name" or [name, ...] -> list of strings with positions. */
static int get_names(P *p, const yaml_node_t *n, const char *path, char ***names, int *count,
                     ilnet_config_pos **pos)
{
    int list = n && n->type == YAML_SEQUENCE_NODE;
    int nn = list ? ilnet_yaml_items(n) : 1;
    if (list && nn == 0) return err(p, n, path, "empty list");
    *names = calloc(nn, sizeof **names);
    *pos = calloc(nn, sizeof **pos);
    if (!*names || !*pos) return ilnet_error_oom();
    *count = nn;
    for (int i = 0; i < nn; i++) {
        yaml_node_t *e = list ? ilnet_yaml_item(p->y, n, i) : (yaml_node_t *)n;
        char ip[512];
        if (list)
            sub(ip, sizeof ip, path, NULL, i);
        else
            snprintf(ip, sizeof ip, "%s", path);
        TRY(get_string(p, e, ip, &(*names)[i]));
        (*pos)[i] = pos_of(e);
    }
    return 0;
}

/* A list of numbers (path names the list) appended to vals. */
static int get_numbers(P *p, const yaml_node_t *v, const char *path, double **vals, int *n)
{
    for (int i = 0; i < ilnet_yaml_items(v); i++) {
        char ip[512];
        double x;
        sub(ip, sizeof ip, path, NULL, i);
        TRY(get_double(p, ilnet_yaml_item(p->y, v, i), ip, &x));
        TRY(push_double(vals, n, x));
    }
    return 0;
}

/* The min, max and n of mapping r at rp (its keys already checked): n values spaced
 * linearly or (log) logarithmically. */
static int range_values(P *p, const yaml_node_t *r, const char *rp, int log, double **vals, int *n)
{
    char kp[512];
    double lo, hi;
    long cnt;
    yaml_node_t *a = lookup(p, r, "min"), *b = lookup(p, r, "max"), *c = lookup(p, r, "n");
    if (!a || !b || !c) return err(p, r, rp, "needs min, max and n");
    sub(kp, sizeof kp, rp, "min", 0);
    TRY(get_double(p, a, kp, &lo));
    sub(kp, sizeof kp, rp, "max", 0);
    TRY(get_double(p, b, kp, &hi));
    sub(kp, sizeof kp, rp, "n", 0);
    TRY(get_long(p, c, kp, 1, &cnt));
    if (cnt > 10000000) return err(p, c, kp, "at most 10000000 values");
    if (log && (lo <= 0 || hi <= 0)) {
        sub(kp, sizeof kp, rp, lo <= 0 ? "min" : "max", 0);
        return err(p, lo <= 0 ? a : b, kp, "log-spaced bounds must be > 0");
    }
    if (cnt == 1 && lo != hi) {
        sub(kp, sizeof kp, rp, "n", 0);
        return err(p, c, kp, "n = 1 needs min = max");
    }
    for (long i = 0; i < cnt; i++) {
        double f = cnt == 1 ? 0 : (double)i / (double)(cnt - 1), x;
        if (!log)
            x = i == cnt - 1 ? hi : lo + f * (hi - lo);
        else
            x = i == 0 ? lo : i == cnt - 1 ? hi : pow(10, log10(lo) + f * (log10(hi) - log10(lo)));
        TRY(push_double(vals, n, x));
    }
    return 0;
}

/* {min, max, n} at rp: n values spaced linearly or (log) logarithmically. */
static int get_range(P *p, const yaml_node_t *r, const char *rp, int log, double **vals, int *n)
{
    static const char *const range_keys[] = {"min", "max", "n", NULL};
    TRY(check_keys(p, r, rp, range_keys));
    return range_values(p, r, rp, log, vals, n);
}

/* values: [..] | linspace: {min, max, n} | logspace: {min, max, n} inside mapping m. Sets
 * *found when one of them is there. */
static int get_value_list(P *p, const yaml_node_t *m, const char *path, double **vals, int *n,
                          int *found)
{
    yaml_node_t *v = lookup(p, m, "values"), *lin = lookup(p, m, "linspace"),
                *lg = lookup(p, m, "logspace");
    *found = (v != NULL) + (lin != NULL) + (lg != NULL);
    if (*found > 1) return err(p, m, path, "give only one of values, linspace, logspace");
    if (v) {
        char vp[512];
        sub(vp, sizeof vp, path, "values", 0);
        if (v->type != YAML_SEQUENCE_NODE)
            return err(p, v, vp, "expected a list of numbers, found %s", ilnet_yaml_kind(v));
        if (!ilnet_yaml_items(v)) return err(p, v, vp, "empty list");
        return get_numbers(p, v, vp, vals, n);
    }
    yaml_node_t *r = lin ? lin : lg;
    if (!r) return 0;
    char rp[512];
    sub(rp, sizeof rp, path, lin ? "linspace" : "logspace", 0);
    return get_range(p, r, rp, lg != NULL, vals, n);
}

/* simulation.times: an explicit output grid. */
static int parse_time_list(P *p, const yaml_node_t *m, const yaml_node_t *tl, double t0)
{
    ilnet_config *c = p->c;
    if (tl->type != YAML_SEQUENCE_NODE || ilnet_yaml_items(tl) < 2)
        return err(p, tl, "simulation.times", "expected a list of at least 2 times");
    int cnt = 0;
    for (int i = 0; i < ilnet_yaml_items(tl); i++) {
        yaml_node_t *it = ilnet_yaml_item(p->y, tl, i);
        char ip[64];
        double x;
        snprintf(ip, sizeof ip, "simulation.times[%d]", cnt);
        TRY(get_double(p, it, ip, &x));
        if (cnt == 0 && lookup(p, m, "t_start") && x != t0)
            return err(p, it, ip, "the first time must be t_start (%g)", t0);
        if (cnt > 0 && x <= c->times[cnt - 1]) return err(p, it, ip, "times must increase");
        TRY(push_double(&c->times, &cnt, x));
    }
    c->n_times = (size_t)cnt;
    return 0;
}

/* simulation.t_end with n_steps (linear) or log_steps (and log_min). */
static int parse_time_steps(P *p, const yaml_node_t *m, double t0)
{
    ilnet_config *c = p->c;
    yaml_node_t *te = lookup(p, m, "t_end"), *ns = lookup(p, m, "n_steps"),
                *ls = lookup(p, m, "log_steps"), *lm = lookup(p, m, "log_min");
    double t1 = 0;
    if (!te) return err(p, m, "simulation", "t_end is required");
    TRY(get_double(p, te, "simulation.t_end", &t1));
    if (t1 <= t0) return err(p, te, "simulation.t_end", "must be greater than t_start (%g)", t0);
    long k;
    int cnt = 0;
    if (ns) {
        TRY(get_long(p, ns, "simulation.n_steps", 1, &k));
        if (k > 10000000) return err(p, ns, "simulation.n_steps", "at most 10000000");
        for (long i = 0; i <= k; i++)
            TRY(push_double(&c->times, &cnt, i == k ? t1 : t0 + (t1 - t0) * (double)i / (double)k));
    } else {
        TRY(get_long(p, ls, "simulation.log_steps", 1, &k));
        if (k > 10000000) return err(p, ls, "simulation.log_steps", "at most 10000000");
        double lo = (t1 - t0) * 1e-4;
        if (lm) {
            TRY(get_double(p, lm, "simulation.log_min", &lo));
            if (lo <= 0 || lo >= t1 - t0)
                return err(p, lm, "simulation.log_min", "must be in (0, t_end - t_start)");
        }
        TRY(push_double(&c->times, &cnt, t0));
        for (long i = 0; i < k; i++) {
            double f = k == 1 ? 1 : (double)i / (double)(k - 1);
            double x = i == k - 1 ? t1 : t0 + pow(10, log10(lo) + f * (log10(t1 - t0) - log10(lo)));
            TRY(push_double(&c->times, &cnt, x));
        }
    }
    c->n_times = (size_t)cnt;
    return 0;
}

static int parse_simulation(P *p, const yaml_node_t *m)
{
    static const char *const keys[] = {"t_start",   "t_end",  "n_steps", "log_steps",
                                       "log_min",   "times",  "atol",    "rtol",
                                       "max_steps", "solver", NULL};
    ilnet_config *c = p->c;
    TRY(check_keys(p, m, "simulation", keys));
    c->times_pos = pos_of(m);
    double t0 = 0;
    yaml_node_t *n;
    if ((n = lookup(p, m, "t_start"))) TRY(get_double(p, n, "simulation.t_start", &t0));
    yaml_node_t *te = lookup(p, m, "t_end"), *ns = lookup(p, m, "n_steps"),
                *ls = lookup(p, m, "log_steps"), *tl = lookup(p, m, "times");
    if ((ns != NULL) + (ls != NULL) + (tl != NULL) != 1)
        return err(p, m, "simulation", "give exactly one of n_steps, log_steps, times");
    if (tl && te)
        return err(p, te, "simulation.t_end", "not used with 'times' (the last time is the end)");
    TRY(tl ? parse_time_list(p, m, tl, t0) : parse_time_steps(p, m, t0));
    if ((n = lookup(p, m, "atol"))) {
        TRY(get_double(p, n, "simulation.atol", &c->solver.atol));
        if (c->solver.atol <= 0) return err(p, n, "simulation.atol", "must be > 0");
    }
    if ((n = lookup(p, m, "rtol"))) {
        TRY(get_double(p, n, "simulation.rtol", &c->solver.rtol));
        if (c->solver.rtol <= 0 || c->solver.rtol >= 1)
            return err(p, n, "simulation.rtol", "must be in (0, 1)");
    }
    if ((n = lookup(p, m, "max_steps")))
        TRY(get_long(p, n, "simulation.max_steps", 1, &c->solver.max_steps));
    if ((n = lookup(p, m, "solver"))) {
        const char *s = scalar(n);
        if (!s || ilnet_linsol_parse(&c->solver.linsol, s))
            return err(p, n, "simulation.solver", "expected auto, dense, klu or gmres, found %s",
                       s ? s : ilnet_yaml_kind(n));
    }
    return 0;
}

/* A step or readout time within round-off of an output time is that output time (a grid
 * t0 + i·dt rarely holds the decimal the user wrote). */
static double snap(const ilnet_config *c, double x)
{
    double tol = 1e-9 * (c->times[c->n_times - 1] - c->times[0]);
    size_t lo = 0, hi = c->n_times - 1;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (c->times[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    if (fabs(c->times[lo] - x) <= tol) return c->times[lo];
    if (fabs(c->times[hi] - x) <= tol) return c->times[hi];
    return x;
}

/* An output expression NAME = TEXT (the same name twice only with the same text). */
static int add_expression(P *p, const yaml_node_t *at, const char *path, const char *name,
                          const char *text)
{
    ilnet_config *c = p->c;
    for (int i = 0; i < c->n_expr; i++)
        if (!strcmp(c->expr_names[i], name))
            return strcmp(c->expr_texts[i], text)
                       ? err(p, at, path, "expression '%s' defined twice, differently", name)
                       : 0;
    size_t n = (size_t)c->n_expr + 1;
    char **nm = realloc(c->expr_names, n * sizeof *nm);
    if (nm) c->expr_names = nm;
    char **tx = realloc(c->expr_texts, n * sizeof *tx);
    if (tx) c->expr_texts = tx;
    ilnet_config_pos *ps = realloc(c->expr_pos, n * sizeof *ps);
    if (ps) c->expr_pos = ps;
    char **pa = realloc(c->expr_paths, n * sizeof *pa);
    if (pa) c->expr_paths = pa;
    if (!nm || !tx || !ps || !pa) return ilnet_error_oom();
    nm[c->n_expr] = strdup(name);
    tx[c->n_expr] = strdup(text);
    pa[c->n_expr] = strdup(path);
    if (!nm[c->n_expr] || !tx[c->n_expr] || !pa[c->n_expr]) {
        free(nm[c->n_expr]);
        free(tx[c->n_expr]);
        free(pa[c->n_expr]);
        return ilnet_error_oom();
    }
    ps[c->n_expr++] = pos_of(at);
    return 0;
}

static int parse_output(P *p, const yaml_node_t *m)
{
    static const char *const keys[] = {"file",        "observables", "species", "sensitivities",
                                       "compression", "expressions", NULL};
    ilnet_config *c = p->c;
    TRY(check_keys(p, m, "output", keys));
    yaml_node_t *n;
    if ((n = lookup(p, m, "file"))) {
        char *f = NULL;
        TRY(get_string(p, n, "output.file", &f));
        const char *bad = ilnet_file_non_hdf5_extension(f);
        if (bad) {
            int rc = err(p, n, "output.file",
                         "'%s' names a %s file: a study writes one HDF5 "
                         "file (e.g. %.*s.h5)",
                         f, bad, (int)(strlen(f) - strlen(bad)), f);
            free(f);
            return rc;
        }
        if (f[0] == '/') {
            c->output = f;
        } else {
            c->output = malloc(strlen(c->dir) + strlen(f) + 2);
            if (c->output) sprintf(c->output, "%s/%s", c->dir, f);
            free(f);
            if (!c->output) return ilnet_error_oom();
        }
    }
    if ((n = lookup(p, m, "observables"))) {
        c->all_observables = 0;
        TRY(get_names(p, n, "output.observables", &c->observables, &c->n_observables,
                      &c->observable_pos));
    }
    /* false, true or a list of names */
    if ((n = lookup(p, m, "species")) && !ilnet_yaml_is_boolean(n, &c->species_mode)) {
        if (n->type != YAML_SEQUENCE_NODE)
            return err(p, n, "output.species", "expected true, false or a list of species names");
        c->species_mode = 2;
        TRY(get_names(p, n, "output.species", &c->species, &c->n_species, &c->species_pos));
    }
    if ((n = lookup(p, m, "sensitivities")))
        TRY(get_names(p, n, "output.sensitivities", &c->sens, &c->n_sens, &c->sens_pos));
    if ((n = lookup(p, m, "expressions"))) {
        if (n->type != YAML_MAPPING_NODE)
            return err(p, n, "output.expressions", "expected a mapping NAME: EXPRESSION, found %s",
                       ilnet_yaml_kind(n));
        for (int q = 0; q < ilnet_yaml_pairs(n); q++) {
            yaml_node_t *k = ilnet_yaml_key(p->y, n, q), *v = ilnet_yaml_value(p->y, n, q);
            char kp[512];
            if (!scalar(k)) return err(p, k, "output.expressions", "names must be strings");
            sub(kp, sizeof kp, "output.expressions", scalar(k), 0);
            if (!scalar(v) || !*scalar(v)) return err(p, v, kp, "expected an expression");
            if (ilnet_series_expr_uses(scalar(v)))
                return err(p, v, kp,
                           "max_over_doses() and min_over_doses() are for dose-response "
                           "readouts (readout: {expression: ...}), not output expressions");
            TRY(add_expression(p, k, kp, scalar(k), scalar(v)));
        }
    }
    if ((n = lookup(p, m, "compression"))) {
        long lv;
        TRY(get_long(p, n, "output.compression", 0, &lv));
        if (lv > 9)
            return err(p, n, "output.compression", "deflate level must be 0-9, found %ld", lv);
        c->compression = (int)lv;
    }
    return 0;
}

static int parse_preequilibrate(P *p, const yaml_node_t *pe, const char *kp,
                                ilnet_config_protocol *pr)
{
    static const char *const pkeys[] = {"duration", "steady_state", "set", NULL};
    char sp[512];
    yaml_node_t *n;
    TRY(check_keys(p, pe, kp, pkeys));
    pr->has_preeq = 1;
    if ((n = lookup(p, pe, "steady_state"))) {
        sub(sp, sizeof sp, kp, "steady_state", 0);
        TRY(get_bool(p, n, sp, &pr->preeq_steady));
    }
    n = lookup(p, pe, "duration");
    if (pr->preeq_steady && n)
        return err(p, n, kp, "give either duration or steady_state: true, not both");
    if (!pr->preeq_steady && !n)
        return err(p, pe, kp, "duration (or steady_state: true) is required");
    if (n) {
        sub(sp, sizeof sp, kp, "duration", 0);
        TRY(get_double(p, n, sp, &pr->preeq_duration));
        if (pr->preeq_duration <= 0) return err(p, n, sp, "must be > 0");
    }
    if ((n = lookup(p, pe, "set"))) {
        sub(sp, sizeof sp, kp, "set", 0);
        TRY(get_assign(p, n, sp, &pr->preeq_set));
    }
    return 0;
}

/* Step i of a protocol at path ip, in time order after the steps before it. */
static int parse_step(P *p, const yaml_node_t *e, const char *ip, ilnet_config_protocol *pr, int i)
{
    static const char *const skeys[] = {"at", "set", "add", "name", NULL};
    ilnet_config_step *s = &pr->steps[i];
    char sp[512];
    yaml_node_t *n;
    TRY(check_keys(p, e, ip, skeys));
    s->pos = pos_of(e);
    if ((n = lookup(p, e, "name"))) {
        sub(sp, sizeof sp, ip, "name", 0);
        TRY(get_string(p, n, sp, &s->name));
        if (!*s->name) return err(p, n, sp, "expected a name");
        for (int k = 0; k < i; k++)
            if (pr->steps[k].name && !strcmp(pr->steps[k].name, s->name))
                return err(p, n, sp, "step name '%s' is taken by step %d", s->name, k);
    }
    if (!(n = lookup(p, e, "at"))) return err(p, e, ip, "'at' (the step's time) is required");
    sub(sp, sizeof sp, ip, "at", 0);
    TRY(get_double(p, n, sp, &s->at));
    s->at = snap(p->c, s->at);
    if (i > 0 && s->at < pr->steps[i - 1].at)
        return err(p, n, sp, "steps must be in time order (%g after %g)", s->at,
                   pr->steps[i - 1].at);
    s->pos = pos_of(n);
    if (!lookup(p, e, "set") && !lookup(p, e, "add"))
        return err(p, e, ip, "a step needs 'set' or 'add'");
    if ((n = lookup(p, e, "set"))) {
        sub(sp, sizeof sp, ip, "set", 0);
        TRY(get_assign(p, n, sp, &s->set));
    }
    if ((n = lookup(p, e, "add"))) {
        sub(sp, sizeof sp, ip, "add", 0);
        TRY(get_assign(p, n, sp, &s->add));
    }
    return 0;
}

static int parse_protocol(P *p, const yaml_node_t *m, const char *path, ilnet_config_protocol *pr)
{
    static const char *const keys[] = {"preequilibrate", "steps", NULL};
    TRY(check_keys(p, m, path, keys));
    char kp[512], ip[512];
    yaml_node_t *pe = lookup(p, m, "preequilibrate"), *st = lookup(p, m, "steps");
    if (pe) {
        sub(kp, sizeof kp, path, "preequilibrate", 0);
        TRY(parse_preequilibrate(p, pe, kp, pr));
    }
    if (st) {
        sub(kp, sizeof kp, path, "steps", 0);
        if (st->type != YAML_SEQUENCE_NODE)
            return err(p, st, kp, "expected a list of steps, found %s", ilnet_yaml_kind(st));
        int cnt = ilnet_yaml_items(st);
        if (!(pr->steps = calloc(cnt ? cnt : 1, sizeof *pr->steps))) return ilnet_error_oom();
        for (int i = 0; i < cnt; i++) {
            pr->n_steps = i + 1;
            sub(ip, sizeof ip, kp, NULL, i);
            TRY(parse_step(p, ilnet_yaml_item(p->y, st, i), ip, pr, i));
        }
    }
    return 0;
}

/* factor: [f1, f2, ...] */
static int get_factor_list(P *p, const yaml_node_t *n, const char *path,
                           ilnet_config_sweep_param *sp)
{
    if (!ilnet_yaml_items(n)) return err(p, n, path, "expected a non-empty list of factors");
    for (int i = 0; i < ilnet_yaml_items(n); i++) {
        char ip[600];
        double x;
        snprintf(ip, sizeof ip, "%s[%d]", path, i);
        TRY(get_double(p, ilnet_yaml_item(p->y, n, i), ip, &x));
        TRY(push_double(&sp->values, &sp->n_values, x));
    }
    return 0;
}

/* factor: {min, max, n, log} (keys checked by the caller): n factors from min to max, evenly
 * or log-spaced, as linspace/logspace give them */
static int get_factor_range(P *p, const yaml_node_t *m, const char *path,
                            ilnet_config_sweep_param *sp)
{
    yaml_node_t *lg = lookup(p, m, "log");
    int log = 0;
    if (lg) {
        char kp[600];
        sub(kp, sizeof kp, path, "log", 0);
        TRY(get_bool(p, lg, kp, &log));
    }
    return range_values(p, m, path, log, &sp->values, &sp->n_values);
}

static int parse_sweep_param(P *p, const yaml_node_t *m, const char *path, ilnet_design d,
                             ilnet_config_sweep_param *sp)
{
    static const char *const gkeys[] = {"name",     "species",  "step",   "values",
                                        "linspace", "logspace", "factor", NULL};
    static const char *const skeys[] = {"name", "species", "step",   "min",
                                        "max",  "log",     "factor", NULL};
    int sampled = d == ILNET_DESIGN_LHS || d == ILNET_DESIGN_SOBOL || d == ILNET_DESIGN_SALTELLI;
    TRY(check_keys(p, m, path, sampled ? skeys : gkeys));
    char kp[512];
    yaml_node_t *n = lookup(p, m, "name"), *spn = lookup(p, m, "species"),
                *stp = lookup(p, m, "step");
    sub(kp, sizeof kp, path, spn ? "species" : stp ? "step" : "name", 0);
    if ((n != NULL) + (spn != NULL) + (stp != NULL) != 1)
        return err(p, m, path, "needs name: PARAMETER, species: NAME or step: NAME (one of them)");
    yaml_node_t *what = spn ? spn : stp ? stp : n;
    TRY(get_string(p, what, kp, &sp->name));
    sp->is_species = spn != NULL;
    sp->is_step = stp != NULL;
    sp->pos = pos_of(what);
    if (!(sp->path = strdup(kp))) return ilnet_error_oom();
    /* factor: the same forms (a list, linspace, logspace; for sampled designs min, max, log)
     * under one key, relative to the value the point would have without the sweep */
    yaml_node_t *fac = lookup(p, m, "factor");
    if (fac) {
        sp->relative = 1;
        if (lookup(p, m, "values") || lookup(p, m, "linspace") || lookup(p, m, "logspace") ||
            lookup(p, m, "min") || lookup(p, m, "max") || lookup(p, m, "log"))
            return err(p, fac, path,
                       "factor replaces values, linspace, logspace, min, max and log");
        sub(kp, sizeof kp, path, "factor", 0);
        if (fac->type == YAML_SEQUENCE_NODE) {
            if (sampled) return err(p, fac, kp, "a sampled design needs factor: {min, max, log}");
            yaml_node_t *tmp = fac;
            return get_factor_list(p, tmp, kp, sp);
        }
        m = fac, path = kp;
        TRY(check_keys(p, m, path,
                       sampled ? (const char *const[]){"min", "max", "log", NULL}
                               : (const char *const[]){"min", "max", "n", "log", NULL}));
        if (!sampled) return get_factor_range(p, m, path, sp);
    }
    if (!sampled) {
        int found;
        TRY(get_value_list(p, m, path, &sp->values, &sp->n_values, &found));
        if (!found) return err(p, m, path, "needs values, linspace, logspace or factor");
        return 0;
    }
    yaml_node_t *a = lookup(p, m, "min"), *b = lookup(p, m, "max"), *lg = lookup(p, m, "log");
    if (!a || !b) return err(p, m, path, "a sampled design needs min and max");
    sub(kp, sizeof kp, path, "min", 0);
    TRY(get_double(p, a, kp, &sp->min));
    sub(kp, sizeof kp, path, "max", 0);
    TRY(get_double(p, b, kp, &sp->max));
    if (sp->max <= sp->min) return err(p, b, kp, "max must be greater than min");
    if (lg) {
        sub(kp, sizeof kp, path, "log", 0);
        TRY(get_bool(p, lg, kp, &sp->log));
        if (sp->log && sp->min <= 0) {
            sub(kp, sizeof kp, path, "min", 0);
            return err(p, a, kp, "log: true needs min > 0");
        }
    }
    return 0;
}

static int parse_series(P *p, const yaml_node_t *m, const char *path, ilnet_config_series *s)
{
    static const char *const keys[] = {"name", "preset", "parameters", NULL};
    TRY(check_keys(p, m, path, keys));
    char kp[512];
    yaml_node_t *n = lookup(p, m, "name");
    sub(kp, sizeof kp, path, "name", 0);
    if (!n) return err(p, m, kp, "required");
    TRY(get_string(p, n, kp, &s->name));
    s->pos = pos_of(n);
    if ((n = lookup(p, m, "preset"))) {
        sub(kp, sizeof kp, path, "preset", 0);
        TRY(get_names(p, n, kp, &s->presets, &s->n_presets, &s->preset_pos));
    }
    if ((n = lookup(p, m, "parameters"))) {
        sub(kp, sizeof kp, path, "parameters", 0);
        TRY(get_assign(p, n, kp, &s->params));
    }
    return 0;
}

/* dose: {parameter | species: NAME} and doses: a list or {values | linspace | logspace}. */
static int parse_doses(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    static const char *const dkeys[] = {"parameter", "species", NULL};
    static const char *const lkeys[] = {"values", "linspace", "logspace", NULL};
    char kp[512], sp[512];
    yaml_node_t *d = lookup(p, m, "dose"), *ds = lookup(p, m, "doses");
    sub(kp, sizeof kp, path, "dose", 0);
    if (!d) return err(p, m, kp, "required ({parameter: NAME} or {species: NAME})");
    TRY(check_keys(p, d, kp, dkeys));
    yaml_node_t *dp = lookup(p, d, "parameter"), *dsp = lookup(p, d, "species");
    if ((dp != NULL) == (dsp != NULL)) return err(p, d, kp, "give one of parameter, species");
    sub(sp, sizeof sp, kp, dp ? "parameter" : "species", 0);
    TRY(get_string(p, dp ? dp : dsp, sp, &e->dose_name));
    e->dose_is_species = dsp != NULL;
    e->dose_pos = pos_of(dp ? dp : dsp);
    sub(kp, sizeof kp, path, "doses", 0);
    if (!ds) return err(p, m, kp, "required (a list, or {logspace: {min, max, n}})");
    if (ds->type == YAML_SEQUENCE_NODE) {
        if (!ilnet_yaml_items(ds)) return err(p, ds, kp, "empty list");
        TRY(get_numbers(p, ds, kp, &e->doses, &e->n_doses));
    } else {
        int found;
        TRY(check_keys(p, ds, kp, lkeys));
        TRY(get_value_list(p, ds, kp, &e->doses, &e->n_doses, &found));
        if (!found) return err(p, ds, kp, "needs values, linspace or logspace");
    }
    for (int i = 0; i < e->n_doses; i++)
        if (e->doses[i] < 0)
            return err(p, ds, kp, "doses must be >= 0 (dose %d is %g)", i, e->doses[i]);
    return 0;
}

/* The readout's source: observable:, expression:, or a readout call of that name
 * (model/readout.h: species:, molecules:, flux:, concentration:); *which gets the key. */
static yaml_node_t *readout_source(P *p, const yaml_node_t *r, const char **which)
{
    static const char *const kinds[] = {"observable", "expression",    "species", "molecules",
                                        "flux",       "concentration", NULL};
    yaml_node_t *found = NULL;
    int n = 0;
    *which = NULL;
    for (int k = 0; kinds[k]; k++) {
        yaml_node_t *x = lookup(p, r, kinds[k]);
        if (!x) continue;
        if (!n++) {
            found = x;
            *which = kinds[k];
        }
    }
    if (n > 1) *which = NULL;
    return n == 1 ? found : NULL;
}

/* A readout aggregating over the series' doses (series_expr.h): its operands become output
 * expressions named "(OPERAND)". */
static int readout_over_doses(P *p, yaml_node_t *x, const char *sp, const char *text,
                              ilnet_config_readout *o)
{
    if (!(o->series = calloc(1, sizeof *o->series))) return ilnet_error_oom();
    ilnet_expr *f = NULL;
    int rc = ilnet_series_expr_split(o->series, text);
    if (!rc) rc = ilnet_series_expr_compile(&f, o->series);
    ilnet_expr_free(f);
    if (rc == ILNET_ENOMEM) return rc;
    if (rc) {
        /* the parser quotes the skeleton (operands as __v0...): the user's text says more */
        char msg[400], *tail;
        ilnet_series_expr_unskeleton(msg, sizeof msg, ilnet_error_last(), o->series);
        if ((tail = strstr(msg, " in expression '"))) *tail = 0;
        return err(p, x, sp, "in '%s': %s", text, msg);
    }
    for (int j = 0; j < o->series->n_operands; j++) {
        char *col = ilnet_series_operand_column(o->series->operands[j]);
        int rc = col ? add_expression(p, x, sp, col, o->series->operands[j]) : ilnet_error_oom();
        free(col);
        TRY(rc);
    }
    return 0;
}

/* A readout given as an expression (expression: TEXT or a readout call such as
 * species: X): an output expression named by name:, or by its own text. */
static int readout_expression(P *p, const yaml_node_t *r, const char *kp, const char *which,
                              yaml_node_t *x, ilnet_config_readout *o)
{
    char sp[600], text[1200];
    yaml_node_t *nm = lookup(p, r, "name");
    sub(sp, sizeof sp, kp, which, 0);
    if (!scalar(x) || !*scalar(x))
        return err(p, x, sp, "expected %s",
                   strcmp(which, "expression") ? "a name" : "an expression");
    if (nm && (!scalar(nm) || !*scalar(nm))) return err(p, nm, kp, "name: expected a name");
    if (strcmp(which, "expression"))
        snprintf(text, sizeof text, "%s(%s)", which, scalar(x));
    else
        snprintf(text, sizeof text, "%s", scalar(x));
    const char *name = nm ? scalar(nm) : text;
    if (ilnet_series_expr_uses(text))
        TRY(readout_over_doses(p, x, sp, text, o));
    else
        TRY(add_expression(p, x, sp, name, text));
    if (!(o->column = strdup(name))) return ilnet_error_oom();
    o->pos = pos_of(nm ? nm : x);
    return 0;
}

/* One readout {observable | expression [, name] | species | molecules | flux |
 * concentration [, name], times, peak, integral, normalise}; all but an observable become
 * output expressions. */
static int parse_one_readout(P *p, const yaml_node_t *r, const char *kp, ilnet_config_readout *o)
{
    static const char *const rkeys[] = {"observable", "expression",    "species",   "molecules",
                                        "flux",       "concentration", "name",      "times",
                                        "peak",       "integral",      "normalise", NULL};
    const ilnet_config *c = p->c;
    char sp[600];
    const char *which;
    yaml_node_t *n, *x;
    TRY(check_keys(p, r, kp, rkeys));
    if (!(x = readout_source(p, r, &which)))
        return err(p, r, kp,
                   "needs one of observable: NAME, expression: TEXT, species: NAME|PATTERN, "
                   "molecules: PATTERN, flux: REACTION, concentration: SPECIES");
    if (strcmp(which, "observable")) {
        TRY(readout_expression(p, r, kp, which, x, o));
    } else {
        if (lookup(p, r, "name")) return err(p, r, kp, "name: is not for observable readouts");
        sub(sp, sizeof sp, kp, "observable", 0);
        TRY(get_string(p, x, sp, &o->column));
        o->pos = pos_of(x);
    }
    if ((n = lookup(p, r, "times"))) {
        sub(sp, sizeof sp, kp, "times", 0);
        if (!ilnet_yaml_items(n)) return err(p, n, sp, "expected a non-empty list of times");
        for (int i = 0; i < ilnet_yaml_items(n); i++) {
            yaml_node_t *it = ilnet_yaml_item(p->y, n, i);
            double t;
            char ip[700];
            snprintf(ip, sizeof ip, "%s[%d]", sp, i);
            TRY(get_double(p, it, ip, &t));
            t = snap(c, t);
            if (t < c->times[0] || t > c->times[c->n_times - 1])
                return err(p, it, ip, "time %g is outside the simulated interval [%g, %g]", t,
                           c->times[0], c->times[c->n_times - 1]);
            TRY(push_double(&o->times, &o->n_times, t));
        }
    }
    if ((n = lookup(p, r, "peak"))) {
        sub(sp, sizeof sp, kp, "peak", 0);
        TRY(get_bool(p, n, sp, &o->peak));
    }
    if ((n = lookup(p, r, "integral"))) {
        sub(sp, sizeof sp, kp, "integral", 0);
        TRY(get_bool(p, n, sp, &o->integral));
    }
    if (!o->n_times && !o->peak && !o->integral)
        return err(p, r, kp, "needs times, peak: true or integral: true");
    if ((n = lookup(p, r, "normalise"))) {
        sub(sp, sizeof sp, kp, "normalise", 0);
        const char *v = scalar(n);
        if (v && !strcmp(v, "max"))
            o->normalise = ILNET_NORMALISE_MAX;
        else if (v && !strcmp(v, "range"))
            o->normalise = ILNET_NORMALISE_RANGE;
        else if (!v || strcmp(v, "none"))
            return err(p, n, sp,
                       "expected none, max (value / the series' maximum) or range "
                       "((value - min) / (max - min)), found '%s'",
                       v ? v : ilnet_yaml_kind(n));
    }
    return 0;
}

/* readout: one readout mapping, or a list of them. */
static int parse_readout(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    char kp[512], ip[600];
    yaml_node_t *r = lookup(p, m, "readout");
    sub(kp, sizeof kp, path, "readout", 0);
    if (!r)
        return err(p, m, kp,
                   "required ({observable: NAME, times: [...], peak, integral}, or a list)");
    int list = r->type == YAML_SEQUENCE_NODE, n = list ? ilnet_yaml_items(r) : 1;
    if (!n) return err(p, r, kp, "expected a non-empty list of readouts");
    if (!(e->readouts = calloc((size_t)n, sizeof *e->readouts))) return ilnet_error_oom();
    for (int i = 0; i < n; i++) {
        e->n_readouts = i + 1;
        sub(ip, sizeof ip, kp, NULL, list ? i : -1);
        TRY(parse_one_readout(p, list ? ilnet_yaml_item(p->y, r, i) : r, list ? ip : kp,
                              &e->readouts[i]));
    }
    return 0;
}

/* series: a list of {name, preset, parameters}; without it, one series "default". */
static int parse_series_list(P *p, const yaml_node_t *m, const char *path,
                             ilnet_config_experiment *e)
{
    char kp[512], sp[512];
    yaml_node_t *n = lookup(p, m, "series");
    if (!n) {
        if (!(e->series = calloc(1, sizeof *e->series)) || !(e->series[0].name = strdup("default")))
            return ilnet_error_oom();
        e->n_series = 1;
        e->series[0].pos = pos_of(m);
        return 0;
    }
    sub(kp, sizeof kp, path, "series", 0);
    int cnt = ilnet_yaml_items(n);
    if (!cnt) return err(p, n, kp, "expected a non-empty list of series");
    if (!(e->series = calloc(cnt, sizeof *e->series))) return ilnet_error_oom();
    for (int i = 0; i < cnt; i++) {
        e->n_series = i + 1;
        sub(sp, sizeof sp, kp, NULL, i);
        TRY(parse_series(p, ilnet_yaml_item(p->y, n, i), sp, &e->series[i]));
        for (int j = 0; j < i; j++)
            if (!strcmp(e->series[j].name, e->series[i].name)) {
                char np[600];
                snprintf(np, sizeof np, "%s.name", sp);
                return ilnet_config_error(p->c, e->series[i].pos, np, "series name '%s' used twice",
                                          e->series[i].name);
            }
    }
    return 0;
}

static int parse_dose(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    TRY(parse_doses(p, m, path, e));
    TRY(parse_readout(p, m, path, e));
    return parse_series_list(p, m, path, e);
}

static int parse_design(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    char kp[512];
    yaml_node_t *n = lookup(p, m, "design");
    e->design = ILNET_DESIGN_GRID;
    if (!n) return 0;
    const char *ds = scalar(n);
    sub(kp, sizeof kp, path, "design", 0);
    if (ds && !strcmp(ds, "grid"))
        e->design = ILNET_DESIGN_GRID;
    else if (ds && !strcmp(ds, "zip"))
        e->design = ILNET_DESIGN_ZIP;
    else if (ds && !strcmp(ds, "lhs"))
        e->design = ILNET_DESIGN_LHS;
    else if (ds && !strcmp(ds, "sobol"))
        e->design = ILNET_DESIGN_SOBOL;
    else if (ds && !strcmp(ds, "saltelli"))
        e->design = ILNET_DESIGN_SALTELLI;
    else if (ds && !strcmp(ds, "file"))
        e->design = ILNET_DESIGN_FILE;
    else
        return err(p, n, kp, "unknown design '%s' (expected grid, zip, lhs, sobol, saltelli, file)",
                   ds ? ds : ilnet_yaml_kind(n));
    return 0;
}

/* The sampled designs' n and (lhs) seed. */
static int parse_samples(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    char kp[512];
    static const char *const names[] = {"grid", "zip", "lhs", "sobol", "saltelli", "file"};
    int sampled = e->design == ILNET_DESIGN_LHS || e->design == ILNET_DESIGN_SOBOL ||
                  e->design == ILNET_DESIGN_SALTELLI;
    yaml_node_t *nn = lookup(p, m, "n"), *sd = lookup(p, m, "seed");
    e->seed = 1;
    sub(kp, sizeof kp, path, "n", 0);
    if (sampled && !nn) return err(p, m, kp, "required for design %s", names[e->design]);
    if (!sampled && nn) return err(p, nn, kp, "only for designs lhs, sobol and saltelli");
    if (nn) {
        TRY(get_long(p, nn, kp, 1, &e->n_samples));
        if (e->n_samples > 100000000) return err(p, nn, kp, "at most 1e8 points");
    }
    sub(kp, sizeof kp, path, "seed", 0);
    if (sd && e->design != ILNET_DESIGN_LHS && e->design != ILNET_DESIGN_SALTELLI)
        return err(p, sd, kp, "only for designs lhs and saltelli");
    if (sd) {
        long s;
        TRY(get_long(p, sd, kp, 0, &s));
        e->seed = (unsigned long)s;
    }
    return 0;
}

/* design: file: a CSV (.csv) or tab-separated table whose header names the swept
 * quantities (parameters, or "species:NAME" for initial amounts) and whose rows are the
 * points, in order. */
static int parse_design_file(P *p, const yaml_node_t *fn, const char *kp,
                             ilnet_config_experiment *e)
{
    char *f = NULL;
    TRY(get_string(p, fn, kp, &f));
    char *full = f[0] == '/' ? f : malloc(strlen(p->c->dir) + strlen(f) + 2);
    if (!full) {
        free(f);
        return ilnet_error_oom();
    }
    if (full != f) sprintf(full, "%s/%s", p->c->dir, f);
    size_t len = strlen(full);
    ilnet_tsv t;
    int rc =
        ilnet_tsv_read_sep(&t, full, len > 4 && !strcasecmp(full + len - 4, ".csv") ? ',' : '\t');
    if (full != f) free(full);
    free(f);
    if (rc) {
        ilnet_error_prefix("%s:%d:%d: %s", p->c->path, ilnet_yaml_line(fn), ilnet_yaml_col(fn), kp);
        return rc;
    }
    if (!t.n_rows) rc = ilnet_error_set(ILNET_EINPUT, "%s: no points (a header row only)", t.path);
    if (!rc && !(e->sweep = calloc(t.n_cols, sizeof *e->sweep))) rc = ilnet_error_oom();
    for (size_t c = 0; !rc && c < t.n_cols; c++) {
        ilnet_config_sweep_param *sp = &e->sweep[c];
        e->n_sweep = (int)c + 1;
        const char *h = t.header[c];
        sp->is_species = !strncmp(h, "species:", 8);
        sp->is_step = !strncmp(h, "step:", 5);
        sp->pos = pos_of(fn);
        sp->name = strdup(sp->is_species ? h + 8 : sp->is_step ? h + 5 : h);
        char pp[700];
        snprintf(pp, sizeof pp, "%s (column '%s')", kp, h);
        sp->path = strdup(pp);
        if (!sp->name || !sp->path) {
            rc = ilnet_error_oom();
            break;
        }
        if (!*sp->name) {
            rc = ilnet_error_set(ILNET_EINPUT, "%s:1: column %zu has no name", t.path, c + 1);
            break;
        }
        for (size_t r = 0; !rc && r < t.n_rows; r++) {
            const char *cell = ilnet_tsv_cell(&t, r, (int)c);
            char *end;
            double x = strtod(cell, &end);
            if (end == cell || *end || !isfinite(x))
                rc = ilnet_error_set(ILNET_EINPUT, "%s:%d: column '%s': '%s' is not a number",
                                     t.path, t.line[r], h, cell);
            else
                rc = push_double(&sp->values, &sp->n_values, x);
        }
    }
    ilnet_tsv_free(&t);
    return rc;
}

/* A sweep's design and its swept parameters v, the list under key swept_key (NULL when
 * missing). */
static int parse_sweep(P *p, const yaml_node_t *m, const char *path, const yaml_node_t *v,
                       const char *swept_key, ilnet_config_experiment *e)
{
    char kp[512];
    TRY(parse_design(p, m, path, e));
    TRY(parse_samples(p, m, path, e));
    yaml_node_t *fn = lookup(p, m, "file");
    sub(kp, sizeof kp, path, "file", 0);
    if (fn && e->design != ILNET_DESIGN_FILE) return err(p, fn, kp, "only for design: file");
    if (e->design == ILNET_DESIGN_FILE) {
        if (!fn) return err(p, m, kp, "required for design: file (a CSV or TSV of the points)");
        if (v)
            return err(p, v, path,
                       "design: file takes its swept quantities from the file's header");
        return parse_design_file(p, fn, kp, e);
    }
    sub(kp, sizeof kp, path, swept_key, 0);
    if (!v) return err(p, m, kp, "required: the list of swept parameters");
    int cnt = ilnet_yaml_items(v);
    if (!cnt) return err(p, v, kp, "expected a non-empty list of parameters");
    if (e->design == ILNET_DESIGN_SOBOL && cnt > 40)
        return err(p, v, kp, "sobol designs take at most 40 parameters");
    if (e->design == ILNET_DESIGN_SALTELLI && cnt > 20)
        return err(p, v, kp,
                   "saltelli designs take at most 20 parameters (2 x 20 Sobol dimensions)");
    if (!(e->sweep = calloc(cnt, sizeof *e->sweep))) return ilnet_error_oom();
    double total = 1;
    for (int i = 0; i < cnt; i++) {
        ilnet_config_sweep_param *s = &e->sweep[i];
        char ip[512];
        e->n_sweep = i + 1;
        sub(ip, sizeof ip, kp, NULL, i);
        TRY(parse_sweep_param(p, ilnet_yaml_item(p->y, v, i), ip, e->design, s));
        for (int j = 0; j < i; j++)
            if (!strcmp(e->sweep[j].name, s->name))
                return ilnet_config_error(p->c, s->pos, s->path, "parameter '%s' swept twice",
                                          s->name);
        if (e->design == ILNET_DESIGN_ZIP && s->n_values != e->sweep[0].n_values)
            return ilnet_config_error(p->c, s->pos, s->path,
                                      "zip needs equal lengths: %d values here, %d in %s",
                                      s->n_values, e->sweep[0].n_values, e->sweep[0].path);
        total *= e->design == ILNET_DESIGN_GRID ? s->n_values : 1;
    }
    if (total > 1e8) return err(p, v, kp, "the grid has %.3g points (at most 1e8)", total);
    return 0;
}

/* An experiment's protocol at path kp; its steps must lie in the simulated interval. */
static int parse_exp_protocol(P *p, const yaml_node_t *n, const char *kp,
                              ilnet_config_experiment *e)
{
    TRY(parse_protocol(p, n, kp, &e->protocol));
    double t0 = p->c->times[0], t1 = p->c->times[p->c->n_times - 1];
    for (int i = 0; i < e->protocol.n_steps; i++)
        if (e->protocol.steps[i].at < t0 || e->protocol.steps[i].at > t1) {
            char sp[600];
            snprintf(sp, sizeof sp, "%s.steps[%d].at", kp, i);
            return ilnet_config_error(p->c, e->protocol.steps[i].pos, sp,
                                      "time %g is outside the simulated interval [%g, %g]",
                                      e->protocol.steps[i].at, t0, t1);
        }
    return 0;
}

static int parse_exp_type(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    char kp[512];
    yaml_node_t *t = lookup(p, m, "type");
    sub(kp, sizeof kp, path, "type", 0);
    if (!t) return err(p, m, kp, "required (timecourse, sweep, dose_response or fit)");
    const char *ts = scalar(t);
    if (ts && !strcmp(ts, "timecourse"))
        e->type = ILNET_EXP_TIMECOURSE;
    else if (ts && !strcmp(ts, "sweep"))
        e->type = ILNET_EXP_SWEEP;
    else if (ts && !strcmp(ts, "dose_response"))
        e->type = ILNET_EXP_DOSE;
    else
        return err(p, t, kp,
                   "unknown experiment type '%s' (expected timecourse, sweep, dose_response, fit)",
                   ts ? ts : ilnet_yaml_kind(t));
    return 0;
}

/* An experiment's name is not taken by an earlier one (a simulation or a fit). */
static int name_unique(P *p, const yaml_node_t *n, const char *kp, const char *name)
{
    const ilnet_config *c = p->c;
    for (int j = 0; j < c->n_experiments; j++)
        if (c->experiments[j].name && c->experiments[j].name != name &&
            !strcmp(c->experiments[j].name, name))
            return err(p, n, kp, "experiment name '%s' used twice (also %s)", name,
                       c->experiments[j].path);
    for (int j = 0; j < c->n_fits; j++)
        if (c->fits[j].name && c->fits[j].name != name && !strcmp(c->fits[j].name, name))
            return err(p, n, kp, "experiment name '%s' used twice (also %s)", name,
                       c->fits[j].path);
    return 0;
}

/* Experiment index's name: letters, digits, '_' and '-', unique. */
static int get_exp_name(P *p, const yaml_node_t *m, const char *path, char **name)
{
    char kp[512];
    yaml_node_t *n;
    sub(kp, sizeof kp, path, "name", 0);
    if (!(n = lookup(p, m, "name"))) return err(p, m, kp, "required");
    TRY(get_string(p, n, kp, name));
    for (const char *s = *name; *s; s++)
        if (!(*s == '_' || *s == '-' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return err(p, n, kp, "'%s': names are letters, digits, '_' and '-'", *name);
    return name_unique(p, n, kp, *name);
}

static int parse_exp_name(P *p, const yaml_node_t *m, const char *path, int index,
                          ilnet_config_experiment *e)
{
    (void)index;
    return get_exp_name(p, m, path, &e->name);
}

static int parse_experiment(P *p, const yaml_node_t *m, int index, ilnet_config_experiment *e)
{
    static const char *const common[] = {"name", "type", "preset", "parameters", "protocol", NULL};
    static const char *const sweep[] = {"name",     "type",   "preset", "parameters",
                                        "protocol", "design", "vary",   "n",
                                        "seed",     "file",   NULL};
    static const char *const dose[] = {"name", "type",  "preset",  "parameters", "protocol",
                                       "dose", "doses", "readout", "series",     NULL};
    char path[64], kp[512];
    snprintf(path, sizeof path, "experiments[%d]", index);
    if (!(e->path = strdup(path))) return ilnet_error_oom();
    e->pos = pos_of(m);
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, path, "expected a mapping, found %s", ilnet_yaml_kind(m));
    TRY(parse_exp_type(p, m, path, e));
    TRY(check_keys(p, m, path,
                   e->type == ILNET_EXP_SWEEP  ? sweep
                   : e->type == ILNET_EXP_DOSE ? dose
                                               : common));
    TRY(parse_exp_name(p, m, path, index, e));
    yaml_node_t *n;
    if ((n = lookup(p, m, "preset"))) {
        sub(kp, sizeof kp, path, "preset", 0);
        TRY(get_names(p, n, kp, &e->presets, &e->n_presets, &e->preset_pos));
    }
    /* In a sweep, a list under 'parameters' is the swept parameters (same as 'vary'). */
    yaml_node_t *swept = lookup(p, m, "vary");
    const char *swept_key = "vary";
    if ((n = lookup(p, m, "parameters"))) {
        sub(kp, sizeof kp, path, "parameters", 0);
        if (e->type == ILNET_EXP_SWEEP && n->type == YAML_SEQUENCE_NODE) {
            if (swept) return err(p, n, kp, "the swept parameters are given twice (also 'vary')");
            swept = n;
            swept_key = "parameters";
        } else {
            TRY(get_assign(p, n, kp, &e->params));
        }
    }
    if ((n = lookup(p, m, "protocol"))) {
        sub(kp, sizeof kp, path, "protocol", 0);
        TRY(parse_exp_protocol(p, n, kp, e));
    }
    if (e->type == ILNET_EXP_SWEEP) return parse_sweep(p, m, path, swept, swept_key, e);
    if (e->type == ILNET_EXP_DOSE) return parse_dose(p, m, path, e);
    return 0;
}

static char *join(const char *dir, const char *f)
{
    if (f[0] == '/') return strdup(f);
    char *r = malloc(strlen(dir) + strlen(f) + 2);
    if (r) sprintf(r, "%s/%s", dir, f);
    return r;
}

/* profile: all, or a list of estimated parameter ids (joined by commas for ilnet fit) */
static int parse_fit_profile(P *p, const yaml_node_t *n, const char *kp, ilnet_config_fit *f)
{
    char **ids = NULL;
    int k = 0;
    ilnet_config_pos *pos = NULL;
    int rc = get_names(p, n, kp, &ids, &k, &pos);
    size_t len = 1;
    for (int i = 0; !rc && i < k; i++)
        len += strlen(ids[i]) + 1;
    if (!rc && !(f->profile = calloc(len, 1))) rc = ilnet_error_oom();
    for (int i = 0; !rc && i < k; i++) {
        if (i) strcat(f->profile, ",");
        strcat(f->profile, ids[i]);
    }
    for (int i = 0; ids && i < k; i++)
        free(ids[i]);
    free(ids);
    free(pos);
    return rc;
}

/* A fit: {name, type: fit, problem, starts, seed, optimizer, max_iter, profile,
 * profile_points, hierarchical, include_nominal, atol, rtol, gradient} */
static int parse_fit(P *p, const yaml_node_t *m, int index, ilnet_config_fit *f)
{
    static const char *const keys[] = {
        "name",      "type",         "problem",         "starts",         "seed",
        "optimizer", "max_iter",     "profile",         "profile_points", "atol",
        "rtol",      "hierarchical", "include_nominal", "gradient",       NULL};
    static const char *const longs[] = {"starts", "seed", "max_iter", "profile_points"};
    long *lv[] = {&f->starts, &f->seed, &f->max_iter, &f->profile_points};
    char path[64], kp[512];
    yaml_node_t *n;
    snprintf(path, sizeof path, "experiments[%d]", index);
    if (!(f->path = strdup(path))) return ilnet_error_oom();
    f->pos = pos_of(m);
    TRY(check_keys(p, m, path, keys));
    TRY(get_exp_name(p, m, path, &f->name));
    sub(kp, sizeof kp, path, "problem", 0);
    if (!(n = lookup(p, m, "problem"))) return err(p, m, kp, "required: a PEtab problem (.yaml)");
    char *rel = NULL;
    TRY(get_string(p, n, kp, &rel));
    f->problem = join(p->c->dir, rel);
    free(rel);
    if (!f->problem) return ilnet_error_oom();
    f->problem_pos = pos_of(n);
    FILE *fp = fopen(f->problem, "r");
    if (!fp) return err(p, n, kp, "cannot open '%s': %s", f->problem, strerror(errno));
    fclose(fp);
    for (int i = 0; i < 4; i++)
        if ((n = lookup(p, m, longs[i]))) {
            sub(kp, sizeof kp, path, longs[i], 0);
            TRY(get_long(p, n, kp, 1, lv[i]));
        }
    if ((n = lookup(p, m, "optimizer"))) {
        sub(kp, sizeof kp, path, "optimizer", 0);
        TRY(get_string(p, n, kp, &f->optimizer));
        if (strcmp(f->optimizer, "auto") && strcmp(f->optimizer, "lbfgs") &&
            strcmp(f->optimizer, "ls-trust"))
            return err(p, n, kp, "unknown optimizer '%s' (expected auto, lbfgs or ls-trust)",
                       f->optimizer);
    }
    if ((n = lookup(p, m, "gradient"))) {
        sub(kp, sizeof kp, path, "gradient", 0);
        TRY(get_string(p, n, kp, &f->gradient));
        if (strcmp(f->gradient, "auto") && strcmp(f->gradient, "forward") &&
            strcmp(f->gradient, "adjoint"))
            return err(p, n, kp, "unknown gradient '%s' (expected auto, forward or adjoint)",
                       f->gradient);
    }
    if ((n = lookup(p, m, "profile"))) {
        sub(kp, sizeof kp, path, "profile", 0);
        TRY(parse_fit_profile(p, n, kp, f));
    }
    if ((n = lookup(p, m, "hierarchical"))) {
        sub(kp, sizeof kp, path, "hierarchical", 0);
        int on = 0;
        TRY(get_bool(p, n, kp, &on));
        f->hierarchical = on ? 1 : -1;
    }
    if ((n = lookup(p, m, "include_nominal"))) {
        sub(kp, sizeof kp, path, "include_nominal", 0);
        TRY(get_bool(p, n, kp, &f->include_nominal));
    }
    const char *tol[] = {"atol", "rtol"};
    double *tv[] = {&f->atol, &f->rtol};
    for (int i = 0; i < 2; i++)
        if ((n = lookup(p, m, tol[i]))) {
            sub(kp, sizeof kp, path, tol[i], 0);
            TRY(get_double(p, n, kp, tv[i]));
            if (!(*tv[i] > 0))
                return err(p, n, kp, "expected a positive tolerance, found %g", *tv[i]);
        }
    return 0;
}

/* c->model from c->model_arg (node n): a built-in name or a path from the config's
 * directory. */
static int resolve_model(P *p, const yaml_node_t *n)
{
    ilnet_config *c = p->c;
    if (ilnet_is_builtin_name(c->model_arg)) {
        /* the models of this build or install tree (common/paths.h) */
        if (!(c->model = ilnet_builtin_model(c->model_arg))) {
            if (ilnet_error_code() == ILNET_ENOMEM) return ILNET_ENOMEM;
            return err(p, n, "model", "%s", ilnet_error_last());
        }
    } else {
        c->model = join(c->dir, c->model_arg);
        if (!c->model) return ilnet_error_oom();
        FILE *f = fopen(c->model, "r");
        if (!f) return err(p, n, "model", "cannot open '%s': %s", c->model, strerror(errno));
        fclose(f);
    }
    if (!c->model) return ilnet_error_oom();
    return 0;
}

static int parse_presets_file(P *p, const yaml_node_t *n)
{
    ilnet_config *c = p->c;
    char *f = NULL;
    TRY(get_string(p, n, "presets_file", &f));
    c->presets_file = join(c->dir, f);
    free(f);
    if (!c->presets_file) return ilnet_error_oom();
    FILE *fp = fopen(c->presets_file, "r");
    if (!fp)
        return err(p, n, "presets_file", "cannot open '%s': %s", c->presets_file, strerror(errno));
    fclose(fp);
    return 0;
}

/* CONFIG.yaml -> CONFIG.h5 beside it */
static int default_output(ilnet_config *c)
{
    const char *dot = strrchr(c->path, '.'), *sl = strrchr(c->path, '/');
    size_t len = dot && (!sl || dot > sl) ? (size_t)(dot - c->path) : strlen(c->path);
    if (!(c->output = malloc(len + 4))) return ilnet_error_oom();
    memcpy(c->output, c->path, len);
    strcpy(c->output + len, ".h5");
    return 0;
}

static int parse_experiments(P *p, const yaml_node_t *root)
{
    ilnet_config *c = p->c;
    yaml_node_t *n;
    if (!(n = lookup(p, root, "experiments")))
        return err(p, root, "experiments", "required: a list of experiments");
    int cnt = ilnet_yaml_items(n);
    if (!cnt)
        return err(p, n, "experiments", "expected a non-empty list, found %s", ilnet_yaml_kind(n));
    c->experiments = calloc(cnt, sizeof *c->experiments);
    c->fits = calloc(cnt, sizeof *c->fits);
    if (!c->experiments || !c->fits) return ilnet_error_oom();
    for (int i = 0; i < cnt; i++) {
        yaml_node_t *m = ilnet_yaml_item(p->y, n, i);
        yaml_node_t *t = m && m->type == YAML_MAPPING_NODE ? lookup(p, m, "type") : NULL;
        if (t && scalar(t) && !strcmp(scalar(t), "fit")) {
            c->n_fits++;
            TRY(parse_fit(p, m, i, &c->fits[c->n_fits - 1]));
        } else {
            c->n_experiments++;
            TRY(parse_experiment(p, m, i, &c->experiments[c->n_experiments - 1]));
        }
    }
    if (!c->n_experiments)
        return err(p, n, "experiments",
                   "a study needs a timecourse, sweep or dose_response besides its fits (to fit "
                   "alone: ilnet fit PROBLEM.yaml)");
    return 0;
}

/* units: a mapping of time and quantity names to unit strings */
static int parse_units(P *p, const yaml_node_t *m)
{
    ilnet_config *c = p->c;
    if (m->type != YAML_MAPPING_NODE)
        return err(p, m, "units", "expected a mapping NAME: UNIT, found %s", ilnet_yaml_kind(m));
    int n = ilnet_yaml_pairs(m);
    c->unit_names = calloc((size_t)n + 1, sizeof *c->unit_names);
    c->unit_texts = calloc((size_t)n + 1, sizeof *c->unit_texts);
    c->unit_pos = calloc((size_t)n + 1, sizeof *c->unit_pos);
    if (!c->unit_names || !c->unit_texts || !c->unit_pos) return ilnet_error_oom();
    for (int q = 0; q < n; q++) {
        yaml_node_t *k = ilnet_yaml_key(p->y, m, q), *v = ilnet_yaml_value(p->y, m, q);
        char kp[512];
        if (!scalar(k)) return err(p, k, "units", "names must be strings");
        sub(kp, sizeof kp, "units", scalar(k), 0);
        if (!scalar(v)) return err(p, v, kp, "expected a unit (a string)");
        if (!strcmp(scalar(k), "time")) {
            free(c->time_units);
            if (!(c->time_units = strdup(scalar(v)))) return ilnet_error_oom();
            c->time_units_pos = pos_of(k);
            continue;
        }
        int i = c->n_units;
        c->unit_names[i] = strdup(scalar(k));
        c->unit_texts[i] = strdup(scalar(v));
        c->unit_pos[i] = pos_of(k);
        c->n_units = i + 1;
        if (!c->unit_names[i] || !c->unit_texts[i]) return ilnet_error_oom();
    }
    return 0;
}

static int parse_root(P *p, const yaml_node_t *root)
{
    static const char *const keys[] = {
        "model",      "presets_file", "preset",      "parameters", "initial",
        "simulation", "output",       "experiments", "units",      NULL};
    ilnet_config *c = p->c;
    if (!root) return err(p, root, "(top level)", "the file is empty");
    TRY(check_keys(p, root, "", keys));
    yaml_node_t *n;
    if (!(n = lookup(p, root, "model")))
        return err(p, root, "model", "required: a model file or a built-in name (il2_il7)");
    TRY(get_string(p, n, "model", &c->model_arg));
    c->model_pos = pos_of(n);
    TRY(resolve_model(p, n));
    if ((n = lookup(p, root, "presets_file"))) TRY(parse_presets_file(p, n));
    if ((n = lookup(p, root, "preset")))
        TRY(get_names(p, n, "preset", &c->presets, &c->n_presets, &c->preset_pos));
    if ((n = lookup(p, root, "parameters"))) TRY(get_assign(p, n, "parameters", &c->params));
    if ((n = lookup(p, root, "initial"))) TRY(get_assign(p, n, "initial", &c->initial));
    if (!(n = lookup(p, root, "simulation")))
        return err(p, root, "simulation", "required (t_end and n_steps at least)");
    TRY(parse_simulation(p, n));
    if ((n = lookup(p, root, "output"))) TRY(parse_output(p, n));
    if ((n = lookup(p, root, "units"))) TRY(parse_units(p, n));
    if (!c->output) TRY(default_output(c));
    return parse_experiments(p, root);
}

int ilnet_config_parse(ilnet_config *c, const ilnet_yaml *y)
{
    P p = {c, y};
    return parse_root(&p, ilnet_yaml_root(y));
}

#include "config.h"

#include "../common/error.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Parsing state: the document and the config being filled. */
typedef struct {
    ilnet_config *c;
    yaml_document_t *doc;
} P;

#define OOM() ilnet_error_set(ILNET_ENOMEM, "out of memory")
#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

static ilnet_config_pos pos_of(const yaml_node_t *n)
{
    ilnet_config_pos p = {n ? (int)n->start_mark.line + 1 : 0,
                          n ? (int)n->start_mark.column + 1 : 0};
    return p;
}

int ilnet_config_error(const ilnet_config *c, ilnet_config_pos pos, const char *path,
                       const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ilnet_error_set(ILNET_EINPUT, "%s:%d:%d: %s: %s", c->path, pos.line, pos.col, path, msg);
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
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static yaml_node_t *node(P *p, int id)
{
    return yaml_document_get_node(p->doc, id);
}

static const char *type_name(const yaml_node_t *n)
{
    if (!n) return "nothing";
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

/* Child key path "parent.key" or "parent[i]". */
static void sub(char *out, size_t n, const char *parent, const char *key, int index)
{
    int w = key ? snprintf(out, n, "%s%s%s", parent, *parent ? "." : "", key)
                : snprintf(out, n, "%s[%d]", parent, index);
    if (w < 0) out[0] = 0; /* paths are short; a truncated one still locates the error */
}

static int get_double(P *p, const yaml_node_t *n, const char *path, double *out)
{
    const char *s = scalar(n);
    if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return err(p, n, path, "expected a number, found %s", s ? "a quoted string" : type_name(n));
    char *end;
    errno = 0;
    double x = 0;
    x = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(x))
        return err(p, n, path, "'%s' is not a finite number", s);
    *out = x;
    return 0;
}

static int get_long(P *p, const yaml_node_t *n, const char *path, long lo, long *out)
{
    double x = 0;
    TRY(get_double(p, n, path, &x));
    if (x != floor(x) || x < (double)lo || x > 1e12)
        return err(p, n, path, "expected an integer >= %ld, found '%s'", lo, scalar(n));
    *out = (long)x;
    return 0;
}

static int get_bool(P *p, const yaml_node_t *n, const char *path, int *out)
{
    const char *s = scalar(n);
    if (s && (!strcmp(s, "true") || !strcmp(s, "false"))) {
        *out = !strcmp(s, "true");
        return 0;
    }
    return err(p, n, path, "expected true or false, found %s", s ? s : type_name(n));
}

static int get_string(P *p, const yaml_node_t *n, const char *path, char **out)
{
    const char *s = scalar(n);
    if (!s || !*s)
        return err(p, n, path, "expected a non-empty string, found %s", s ? "''" : type_name(n));
    free(*out);
    return (*out = strdup(s)) ? 0 : OOM();
}

/* Checks a mapping's keys against a list; rejects unknown and repeated keys. */
static int check_keys(P *p, const yaml_node_t *m, const char *path, const char *const *allowed)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, *path ? path : "(top level)", "expected a mapping, found %s",
                   type_name(m));
    for (yaml_node_pair_t *a = m->data.mapping.pairs.start; a < m->data.mapping.pairs.top; a++) {
        yaml_node_t *k = node(p, a->key);
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
        for (yaml_node_pair_t *b = m->data.mapping.pairs.start; b < a; b++)
            if (!strcmp(scalar(node(p, b->key)), ks))
                return err(p, k, kp, "key '%s' given twice", ks);
    }
    return 0;
}

static yaml_node_t *lookup(P *p, const yaml_node_t *m, const char *key)
{
    if (!m || m->type != YAML_MAPPING_NODE) return NULL;
    for (yaml_node_pair_t *a = m->data.mapping.pairs.start; a < m->data.mapping.pairs.top; a++) {
        const char *k = scalar(node(p, a->key)); /* check_keys reports non-string keys */
        if (k && !strcmp(k, key)) return node(p, a->value);
    }
    return NULL;
}

static int push_double(double **v, int *n, double x)
{
    double *a = realloc(*v, (size_t)(*n + 1) * sizeof *a);
    if (!a) return OOM();
    *v = a;
    a[(*n)++] = x;
    return 0;
}

/* A name: number mapping. */
static int get_assign(P *p, const yaml_node_t *m, const char *path, ilnet_config_assign *a)
{
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, path, "expected a mapping NAME: VALUE, found %s", type_name(m));
    for (yaml_node_pair_t *q = m->data.mapping.pairs.start; q < m->data.mapping.pairs.top; q++) {
        yaml_node_t *k = node(p, q->key), *v = node(p, q->value);
        char kp[512];
        if (!scalar(k)) return err(p, k, path, "names must be strings");
        sub(kp, sizeof kp, path, scalar(k), 0);
        double x;
        TRY(get_double(p, v, kp, &x));
        for (int i = 0; i < a->n; i++)
            if (!strcmp(a->names[i], scalar(k)))
                return err(p, k, kp, "'%s' given twice", scalar(k));
        int n = a->n + 1;
        char **nm = realloc(a->names, n * sizeof *nm);
        if (nm) a->names = nm;
        char **pa = realloc(a->paths, n * sizeof *pa);
        if (pa) a->paths = pa;
        double *va = realloc(a->values, n * sizeof *va);
        if (va) a->values = va;
        ilnet_config_pos *ps = realloc(a->pos, n * sizeof *ps);
        if (ps) a->pos = ps;
        if (!nm || !pa || !va || !ps) return OOM();
        a->names[a->n] = strdup(scalar(k));
        a->paths[a->n] = strdup(kp);
        if (!a->names[a->n] || !a->paths[a->n]) {
            free(a->names[a->n]);
            free(a->paths[a->n]);
            return OOM();
        }
        a->values[a->n] = x;
        a->pos[a->n] = pos_of(k);
        a->n++;
    }
    return 0;
}

static void assign_free(ilnet_config_assign *a)
{
    for (int i = 0; i < a->n; i++) {
        free(a->names[i]);
        free(a->paths[i]);
    }
    free(a->names);
    free(a->paths);
    free(a->values);
    free(a->pos);
}

/* "name" or [name, ...] -> list of strings with positions. */
static int get_names(P *p, const yaml_node_t *n, const char *path, char ***names, int *count,
                     ilnet_config_pos **pos)
{
    int nn = n && n->type == YAML_SEQUENCE_NODE
                 ? (int)(n->data.sequence.items.top - n->data.sequence.items.start)
                 : 1;
    if (n && n->type == YAML_SEQUENCE_NODE && nn == 0) return err(p, n, path, "empty list");
    *names = calloc(nn, sizeof **names);
    *pos = calloc(nn, sizeof **pos);
    if (!*names || !*pos) return OOM();
    *count = nn;
    for (int i = 0; i < nn; i++) {
        yaml_node_t *e = n->type == YAML_SEQUENCE_NODE ? node(p, n->data.sequence.items.start[i])
                                                       : (yaml_node_t *)n;
        char ip[512];
        if (n->type == YAML_SEQUENCE_NODE)
            sub(ip, sizeof ip, path, NULL, i);
        else
            snprintf(ip, sizeof ip, "%s", path);
        TRY(get_string(p, e, ip, &(*names)[i]));
        (*pos)[i] = pos_of(e);
    }
    return 0;
}

/* values: [..] | linspace: {min, max, n} | logspace: {min, max, n} inside mapping m. Sets
 * *found when one of them is there. */
static int get_value_list(P *p, const yaml_node_t *m, const char *path, double **vals, int *n,
                          int *found)
{
    static const char *const range_keys[] = {"min", "max", "n", NULL};
    yaml_node_t *v = lookup(p, m, "values"), *lin = lookup(p, m, "linspace"),
                *lg = lookup(p, m, "logspace");
    *found = (v != NULL) + (lin != NULL) + (lg != NULL);
    if (*found > 1) return err(p, m, path, "give only one of values, linspace, logspace");
    if (v) {
        char vp[512];
        sub(vp, sizeof vp, path, "values", 0);
        if (v->type != YAML_SEQUENCE_NODE)
            return err(p, v, vp, "expected a list of numbers, found %s", type_name(v));
        if (v->data.sequence.items.top == v->data.sequence.items.start)
            return err(p, v, vp, "empty list");
        for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
             it++) {
            char ip[512];
            double x;
            sub(ip, sizeof ip, vp, NULL, (int)(it - v->data.sequence.items.start));
            TRY(get_double(p, node(p, *it), ip, &x));
            TRY(push_double(vals, n, x));
        }
        return 0;
    }
    yaml_node_t *r = lin ? lin : lg;
    if (!r) return 0;
    char rp[512], kp[512];
    sub(rp, sizeof rp, path, lin ? "linspace" : "logspace", 0);
    TRY(check_keys(p, r, rp, range_keys));
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
    if (lg && (lo <= 0 || hi <= 0)) {
        sub(kp, sizeof kp, rp, lo <= 0 ? "min" : "max", 0);
        return err(p, lo <= 0 ? a : b, kp, "logspace bounds must be > 0");
    }
    if (cnt == 1 && lo != hi) {
        sub(kp, sizeof kp, rp, "n", 0);
        return err(p, c, kp, "n = 1 needs min = max");
    }
    for (long i = 0; i < cnt; i++) {
        double f = cnt == 1 ? 0 : (double)i / (double)(cnt - 1), x;
        if (lin)
            x = i == cnt - 1 ? hi : lo + f * (hi - lo);
        else
            x = i == 0 ? lo : i == cnt - 1 ? hi : pow(10, log10(lo) + f * (log10(hi) - log10(lo)));
        TRY(push_double(vals, n, x));
    }
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
    double t0 = 0, t1 = 0;
    yaml_node_t *n;
    if ((n = lookup(p, m, "t_start"))) TRY(get_double(p, n, "simulation.t_start", &t0));
    yaml_node_t *te = lookup(p, m, "t_end"), *ns = lookup(p, m, "n_steps"),
                *ls = lookup(p, m, "log_steps"), *lm = lookup(p, m, "log_min"),
                *tl = lookup(p, m, "times");
    if ((ns != NULL) + (ls != NULL) + (tl != NULL) != 1)
        return err(p, m, "simulation", "give exactly one of n_steps, log_steps, times");
    if (tl) {
        if (te)
            return err(p, te, "simulation.t_end",
                       "not used with 'times' (the last time is the end)");
        if (tl->type != YAML_SEQUENCE_NODE ||
            tl->data.sequence.items.top - tl->data.sequence.items.start < 2)
            return err(p, tl, "simulation.times", "expected a list of at least 2 times");
        int cnt = 0;
        for (yaml_node_item_t *it = tl->data.sequence.items.start; it < tl->data.sequence.items.top;
             it++) {
            char ip[64];
            double x;
            snprintf(ip, sizeof ip, "simulation.times[%d]", cnt);
            TRY(get_double(p, node(p, *it), ip, &x));
            if (cnt == 0 && lookup(p, m, "t_start") && x != t0)
                return err(p, node(p, *it), ip, "the first time must be t_start (%g)", t0);
            if (cnt > 0 && x <= c->times[cnt - 1])
                return err(p, node(p, *it), ip, "times must increase");
            TRY(push_double(&c->times, &cnt, x));
        }
        c->n_times = (size_t)cnt;
    } else {
        if (!te) return err(p, m, "simulation", "t_end is required");
        TRY(get_double(p, te, "simulation.t_end", &t1));
        if (t1 <= t0)
            return err(p, te, "simulation.t_end", "must be greater than t_start (%g)", t0);
        long k;
        int cnt = 0;
        if (ns) {
            TRY(get_long(p, ns, "simulation.n_steps", 1, &k));
            if (k > 10000000) return err(p, ns, "simulation.n_steps", "at most 10000000");
            for (long i = 0; i <= k; i++)
                TRY(push_double(&c->times, &cnt,
                                i == k ? t1 : t0 + (t1 - t0) * (double)i / (double)k));
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
                double x =
                    i == k - 1 ? t1 : t0 + pow(10, log10(lo) + f * (log10(t1 - t0) - log10(lo)));
                TRY(push_double(&c->times, &cnt, x));
            }
        }
        c->n_times = (size_t)cnt;
    }
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
            return err(p, n, "simulation.solver", "expected auto, dense or klu, found %s",
                       s ? s : type_name(n));
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

static int parse_output(P *p, const yaml_node_t *m)
{
    static const char *const keys[] = {"file", "observables", "species", "compression", NULL};
    ilnet_config *c = p->c;
    TRY(check_keys(p, m, "output", keys));
    yaml_node_t *n;
    if ((n = lookup(p, m, "file"))) {
        char *f = NULL;
        TRY(get_string(p, n, "output.file", &f));
        if (f[0] == '/') {
            c->output = f;
        } else {
            c->output = malloc(strlen(c->dir) + strlen(f) + 2);
            if (c->output) sprintf(c->output, "%s/%s", c->dir, f);
            free(f);
            if (!c->output) return OOM();
        }
    }
    if ((n = lookup(p, m, "observables"))) {
        c->all_observables = 0;
        TRY(get_names(p, n, "output.observables", &c->observables, &c->n_observables,
                      &c->observable_pos));
    }
    if ((n = lookup(p, m, "species"))) {
        const char *s = scalar(n);
        if (s && (!strcmp(s, "true") || !strcmp(s, "false")))
            c->species_mode = !strcmp(s, "true");
        else if (n->type == YAML_SEQUENCE_NODE) {
            c->species_mode = 2;
            TRY(get_names(p, n, "output.species", &c->species, &c->n_species, &c->species_pos));
        } else
            return err(p, n, "output.species", "expected true, false or a list of species names");
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

static int parse_protocol(P *p, const yaml_node_t *m, const char *path, ilnet_config_protocol *pr)
{
    static const char *const keys[] = {"preequilibrate", "steps", NULL};
    static const char *const pkeys[] = {"duration", "set", NULL};
    static const char *const skeys[] = {"at", "set", "add", NULL};
    TRY(check_keys(p, m, path, keys));
    char kp[512], ip[512], sp[512];
    yaml_node_t *pe = lookup(p, m, "preequilibrate"), *st = lookup(p, m, "steps"), *n;
    if (pe) {
        sub(kp, sizeof kp, path, "preequilibrate", 0);
        TRY(check_keys(p, pe, kp, pkeys));
        pr->has_preeq = 1;
        if (!(n = lookup(p, pe, "duration"))) return err(p, pe, kp, "duration is required");
        sub(sp, sizeof sp, kp, "duration", 0);
        TRY(get_double(p, n, sp, &pr->preeq_duration));
        if (pr->preeq_duration <= 0) return err(p, n, sp, "must be > 0");
        if ((n = lookup(p, pe, "set"))) {
            sub(sp, sizeof sp, kp, "set", 0);
            TRY(get_assign(p, n, sp, &pr->preeq_set));
        }
    }
    if (st) {
        sub(kp, sizeof kp, path, "steps", 0);
        if (st->type != YAML_SEQUENCE_NODE)
            return err(p, st, kp, "expected a list of steps, found %s", type_name(st));
        int cnt = (int)(st->data.sequence.items.top - st->data.sequence.items.start);
        if (!(pr->steps = calloc(cnt ? cnt : 1, sizeof *pr->steps))) return OOM();
        for (int i = 0; i < cnt; i++) {
            yaml_node_t *e = node(p, st->data.sequence.items.start[i]);
            ilnet_config_step *s = &pr->steps[i];
            pr->n_steps = i + 1;
            sub(ip, sizeof ip, kp, NULL, i);
            TRY(check_keys(p, e, ip, skeys));
            s->pos = pos_of(e);
            if (!(n = lookup(p, e, "at")))
                return err(p, e, ip, "'at' (the step's time) is required");
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
        }
    }
    return 0;
}

static int parse_sweep_param(P *p, const yaml_node_t *m, const char *path, ilnet_design d,
                             ilnet_config_sweep_param *sp)
{
    static const char *const gkeys[] = {"name", "values", "linspace", "logspace", NULL};
    static const char *const skeys[] = {"name", "min", "max", "log", NULL};
    int sampled = d == ILNET_DESIGN_LHS || d == ILNET_DESIGN_SOBOL;
    TRY(check_keys(p, m, path, sampled ? skeys : gkeys));
    char kp[512];
    yaml_node_t *n = lookup(p, m, "name");
    sub(kp, sizeof kp, path, "name", 0);
    if (!n) return err(p, m, kp, "required");
    TRY(get_string(p, n, kp, &sp->name));
    sp->pos = pos_of(n);
    if (!(sp->path = strdup(kp))) return OOM();
    if (!sampled) {
        int found;
        TRY(get_value_list(p, m, path, &sp->values, &sp->n_values, &found));
        if (!found) return err(p, m, path, "needs values, linspace or logspace");
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

static int parse_dose(P *p, const yaml_node_t *m, const char *path, ilnet_config_experiment *e)
{
    static const char *const dkeys[] = {"parameter", "species", NULL};
    static const char *const rkeys[] = {"observable", "times", "peak", "integral", NULL};
    static const char *const lkeys[] = {"values", "linspace", "logspace", NULL};
    char kp[512], sp[512];
    yaml_node_t *d = lookup(p, m, "dose"), *ds = lookup(p, m, "doses"),
                *r = lookup(p, m, "readout"), *n;
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
        yaml_node_t wrap;
        (void)wrap;
        if (ds->data.sequence.items.top == ds->data.sequence.items.start)
            return err(p, ds, kp, "empty list");
        for (yaml_node_item_t *it = ds->data.sequence.items.start; it < ds->data.sequence.items.top;
             it++) {
            double x;
            sub(sp, sizeof sp, kp, NULL, (int)(it - ds->data.sequence.items.start));
            TRY(get_double(p, node(p, *it), sp, &x));
            TRY(push_double(&e->doses, &e->n_doses, x));
        }
    } else {
        int found;
        TRY(check_keys(p, ds, kp, lkeys));
        TRY(get_value_list(p, ds, kp, &e->doses, &e->n_doses, &found));
        if (!found) return err(p, ds, kp, "needs values, linspace or logspace");
    }
    for (int i = 0; i < e->n_doses; i++)
        if (e->doses[i] < 0)
            return err(p, ds, kp, "doses must be >= 0 (dose %d is %g)", i, e->doses[i]);
    sub(kp, sizeof kp, path, "readout", 0);
    if (!r) return err(p, m, kp, "required ({observable: NAME, times: [...], peak, integral})");
    TRY(check_keys(p, r, kp, rkeys));
    sub(sp, sizeof sp, kp, "observable", 0);
    if (!(n = lookup(p, r, "observable"))) return err(p, r, sp, "required");
    TRY(get_string(p, n, sp, &e->readout_obs));
    e->readout_pos = pos_of(n);
    if ((n = lookup(p, r, "times"))) {
        sub(sp, sizeof sp, kp, "times", 0);
        if (n->type != YAML_SEQUENCE_NODE ||
            n->data.sequence.items.top == n->data.sequence.items.start)
            return err(p, n, sp, "expected a non-empty list of times");
        for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
             it++) {
            double x;
            char ip[600];
            snprintf(ip, sizeof ip, "%s[%d]", sp, (int)(it - n->data.sequence.items.start));
            TRY(get_double(p, node(p, *it), ip, &x));
            x = snap(p->c, x);
            if (x < p->c->times[0] || x > p->c->times[p->c->n_times - 1])
                return err(p, node(p, *it), ip,
                           "time %g is outside the simulated interval [%g, %g]", x, p->c->times[0],
                           p->c->times[p->c->n_times - 1]);
            TRY(push_double(&e->readout_times, &e->n_readout_times, x));
        }
    }
    if ((n = lookup(p, r, "peak"))) {
        sub(sp, sizeof sp, kp, "peak", 0);
        TRY(get_bool(p, n, sp, &e->readout_peak));
    }
    if ((n = lookup(p, r, "integral"))) {
        sub(sp, sizeof sp, kp, "integral", 0);
        TRY(get_bool(p, n, sp, &e->readout_integral));
    }
    if (!e->n_readout_times && !e->readout_peak && !e->readout_integral)
        return err(p, r, kp, "needs times, peak: true or integral: true");
    if ((n = lookup(p, m, "series"))) {
        sub(kp, sizeof kp, path, "series", 0);
        if (n->type != YAML_SEQUENCE_NODE ||
            n->data.sequence.items.top == n->data.sequence.items.start)
            return err(p, n, kp, "expected a non-empty list of series");
        int cnt = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
        if (!(e->series = calloc(cnt, sizeof *e->series))) return OOM();
        for (int i = 0; i < cnt; i++) {
            e->n_series = i + 1;
            sub(sp, sizeof sp, kp, NULL, i);
            TRY(parse_series(p, node(p, n->data.sequence.items.start[i]), sp, &e->series[i]));
            for (int j = 0; j < i; j++)
                if (!strcmp(e->series[j].name, e->series[i].name)) {
                    char np[600];
                    snprintf(np, sizeof np, "%s.name", sp);
                    return ilnet_config_error(p->c, e->series[i].pos, np,
                                              "series name '%s' used twice", e->series[i].name);
                }
        }
    } else {
        if (!(e->series = calloc(1, sizeof *e->series)) || !(e->series[0].name = strdup("default")))
            return OOM();
        e->n_series = 1;
        e->series[0].pos = pos_of(m);
    }
    return 0;
}

static int parse_experiment(P *p, const yaml_node_t *m, int index, ilnet_config_experiment *e)
{
    static const char *const common[] = {"name", "type", "preset", "parameters", "protocol", NULL};
    static const char *const sweep[] = {"name",   "type", "preset", "parameters", "protocol",
                                        "design", "vary", "n",      "seed",       NULL};
    static const char *const dose[] = {"name", "type",  "preset",  "parameters", "protocol",
                                       "dose", "doses", "readout", "series",     NULL};
    char path[64], kp[512];
    snprintf(path, sizeof path, "experiments[%d]", index);
    if (!(e->path = strdup(path))) return OOM();
    e->pos = pos_of(m);
    if (!m || m->type != YAML_MAPPING_NODE)
        return err(p, m, path, "expected a mapping, found %s", type_name(m));
    yaml_node_t *t = lookup(p, m, "type"), *n;
    sub(kp, sizeof kp, path, "type", 0);
    if (!t) return err(p, m, kp, "required (timecourse, sweep or dose_response)");
    const char *ts = scalar(t);
    if (ts && !strcmp(ts, "timecourse"))
        e->type = ILNET_EXP_TIMECOURSE;
    else if (ts && !strcmp(ts, "sweep"))
        e->type = ILNET_EXP_SWEEP;
    else if (ts && !strcmp(ts, "dose_response"))
        e->type = ILNET_EXP_DOSE;
    else
        return err(p, t, kp,
                   "unknown experiment type '%s' (expected timecourse, sweep, dose_response)",
                   ts ? ts : type_name(t));
    TRY(check_keys(p, m, path,
                   e->type == ILNET_EXP_SWEEP  ? sweep
                   : e->type == ILNET_EXP_DOSE ? dose
                                               : common));
    sub(kp, sizeof kp, path, "name", 0);
    if (!(n = lookup(p, m, "name"))) return err(p, m, kp, "required");
    TRY(get_string(p, n, kp, &e->name));
    for (const char *s = e->name; *s; s++)
        if (!(*s == '_' || *s == '-' || (*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
              (*s >= 'A' && *s <= 'Z')))
            return err(p, n, kp, "'%s': names are letters, digits, '_' and '-'", e->name);
    for (int j = 0; j < index; j++)
        if (!strcmp(p->c->experiments[j].name, e->name))
            return err(p, n, kp, "experiment name '%s' used twice (also experiments[%d])", e->name,
                       j);
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
    }
    if (e->type == ILNET_EXP_SWEEP) {
        e->design = ILNET_DESIGN_GRID;
        e->seed = 1;
        if ((n = lookup(p, m, "design"))) {
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
            else
                return err(p, n, kp, "unknown design '%s' (expected grid, zip, lhs, sobol)",
                           ds ? ds : type_name(n));
        }
        int sampled = e->design == ILNET_DESIGN_LHS || e->design == ILNET_DESIGN_SOBOL;
        yaml_node_t *nn = lookup(p, m, "n"), *sd = lookup(p, m, "seed");
        sub(kp, sizeof kp, path, "n", 0);
        if (sampled && !nn)
            return err(p, m, kp, "required for design %s",
                       e->design == ILNET_DESIGN_LHS ? "lhs" : "sobol");
        if (!sampled && nn) return err(p, nn, kp, "only for designs lhs and sobol");
        if (nn) {
            TRY(get_long(p, nn, kp, 1, &e->n_samples));
            if (e->n_samples > 100000000) return err(p, nn, kp, "at most 1e8 points");
        }
        sub(kp, sizeof kp, path, "seed", 0);
        if (sd && e->design != ILNET_DESIGN_LHS) return err(p, sd, kp, "only for design lhs");
        if (sd) {
            long s;
            TRY(get_long(p, sd, kp, 0, &s));
            e->seed = (unsigned long)s;
        }
        yaml_node_t *v = swept;
        sub(kp, sizeof kp, path, swept_key, 0);
        if (!v) return err(p, m, kp, "required: the list of swept parameters");
        if (v->type != YAML_SEQUENCE_NODE ||
            v->data.sequence.items.top == v->data.sequence.items.start)
            return err(p, v, kp, "expected a non-empty list of parameters");
        int cnt = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (e->design == ILNET_DESIGN_SOBOL && cnt > 40)
            return err(p, v, kp, "sobol designs take at most 40 parameters");
        if (!(e->sweep = calloc(cnt, sizeof *e->sweep))) return OOM();
        double total = 1;
        for (int i = 0; i < cnt; i++) {
            char ip[512];
            e->n_sweep = i + 1;
            sub(ip, sizeof ip, kp, NULL, i);
            TRY(parse_sweep_param(p, node(p, v->data.sequence.items.start[i]), ip, e->design,
                                  &e->sweep[i]));
            for (int j = 0; j < i; j++)
                if (!strcmp(e->sweep[j].name, e->sweep[i].name))
                    return ilnet_config_error(p->c, e->sweep[i].pos, e->sweep[i].path,
                                              "parameter '%s' swept twice", e->sweep[i].name);
            if (e->design == ILNET_DESIGN_ZIP && e->sweep[i].n_values != e->sweep[0].n_values)
                return ilnet_config_error(p->c, e->sweep[i].pos, e->sweep[i].path,
                                          "zip needs equal lengths: %d values here, %d in %s",
                                          e->sweep[i].n_values, e->sweep[0].n_values,
                                          e->sweep[0].path);
            total *= e->design == ILNET_DESIGN_GRID ? e->sweep[i].n_values : 1;
        }
        if (total > 1e8) return err(p, v, kp, "the grid has %.3g points (at most 1e8)", total);
    } else if (e->type == ILNET_EXP_DOSE) {
        TRY(parse_dose(p, m, path, e));
    }
    return 0;
}

static char *dir_of(const char *path)
{
    const char *s = strrchr(path, '/');
    if (!s) return strdup(".");
    size_t n = s == path ? 1 : (size_t)(s - path);
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, path, n);
        d[n] = 0;
    }
    return d;
}

static char *join(const char *dir, const char *f)
{
    if (f[0] == '/') return strdup(f);
    char *r = malloc(strlen(dir) + strlen(f) + 2);
    if (r) sprintf(r, "%s/%s", dir, f);
    return r;
}

static int parse_root(P *p, const yaml_node_t *root)
{
    static const char *const keys[] = {"model",      "presets_file", "preset",
                                       "parameters", "initial",      "simulation",
                                       "output",     "experiments",  NULL};
    ilnet_config *c = p->c;
    if (!root) return err(p, root, "(top level)", "the file is empty");
    TRY(check_keys(p, root, "", keys));
    yaml_node_t *n;
    if (!(n = lookup(p, root, "model")))
        return err(p, root, "model", "required: a model file or a built-in name (il2_il7)");
    TRY(get_string(p, n, "model", &c->model_arg));
    c->model_pos = pos_of(n);
    if (!strchr(c->model_arg, '/') && !strchr(c->model_arg, '.')) {
        char buf[4096];
        snprintf(buf, sizeof buf, "%s/%s.bngl", ILNET_MODEL_DIR, c->model_arg);
        FILE *f = fopen(buf, "r");
        if (!f)
            return err(p, n, "model", "no built-in model '%s' (built-in: il2_il7)", c->model_arg);
        fclose(f);
        c->model = strdup(buf);
    } else {
        c->model = join(c->dir, c->model_arg);
        if (!c->model) return OOM();
        FILE *f = fopen(c->model, "r");
        if (!f) return err(p, n, "model", "cannot open '%s': %s", c->model, strerror(errno));
        fclose(f);
    }
    if (!c->model) return OOM();
    if ((n = lookup(p, root, "presets_file"))) {
        char *f = NULL;
        TRY(get_string(p, n, "presets_file", &f));
        c->presets_file = join(c->dir, f);
        free(f);
        if (!c->presets_file) return OOM();
        FILE *fp = fopen(c->presets_file, "r");
        if (!fp)
            return err(p, n, "presets_file", "cannot open '%s': %s", c->presets_file,
                       strerror(errno));
        fclose(fp);
    }
    if ((n = lookup(p, root, "preset")))
        TRY(get_names(p, n, "preset", &c->presets, &c->n_presets, &c->preset_pos));
    if ((n = lookup(p, root, "parameters"))) TRY(get_assign(p, n, "parameters", &c->params));
    if ((n = lookup(p, root, "initial"))) TRY(get_assign(p, n, "initial", &c->initial));
    if (!(n = lookup(p, root, "simulation")))
        return err(p, root, "simulation", "required (t_end and n_steps at least)");
    TRY(parse_simulation(p, n));
    if ((n = lookup(p, root, "output"))) TRY(parse_output(p, n));
    if (!c->output) {
        /* CONFIG.yaml -> CONFIG.h5 beside it */
        const char *dot = strrchr(c->path, '.'), *sl = strrchr(c->path, '/');
        size_t len = dot && (!sl || dot > sl) ? (size_t)(dot - c->path) : strlen(c->path);
        if (!(c->output = malloc(len + 4))) return OOM();
        memcpy(c->output, c->path, len);
        strcpy(c->output + len, ".h5");
    }
    if (!(n = lookup(p, root, "experiments")))
        return err(p, root, "experiments", "required: a list of experiments");
    if (n->type != YAML_SEQUENCE_NODE || n->data.sequence.items.top == n->data.sequence.items.start)
        return err(p, n, "experiments", "expected a non-empty list, found %s", type_name(n));
    int cnt = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    if (!(c->experiments = calloc(cnt, sizeof *c->experiments))) return OOM();
    for (int i = 0; i < cnt; i++) {
        c->n_experiments = i + 1;
        TRY(parse_experiment(p, node(p, n->data.sequence.items.start[i]), i, &c->experiments[i]));
    }
    return 0;
}

int ilnet_config_read(ilnet_config *c, const char *path)
{
    memset(c, 0, sizeof *c);
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    c->solver = so;
    c->all_observables = 1;
    c->compression = 1; /* level 1: about the size of 4 on trajectories, in half the time */
    FILE *f = fopen(path, "rb");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 4096, len = 0;
    char *text = malloc(cap);
    for (size_t got; text && (got = fread(text + len, 1, cap - len - 1, f)) > 0;) {
        len += got;
        if (len + 1 == cap) {
            char *t = realloc(text, cap *= 2);
            if (!t) free(text);
            text = t;
        }
    }
    fclose(f);
    if (!text) return OOM();
    text[len] = 0;
    c->text = text;
    if (strlen(text) != len) {
        c->path = strdup(path);
        int rc = ilnet_error_set(ILNET_EINPUT, "%s: contains a NUL byte", path);
        ilnet_config_free(c);
        return rc;
    }
    if (!(c->path = strdup(path)) || !(c->dir = dir_of(path))) {
        ilnet_config_free(c);
        return OOM();
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = ilnet_error_set(ILNET_EINPUT, "%s:%zu:%zu: YAML syntax: %s%s%s", path,
                             parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                             parser.problem ? parser.problem : "error", parser.context ? " " : "",
                             parser.context ? parser.context : "");
        yaml_parser_delete(&parser);
        ilnet_config_free(c);
        return rc;
    }
    P p = {c, &doc};
    rc = parse_root(&p, yaml_document_get_root_node(&doc));
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc) ilnet_config_free(c);
    return rc;
}

static void names_free(char **v, int n, ilnet_config_pos *pos)
{
    for (int i = 0; i < n; i++)
        free(v[i]);
    free(v);
    free(pos);
}

void ilnet_config_free(ilnet_config *c)
{
    for (int i = 0; i < c->n_experiments; i++) {
        ilnet_config_experiment *e = &c->experiments[i];
        free(e->name);
        free(e->path);
        names_free(e->presets, e->n_presets, e->preset_pos);
        assign_free(&e->params);
        assign_free(&e->protocol.preeq_set);
        for (int k = 0; k < e->protocol.n_steps; k++) {
            assign_free(&e->protocol.steps[k].set);
            assign_free(&e->protocol.steps[k].add);
        }
        free(e->protocol.steps);
        for (int k = 0; k < e->n_sweep; k++) {
            free(e->sweep[k].name);
            free(e->sweep[k].path);
            free(e->sweep[k].values);
        }
        free(e->sweep);
        free(e->dose_name);
        free(e->doses);
        free(e->readout_obs);
        free(e->readout_times);
        for (int k = 0; k < e->n_series; k++) {
            free(e->series[k].name);
            names_free(e->series[k].presets, e->series[k].n_presets, e->series[k].preset_pos);
            assign_free(&e->series[k].params);
        }
        free(e->series);
    }
    free(c->experiments);
    free(c->path);
    free(c->text);
    free(c->dir);
    free(c->model);
    free(c->model_arg);
    free(c->presets_file);
    names_free(c->presets, c->n_presets, c->preset_pos);
    assign_free(&c->params);
    assign_free(&c->initial);
    free(c->times);
    free(c->output);
    names_free(c->observables, c->n_observables, c->observable_pos);
    names_free(c->species, c->n_species, c->species_pos);
    memset(c, 0, sizeof *c);
}

/* --- names against the model --- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A BioNetGen species string with each molecule's components sorted, so that
 * "S5(d,y~u,dm)" and "S5(d,dm,y~u)" compare equal (caller frees). */
static char *sorted_components(const char *name)
{
    size_t n = strlen(name);
    char *out = malloc(n + 1), *buf = strdup(name);
    char **parts = malloc((n / 2 + 2) * sizeof *parts);
    if (!out || !buf || !parts) {
        free(out);
        free(buf);
        free(parts);
        return NULL;
    }
    size_t o = 0;
    for (char *m = buf; *m;) {
        char *open = strchr(m, '('), *close = open ? strchr(open, ')') : NULL;
        if (!open || !close) {
            strcpy(out + o, m);
            o += strlen(m);
            break;
        }
        memcpy(out + o, m, (size_t)(open - m) + 1);
        o += (size_t)(open - m) + 1;
        *close = 0;
        int k = 0;
        for (char *c = strtok(open + 1, ","); c; c = strtok(NULL, ","))
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

/* Index of species name in net, also when its components are written in another order;
 * -1 when absent. */
static int find_species(const ilnet_network *net, const char *name)
{
    int i = ilnet_network_find_species(net, name);
    if (i >= 0) return i;
    char *want = sorted_components(name);
    for (size_t k = 0; want && i < 0 && k < ilnet_network_species_count(net); k++) {
        char *have = sorted_components(ilnet_network_species(net, k)->name);
        if (have && !strcmp(have, want)) i = (int)k;
        free(have);
    }
    free(want);
    return i;
}

/* Replaces a config species name by the network's spelling of it. */
static int respell(char **name, const ilnet_network *net, int i)
{
    if (!strcmp(*name, ilnet_network_species(net, i)->name)) return 0;
    char *s = strdup(ilnet_network_species(net, i)->name);
    if (!s) return OOM();
    free(*name);
    *name = s;
    return 0;
}

static int need_param(const ilnet_config *c, const ilnet_network *net, const char *name,
                      ilnet_config_pos pos, const char *path)
{
    if (ilnet_network_find_parameter(net, name) >= 0) return 0;
    return ilnet_config_error(c, pos, path, "the model has no parameter '%s'", name);
}

static int need_species(const ilnet_config *c, const ilnet_network *net, char **name,
                        ilnet_config_pos pos, const char *path)
{
    int i = find_species(net, *name);
    if (i >= 0) return respell(name, net, i);
    return ilnet_config_error(
        c, pos, path,
        "the model has no species '%s' (species are named as in the "
        "network, e.g. '%s'; see ilnet info)",
        *name, ilnet_network_species_count(net) ? ilnet_network_species(net, 0)->name : "none");
}

static int need_obs(const ilnet_config *c, const ilnet_network *net, const char *name,
                    ilnet_config_pos pos, const char *path)
{
    if (ilnet_network_find_observable(net, name) >= 0) return 0;
    return ilnet_config_error(c, pos, path, "the model has no observable '%s'", name);
}

static int need_presets(const ilnet_config *c, const ilnet_presets *ps, char **names, int n,
                        const ilnet_config_pos *pos, const char *path)
{
    for (int i = 0; i < n; i++)
        if (!ps || !ilnet_presets_find(ps, names[i])) {
            char ip[600];
            snprintf(ip, sizeof ip, n > 1 ? "%s[%d]" : "%s", path, i);
            return ilnet_config_error(c, pos[i], ip, "no preset '%s'%s%s", names[i],
                                      ps ? " in " : " (the model has no presets file)",
                                      ps ? ps->path : "");
        }
    return 0;
}

/* Parameters, or (protocol steps) parameters and species. */
static int need_assign(const ilnet_config *c, const ilnet_network *net,
                       const ilnet_config_assign *a, int species_too, int species_only)
{
    for (int i = 0; i < a->n; i++) {
        int sp = species_too || species_only ? find_species(net, a->names[i]) : -1;
        if (sp >= 0) TRY(respell(&a->names[i], net, sp));
        if (species_only) {
            TRY(need_species(c, net, &a->names[i], a->pos[i], a->paths[i]));
        } else if (!(species_too && sp >= 0)) {
            if (ilnet_network_find_parameter(net, a->names[i]) < 0)
                return ilnet_config_error(c, a->pos[i], a->paths[i], "the model has no %s '%s'",
                                          species_too ? "parameter or species" : "parameter",
                                          a->names[i]);
        }
        if (species_only && a->values[i] < 0)
            return ilnet_config_error(c, a->pos[i], a->paths[i], "amount %g is negative",
                                      a->values[i]);
    }
    return 0;
}

int ilnet_config_check_names(ilnet_config *c, const ilnet_network *net, const ilnet_presets *ps)
{
    TRY(need_presets(c, ps, c->presets, c->n_presets, c->preset_pos, "preset"));
    TRY(need_assign(c, net, &c->params, 0, 0));
    TRY(need_assign(c, net, &c->initial, 0, 1));
    for (int i = 0; i < c->n_observables; i++)
        TRY(need_obs(c, net, c->observables[i], c->observable_pos[i], "output.observables"));
    for (int i = 0; i < c->n_species; i++)
        TRY(need_species(c, net, &c->species[i], c->species_pos[i], "output.species"));
    for (int x = 0; x < c->n_experiments; x++) {
        ilnet_config_experiment *e = &c->experiments[x];
        char kp[600];
        snprintf(kp, sizeof kp, "%s.preset", e->path);
        TRY(need_presets(c, ps, e->presets, e->n_presets, e->preset_pos, kp));
        TRY(need_assign(c, net, &e->params, 0, 0));
        TRY(need_assign(c, net, &e->protocol.preeq_set, 1, 0));
        for (int k = 0; k < e->protocol.n_steps; k++) {
            TRY(need_assign(c, net, &e->protocol.steps[k].set, 1, 0));
            TRY(need_assign(c, net, &e->protocol.steps[k].add, 0, 1));
        }
        for (int k = 0; k < e->n_sweep; k++)
            TRY(need_param(c, net, e->sweep[k].name, e->sweep[k].pos, e->sweep[k].path));
        if (e->type == ILNET_EXP_DOSE) {
            snprintf(kp, sizeof kp, "%s.dose.%s", e->path,
                     e->dose_is_species ? "species" : "parameter");
            if (e->dose_is_species)
                TRY(need_species(c, net, &e->dose_name, e->dose_pos, kp));
            else
                TRY(need_param(c, net, e->dose_name, e->dose_pos, kp));
            snprintf(kp, sizeof kp, "%s.readout.observable", e->path);
            TRY(need_obs(c, net, e->readout_obs, e->readout_pos, kp));
            for (int s = 0; s < e->n_series; s++) {
                snprintf(kp, sizeof kp, "%s.series[%d].preset", e->path, s);
                TRY(need_presets(c, ps, e->series[s].presets, e->series[s].n_presets,
                                 e->series[s].preset_pos, kp));
                TRY(need_assign(c, net, &e->series[s].params, 0, 0));
            }
        }
    }
    return 0;
}

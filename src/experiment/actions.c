#include "actions.h"

#include "../common/clock.h"
#include "../common/error.h"
#include "../common/file.h"
#include "../common/suggest.h"
#include "../model/expr.h"
#include "../model/netfile.h"
#include "../solver/solver.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    const char *name;
    const char *keys; /* space-separated allowed hash keys; NULL: positional arguments */
    int min_pos, max_pos;
} action_spec;

static const action_spec specs[] = {
    {"generate_network",
     "overwrite max_iter max_agg max_stoich TextReaction TextSpecies print_iter verbose prefix "
     "suffix check_iso",
     0, 0},
    {"simulate",
     "method t_start t_end n_steps n_output_steps atol rtol suffix continue print_functions "
     "verbose prefix stop_if print_CDAT print_net max_sim_steps sparse steady_state",
     0, 0},
    {"simulate_ode",
     "t_start t_end n_steps n_output_steps atol rtol suffix continue print_functions verbose "
     "prefix stop_if print_CDAT print_net max_sim_steps sparse steady_state",
     0, 0},
    {"parameter_scan",
     "method parameter par_min par_max n_scan_pts log_scale par_scan_vals t_start t_end n_steps "
     "n_output_steps atol rtol suffix reset_conc verbose prefix print_functions",
     0, 0},
    {"setConcentration", NULL, 2, 2},
    {"setParameter", NULL, 2, 2},
    {"saveConcentrations", NULL, 0, 1},
    {"resetConcentrations", NULL, 0, 1},
    {"writeNetwork", "overwrite prefix suffix TextReaction TextSpecies", 0, 0},
    {"writeNET", "overwrite prefix suffix TextReaction TextSpecies", 0, 0},
};

static const action_spec *find_spec(const char *name)
{
    for (size_t i = 0; i < sizeof specs / sizeof *specs; i++)
        if (!strcmp(specs[i].name, name)) return &specs[i];
    return NULL;
}

static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    if (!n) return 0; /* strstr finds "" everywhere: p += 0 would never end */
    for (const char *p = list; (p = strstr(p, w)); p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0')) return 1;
    return 0;
}

static const char *arg(const ilnet_bngl_action *a, const char *key)
{
    for (int i = 0; i < a->n; i++)
        if (a->keys[i] && !strcmp(a->keys[i], key)) return a->vals[i];
    return NULL;
}

static int has_param(const ilnet_bngl_model *m, const char *name)
{
    for (int i = 0; i < m->n_params; i++)
        if (!strcmp(m->params[i].name, name)) return 1;
    return 0;
}

static const char *param_at(const void *ctx, size_t i)
{
    return ((const ilnet_bngl_model *)ctx)->params[i].name;
}

/* " (did you mean 'X'?)" for an unknown parameter name, or "" */
typedef struct {
    char s[300];
} suggestion;

static suggestion dym(const ilnet_bngl_model *m, const char *name)
{
    suggestion out;
    ilnet_did_you_mean(out.s, sizeof out.s, name, param_at, m, (size_t)m->n_params);
    return out;
}

static int aerr(const ilnet_bngl_model *m, const ilnet_bngl_action *a, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int aerr(const ilnet_bngl_model *m, const ilnet_bngl_action *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ilnet_error_atv(ILNET_EINPUT, m->path, a->line, a->col, a->name, fmt, ap);
    va_end(ap);
    return rc;
}

static int num(const ilnet_bngl_model *m, const ilnet_bngl_action *a, const char *key, double *out,
               double def)
{
    const char *v = arg(a, key);
    *out = def;
    if (!v) return 0;
    char *e;
    double x = strtod(v, &e);
    if (e == v || *e || !isfinite(x)) return aerr(m, a, "'%s' must be a number, got '%s'", key, v);
    *out = x;
    return 0;
}

/* numbers in "[a,b,c]" */
static int num_list(const ilnet_bngl_model *m, const ilnet_bngl_action *a, const char *key,
                    double **out, int *n)
{
    const char *v = arg(a, key);
    *out = NULL;
    *n = 0;
    if (!v) return 0;
    if (*v != '[') return aerr(m, a, "'%s' must be a list [v1,v2,...]", key);
    int cap = 16;
    double *x = malloc((size_t)cap * sizeof *x);
    if (!x) return ilnet_error_oom();
    const char *p = v + 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ']') break;
        char *e;
        double d = strtod(p, &e);
        if (e == p || !isfinite(d)) {
            free(x);
            return aerr(m, a, "'%s': bad number in list '%s'", key, v);
        }
        if (*n == cap) {
            cap *= 2;
            double *y = realloc(x, (size_t)cap * sizeof *y);
            if (!y) {
                free(x);
                return ilnet_error_oom();
            }
            x = y;
        }
        x[(*n)++] = d;
        p = e;
    }
    if (p[1]) {
        free(x);
        return aerr(m, a, "'%s': text after the list", key);
    }
    *out = x;
    return 0;
}

static int check_sim(const ilnet_bngl_model *m, const ilnet_bngl_action *a, int scan)
{
    const char *method = arg(a, "method");
    if (method && strcmp(method, "ode") && strcmp(method, "cvode"))
        return aerr(m, a, "method '%s' is not supported (only \"ode\")", method);
    double t0, t1, n, at, rt, x;
    int rc = num(m, a, "t_start", &t0, 0);
    if (!rc) rc = num(m, a, "t_end", &t1, NAN);
    if (!rc) rc = num(m, a, "n_steps", &n, NAN);
    if (!rc && isnan(n)) rc = num(m, a, "n_output_steps", &n, 1);
    if (!rc) rc = num(m, a, "atol", &at, 1e-8);
    if (!rc) rc = num(m, a, "rtol", &rt, 1e-8);
    if (!rc) rc = num(m, a, "continue", &x, 0);
    if (rc) return rc;
    if (isnan(t1)) return aerr(m, a, "needs t_end");
    if (!(t1 > t0) && !arg(a, "continue"))
        return aerr(m, a, "t_end %g is not after t_start %g", t1, t0);
    if (!(n >= 1) || n != floor(n) || n > 1e8)
        return aerr(m, a, "n_steps must be a positive integer");
    if (!(at > 0) || !(rt > 0)) return aerr(m, a, "atol and rtol must be positive");
    if (scan) {
        const char *p = arg(a, "parameter");
        if (!p) return aerr(m, a, "needs parameter");
        if (!has_param(m, p)) return aerr(m, a, "unknown parameter '%s'%s", p, dym(m, p).s);
        double *vals;
        int nv;
        if ((rc = num_list(m, a, "par_scan_vals", &vals, &nv))) return rc;
        free(vals);
        if (!nv) {
            double lo, hi, np, lg;
            if ((rc = num(m, a, "par_min", &lo, NAN)) || (rc = num(m, a, "par_max", &hi, NAN)) ||
                (rc = num(m, a, "n_scan_pts", &np, NAN)) || (rc = num(m, a, "log_scale", &lg, 0)))
                return rc;
            if (isnan(lo) || isnan(hi) || isnan(np))
                return aerr(m, a, "needs par_scan_vals or par_min, par_max and n_scan_pts");
            if (!(np >= 1) || np != floor(np))
                return aerr(m, a, "n_scan_pts must be a positive integer");
            if (lg != 0 && !(lo > 0 && hi > 0))
                return aerr(m, a, "log_scale needs positive par_min and par_max");
        }
    }
    return 0;
}

/* exports to other tools' formats: skipped with a warning, they produce no results */
static int is_export(const char *name)
{
    return !strcmp(name, "writeSBML") || !strcmp(name, "writeMfile") ||
           !strcmp(name, "writeMexfile") || !strcmp(name, "writeXML") ||
           !strcmp(name, "writeCPYfile") || !strcmp(name, "writeLatex") ||
           !strcmp(name, "writeModel") || !strcmp(name, "writeFile");
}

int ilnet_actions_check(const ilnet_bngl_model *m)
{
    for (int i = 0; i < m->n_actions; i++) {
        const ilnet_bngl_action *a = &m->actions[i];
        const action_spec *sp = find_spec(a->name);
        if (!sp) {
            if (is_export(a->name)) continue; /* reported when run, see below */
            if (!strcmp(a->name, "visualize") || !strcmp(a->name, "bifurcate") ||
                !strcmp(a->name, "simulate_ssa") || !strcmp(a->name, "simulate_nf") ||
                !strcmp(a->name, "simulate_pla") || !strcmp(a->name, "readFile"))
                return aerr(m, a, "this action is not supported by ilnet");
            return aerr(m, a, "unknown action");
        }
        int npos = 0;
        for (int k = 0; k < a->n; k++) {
            if (a->keys[k]) {
                if (!sp->keys)
                    return aerr(m, a, "takes positional arguments, not '%s=>'", a->keys[k]);
                if (!has_word(sp->keys, a->keys[k]))
                    return aerr(m, a, "unknown argument '%s'", a->keys[k]);
            } else {
                if (sp->keys) return aerr(m, a, "takes {key=>value} arguments");
                npos++;
            }
        }
        if (!sp->keys && (npos < sp->min_pos || npos > sp->max_pos))
            return aerr(m, a, "takes %d argument(s), %d given", sp->max_pos, npos);
        int rc = 0;
        if (!strcmp(a->name, "simulate") || !strcmp(a->name, "simulate_ode"))
            rc = check_sim(m, a, 0);
        else if (!strcmp(a->name, "parameter_scan"))
            rc = check_sim(m, a, 1);
        else if (!strcmp(a->name, "setParameter")) {
            if (!has_param(m, a->vals[0]))
                rc = aerr(m, a, "unknown parameter '%s'%s", a->vals[0], dym(m, a->vals[0]).s);
        }
        if (rc) return rc;
    }
    return 0;
}

/* ---- running ---- */

typedef struct {
    ilnet_bngl_model *m;
    const ilnet_actions_options *o;
    char **used; /* output names written in this run: never overwrite one */
    int n_used;
    ilnet_network *net;
    double *y, *saved;
    double t_last;
    char *stem;
} runner;

static int ensure_network(runner *R, const ilnet_bngl_action *gen)
{
    if (R->net && !gen) return 0;
    ilnet_netgen_options opt;
    int rc = ilnet_bngl_netgen_options(&opt, R->m);
    if (rc) return rc;
    ilnet_netgen_stats st;
    ilnet_network_free(R->net);
    R->net = NULL;
    rc = ilnet_bngl_generate(&R->net, R->m, &opt, &st);
    ilnet_netgen_options_free(&opt);
    if (rc) return rc;
    size_t n = ilnet_network_species_count(R->net);
    free(R->y);
    free(R->saved);
    R->saved = NULL;
    R->y = malloc((n + 1) * sizeof *R->y);
    if (!R->y) return ilnet_error_oom();
    for (size_t i = 0; i < n; i++)
        R->y[i] = ilnet_network_species(R->net, i)->initial;
    if (st.n_idle)
        ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_WARNING,
                          "%s: %d rule(s) never apply to any species: %s", R->m->path, st.n_idle,
                          st.idle);
    ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_INFO,
                      "generate_network: %zu species, %zu reactions (%.3f s)", n,
                      ilnet_network_reaction_count(R->net), st.seconds);
    return 0;
}

static char *out_name(const runner *R, const char *suffix, const char *ext)
{
    size_t n = strlen(R->stem) + (suffix ? strlen(suffix) : 0) + strlen(ext) +
               (R->o->outdir ? strlen(R->o->outdir) : 0) + 8;
    char *s = malloc(n);
    if (s)
        snprintf(s, n, "%s%s%s%s%s%s", R->o->outdir ? R->o->outdir : "", R->o->outdir ? "/" : "",
                 R->stem, suffix ? "_" : "", suffix ? suffix : "", ext);
    return s;
}

/* simulate({steady_state=>1}): the run ends at the first output row where the rates' weighted
 * RMS norm is <= 1 (ilnet_solver_rate_norm); a warning when none is */
static void stop_at_steady_state(runner *R, const ilnet_bngl_action *a, ilnet_solver *s,
                                 ilnet_result *res)
{
    for (size_t r = 0; r < res->n_done; r++)
        if (ilnet_solver_rate_norm(s, res->times[r], res->species + r * res->n_species) <= 1) {
            ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_INFO,
                              "%s: steady state reached at t = %g (row %zu)", a->name,
                              res->times[r], r);
            res->n_done = r + 1;
            return;
        }
    ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_WARNING,
                      "%s:%d: %s: steady_state=>1 but no steady state by t = %g (the rates' "
                      "weighted norm is %.3g > 1)",
                      R->m->path, a->line, a->name, res->times[res->n_done - 1],
                      ilnet_solver_rate_norm(s, res->times[res->n_done - 1],
                                             res->species + (res->n_done - 1) * res->n_species));
}

static int simulate(runner *R, const ilnet_bngl_action *a, double t0, double t1, long n,
                    ilnet_solver_options *so, const char *suffix, ilnet_result *res, int write)
{
    ilnet_solver *s;
    int rc = ilnet_solver_new(&s, R->net, so);
    if (rc) return rc;
    if ((rc = ilnet_result_init(res, R->net, (size_t)n + 1))) {
        ilnet_solver_free(s);
        return rc;
    }
    ilnet_result_linear_times(res, t0, t1);
    double ta = ilnet_clock_now();
    rc = ilnet_solver_run(s, res, R->y);
    double wall = ilnet_clock_now() - ta;
    if (!rc && arg(a, "steady_state") && strcmp(arg(a, "steady_state"), "0"))
        stop_at_steady_state(R, a, s, res);
    char msg[1200] = "";
    if (rc == ILNET_ESOLVER) snprintf(msg, sizeof msg, "%s", ilnet_error_last());
    if (rc && rc != ILNET_ESOLVER) {
        ilnet_solver_free(s);
        return rc;
    }
    if (write) {
        /* a second simulate with the same name gets _2, _3, ... instead of overwriting */
        char sfx[200];
        snprintf(sfx, sizeof sfx, "%s", suffix ? suffix : "");
        for (int k = 2;; k++) {
            int dup = 0;
            for (int u = 0; u < R->n_used; u++)
                dup |= !strcmp(R->used[u], sfx);
            if (!dup) break;
            snprintf(sfx, sizeof sfx, "%s%s%d", suffix ? suffix : "", suffix ? "_" : "", k);
        }
        char **nu = realloc(R->used, (size_t)(R->n_used + 1) * sizeof *nu);
        if (nu) {
            R->used = nu;
            nu[R->n_used] = strdup(sfx);
            if (nu[R->n_used]) R->n_used++;
        }
        const char *sf = sfx[0] ? sfx : NULL;
        char *h5 = out_name(R, sf, ".h5"), *pre = out_name(R, sf, "");
        const char *pf = arg(a, "print_functions");
        ilnet_timecourse_meta meta = {
            R->m->path, R->m->text, R->o->command_line,        ilnet_solver_linsol_name(s), so,
            wall,       NULL,       pf && strcmp(pf, "0") != 0};
        int wrc = !h5 || !pre   ? ilnet_error_oom()
                  : R->o->write ? R->o->write(R->o->write_payload, h5, R->o->gdat ? pre : NULL,
                                              R->net, res, &meta)
                                : 0;
        if (!wrc)
            ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_INFO,
                              "%s: t=%g..%g, %zu rows, %ld steps (%.3f s) -> %s", a->name, t0, t1,
                              res->n_done, res->stats.steps, wall, h5);
        free(h5);
        free(pre);
        if (wrc) {
            ilnet_solver_free(s);
            return wrc;
        }
    }
    ilnet_solver_free(s);
    if (rc == ILNET_ESOLVER)
        return ilnet_error_set(ILNET_ESOLVER, "%s:%d: %s: %s", R->m->path, a->line, a->name, msg);
    /* the run's end state is the current state, as in BioNetGen */
    memcpy(R->y, res->species + (res->n_done - 1) * res->n_species, res->n_species * sizeof *R->y);
    R->t_last = t1;
    return 0;
}

static int sim_options(runner *R, const ilnet_bngl_action *a, double *t0, double *t1, long *n,
                       ilnet_solver_options *so)
{
    double nn = 1, cont = 0;
    ilnet_solver_options def = ILNET_SOLVER_OPTIONS_INIT;
    *so = def;
    int rc = num(R->m, a, "t_start", t0, 0);
    if (!rc) rc = num(R->m, a, "continue", &cont, 0);
    if (!rc && cont != 0 && !arg(a, "t_start")) *t0 = R->t_last;
    if (!rc) rc = num(R->m, a, "t_end", t1, NAN);
    if (!rc) rc = num(R->m, a, "n_steps", &nn, NAN);
    if (!rc && isnan(nn)) rc = num(R->m, a, "n_output_steps", &nn, 1);
    if (!rc) rc = num(R->m, a, "atol", &so->atol, 1e-8);
    if (!rc) rc = num(R->m, a, "rtol", &so->rtol, 1e-8);
    if (!rc && !(*t1 > *t0)) rc = aerr(R->m, a, "t_end %g is not after t_start %g", *t1, *t0);
    *n = (long)nn;
    return rc;
}

static int resolve_param(void *ctx, const char *name, size_t len)
{
    const ilnet_network *net = ctx;
    char buf[256];
    if (len >= sizeof buf) return -1;
    memcpy(buf, name, len);
    buf[len] = '\0';
    return ilnet_network_find_parameter(net, buf);
}

static int eval_value(runner *R, const ilnet_bngl_action *a, const char *text, double *out)
{
    ilnet_expr *e;
    size_t pos;
    if (ilnet_expr_parse(&e, text, resolve_param, R->net, &pos))
        return aerr(R->m, a, "bad value '%s': %s", text, ilnet_error_last());
    size_t np = ilnet_network_parameter_count(R->net);
    double *v = malloc((np + 1) * sizeof *v);
    if (!v) {
        ilnet_expr_free(e);
        return ilnet_error_oom();
    }
    for (size_t i = 0; i < np; i++)
        v[i] = ilnet_network_parameter(R->net, i)->value;
    *out = ilnet_expr_eval(e, v);
    free(v);
    ilnet_expr_free(e);
    if (!isfinite(*out)) return aerr(R->m, a, "value '%s' is not finite", text);
    return 0;
}

static int set_concentration(runner *R, const ilnet_bngl_action *a)
{
    ilnet_graph g;
    ilnet_graph_init(&g);
    int rc = ilnet_bngl_parse_graph(&g, R->m, a->vals[0], 1);
    if (rc) {
        ilnet_graph_free(&g);
        return aerr(R->m, a, "species '%s': %s", a->vals[0], ilnet_error_last());
    }
    ilnet_canon_ws *ws;
    char *buf = NULL;
    size_t cap = 0;
    rc = ilnet_canon_ws_new(&ws);
    if (!rc) rc = ilnet_graph_canonical(ws, &g, &R->m->mt, &buf, &cap);
    ilnet_canon_ws_free(ws);
    ilnet_graph_free(&g);
    int idx = rc ? -1 : ilnet_network_find_species(R->net, buf);
    if (!rc && idx < 0) rc = aerr(R->m, a, "species '%s' is not in the network", a->vals[0]);
    free(buf);
    double v;
    if (!rc) rc = eval_value(R, a, a->vals[1], &v);
    if (!rc) R->y[idx] = v;
    return rc;
}

static int parameter_scan(runner *R, const ilnet_bngl_action *a)
{
    double t0, t1, lo, hi, np, lg, reset;
    long n;
    ilnet_solver_options so;
    int rc = sim_options(R, a, &t0, &t1, &n, &so);
    if (rc) return rc;
    double *vals;
    int nv;
    if ((rc = num_list(R->m, a, "par_scan_vals", &vals, &nv))) return rc;
    num(R->m, a, "reset_conc", &reset, 1);
    if (!nv) {
        num(R->m, a, "par_min", &lo, 0);
        num(R->m, a, "par_max", &hi, 0);
        num(R->m, a, "n_scan_pts", &np, 1);
        num(R->m, a, "log_scale", &lg, 0);
        nv = (int)np;
        vals = malloc((size_t)nv * sizeof *vals);
        if (!vals) return ilnet_error_oom();
        for (int i = 0; i < nv; i++) {
            double f = nv > 1 ? (double)i / (nv - 1) : 0;
            vals[i] = lg != 0 ? exp(log(lo) + f * (log(hi) - log(lo))) : lo + f * (hi - lo);
        }
    }
    const char *par = arg(a, "parameter");
    int pi = ilnet_network_find_parameter(R->net, par);
    double old = ilnet_network_parameter(R->net, (size_t)pi)->value;
    const char *suffix = arg(a, "suffix");
    char *path = out_name(R, suffix ? suffix : par, ".scan");
    FILE *f = path ? fopen(path, "w") : NULL;
    if (!f) {
        free(vals);
        rc = ilnet_error_set(ILNET_EIO, "%s: cannot create", path ? path : "scan file");
        free(path);
        return rc;
    }
    size_t ns = ilnet_network_species_count(R->net), no = ilnet_network_observable_count(R->net);
    double *y_start = malloc((ns + 1) * sizeof *y_start);
    if (!y_start)
        rc = ilnet_error_oom();
    else
        memcpy(y_start, R->y, ns * sizeof *y_start);
    fprintf(f, "# %s", par);
    for (size_t k = 0; k < no; k++)
        fprintf(f, " %s", ilnet_network_observable(R->net, k)->name);
    fputc('\n', f);
    for (int i = 0; i < nv && !rc; i++) {
        if ((rc = ilnet_network_set_parameter(R->net, par, vals[i]))) break;
        if (reset != 0)
            for (size_t s = 0; s < ns; s++)
                R->y[s] = ilnet_network_species(R->net, s)->initial;
        else
            memcpy(R->y, y_start, ns * sizeof *R->y);
        ilnet_result res = {0};
        rc = simulate(R, a, t0, t1, n, &so, NULL, &res, 0);
        if (!rc) {
            fprintf(f, "%.12e", vals[i]);
            const double *obs = res.observables + (res.n_done - 1) * no;
            for (size_t k = 0; k < no; k++)
                fprintf(f, " %.12e", obs[k]);
            fputc('\n', f);
        }
        ilnet_result_free(&res);
    }
    if (fclose(f) && !rc) rc = ilnet_error_set(ILNET_EIO, "%s: write failed", path);
    if (!rc) rc = ilnet_network_set_parameter(R->net, par, old);
    if (!rc)
        ilnet_notify_send(&R->o->notify, ILNET_MESSAGE_INFO,
                          "parameter_scan: %s over %d values -> %s", par, nv, path);
    if (rc) remove(path);
    free(y_start);
    free(path);
    free(vals);
    return rc;
}

int ilnet_actions_run(ilnet_bngl_model *m, const ilnet_actions_options *o)
{
    int rc = ilnet_actions_check(m);
    if (rc) return rc;
    runner R = {m, o, NULL, 0, NULL, NULL, NULL, 0, NULL};
    const char *base = strrchr(m->path, '/');
    base = base ? base + 1 : m->path;
    size_t bl = strlen(base);
    if (bl > 5 && !strcmp(base + bl - 5, ".bngl")) bl -= 5;
    R.stem = strndup(base, bl);
    if (!R.stem) return ilnet_error_oom();
    if (o->outdir) { /* created when missing, as a study's output directory */
        char *probe = out_name(&R, NULL, ".probe");
        rc = probe ? ilnet_file_make_parents(probe, 0) : ilnet_error_oom();
        free(probe);
        if (rc) {
            free(R.stem);
            return rc;
        }
    }
    if (m->n_actions == 0)
        ilnet_notify_send(&o->notify, ILNET_MESSAGE_INFO, "%s: no actions", m->path);
    for (int i = 0; i < m->n_actions && !rc; i++) {
        const ilnet_bngl_action *a = &m->actions[i];
        if (is_export(a->name)) {
            ilnet_notify_send(&o->notify, ILNET_MESSAGE_WARNING,
                              "%s:%d: %s is not supported by ilnet; skipped", m->path, a->line,
                              a->name);
            continue;
        }
        if (!strcmp(a->name, "generate_network")) {
            rc = ensure_network(&R, a);
            if (!rc) {
                char *p = out_name(&R, arg(a, "suffix"), ".net");
                rc = p ? ilnet_netfile_write(R.net, p) : ilnet_error_oom();
                free(p);
            }
            continue;
        }
        if ((rc = ensure_network(&R, NULL))) break;
        size_t ns = ilnet_network_species_count(R.net);
        if (!strcmp(a->name, "simulate") || !strcmp(a->name, "simulate_ode")) {
            double t0, t1;
            long n;
            ilnet_solver_options so;
            ilnet_result res = {0};
            rc = sim_options(&R, a, &t0, &t1, &n, &so);
            if (!rc) rc = simulate(&R, a, t0, t1, n, &so, arg(a, "suffix"), &res, 1);
            ilnet_result_free(&res);
        } else if (!strcmp(a->name, "parameter_scan")) {
            rc = parameter_scan(&R, a);
        } else if (!strcmp(a->name, "setConcentration")) {
            rc = set_concentration(&R, a);
        } else if (!strcmp(a->name, "setParameter")) {
            double v;
            rc = eval_value(&R, a, a->vals[1], &v);
            if (!rc) rc = ilnet_network_set_parameter(R.net, a->vals[0], v);
        } else if (!strcmp(a->name, "saveConcentrations")) {
            free(R.saved);
            R.saved = malloc((ns + 1) * sizeof *R.saved);
            if (!R.saved)
                rc = ilnet_error_oom();
            else
                memcpy(R.saved, R.y, ns * sizeof *R.y);
        } else if (!strcmp(a->name, "resetConcentrations")) {
            for (size_t s = 0; s < ns; s++)
                R.y[s] = R.saved ? R.saved[s] : ilnet_network_species(R.net, s)->initial;
        } else if (!strcmp(a->name, "writeNetwork") || !strcmp(a->name, "writeNET")) {
            char *p = out_name(&R, arg(a, "suffix"), ".net");
            rc = p ? ilnet_netfile_write(R.net, p) : ilnet_error_oom();
            free(p);
        }
    }
    for (int i = 0; i < R.n_used; i++)
        free(R.used[i]);
    free(R.used);
    free(R.stem);
    free(R.y);
    free(R.saved);
    ilnet_network_free(R.net);
    return rc;
}

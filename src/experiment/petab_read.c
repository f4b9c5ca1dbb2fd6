/* Reading and checking a PEtab v1 problem (petab.h). */
#include "../common/error.h"
#include "../common/file.h"
#include "../common/yaml.h"
#include "../model/load.h"
#include "petab_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int petab_error(const char *file, int line, const char *column, const char *id, const char *fmt,
                ...)
{
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ilnet_error_set(ILNET_EINPUT, "%s:%d: %s: %s: %s", file, line, column, id, msg);
}

int petab_number(const char *s, double *out)
{
    if (!*s) return -1;
    char *end;
    double v = strtod(s, &end);
    if (*end) return -1;
    *out = v;
    return 0;
}

int petab_nan_cell(const char *s)
{
    return !*s || !strcasecmp(s, "nan");
}

void ilnet_petab_free(ilnet_petab *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->n_par; i++)
        free(p->par[i].id);
    for (size_t i = 0; i < p->n_obs; i++) {
        free(p->obs[i].id);
        free(p->obs[i].formula);
        free(p->obs[i].noise);
    }
    for (size_t i = 0; i < p->n_cond; i++)
        free(p->cond_id[i]);
    for (size_t i = 0; i < p->n_col; i++)
        free(p->col[i].id);
    for (size_t i = 0; i < p->n_meas; i++) {
        free(p->meas[i].obs_par);
        free(p->meas[i].noise_par);
    }
    free(p->par);
    free(p->obs);
    free(p->cond_id);
    free(p->cond_line);
    free(p->inner_s);
    free(p->inner_b);
    free(p->inner_sig);
    free(p->col);
    free(p->cond);
    free(p->meas);
    free(p->yaml_path);
    free(p->model_path);
    free(p->cond_file);
    free(p->meas_file);
    free(p->obs_file);
    free(p->par_file);
    ilnet_strmap_free(&p->par_ids);
    ilnet_strmap_free(&p->obs_ids);
    ilnet_strmap_free(&p->cond_ids);
    for (size_t i = 0; i < p->n_sym; i++) {
        free(p->sym[i]);
        free(p->sym_expr[i]);
    }
    free(p->sym);
    free(p->sym_expr);
    petab_eval_free(p);
    ilnet_sbml_symbols_free(&p->syms);
    ilnet_network_free(p->net);
    free(p);
}

double petab_to_scale(int scale, double x)
{
    return scale == PETAB_LOG ? log(x) : scale == PETAB_LOG10 ? log10(x) : x;
}

const char *petab_scale_name(int scale)
{
    return scale == PETAB_LOG ? "log" : scale == PETAB_LOG10 ? "log10" : "lin";
}

double petab_from_scale(int scale, double t)
{
    return scale == PETAB_LOG ? exp(t) : scale == PETAB_LOG10 ? pow(10, t) : t;
}

double petab_value_get(const petab_value *v, const double *x)
{
    return v->par >= 0 ? x[v->par] : v->value;
}

/* ---- YAML ---- */

/* dir/name, or name when absolute */
static char *relative(const char *yaml, const char *name)
{
    char dir[4096];
    ilnet_file_dirname(dir, sizeof dir, yaml);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s/%s", name[0] == '/' ? "" : dir, name);
    if (out && name[0] == '/') memmove(out, out + 1, strlen(out));
    return out;
}

/* the one file of list key (a sequence of one string) in problem */
static int one_file(const ilnet_yaml *y, const yaml_node_t *prob, const char *key, const char *yaml,
                    char **out, int required)
{
    yaml_node_t *n = ilnet_yaml_lookup(y, prob, key);
    if (!n) {
        if (!required) return 0;
        return ilnet_error_at(ILNET_EINPUT, yaml, ilnet_yaml_line(prob), ilnet_yaml_col(prob), key,
                              "missing");
    }
    if (ilnet_yaml_items(n) != 1 || !ilnet_yaml_scalar(ilnet_yaml_item(y, n, 0)))
        return ilnet_error_at(ILNET_EINPUT, yaml, ilnet_yaml_line(n), ilnet_yaml_col(n), key,
                              "expected a list of one file (several are not supported)");
    *out = relative(yaml, ilnet_yaml_scalar(ilnet_yaml_item(y, n, 0)));
    return *out ? 0 : ilnet_error_oom();
}

static int read_yaml(ilnet_petab *p, const char *path)
{
    ilnet_yaml y;
    int rc = ilnet_yaml_load_file(&y, path);
    yaml_node_t *root = rc ? NULL : ilnet_yaml_root(&y);
    if (!rc && !ilnet_yaml_pairs(root))
        rc = ilnet_error_at(ILNET_EINPUT, path, 1, 1, "format_version", "expected a mapping");
    yaml_node_t *fv = rc ? NULL : ilnet_yaml_lookup(&y, root, "format_version");
    const char *v = ilnet_yaml_scalar(fv);
    if (!rc && (!v || (strcmp(v, "1") && strcmp(v, "1.0.0"))))
        rc = ilnet_error_at(ILNET_EINPUT, path, fv ? ilnet_yaml_line(fv) : 1, 1, "format_version",
                            "'%s' is not supported (PEtab 1)", v ? v : "missing");
    yaml_node_t *pf = rc ? NULL : ilnet_yaml_lookup(&y, root, "parameter_file");
    if (!rc && !ilnet_yaml_scalar(pf))
        rc = ilnet_error_at(ILNET_EINPUT, path, 1, 1, "parameter_file", "missing");
    if (!rc && !(p->par_file = relative(path, ilnet_yaml_scalar(pf)))) rc = ilnet_error_oom();
    yaml_node_t *probs = rc ? NULL : ilnet_yaml_lookup(&y, root, "problems");
    if (!rc && ilnet_yaml_items(probs) != 1)
        rc = ilnet_error_at(ILNET_EINPUT, path, probs ? ilnet_yaml_line(probs) : 1, 1, "problems",
                            "expected a list of one problem");
    yaml_node_t *prob = rc ? NULL : ilnet_yaml_item(&y, probs, 0);
    if (!rc) rc = one_file(&y, prob, "condition_files", path, &p->cond_file, 1);
    if (!rc) rc = one_file(&y, prob, "measurement_files", path, &p->meas_file, 1);
    if (!rc) rc = one_file(&y, prob, "observable_files", path, &p->obs_file, 1);
    if (!rc) rc = one_file(&y, prob, "sbml_files", path, &p->model_path, 0);
    if (!rc && !p->model_path) rc = one_file(&y, prob, "model_files", path, &p->model_path, 0);
    if (!rc && !p->model_path)
        rc = ilnet_error_at(ILNET_EINPUT, path, ilnet_yaml_line(prob), 1, "sbml_files", "missing");
    ilnet_yaml_free(&y);
    return rc;
}

/* ---- parameters ---- */

static int parse_scale(const char *s, int *out)
{
    if (!strcmp(s, "lin") || !*s)
        *out = PETAB_LIN;
    else if (!strcmp(s, "log"))
        *out = PETAB_LOG;
    else if (!strcmp(s, "log10"))
        *out = PETAB_LOG10;
    else
        return -1;
    return 0;
}

static int parse_prior(petab_parameter *q, const char *type, const char *pars, const char *file)
{
    static const struct {
        const char *name;
        int type, on_scale;
    } kinds[] = {{"normal", PETAB_PRIOR_NORMAL, 0},
                 {"laplace", PETAB_PRIOR_LAPLACE, 0},
                 {"uniform", PETAB_PRIOR_UNIFORM, 0},
                 {"logNormal", PETAB_PRIOR_LOGNORMAL, 0},
                 {"logLaplace", PETAB_PRIOR_LOGLAPLACE, 0},
                 {"parameterScaleNormal", PETAB_PRIOR_NORMAL, 1},
                 {"parameterScaleLaplace", PETAB_PRIOR_LAPLACE, 1},
                 {"parameterScaleUniform", PETAB_PRIOR_UNIFORM, 1}};
    if (!*type) return 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
        if (!strcmp(type, kinds[k].name)) {
            q->prior = kinds[k].type;
            q->prior_on_scale = kinds[k].on_scale;
        }
    if (!q->prior)
        return petab_error(file, q->line, "objectivePriorType", q->id, "unknown prior '%s'", type);
    char a[64], b[64];
    if (sscanf(pars, "%63[^;];%63s", a, b) != 2 || petab_number(a, &q->prior_par[0]) ||
        petab_number(b, &q->prior_par[1]))
        return petab_error(file, q->line, "objectivePriorParameters", q->id,
                           "expected two numbers 'a;b', found '%s'", pars);
    return 0;
}

/* pyPESTO's parameterType column: scaling, offset, sigma, or empty */
static int parse_inner(petab_parameter *q, const char *type, const char *file)
{
    static const char *names[] = {"", "scaling", "offset", "sigma"};
    if (petab_nan_cell(type)) return 0;
    for (int k = 1; k < 4; k++)
        if (!strcmp(type, names[k])) return q->inner = k, 0;
    return petab_error(file, q->line, "parameterType", q->id,
                       "'%s' is not scaling, offset or sigma (or empty)", type);
}

static int read_parameters(ilnet_petab *p)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, p->par_file);
    if (rc) return rc;
    const char *need[] = {"parameterId", "parameterScale", "lowerBound",
                          "upperBound",  "nominalValue",   "estimate"};
    int col[6];
    for (int k = 0; k < 6 && !rc; k++)
        if ((col[k] = ilnet_tsv_col(&t, need[k])) < 0)
            rc = petab_error(p->par_file, 1, need[k], "header", "required column missing");
    int cpt = ilnet_tsv_col(&t, "objectivePriorType"),
        cpp = ilnet_tsv_col(&t, "objectivePriorParameters"),
        cty = ilnet_tsv_col(&t, "parameterType");
    p->par = calloc(t.n_rows + 1, sizeof *p->par);
    if (!rc && !p->par) rc = ilnet_error_oom();
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        petab_parameter *q = &p->par[p->n_par];
        q->line = t.line[r];
        const char *id = ilnet_tsv_cell(&t, r, col[0]);
        if (!*id) {
            rc = petab_error(p->par_file, q->line, "parameterId", "(empty)", "missing id");
            break;
        }
        if (!(q->id = strdup(id))) rc = ilnet_error_oom();
        p->n_par++;
        if (!rc && ilnet_strmap_put(&p->par_ids, q->id, (int)r) == 1)
            rc = petab_error(p->par_file, q->line, "parameterId", id, "listed twice");
        const char *sc = ilnet_tsv_cell(&t, r, col[1]), *est = ilnet_tsv_cell(&t, r, col[5]);
        if (!rc && parse_scale(sc, &q->scale))
            rc = petab_error(p->par_file, q->line, "parameterScale", id,
                             "'%s' is not lin, log or log10", sc);
        const char *names[3] = {"lowerBound", "upperBound", "nominalValue"};
        double *vals[3] = {&q->lower, &q->upper, &q->nominal};
        for (int k = 0; k < 3 && !rc; k++) {
            const char *c = ilnet_tsv_cell(&t, r, col[2 + k]);
            if (petab_number(c, vals[k]) && !(k < 2 && petab_nan_cell(c)))
                rc = petab_error(p->par_file, q->line, names[k], id, "'%s' is not a number", c);
        }
        if (!rc && strcmp(est, "0") && strcmp(est, "1"))
            rc = petab_error(p->par_file, q->line, "estimate", id, "expected 0 or 1, found '%s'",
                             est);
        q->estimate = !strcmp(est, "1");
        if (!rc && q->scale != PETAB_LIN && q->estimate && !(q->lower > 0))
            rc = petab_error(p->par_file, q->line, "lowerBound", id,
                             "%g: a parameter on a log scale needs a positive lower bound",
                             q->lower);
        if (!rc && q->scale != PETAB_LIN && !(q->nominal > 0) && q->estimate)
            rc = petab_error(p->par_file, q->line, "nominalValue", id,
                             "%g: a parameter on a log scale must be positive", q->nominal);
        if (!rc && cpt >= 0)
            rc =
                parse_prior(q, ilnet_tsv_cell(&t, r, cpt), ilnet_tsv_cell(&t, r, cpp), p->par_file);
        if (!rc && cty >= 0) rc = parse_inner(q, ilnet_tsv_cell(&t, r, cty), p->par_file);
    }
    ilnet_tsv_free(&t);
    return rc;
}

/* ---- cells ---- */

int petab_cell_value(const ilnet_petab *p, const char *cell, petab_value *v, const char *file,
                     int line, const char *column, const char *id)
{
    v->par = -1;
    v->none = 0;
    v->value = NAN;
    if (petab_nan_cell(cell)) {
        v->none = 1;
        return 0;
    }
    if (!petab_number(cell, &v->value)) return 0;
    if ((v->par = ilnet_strmap_get(&p->par_ids, cell, (size_t)-1)) >= 0) return 0;
    return petab_error(file, line, column, id,
                       "'%s' is neither a number nor a parameter of the parameter table", cell);
}

/* "a;b;c" into *out (count *n) */
int petab_cell_list(const ilnet_petab *p, const char *cell, petab_value **out, int *n,
                    const char *file, int line, const char *column, const char *id)
{
    *n = 0;
    *out = NULL;
    if (!*cell) return 0;
    int cap = 1;
    for (const char *c = cell; *c; c++)
        cap += *c == ';';
    *out = calloc((size_t)cap, sizeof **out);
    char *copy = strdup(cell);
    if (!*out || !copy) {
        free(copy);
        return ilnet_error_oom();
    }
    int rc = 0;
    for (char *s = copy, *e; s && !rc; s = e ? e + 1 : NULL) {
        e = strchr(s, ';');
        if (e) *e = '\0';
        while (*s == ' ')
            s++;
        size_t l = strlen(s);
        while (l && s[l - 1] == ' ')
            s[--l] = '\0';
        rc = petab_cell_value(p, s, &(*out)[(*n)++], file, line, column, id);
    }
    free(copy);
    return rc;
}

/* ---- the model and its names ---- */

static int is_identifier(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    for (s++; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static int add_symbol(ilnet_petab *p, const char *name, const char *expr)
{
    p->sym[p->n_sym] = strdup(name);
    p->sym_expr[p->n_sym] = strdup(expr);
    if (!p->sym[p->n_sym] || !p->sym_expr[p->n_sym]) return ilnet_error_oom();
    p->n_sym++;
    return 0;
}

static int load_model(ilnet_petab *p)
{
    const char *m = p->model_path;
    size_t n = strlen(m);
    p->is_sbml = (n > 4 && !strcmp(m + n - 4, ".xml")) || (n > 5 && !strcmp(m + n - 5, ".sbml"));
    int rc = p->is_sbml ? ilnet_sbml_read(&p->net, &p->syms, m, NULL)
                        : ilnet_network_load(&p->net, m, NULL);
    if (rc) return rc;
    const ilnet_network *net = p->net;
    size_t np = ilnet_network_parameter_count(net), ns = ilnet_network_species_count(net);
    size_t no = ilnet_network_observable_count(net);
    size_t cap = p->is_sbml ? (size_t)p->syms.n : np + ns + no;
    p->sym = calloc(cap + 1, sizeof *p->sym);
    p->sym_expr = calloc(cap + 1, sizeof *p->sym_expr);
    if (!p->sym || !p->sym_expr) return ilnet_error_oom();
    if (p->is_sbml) {
        for (int i = 0; i < p->syms.n && !rc; i++)
            if (!p->syms.reaction[i]) /* fluxes are not differentiable symbols here */
                rc = add_symbol(p, p->syms.id[i], p->syms.conc[i]);
        return rc;
    }
    for (size_t i = 0; i < np && !rc; i++)
        rc = add_symbol(p, ilnet_network_parameter(net, i)->name,
                        ilnet_network_parameter(net, i)->name);
    for (size_t i = 0; i < no && !rc; i++)
        rc = add_symbol(p, ilnet_network_observable(net, i)->name,
                        ilnet_network_observable(net, i)->name);
    /* species named as identifiers (an SBML-derived network's); BioNetGen species such as
     * "A(b!1).B(a!1)" cannot stand in a formula: observables name them */
    for (size_t i = 0; i < ns && !rc; i++)
        if (is_identifier(ilnet_network_species(net, i)->name))
            rc = add_symbol(p, ilnet_network_species(net, i)->name,
                            ilnet_network_species(net, i)->name);
    return rc;
}

/* "2..." when the file says format_version 2 */
static int is_v2(const char *path)
{
    ilnet_yaml y;
    int v2 = 0;
    if (ilnet_yaml_load_file(&y, path) == 0) {
        const char *v =
            ilnet_yaml_scalar(ilnet_yaml_lookup(&y, ilnet_yaml_root(&y), "format_version"));
        v2 = v && v[0] == '2';
    }
    ilnet_yaml_free(&y);
    return v2;
}

int ilnet_petab_read(ilnet_petab **out, const char *yaml_path)
{
    *out = NULL;
    if (is_v2(yaml_path)) return petab_read_v2(out, yaml_path);
    ilnet_petab *p = calloc(1, sizeof *p);
    if (!p || !(p->yaml_path = strdup(yaml_path))) {
        free(p);
        return ilnet_error_oom();
    }
    int rc = read_yaml(p, yaml_path);
    if (!rc) rc = load_model(p);
    if (!rc) rc = read_parameters(p);
    if (!rc) rc = petab_read_observables(p);
    if (!rc) rc = petab_read_conditions(p);
    if (!rc) rc = petab_read_measurements(p);
    if (!rc) rc = petab_inner_check(p);
    if (rc) {
        ilnet_petab_free(p);
        return rc;
    }
    *out = p;
    return 0;
}

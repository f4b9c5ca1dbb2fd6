/* The observables, conditions and measurements tables of a PEtab problem (petab.h). */
#include "../common/error.h"
#include "petab_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- formulas ---- */

struct fctx {
    const ilnet_petab *p;
    int obs;
    int max_obs_par, max_noise_par;
};

/* "observableParameterK_ID" or "noiseParameterK_ID" for ID the observable's: K, else 0 */
static int placeholder(const char *name, size_t len, const char *prefix, const char *obs_id)
{
    size_t pl = strlen(prefix), il = strlen(obs_id);
    if (len <= pl + il + 1 || strncmp(name, prefix, pl)) return 0;
    size_t i = pl;
    int k = 0;
    while (i < len && name[i] >= '0' && name[i] <= '9' && k < 1000)
        k = k * 10 + (name[i++] - '0');
    if (i == pl || i >= len || name[i] != '_' || len - i - 1 != il ||
        strncmp(name + i + 1, obs_id, il))
        return 0;
    return k;
}

static int resolve(void *vctx, const char *name, size_t len)
{
    struct fctx *c = vctx;
    const ilnet_petab *p = c->p;
    size_t base = p->n_sym + p->n_par;
    if (c->obs >= 0) {
        int k = placeholder(name, len, "observableParameter", p->obs[c->obs].id);
        if (k >= 1 && k <= PETAB_MAX_PLACEHOLDERS) {
            if (k > c->max_obs_par) c->max_obs_par = k;
            return (int)base + k - 1;
        }
        k = placeholder(name, len, "noiseParameter", p->obs[c->obs].id);
        if (k >= 1 && k <= PETAB_MAX_PLACEHOLDERS) {
            if (k > c->max_noise_par) c->max_noise_par = k;
            return (int)(base + PETAB_MAX_PLACEHOLDERS) + k - 1;
        }
    }
    for (size_t i = 0; i < p->n_sym; i++)
        if (strlen(p->sym[i]) == len && !strncmp(p->sym[i], name, len)) return (int)i;
    int q = ilnet_strmap_get(&p->par_ids, name, len);
    if (q >= 0) return (int)p->n_sym + q;
    if ((len == 4 && !strncmp(name, "time", 4)) || (len == 1 && name[0] == 't'))
        return (int)(base + 2 * PETAB_MAX_PLACEHOLDERS);
    return -1;
}

int petab_formula_compile(const ilnet_petab *p, int obs, const char *text, ilnet_expr **out)
{
    struct fctx c = {p, obs, 0, 0};
    return ilnet_expr_parse(out, text, resolve, &c, NULL);
}

size_t petab_formula_var_count(const ilnet_petab *p)
{
    return p->n_sym + p->n_par + 2 * PETAB_MAX_PLACEHOLDERS + 1;
}

/* compiles text for observable o, counting its placeholders; errors name the cell */
static int check_formula(ilnet_petab *p, int o, const char *text, const char *column, int *max_op,
                         int *max_np)
{
    struct fctx c = {p, o, 0, 0};
    ilnet_expr *e = NULL;
    int rc = ilnet_expr_parse(&e, text, resolve, &c, NULL);
    ilnet_expr_free(e);
    if (rc == ILNET_EINPUT) {
        char msg[600];
        snprintf(msg, sizeof msg, "%s", ilnet_error_last());
        return petab_error(p->obs_file, p->obs[o].line, column, p->obs[o].id, "%s", msg);
    }
    if (rc) return rc;
    if (max_op && c.max_obs_par > *max_op) *max_op = c.max_obs_par;
    if (max_np && c.max_noise_par > *max_np) *max_np = c.max_noise_par;
    return 0;
}

/* ---- observables ---- */

static int parse_transform(const char *s, int *out)
{
    if (!*s || !strcmp(s, "lin"))
        *out = PETAB_LIN;
    else if (!strcmp(s, "log"))
        *out = PETAB_LOG;
    else if (!strcmp(s, "log10"))
        *out = PETAB_LOG10;
    else
        return -1;
    return 0;
}

int petab_read_observables(ilnet_petab *p)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, p->obs_file);
    if (rc) return rc;
    int ci = ilnet_tsv_col(&t, "observableId"), cf = ilnet_tsv_col(&t, "observableFormula");
    int cn = ilnet_tsv_col(&t, "noiseFormula"), ct = ilnet_tsv_col(&t, "observableTransformation");
    int cd = ilnet_tsv_col(&t, "noiseDistribution");
    const char *miss = ci < 0   ? "observableId"
                       : cf < 0 ? "observableFormula"
                       : cn < 0 ? "noiseFormula"
                                : NULL;
    if (miss) rc = petab_error(p->obs_file, 1, miss, "header", "required column missing");
    p->obs = calloc(t.n_rows + 1, sizeof *p->obs);
    if (!rc && !p->obs) rc = ilnet_error_oom();
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        petab_observable *o = &p->obs[p->n_obs];
        const char *id = ilnet_tsv_cell(&t, r, ci);
        o->line = t.line[r];
        o->id = strdup(id);
        o->formula = strdup(ilnet_tsv_cell(&t, r, cf));
        o->noise = strdup(ilnet_tsv_cell(&t, r, cn));
        p->n_obs++;
        if (!o->id || !o->formula || !o->noise) rc = ilnet_error_oom();
        if (!rc && !*id)
            rc = petab_error(p->obs_file, o->line, "observableId", "(empty)", "missing id");
        if (!rc && ilnet_strmap_put(&p->obs_ids, o->id, (int)r) == 1)
            rc = petab_error(p->obs_file, o->line, "observableId", id, "listed twice");
        const char *tr = ilnet_tsv_cell(&t, r, ct), *di = ilnet_tsv_cell(&t, r, cd);
        if (!rc && parse_transform(tr, &o->transform))
            rc = petab_error(p->obs_file, o->line, "observableTransformation", id,
                             "'%s' is not lin, log or log10", tr);
        if (!rc && *di && strcmp(di, "normal") && strcmp(di, "laplace"))
            rc = petab_error(p->obs_file, o->line, "noiseDistribution", id,
                             "'%s' is not normal or laplace", di);
        o->dist = !strcmp(di, "laplace") ? PETAB_LAPLACE : PETAB_NORMAL;
        if (!rc && !*o->formula)
            rc = petab_error(p->obs_file, o->line, "observableFormula", id, "empty formula");
        if (!rc && !*o->noise)
            rc = petab_error(p->obs_file, o->line, "noiseFormula", id, "empty formula");
        if (!rc)
            rc = check_formula(p, (int)r, o->formula, "observableFormula", &o->n_obs_par,
                               &o->n_noise_par);
        if (!rc)
            rc = check_formula(p, (int)r, o->noise, "noiseFormula", &o->n_obs_par, &o->n_noise_par);
    }
    ilnet_tsv_free(&t);
    return rc;
}

/* ---- conditions ---- */

/* what column id sets: a model parameter or compartment, or a species */
static int condition_target(ilnet_petab *p, const char *id, petab_column *c)
{
    int i = ilnet_network_find_parameter(p->net, id);
    if (i >= 0) {
        c->kind = PETAB_TARGET_PARAMETER;
        c->index = i;
        return 0;
    }
    if (p->is_sbml) {
        int s = ilnet_sbml_symbol_find(&p->syms, id);
        if (s >= 0 && p->syms.species[s]) i = ilnet_network_find_species(p->net, p->syms.amount[s]);
        /* a parameter with a rate rule is a state variable under its own id */
        if (i < 0) i = ilnet_network_find_species(p->net, id);
    } else {
        i = ilnet_network_find_species(p->net, id);
    }
    if (i < 0) return -1;
    c->kind = PETAB_TARGET_SPECIES;
    c->index = i;
    return 0;
}

int petab_read_conditions(ilnet_petab *p)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, p->cond_file);
    if (rc) return rc;
    int ci = ilnet_tsv_col(&t, "conditionId"), cn = ilnet_tsv_col(&t, "conditionName");
    if (ci < 0)
        rc = petab_error(p->cond_file, 1, "conditionId", "header", "required column missing");
    p->col = calloc(t.n_cols + 1, sizeof *p->col);
    int *src = calloc(t.n_cols + 1, sizeof *src);
    if (!rc && (!p->col || !src)) rc = ilnet_error_oom();
    for (size_t c = 0; c < t.n_cols && !rc; c++) {
        if ((int)c == ci || (int)c == cn) continue;
        petab_column *col = &p->col[p->n_col];
        if (!(col->id = strdup(t.header[c]))) rc = ilnet_error_oom();
        if (!rc && condition_target(p, col->id, col))
            rc = petab_error(p->cond_file, 1, col->id, "header",
                             "not a parameter, compartment or species of the model");
        src[p->n_col++] = (int)c;
    }
    p->cond_id = calloc(t.n_rows + 1, sizeof *p->cond_id);
    p->cond_line = calloc(t.n_rows + 1, sizeof *p->cond_line);
    p->cond = calloc(t.n_rows * p->n_col + 1, sizeof *p->cond);
    if (!rc && (!p->cond_id || !p->cond_line || !p->cond)) rc = ilnet_error_oom();
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        const char *id = ilnet_tsv_cell(&t, r, ci);
        p->cond_line[r] = t.line[r];
        if (!(p->cond_id[r] = strdup(id))) rc = ilnet_error_oom();
        p->n_cond++;
        if (!rc && !*id)
            rc = petab_error(p->cond_file, t.line[r], "conditionId", "(empty)", "missing id");
        if (!rc && ilnet_strmap_put(&p->cond_ids, p->cond_id[r], (int)r) == 1)
            rc = petab_error(p->cond_file, t.line[r], "conditionId", id, "listed twice");
        for (size_t c = 0; c < p->n_col && !rc; c++)
            rc = petab_cell_value(p, ilnet_tsv_cell(&t, r, src[c]), &p->cond[r * p->n_col + c],
                                  p->cond_file, t.line[r], p->col[c].id, id);
    }
    free(src);
    ilnet_tsv_free(&t);
    return rc;
}

/* ---- measurements ---- */

static int lookup(const ilnet_strmap *m, const char *id, const char *file, int line,
                  const char *column, const char *what, int *out)
{
    if ((*out = ilnet_strmap_get(m, id, (size_t)-1)) >= 0) return 0;
    return petab_error(file, line, column, id, "no such %s", what);
}

static int read_measurement(ilnet_petab *p, const ilnet_tsv *t, size_t r, const int *c)
{
    petab_measurement *m = &p->meas[p->n_meas++];
    const char *F = p->meas_file, *oid = ilnet_tsv_cell(t, r, c[0]);
    m->line = t->line[r];
    m->preeq = -1;
    int rc = lookup(&p->obs_ids, oid, F, m->line, "observableId", "observable", &m->obs);
    if (!rc)
        rc = lookup(&p->cond_ids, ilnet_tsv_cell(t, r, c[1]), F, m->line, "simulationConditionId",
                    "condition", &m->sim);
    const char *pre = ilnet_tsv_cell(t, r, c[2]);
    if (!rc && *pre)
        rc = lookup(&p->cond_ids, pre, F, m->line, "preequilibrationConditionId", "condition",
                    &m->preeq);
    const char *tm = ilnet_tsv_cell(t, r, c[3]), *val = ilnet_tsv_cell(t, r, c[4]);
    if (!rc && !strcasecmp(tm, "inf"))
        m->time = INFINITY;
    else if (!rc && (petab_number(tm, &m->time) || !(m->time >= 0) || !isfinite(m->time)))
        rc = petab_error(F, m->line, "time", oid, "'%s' is not a time (a number >= 0, or inf)", tm);
    if (!rc && (petab_number(val, &m->value) || !isfinite(m->value)))
        rc = petab_error(F, m->line, "measurement", oid, "'%s' is not a finite number", val);
    const petab_observable *o = rc ? NULL : &p->obs[m->obs];
    if (!rc && o->transform != PETAB_LIN && !(m->value > 0))
        rc = petab_error(F, m->line, "measurement", oid,
                         "%g: the observable is %s-transformed, so measurements must be positive",
                         m->value, o->transform == PETAB_LOG ? "log" : "log10");
    if (!rc)
        rc = petab_cell_list(p, ilnet_tsv_cell(t, r, c[5]), &m->obs_par, &m->n_obs_par, F, m->line,
                             "observableParameters", oid);
    if (!rc)
        rc = petab_cell_list(p, ilnet_tsv_cell(t, r, c[6]), &m->noise_par, &m->n_noise_par, F,
                             m->line, "noiseParameters", oid);
    if (!rc && m->n_obs_par != o->n_obs_par)
        rc = petab_error(F, m->line, "observableParameters", oid,
                         "%d value(s) given, the observable's formulas use %d", m->n_obs_par,
                         o->n_obs_par);
    if (!rc && m->n_noise_par != o->n_noise_par)
        rc = petab_error(F, m->line, "noiseParameters", oid,
                         "%d value(s) given, the observable's formulas use %d", m->n_noise_par,
                         o->n_noise_par);
    for (int k = 0; !rc && k < m->n_obs_par; k++)
        if (m->obs_par[k].none)
            rc = petab_error(F, m->line, "observableParameters", oid, "value %d is empty or NaN",
                             k + 1);
    for (int k = 0; !rc && k < m->n_noise_par; k++)
        if (m->noise_par[k].none)
            rc = petab_error(F, m->line, "noiseParameters", oid, "value %d is empty or NaN", k + 1);
    return rc;
}

int petab_read_measurements(ilnet_petab *p)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, p->meas_file);
    if (rc) return rc;
    const char *names[] = {"observableId",   "simulationConditionId", "preequilibrationConditionId",
                           "time",           "measurement",           "observableParameters",
                           "noiseParameters"};
    int c[7];
    for (int k = 0; k < 7 && !rc; k++) {
        c[k] = ilnet_tsv_col(&t, names[k]);
        if (c[k] < 0 && (k < 2 || k == 3 || k == 4))
            rc = petab_error(p->meas_file, 1, names[k], "header", "required column missing");
    }
    if (!rc && t.n_rows == 0)
        rc = ilnet_error_set(ILNET_EINPUT, "%s: no measurements", p->meas_file);
    p->meas = calloc(t.n_rows + 1, sizeof *p->meas);
    if (!rc && !p->meas) rc = ilnet_error_oom();
    for (size_t r = 0; r < t.n_rows && !rc; r++)
        rc = read_measurement(p, &t, r, c);
    ilnet_tsv_free(&t);
    return rc;
}

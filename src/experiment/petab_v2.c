/* PEtab v2 problems, read by translating them into the v1 tables petab_read.c reads: a
 * parameters table without scales (lin) and with true/false estimates, observables whose
 * noise distributions carry the transformation (log-normal = log + normal) and whose
 * placeholders are named (renamed to v1's observableParameterN_ID), conditions in long form
 * (conditionId, targetId, targetValue; widened), and experiments (a preequilibration period
 * at -inf and one simulation period from 0) that give each measurement its conditions.
 * What v2 has beyond that (several periods, a start time other than 0, expressions as
 * target values) is refused with a message naming the row. */
#include "../common/error.h"
#include "../common/file.h"
#include "../common/strbuf.h"
#include "../common/tsv.h"
#include "../common/yaml.h"
#include "petab_internal.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    char *yaml, *model, *par, *obs, *cond, *exp, *meas; /* v2 files (cond/exp may be NULL) */
    char dir[256];                                      /* the v1 translation */
} v2files;

static void v2_free(v2files *f)
{
    free(f->yaml);
    free(f->model);
    free(f->par);
    free(f->obs);
    free(f->cond);
    free(f->exp);
    free(f->meas);
}

static char *beside(const char *yaml, const char *name)
{
    char dir[4096];
    ilnet_file_dirname(dir, sizeof dir, yaml);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *out = malloc(n);
    if (out) snprintf(out, n, "%s/%s", dir, name);
    if (out && name[0] == '/') snprintf(out, n, "%s", name);
    return out;
}

/* the one file of a list (0 files: *out NULL unless required) */
static int list_file(const ilnet_yaml *y, const yaml_node_t *root, const char *key,
                     const char *path, int required, char **out)
{
    yaml_node_t *n = ilnet_yaml_lookup(y, root, key);
    int k = ilnet_yaml_items(n);
    if (k == 0 && !required) return 0;
    if (k != 1 || !ilnet_yaml_scalar(ilnet_yaml_item(y, n, 0)))
        return ilnet_error_at(ILNET_EINPUT, path, n ? ilnet_yaml_line(n) : 1, 1, key,
                              "expected a list of one file (%s)",
                              k ? "several are not supported" : "missing");
    *out = beside(path, ilnet_yaml_scalar(ilnet_yaml_item(y, n, 0)));
    return *out ? 0 : ilnet_error_oom();
}

static int read_v2_yaml(v2files *f, const char *path)
{
    ilnet_yaml y;
    int rc = ilnet_yaml_load_file(&y, path);
    yaml_node_t *root = rc ? NULL : ilnet_yaml_root(&y);
    if (!rc) rc = list_file(&y, root, "parameter_files", path, 1, &f->par);
    if (!rc) rc = list_file(&y, root, "observable_files", path, 1, &f->obs);
    if (!rc) rc = list_file(&y, root, "measurement_files", path, 1, &f->meas);
    if (!rc) rc = list_file(&y, root, "condition_files", path, 0, &f->cond);
    if (!rc) rc = list_file(&y, root, "experiment_files", path, 0, &f->exp);
    yaml_node_t *models = rc ? NULL : ilnet_yaml_lookup(&y, root, "model_files");
    if (!rc && ilnet_yaml_pairs(models) != 1)
        rc = ilnet_error_at(ILNET_EINPUT, path, models ? ilnet_yaml_line(models) : 1, 1,
                            "model_files", "expected one model");
    yaml_node_t *m = rc ? NULL : ilnet_yaml_value(&y, models, 0);
    const char *loc = m ? ilnet_yaml_scalar(ilnet_yaml_lookup(&y, m, "location")) : NULL;
    if (!rc && !loc)
        rc = ilnet_error_at(ILNET_EINPUT, path, ilnet_yaml_line(models), 1, "model_files",
                            "the model has no location");
    if (!rc && !(f->model = beside(path, loc))) rc = ilnet_error_oom();
    ilnet_yaml_free(&y);
    return rc;
}

/* ---- writing the v1 tables ---- */

static int put(ilnet_strbuf *b, const char *s)
{
    ilnet_strbuf_append(b, s);
    return b->failed ? ilnet_error_oom() : 0;
}

static int putn(ilnet_strbuf *b, const char *s, size_t n)
{
    ilnet_strbuf_appendn(b, s, n);
    return b->failed ? ilnet_error_oom() : 0;
}

static int write_out(const v2files *f, const char *name, ilnet_strbuf *b)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", f->dir, name);
    FILE *fp = fopen(path, "w");
    if (!fp) return ilnet_error_set(ILNET_EIO, "%s: cannot create", path);
    size_t w = fwrite(b->s ? b->s : "", 1, b->len, fp);
    if (fclose(fp) || w != b->len) return ilnet_error_set(ILNET_EIO, "%s: write failed", path);
    return 0;
}

static int tr_parameters(const v2files *f)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, f->par);
    if (rc) return rc;
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    const char *cols[] = {"parameterId", "parameterScale", "lowerBound",
                          "upperBound",  "nominalValue",   "estimate"};
    rc = put(&b, "parameterId\tparameterScale\tlowerBound\tupperBound\tnominalValue\testimate\n");
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        for (int k = 0; k < 6 && !rc; k++) {
            const char *v = ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[k]));
            if (k == 1 && !*v) v = "lin";
            if (k == 5) v = !strcmp(v, "true") || !strcmp(v, "1") ? "1" : "0";
            rc = put(&b, v);
            if (!rc) rc = put(&b, k < 5 ? "\t" : "\n");
        }
    }
    if (!rc) rc = write_out(f, "parameters.tsv", &b);
    ilnet_strbuf_free(&b);
    ilnet_tsv_free(&t);
    return rc;
}

/* formula with named placeholders renamed: name k of list -> PREFIXk_ID; the observable's own
 * id (allowed in v2 noise formulas) -> its formula */
static int rename_tokens(ilnet_strbuf *b, const char *formula, const char *obs_list,
                         const char *noise_list, const char *id, const char *self)
{
    int rc = 0;
    for (const char *p = formula; *p && !rc;) {
        if (!isalpha((unsigned char)*p) && *p != '_') {
            rc = putn(b, p++, 1);
            continue;
        }
        const char *s = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        size_t len = (size_t)(p - s);
        char rep[300] = "";
        const char *lists[2] = {obs_list, noise_list},
                   *pre[2] = {"observableParameter", "noiseParameter"};
        for (int l = 0; l < 2 && !rep[0]; l++) {
            int k = 1;
            for (const char *q = lists[l]; q && *q; k++) {
                while (*q == ' ' || *q == ';')
                    q++;
                const char *e = q;
                while (*e && *e != ';' && *e != ' ')
                    e++;
                if ((size_t)(e - q) == len && len && !strncmp(q, s, len))
                    snprintf(rep, sizeof rep, "%s%d_%s", pre[l], k, id);
                q = e;
            }
        }
        if (!rep[0] && self && strlen(id) == len && !strncmp(id, s, len))
            snprintf(rep, sizeof rep, "(%s)", self);
        rc = rep[0] ? put(b, rep) : putn(b, s, len);
    }
    return rc;
}

static int tr_observables(const v2files *f)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, f->obs);
    if (rc) return rc;
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    int ci = ilnet_tsv_col(&t, "observableId"), cf = ilnet_tsv_col(&t, "observableFormula");
    int cn = ilnet_tsv_col(&t, "noiseFormula"), cd = ilnet_tsv_col(&t, "noiseDistribution");
    int co = ilnet_tsv_col(&t, "observablePlaceholders"),
        cp = ilnet_tsv_col(&t, "noisePlaceholders");
    rc = put(&b, "observableId\tobservableFormula\tnoiseFormula\tobservableTransformation\t"
                 "noiseDistribution\n");
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        const char *id = ilnet_tsv_cell(&t, r, ci), *d = ilnet_tsv_cell(&t, r, cd);
        const char *ol = ilnet_tsv_cell(&t, r, co), *nl = ilnet_tsv_cell(&t, r, cp);
        const char *tr = "lin", *dist = "normal";
        if (!strcmp(d, "log-normal"))
            tr = "log";
        else if (!strcmp(d, "log-laplace"))
            tr = "log", dist = "laplace";
        else if (!strcmp(d, "log10-normal"))
            tr = "log10";
        else if (!strcmp(d, "laplace"))
            dist = "laplace";
        else if (*d && strcmp(d, "normal"))
            rc =
                petab_error(f->obs, t.line[r], "noiseDistribution", id, "'%s' is not supported", d);
        ilnet_strbuf of = ILNET_STRBUF_INIT;
        if (!rc) rc = put(&b, id);
        if (!rc) rc = put(&b, "\t");
        if (!rc) rc = rename_tokens(&of, ilnet_tsv_cell(&t, r, cf), ol, nl, id, NULL);
        if (!rc) rc = put(&b, of.s ? of.s : "");
        if (!rc) rc = put(&b, "\t");
        if (!rc) rc = rename_tokens(&b, ilnet_tsv_cell(&t, r, cn), ol, nl, id, of.s ? of.s : "0");
        ilnet_strbuf_free(&of);
        char tail[64];
        snprintf(tail, sizeof tail, "\t%s\t%s\n", tr, dist);
        if (!rc) rc = put(&b, tail);
    }
    if (!rc) rc = write_out(f, "observables.tsv", &b);
    ilnet_strbuf_free(&b);
    ilnet_tsv_free(&t);
    return rc;
}

/* ---- conditions, experiments, measurements ---- */

#define NONE_COND "__no_condition"

static int is_value(const char *v)
{
    char *end;
    if (!*v) return 1;
    strtod(v, &end);
    if (!*end) return 1;
    if (!isalpha((unsigned char)*v) && *v != '_') return 0;
    for (; *v; v++)
        if (!isalnum((unsigned char)*v) && *v != '_') return 0;
    return 1;
}

/* long (conditionId, targetId, targetValue) -> wide, plus the empty condition */
static int tr_conditions(const v2files *f)
{
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_tsv t = {0};
    int rc = f->cond ? ilnet_tsv_read(&t, f->cond) : 0;
    int ci = ilnet_tsv_col(&t, "conditionId"), ct = ilnet_tsv_col(&t, "targetId");
    int cv = ilnet_tsv_col(&t, "targetValue");
    const char **ids = calloc(t.n_rows + 1, sizeof *ids), **tg = calloc(t.n_rows + 1, sizeof *tg);
    size_t ni = 0, nt = 0;
    if (!rc && (!ids || !tg)) rc = ilnet_error_oom();
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        const char *c = ilnet_tsv_cell(&t, r, ci), *g = ilnet_tsv_cell(&t, r, ct);
        size_t a = 0, q = 0;
        while (a < ni && strcmp(ids[a], c))
            a++;
        if (a == ni) ids[ni++] = c;
        while (q < nt && strcmp(tg[q], g))
            q++;
        if (q == nt) tg[nt++] = g;
        if (!is_value(ilnet_tsv_cell(&t, r, cv)))
            rc = petab_error(f->cond, t.line[r], "targetValue", c,
                             "'%s': expressions as target values are not supported",
                             ilnet_tsv_cell(&t, r, cv));
    }
    if (!rc) rc = put(&b, "conditionId");
    for (size_t q = 0; q < nt && !rc; q++)
        if (!(rc = put(&b, "\t"))) rc = put(&b, tg[q]);
    if (!rc) rc = put(&b, "\n" NONE_COND);
    for (size_t q = 0; q < nt && !rc; q++)
        rc = put(&b, "\t");
    for (size_t a = 0; a < ni && !rc; a++) {
        rc = put(&b, "\n");
        if (!rc) rc = put(&b, ids[a]);
        for (size_t q = 0; q < nt && !rc; q++) {
            const char *v = "";
            for (size_t r = 0; r < t.n_rows; r++)
                if (!strcmp(ilnet_tsv_cell(&t, r, ci), ids[a]) &&
                    !strcmp(ilnet_tsv_cell(&t, r, ct), tg[q]))
                    v = ilnet_tsv_cell(&t, r, cv);
            if (!(rc = put(&b, "\t"))) rc = put(&b, v);
        }
    }
    if (!rc) rc = put(&b, "\n");
    if (!rc) rc = write_out(f, "conditions.tsv", &b);
    free(ids);
    free(tg);
    ilnet_strbuf_free(&b);
    ilnet_tsv_free(&t);
    return rc;
}

/* experiment id's preequilibration and simulation conditions (v1 names) */
static int experiment(const v2files *f, const ilnet_tsv *e, const char *id, int line,
                      const char **pre, const char **sim)
{
    *pre = "";
    *sim = NONE_COND;
    if (!*id) return 0;
    int found = 0, ct = ilnet_tsv_col(e, "time"), cc = ilnet_tsv_col(e, "conditionId");
    for (size_t r = 0; r < e->n_rows; r++) {
        if (strcmp(ilnet_tsv_cell(e, r, ilnet_tsv_col(e, "experimentId")), id)) continue;
        const char *tm = ilnet_tsv_cell(e, r, ct), *c = ilnet_tsv_cell(e, r, cc);
        if (!strcmp(tm, "-inf")) {
            *pre = *c ? c : NONE_COND;
            continue;
        }
        double t;
        if (petab_number(tm, &t))
            return petab_error(f->exp, e->line[r], "time", id, "'%s' is not a time", tm);
        if (found++)
            return petab_error(f->exp, e->line[r], "time", id,
                               "experiments with several simulation periods are not supported");
        if (t != 0)
            return petab_error(f->exp, e->line[r], "time", id,
                               "a simulation starting at t = %g is not supported (only 0)", t);
        *sim = *c ? c : NONE_COND;
    }
    if (!found && !**pre)
        return petab_error(f->meas, line, "experimentId", id, "no such experiment");
    return 0;
}

static int tr_measurements(const v2files *f)
{
    ilnet_tsv t, e = {0};
    int rc = ilnet_tsv_read(&t, f->meas);
    if (rc) return rc;
    if (f->exp && (rc = ilnet_tsv_read(&e, f->exp))) {
        ilnet_tsv_free(&t);
        return rc;
    }
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    const char *cols[] = {"observableId", "time", "measurement", "observableParameters",
                          "noiseParameters"};
    rc = put(&b, "observableId\tpreequilibrationConditionId\tsimulationConditionId\ttime\t"
                 "measurement\tobservableParameters\tnoiseParameters\n");
    int cx = ilnet_tsv_col(&t, "experimentId");
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        const char *pre, *sim;
        rc = experiment(f, &e, ilnet_tsv_cell(&t, r, cx), t.line[r], &pre, &sim);
        const char *v[7] = {ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[0])),
                            pre,
                            sim,
                            ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[1])),
                            ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[2])),
                            ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[3])),
                            ilnet_tsv_cell(&t, r, ilnet_tsv_col(&t, cols[4]))};
        for (int k = 0; k < 7 && !rc; k++)
            if (!(rc = put(&b, v[k]))) rc = put(&b, k < 6 ? "\t" : "\n");
    }
    if (!rc) rc = write_out(f, "measurements.tsv", &b);
    ilnet_strbuf_free(&b);
    ilnet_tsv_free(&t);
    ilnet_tsv_free(&e);
    return rc;
}

/* the v1 problem file naming the translated tables and the model */
static int tr_yaml(const v2files *f)
{
    char model[4096];
    if (!realpath(f->model, model)) snprintf(model, sizeof model, "%s", f->model);
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_strbuf_printf(&b,
                        "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
                        "- condition_files: [conditions.tsv]\n"
                        "  measurement_files: [measurements.tsv]\n"
                        "  observable_files: [observables.tsv]\n"
                        "  sbml_files: ['%s']\n",
                        model);
    int rc = b.failed ? ilnet_error_oom() : write_out(f, "problem.yaml", &b);
    ilnet_strbuf_free(&b);
    return rc;
}

/* the translation's file names in the last error become the problem's own */
static void own_names(const v2files *f)
{
    const char *tmp[] = {"parameters.tsv", "observables.tsv", "conditions.tsv", "measurements.tsv"};
    const char *own[] = {f->par, f->obs, f->cond ? f->cond : "conditions", f->meas};
    char msg[2048];
    snprintf(msg, sizeof msg, "%s", ilnet_error_last());
    for (int k = 0; k < 4; k++) {
        char from[400];
        snprintf(from, sizeof from, "%s/%s", f->dir, tmp[k]);
        char *at = strstr(msg, from);
        if (!at) continue;
        char rest[2048];
        snprintf(rest, sizeof rest, "%s", at + strlen(from));
        snprintf(at, sizeof msg - (size_t)(at - msg), "%s%s", own[k], rest);
    }
    ilnet_error_set(ilnet_error_code(), "%s", msg);
}

static void remove_dir(const v2files *f)
{
    const char *names[] = {"parameters.tsv", "observables.tsv", "conditions.tsv",
                           "measurements.tsv", "problem.yaml"};
    char path[512];
    for (int k = 0; k < 5; k++) {
        snprintf(path, sizeof path, "%s/%s", f->dir, names[k]);
        unlink(path);
    }
    rmdir(f->dir);
}

int petab_read_v2(ilnet_petab **out, const char *yaml_path)
{
    v2files f = {0};
    int rc = read_v2_yaml(&f, yaml_path);
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(f.dir, sizeof f.dir, "%s/ilnet_petab_v2_XXXXXX", base);
    if (!rc && !mkdtemp(f.dir)) rc = ilnet_error_set(ILNET_EIO, "%s: cannot create", f.dir);
    int made = !rc;
    if (!rc) rc = tr_parameters(&f);
    if (!rc) rc = tr_observables(&f);
    if (!rc) rc = tr_conditions(&f);
    if (!rc) rc = tr_measurements(&f);
    if (!rc) rc = tr_yaml(&f);
    char v1[512];
    snprintf(v1, sizeof v1, "%s/problem.yaml", f.dir);
    if (!rc) rc = ilnet_petab_read(out, v1);
    if (rc && made) own_names(&f);
    if (!rc) { /* messages from evaluations name the problem's own files */
        ilnet_petab *p = *out;
        char **mine[] = {&p->yaml_path, &p->par_file, &p->obs_file, &p->cond_file, &p->meas_file};
        const char *own[] = {yaml_path, f.par, f.obs, f.cond ? f.cond : "conditions", f.meas};
        for (int k = 0; k < 5; k++) {
            char *d = strdup(own[k]);
            if (d) free(*mine[k]), *mine[k] = d;
        }
    }
    if (made) remove_dir(&f);
    v2_free(&f);
    return rc;
}

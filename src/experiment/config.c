/* Study config files: reading one (the text, then the schema: config_schema.c), freeing it,
 * and the located errors every part reports. Names are checked in config_names.c. */
#include "config.h"

#include "../common/error.h"
#include "../common/file.h"
#include "../common/yaml.h"
#include "config_schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ilnet_config_error(const ilnet_config *c, ilnet_config_pos pos, const char *path,
                       const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (pos.line <= 0) return ilnet_error_set(ILNET_EINPUT, "%s: %s", path, msg);
    return ilnet_error_set(ILNET_EINPUT, "%s:%d:%d: %s: %s", c->path, pos.line, pos.col, path, msg);
}

int ilnet_config_assign_append(ilnet_config_assign *a, const char *name, double value,
                               const char *path, ilnet_config_pos pos)
{
    size_t n = (size_t)a->n + 1;
    char **names = realloc(a->names, n * sizeof *names);
    if (names) a->names = names;
    char **paths = realloc(a->paths, n * sizeof *paths);
    if (paths) a->paths = paths;
    double *values = realloc(a->values, n * sizeof *values);
    if (values) a->values = values;
    ilnet_config_pos *ps = realloc(a->pos, n * sizeof *ps);
    if (ps) a->pos = ps;
    if (!names || !paths || !values || !ps) return ilnet_error_oom();
    a->names[a->n] = strdup(name);
    a->paths[a->n] = strdup(path);
    if (!a->names[a->n] || !a->paths[a->n]) {
        free(a->names[a->n]);
        free(a->paths[a->n]);
        return ilnet_error_oom();
    }
    a->values[a->n] = value;
    a->pos[a->n++] = pos;
    return 0;
}

int ilnet_config_assign_put(ilnet_config_assign *a, const char *name, double value,
                            const char *path)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->names[i], name)) {
            char *p = strdup(path);
            if (!p) return ilnet_error_oom();
            free(a->paths[i]);
            a->paths[i] = p;
            a->values[i] = value;
            a->pos[i] = (ilnet_config_pos){0, 0};
            return 0;
        }
    return ilnet_config_assign_append(a, name, value, path, (ilnet_config_pos){0, 0});
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

int ilnet_config_read(ilnet_config *c, const char *path)
{
    memset(c, 0, sizeof *c);
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    c->solver = so;
    c->all_observables = 1;
    c->compression = 1; /* level 1: about the size of 4 on trajectories, in half the time */
    size_t len;
    int rc = ilnet_file_read(&c->text, &len, path);
    if (rc) return rc;
    if (!(c->path = strdup(path)) || !(c->dir = dir_of(path))) {
        ilnet_config_free(c);
        return ilnet_error_oom();
    }
    ilnet_yaml y;
    rc = ilnet_yaml_load_text(&y, path, c->text, len);
    if (!rc) rc = ilnet_config_parse(c, &y);
    ilnet_yaml_free(&y);
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

void ilnet_config_free(ilnet_config *c)
{
    for (int i = 0; i < c->n_fits; i++) {
        free(c->fits[i].name);
        free(c->fits[i].path);
        free(c->fits[i].problem);
        free(c->fits[i].optimizer);
        free(c->fits[i].gradient);
        free(c->fits[i].profile);
    }
    free(c->fits);
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
            free(e->protocol.steps[k].name);
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
        for (int k = 0; k < e->n_readouts; k++) {
            free(e->readouts[k].column);
            free(e->readouts[k].times);
            if (e->readouts[k].series) ilnet_series_expr_free(e->readouts[k].series);
            free(e->readouts[k].series);
        }
        free(e->readouts);
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
    names_free(c->sens, c->n_sens, c->sens_pos);
    free(c->time_units);
    for (int i = 0; i < c->n_units; i++)
        free(c->unit_texts[i]);
    free(c->unit_texts);
    names_free(c->unit_names, c->n_units, c->unit_pos);
    for (int i = 0; i < c->n_expr; i++)
        free(c->expr_texts[i]);
    free(c->expr_texts);
    for (int i = 0; c->expr_paths && i < c->n_expr; i++)
        free(c->expr_paths[i]);
    free(c->expr_paths);
    names_free(c->expr_names, c->n_expr, c->expr_pos);
    memset(c, 0, sizeof *c);
}

#include "presets.h"

#include "../common/error.h"
#include "../common/yaml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ilnet_presets_free(ilnet_presets *ps)
{
    for (int i = 0; i < ps->n; i++) {
        ilnet_preset *p = &ps->p[i];
        free(p->name);
        free(p->description);
        for (int k = 0; k < p->n; k++)
            free(p->params[k]);
        free(p->params);
        free(p->values);
        free(p->lines);
    }
    free(ps->p);
    free(ps->path);
    memset(ps, 0, sizeof *ps);
}

static int yerr(const char *path, const yaml_node_t *n, const char *fmt, const char *a)
{
    char msg[400];
    snprintf(msg, sizeof msg, fmt, a ? a : "");
    return ilnet_error_set(ILNET_EINPUT, "%s:%d:%d: %s", path, ilnet_yaml_line(n),
                           ilnet_yaml_col(n), msg);
}

/* One name: value pair of presets.NAME.parameters. */
static int parse_parameter(ilnet_preset *p, const ilnet_yaml *y, const yaml_node_t *pk,
                           const yaml_node_t *pv)
{
    const char *name = ilnet_yaml_scalar(pk);
    if (!name) return yerr(y->file, pk, "presets.%s.parameters: names must be strings", p->name);
    char what[300];
    snprintf(what, sizeof what, "presets.%s.parameters.%s", p->name, name);
    double x;
    int rc = ilnet_yaml_number(y, pv, what, &x);
    if (rc) return rc;
    char **a = realloc(p->params, (size_t)(p->n + 1) * sizeof *a);
    if (a) p->params = a;
    double *b = realloc(p->values, (size_t)(p->n + 1) * sizeof *b);
    if (b) p->values = b;
    int *c = realloc(p->lines, (size_t)(p->n + 1) * sizeof *c);
    if (c) p->lines = c;
    if (!a || !b || !c) return ilnet_error_oom();
    if (!(p->params[p->n] = strdup(name))) return ilnet_error_oom();
    p->values[p->n] = x;
    p->lines[p->n] = ilnet_yaml_line(pk);
    p->n++;
    return 0;
}

/* One key: value of a preset. */
static int parse_field(ilnet_preset *p, const ilnet_yaml *y, const yaml_node_t *k,
                       const yaml_node_t *v)
{
    const char *ks = ilnet_yaml_scalar(k);
    char what[300];
    if (!ks) return yerr(y->file, k, "keys of preset '%s' must be strings", p->name);
    snprintf(what, sizeof what, "presets.%s.%s", p->name, ks);
    if (!strcmp(ks, "description")) return ilnet_yaml_string(y, v, what, &p->description);
    if (!strcmp(ks, "free_fixed")) return ilnet_yaml_boolean(y, v, what, &p->free_fixed);
    if (!strcmp(ks, "parameters")) {
        if (v->type != YAML_MAPPING_NODE)
            return yerr(y->file, v, "presets.%s.parameters must be a mapping name: value", p->name);
        for (int i = 0; i < ilnet_yaml_pairs(v); i++) {
            int rc = parse_parameter(p, y, ilnet_yaml_key(y, v, i), ilnet_yaml_value(y, v, i));
            if (rc) return rc;
        }
        return 0;
    }
    return yerr(y->file, k, "unknown key %s (expected description, parameters, free_fixed)", what);
}

static int parse_preset(ilnet_presets *ps, const ilnet_yaml *y, const yaml_node_t *key,
                        const yaml_node_t *val)
{
    const char *path = ps->path, *name = ilnet_yaml_scalar(key);
    if (!name) return yerr(path, key, "preset names must be plain strings%s", NULL);
    if (val->type != YAML_MAPPING_NODE)
        return yerr(path, val, "preset '%s' must be a mapping", name);
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name)) return yerr(path, key, "preset '%s' defined twice", name);
    ilnet_preset *np = realloc(ps->p, (size_t)(ps->n + 1) * sizeof *np);
    if (!np) return ilnet_error_oom();
    ps->p = np;
    ilnet_preset *p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->line = ilnet_yaml_line(key);
    if (!(p->name = strdup(name))) return ilnet_error_oom();
    for (int i = 0; i < ilnet_yaml_pairs(val); i++) {
        int rc = parse_field(p, y, ilnet_yaml_key(y, val, i), ilnet_yaml_value(y, val, i));
        if (rc) return rc;
    }
    return 0;
}

/* The root: a mapping whose one key is 'presets', a mapping of preset names. */
static int parse_root(ilnet_presets *ps, const ilnet_yaml *y)
{
    const char *path = ps->path;
    yaml_node_t *root = ilnet_yaml_root(y), *list = NULL;
    if (!root || root->type != YAML_MAPPING_NODE)
        return yerr(path, root, "expected a mapping with a 'presets' key%s", NULL);
    for (int i = 0; i < ilnet_yaml_pairs(root); i++) {
        const char *k = ilnet_yaml_scalar(ilnet_yaml_key(y, root, i));
        if (!k || strcmp(k, "presets"))
            return yerr(path, ilnet_yaml_key(y, root, i),
                        "unknown top-level key '%s' (expected presets)", k);
        list = ilnet_yaml_value(y, root, i);
    }
    if (!list || list->type != YAML_MAPPING_NODE)
        return yerr(path, list ? list : root, "'presets' must be a mapping of preset names%s",
                    NULL);
    for (int i = 0; i < ilnet_yaml_pairs(list); i++) {
        int rc = parse_preset(ps, y, ilnet_yaml_key(y, list, i), ilnet_yaml_value(y, list, i));
        if (rc) return rc;
    }
    return 0;
}

int ilnet_presets_read(ilnet_presets *out, const char *path)
{
    memset(out, 0, sizeof *out);
    if (!(out->path = strdup(path))) return ilnet_error_oom();
    ilnet_yaml y;
    int rc = ilnet_yaml_load_file(&y, out->path);
    if (rc == ILNET_EINPUT && !y.loaded) /* a syntax error, in this reader's words */
        rc = ilnet_error_set(ILNET_EINPUT, "%s:%d:%d: YAML: %s", path, y.line, y.col,
                             y.problem ? y.problem : "syntax error");
    if (!rc) rc = parse_root(out, &y);
    ilnet_yaml_free(&y);
    if (rc) ilnet_presets_free(out);
    return rc;
}

const ilnet_preset *ilnet_presets_find(const ilnet_presets *ps, const char *name)
{
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, name)) return &ps->p[i];
    return NULL;
}

int ilnet_preset_apply(ilnet_network *net, const ilnet_presets *ps, const ilnet_preset *p)
{
    for (int k = 0; k < p->n; k++) {
        char dym[300];
        if (ilnet_network_find_parameter(net, p->params[k]) < 0)
            return ilnet_error_set(ILNET_EINPUT,
                                   "%s:%d: preset '%s': the model has no parameter '%s'%s",
                                   ps->path, p->lines[k], p->name, p->params[k],
                                   ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER,
                                                              p->params[k], dym, sizeof dym));
        int rc = ilnet_network_set_parameter(net, p->params[k], p->values[k]);
        if (rc) {
            ilnet_error_prefix("%s:%d: preset '%s'", ps->path, p->lines[k], p->name);
            return rc;
        }
    }
    if (p->free_fixed)
        for (size_t i = 0; i < ilnet_network_species_count(net); i++)
            if (ilnet_network_species(net, i)->fixed) {
                int rc = ilnet_network_set_fixed(net, i, 0);
                if (rc) return rc;
            }
    return 0;
}

char *ilnet_presets_default_path(const char *model)
{
    const char *slash = strrchr(model, '/'), *dot = strrchr(model, '.');
    size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - model) : strlen(model);
    char *p = malloc(n + 16);
    if (!p) return NULL;
    memcpy(p, model, n);
    strcpy(p + n, ".presets.yaml");
    FILE *f = fopen(p, "r");
    if (!f) {
        free(p);
        return NULL;
    }
    fclose(f);
    return p;
}

#include "presets.h"

#include "../common/error.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

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
    return ilnet_error_set(ILNET_EINPUT, "%s:%zu:%zu: %s", path, n ? n->start_mark.line + 1 : 0,
                           n ? n->start_mark.column + 1 : 0, msg);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_preset(ilnet_presets *ps, yaml_document_t *doc, yaml_node_t *key, yaml_node_t *val)
{
    const char *path = ps->path;
    if (!scalar(key)) return yerr(path, key, "preset names must be plain strings%s", NULL);
    if (val->type != YAML_MAPPING_NODE)
        return yerr(path, val, "preset '%s' must be a mapping", scalar(key));
    for (int i = 0; i < ps->n; i++)
        if (!strcmp(ps->p[i].name, scalar(key)))
            return yerr(path, key, "preset '%s' defined twice", scalar(key));
    ilnet_preset *np = realloc(ps->p, (size_t)(ps->n + 1) * sizeof *np);
    if (!np) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    ps->p = np;
    ilnet_preset *p = &ps->p[ps->n++];
    memset(p, 0, sizeof *p);
    p->line = (int)key->start_mark.line + 1;
    if (!(p->name = strdup(scalar(key)))) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    for (yaml_node_pair_t *pr = val->data.mapping.pairs.start; pr < val->data.mapping.pairs.top;
         pr++) {
        yaml_node_t *k = yaml_document_get_node(doc, pr->key),
                    *v = yaml_document_get_node(doc, pr->value);
        const char *ks = scalar(k);
        if (!ks) return yerr(path, k, "keys of preset '%s' must be strings", p->name);
        if (!strcmp(ks, "description")) {
            if (!scalar(v))
                return yerr(path, v, "presets.%s.description must be a string", p->name);
            free(p->description);
            if (!(p->description = strdup(scalar(v))))
                return ilnet_error_set(ILNET_ENOMEM, "out of memory");
        } else if (!strcmp(ks, "free_fixed")) {
            const char *s = scalar(v);
            if (!s || (strcmp(s, "true") && strcmp(s, "false")))
                return yerr(path, v, "presets.%s.free_fixed must be true or false", p->name);
            p->free_fixed = !strcmp(s, "true");
        } else if (!strcmp(ks, "parameters")) {
            if (v->type != YAML_MAPPING_NODE)
                return yerr(path, v, "presets.%s.parameters must be a mapping name: value",
                            p->name);
            for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top;
                 q++) {
                yaml_node_t *pk = yaml_document_get_node(doc, q->key),
                            *pv = yaml_document_get_node(doc, q->value);
                const char *name = scalar(pk), *num = scalar(pv);
                if (!name)
                    return yerr(path, pk, "presets.%s.parameters: names must be strings", p->name);
                char *end;
                errno = 0;
                double x = num ? strtod(num, &end) : 0;
                if (!num || end == num || *end || errno || !isfinite(x)) {
                    char what[300];
                    snprintf(what, sizeof what, "%s.parameters.%s", p->name, name);
                    return yerr(path, pv, "presets.%s must be a finite number", what);
                }
                char **a = realloc(p->params, (size_t)(p->n + 1) * sizeof *a);
                if (a) p->params = a;
                double *b = realloc(p->values, (size_t)(p->n + 1) * sizeof *b);
                if (b) p->values = b;
                int *c = realloc(p->lines, (size_t)(p->n + 1) * sizeof *c);
                if (c) p->lines = c;
                if (!a || !b || !c) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
                if (!(p->params[p->n] = strdup(name)))
                    return ilnet_error_set(ILNET_ENOMEM, "out of memory");
                p->values[p->n] = x;
                p->lines[p->n] = (int)pk->start_mark.line + 1;
                p->n++;
            }
        } else {
            char what[300];
            snprintf(what, sizeof what, "%s.%s", p->name, ks);
            return yerr(path, k,
                        "unknown key presets.%s (expected description, parameters, free_fixed)",
                        what);
        }
    }
    return 0;
}

int ilnet_presets_read(ilnet_presets *out, const char *path)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot open: %s", path, strerror(errno));
    if (!(out->path = strdup(path))) {
        fclose(f);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    int rc = 0;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = ilnet_error_set(ILNET_EINPUT, "%s:%zu:%zu: YAML: %s", path,
                             parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                             parser.problem ? parser.problem : "syntax error");
        yaml_parser_delete(&parser);
        fclose(f);
        ilnet_presets_free(out);
        return rc;
    }
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *list = NULL;
    if (!root || root->type != YAML_MAPPING_NODE) {
        rc = yerr(path, root, "expected a mapping with a 'presets' key%s", NULL);
    } else {
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
             pr < root->data.mapping.pairs.top && !rc; pr++) {
            yaml_node_t *k = yaml_document_get_node(&doc, pr->key);
            if (scalar(k) && !strcmp(scalar(k), "presets"))
                list = yaml_document_get_node(&doc, pr->value);
            else
                rc = yerr(path, k, "unknown top-level key '%s' (expected presets)", scalar(k));
        }
        if (!rc && (!list || list->type != YAML_MAPPING_NODE))
            rc = yerr(path, list ? list : root, "'presets' must be a mapping of preset names%s",
                      NULL);
        for (yaml_node_pair_t *pr = list && !rc ? list->data.mapping.pairs.start : NULL;
             pr && pr < list->data.mapping.pairs.top && !rc; pr++)
            rc = parse_preset(out, &doc, yaml_document_get_node(&doc, pr->key),
                              yaml_document_get_node(&doc, pr->value));
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
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
        if (ilnet_network_find_parameter(net, p->params[k]) < 0)
            return ilnet_error_set(ILNET_EINPUT,
                                   "%s:%d: preset '%s': the model has no parameter '%s'", ps->path,
                                   p->lines[k], p->name, p->params[k]);
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

#include "yaml.h"

#include "error.h"
#include "file.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Loads the document from an initialised parser with its input set, then deletes it. */
static int load(ilnet_yaml *y, yaml_parser_t *parser)
{
    int rc = 0;
    if (yaml_parser_load(parser, &y->doc)) {
        y->loaded = 1;
    } else {
        y->line = (int)parser->problem_mark.line + 1;
        y->col = (int)parser->problem_mark.column + 1;
        y->problem = parser->problem;
        y->context = parser->context;
        rc = ilnet_error_at(ILNET_EINPUT, y->file, y->line, y->col, NULL, "YAML syntax: %s%s%s",
                            y->problem ? y->problem : "error", y->context ? " " : "",
                            y->context ? y->context : "");
    }
    yaml_parser_delete(parser);
    return rc;
}

int ilnet_yaml_load_text(ilnet_yaml *y, const char *file, const char *text, size_t len)
{
    memset(y, 0, sizeof *y);
    y->file = file;
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return ilnet_error_oom();
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    return load(y, &parser);
}

int ilnet_yaml_load_file(ilnet_yaml *y, const char *path)
{
    memset(y, 0, sizeof *y);
    y->file = path;
    char *text;
    size_t len;
    int rc = ilnet_file_read(&text, &len, path);
    if (rc) return rc;
    /* the document holds copies: the text is needed only while it is parsed */
    rc = ilnet_yaml_load_text(y, path, text, len);
    free(text);
    return rc;
}

void ilnet_yaml_free(ilnet_yaml *y)
{
    if (y->loaded) yaml_document_delete(&y->doc);
    y->loaded = 0;
}

yaml_node_t *ilnet_yaml_root(const ilnet_yaml *y)
{
    return y->loaded ? yaml_document_get_root_node((yaml_document_t *)&y->doc) : NULL;
}

yaml_node_t *ilnet_yaml_node(const ilnet_yaml *y, int id)
{
    /* libyaml's accessor takes a non-const document but only reads it */
    return yaml_document_get_node((yaml_document_t *)&y->doc, id);
}

int ilnet_yaml_items(const yaml_node_t *n)
{
    return n && n->type == YAML_SEQUENCE_NODE
               ? (int)(n->data.sequence.items.top - n->data.sequence.items.start)
               : 0;
}

int ilnet_yaml_pairs(const yaml_node_t *n)
{
    return n && n->type == YAML_MAPPING_NODE
               ? (int)(n->data.mapping.pairs.top - n->data.mapping.pairs.start)
               : 0;
}

yaml_node_t *ilnet_yaml_item(const ilnet_yaml *y, const yaml_node_t *seq, int i)
{
    return ilnet_yaml_node(y, seq->data.sequence.items.start[i]);
}

yaml_node_t *ilnet_yaml_key(const ilnet_yaml *y, const yaml_node_t *map, int i)
{
    return ilnet_yaml_node(y, map->data.mapping.pairs.start[i].key);
}

yaml_node_t *ilnet_yaml_value(const ilnet_yaml *y, const yaml_node_t *map, int i)
{
    return ilnet_yaml_node(y, map->data.mapping.pairs.start[i].value);
}

yaml_node_t *ilnet_yaml_lookup(const ilnet_yaml *y, const yaml_node_t *m, const char *key)
{
    for (int i = 0; i < ilnet_yaml_pairs(m); i++) {
        const char *k = ilnet_yaml_scalar(ilnet_yaml_key(y, m, i));
        if (k && !strcmp(k, key)) return ilnet_yaml_value(y, m, i);
    }
    return NULL;
}

const char *ilnet_yaml_scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

const char *ilnet_yaml_kind(const yaml_node_t *n)
{
    if (!n) return "nothing";
    return n->type == YAML_MAPPING_NODE    ? "a mapping"
           : n->type == YAML_SEQUENCE_NODE ? "a list"
                                           : "a scalar";
}

int ilnet_yaml_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

int ilnet_yaml_col(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.column + 1 : 0;
}

void ilnet_yaml_path(char *out, size_t size, const char *parent, const char *key, int index)
{
    int w = key ? snprintf(out, size, "%s%s%s", parent, *parent ? "." : "", key)
                : snprintf(out, size, "%s[%d]", parent, index);
    if (w < 0) out[0] = 0; /* paths are short; a truncated one still locates the error */
}

/* A located input error at node n. */
static int fail(const ilnet_yaml *y, const yaml_node_t *n, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail(const ilnet_yaml *y, const yaml_node_t *n, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ilnet_error_atv(ILNET_EINPUT, y->file, ilnet_yaml_line(n), ilnet_yaml_col(n), path,
                             fmt, ap);
    va_end(ap);
    return rc;
}

/* The text of a plain (unquoted) scalar; NULL for quoted scalars and other nodes. */
static const char *plain(const yaml_node_t *n)
{
    const char *s = ilnet_yaml_scalar(n);
    return s && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? s : NULL;
}

/* What n is, for "found ..." when it is not the wanted type. */
static const char *found(const yaml_node_t *n)
{
    return ilnet_yaml_scalar(n) ? "a quoted string" : ilnet_yaml_kind(n);
}

int ilnet_yaml_number(const ilnet_yaml *y, const yaml_node_t *n, const char *path, double *out)
{
    const char *s = plain(n);
    if (!s) return fail(y, n, path, "expected a number, found %s", found(n));
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (end == s || *end || errno == ERANGE || !isfinite(x))
        return fail(y, n, path, "'%s' is not a finite number", s);
    *out = x;
    return 0;
}

int ilnet_yaml_integer(const ilnet_yaml *y, const yaml_node_t *n, const char *path, long min,
                       long *out)
{
    double x = 0;
    int rc = ilnet_yaml_number(y, n, path, &x);
    if (rc) return rc;
    if (x != floor(x) || x < (double)min || x > 1e12)
        return fail(y, n, path, "expected an integer >= %ld, found '%s'", min,
                    ilnet_yaml_scalar(n));
    *out = (long)x;
    return 0;
}

int ilnet_yaml_is_boolean(const yaml_node_t *n, int *out)
{
    const char *s = plain(n);
    if (!s || (strcmp(s, "true") && strcmp(s, "false"))) return 0;
    *out = !strcmp(s, "true");
    return 1;
}

int ilnet_yaml_boolean(const ilnet_yaml *y, const yaml_node_t *n, const char *path, int *out)
{
    if (ilnet_yaml_is_boolean(n, out)) return 0;
    const char *s = plain(n);
    return fail(y, n, path, "expected true or false, found %s", s ? s : found(n));
}

int ilnet_yaml_string(const ilnet_yaml *y, const yaml_node_t *n, const char *path, char **out)
{
    const char *s = ilnet_yaml_scalar(n);
    if (!s || !*s)
        return fail(y, n, path, "expected a non-empty string, found %s",
                    s ? "''" : ilnet_yaml_kind(n));
    char *copy = strdup(s);
    if (!copy) return ilnet_error_oom();
    free(*out);
    *out = copy;
    return 0;
}

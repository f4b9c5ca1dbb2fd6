/* YAML documents (libyaml) for every reader of YAML files (study configs, presets): loading,
 * node lookup and positions, and one validator of scalar values.
 *
 * The validator follows YAML: a quoted scalar is a string, so "3.5" or "true" where a
 * number or a boolean is expected is an error. Its errors are located, "FILE:LINE:COL:
 * KEY.PATH: what is wrong" (EINPUT):
 *
 *   number   expected a number, found a quoted string | a list | a mapping
 *            'abc' is not a finite number
 *   integer  the number's errors, or: expected an integer >= MIN, found '1.5'
 *   boolean  expected true or false, found yes | a quoted string | a list | a mapping
 *   string   expected a non-empty string, found '' | a list | a mapping
 *
 * A plain (unquoted) scalar is also accepted as a string: names like 1 or true stay names. */
#ifndef ILNET_YAML_H
#define ILNET_YAML_H

#include <stddef.h>
#include <yaml.h>

typedef struct {
    const char *file; /* named in messages; borrowed */
    yaml_document_t doc;
    int loaded;
    /* after a syntax error: where, and libyaml's description (static strings) */
    int line, col;
    const char *problem, *context;
} ilnet_yaml;

/* Parses the first document of text (len bytes). A syntax error sets the fields above and
 * "FILE:LINE:COL: YAML syntax: PROBLEM[ CONTEXT]" (EINPUT). y needs ilnet_yaml_free either
 * way. */
int ilnet_yaml_load_text(ilnet_yaml *y, const char *file, const char *text, size_t len);
/* The same from a file: also "FILE: cannot open: REASON" (EIO). */
int ilnet_yaml_load_file(ilnet_yaml *y, const char *path);
void ilnet_yaml_free(ilnet_yaml *y);

/* The root node; NULL for an empty document. */
yaml_node_t *ilnet_yaml_root(const ilnet_yaml *y);
yaml_node_t *ilnet_yaml_node(const ilnet_yaml *y, int id);
/* Items of a sequence, pairs of a mapping (0 for any other node or NULL). */
int ilnet_yaml_items(const yaml_node_t *n);
int ilnet_yaml_pairs(const yaml_node_t *n);
yaml_node_t *ilnet_yaml_item(const ilnet_yaml *y, const yaml_node_t *seq, int i);
yaml_node_t *ilnet_yaml_key(const ilnet_yaml *y, const yaml_node_t *map, int i);
yaml_node_t *ilnet_yaml_value(const ilnet_yaml *y, const yaml_node_t *map, int i);
/* The value of the first string key equal to key; NULL when absent or m is no mapping. */
yaml_node_t *ilnet_yaml_lookup(const ilnet_yaml *y, const yaml_node_t *m, const char *key);

/* A scalar's text (quoted or not); NULL for other nodes and NULL. */
const char *ilnet_yaml_scalar(const yaml_node_t *n);
/* "a mapping", "a list", "a scalar", or "nothing" for NULL. */
const char *ilnet_yaml_kind(const yaml_node_t *n);
/* 1-based line and column of a node's start; 0 for NULL. */
int ilnet_yaml_line(const yaml_node_t *n);
int ilnet_yaml_col(const yaml_node_t *n);
/* The key path "parent.key" (just "key" when parent is ""), or, key NULL, "parent[index]". */
void ilnet_yaml_path(char *out, size_t size, const char *parent, const char *key, int index);

/* Validators: the value of n, which the key path names in errors (see above). */
int ilnet_yaml_number(const ilnet_yaml *y, const yaml_node_t *n, const char *path, double *out);
/* A whole number in [min, 1e12]. */
int ilnet_yaml_integer(const ilnet_yaml *y, const yaml_node_t *n, const char *path, long min,
                       long *out);
int ilnet_yaml_boolean(const ilnet_yaml *y, const yaml_node_t *n, const char *path, int *out);
/* A non-empty string, copied into *out (whose old value is freed). */
int ilnet_yaml_string(const ilnet_yaml *y, const yaml_node_t *n, const char *path, char **out);
/* 1 when n is a plain true or false (setting *out), else 0; no error is set. */
int ilnet_yaml_is_boolean(const yaml_node_t *n, int *out);

#endif

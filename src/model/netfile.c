#include "netfile.h"

#include "../common/file.h"

#include "../common/error.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum block { B_NONE, B_PARAMETERS, B_SPECIES, B_REACTIONS, B_GROUPS, B_FUNCTIONS, B_SKIP };

struct reader {
    const char *path;
    int line;
    ilnet_network *net;
    int *buf_a, *buf_b; /* index scratch for reactions and groups */
    double *buf_w;
    size_t cap;
};

static int perr(const struct reader *rd, const char *fmt, const char *tok)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, tok);
    return ilnet_error_set(ILNET_EINPUT, "%s:%d: %s", rd->path, rd->line, msg);
}

/* Splits off the next whitespace-delimited token. */
static char *next_token(char **s)
{
    char *p = *s;
    while (*p && isspace((unsigned char)*p))
        p++;
    if (!*p) {
        *s = p;
        return NULL;
    }
    char *t = p;
    while (*p && !isspace((unsigned char)*p))
        p++;
    if (*p) *p++ = '\0';
    *s = p;
    return t;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

/* Parses a positive integer token fully; returns -1 if malformed. */
static long parse_index(const char *t)
{
    if (!t || !isdigit((unsigned char)*t)) return -1;
    errno = 0;
    char *end;
    long v = strtol(t, &end, 10);
    if (*end || errno || v > 100000000L) return -1;
    return v;
}

static int ensure(struct reader *rd, size_t n)
{
    if (n <= rd->cap) return 0;
    size_t cap = rd->cap ? rd->cap : 64;
    while (cap < n)
        cap *= 2;
    int *a = realloc(rd->buf_a, cap * sizeof *a);
    if (a) rd->buf_a = a;
    int *b = realloc(rd->buf_b, cap * sizeof *b);
    if (b) rd->buf_b = b;
    double *w = realloc(rd->buf_w, cap * sizeof *w);
    if (w) rd->buf_w = w;
    if (!a || !b || !w) return ilnet_error_set(ILNET_ENOMEM, "out of memory reading .net");
    rd->cap = cap;
    return 0;
}

/* "0" (empty side) or comma-separated 1-based species indices into *buf, a reader
 * buffer (passed by address because ensure() may move it). */
static int parse_index_list(struct reader *rd, char *tok, int **buf, int *n, const char *side)
{
    *n = 0;
    if (!tok) return perr(rd, "missing %s list", side);
    if (!strcmp(tok, "0")) return 0;
    size_t ns = ilnet_network_species_count(rd->net);
    for (char *p = tok;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        long v = parse_index(p);
        if (v < 1) return perr(rd, "bad species index '%s'", *p ? p : ",");
        if ((size_t)v > ns) return perr(rd, "unknown species index '%s'", p);
        if ((size_t)*n >= rd->cap && ensure(rd, rd->cap * 2 + 1)) return ILNET_ENOMEM;
        (*buf)[(*n)++] = (int)v - 1;
        if (!comma) break;
        p = comma + 1;
    }
    return 0;
}

static int check_seq(struct reader *rd, char *tok, size_t expected, const char *what)
{
    long idx = parse_index(tok);
    if (idx < 0) return perr(rd, "expected an index, got '%s'", tok);
    if ((size_t)idx != expected) {
        char t[96];
        snprintf(t, sizeof t, "%s index %ld, expected %zu", what, idx, expected);
        return perr(rd, "%s", t);
    }
    return 0;
}

static int line_parameter(struct reader *rd, char *s)
{
    char *idx = next_token(&s), *name = next_token(&s);
    if (check_seq(rd, idx, ilnet_network_parameter_count(rd->net) + 1, "parameter"))
        return ILNET_EINPUT;
    if (!name) return perr(rd, "parameter %s has no name", idx);
    char *value = trim(s);
    if (!*value) return perr(rd, "parameter '%s' has no value", name);
    return ilnet_network_add_parameter(rd->net, name, value, rd->line);
}

static int line_species(struct reader *rd, char *s)
{
    char *idx = next_token(&s), *name = next_token(&s);
    if (check_seq(rd, idx, ilnet_network_species_count(rd->net) + 1, "species"))
        return ILNET_EINPUT;
    if (!name) return perr(rd, "species %s has no name", idx);
    char *amount = trim(s);
    if (!*amount) return perr(rd, "species '%s' has no initial amount", name);
    int fixed = name[0] == '$';
    if (fixed && !name[1]) return perr(rd, "species name '%s' is empty", name);
    return ilnet_network_add_species(rd->net, name + fixed, amount, fixed, rd->line);
}

static int line_reaction(struct reader *rd, char *s, const char *label)
{
    char *idx = next_token(&s), *reac = next_token(&s), *prod = next_token(&s);
    char *rate = next_token(&s);
    if (check_seq(rd, idx, ilnet_network_reaction_count(rd->net) + 1, "reaction"))
        return ILNET_EINPUT;
    if (!rate) return perr(rd, "reaction %s is incomplete (needs reactants products rate)", idx);
    char *extra = next_token(&s);
    if (extra) return perr(rd, "unexpected '%s' after the rate law", extra);
    int nr, np;
    if (ensure(rd, 8) || parse_index_list(rd, reac, &rd->buf_a, &nr, "reactant") ||
        parse_index_list(rd, prod, &rd->buf_b, &np, "product"))
        return ilnet_error_code();
    return ilnet_network_add_reaction(rd->net, rd->buf_a, nr, rd->buf_b, np, rate, label, rd->line);
}

static int line_group(struct reader *rd, char *s)
{
    char *idx = next_token(&s), *name = next_token(&s), *list = next_token(&s);
    if (check_seq(rd, idx, ilnet_network_observable_count(rd->net) + 1, "group"))
        return ILNET_EINPUT;
    if (!name) return perr(rd, "group %s has no name", idx);
    if (next_token(&s)) return perr(rd, "group '%s' has text after its species list", name);
    int n = 0;
    size_t ns = ilnet_network_species_count(rd->net);
    for (char *p = list; p;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        double w = 1;
        char *star = strchr(p, '*'), *sp = p;
        if (star) {
            *star = '\0';
            char *end;
            w = strtod(p, &end);
            if (end == p || *end || !isfinite(w) || strspn(p, "0123456789.eE+-") != strlen(p))
                return perr(rd, "bad weight '%s'", p);
            sp = star + 1;
        }
        if (!*sp) return perr(rd, "missing species index in group '%s'", name);
        long v = parse_index(sp);
        if (v < 1) return perr(rd, "bad species index '%s'", sp);
        if ((size_t)v > ns) return perr(rd, "unknown species index '%s'", sp);
        if (ensure(rd, (size_t)n + 1)) return ILNET_ENOMEM;
        rd->buf_a[n] = (int)v - 1;
        rd->buf_w[n++] = w;
        p = comma ? comma + 1 : NULL;
    }
    return ilnet_network_add_observable(rd->net, name, rd->buf_a, rd->buf_w, n, rd->line);
}

/* "[index] name[()] [=] expression" */
static int line_function(struct reader *rd, char *s)
{
    char *p = s;
    while (isdigit((unsigned char)*p))
        p++;
    if (p != s && isspace((unsigned char)*p)) s = p;
    while (isspace((unsigned char)*s))
        s++;
    char *name = s;
    while (isalnum((unsigned char)*s) || *s == '_')
        s++;
    if (s == name) return perr(rd, "expected a function name, found '%s'", name);
    char *end = s;
    if (s[0] == '(' && s[1] == ')')
        s += 2;
    else if (*s == '(')
        return perr(rd, "function '%s' with arguments is not supported", name);
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '=') s++;
    *end = '\0';
    char *expr = trim(s);
    if (!*expr) return perr(rd, "function '%s' has no expression", name);
    return ilnet_network_add_function(rd->net, name, expr, rd->line);
}

static const char *block_name(enum block b)
{
    switch (b) {
    case B_PARAMETERS:
        return "parameters";
    case B_SPECIES:
        return "species";
    case B_REACTIONS:
        return "reactions";
    case B_GROUPS:
        return "groups";
    case B_FUNCTIONS:
        return "functions";
    default:
        return "?";
    }
}

static int parse_lines(struct reader *rd, char *text)
{
    enum block cur = B_NONE;
    char skip_name[64] = "";
    int seen[B_SKIP + 1] = {0}, open_line = 0;
    char *line = text;
    rd->line = 0;
    while (line && *line) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        rd->line++;
        int first_line = rd->line;
        /* A trailing backslash continues the line (BioNetGen allows it). */
        while (nl && nl > line && nl[-1] == '\\' && nl[1]) {
            nl[-1] = ' ';
            *nl = ' ';
            char *nn = strchr(nl, '\n');
            rd->line++;
            nl = nn;
            if (nl) *nl = '\0';
        }
        char *hash = strchr(line, '#');
        char *label = NULL;
        if (hash) {
            *hash = '\0';
            char *c = hash + 1;
            label = next_token(&c);
        }
        char *s = trim(line);
        int save_line = rd->line;
        rd->line = first_line;
        int rc = 0;
        if (!*s) {
            /* blank or comment-only */
        } else if (!strncmp(s, "begin", 5) && isspace((unsigned char)s[5])) {
            char *what = trim(s + 6);
            if (cur != B_NONE)
                rc = perr(rd, "'begin %s' inside another block", what);
            else if (!strcmp(what, "parameters"))
                cur = B_PARAMETERS;
            else if (!strcmp(what, "species"))
                cur = B_SPECIES;
            else if (!strcmp(what, "reactions"))
                cur = B_REACTIONS;
            else if (!strcmp(what, "groups"))
                cur = B_GROUPS;
            else if (!strcmp(what, "functions"))
                cur = B_FUNCTIONS;
            else if (!strcmp(what, "molecule types") || !strcmp(what, "observables")) {
                cur = B_SKIP; /* pattern definitions; groups carry the numbers */
                snprintf(skip_name, sizeof skip_name, "%s", what);
            } else
                rc = perr(rd, "unsupported block 'begin %s'", what);
            if (!rc && cur != B_SKIP) {
                if (seen[cur]) rc = perr(rd, "block '%s' appears twice", what);
                seen[cur] = 1;
            }
            open_line = rd->line;
        } else if (!strncmp(s, "end", 3) && (isspace((unsigned char)s[3]) || !s[3])) {
            char *what = trim(s + 3);
            const char *want = cur == B_SKIP ? skip_name : block_name(cur);
            if (cur == B_NONE)
                rc = perr(rd, "'end %s' without a matching begin", what);
            else if (strcmp(what, want))
                rc = perr(rd, "'end %s' closes the wrong block", what);
            cur = B_NONE;
        } else {
            switch (cur) {
            case B_PARAMETERS:
                rc = line_parameter(rd, s);
                break;
            case B_SPECIES:
                rc = line_species(rd, s);
                break;
            case B_REACTIONS:
                rc = line_reaction(rd, s, label);
                break;
            case B_GROUPS:
                rc = line_group(rd, s);
                break;
            case B_FUNCTIONS:
                rc = line_function(rd, s);
                break;
            case B_SKIP:
                break;
            case B_NONE: {
                char *t = next_token(&s);
                rc = perr(rd, "text outside any block: '%s'", t);
                break;
            }
            }
        }
        if (rc) return rc;
        rd->line = save_line;
        line = nl ? nl + 1 : NULL;
    }
    if (cur != B_NONE) {
        rd->line = open_line;
        const char *n = cur == B_SKIP ? skip_name : block_name(cur);
        return perr(rd, "block '%s' is never closed (truncated file?)", n);
    }
    if (!seen[B_SPECIES]) return ilnet_error_set(ILNET_EINPUT, "%s: no species block", rd->path);
    if (!seen[B_REACTIONS])
        return ilnet_error_set(ILNET_EINPUT, "%s: no reactions block", rd->path);
    return 0;
}

int ilnet_netfile_parse(ilnet_network **out, const char *text, size_t len, const char *path)
{
    *out = NULL;
    struct reader rd = {path, 0, NULL, NULL, NULL, NULL, 0};
    if (!text) return ilnet_error_set(ILNET_EINPUT, "%s: no model text", path);
    if (memchr(text, '\0', len))
        return ilnet_error_set(ILNET_EINPUT, "%s: binary file (contains a NUL byte)", path);
    char *copy = malloc(len + 1);
    if (!copy) return ilnet_error_set(ILNET_ENOMEM, "out of memory reading %s", path);
    memcpy(copy, text, len);
    copy[len] = '\0';
    int rc = ilnet_network_new(&rd.net);
    if (!rc) rc = ilnet_network_set_source(rd.net, path, copy);
    if (!rc) rc = ensure(&rd, 64);
    if (!rc) rc = parse_lines(&rd, copy);
    if (!rc) rc = ilnet_network_compile(rd.net);
    free(copy);
    free(rd.buf_a);
    free(rd.buf_b);
    free(rd.buf_w);
    if (rc) {
        ilnet_network_free(rd.net);
        return rc;
    }
    *out = rd.net;
    return 0;
}

int ilnet_netfile_read(ilnet_network **out, const char *path)
{
    char *text;
    size_t len;
    int rc = ilnet_file_read(&text, &len, path);
    if (rc) return rc;
    rc = ilnet_netfile_parse(out, text, len, path);
    free(text);
    return rc;
}

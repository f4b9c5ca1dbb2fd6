/* Splitting a readout that aggregates over doses into per-point operands and a skeleton
 * (series_expr.h). A small scanner, not a parser: it only has to find names, calls and
 * their parentheses; the skeleton is compiled by the expression parser, which reports any
 * other error in it. */
#include "series_expr.h"

#include "../common/error.h"
#include "../common/strbuf.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const aggregates[] = {"max_over_doses", "min_over_doses", NULL};
/* model/readout.h's calls: their arguments are names or patterns, not expressions */
static const char *const readout_calls[] = {"species", "molecules",     "flux",
                                            "amount",  "concentration", NULL};

static int is_one_of(const char *s, size_t n, const char *const *list)
{
    for (int i = 0; list[i]; i++)
        if (strlen(list[i]) == n && !strncmp(s, list[i], n)) return i;
    return -1;
}

/* an aggregate's name as a whole token followed by '(' ("pmax_over_doses(" is not one) */
int ilnet_series_expr_uses(const char *text)
{
    for (int a = 0; aggregates[a]; a++)
        for (const char *s = text; (s = strstr(s, aggregates[a])); s++) {
            const char *e = s + strlen(aggregates[a]);
            while (isspace((unsigned char)*e))
                e++;
            if ((s == text || !(isalnum((unsigned char)s[-1]) || s[-1] == '_')) && *e == '(')
                return 1;
        }
    return 0;
}

/* The index of the ')' closing the '(' at open (quotes skipped), or 0 when none does. */
static size_t closing(const char *t, size_t open)
{
    int depth = 0;
    char quote = 0;
    for (size_t i = open; t[i]; i++) {
        if (quote) {
            quote = t[i] == quote ? 0 : quote;
        } else if (t[i] == '"' || t[i] == '\'') {
            quote = t[i];
        } else if (t[i] == '(') {
            depth++;
        } else if (t[i] == ')' && !--depth) {
            return i;
        }
    }
    return 0;
}

/* The index of operand text[0..n), added when new. */
static int operand(ilnet_series_expr *s, const char *text, size_t n)
{
    while (n && isspace((unsigned char)*text))
        text++, n--;
    while (n && isspace((unsigned char)text[n - 1]))
        n--;
    for (int j = 0; j < s->n_operands; j++)
        if (strlen(s->operands[j]) == n && !strncmp(s->operands[j], text, n)) return j;
    char **ops = realloc(s->operands, (size_t)(s->n_operands + 1) * sizeof *ops);
    if (!ops) return ilnet_error_oom();
    s->operands = ops;
    if (!(ops[s->n_operands] = strndup(text, n))) return ilnet_error_oom();
    return s->n_operands++;
}

static int aggregate(ilnet_series_expr *s, int kind, int op)
{
    int *k = realloc(s->agg_kind, (size_t)(s->n_aggs + 1) * sizeof *k);
    if (k) s->agg_kind = k;
    int *o = realloc(s->agg_operand, (size_t)(s->n_aggs + 1) * sizeof *o);
    if (o) s->agg_operand = o;
    if (!k || !o) return ilnet_error_oom();
    k[s->n_aggs] = kind;
    o[s->n_aggs] = op;
    return s->n_aggs++;
}

/* A call at t[i..] named t[i..i+n) whose '(' is at open: an aggregate or a readout call
 * becomes a skeleton variable; *next is past its ')'. Other functions stay in the skeleton
 * (returns 1). */
static int call(ilnet_series_expr *s, ilnet_strbuf *sk, const char *t, size_t i, size_t n,
                size_t open, size_t *next)
{
    int agg = is_one_of(t + i, n, aggregates);
    size_t close = closing(t, open);
    /* time() and a BNGL function's f() are names written as calls: operands too */
    int empty = close && strspn(t + open + 1, " \t") == close - open - 1;
    if (agg < 0 && !empty && is_one_of(t + i, n, readout_calls) < 0) return 1;
    if (!close) return ilnet_error_set(ILNET_EINPUT, "'%.*s(' is not closed", (int)n, t + i);
    const char *arg = t + open + 1;
    size_t len = close - open - 1;
    int j;
    if (agg >= 0) {
        char *inner = strndup(arg, len);
        if (!inner) return ilnet_error_oom();
        int nested = ilnet_series_expr_uses(inner), blank = strspn(inner, " \t") == len;
        free(inner);
        if (nested)
            return ilnet_error_set(ILNET_EINPUT, "%s(...) cannot hold another aggregate over doses",
                                   aggregates[agg]);
        if (blank) return ilnet_error_set(ILNET_EINPUT, "%s() needs an argument", aggregates[agg]);
        if ((j = operand(s, arg, len)) < 0 || (j = aggregate(s, agg, j)) < 0) return j;
    } else if ((j = operand(s, t + i, close + 1 - i)) < 0) {
        return j;
    }
    *next = close + 1;
    ilnet_strbuf_printf(sk, "__%c%d", agg >= 0 ? 'a' : 'v', j);
    return 0;
}

/* A name at t[i..i+n): a call, a constant (_pi, _e) or an operand. */
static int name(ilnet_series_expr *s, ilnet_strbuf *sk, const char *t, size_t i, size_t n,
                size_t *next)
{
    size_t k = i + n;
    while (isspace((unsigned char)t[k]))
        k++;
    *next = i + n;
    if (t[k] == '(') {
        int rc = call(s, sk, t, i, n, k, next);
        if (rc <= 0) return rc;
    } else if (!((n == 3 && !strncmp(t + i, "_pi", 3)) || (n == 2 && !strncmp(t + i, "_e", 2)))) {
        int j = operand(s, t + i, n);
        if (j >= 0) ilnet_strbuf_printf(sk, "__v%d", j);
        return j < 0 ? j : 0;
    }
    ilnet_strbuf_printf(sk, "%.*s", (int)n, t + i);
    return 0;
}

/* A number's length at t (digits, '.', an exponent): its letters are not names. */
static size_t number(const char *t)
{
    size_t n = 0;
    while (isdigit((unsigned char)t[n]) || t[n] == '.')
        n++;
    if (n && (t[n] == 'e' || t[n] == 'E')) {
        size_t m = n + 1 + (t[n + 1] == '+' || t[n + 1] == '-');
        if (isdigit((unsigned char)t[m])) {
            n = m;
            while (isdigit((unsigned char)t[n]))
                n++;
        }
    }
    return n;
}

int ilnet_series_expr_split(ilnet_series_expr *out, const char *t)
{
    memset(out, 0, sizeof *out);
    ilnet_strbuf sk = ILNET_STRBUF_INIT;
    int rc = 0;
    for (size_t i = 0; !rc && t[i];) {
        size_t n = number(t + i), next;
        if (n) {
            ilnet_strbuf_appendn(&sk, t + i, n);
            i += n;
        } else if (isalpha((unsigned char)t[i]) || t[i] == '_') {
            while (isalnum((unsigned char)t[i + n]) || t[i + n] == '_')
                n++;
            rc = name(out, &sk, t, i, n, &next);
            i = next;
        } else {
            ilnet_strbuf_appendn(&sk, t + i++, 1);
        }
    }
    if (!rc && !(out->skeleton = ilnet_strbuf_detach(&sk))) rc = ILNET_ENOMEM;
    ilnet_strbuf_free(&sk);
    if (rc) ilnet_series_expr_free(out);
    return rc < 0 ? rc : 0;
}

void ilnet_series_expr_free(ilnet_series_expr *s)
{
    for (int j = 0; j < s->n_operands; j++)
        free(s->operands[j]);
    free(s->operands);
    free(s->skeleton);
    free(s->agg_kind);
    free(s->agg_operand);
    memset(s, 0, sizeof *s);
}

void ilnet_series_expr_unskeleton(char *out, size_t cap, const char *msg,
                                  const ilnet_series_expr *s)
{
    size_t n = 0;
    for (const char *m = msg; *m && n + 1 < cap;) {
        int j = -1;
        char kind = 0;
        if (m[0] == '_' && m[1] == '_' && (m[2] == 'v' || m[2] == 'a') &&
            isdigit((unsigned char)m[3])) {
            kind = m[2];
            char *end;
            j = (int)strtol(m + 3, &end, 10);
            if (j < (kind == 'v' ? s->n_operands : s->n_aggs)) {
                if (kind == 'v')
                    n += (size_t)snprintf(out + n, cap - n, "%s", s->operands[j]);
                else
                    n += (size_t)snprintf(out + n, cap - n, "%s(%s)", aggregates[s->agg_kind[j]],
                                          s->operands[s->agg_operand[j]]);
                m = end;
                if (n >= cap) n = cap - 1;
                continue;
            }
        }
        out[n++] = *m++;
    }
    out[n < cap ? n : cap - 1] = 0;
}

char *ilnet_series_operand_column(const char *operand)
{
    char *c = malloc(strlen(operand) + 3);
    if (c) sprintf(c, "(%s)", operand);
    return c;
}

/* Skeleton names: __v<j> is operand j, __a<i> is variable n_operands + i. */
static int resolve(void *ctx, const char *name, size_t len)
{
    const ilnet_series_expr *s = ctx;
    if (len < 4 || strncmp(name, "__", 2) || (name[2] != 'v' && name[2] != 'a')) return -1;
    int i = 0;
    for (size_t c = 3; c < len; c++) {
        if (name[c] < '0' || name[c] > '9' || i > 100000) return -1;
        i = 10 * i + (name[c] - '0');
    }
    if (name[2] == 'v') return i < s->n_operands ? i : -1;
    return i < s->n_aggs ? s->n_operands + i : -1;
}

int ilnet_series_expr_compile(ilnet_expr **out, const ilnet_series_expr *s)
{
    return ilnet_expr_parse(out, s->skeleton, resolve, (void *)s, NULL);
}

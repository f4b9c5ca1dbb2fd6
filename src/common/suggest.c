#include "suggest.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEN 128

/* Costs in half units: 2 per edit, 1 for a letter whose case alone differs. */
static int sub_cost(char a, char b)
{
    if (a == b) return 0;
    return tolower((unsigned char)a) == tolower((unsigned char)b) ? 1 : 2;
}

static int min3(int a, int b, int c)
{
    int m = a < b ? a : b;
    return m < c ? m : c;
}

/* Optimal string alignment distance (half units), or a large number when the lengths
 * alone exceed limit. Three rows on the stack. */
static int distance(const char *a, size_t la, const char *b, size_t lb, int limit)
{
    if (2 * (int)(la > lb ? la - lb : lb - la) > limit) return limit + 1;
    int rows[3][MAX_LEN + 1], *pp = rows[0], *p = rows[1], *c = rows[2];
    for (size_t j = 0; j <= lb; j++)
        p[j] = 2 * (int)j;
    for (size_t i = 1; i <= la; i++) {
        c[0] = 2 * (int)i;
        for (size_t j = 1; j <= lb; j++) {
            c[j] = min3(p[j] + 2, c[j - 1] + 2, p[j - 1] + sub_cost(a[i - 1], b[j - 1]));
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 2 < c[j])
                c[j] = pp[j - 2] + 2;
        }
        int *t = pp;
        pp = p, p = c, c = t;
    }
    return p[lb];
}

const char *ilnet_suggest(const char *name, ilnet_name_at at, const void *ctx, size_t n)
{
    size_t la = strlen(name);
    if (!la || la >= MAX_LEN) return NULL;
    int limit = 2 * (la / 3 > 1 ? (int)(la / 3) : 1), best_d = limit + 1;
    const char *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *cand = at(ctx, i);
        if (!cand) continue;
        size_t lb = strlen(cand);
        if (lb >= MAX_LEN || !strcmp(cand, name)) continue;
        int d = distance(name, la, cand, lb, limit);
        if (d < best_d) best_d = d, best = cand;
    }
    return best;
}

const char *ilnet_did_you_mean(char *buf, size_t size, const char *name, ilnet_name_at at,
                               const void *ctx, size_t n)
{
    const char *s = ilnet_suggest(name, at, ctx, n);
    if (size) buf[0] = '\0';
    if (s) snprintf(buf, size, " (did you mean '%s'?)", s);
    return buf;
}

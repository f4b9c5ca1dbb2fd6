/* Deterministic mutation fuzzer for the .net reader.
 *
 * usage: test_netfile_fuzz [-v] [--dump DIR] [--only K] [--scale F] [--min-mutants N] PATH...
 *
 * Each PATH is a .net file or a directory searched (recursively) for .net files. Every file
 * is mutated many times with a seeded xorshift64* generator (no rand(), no clock): byte
 * flips/insertions/deletions, truncation (anywhere, mid-line, mid-token), line deletion,
 * duplication and swaps, numeric tokens replaced by NaN/inf/1e999/-0/huge integers/empty,
 * out-of-range species indices in reactions and groups, undefined names in expressions,
 * removed/duplicated/renamed begin/end lines, unbalanced parentheses and stray operators,
 * 100 KB lines and names, embedded NUL bytes, CRLF line endings and tabs; plus a fixed set
 * of targeted mutants per file (NUL bytes before blocks, 100 KB and 600-character species
 * names with amounts of 1e300 so that the solver fails and names them, ...) and a few
 * file-independent inputs (tiny texts, a chain of 300000 parameters each defined by the
 * next). Each mutant goes through ilnet_netfile_parse(.., "mutant.net"). Files up to 64 KB
 * get 170 random mutants, up to 300 KB 48, larger ones 8 that are parsed but not simulated.
 *
 * Properties checked (CHECK, the test fails on a violation):
 *   - rejection: return code negative, *out left NULL, ilnet_error_last() non-empty, one
 *     line (no '\n'), starting with "mutant.net";
 *   - acceptance: a solver with max_steps 500 runs over t = 0, 0.5, 1 and returns 0 or
 *     ILNET_ESOLVER (with a one-line message and 1 <= n_done < 3 rows);
 *   - the unmutated file, its CRLF, tab-separated and trailing-blank versions all parse,
 *     with the same element counts.
 * Suspicious but not fatal behaviour is printed as "FINDING:" lines and counted: a mutant
 * with an embedded NUL byte that is accepted (the text after the NUL is silently ignored),
 * non-finite numbers in rows a successful run reported, messages with other control
 * characters, and line numbers in messages outside the mutant's line range.
 *
 * Memory errors, leaks and UB surface through the sanitizers (CI builds with ASan+UBSan).
 * With -v every mutant's description is printed before it is parsed (to find the one that
 * crashed); --only K runs only the mutant numbered K of each file (K as printed);
 * --dump DIR writes every mutant that failed a check or produced a finding to DIR. */
#include "common/error.h"
#include "common/file.h"
#include "model/netfile.h"
#include "solver/solver.h"
#include "check.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MUTANT_PATH "mutant.net"
#define BIG_FILE (300 * 1024)
#define MEDIUM_FILE (64 * 1024)
#define LONG_LINE (100 * 1024)

/* ---------------------------------------------------------------- PRNG (xorshift64*) */

typedef struct {
    uint64_t s;
} rng_t;

static uint64_t rng_next(rng_t *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

/* Uniform in [0, n); n > 0. */
static size_t rng_below(rng_t *r, size_t n)
{
    return n ? (size_t)(rng_next(r) % n) : 0;
}

static rng_t rng_seed(uint64_t seed)
{
    rng_t r = {seed ? seed : 0x9E3779B97F4A7C15ULL};
    for (int i = 0; i < 8; i++)
        rng_next(&r);
    return r;
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* ---------------------------------------------------------------- growable byte buffer */

typedef struct {
    char *p;
    size_t n, cap;
} buf_t;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "test_netfile_fuzz: out of memory\n");
        exit(2);
    }
    return q;
}

static void buf_reserve(buf_t *b, size_t n)
{
    if (n <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void buf_set(buf_t *b, const char *s, size_t n)
{
    buf_reserve(b, n);
    if (n) memcpy(b->p, s, n);
    b->n = n;
}

/* Replaces [pos, pos+del) by ins[0..ins_n). */
static void buf_splice(buf_t *b, size_t pos, size_t del, const char *ins, size_t ins_n)
{
    if (pos > b->n) pos = b->n;
    if (del > b->n - pos) del = b->n - pos;
    buf_reserve(b, b->n - del + ins_n);
    memmove(b->p + pos + ins_n, b->p + pos + del, b->n - pos - del);
    if (ins_n) memcpy(b->p + pos, ins, ins_n);
    b->n = b->n - del + ins_n;
}

static void buf_free(buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- structure of a buffer */

enum blk { BK_NONE, BK_PARAM, BK_SPECIES, BK_REACT, BK_GROUPS, BK_OTHER };

typedef struct {
    size_t start, len; /* line text without its '\n' */
    enum blk blk;      /* block the line is in (BK_NONE for begin/end lines themselves) */
    int is_begin, is_end;
} line_t;

typedef struct {
    line_t *v;
    size_t n, cap;
    size_t n_species; /* element lines seen in the species block */
} lines_t;

static enum blk block_of(const char *s, size_t n)
{
    struct {
        const char *name;
        enum blk b;
    } tab[] = {{"parameters", BK_PARAM},
               {"species", BK_SPECIES},
               {"reactions", BK_REACT},
               {"groups", BK_GROUPS}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        size_t l = strlen(tab[i].name);
        if (n >= l && !memcmp(s, tab[i].name, l)) return tab[i].b;
    }
    return BK_OTHER;
}

static void scan_lines(lines_t *L, const buf_t *b)
{
    L->n = 0;
    L->n_species = 0;
    enum blk cur = BK_NONE;
    size_t i = 0;
    while (i < b->n || (i == 0 && b->n == 0)) {
        if (b->n == 0) break;
        size_t j = i;
        while (j < b->n && b->p[j] != '\n')
            j++;
        if (L->n == L->cap) {
            L->cap = L->cap ? 2 * L->cap : 256;
            L->v = xrealloc(L->v, L->cap * sizeof *L->v);
        }
        line_t *ln = &L->v[L->n++];
        ln->start = i;
        ln->len = j - i;
        ln->is_begin = ln->is_end = 0;
        size_t k = i;
        while (k < j && (b->p[k] == ' ' || b->p[k] == '\t' || b->p[k] == '\r'))
            k++;
        if (j - k >= 6 && !memcmp(b->p + k, "begin", 5) && isspace((unsigned char)b->p[k + 5])) {
            size_t w = k + 6;
            while (w < j && isspace((unsigned char)b->p[w]))
                w++;
            cur = block_of(b->p + w, j - w);
            ln->is_begin = 1;
            ln->blk = BK_NONE;
        } else if (j - k >= 3 && !memcmp(b->p + k, "end", 3) &&
                   (j - k == 3 || isspace((unsigned char)b->p[k + 3]))) {
            ln->is_end = 1;
            ln->blk = BK_NONE;
            cur = BK_NONE;
        } else {
            ln->blk = cur;
            if (cur == BK_SPECIES && k < j && b->p[k] != '#') L->n_species++;
        }
        i = j + 1;
    }
}

/* Byte range [*s, *e) of the tok-th whitespace-separated token of a line (before any '#').
 * Returns 0 when the token does not exist. */
static int line_token(const buf_t *b, const line_t *ln, int tok, size_t *s, size_t *e)
{
    size_t i = ln->start, end = ln->start + ln->len;
    for (size_t k = i; k < end; k++)
        if (b->p[k] == '#') {
            end = k;
            break;
        }
    int t = 0;
    while (i < end) {
        while (i < end && isspace((unsigned char)b->p[i]))
            i++;
        if (i >= end) break;
        size_t st = i;
        while (i < end && !isspace((unsigned char)b->p[i]))
            i++;
        if (t == tok) {
            *s = st;
            *e = i;
            return 1;
        }
        t++;
    }
    return 0;
}

/* The expression field of an element line: the rest after the first two tokens for
 * parameters and species, the fourth token for reactions. */
static int line_expr(const buf_t *b, const line_t *ln, size_t *s, size_t *e)
{
    if (ln->blk == BK_REACT) return line_token(b, ln, 3, s, e);
    if (ln->blk != BK_PARAM && ln->blk != BK_SPECIES) return 0;
    size_t s1, e1;
    if (!line_token(b, ln, 2, &s1, &e1)) return 0;
    size_t end = ln->start + ln->len;
    for (size_t k = ln->start; k < end; k++)
        if (b->p[k] == '#') {
            end = k;
            break;
        }
    while (end > s1 && isspace((unsigned char)b->p[end - 1]))
        end--;
    *s = s1;
    *e = end;
    return 1;
}

/* A random line satisfying pred, or -1. */
static long pick_line(rng_t *r, const lines_t *L, int (*pred)(const line_t *))
{
    size_t cnt = 0;
    for (size_t i = 0; i < L->n; i++)
        cnt += pred(&L->v[i]) != 0;
    if (!cnt) return -1;
    size_t k = rng_below(r, cnt);
    for (size_t i = 0; i < L->n; i++)
        if (pred(&L->v[i]) && k-- == 0) return (long)i;
    return -1;
}

static int is_any(const line_t *l)
{
    (void)l;
    return 1;
}
static int is_nonempty(const line_t *l)
{
    return l->len > 0;
}
static int is_elem(const line_t *l)
{
    return l->blk == BK_PARAM || l->blk == BK_SPECIES || l->blk == BK_REACT || l->blk == BK_GROUPS;
}
static int is_expr_line(const line_t *l)
{
    return l->blk == BK_PARAM || l->blk == BK_SPECIES || l->blk == BK_REACT;
}
static int is_index_line(const line_t *l)
{
    return l->blk == BK_REACT || l->blk == BK_GROUPS;
}
static int is_begin_end(const line_t *l)
{
    return l->is_begin || l->is_end;
}

/* ---------------------------------------------------------------- descriptions */

typedef struct {
    char s[768];
    size_t n;
} desc_t;

static void desc_add(desc_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void desc_add(desc_t *d, const char *fmt, ...)
{
    if (d->n >= sizeof d->s - 1) return;
    if (d->n) {
        int w = snprintf(d->s + d->n, sizeof d->s - d->n, "; ");
        if (w > 0) d->n += (size_t)w;
        if (d->n >= sizeof d->s - 1) {
            d->n = sizeof d->s - 1;
            return;
        }
    }
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(d->s + d->n, sizeof d->s - d->n, fmt, ap);
    va_end(ap);
    if (w > 0) d->n += (size_t)w;
    if (d->n >= sizeof d->s) d->n = sizeof d->s - 1;
}

/* Printable rendering of a short string for descriptions. */
static const char *show(const char *s, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 32 && c < 127 && c != '\\')
            out[o++] = (char)c;
        else
            o += (size_t)snprintf(out + o, cap - o, "\\x%02x", c);
    }
    if (n && o + 5 >= cap && o + 4 < cap) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
    return out;
}

/* ---------------------------------------------------------------- mutators */

typedef int (*mutator_fn)(buf_t *b, lines_t *L, rng_t *r, desc_t *d);

static const char interesting_bytes[] = {'\n', '\r', '\t',       ' ',        '#', '$', ',', '*',
                                         '(',  ')',  '\\',       '0',        '1', '9', '.', '-',
                                         '+',  'e',  'a',        'Z',        '_', '!', '~', '\0',
                                         '\v', '\f', (char)0x80, (char)0xff, '^', '/', '<', '='};

static int m_byte_flip(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    int k = 1 + (int)rng_below(r, 3);
    for (int i = 0; i < k; i++) {
        size_t pos = rng_below(r, b->n);
        unsigned char bit = (unsigned char)(1u << rng_below(r, 8));
        b->p[pos] = (char)((unsigned char)b->p[pos] ^ bit);
        desc_add(d, "flip byte %zu ^0x%02x", pos, bit);
    }
    return 0;
}

static int m_byte_set(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = rng_below(r, b->n);
    char c = interesting_bytes[rng_below(r, sizeof interesting_bytes)];
    b->p[pos] = c;
    desc_add(d, "set byte %zu = 0x%02x", pos, (unsigned char)c);
    return 0;
}

static int m_byte_insert(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    size_t pos = rng_below(r, b->n + 1);
    char c = rng_below(r, 4) ? interesting_bytes[rng_below(r, sizeof interesting_bytes)]
                             : (char)rng_below(r, 256);
    buf_splice(b, pos, 0, &c, 1);
    desc_add(d, "insert byte 0x%02x at %zu", (unsigned char)c, pos);
    return 0;
}

static int m_byte_delete(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = rng_below(r, b->n), n = 1 + rng_below(r, rng_below(r, 2) ? 2 : 24);
    buf_splice(b, pos, n, NULL, 0);
    desc_add(d, "delete %zu bytes at %zu", n, pos);
    return 0;
}

static int m_truncate(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    if (!b->n) return -1;
    int mode = (int)rng_below(r, 3);
    size_t at;
    if (mode == 0) {
        at = rng_below(r, b->n);
        desc_add(d, "truncate at %zu", at);
    } else {
        long li = pick_line(r, L, is_nonempty);
        if (li < 0) return -1;
        const line_t *ln = &L->v[li];
        size_t s, e;
        if (mode == 2 && line_token(b, ln, (int)rng_below(r, 4), &s, &e) && e - s >= 2) {
            at = s + 1 + rng_below(r, e - s - 1);
            desc_add(d, "truncate mid-token at %zu (line %ld)", at, li + 1);
        } else {
            at = ln->start + rng_below(r, ln->len);
            desc_add(d, "truncate mid-line at %zu (line %ld)", at, li + 1);
        }
    }
    b->n = at;
    return 0;
}

static void line_bounds(const buf_t *b, const line_t *ln, size_t *s, size_t *e)
{
    *s = ln->start;
    *e = ln->start + ln->len + (ln->start + ln->len < b->n); /* with its '\n' if any */
}

static int m_line_delete(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, rng_below(r, 2) ? is_elem : is_any);
    if (li < 0) return -1;
    size_t s, e;
    line_bounds(b, &L->v[li], &s, &e);
    buf_splice(b, s, e - s, NULL, 0);
    desc_add(d, "delete line %ld", li + 1);
    return 0;
}

static int m_line_dup(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, rng_below(r, 2) ? is_elem : is_any);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    char *copy = xrealloc(NULL, ln->len + 1);
    memcpy(copy, b->p + ln->start, ln->len);
    copy[ln->len] = '\n';
    buf_splice(b, ln->start, 0, copy, ln->len + 1);
    free(copy);
    desc_add(d, "duplicate line %ld", li + 1);
    return 0;
}

static int m_line_swap(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    if (L->n < 2) return -1;
    long a = pick_line(r, L, is_any), c;
    /* half the time a neighbour (same block, typically), else anywhere */
    if (rng_below(r, 2))
        c = a + 1 < (long)L->n ? a + 1 : a - 1;
    else
        c = (long)rng_below(r, L->n);
    if (a == c) return -1;
    if (a > c) {
        long t = a;
        a = c;
        c = t;
    }
    const line_t *la = &L->v[a], *lc = &L->v[c];
    size_t na = la->len, nc = lc->len;
    char *ta = xrealloc(NULL, na + 1), *tc = xrealloc(NULL, nc + 1);
    memcpy(ta, b->p + la->start, na);
    memcpy(tc, b->p + lc->start, nc);
    size_t sa = la->start, sc = lc->start;
    buf_splice(b, sc, nc, ta, na); /* later line first: earlier offsets stay valid */
    buf_splice(b, sa, na, tc, nc);
    free(ta);
    free(tc);
    desc_add(d, "swap lines %ld and %ld", a + 1, c + 1);
    return 0;
}

static const char *const numeric_repl[] = {
    "NaN",         "nan",        "inf",       "-inf",   "Infinity",
    "-1",          "0",          "1e999",     "-1e999", "-0",
    "99999999999", "",           "1e-400",    "0x1A",   "1.2.3",
    "1e",          "+",          "--1",       "1e+",    "9223372036854775808",
    "2147483648",  "4294967297", "100000001", "0.0.0",  "1,2",
    "1e308*10",    "0/0",        "-(1)",      ".",      "1."};

static int is_numeric_start(const char *p, size_t n)
{
    if (!n) return 0;
    if (isdigit((unsigned char)p[0])) return 1;
    if ((p[0] == '.' || p[0] == '-' || p[0] == '+') && n > 1 && isdigit((unsigned char)p[1]))
        return 1;
    return 0;
}

/* Numeric runs anywhere in element lines: digits, '.', 'e' exponent (sign). */
static int m_numeric(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_elem);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t end = ln->start + ln->len;
    /* collect numeric runs */
    size_t starts[64], ends[64], cnt = 0;
    for (size_t i = ln->start; i < end && cnt < 64;) {
        int boundary = i == ln->start || !(isalnum((unsigned char)b->p[i - 1]) ||
                                           b->p[i - 1] == '_' || b->p[i - 1] == '.');
        if (boundary && is_numeric_start(b->p + i, end - i)) {
            size_t j = i + 1;
            while (j < end && (isdigit((unsigned char)b->p[j]) || b->p[j] == '.'))
                j++;
            if (j < end && (b->p[j] == 'e' || b->p[j] == 'E')) {
                size_t k = j + 1;
                if (k < end && (b->p[k] == '+' || b->p[k] == '-')) k++;
                if (k < end && isdigit((unsigned char)b->p[k])) {
                    while (k < end && isdigit((unsigned char)b->p[k]))
                        k++;
                    j = k;
                }
            }
            starts[cnt] = i;
            ends[cnt++] = j;
            i = j;
        } else
            i++;
    }
    if (!cnt) return -1;
    size_t k = rng_below(r, cnt);
    const char *rep = numeric_repl[rng_below(r, sizeof numeric_repl / sizeof numeric_repl[0])];
    char old[48];
    show(b->p + starts[k], ends[k] - starts[k], old, sizeof old);
    buf_splice(b, starts[k], ends[k] - starts[k], rep, strlen(rep));
    desc_add(d, "line %ld: number '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

/* Species indices in reaction reactant/product lists and group lists. */
static int m_index(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_index_line);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    int tok = ln->blk == BK_REACT ? 1 + (int)rng_below(r, 2) : 2;
    size_t s, e;
    if (!line_token(b, ln, tok, &s, &e)) return -1;
    /* pick one comma-separated element (after any "w*") */
    size_t parts[64], pe[64], cnt = 0, i = s;
    while (i <= e && cnt < 64) {
        size_t j = i;
        while (j < e && b->p[j] != ',')
            j++;
        size_t st = i;
        for (size_t q = i; q < j; q++)
            if (b->p[q] == '*') st = q + 1;
        parts[cnt] = st;
        pe[cnt++] = j;
        i = j + 1;
    }
    if (!cnt) return -1;
    size_t k = rng_below(r, cnt);
    char rep[64];
    size_t ns = L->n_species;
    switch (rng_below(r, 16)) {
    case 0:
    case 1:
    case 2:
        snprintf(rep, sizeof rep, "%zu", ns + 1);
        break;
    case 3:
        snprintf(rep, sizeof rep, "%zu", ns);
        break;
    case 4:
        snprintf(rep, sizeof rep, "%zu", ns + 1000);
        break;
    case 5:
        snprintf(rep, sizeof rep, "0");
        break;
    case 6:
        snprintf(rep, sizeof rep, "-1");
        break;
    case 7:
        snprintf(rep, sizeof rep, "2147483648");
        break;
    case 8:
        snprintf(rep, sizeof rep, "100000001");
        break;
    case 9:
        snprintf(rep, sizeof rep, "99999999999");
        break;
    case 10:
        snprintf(rep, sizeof rep, "%s", "");
        break;
    case 11:
        snprintf(rep, sizeof rep, "%s", "1,");
        break;
    case 12:
        snprintf(rep, sizeof rep, "%s", ",1");
        break;
    case 13:
        snprintf(rep, sizeof rep, "%s", "01");
        break;
    case 14:
        snprintf(rep, sizeof rep, "%s", "+1");
        break;
    default:
        snprintf(rep, sizeof rep, "%s", "1e0");
        break;
    }
    char old[48];
    show(b->p + parts[k], pe[k] - parts[k], old, sizeof old);
    buf_splice(b, parts[k], pe[k] - parts[k], rep, strlen(rep));
    desc_add(d, "line %ld: species index '%s' -> '%s' (%zu species)", li + 1, old, rep, ns);
    return 0;
}

static const char *const undefined_names[] = {"kx_undefined", "Inf", "NaN", "nan", "pi",   "e",
                                              "_pi2",         "k x", "exp", "if",  "time", "_e",
                                              "_pi"};

/* Replaces a name in an expression (or the whole expression) by an undefined one. */
static int m_undefined_name(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t s, e;
    if (!line_expr(b, ln, &s, &e)) return -1;
    size_t ns[32], ne[32], cnt = 0;
    for (size_t i = s; i < e && cnt < 32;) {
        if (isalpha((unsigned char)b->p[i]) || b->p[i] == '_') {
            int boundary = i == s || !(isalnum((unsigned char)b->p[i - 1]) || b->p[i - 1] == '.');
            size_t j = i;
            while (j < e && (isalnum((unsigned char)b->p[j]) || b->p[j] == '_'))
                j++;
            if (boundary && (j >= e || b->p[j] != '(')) {
                ns[cnt] = i;
                ne[cnt++] = j;
            }
            i = j;
        } else
            i++;
    }
    const char *rep =
        undefined_names[rng_below(r, sizeof undefined_names / sizeof undefined_names[0])];
    char old[48];
    if (cnt && rng_below(r, 4)) {
        size_t k = rng_below(r, cnt);
        show(b->p + ns[k], ne[k] - ns[k], old, sizeof old);
        buf_splice(b, ns[k], ne[k] - ns[k], rep, strlen(rep));
    } else {
        show(b->p + s, e - s, old, sizeof old);
        buf_splice(b, s, e - s, rep, strlen(rep));
    }
    desc_add(d, "line %ld: name/expression '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

static int m_begin_end(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_begin_end);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t s, e;
    line_bounds(b, ln, &s, &e);
    static const char *const renames[] = {"end species",
                                          "end reactions",
                                          "end parameters",
                                          "end groups",
                                          "begin species",
                                          "begin reactions",
                                          "begin Species",
                                          "begin  species",
                                          "begin",
                                          "end",
                                          "beginspecies",
                                          "begin species extra",
                                          "begin molecule types",
                                          "begin observables",
                                          "begin foo",
                                          "end foo",
                                          "BEGIN SPECIES",
                                          "begin\tgroups",
                                          "  end   groups  ",
                                          "begin compartments"};
    switch (rng_below(r, 4)) {
    case 0:
        buf_splice(b, s, e - s, NULL, 0);
        desc_add(d, "delete begin/end line %ld", li + 1);
        break;
    case 1: {
        size_t n = ln->len;
        char *copy = xrealloc(NULL, n + 1);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        buf_splice(b, ln->start, 0, copy, n + 1);
        free(copy);
        desc_add(d, "duplicate begin/end line %ld", li + 1);
        break;
    }
    case 2: {
        const char *rep = renames[rng_below(r, sizeof renames / sizeof renames[0])];
        buf_splice(b, ln->start, ln->len, rep, strlen(rep));
        desc_add(d, "begin/end line %ld -> '%s'", li + 1, rep);
        break;
    }
    default: {
        /* move it elsewhere */
        size_t n = ln->len;
        char *copy = xrealloc(NULL, n + 1);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        buf_splice(b, s, e - s, NULL, 0);
        scan_lines(L, b);
        size_t to = L->n ? L->v[rng_below(r, L->n)].start : 0;
        buf_splice(b, to, 0, copy, n + 1);
        free(copy);
        desc_add(d, "move begin/end line %ld to offset %zu", li + 1, to);
        break;
    }
    }
    return 0;
}

static const char *const expr_junk[] = {
    "(",    ")",     "+",         "-",       "*",           "/",       "^",      "**",
    ",",    "()",    "(1",        "1)",      "<",           "==",      "!",      "&&",
    "max(", "if(",   "$",         "..",      "e",           "1e",      "*-",     "sqrt(-1)*",
    "1/0*", "0*",    "exp(1e3)*", "log(0)+", "min(1)",      "if(1,2)", "pow(2)", "foo(1)",
    "((",   "))",    ")(",        " ",       "1 ",          "--",      "+-+",    "2^-",
    "(-",   "0^-1*", "acosh(0)+", "1e308*",  "tan(_pi/2)*", "%",       "?",      ";"};

static int m_expr_junk(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    const char *junk = expr_junk[rng_below(r, sizeof expr_junk / sizeof expr_junk[0])];
    size_t at = rng_below(r, 3) == 0 ? s : s + rng_below(r, e - s + 1);
    buf_splice(b, at, 0, junk, strlen(junk));
    desc_add(d, "line %ld: insert '%s' at %zu in expression", li + 1, junk, at);
    return 0;
}

/* Deeply nested or very long expressions. */
static int m_expr_deep(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    static const int depths[] = {127, 128, 129, 255, 256, 257, 300, 5000};
    int depth = depths[rng_below(r, sizeof depths / sizeof depths[0])];
    int kind = (int)rng_below(r, 6);
    buf_t x = {0};
    static const char *const open[] = {"(", "-", "2^", "if(1,2,", "max(1,", "exp("};
    static const char *const close[] = {")", "", "", ")", ")", ")"};
    for (int i = 0; i < depth; i++)
        buf_splice(&x, x.n, 0, open[kind], strlen(open[kind]));
    buf_splice(&x, x.n, 0, "1", 1);
    for (int i = 0; i < depth; i++)
        buf_splice(&x, x.n, 0, close[kind], strlen(close[kind]));
    buf_splice(b, s, e - s, x.p, x.n);
    desc_add(d, "line %ld: expression -> %d x '%s' 1 '%s'", li + 1, depth, open[kind], close[kind]);
    buf_free(&x);
    return 0;
}

static int m_long_line(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    buf_t x = {0};
    int kind = (int)rng_below(r, 6);
    buf_reserve(&x, LONG_LINE + 64);
    size_t pos;
    const char *what;
    if (kind == 0 || kind == 1 || kind == 4) {
        /* a new line somewhere: a comment, a bare token, or blanks before a token */
        pos = L->n ? L->v[rng_below(r, L->n)].start : 0;
        if (kind == 0) {
            buf_splice(&x, 0, 0, "# ", 2);
            what = "comment";
        } else if (kind == 1)
            what = "bare token";
        else
            what = "blank run";
        char fill = kind == 4 ? ' ' : 'a';
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, &fill, 1);
        if (kind == 4) buf_splice(&x, x.n, 0, "x", 1);
        buf_splice(&x, x.n, 0, "\n", 1);
        buf_splice(b, pos, 0, x.p, x.n);
    } else if (kind == 2) {
        /* a species (or other element) name */
        long li = pick_line(r, L, is_elem);
        size_t s, e;
        if (li < 0 || !line_token(b, &L->v[li], 1, &s, &e)) {
            buf_free(&x);
            return -1;
        }
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, "N", 1);
        buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "element name";
    } else if (kind == 3) {
        /* 1+1+...+1 as an expression */
        long li = pick_line(r, L, is_expr_line);
        size_t s, e;
        if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) {
            buf_free(&x);
            return -1;
        }
        buf_splice(&x, 0, 0, "0", 1);
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, "+0", 2);
        buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "sum expression";
    } else {
        /* a huge index */
        long li = pick_line(r, L, is_elem);
        size_t s, e;
        if (li < 0 || !line_token(b, &L->v[li], 0, &s, &e)) {
            buf_free(&x);
            return -1;
        }
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, "1", 1);
        buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "index";
    }
    desc_add(d, "100 KB %s at %zu", what, pos);
    buf_free(&x);
    return 0;
}

static int m_nul(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    size_t pos;
    if (rng_below(r, 2) || !L->n)
        pos = rng_below(r, b->n + 1);
    else
        pos = L->v[rng_below(r, L->n)].start; /* at a line start */
    buf_splice(b, pos, 0, "", 1);
    desc_add(d, "insert NUL at %zu", pos);
    return 0;
}

static int m_crlf(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    int all = rng_below(r, 2) != 0;
    size_t cnt = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] == '\n' && (all || rng_below(r, 4) == 0)) {
            buf_splice(b, i, 0, "\r", 1);
            i++;
            cnt++;
        }
    desc_add(d, "CRLF on %s (%zu lines)", all ? "all lines" : "some lines", cnt);
    return 0;
}

static int m_tabs(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    int all = rng_below(r, 2) != 0;
    size_t cnt = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] == ' ' && (all || rng_below(r, 3) == 0)) {
            b->p[i] = '\t';
            cnt++;
        }
    desc_add(d, "tabs for %s spaces (%zu)", all ? "all" : "some", cnt);
    return 0;
}

/* Renames a species/parameter/group to the name of another one of its kind. */
static int m_dup_name(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long a = pick_line(r, L, is_elem), c = pick_line(r, L, is_elem);
    if (a < 0 || c < 0 || a == c || L->v[a].blk != L->v[c].blk || L->v[a].blk == BK_REACT)
        return -1;
    size_t sa, ea, sc, ec;
    if (!line_token(b, &L->v[a], 1, &sa, &ea) || !line_token(b, &L->v[c], 1, &sc, &ec)) return -1;
    size_t n = ea - sa;
    char *name = xrealloc(NULL, n);
    memcpy(name, b->p + sa, n);
    buf_splice(b, sc, ec - sc, name, n);
    free(name);
    desc_add(d, "line %ld gets the name of line %ld", c + 1, a + 1);
    return 0;
}

/* Trailing backslash (line continuation) or '#' in random places. */
static int m_punct(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_nonempty);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    static const char *const ins[] = {"\\", " \\", "#", "# x", "$", " ", ",", "*"};
    const char *s = ins[rng_below(r, sizeof ins / sizeof ins[0])];
    size_t at = rng_below(r, 2) ? ln->start + ln->len : ln->start + rng_below(r, ln->len + 1);
    buf_splice(b, at, 0, s, strlen(s));
    desc_add(d, "line %ld: insert '%s' at %zu", li + 1, s, at);
    return 0;
}

static const struct {
    const char *name;
    mutator_fn fn;
    int weight;
} mutators[] = {
    {"byte_flip", m_byte_flip, 6},
    {"byte_set", m_byte_set, 5},
    {"byte_insert", m_byte_insert, 5},
    {"byte_delete", m_byte_delete, 5},
    {"truncate", m_truncate, 6},
    {"line_delete", m_line_delete, 5},
    {"line_dup", m_line_dup, 5},
    {"line_swap", m_line_swap, 5},
    {"numeric", m_numeric, 10},
    {"index", m_index, 9},
    {"undefined_name", m_undefined_name, 7},
    {"begin_end", m_begin_end, 5},
    {"expr_junk", m_expr_junk, 8},
    {"expr_deep", m_expr_deep, 2},
    {"long_line", m_long_line, 2},
    {"nul", m_nul, 3},
    {"crlf", m_crlf, 2},
    {"tabs", m_tabs, 2},
    {"dup_name", m_dup_name, 3},
    {"punct", m_punct, 4},
};
#define N_MUTATORS (sizeof mutators / sizeof mutators[0])

static size_t pick_mutator(rng_t *r)
{
    int total = 0;
    for (size_t i = 0; i < N_MUTATORS; i++)
        total += mutators[i].weight;
    int k = (int)rng_below(r, (size_t)total);
    for (size_t i = 0; i < N_MUTATORS; i++) {
        if (k < mutators[i].weight) return i;
        k -= mutators[i].weight;
    }
    return 0;
}

/* ---------------------------------------------------------------- running one mutant */

static struct {
    long mutants, parsed, rejected, solved_ok, solver_fail, solve_skipped, findings;
    long nul_mutants, nul_accepted;
    long per_mutator[N_MUTATORS];
} stats;

static int verbose;
static const char *dump_dir;
static long only_index;
static int have_only;
static long min_mutants;

static void dump_mutant(const char *file, long k, const buf_t *b)
{
    if (!dump_dir) return;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.mutant%ld.net", dump_dir, base, k);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (b->n) fwrite(b->p, 1, b->n, f);
    fclose(f);
    fprintf(stderr, "  written to %s\n", path);
}

static void finding(const char *file, long k, const char *desc, const buf_t *b, const char *fmt,
                    ...) __attribute__((format(printf, 5, 6)));
static void finding(const char *file, long k, const char *desc, const buf_t *b, const char *fmt,
                    ...)
{
    char msg[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    stats.findings++;
    fprintf(stderr, "FINDING: %s mutant %ld [%s]: %s\n", file, k, desc, msg);
    dump_mutant(file, k, b);
}

static size_t count_lines(const buf_t *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += b->p[i] == '\n';
    if (b->n && b->p[b->n - 1] != '\n') n++;
    return n;
}

static const char *one_line(const char *s, char *out, size_t cap)
{
    return show(s, strlen(s), out, cap);
}

/* Checks a rejection message; returns nonzero when a check failed. */
static int check_message(const char *file, long k, const char *desc, const buf_t *b, int rc)
{
    int before = check_failures;
    const char *msg = ilnet_error_last();
    char shown[600];
    one_line(msg, shown, sizeof shown);
    CHECK(rc < 0, "%s mutant %ld [%s]: rejected with rc %d", file, k, desc, rc);
    CHECK(msg[0] && strcmp(msg, "no error") != 0, "%s mutant %ld [%s]: empty error message", file,
          k, desc);
    CHECK(!strchr(msg, '\n'), "%s mutant %ld [%s]: message has a newline: %s", file, k, desc,
          shown);
    CHECK(!strncmp(msg, MUTANT_PATH, strlen(MUTANT_PATH)),
          "%s mutant %ld [%s]: message does not start with the path: %s", file, k, desc, shown);
    int ctrl = 0;
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 32 && *p != '\t') ctrl = 1;
    if (ctrl && !strchr(msg, '\n'))
        finding(file, k, desc, b, "message contains control characters: %s", shown);
    const char *q = msg + strlen(MUTANT_PATH);
    if (!strncmp(msg, MUTANT_PATH, strlen(MUTANT_PATH)) && *q == ':' &&
        isdigit((unsigned char)q[1])) {
        long line = strtol(q + 1, NULL, 10);
        size_t nl = count_lines(b);
        if (line < 1 || (size_t)line > nl)
            finding(file, k, desc, b, "line %ld outside the mutant's %zu lines: %s", line, nl,
                    shown);
    }
    return check_failures != before;
}

static int run_solver(const char *file, long k, const char *desc, const buf_t *b,
                      const ilnet_network *net)
{
    int before = check_failures;
    ilnet_solver_options o = ILNET_SOLVER_OPTIONS_INIT;
    o.max_steps = 500;
    ilnet_solver *s = NULL;
    int rc = ilnet_solver_new(&s, net, &o);
    CHECK(rc == 0, "%s mutant %ld [%s]: solver_new failed: %s", file, k, desc, ilnet_error_last());
    if (rc) return 1;
    ilnet_result res;
    rc = ilnet_result_init(&res, net, 3);
    CHECK(rc == 0, "%s mutant %ld [%s]: result_init failed", file, k, desc);
    if (rc) {
        ilnet_solver_free(s);
        return 1;
    }
    res.times[0] = 0;
    res.times[1] = 0.5;
    res.times[2] = 1;
    ilnet_error_clear();
    rc = ilnet_solver_run(s, &res, NULL);
    CHECK(rc == 0 || rc == ILNET_ESOLVER, "%s mutant %ld [%s]: solver_run returned %d: %s", file, k,
          desc, rc, ilnet_error_last());
    if (rc == 0) {
        stats.solved_ok++;
        CHECK(res.n_done == 3, "%s mutant %ld [%s]: success with %zu rows", file, k, desc,
              res.n_done);
    } else if (rc == ILNET_ESOLVER) {
        stats.solver_fail++;
        char shown[600];
        if (verbose)
            fprintf(stderr, "  solver failure: %s\n", one_line(res.message, shown, sizeof shown));
        CHECK(res.n_done >= 1 && res.n_done < 3, "%s mutant %ld [%s]: solver failure with %zu rows",
              file, k, desc, res.n_done);
        CHECK(res.message[0] && !strchr(res.message, '\n'),
              "%s mutant %ld [%s]: bad solver message: %s", file, k, desc,
              one_line(res.message, shown, sizeof shown));
        CHECK(!strchr(ilnet_error_last(), '\n'), "%s mutant %ld [%s]: multi-line error: %s", file,
              k, desc, one_line(ilnet_error_last(), shown, sizeof shown));
        CHECK(strstr(res.message, "t =") != NULL,
              "%s mutant %ld [%s]: solver message does not give the time: %s", file, k, desc,
              one_line(res.message, shown, sizeof shown));
    }
    if (rc == 0 || rc == ILNET_ESOLVER) {
        size_t bad = 0, first_row = 0, first_col = 0;
        for (size_t i = 0; i < res.n_done && i < res.n_times; i++) {
            for (size_t j = 0; j < res.n_species; j++)
                if (!isfinite(res.species[i * res.n_species + j]) && !bad++)
                    first_row = i, first_col = j;
            for (size_t j = 0; j < res.n_observables; j++)
                if (!isfinite(res.observables[i * res.n_observables + j]) && !bad++)
                    first_row = i, first_col = res.n_species + j;
        }
        if (bad)
            finding(file, k, desc, b,
                    "%zu non-finite values in %zu reported rows (first: row %zu, column %zu; "
                    "run %s)",
                    bad, res.n_done, first_row, first_col, rc ? "failed" : "succeeded");
    }
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    return check_failures != before;
}

/* Parses one mutant and checks it. solve: run the solver when it parses. */
static void run_mutant(const char *file, long k, const char *desc, const buf_t *b, int solve)
{
    if (have_only && k != only_index) return;
    if (verbose) {
        fprintf(stderr, "%s mutant %ld: %s (%zu bytes)\n", file, k, desc, b->n);
        fflush(stderr);
    }
    stats.mutants++;
    int has_nul = b->n && memchr(b->p, '\0', b->n) != NULL;
    stats.nul_mutants += has_nul;
    /* exactly len bytes, no terminator: overreads show up under ASan */
    char *text = malloc(b->n ? b->n : 1);
    if (!text) exit(2);
    if (b->n) memcpy(text, b->p, b->n);
    ilnet_network *net = (ilnet_network *)(uintptr_t)1; /* must be reset to NULL */
    ilnet_error_clear();
    int rc = ilnet_netfile_parse(&net, text, b->n, MUTANT_PATH);
    free(text);
    int bad = 0;
    if (rc) {
        stats.rejected++;
        CHECK(net == NULL, "%s mutant %ld [%s]: *out not NULL after a failure", file, k, desc);
        if (net != NULL) net = NULL;
        bad = check_message(file, k, desc, b, rc);
    } else {
        stats.parsed++;
        CHECK(net != NULL, "%s mutant %ld [%s]: success without a network", file, k, desc);
        if (has_nul) {
            stats.nul_accepted++;
            size_t at = (size_t)((const char *)memchr(b->p, '\0', b->n) - b->p);
            finding(file, k, desc, b,
                    "accepted a buffer with an embedded NUL at byte %zu of %zu: the %zu bytes "
                    "after it were silently ignored",
                    at, b->n, b->n - at - 1);
        }
        if (net && solve)
            bad |= run_solver(file, k, desc, b, net);
        else if (net)
            stats.solve_skipped++;
        ilnet_network_free(net);
    }
    if (bad) {
        fprintf(stderr, "  (mutant %ld of %s failed; rerun with --only %ld -v)\n", k, file, k);
        dump_mutant(file, k, b);
    }
}

/* ---------------------------------------------------------------- targeted mutants */

static void replace_all(buf_t *b, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    for (size_t i = 0; i + fl <= b->n;) {
        if (!memcmp(b->p + i, from, fl)) {
            buf_splice(b, i, fl, to, tl);
            i += tl;
        } else
            i++;
    }
}

static long find_line(const lines_t *L, const buf_t *b, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < L->n; i++) {
        size_t s = L->v[i].start, e = s + L->v[i].len;
        while (s < e && isspace((unsigned char)b->p[s]))
            s++;
        if (e - s >= n && !memcmp(b->p + s, prefix, n)) return (long)i;
    }
    return -1;
}

static void counts_of(const ilnet_network *net, size_t c[4])
{
    c[0] = ilnet_network_parameter_count(net);
    c[1] = ilnet_network_species_count(net);
    c[2] = ilnet_network_reaction_count(net);
    c[3] = ilnet_network_observable_count(net);
}

/* Variants that must parse exactly like the original. */
static void check_equivalent(const char *file, const char *what, const buf_t *b,
                             const size_t want[4])
{
    ilnet_network *net = NULL;
    ilnet_error_clear();
    int rc = ilnet_netfile_parse(&net, b->p, b->n, MUTANT_PATH);
    stats.mutants++;
    if (rc)
        stats.rejected++;
    else
        stats.parsed++;
    CHECK(rc == 0, "%s: %s version rejected: %s", file, what, ilnet_error_last());
    if (!rc) {
        size_t got[4];
        counts_of(net, got);
        CHECK(!memcmp(got, want, sizeof got),
              "%s: %s version has %zu/%zu/%zu/%zu parameters/species/reactions/groups, "
              "original %zu/%zu/%zu/%zu",
              file, what, got[0], got[1], got[2], got[3], want[0], want[1], want[2], want[3]);
        if (ilnet_network_species_count(net) == want[1])
            for (size_t i = 0; i < want[1]; i++) {
                const ilnet_species *s = ilnet_network_species(net, i);
                if (strchr(s->name, '\r') || strchr(s->amount_text, '\r')) {
                    CHECK(0, "%s: %s version: species %zu keeps a CR", file, what, i + 1);
                    break;
                }
            }
    }
    ilnet_network_free(net);
}

static void targeted(const char *file, const buf_t *orig, int solve)
{
    buf_t b = {0};
    lines_t L = {0};
    long k = 0;

    /* the original must parse and simulate */
    ilnet_network *net = NULL;
    ilnet_error_clear();
    int rc = ilnet_netfile_parse(&net, orig->p, orig->n, MUTANT_PATH);
    stats.mutants++;
    CHECK(rc == 0, "%s: unmutated file rejected: %s", file, ilnet_error_last());
    size_t want[4] = {0, 0, 0, 0};
    if (!rc) {
        stats.parsed++;
        counts_of(net, want);
        ilnet_network_free(net);
        /* CRLF and tab versions are the same model */
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, "\n", "\r\n");
        check_equivalent(file, "CRLF", &b, want);
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, " ", "\t");
        check_equivalent(file, "tab-separated", &b, want);
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, "\n", "  \t \n"); /* trailing blanks */
        check_equivalent(file, "trailing-blank", &b, want);
    } else
        stats.rejected++;

    /* embedded NUL: at the very end, before trailing junk, and before the groups block */
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, b.n, 0, "\0", 1);
    run_mutant(file, --k, "NUL appended", &b, solve);
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, b.n, 0, "\0this is not a .net line\n", 25);
    run_mutant(file, --k, "NUL + text outside any block appended", &b, solve);
    buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long g = find_line(&L, &b, "begin groups");
    if (g >= 0) {
        buf_splice(&b, L.v[g].start, 0, "", 1);
        run_mutant(file, --k, "NUL before 'begin groups'", &b, solve);
    }
    buf_set(&b, orig->p, orig->n);
    g = find_line(&L, &b, "begin reactions");
    if (g >= 0) {
        buf_splice(&b, L.v[g].start, 0, "", 1);
        run_mutant(file, --k, "NUL before 'begin reactions'", &b, solve);
    }

    /* very long lines */
    buf_t x = {0};
    while (x.n < LONG_LINE)
        buf_splice(&x, x.n, 0, "Q", 1);
    buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long sp = find_line(&L, &b, "begin species");
    if (sp >= 0 && (size_t)sp + 1 < L.n) {
        size_t s, e;
        if (line_token(&b, &L.v[sp + 1], 1, &s, &e)) {
            buf_splice(&b, s, e - s, x.p, x.n);
            run_mutant(file, --k, "first species renamed to 100 KB of 'Q'", &b, solve);
            /* the same with every amount huge: drive the solver into a failure that names
             * the long species among those with the largest errors */
            scan_lines(&L, &b);
            for (long i = (long)L.n - 1; i >= 0; i--) {
                if (L.v[i].blk != BK_SPECIES) continue;
                size_t s2, e2;
                if (line_expr(&b, &L.v[i], &s2, &e2)) buf_splice(&b, s2, e2 - s2, "1e300", 5);
            }
            run_mutant(file, --k, "first species renamed to 100 KB of 'Q', all amounts 1e300", &b,
                       solve);
        }
    }
    buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    if (sp >= 0 && (size_t)sp + 2 < L.n) {
        /* 600-character names for the first two species, amounts huge */
        buf_t y = {0};
        while (y.n < 600)
            buf_splice(&y, y.n, 0, "W", 1);
        for (long i = (long)L.n - 1; i >= 0; i--) {
            if (L.v[i].blk != BK_SPECIES) continue;
            size_t s2, e2;
            if (line_expr(&b, &L.v[i], &s2, &e2)) buf_splice(&b, s2, e2 - s2, "1e300", 5);
            if (i <= sp + 2 && line_token(&b, &L.v[i], 1, &s2, &e2)) {
                char tag = (char)('A' + (i - sp));
                buf_splice(&b, s2, e2 - s2, y.p, y.n);
                buf_splice(&b, s2, 0, &tag, 1);
            }
        }
        run_mutant(file, --k, "first two species renamed to 600 chars, all amounts 1e300", &b,
                   solve);
        buf_free(&y);
    }
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, 0, 0, "# ", 2);
    buf_splice(&b, 2, 0, x.p, x.n);
    buf_splice(&b, 2 + x.n, 0, "\n", 1);
    run_mutant(file, --k, "100 KB comment line first", &b, solve);
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, b.n, 0, x.p, x.n);
    run_mutant(file, --k, "100 KB token appended (no newline)", &b, solve);
    buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long pl = find_line(&L, &b, "begin parameters");
    if (pl >= 0 && (size_t)pl + 1 < L.n) {
        size_t s, e;
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            buf_t y = {0};
            buf_splice(&y, 0, 0, "1", 1);
            while (y.n < LONG_LINE)
                buf_splice(&y, y.n, 0, "*1", 2);
            buf_splice(&b, s, e - s, y.p, y.n);
            run_mutant(file, --k, "first parameter = 1*1*...*1 (100 KB)", &b, solve);
            buf_free(&y);
        }
        buf_set(&b, orig->p, orig->n);
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            buf_splice(&b, s, e - s, "1e999", 5);
            run_mutant(file, --k, "first parameter = 1e999", &b, solve);
        }
        buf_set(&b, orig->p, orig->n);
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            buf_splice(&b, s, e - s, "kx", 2);
            run_mutant(file, --k, "first parameter = kx (undefined)", &b, solve);
        }
        buf_set(&b, orig->p, orig->n);
        if (line_token(&b, &L.v[pl + 1], 1, &s, &e)) {
            size_t n = e - s;
            char *name = xrealloc(NULL, n);
            memcpy(name, b.p + s, n);
            if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
                buf_splice(&b, s, e - s, name, n);
                run_mutant(file, --k, "first parameter defined as itself", &b, solve);
            }
            free(name);
        }
    }
    buf_free(&x);
    buf_free(&b);
    free(L.v);
}

/* File-independent inputs: tiny texts, and a long chain of parameter dependencies
 * (p1 = p2, p2 = p3, ..., pN = 1) that a recursive dependency sort cannot handle. */
static void synthetic(void)
{
    const char *file = "(synthetic)";
    buf_t b = {0};
    char desc[256];
    long k = 0;
    int solve = 1;
    /* tiny inputs */
    static const char *const tiny[] = {
        "",
        "\n",
        "\r\n",
        " ",
        "#",
        "\\",
        "\\\n",
        "begin",
        "begin parameters",
        "begin parameters\n",
        "end parameters\n",
        "begin species\nend species\n",
        "begin species\nend species\nbegin reactions\nend reactions\n",
        "begin species\n1 A 1\nend species\nbegin reactions\n1 1 0 1\nend reactions",
        "begin species\n1 A 1\\\nend species\nbegin reactions\nend reactions\n",
        "begin groups\n1 G\nend groups\nbegin species\nend species\nbegin reactions\nend "
        "reactions\n",
        "begin observables\nbegin species\n"};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
        buf_set(&b, tiny[i], strlen(tiny[i]));
        char shown[160];
        snprintf(desc, sizeof desc, "tiny input '%s'",
                 show(tiny[i], strlen(tiny[i]), shown, sizeof shown));
        run_mutant(file, --k, desc, &b, solve);
    }

    /* 300000 chained parameters: 100000 pass in a release build, 200000 overflowed the 8 MB
     * stack in the recursive sort of ilnet_network_compile */
    const long chain = 300000;
    char line[96];
    buf_set(&b, "begin parameters\n", 17);
    for (long i = 1; i < chain; i++) {
        int w = snprintf(line, sizeof line, "    %ld p%ld p%ld\n", i, i, i + 1);
        buf_splice(&b, b.n, 0, line, (size_t)w);
    }
    int w = snprintf(line, sizeof line, "    %ld p%ld 1\nend parameters\n", chain, chain);
    buf_splice(&b, b.n, 0, line, (size_t)w);
    static const char tail[] = "begin species\n    1 A p1\nend species\nbegin reactions\n"
                               "    1 1 0 p1\nend reactions\n";
    buf_splice(&b, b.n, 0, tail, sizeof tail - 1);
    snprintf(desc, sizeof desc, "chain of %ld parameters, each defined by the next", chain);
    run_mutant(file, --k, desc, &b, solve);
    buf_free(&b);
    printf("%s: %ld inputs\n", file, -k);
}

/* ---------------------------------------------------------------- driver */

static void fuzz_file(const char *path, double scale)
{
    char *text = NULL;
    size_t len = 0;
    if (ilnet_file_read(&text, &len, path)) {
        CHECK(0, "cannot read %s: %s", path, ilnet_error_last());
        return;
    }
    long n_random;
    int solve = 1;
    if (len > BIG_FILE) {
        n_random = 8; /* parse-only: each solve of a ~600 KB network is slow under ASan */
        solve = 0;
    } else if (len > MEDIUM_FILE)
        n_random = 48;
    else
        n_random = 170;
    n_random = (long)((double)n_random * scale + 0.5);
    long before_mutants = stats.mutants, before_ok = stats.parsed;

    buf_t orig = {0}, b = {0};
    buf_set(&orig, text, len);
    free(text);
    targeted(path, &orig, solve);

    const char *base = strrchr(path, '/');
    rng_t r = rng_seed(fnv1a(base ? base + 1 : path) ^ 0xC0FFEE1234ULL);
    lines_t L = {0};
    for (long k = 1; k <= n_random; k++) {
        buf_set(&b, orig.p, orig.n);
        desc_t d = {{0}, 0};
        size_t n_mut = rng_below(&r, 10) < 7 ? 1 : (rng_below(&r, 3) ? 2 : 3);
        for (size_t m = 0; m < n_mut; m++) {
            for (int attempt = 0; attempt < 8; attempt++) {
                scan_lines(&L, &b);
                size_t which = pick_mutator(&r);
                if (mutators[which].fn(&b, &L, &r, &d) == 0) {
                    stats.per_mutator[which]++;
                    break;
                }
            }
        }
        run_mutant(path, k, d.s, &b, solve);
    }
    free(L.v);
    buf_free(&b);
    buf_free(&orig);
    printf("%s: %ld mutants, %ld parsed\n", path, stats.mutants - before_mutants,
           stats.parsed - before_ok);
    fflush(stdout);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends path (a .net file) or the .net files under it (a directory), sorted. */
static void collect(const char *path, char ***list, size_t *n, size_t *cap)
{
    struct stat st;
    if (stat(path, &st)) {
        CHECK(0, "%s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *list = xrealloc(*list, *cap * sizeof **list);
        }
        size_t l = strlen(path) + 1;
        (*list)[*n] = xrealloc(NULL, l);
        memcpy((*list)[(*n)++], path, l);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        CHECK(0, "%s: cannot open directory", path);
        return;
    }
    char **names = NULL;
    size_t nn = 0, nc = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        if (nn == nc) {
            nc = nc ? 2 * nc : 16;
            names = xrealloc(names, nc * sizeof *names);
        }
        size_t l = strlen(path) + strlen(de->d_name) + 2;
        names[nn] = xrealloc(NULL, l);
        snprintf(names[nn++], l, "%s/%s", path, de->d_name);
    }
    closedir(dir);
    if (nn) qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        struct stat s2;
        size_t l = strlen(names[i]);
        if (!stat(names[i], &s2) &&
            (S_ISDIR(s2.st_mode) || (l > 4 && !strcmp(names[i] + l - 4, ".net"))))
            collect(names[i], list, n, cap);
        free(names[i]);
    }
    free(names);
}

int main(int argc, char **argv)
{
    char **files = NULL;
    size_t n = 0, cap = 0;
    double scale = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            verbose = 1;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            dump_dir = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            only_index = strtol(argv[++i], NULL, 10);
            have_only = 1;
        } else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            scale = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--min-mutants") && i + 1 < argc)
            min_mutants = strtol(argv[++i], NULL, 10);
        else
            collect(argv[i], &files, &n, &cap);
    }
    if (!n) {
        fprintf(stderr, "usage: test_netfile_fuzz [-v] [--dump DIR] [--only K] [--scale F] "
                        "[--min-mutants N] NET_FILE_OR_DIR...\n");
        return 1;
    }
    synthetic();
    for (size_t i = 0; i < n; i++) {
        fuzz_file(files[i], scale);
        free(files[i]);
    }
    free(files);
    printf("mutants: %ld; parsed ok: %ld; rejected: %ld; solver ok: %ld; solver failures "
           "(ILNET_ESOLVER): %ld; not simulated (big files): %ld\n",
           stats.mutants, stats.parsed, stats.rejected, stats.solved_ok, stats.solver_fail,
           stats.solve_skipped);
    printf("mutants with an embedded NUL: %ld, of which accepted: %ld; findings: %ld\n",
           stats.nul_mutants, stats.nul_accepted, stats.findings);
    printf("mutations applied:");
    for (size_t i = 0; i < N_MUTATORS; i++)
        printf(" %s %ld%s", mutators[i].name, stats.per_mutator[i],
               i + 1 < N_MUTATORS ? "," : "\n");
    if (!have_only)
        CHECK(stats.mutants >= min_mutants, "only %ld mutants (want >= %ld)", stats.mutants,
              min_mutants);
    CHECK_DONE();
}

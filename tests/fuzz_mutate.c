/* Mutation engine shared by the deterministic fuzzers: see fuzz_mutate.h. */
#include "fuzz_mutate.h"

#include "common/error.h"
#include "common/file.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

fz_options fz_opt;
fz_stats fz_stat;

static const fz_format *fz;
static int *failures;

/* As check.h's CHECK, counting into the fuzzer's check_failures. */
#define FZ_CHECK(cond, ...)                                                                        \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            ++*failures;                                                                           \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* ---------------------------------------------------------------- PRNG (xorshift64*) */

uint64_t fz_rng_next(fz_rng *r)
{
    uint64_t x = r->s;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    r->s = x;
    return x * 0x2545F4914F6CDD1DULL;
}

size_t fz_rng_below(fz_rng *r, size_t n)
{
    return n ? (size_t)(fz_rng_next(r) % n) : 0;
}

fz_rng fz_rng_seed(uint64_t seed)
{
    fz_rng r = {seed ? seed : 0x9E3779B97F4A7C15ULL};
    for (int i = 0; i < 8; i++)
        fz_rng_next(&r);
    return r;
}

uint64_t fz_fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* ---------------------------------------------------------------- growable byte buffer */

void *fz_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "%s: out of memory\n", fz ? fz->prog : "fuzz");
        exit(2);
    }
    return q;
}

void fz_buf_reserve(fz_buf *b, size_t n)
{
    if (n <= b->cap) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n)
        cap *= 2;
    b->p = fz_xrealloc(b->p, cap);
    b->cap = cap;
}

void fz_buf_set(fz_buf *b, const char *s, size_t n)
{
    fz_buf_reserve(b, n);
    if (n) memcpy(b->p, s, n);
    b->n = n;
}

void fz_buf_sets(fz_buf *b, const char *s)
{
    fz_buf_set(b, s, strlen(s));
}

void fz_buf_splice(fz_buf *b, size_t pos, size_t del, const char *ins, size_t ins_n)
{
    if (pos > b->n) pos = b->n;
    if (del > b->n - pos) del = b->n - pos;
    fz_buf_reserve(b, b->n - del + ins_n);
    memmove(b->p + pos + ins_n, b->p + pos + del, b->n - pos - del);
    if (ins_n) memcpy(b->p + pos, ins, ins_n);
    b->n = b->n - del + ins_n;
}

void fz_buf_puts(fz_buf *b, const char *s)
{
    fz_buf_splice(b, b->n, 0, s, strlen(s));
}

void fz_buf_printf(fz_buf *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (w > 0) fz_buf_splice(b, b->n, 0, tmp, (size_t)w < sizeof tmp ? (size_t)w : sizeof tmp - 1);
}

void fz_buf_free(fz_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

void fz_replace_all(fz_buf *b, const char *from, const char *to)
{
    size_t fl = strlen(from), tl = strlen(to);
    for (size_t i = 0; i + fl <= b->n;) {
        if (!memcmp(b->p + i, from, fl)) {
            fz_buf_splice(b, i, fl, to, tl);
            i += tl;
        } else
            i++;
    }
}

/* ---------------------------------------------------------------- lines of a buffer */

fz_line *fz_lines_add(fz_lines *L)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 256;
        L->v = fz_xrealloc(L->v, L->cap * sizeof *L->v);
    }
    fz_line *ln = &L->v[L->n++];
    memset(ln, 0, sizeof *ln);
    return ln;
}

int fz_line_token(const fz_buf *b, const fz_line *ln, int tok, size_t *s, size_t *e)
{
    size_t i = ln->start, end = ln->cend;
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

void fz_line_bounds(const fz_buf *b, const fz_line *ln, size_t *s, size_t *e)
{
    *s = ln->start;
    *e = ln->start + ln->len + (ln->start + ln->len < b->n); /* with its '\n' if any */
}

long fz_pick_line(fz_rng *r, const fz_lines *L, int (*pred)(const fz_line *))
{
    size_t cnt = 0;
    for (size_t i = 0; i < L->n; i++)
        cnt += pred(&L->v[i]) != 0;
    if (!cnt) return -1;
    size_t k = fz_rng_below(r, cnt);
    for (size_t i = 0; i < L->n; i++)
        if (pred(&L->v[i]) && k-- == 0) return (long)i;
    return -1;
}

long fz_find_line(const fz_lines *L, const fz_buf *b, const char *prefix)
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

void fz_insert_line(fz_buf *b, const fz_lines *L, size_t li, const char *text, size_t n)
{
    size_t pos = li < L->n ? L->v[li].start : b->n;
    if (pos == b->n && b->n && b->p[b->n - 1] != '\n') {
        fz_buf_splice(b, b->n, 0, "\n", 1);
        pos = b->n;
    }
    fz_buf_splice(b, pos, 0, "\n", 1);
    fz_buf_splice(b, pos, 0, text, n);
}

int fz_is_any(const fz_line *l)
{
    (void)l;
    return 1;
}

int fz_is_nonempty(const fz_line *l)
{
    return l->len > 0;
}

int fz_is_begin_end(const fz_line *l)
{
    return l->is_begin || l->is_end;
}

/* ---------------------------------------------------------------- descriptions */

void fz_desc_add(fz_desc *d, const char *fmt, ...)
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

const char *fz_show(const char *s, size_t n, char *out, size_t cap)
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

const char *fz_one_line(const char *s, char *out, size_t cap)
{
    return fz_show(s, strlen(s), out, cap);
}

/* ---------------------------------------------------------------- mutators */

/* A NUL byte becomes 'x' when the format's mutants must not contain one. */
static char allowed(char c)
{
    return c || !fz->no_nul ? c : 'x';
}

int fz_m_byte_flip(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    if (!b->n) return -1;
    int k = 1 + (int)fz_rng_below(r, 3);
    for (int i = 0; i < k; i++) {
        size_t pos = fz_rng_below(r, b->n);
        unsigned char bit = (unsigned char)(1u << fz_rng_below(r, 8));
        b->p[pos] = allowed((char)((unsigned char)b->p[pos] ^ bit));
        fz_desc_add(d, "flip byte %zu ^0x%02x", pos, bit);
    }
    return 0;
}

int fz_m_byte_set(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = fz_rng_below(r, b->n);
    char c = fz->bytes[fz_rng_below(r, fz->n_bytes)];
    b->p[pos] = c;
    fz_desc_add(d, "set byte %zu = 0x%02x", pos, (unsigned char)c);
    return 0;
}

int fz_m_byte_insert(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    size_t pos = fz_rng_below(r, b->n + 1);
    char c = fz_rng_below(r, 4) ? fz->bytes[fz_rng_below(r, fz->n_bytes)]
                                : allowed((char)fz_rng_below(r, 256));
    fz_buf_splice(b, pos, 0, &c, 1);
    fz_desc_add(d, "insert byte 0x%02x at %zu", (unsigned char)c, pos);
    return 0;
}

int fz_m_byte_delete(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = fz_rng_below(r, b->n), n = 1 + fz_rng_below(r, fz_rng_below(r, 2) ? 2 : 24);
    fz_buf_splice(b, pos, n, NULL, 0);
    fz_desc_add(d, "delete %zu bytes at %zu", n, pos);
    return 0;
}

int fz_m_char_dup(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = fz_rng_below(r, b->n), n = 1 + fz_rng_below(r, 8);
    if (n > b->n - pos) n = b->n - pos;
    char tmp[8];
    memcpy(tmp, b->p + pos, n);
    size_t times = 1 + (fz_rng_below(r, 4) == 0 ? fz_rng_below(r, 20) : 0);
    for (size_t t = 0; t < times; t++)
        fz_buf_splice(b, pos, 0, tmp, n);
    fz_desc_add(d, "duplicate %zu bytes at %zu %zu time(s)", n, pos, times);
    return 0;
}

int fz_m_truncate(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    if (!b->n) return -1;
    int mode = (int)fz_rng_below(r, 3);
    size_t at;
    if (mode == 0) {
        at = fz_rng_below(r, b->n);
        fz_desc_add(d, "truncate at %zu", at);
    } else {
        long li = fz_pick_line(r, L, fz->is_content);
        if (li < 0) return -1;
        const fz_line *ln = &L->v[li];
        size_t s, e;
        if (mode == 2 && fz_line_token(b, ln, (int)fz_rng_below(r, 4), &s, &e) && e - s >= 2) {
            at = s + 1 + fz_rng_below(r, e - s - 1);
            fz_desc_add(d, "truncate mid-token at %zu (line %ld)", at, li + 1);
        } else {
            at = ln->start + fz_rng_below(r, ln->len ? ln->len : 1);
            fz_desc_add(d, "truncate mid-line at %zu (line %ld)", at, li + 1);
        }
    }
    b->n = at;
    return 0;
}

int fz_m_line_delete(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, fz_rng_below(r, 2) ? fz->is_elem : fz_is_any);
    if (li < 0) return -1;
    size_t s, e;
    fz_line_bounds(b, &L->v[li], &s, &e);
    fz_buf_splice(b, s, e - s, NULL, 0);
    fz_desc_add(d, "delete line %ld", li + 1);
    return 0;
}

int fz_m_line_dup(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, fz_rng_below(r, 2) ? fz->is_elem : fz_is_any);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    char *copy = fz_xrealloc(NULL, ln->len + 1);
    memcpy(copy, b->p + ln->start, ln->len);
    copy[ln->len] = '\n';
    fz_buf_splice(b, ln->start, 0, copy, ln->len + 1);
    free(copy);
    fz_desc_add(d, "duplicate line %ld", li + 1);
    return 0;
}

int fz_m_line_swap(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    if (L->n < 2) return -1;
    size_t a = fz_rng_below(r, L->n), c;
    if (fz_rng_below(r, 2))
        c = a + 1 < L->n ? a + 1 : a - 1; /* neighbours (same block, typically) */
    else
        c = fz_rng_below(r, L->n);
    if (a == c) return -1;
    if (a > c) {
        size_t t = a;
        a = c;
        c = t;
    }
    const fz_line *la = &L->v[a], *lc = &L->v[c];
    char *ta = fz_xrealloc(NULL, la->len), *tc = fz_xrealloc(NULL, lc->len);
    memcpy(ta, b->p + la->start, la->len);
    memcpy(tc, b->p + lc->start, lc->len);
    size_t sa = la->start, na = la->len, sc = lc->start, nc = lc->len;
    fz_buf_splice(b, sc, nc, ta, na); /* later one first: offsets of the earlier stay valid */
    fz_buf_splice(b, sa, na, tc, nc);
    free(ta);
    free(tc);
    fz_desc_add(d, "swap lines %zu and %zu", a + 1, c + 1);
    return 0;
}

int fz_m_crlf(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    int all = fz_rng_below(r, 2) != 0;
    size_t cnt = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] == '\n' && (all || fz_rng_below(r, 4) == 0)) {
            fz_buf_splice(b, i, 0, "\r", 1);
            i++;
            cnt++;
        }
    fz_desc_add(d, "CRLF on %s (%zu lines)", all ? "all lines" : "some lines", cnt);
    return 0;
}

int fz_m_tabs(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    int all = fz_rng_below(r, 2) != 0;
    size_t cnt = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] == ' ' && (all || fz_rng_below(r, 3) == 0)) {
            b->p[i] = '\t';
            cnt++;
        }
    fz_desc_add(d, "tabs for %s spaces (%zu)", all ? "all" : "some", cnt);
    return 0;
}

static int is_numeric_start(const char *p, size_t n)
{
    if (!n) return 0;
    if (isdigit((unsigned char)p[0])) return 1;
    if ((p[0] == '.' || p[0] == '-' || p[0] == '+') && n > 1 && isdigit((unsigned char)p[1]))
        return 1;
    return 0;
}

int fz_replace_number(fz_buf *b, fz_rng *r, fz_desc *d, long li, size_t start, size_t end,
                      const char *const *reps, size_t n_reps)
{
    size_t starts[64], ends[64], cnt = 0;
    for (size_t i = start; i < end && cnt < 64;) {
        int boundary = i == start || !(isalnum((unsigned char)b->p[i - 1]) || b->p[i - 1] == '_' ||
                                       b->p[i - 1] == '.');
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
    size_t k = fz_rng_below(r, cnt);
    const char *rep = reps[fz_rng_below(r, n_reps)];
    char old[48];
    fz_show(b->p + starts[k], ends[k] - starts[k], old, sizeof old);
    fz_buf_splice(b, starts[k], ends[k] - starts[k], rep, strlen(rep));
    fz_desc_add(d, "line %ld: number '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

int fz_insert_junk(fz_buf *b, fz_rng *r, fz_desc *d, long li, size_t s, size_t e,
                   const char *const *junk, size_t n_junk)
{
    const char *j = junk[fz_rng_below(r, n_junk)];
    size_t at = fz_rng_below(r, 3) == 0 ? s : s + fz_rng_below(r, e - s + 1);
    fz_buf_splice(b, at, 0, j, strlen(j));
    fz_desc_add(d, "line %ld: insert '%s' at %zu in expression", li + 1, j, at);
    return 0;
}

int fz_mutate_begin_end(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d, const char *const *renames,
                        size_t n_renames)
{
    long li = fz_pick_line(r, L, fz_is_begin_end);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    size_t s, e;
    fz_line_bounds(b, ln, &s, &e);
    switch (fz_rng_below(r, 4)) {
    case 0:
        fz_buf_splice(b, s, e - s, NULL, 0);
        fz_desc_add(d, "delete begin/end line %ld", li + 1);
        break;
    case 1: {
        size_t n = ln->len;
        char *copy = fz_xrealloc(NULL, n + 1);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        fz_buf_splice(b, ln->start, 0, copy, n + 1);
        free(copy);
        fz_desc_add(d, "duplicate begin/end line %ld", li + 1);
        break;
    }
    case 2: {
        const char *rep = renames[fz_rng_below(r, n_renames)];
        fz_buf_splice(b, ln->start, ln->len, rep, strlen(rep));
        fz_desc_add(d, "begin/end line %ld -> '%s'", li + 1, rep);
        break;
    }
    default: { /* moved elsewhere */
        size_t n = ln->len;
        char *copy = fz_xrealloc(NULL, n + 1);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        fz_buf_splice(b, s, e - s, NULL, 0);
        fz->scan(L, b);
        size_t to = L->n ? L->v[fz_rng_below(r, L->n)].start : 0;
        fz_buf_splice(b, to, 0, copy, n + 1);
        free(copy);
        fz_desc_add(d, "move begin/end line %ld to offset %zu", li + 1, to);
        break;
    }
    }
    return 0;
}

int fz_insert_punct(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d, const char *const *ins,
                    size_t n_ins)
{
    long li = fz_pick_line(r, L, fz_is_nonempty);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    const char *s = ins[fz_rng_below(r, n_ins)];
    size_t at = fz_rng_below(r, 2) ? ln->start + ln->len : ln->start + fz_rng_below(r, ln->len + 1);
    fz_buf_splice(b, at, 0, s, strlen(s));
    fz_desc_add(d, "line %ld: insert '%s' at %zu", li + 1, s, at);
    return 0;
}

static size_t pick_mutator(fz_rng *r)
{
    int total = 0;
    for (size_t i = 0; i < fz->n_mutators; i++)
        total += fz->mutators[i].weight;
    int k = (int)fz_rng_below(r, (size_t)total);
    for (size_t i = 0; i < fz->n_mutators; i++) {
        if (k < fz->mutators[i].weight) return i;
        k -= fz->mutators[i].weight;
    }
    return 0;
}

void fz_random_mutants(const char *path, const fz_buf *orig, long n, fz_run_fn run, void *ctx)
{
    const char *base = strrchr(path, '/');
    fz_rng r = fz_rng_seed(fz_fnv1a(base ? base + 1 : path) ^ fz->salt);
    fz_lines L = {0};
    fz_buf b = {0};
    for (long k = 1; k <= n; k++) {
        fz_buf_set(&b, orig->p, orig->n);
        fz_desc d = {{0}, 0};
        size_t n_mut = fz_rng_below(&r, 10) < 7 ? 1 : (fz_rng_below(&r, 3) ? 2 : 3);
        for (size_t m = 0; m < n_mut; m++) {
            for (int attempt = 0; attempt < 8; attempt++) {
                fz->scan(&L, &b);
                size_t which = pick_mutator(&r);
                if (fz->mutators[which].fn(&b, &L, &r, &d) == 0) {
                    fz_stat.per_mutator[which]++;
                    break;
                }
            }
        }
        run(path, k, d.s, &b, ctx);
    }
    free(L.v);
    fz_buf_free(&b);
}

/* ---------------------------------------------------------------- harness */

void fz_init(const fz_format *f, int *check_failures)
{
    fz = f;
    failures = check_failures;
    if (f->n_mutators > FZ_MAX_MUTATORS) {
        fprintf(stderr, "%s: more than %d mutators\n", f->prog, FZ_MAX_MUTATORS);
        exit(2);
    }
    memset(&fz_stat, 0, sizeof fz_stat);
    memset(&fz_opt, 0, sizeof fz_opt);
    fz_opt.min_mutants = f->min_mutants;
    fz_opt.scale = 1;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_ext(const char *name)
{
    size_t l = strlen(name), x = strlen(fz->ext);
    return l > x && !strcmp(name + l - x, fz->ext);
}

/* Appends path (a file) or the format's files under it (a directory), sorted. */
static void collect(const char *path, char ***list, size_t *n, size_t *cap)
{
    struct stat st;
    if (stat(path, &st)) {
        FZ_CHECK(0, "%s: %s", path, strerror(errno));
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 16;
            *list = fz_xrealloc(*list, *cap * sizeof **list);
        }
        size_t l = strlen(path) + 1;
        (*list)[*n] = fz_xrealloc(NULL, l);
        memcpy((*list)[(*n)++], path, l);
        return;
    }
    DIR *dir = opendir(path);
    if (!dir) {
        FZ_CHECK(0, "%s: cannot open directory", path);
        return;
    }
    char **names = NULL;
    size_t nn = 0, nc = 0;
    struct dirent *de;
    while ((de = readdir(dir))) {
        if (de->d_name[0] == '.') continue;
        if (nn == nc) {
            nc = nc ? 2 * nc : 16;
            names = fz_xrealloc(names, nc * sizeof *names);
        }
        size_t l = strlen(path) + strlen(de->d_name) + 2;
        names[nn] = fz_xrealloc(NULL, l);
        snprintf(names[nn++], l, "%s/%s", path, de->d_name);
    }
    closedir(dir);
    if (nn) qsort(names, nn, sizeof *names, cmp_str);
    for (size_t i = 0; i < nn; i++) {
        struct stat s2;
        if (!stat(names[i], &s2) && (S_ISDIR(s2.st_mode) || has_ext(names[i])))
            collect(names[i], list, n, cap);
        free(names[i]);
    }
    free(names);
}

size_t fz_parse_args(int argc, char **argv, char ***files)
{
    size_t n = 0, cap = 0;
    *files = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v"))
            fz_opt.verbose = 1;
        else if (!strcmp(argv[i], "--dump") && i + 1 < argc)
            fz_opt.dump_dir = argv[++i];
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
            fz_opt.only_index = strtol(argv[++i], NULL, 10);
            fz_opt.have_only = 1;
        } else if (!strcmp(argv[i], "--scale") && i + 1 < argc)
            fz_opt.scale = strtod(argv[++i], NULL);
        else if (!strcmp(argv[i], "--min-mutants") && i + 1 < argc)
            fz_opt.min_mutants = strtol(argv[++i], NULL, 10);
        else
            collect(argv[i], files, &n, &cap);
    }
    if (!n)
        fprintf(stderr,
                "usage: %s [-v] [--dump DIR] [--only K] [--scale F] [--min-mutants N] %s...\n",
                fz->prog, fz->usage_files);
    return n;
}

int fz_read_file(const char *path, fz_buf *b)
{
    char *text = NULL;
    size_t len = 0;
    if (ilnet_file_read(&text, &len, path)) {
        FZ_CHECK(0, "cannot read %s: %s", path, ilnet_error_last());
        return -1;
    }
    fz_buf_set(b, text, len);
    free(text);
    return 0;
}

int fz_skipped(long k)
{
    return fz_opt.have_only && k != fz_opt.only_index;
}

int fz_begin_mutant(const char *file, long k, const char *desc, const fz_buf *b)
{
    if (fz_skipped(k)) return 0;
    if (fz_opt.verbose) {
        fprintf(stderr, "%s mutant %ld: %s (%zu bytes)\n", file, k, desc, b->n);
        fflush(stderr);
    }
    fz_stat.mutants++;
    return 1;
}

void fz_end_mutant(const char *file, long k, const fz_buf *b, int bad)
{
    if (!bad) return;
    fprintf(stderr, "  (mutant %ld of %s failed; rerun with --only %ld -v)\n", k, file, k);
    fz_dump(file, k, b);
}

void fz_dump(const char *file, long k, const fz_buf *b)
{
    if (!fz_opt.dump_dir) return;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.mutant%ld%s", fz_opt.dump_dir, base, k, fz->ext);
    FILE *f = fopen(path, "wb");
    if (!f) return;
    if (b->n) fwrite(b->p, 1, b->n, f);
    fclose(f);
    fprintf(stderr, "  written to %s\n", path);
}

void fz_finding(const char *file, long k, const char *desc, const fz_buf *b, const char *fmt, ...)
{
    char msg[1400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fz_stat.findings++;
    fprintf(stderr, "FINDING: %s mutant %ld [%s]: %s\n", file, k, desc, msg);
    fz_dump(file, k, b);
}

size_t fz_count_lines(const fz_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        n += b->p[i] == '\n';
    if (b->n && b->p[b->n - 1] != '\n') n++;
    return n;
}

int fz_check_message(const char *file, long k, const char *desc, const fz_buf *b, int rc,
                     const char *stage)
{
    int before = *failures;
    const char *msg = ilnet_error_last(), *path = fz->mutant_path;
    size_t pl = strlen(path);
    char shown[600];
    fz_one_line(msg, shown, sizeof shown);
    FZ_CHECK(rc < 0, "%s mutant %ld [%s]: %s failed with rc %d", file, k, desc, stage, rc);
    FZ_CHECK(msg[0] && strcmp(msg, "no error") != 0, "%s mutant %ld [%s]: %s: empty error message",
             file, k, desc, stage);
    FZ_CHECK(!strchr(msg, '\n'), "%s mutant %ld [%s]: %s: message has a newline: %s", file, k, desc,
             stage, shown);
    FZ_CHECK(!strncmp(msg, path, pl),
             "%s mutant %ld [%s]: %s: message does not start with the path: %s", file, k, desc,
             stage, shown);
    int ctrl = 0;
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 32 && *p != '\t' && *p != '\n') ctrl = 1;
    if (ctrl)
        fz_finding(file, k, desc, b, "%s: message contains control characters: %s", stage, shown);
    const char *q = msg + pl;
    if (!strncmp(msg, path, pl) && *q == ':' && isdigit((unsigned char)q[1])) {
        long line = strtol(q + 1, NULL, 10);
        size_t nl = fz_count_lines(b), max = nl || !fz->line_range_fatal ? nl : 1;
        if (fz->line_range_fatal)
            FZ_CHECK(line >= 1 && (size_t)line <= max,
                     "%s mutant %ld [%s]: %s: line %ld outside the mutant's %zu lines: %s", file, k,
                     desc, stage, line, nl, shown);
        else if (line < 1 || (size_t)line > max)
            fz_finding(file, k, desc, b, "%s: line %ld outside the mutant's %zu lines: %s", stage,
                       line, nl, shown);
    }
    return *failures != before;
}

void fz_report_mutations(void)
{
    printf("mutations applied:");
    for (size_t i = 0; i < fz->n_mutators; i++)
        printf(" %s %ld%s", fz->mutators[i].name, fz_stat.per_mutator[i],
               i + 1 < fz->n_mutators ? "," : "\n");
}

void fz_check_min_mutants(void)
{
    if (!fz_opt.have_only)
        FZ_CHECK(fz_stat.mutants >= fz_opt.min_mutants, "only %ld mutants (want >= %ld)",
                 fz_stat.mutants, fz_opt.min_mutants);
}

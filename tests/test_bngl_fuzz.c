/* Deterministic mutation fuzzer for the BNGL reader and network generator.
 *
 * usage: test_bngl_fuzz [-v] [--dump DIR] [--only K] [--scale F] [--min-mutants N] PATH...
 *
 * Each PATH is a .bngl file or a directory searched (recursively) for .bngl files. Every file
 * is mutated many times with a seeded xorshift64* generator (no rand(), no clock): byte
 * flips/insertions/deletions, duplicated character runs, truncation (anywhere, mid-line,
 * mid-token), line deletion, duplication and swaps, BNGL tokens ('(' ')' '!' '~' '.' '+' ','
 * '->' '<->' 'begin' 'end' '%' '@' '$' '=>' ...) replaced, deleted or doubled, molecule,
 * site, state, bond-label, parameter and action names replaced by unknown ones, unknown
 * sites, states and bonds inserted, 'begin'/'end' lines removed, renamed or moved, numbers
 * replaced by NaN/inf/1e999/-1/huge integers/empty, junk in rate laws and amounts, rules
 * with the arrow, rate count or modifiers wrong, mangled action calls, deep nesting
 * (parentheses, braces, long molecule chains, many sites or bonds on one molecule), 100 KB
 * lines and names, lines of printable garbage, '\' continuations, CRLF line endings and
 * tabs. Every file also gets a fixed set of targeted mutants (each 'end' and 'begin' line
 * deleted, each seed species duplicated, each rule's arrow flipped, truncation at line
 * boundaries, parameter cycles, ...) and a few file-independent inputs (tiny texts, a chain
 * of 100000 parameters, 5000 nested parentheses, 20000 seed species, a 2000-molecule chain,
 * rules and species with up to 10 identical molecules).
 * Mutants never contain NUL bytes (ilnet_bngl_parse takes a C string). Each mutant is
 * parsed from memory as ilnet_bngl_parse(.., "mutant.bngl", text), text being a heap block
 * of exactly length+1 bytes so that overreads show up under ASan. When it parses, the
 * actions are checked (ilnet_actions_check), the options of its generate_network action are
 * read (ilnet_bngl_netgen_options) and the network is generated with max_iter 3 and
 * max_agg 8 (to bound the run time), then freed. Files up to 16 KB get 300 random
 * mutants, larger ones 100, times --scale.
 *
 * Properties checked (CHECK, the test fails on a violation):
 *   - every failure (parse, actions check, options, generation): return code negative,
 *     *out left NULL, ilnet_error_last() non-empty, one line (no '\n'), starting with
 *     "mutant.bngl", and a line number, when the message gives one ("mutant.bngl:LINE"),
 *     within the mutant's lines;
 *   - no mutant takes more than 20 s (SIGALRM names the mutant and the test goes on with the
 *     next one); the large synthetic inputs run in a forked child limited to 5 s;
 *   - the unmutated file, its CRLF, tab-separated and trailing-blank versions parse and
 *     generate, with the same numbers of parameters, molecule types, seeds, observables,
 *     rules, actions, species and reactions;
 *   - targeted mutants that are certainly wrong are rejected: a deleted 'begin'/'end' line,
 *     a duplicated seed species, '->' with two rate laws, '<->' with one, a parameter
 *     defined as itself;
 *   - at least --min-mutants mutants in all (default 1000).
 * Suspicious but not fatal behaviour is printed as "FINDING:" lines and counted: messages
 * with control characters, and mutants that take more than 3 s.
 *
 * Memory errors, leaks and UB surface through the sanitizers (CI builds with ASan+UBSan).
 * With -v every mutant's description is printed before it is parsed (to find the one that
 * crashed); --only K runs only the mutant numbered K of each file (K as printed; targeted
 * ones are negative); --dump DIR writes every mutant that failed a check or produced a
 * finding to DIR. The last line is "N mutants: A accepted, R rejected". */
#include "common/error.h"
#include "common/file.h"
#include "experiment/actions.h"
#include "model/bngl/bngl.h"
#include "model/netfile.h"
#include "model/network.h"
#include "check.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MUTANT_PATH "mutant.bngl"
#define BIG_FILE (16 * 1024)
#define LONG_LINE (100 * 1024)
#define GEN_MAX_ITER 3
#define GEN_MAX_AGG 8
#define SLOW_SECONDS 3.0
#define HANG_SECONDS 20
#define ISOLATED_SECONDS 5

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

#define PICK(r, arr) ((arr)[rng_below((r), sizeof(arr) / sizeof((arr)[0]))])

/* ---------------------------------------------------------------- growable byte buffer */

typedef struct {
    char *p;
    size_t n, cap;
} buf_t;

static void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) {
        fprintf(stderr, "test_bngl_fuzz: out of memory\n");
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

static void buf_puts(buf_t *b, const char *s)
{
    buf_splice(b, b->n, 0, s, strlen(s));
}

static void buf_sets(buf_t *b, const char *s)
{
    buf_set(b, s, strlen(s));
}

static void buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(buf_t *b, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (w > 0) buf_splice(b, b->n, 0, tmp, (size_t)w < sizeof tmp ? (size_t)w : sizeof tmp - 1);
}

static void buf_free(buf_t *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---------------------------------------------------------------- structure of a buffer */

enum blk { BK_NONE, BK_PARAM, BK_TYPES, BK_SEEDS, BK_OBS, BK_FUNCS, BK_RULES, BK_OTHER };

typedef struct {
    size_t start, len; /* line text without its '\n' */
    size_t cend;       /* end of the content: before a '#' comment and trailing blanks */
    enum blk blk;      /* block the line is in (BK_NONE: outside blocks, i.e. actions) */
    int is_begin, is_end, is_model, blank;
} line_t;

typedef struct {
    line_t *v;
    size_t n, cap;
} lines_t;

static enum blk block_of(const char *s, size_t n)
{
    static const struct {
        const char *name;
        enum blk b;
    } tab[] = {{"parameters", BK_PARAM},     {"molecule types", BK_TYPES},
               {"molecule_types", BK_TYPES}, {"seed species", BK_SEEDS},
               {"species", BK_SEEDS},        {"observables", BK_OBS},
               {"functions", BK_FUNCS},      {"reaction rules", BK_RULES},
               {"reaction_rules", BK_RULES}, {"actions", BK_NONE}};
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        size_t l = strlen(tab[i].name);
        if (n >= l && !memcmp(s, tab[i].name, l)) return tab[i].b;
    }
    return BK_OTHER;
}

static int word_is(const char *s, size_t n, const char *w)
{
    size_t l = strlen(w);
    return n >= l && !memcmp(s, w, l) && (n == l || isspace((unsigned char)s[l]));
}

static void scan_lines(lines_t *L, const buf_t *b)
{
    L->n = 0;
    enum blk cur = BK_NONE;
    size_t i = 0;
    while (i < b->n) {
        size_t j = i;
        while (j < b->n && b->p[j] != '\n')
            j++;
        if (L->n == L->cap) {
            L->cap = L->cap ? 2 * L->cap : 256;
            L->v = xrealloc(L->v, L->cap * sizeof *L->v);
        }
        line_t *ln = &L->v[L->n++];
        memset(ln, 0, sizeof *ln);
        ln->start = i;
        ln->len = j - i;
        size_t c = i;
        int inq = 0;
        for (; c < j; c++) {
            if (b->p[c] == '"') inq = !inq;
            if (b->p[c] == '#' && !inq) break;
        }
        while (c > i && isspace((unsigned char)b->p[c - 1]))
            c--;
        ln->cend = c;
        size_t k = i;
        while (k < c && isspace((unsigned char)b->p[k]))
            k++;
        ln->blank = k == c;
        if (word_is(b->p + k, c - k, "begin")) {
            size_t w = k + 5;
            while (w < c && isspace((unsigned char)b->p[w]))
                w++;
            ln->is_begin = 1;
            if (word_is(b->p + w, c - w, "model"))
                ln->is_model = 1;
            else
                cur = block_of(b->p + w, c - w);
            ln->blk = BK_OTHER;
        } else if (word_is(b->p + k, c - k, "end")) {
            size_t w = k + 3;
            while (w < c && isspace((unsigned char)b->p[w]))
                w++;
            ln->is_end = 1;
            if (word_is(b->p + w, c - w, "model"))
                ln->is_model = 1;
            else
                cur = BK_NONE;
            ln->blk = BK_OTHER;
        } else {
            ln->blk = cur;
        }
        i = j + 1;
    }
}

/* Byte range [*s, *e) of the tok-th whitespace-separated token of a line's content. */
static int line_token(const buf_t *b, const line_t *ln, int tok, size_t *s, size_t *e)
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

static size_t skip_blank(const buf_t *b, size_t i, size_t end)
{
    while (i < end && (b->p[i] == ' ' || b->p[i] == '\t'))
        i++;
    return i;
}

/* The expression of an element line: a parameter's value, a seed's amount, a rule's rate
 * laws (with any modifiers), a function's body. */
static int line_expr(const buf_t *b, const line_t *ln, size_t *s, size_t *e)
{
    size_t end = ln->cend, i = skip_blank(b, ln->start, end);
    if (ln->blank) return 0;
    switch (ln->blk) {
    case BK_PARAM:
    case BK_SEEDS: {
        if (i < end && isdigit((unsigned char)b->p[i])) { /* optional index */
            size_t j = i;
            while (j < end && isdigit((unsigned char)b->p[j]))
                j++;
            if (j < end && (b->p[j] == ' ' || b->p[j] == '\t')) i = skip_blank(b, j, end);
        }
        while (i < end && !isspace((unsigned char)b->p[i]) && b->p[i] != '=')
            i++;
        i = skip_blank(b, i, end);
        if (i < end && b->p[i] == '=') i = skip_blank(b, i + 1, end);
        break;
    }
    case BK_FUNCS: {
        size_t q = i;
        while (q < end && b->p[q] != '=')
            q++;
        if (q < end)
            i = skip_blank(b, q + 1, end);
        else {
            while (i < end && !isspace((unsigned char)b->p[i]))
                i++;
            i = skip_blank(b, i, end);
        }
        break;
    }
    case BK_RULES: {
        size_t q = i;
        while (q + 1 < end && !(b->p[q] == '-' && b->p[q + 1] == '>'))
            q++;
        if (q + 1 >= end) return 0;
        i = skip_blank(b, q + 2, end);
        for (;;) { /* products: patterns joined by '+' */
            while (i < end && !isspace((unsigned char)b->p[i]))
                i++;
            size_t j = skip_blank(b, i, end);
            if (j < end && b->p[j] == '+') {
                i = skip_blank(b, j + 1, end);
                continue;
            }
            i = j;
            break;
        }
        break;
    }
    default:
        return 0;
    }
    if (i >= end) return 0;
    *s = i;
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
static int is_content(const line_t *l)
{
    return !l->blank;
}
static int is_elem(const line_t *l)
{
    return !l->blank && !l->is_begin && !l->is_end;
}
static int is_pattern_line(const line_t *l)
{
    return is_elem(l) &&
           (l->blk == BK_SEEDS || l->blk == BK_OBS || l->blk == BK_RULES || l->blk == BK_TYPES);
}
static int is_expr_line(const line_t *l)
{
    return is_elem(l) &&
           (l->blk == BK_PARAM || l->blk == BK_SEEDS || l->blk == BK_RULES || l->blk == BK_FUNCS);
}
static int is_rule_line(const line_t *l)
{
    return is_elem(l) && l->blk == BK_RULES;
}
static int is_seed_line(const line_t *l)
{
    return is_elem(l) && l->blk == BK_SEEDS;
}
static int is_action_line(const line_t *l)
{
    return is_elem(l) && l->blk == BK_NONE;
}
static int is_begin_end(const line_t *l)
{
    return l->is_begin || l->is_end;
}
static int is_end_line(const line_t *l)
{
    return l->is_end;
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

/* Byte offset where a new line can be inserted before line li (or at the end). */
static size_t line_insert_pos(const buf_t *b, const lines_t *L, size_t li)
{
    return li < L->n ? L->v[li].start : b->n;
}

static void line_bounds(const buf_t *b, const line_t *ln, size_t *s, size_t *e)
{
    *s = ln->start;
    *e = ln->start + ln->len + (ln->start + ln->len < b->n); /* with its '\n' if any */
}

/* Inserts text + '\n' as a new line before line li. */
static void insert_line(buf_t *b, const lines_t *L, size_t li, const char *text, size_t n)
{
    size_t pos = line_insert_pos(b, L, li);
    if (pos == b->n && b->n && b->p[b->n - 1] != '\n') {
        buf_splice(b, b->n, 0, "\n", 1);
        pos = b->n;
    }
    buf_splice(b, pos, 0, "\n", 1);
    buf_splice(b, pos, 0, text, n);
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

static const char interesting_bytes[] = {
    '\n', '\r', '\t', ' ', '#', '$', ',', '*', '(', ')',        '\\',       '0',  '1', '9',
    '.',  '-',  '+',  'e', 'a', 'Z', '_', '!', '~', '\v',       '\f',       '^',  '/', '<',
    '=',  '>',  '%',  '@', ':', '{', '}', '"', '?', (char)0x80, (char)0xff, '\'', ';', '&'};

static char nonzero(char c)
{
    return c ? c : 'x';
}

static int m_byte_flip(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    int k = 1 + (int)rng_below(r, 3);
    for (int i = 0; i < k; i++) {
        size_t pos = rng_below(r, b->n);
        unsigned char bit = (unsigned char)(1u << rng_below(r, 8));
        b->p[pos] = nonzero((char)((unsigned char)b->p[pos] ^ bit));
        desc_add(d, "flip byte %zu ^0x%02x", pos, bit);
    }
    return 0;
}

static int m_byte_set(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = rng_below(r, b->n);
    char c = PICK(r, interesting_bytes);
    b->p[pos] = c;
    desc_add(d, "set byte %zu = 0x%02x", pos, (unsigned char)c);
    return 0;
}

static int m_byte_insert(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    size_t pos = rng_below(r, b->n + 1);
    char c = rng_below(r, 4) ? PICK(r, interesting_bytes) : nonzero((char)rng_below(r, 256));
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

static int m_char_dup(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    if (!b->n) return -1;
    size_t pos = rng_below(r, b->n), n = 1 + rng_below(r, 8);
    if (n > b->n - pos) n = b->n - pos;
    char tmp[8];
    memcpy(tmp, b->p + pos, n);
    size_t times = 1 + (rng_below(r, 4) == 0 ? rng_below(r, 20) : 0);
    for (size_t t = 0; t < times; t++)
        buf_splice(b, pos, 0, tmp, n);
    desc_add(d, "duplicate %zu bytes at %zu %zu time(s)", n, pos, times);
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
        long li = pick_line(r, L, is_content);
        if (li < 0) return -1;
        const line_t *ln = &L->v[li];
        size_t s, e;
        if (mode == 2 && line_token(b, ln, (int)rng_below(r, 4), &s, &e) && e - s >= 2) {
            at = s + 1 + rng_below(r, e - s - 1);
            desc_add(d, "truncate mid-token at %zu (line %ld)", at, li + 1);
        } else {
            at = ln->start + rng_below(r, ln->len ? ln->len : 1);
            desc_add(d, "truncate mid-line at %zu (line %ld)", at, li + 1);
        }
    }
    b->n = at;
    return 0;
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
    size_t a = rng_below(r, L->n), c;
    if (rng_below(r, 2))
        c = a + 1 < L->n ? a + 1 : a - 1; /* neighbours */
    else
        c = rng_below(r, L->n);
    if (a == c) return -1;
    if (a > c) {
        size_t t = a;
        a = c;
        c = t;
    }
    const line_t *la = &L->v[a], *lc = &L->v[c];
    char *ta = xrealloc(NULL, la->len), *tc = xrealloc(NULL, lc->len);
    memcpy(ta, b->p + la->start, la->len);
    memcpy(tc, b->p + lc->start, lc->len);
    size_t sa = la->start, na = la->len, sc = lc->start, nc = lc->len;
    buf_splice(b, sc, nc, ta, na); /* later one first: offsets of the earlier stay valid */
    buf_splice(b, sa, na, tc, nc);
    free(ta);
    free(tc);
    desc_add(d, "swap lines %zu and %zu", a + 1, c + 1);
    return 0;
}

/* BNGL tokens: one is replaced by another, deleted or doubled. */
static const char *const bngl_tokens[] = {
    "<->", "->", "(", ")", "!", "~", ".", "+", ",", "!+", "!?", "%", "=>",    "{",
    "}",   "\"", "$", ":", "@", "=", "*", " ", "0", "-",  "<-", "?", "begin", "end"};

static size_t count_occ(const buf_t *b, const char *t)
{
    size_t n = strlen(t), cnt = 0;
    for (size_t i = 0; i + n <= b->n; i++)
        if (!memcmp(b->p + i, t, n)) cnt++;
    return cnt;
}

static size_t nth_occ(const buf_t *b, const char *t, size_t k)
{
    size_t n = strlen(t);
    for (size_t i = 0; i + n <= b->n; i++)
        if (!memcmp(b->p + i, t, n) && k-- == 0) return i;
    return b->n;
}

static int m_token(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    (void)L;
    const char *t = PICK(r, bngl_tokens);
    size_t cnt = count_occ(b, t);
    if (!cnt) return -1;
    size_t at = nth_occ(b, t, rng_below(r, cnt)), n = strlen(t);
    switch (rng_below(r, 5)) {
    case 0:
        buf_splice(b, at, n, NULL, 0);
        desc_add(d, "delete token '%s' at %zu", t, at);
        break;
    case 1:
        buf_splice(b, at, 0, t, n);
        desc_add(d, "double token '%s' at %zu", t, at);
        break;
    default: {
        const char *u = PICK(r, bngl_tokens);
        buf_splice(b, at, n, u, strlen(u));
        desc_add(d, "token '%s' at %zu -> '%s'", t, at, u);
        break;
    }
    }
    return 0;
}

/* Names in a line's content, classified by what precedes and follows them. */
enum nk { NK_MOL, NK_SITE, NK_STATE, NK_BOND, NK_LABEL, NK_NAME, NK_ACTION, NK_KEY };
static const char *const nk_name[] = {"molecule", "site", "state",  "bond label",
                                      "%label",   "name", "action", "action key"};

typedef struct {
    size_t s, e;
    enum nk kind;
} name_t;

static size_t collect_names(const buf_t *b, const line_t *ln, name_t *out, size_t max)
{
    size_t n = 0, end = ln->cend;
    int depth = 0, first = 1;
    for (size_t i = ln->start; i < end && n < max;) {
        char c = b->p[i];
        if (c == '(') depth++;
        if (c == ')' && depth > 0) depth--;
        char prev = i > ln->start ? b->p[i - 1] : ' ';
        int startable = isalpha((unsigned char)c) || c == '_' ||
                        (isdigit((unsigned char)c) && (prev == '!' || prev == '~'));
        if (!startable || (i > ln->start && (isalnum((unsigned char)prev) || prev == '_'))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < end && (isalnum((unsigned char)b->p[j]) || b->p[j] == '_'))
            j++;
        char next = j < end ? b->p[j] : ' ';
        enum nk k;
        if (ln->blk == BK_NONE) {
            if (first && next == '(')
                k = NK_ACTION;
            else if (next == '=' && j + 1 < end && b->p[j + 1] == '>')
                k = NK_KEY;
            else
                k = NK_NAME;
        } else if (prev == '~')
            k = NK_STATE;
        else if (prev == '!')
            k = NK_BOND;
        else if (prev == '%')
            k = NK_LABEL;
        else if (ln->blk == BK_PARAM || ln->blk == BK_FUNCS)
            k = NK_NAME;
        else if (depth > 0 && (prev == '(' || prev == ',') && next != '(')
            k = NK_SITE;
        else if (next == '(' || next == '.' || next == '%' || next == '@' ||
                 (ln->blk != BK_PARAM && depth == 0 && isupper((unsigned char)c)))
            k = NK_MOL;
        else
            k = NK_NAME;
        first = 0;
        out[n].s = i;
        out[n].e = j;
        out[n].kind = k;
        n++;
        i = j > i ? j : i + 1;
    }
    return n;
}

static const char *const unknown_names[] = {"Zq_unknown",
                                            "X9",
                                            "_",
                                            "begin",
                                            "end",
                                            "model",
                                            "Molecules",
                                            "Species",
                                            "0",
                                            "",
                                            "a_b_c_d_e_f",
                                            "Inf",
                                            "NaN",
                                            "time",
                                            "exp",
                                            "if",
                                            "_pi",
                                            "k x",
                                            "A B",
                                            "1abc",
                                            "ab-cd",
                                            "include_reactants",
                                            "DeleteMolecules",
                                            "max_iter"};

/* Replaces a molecule, site, state, bond label, parameter or action name by an unknown one
 * (or another name of the same kind found in the text). */
static int m_unknown_name(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_elem);
    if (li < 0) return -1;
    name_t nm[128];
    size_t n = collect_names(b, &L->v[li], nm, 128);
    if (!n) return -1;
    size_t k = rng_below(r, n);
    char old[64], rep[64];
    show(b->p + nm[k].s, nm[k].e - nm[k].s, old, sizeof old);
    switch (rng_below(r, 3)) {
    case 0:
        switch (nm[k].kind) {
        case NK_MOL:
            snprintf(rep, sizeof rep, "%s", PICK(r, ((const char *const[]){"Unknown", "Q", "Zz"})));
            break;
        case NK_SITE:
            snprintf(rep, sizeof rep, "%s", PICK(r, ((const char *const[]){"zz", "q9", "site"})));
            break;
        case NK_STATE:
            snprintf(rep, sizeof rep, "%s", PICK(r, ((const char *const[]){"Zp", "9", "_", "U2"})));
            break;
        case NK_BOND:
            snprintf(rep, sizeof rep, "%s", PICK(r, ((const char *const[]){"99", "1", "2", "x"})));
            break;
        case NK_ACTION:
            snprintf(rep, sizeof rep, "%s",
                     PICK(r, ((const char *const[]){"simulate_xyz", "visualize", "readFile",
                                                    "simulate_ssa", "writeNET", "parameter_scan",
                                                    "setParameter", "generate_network"})));
            break;
        case NK_KEY:
            snprintf(rep, sizeof rep, "%s",
                     PICK(r, ((const char *const[]){"foo", "t_end", "max_stoich", "suffix",
                                                    "n_steps", "method", "max_iter"})));
            break;
        default:
            snprintf(rep, sizeof rep, "%s", "k_undefined");
            break;
        }
        break;
    case 1: {
        /* another name of the same kind from anywhere in the text */
        long lj = pick_line(r, L, is_elem);
        name_t nm2[128];
        size_t n2 = lj < 0 ? 0 : collect_names(b, &L->v[lj], nm2, 128), cnt = 0, pickk;
        for (size_t q = 0; q < n2; q++)
            cnt += nm2[q].kind == nm[k].kind;
        if (!cnt) return -1;
        pickk = rng_below(r, cnt);
        for (size_t q = 0; q < n2; q++)
            if (nm2[q].kind == nm[k].kind && pickk-- == 0) {
                size_t l = nm2[q].e - nm2[q].s;
                if (l >= sizeof rep) l = sizeof rep - 1;
                memcpy(rep, b->p + nm2[q].s, l);
                rep[l] = '\0';
                break;
            }
        break;
    }
    default:
        snprintf(rep, sizeof rep, "%s", PICK(r, unknown_names));
        break;
    }
    buf_splice(b, nm[k].s, nm[k].e - nm[k].s, rep, strlen(rep));
    desc_add(d, "line %ld: %s '%s' -> '%s'", li + 1, nk_name[nm[k].kind], old, rep);
    return 0;
}

/* Inserts an unknown (or repeated) site, state, bond, wildcard or label into a molecule. */
static int m_insert_site(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_pattern_line);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t pos[128], cnt = 0;
    for (size_t i = ln->start; i < ln->cend && cnt < 128; i++)
        if (b->p[i] == '(' || b->p[i] == ',' || b->p[i] == ')') pos[cnt++] = i;
    if (!cnt) return -1;
    size_t at = pos[rng_below(r, cnt)];
    static const char *const ins[] = {
        "zz,",  "zz~Q,", "~Zq",  "!1",  "!99",   "!+",   "!?",         "~?",  "!1!2", "!",
        "~",    "%x",    "%",    "@EC", ",",     ",,",   "()",         "(a)", "!-",   "!1!1",
        "~0~1", "!01",   "~P!+", "?",   "b,b,b", "!+!+", "!1!2!3!4!5", "~_",  "!a_b", "~U~P"};
    const char *s = PICK(r, ins);
    size_t where = b->p[at] == '(' ? at + 1 : at; /* after '(' or before ',' / ')' */
    buf_splice(b, where, 0, s, strlen(s));
    desc_add(d, "line %ld: insert '%s' at %zu", li + 1, s, where);
    return 0;
}

static const char *const numeric_repl[] = {"NaN",
                                           "nan",
                                           "inf",
                                           "-inf",
                                           "-1",
                                           "0",
                                           "1e999",
                                           "-1e999",
                                           "-0",
                                           "99999999999",
                                           "",
                                           "1e-400",
                                           "0x1A",
                                           "1.2.3",
                                           "1e",
                                           "+",
                                           "--1",
                                           "1e+",
                                           "9223372036854775808",
                                           "2147483648",
                                           "4294967297",
                                           "100000001",
                                           "0.0.0",
                                           "1,2",
                                           "1e308*10",
                                           "0/0",
                                           "-(1)",
                                           ".",
                                           "1.",
                                           "1e300",
                                           "-2147483649",
                                           "1e9",
                                           "3.5",
                                           "1_000"};

static int is_numeric_start(const char *p, size_t n)
{
    if (!n) return 0;
    if (isdigit((unsigned char)p[0])) return 1;
    if ((p[0] == '.' || p[0] == '-' || p[0] == '+') && n > 1 && isdigit((unsigned char)p[1]))
        return 1;
    return 0;
}

/* Numbers anywhere in a line (rates, amounts, bond labels, action arguments). */
static int m_numeric(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_elem);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t end = ln->cend;
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
    const char *rep = PICK(r, numeric_repl);
    char old[48];
    show(b->p + starts[k], ends[k] - starts[k], old, sizeof old);
    buf_splice(b, starts[k], ends[k] - starts[k], rep, strlen(rep));
    desc_add(d, "line %ld: number '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

static const char *const expr_junk[] = {"(",
                                        ")",
                                        "+",
                                        "-",
                                        "*",
                                        "/",
                                        "^",
                                        "**",
                                        ",",
                                        "()",
                                        "(1",
                                        "1)",
                                        "<",
                                        "==",
                                        "!",
                                        "&&",
                                        "max(",
                                        "if(",
                                        "$",
                                        "..",
                                        "e",
                                        "1e",
                                        "*-",
                                        "sqrt(-1)*",
                                        "1/0*",
                                        "0*",
                                        "exp(1e3)*",
                                        "log(0)+",
                                        "min(1)",
                                        "if(1,2)",
                                        "pow(2)",
                                        "foo(1)",
                                        "((",
                                        "))",
                                        ")(",
                                        " ",
                                        "1 ",
                                        "--",
                                        "+-+",
                                        "2^-",
                                        "(-",
                                        "0^-1*",
                                        "acosh(0)+",
                                        "1e308*",
                                        "tan(_pi/2)*",
                                        "%",
                                        "?",
                                        ";",
                                        "k_undefined*",
                                        "Sat(",
                                        "MM(1,2)",
                                        "\"",
                                        "{",
                                        "=>",
                                        ", k2",
                                        " DeleteMolecules",
                                        " include_reactants(1,Zq)",
                                        " MatchOnce",
                                        " priority=>1"};

static int m_expr_junk(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    const char *junk = PICK(r, expr_junk);
    size_t at = rng_below(r, 3) == 0 ? s : s + rng_below(r, e - s + 1);
    buf_splice(b, at, 0, junk, strlen(junk));
    desc_add(d, "line %ld: insert '%s' at %zu in expression", li + 1, junk, at);
    return 0;
}

/* Replaces a whole expression (parameter value, amount, rate laws) by an unknown name,
 * another parameter's name, nothing, or a bad literal. */
static int m_expr_replace(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    static const char *const reps[] = {"k_undefined", "",        "1, 2",  "1,",     ",1",
                                       "1 2",         "-1",      "0",     "1e999",  "NaN",
                                       "(",           "k1 k2",   "f()",   "time()", "1/0",
                                       "Sat(1,2)",    "MM(1,2)", "1,2,3", "\"1\"",  "{1}"};
    const char *rep = PICK(r, reps);
    char old[64];
    show(b->p + s, e - s, old, sizeof old);
    buf_splice(b, s, e - s, rep, strlen(rep));
    desc_add(d, "line %ld: expression '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

static int m_begin_end(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_begin_end);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t s, e;
    line_bounds(b, ln, &s, &e);
    static const char *const renames[] = {"end model",
                                          "begin model",
                                          "end parameters",
                                          "begin parameters",
                                          "end seed species",
                                          "begin seed species",
                                          "begin species",
                                          "end species",
                                          "begin molecule types",
                                          "end molecule types",
                                          "begin molecule_types",
                                          "end observables",
                                          "begin observables",
                                          "begin reaction rules",
                                          "end reaction rules",
                                          "begin reaction_rules",
                                          "begin functions",
                                          "end functions",
                                          "begin actions",
                                          "end actions",
                                          "begin compartments",
                                          "end compartments",
                                          "begin reactions",
                                          "begin groups",
                                          "begin",
                                          "end",
                                          "beginmodel",
                                          "begin foo",
                                          "end foo",
                                          "BEGIN MODEL",
                                          "begin  seed   species",
                                          "begin\tparameters",
                                          "  end   model  ",
                                          "begin model extra",
                                          "begin energy patterns",
                                          "end model;",
                                          "begin parameters # comment",
                                          "end reaction rules\\"};
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
        const char *rep = PICK(r, renames);
        buf_splice(b, ln->start, ln->len, rep, strlen(rep));
        desc_add(d, "begin/end line %ld -> '%s'", li + 1, rep);
        break;
    }
    default: {
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

/* Removes an 'end ...' line. */
static int m_remove_end(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_end_line);
    if (li < 0) return -1;
    size_t s, e;
    line_bounds(b, &L->v[li], &s, &e);
    buf_splice(b, s, e - s, NULL, 0);
    desc_add(d, "remove end line %ld", li + 1);
    return 0;
}

/* Rule-level mistakes: arrows, rate counts, labels, modifiers. */
static int m_rule(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_rule_line);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    size_t s = ln->start, end = ln->cend;
    size_t arrow = end;
    int rev = 0;
    for (size_t i = s; i + 1 < end; i++)
        if (b->p[i] == '-' && b->p[i + 1] == '>') {
            arrow = i;
            rev = i > s && b->p[i - 1] == '<';
            if (rev) arrow--;
            break;
        }
    size_t rs, re;
    int have_rate = line_expr(b, ln, &rs, &re);
    static const char *const mods[] = {" DeleteMolecules",
                                       " include_reactants(1,Zq_unknown)",
                                       " include_reactants(3,A)",
                                       " exclude_reactants(0,A)",
                                       " include_reactants(1)",
                                       " include_reactants(",
                                       " exclude_products(1,A())",
                                       " include_products(9,A)",
                                       " MatchOnce",
                                       " MoveConnected",
                                       " TotalRate",
                                       " priority=>1",
                                       " Unknown_modifier",
                                       " include_reactants(1,A) include_reactants(2,B)",
                                       " exclude_reactants(2147483648,A)",
                                       " DeleteMolecules DeleteMolecules"};
    switch (rng_below(r, 9)) {
    case 0: /* flip the arrow */
        if (arrow == end) return -1;
        buf_splice(b, arrow, rev ? 3 : 2, rev ? "->" : "<->", rev ? 2 : 3);
        desc_add(d, "line %ld: arrow %s -> %s", li + 1, rev ? "<->" : "->", rev ? "->" : "<->");
        break;
    case 1: /* remove the arrow */
        if (arrow == end) return -1;
        {
            const char *a =
                PICK(r, ((const char *const[]){"", " ", "-", ">", "<-", "=>", "<=>", "--"}));
            buf_splice(b, arrow, rev ? 3 : 2, a, strlen(a));
            desc_add(d, "line %ld: arrow -> '%s'", li + 1, a);
        }
        break;
    case 2: /* a modifier at the end */
    {
        const char *m = PICK(r, mods);
        buf_splice(b, end, 0, m, strlen(m));
        desc_add(d, "line %ld: append '%s'", li + 1, m);
        break;
    }
    case 3: /* one more rate law */
        buf_splice(b, end, 0, ", 1", 3);
        desc_add(d, "line %ld: extra rate law", li + 1);
        break;
    case 4: /* drop the rate laws */
        if (!have_rate) return -1;
        buf_splice(b, rs, re - rs, NULL, 0);
        desc_add(d, "line %ld: rate laws removed", li + 1);
        break;
    case 5: { /* a label, possibly a repeated one */
        static const char *const labels[] = {
            "R1: ", "R1:", "_r: ", "1x: ", ": ", "R1 : ", "begin: ", "A(b): "};
        const char *lab = PICK(r, labels);
        size_t at = skip_blank(b, s, end);
        buf_splice(b, at, 0, lab, strlen(lab));
        desc_add(d, "line %ld: label '%s'", li + 1, lab);
        break;
    }
    case 6: /* reactants or products replaced by 0 or a 3-reactant side */
    {
        if (arrow == end) return -1;
        static const char *const sides[] = {"0 ",       "0 + 0 ",  "A + B + C ", "",       "0+A() ",
                                            "A().B() ", "A(a!1) ", "A(a!+) ",    "A(a~?) "};
        const char *sd = PICK(r, sides);
        size_t from = skip_blank(b, s, arrow);
        /* keep a "label:" */
        for (size_t q = from; q < arrow; q++)
            if (b->p[q] == ':') {
                from = skip_blank(b, q + 1, arrow);
                break;
            }
        buf_splice(b, from, arrow - from, sd, strlen(sd));
        desc_add(d, "line %ld: reactants -> '%s'", li + 1, sd);
        break;
    }
    case 7: /* product side with a molecule or site the reactants lack */
    {
        if (!have_rate || arrow == end) return -1;
        static const char *const extra[] = {" + Zq()", ".Zq()", " + 0", "+", " + A(zz)",
                                            "(",       ")",     "!1",   ".", " + A()!"};
        const char *x = PICK(r, extra);
        size_t at = rs;
        while (at > arrow && isspace((unsigned char)b->p[at - 1]))
            at--;
        buf_splice(b, at, 0, x, strlen(x));
        desc_add(d, "line %ld: products get '%s'", li + 1, x);
        break;
    }
    default: /* the rule duplicated with its arrow reversed */
    {
        size_t n = ln->len;
        char *copy = xrealloc(NULL, n + 2);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        buf_splice(b, ln->start, 0, copy, n + 1);
        free(copy);
        desc_add(d, "line %ld duplicated", li + 1);
        break;
    }
    }
    return 0;
}

/* Action-call mistakes. */
static int m_action(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_action_line);
    static const char *const calls[] = {
        "simulate({t_end=>10,foo=>1})",
        "simulate({n_steps=>10})",
        "simulate({method=>\"ssa\",t_end=>10,n_steps=>5})",
        "simulate({method=>\"ode\",t_end=>-1,n_steps=>5})",
        "simulate({t_end=>10,n_steps=>0})",
        "simulate({t_end=>10,n_steps=>1e99})",
        "simulate_ode({t_end=>1e999,n_steps=>3})",
        "simulate({t_start=>5,t_end=>1,n_steps=>3})",
        "setParameter(\"no_such_param\",1)",
        "setParameter(\"k\")",
        "setParameter()",
        "setConcentration(\"Zq()\",1)",
        "setConcentration(\"A(\",1)",
        "setConcentration(\"A(b!1)\",1)",
        "setConcentration(\"A(b!+)\",1)",
        "setConcentration(\"@EC::A()\",1)",
        "setConcentration(\"\",1)",
        "unknown_action()",
        "visualize({type=>\"regulatory\"})",
        "generate_network({max_iter=>-1})",
        "generate_network({max_iter=>1e99})",
        "generate_network({max_agg=>2.5})",
        "generate_network({max_stoich=>{A=>2,B=>}})",
        "generate_network({max_stoich=>{Zq=>2}})",
        "generate_network({max_stoich=>3})",
        "generate_network({max_stoich=>{A=>1e99}})",
        "generate_network({max_iter=>NaN})",
        "generate_network(max_iter=>1)",
        "generate_network(1)",
        "generate_network({overwrite=>1",
        "generate_network({overwrite=>1}))",
        "generate_network({overwrite=>1}) extra",
        "generate_network({,})",
        "generate_network({=>1})",
        "generate_network({\"max_iter\"=>\"2\"})",
        "parameter_scan({parameter=>\"k\",par_min=>0,par_max=>1,n_scan_pts=>0,t_end=>1,"
        "n_steps=>1})",
        "saveConcentrations(1,2,3)",
        "resetConcentrations()",
        "writeNetwork({suffix=>\"../../x\"})",
        "simulate({t_end=>10,n_steps=>5,suffix=>\"a/b\"})",
        "simulate({t_end=>10;n_steps=>5})",
        "simulate{t_end=>10}",
        "simulate(({{t_end=>10}}))",
        "simulate({t_end=>10,n_steps=>5,atol=>0})",
        "simulate({t_end=>\"10\",n_steps=>\"5\"})",
        "simulate({t_end=>10,t_end=>20,n_steps=>5})",
        "simulate({sample_times=>[1,2,3]})",
        "simulate({sample_times=>[3,2,1]})",
        "simulate({sample_times=>[]})",
        "()",
        "(",
        ")",
        "generate_network",
        "\"generate_network\"({})",
        "setConcentration(\"A()\",\"k_undefined\")",
        "setConcentration(\"A()\",1/0)",
        "setParameter(\"k\",\"1/0\")"};
    if (li < 0 || rng_below(r, 3) == 0) {
        /* a new action line somewhere outside the blocks (at the end) */
        const char *c = PICK(r, calls);
        if (b->n && b->p[b->n - 1] != '\n') buf_splice(b, b->n, 0, "\n", 1);
        buf_puts(b, c);
        buf_puts(b, "\n");
        desc_add(d, "append action '%s'", c);
        return 0;
    }
    const line_t *ln = &L->v[li];
    size_t s = skip_blank(b, ln->start, ln->cend), e = ln->cend;
    char old[64];
    show(b->p + s, e - s, old, sizeof old);
    switch (rng_below(r, 4)) {
    case 0: {
        const char *c = PICK(r, calls);
        buf_splice(b, s, e - s, c, strlen(c));
        desc_add(d, "line %ld: action '%s' -> '%s'", li + 1, old, c);
        break;
    }
    case 1: { /* unknown argument before the closing brace */
        size_t at = e;
        for (size_t q = s; q < e; q++)
            if (b->p[q] == '}') at = q;
        if (at == e) return -1;
        static const char *const extra[] = {
            ",foo=>1", ",t_end=>",      ",=>",          ",",
            ",,x=>1",  ",suffix=>\"\"", ",max_iter=>0", ",method=>\"nf\""};
        const char *x = PICK(r, extra);
        buf_splice(b, at, 0, x, strlen(x));
        desc_add(d, "line %ld: insert '%s' before '}'", li + 1, x);
        break;
    }
    case 2: { /* delete one key=>value */
        size_t ks = e;
        size_t cnt = 0;
        for (size_t q = s; q + 1 < e; q++)
            if (b->p[q] == '=' && b->p[q + 1] == '>') cnt++;
        if (!cnt) return -1;
        size_t k = rng_below(r, cnt), arrow = e;
        for (size_t q = s; q + 1 < e; q++)
            if (b->p[q] == '=' && b->p[q + 1] == '>' && k-- == 0) {
                arrow = q;
                break;
            }
        ks = arrow;
        while (ks > s && b->p[ks - 1] != ',' && b->p[ks - 1] != '{')
            ks--;
        size_t ve = arrow;
        while (ve < e && b->p[ve] != ',' && b->p[ve] != '}')
            ve++;
        if (ve < e && b->p[ve] == ',') ve++;
        char kv[64];
        show(b->p + ks, ve - ks, kv, sizeof kv);
        buf_splice(b, ks, ve - ks, NULL, 0);
        desc_add(d, "line %ld: delete argument '%s'", li + 1, kv);
        break;
    }
    default: { /* deep braces/parentheses */
        static const int depths[] = {10, 64, 200, 1000, 5000};
        int depth = depths[rng_below(r, sizeof depths / sizeof depths[0])];
        int braces = (int)rng_below(r, 2);
        buf_t x = {0};
        buf_puts(&x, "simulate(");
        for (int i = 0; i < depth; i++)
            buf_puts(&x, braces ? "{a=>" : "(");
        buf_puts(&x, "1");
        for (int i = 0; i < depth; i++)
            buf_puts(&x, braces ? "}" : ")");
        buf_puts(&x, ")");
        buf_splice(b, s, e - s, x.p, x.n);
        buf_free(&x);
        desc_add(d, "line %ld: action -> %d nested %s", li + 1, depth,
                 braces ? "braces" : "parens");
        break;
    }
    }
    return 0;
}

/* Deep nesting and large structures: parentheses in expressions, long molecule chains,
 * many sites or bonds on one molecule. */
static int m_deep(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    int kind = (int)rng_below(r, 4);
    buf_t x = {0};
    if (kind == 0) {
        long li = pick_line(r, L, is_expr_line);
        size_t s, e;
        if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) return -1;
        static const int depths[] = {127, 128, 129, 255, 256, 257, 1000, 5000};
        int depth = depths[rng_below(r, sizeof depths / sizeof depths[0])];
        static const char *const open[] = {"(", "-", "2^", "if(1,2,", "max(1,", "exp("};
        static const char *const close[] = {")", "", "", ")", ")", ")"};
        int k = (int)rng_below(r, 6);
        for (int i = 0; i < depth; i++)
            buf_puts(&x, open[k]);
        buf_puts(&x, "1");
        for (int i = 0; i < depth; i++)
            buf_puts(&x, close[k]);
        /* only the first rate law / the value */
        size_t ee = s;
        while (ee < e && b->p[ee] != ',' && !isspace((unsigned char)b->p[ee]))
            ee++;
        if (L->v[li].blk != BK_RULES) ee = e;
        buf_splice(b, s, ee - s, x.p, x.n);
        desc_add(d, "line %ld: expression -> %d x '%s' 1 '%s'", li + 1, depth, open[k], close[k]);
    } else if (kind == 1) {
        /* a chain of n molecules Ch(l!i,r!i+1) as a seed species or a rule */
        static const int lens[] = {8, 9, 63, 64, 65, 66, 200, 2000};
        int n = lens[rng_below(r, sizeof lens / sizeof lens[0])];
        int as_rule = (int)rng_below(r, 2);
        for (int i = 0; i < n; i++) {
            if (i) buf_puts(&x, ".");
            if (i == 0)
                buf_puts(&x, "Ch(l,r!1)");
            else if (i == n - 1)
                buf_printf(&x, "Ch(l!%d,r)", i);
            else
                buf_printf(&x, "Ch(l!%d,r!%d)", i, i + 1);
        }
        if (as_rule)
            buf_puts(&x, " -> 0 1");
        else
            buf_puts(&x, " 1");
        long where = -1;
        for (size_t i = 0; i < L->n; i++)
            if (L->v[i].blk == (as_rule ? BK_RULES : BK_SEEDS) && !L->v[i].is_begin &&
                !L->v[i].is_end) {
                where = (long)i;
                break;
            }
        if (where < 0) {
            buf_free(&x);
            return -1;
        }
        insert_line(b, L, (size_t)where, x.p, x.n);
        long ty = find_line(L, b, "begin molecule types");
        if (ty >= 0 && ty < where) insert_line(b, L, (size_t)ty + 1, "Ch(l,r)", 7);
        desc_add(d, "insert a %d-molecule chain as a %s before line %ld", n,
                 as_rule ? "rule" : "seed species", where + 1);
    } else if (kind == 2) {
        /* a molecule with many sites */
        long li = pick_line(r, L, is_pattern_line);
        if (li < 0) return -1;
        const line_t *ln = &L->v[li];
        size_t at = ln->cend;
        for (size_t q = ln->start; q < ln->cend; q++)
            if (b->p[q] == '(') {
                at = q + 1;
                break;
            }
        if (at == ln->cend) return -1;
        static const int ns[] = {63, 64, 65, 100, 1000};
        int n = ns[rng_below(r, sizeof ns / sizeof ns[0])];
        int same = (int)rng_below(r, 2);
        for (int i = 0; i < n; i++) {
            if (same)
                buf_puts(&x, "s,");
            else
                buf_printf(&x, "s%d,", i);
        }
        buf_splice(b, at, 0, x.p, x.n);
        desc_add(d, "line %ld: %d %s sites inserted", li + 1, n, same ? "identical" : "distinct");
    } else {
        /* many bonds between two molecules, or many bond labels on one site */
        long li = pick_line(r, L, is_seed_line);
        if (li < 0) return -1;
        static const int ns[] = {3, 4, 5, 32, 64, 65, 100};
        int n = ns[rng_below(r, sizeof ns / sizeof ns[0])];
        int one_site = (int)rng_below(r, 2);
        if (one_site) {
            buf_puts(&x, "M(a");
            for (int i = 1; i <= n; i++)
                buf_printf(&x, "!%d", i);
            buf_puts(&x, ")");
            for (int i = 1; i <= n; i++)
                buf_printf(&x, ".N(b!%d)", i);
        } else {
            buf_puts(&x, "M(");
            for (int i = 1; i <= n; i++)
                buf_printf(&x, "%sa!%d", i > 1 ? "," : "", i);
            buf_puts(&x, ").N(");
            for (int i = 1; i <= n; i++)
                buf_printf(&x, "%sb!%d", i > 1 ? "," : "", i);
            buf_puts(&x, ")");
        }
        buf_puts(&x, " 1");
        insert_line(b, L, (size_t)li, x.p, x.n);
        desc_add(d, "insert a seed with %d bonds %s before line %ld", n,
                 one_site ? "on one site" : "between two molecules", li + 1);
    }
    buf_free(&x);
    return 0;
}

static int m_long_line(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    buf_t x = {0};
    int kind = (int)rng_below(r, 5);
    buf_reserve(&x, LONG_LINE + 64);
    const char *what;
    if (kind <= 1) {
        size_t pos = L->n ? L->v[rng_below(r, L->n)].start : 0;
        if (kind == 0) {
            buf_puts(&x, "# ");
            what = "comment";
        } else
            what = "bare token";
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, "a", 1);
        buf_puts(&x, "\n");
        buf_splice(b, pos, 0, x.p, x.n);
    } else {
        /* a name in an element line */
        long li = pick_line(r, L, is_elem);
        name_t nm[128];
        size_t n = li < 0 ? 0 : collect_names(b, &L->v[li], nm, 128);
        if (!n) {
            buf_free(&x);
            return -1;
        }
        size_t k = rng_below(r, n);
        char fill = kind == 2 ? 'N' : (kind == 3 ? 'n' : '_');
        while (x.n < LONG_LINE)
            buf_splice(&x, x.n, 0, &fill, 1);
        buf_splice(b, nm[k].s, nm[k].e - nm[k].s, x.p, x.n);
        what = nk_name[nm[k].kind];
    }
    desc_add(d, "100 KB %s", what);
    buf_free(&x);
    return 0;
}

/* A line of printable garbage (no NUL). */
static int m_garbage(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    size_t li = L->n ? rng_below(r, L->n + 1) : 0;
    size_t n = 1 + rng_below(r, 80);
    char g[96];
    static const char alphabet[] = "abcAB_01()!~.+,<->%@$:{}\"'=*?# \t\\/";
    for (size_t i = 0; i < n; i++)
        g[i] = rng_below(r, 3) ? alphabet[rng_below(r, sizeof alphabet - 1)]
                               : (char)(32 + rng_below(r, 95));
    insert_line(b, L, li, g, n);
    char shown[200];
    desc_add(d, "insert garbage line '%s' before line %zu", show(g, n, shown, sizeof shown),
             li + 1);
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

/* Trailing backslash (line continuation), '#', or other punctuation in random places. */
static int m_punct(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long li = pick_line(r, L, is_nonempty);
    if (li < 0) return -1;
    const line_t *ln = &L->v[li];
    static const char *const ins[] = {"\\", " \\", "#",  "# x", "$",   " ",    ",",
                                      "*",  ";",   "\"", "'",   "\\ ", "\\\\", "\\\n\\\n"};
    const char *s = PICK(r, ins);
    size_t at = rng_below(r, 2) ? ln->start + ln->len : ln->start + rng_below(r, ln->len + 1);
    buf_splice(b, at, 0, s, strlen(s));
    desc_add(d, "line %ld: insert '%s' at %zu", li + 1, s, at);
    return 0;
}

/* Renames an element to the name of another one in the same block (duplicates). */
static int m_dup_name(buf_t *b, lines_t *L, rng_t *r, desc_t *d)
{
    long a = pick_line(r, L, is_elem), c = pick_line(r, L, is_elem);
    if (a < 0 || c < 0 || a == c || L->v[a].blk != L->v[c].blk) return -1;
    enum blk k = L->v[a].blk;
    int tok = k == BK_OBS ? 1 : 0;
    if (k != BK_PARAM && k != BK_OBS && k != BK_FUNCS && k != BK_TYPES && k != BK_SEEDS) return -1;
    size_t sa, ea, sc, ec;
    if (!line_token(b, &L->v[a], tok, &sa, &ea) || !line_token(b, &L->v[c], tok, &sc, &ec))
        return -1;
    size_t n = ea - sa;
    char *name = xrealloc(NULL, n);
    memcpy(name, b->p + sa, n);
    buf_splice(b, sc, ec - sc, name, n);
    free(name);
    desc_add(d, "line %ld gets the name/species of line %ld", c + 1, a + 1);
    return 0;
}

static const struct {
    const char *name;
    mutator_fn fn;
    int weight;
} mutators[] = {
    {"byte_flip", m_byte_flip, 5},
    {"byte_set", m_byte_set, 6},
    {"byte_insert", m_byte_insert, 5},
    {"byte_delete", m_byte_delete, 5},
    {"char_dup", m_char_dup, 3},
    {"truncate", m_truncate, 4},
    {"line_delete", m_line_delete, 4},
    {"line_dup", m_line_dup, 4},
    {"line_swap", m_line_swap, 3},
    {"token", m_token, 10},
    {"unknown_name", m_unknown_name, 10},
    {"insert_site", m_insert_site, 7},
    {"numeric", m_numeric, 6},
    {"expr_junk", m_expr_junk, 5},
    {"expr_replace", m_expr_replace, 4},
    {"begin_end", m_begin_end, 4},
    {"remove_end", m_remove_end, 2},
    {"rule", m_rule, 8},
    {"action", m_action, 6},
    {"deep", m_deep, 3},
    {"long_line", m_long_line, 1},
    {"garbage", m_garbage, 3},
    {"crlf", m_crlf, 1},
    {"tabs", m_tabs, 1},
    {"punct", m_punct, 3},
    {"dup_name", m_dup_name, 3},
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

enum { ST_PARSE, ST_ACTIONS, ST_OPTIONS, ST_GENERATE };
static const char *const stage_name[] = {"parse", "actions check", "generate_network options",
                                         "generation"};

static struct {
    long mutants, accepted, rejected, rej_parse, rej_options, rej_generate, actions_rejected;
    long findings, slow, truncated_nets, isolated, hung;
    long species, reactions;
    double slowest;
    long per_mutator[N_MUTATORS];
} stats;

static int verbose;
static const char *dump_dir;
static long only_index;
static int have_only;
static long min_mutants = 1000;

/* A mutant still running after HANG_SECONDS: the SIGALRM handler names it and jumps back
 * to run_mutant, which records a failure and goes on with the next mutant (the hung one's
 * memory is abandoned). A second expiry while recovering aborts. */
static char current[1024];
static sigjmp_buf hang_jump;
static volatile sig_atomic_t in_mutant, recovering;
static unsigned hang_seconds = HANG_SECONDS;

static void on_alarm(int sig)
{
    (void)sig;
    static const char pre[] = "test_bngl_fuzz: mutant still running after the time limit: ";
    ssize_t w = write(2, pre, sizeof pre - 1);
    w = write(2, current, strlen(current));
    w = write(2, "\n", 1);
    (void)w;
    if (!in_mutant || recovering) abort();
    recovering = 1;
    siglongjmp(hang_jump, 1);
}

static void dump_mutant(const char *file, long k, const buf_t *b)
{
    if (!dump_dir) return;
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s.mutant%ld.bngl", dump_dir, base, k);
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

/* Checks a failure's code and message; returns nonzero when a check failed. */
static int check_message(const char *file, long k, const char *desc, const buf_t *b, int rc,
                         int stage)
{
    int before = check_failures;
    const char *msg = ilnet_error_last();
    char shown[600];
    one_line(msg, shown, sizeof shown);
    const char *st = stage_name[stage];
    CHECK(rc < 0, "%s mutant %ld [%s]: %s failed with rc %d", file, k, desc, st, rc);
    CHECK(msg[0] && strcmp(msg, "no error") != 0, "%s mutant %ld [%s]: %s: empty error message",
          file, k, desc, st);
    CHECK(!strchr(msg, '\n'), "%s mutant %ld [%s]: %s: message has a newline: %s", file, k, desc,
          st, shown);
    CHECK(!strncmp(msg, MUTANT_PATH, strlen(MUTANT_PATH)),
          "%s mutant %ld [%s]: %s: message does not start with the path: %s", file, k, desc, st,
          shown);
    int ctrl = 0;
    for (const char *p = msg; *p; p++)
        if ((unsigned char)*p < 32 && *p != '\t' && *p != '\n') ctrl = 1;
    if (ctrl) finding(file, k, desc, b, "%s: message contains control characters: %s", st, shown);
    const char *q = msg + strlen(MUTANT_PATH);
    if (!strncmp(msg, MUTANT_PATH, strlen(MUTANT_PATH)) && *q == ':' &&
        isdigit((unsigned char)q[1])) {
        long line = strtol(q + 1, NULL, 10);
        size_t nl = count_lines(b);
        CHECK(line >= 1 && (size_t)line <= (nl ? nl : 1),
              "%s mutant %ld [%s]: %s: line %ld outside the mutant's %zu lines: %s", file, k, desc,
              st, line, nl, shown);
    }
    return check_failures != before;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct {
    int stage; /* stage that rejected it, or -1 */
    int n[8];  /* model counts (parsed) */
    size_t species, reactions;
} outcome;

/* Parses one mutant and, when it parses, generates its network. Returns the outcome. */
static outcome run_mutant(const char *file, long k, const char *desc, const buf_t *b)
{
    outcome oc;
    memset(&oc, 0, sizeof oc);
    oc.stage = -2; /* skipped */
    if (have_only && k != only_index) return oc;
    oc.stage = -1;
    if (verbose) {
        fprintf(stderr, "%s mutant %ld: %s (%zu bytes)\n", file, k, desc, b->n);
        fflush(stderr);
    }
    snprintf(current, sizeof current, "%s mutant %ld [%s] (rerun with --only %ld -v)", file, k,
             desc, k);
    stats.mutants++;
    /* exactly len + 1 bytes: overreads show up under ASan. NUL bytes cannot be expressed in
     * a C string; the mutators never produce them, but make sure. */
    char *text = malloc(b->n + 1);
    if (!text) exit(2);
    for (size_t i = 0; i < b->n; i++)
        text[i] = b->p[i] ? b->p[i] : ' ';
    text[b->n] = '\0';
    double t0 = now();
    int bad = 0;
    if (sigsetjmp(hang_jump, 1)) {
        /* the mutant hung (see on_alarm): its model, options and network are abandoned */
        in_mutant = 0;
        recovering = 0;
        stats.hung++;
        CHECK(0, "%s mutant %ld [%s]: still running after %u s", file, k, desc, hang_seconds);
        bad = 1;
        oc.stage = ST_PARSE;
        goto done;
    }
    in_mutant = 1;
    alarm(hang_seconds);
    ilnet_bngl_model *m = (ilnet_bngl_model *)(uintptr_t)1; /* must be reset to NULL */
    ilnet_error_clear();
    int rc = ilnet_bngl_parse(&m, MUTANT_PATH, text);
    if (rc) {
        oc.stage = ST_PARSE;
        CHECK(m == NULL, "%s mutant %ld [%s]: *out not NULL after a parse failure", file, k, desc);
        bad |= check_message(file, k, desc, b, rc, ST_PARSE);
        goto done;
    }
    CHECK(m != NULL, "%s mutant %ld [%s]: parse succeeded without a model", file, k, desc);
    if (!m) goto done;
    oc.n[0] = m->n_params;
    oc.n[1] = m->mt.n;
    oc.n[2] = m->n_seeds;
    oc.n[3] = m->n_obs;
    oc.n[4] = m->n_funcs;
    oc.n[5] = m->n_rules;
    oc.n[6] = m->n_actions;
    ilnet_error_clear();
    rc = ilnet_actions_check(m);
    if (rc) {
        stats.actions_rejected++;
        bad |= check_message(file, k, desc, b, rc, ST_ACTIONS);
    }
    ilnet_netgen_options opt = ILNET_NETGEN_OPTIONS_INIT;
    ilnet_error_clear();
    rc = ilnet_bngl_netgen_options(&opt, m);
    if (rc) {
        oc.stage = ST_OPTIONS;
        bad |= check_message(file, k, desc, b, rc, ST_OPTIONS);
    } else {
        opt.max_iter = GEN_MAX_ITER;
        opt.max_agg = GEN_MAX_AGG;
        ilnet_network *net = (ilnet_network *)(uintptr_t)1;
        ilnet_netgen_stats gs;
        memset(&gs, 0, sizeof gs);
        ilnet_error_clear();
        rc = ilnet_bngl_generate(&net, m, &opt, &gs);
        if (rc) {
            oc.stage = ST_GENERATE;
            CHECK(net == NULL, "%s mutant %ld [%s]: *out not NULL after a generation failure", file,
                  k, desc);
            net = NULL;
            bad |= check_message(file, k, desc, b, rc, ST_GENERATE);
        } else {
            CHECK(net != NULL, "%s mutant %ld [%s]: generation succeeded without a network", file,
                  k, desc);
            if (net) {
                oc.species = ilnet_network_species_count(net);
                oc.reactions = ilnet_network_reaction_count(net);
                stats.species += (long)oc.species;
                stats.reactions += (long)oc.reactions;
                stats.truncated_nets += gs.truncated != 0;
            }
            ilnet_network_free(net);
        }
    }
    ilnet_netgen_options_free(&opt);
    ilnet_bngl_free(m);
done:
    alarm(0);
    in_mutant = 0;
    free(text);
    double dt = now() - t0;
    if (dt > stats.slowest) stats.slowest = dt;
    if (dt > SLOW_SECONDS) {
        stats.slow++;
        finding(file, k, desc, b, "took %.1f s", dt);
    }
    if (oc.stage >= 0) {
        stats.rejected++;
        if (oc.stage == ST_PARSE) stats.rej_parse++;
        if (oc.stage == ST_OPTIONS) stats.rej_options++;
        if (oc.stage == ST_GENERATE) stats.rej_generate++;
    } else
        stats.accepted++;
    if (verbose)
        fprintf(stderr, "  -> %s%s%s\n", oc.stage >= 0 ? "rejected: " : "accepted",
                oc.stage >= 0 ? ilnet_error_last() : "", "");
    if (bad) {
        fprintf(stderr, "  (mutant %ld of %s failed; rerun with --only %ld -v)\n", k, file, k);
        dump_mutant(file, k, b);
    }
    return oc;
}

/* Runs one mutant in a forked child limited to `seconds` of wall time: for inputs whose
 * run time depends on the library's algorithms (large or highly symmetric structures). A
 * child that runs out of time, crashes, or fails a check fails the test here. */
static void run_isolated(const char *file, long k, const char *desc, const buf_t *b,
                         unsigned seconds)
{
    if (have_only && k != only_index) return;
    fflush(stdout);
    fflush(stderr);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        CHECK(0, "fork: %s", strerror(errno));
        return;
    }
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL); /* the parent sees WTERMSIG == SIGALRM */
        hang_seconds = seconds;
        check_failures = 0;
        run_mutant(file, k, desc, b);
        fflush(stdout);
        fflush(stderr);
        /* _exit: LeakSanitizer would report every block the parent leaked before the fork */
        _exit(check_failures ? 1 : 0);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    stats.mutants++;
    stats.isolated++;
    double dt = now() - t0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        CHECK(0, "%s mutant %ld [%s]: still running after %u s (killed)", file, k, desc, seconds);
        stats.rejected++;
    } else if (WIFSIGNALED(status)) {
        CHECK(0, "%s mutant %ld [%s]: child killed by signal %d", file, k, desc, WTERMSIG(status));
        stats.rejected++;
    } else {
        CHECK(WEXITSTATUS(status) == 0, "%s mutant %ld [%s]: child exited with status %d", file, k,
              desc, WEXITSTATUS(status));
        stats.accepted++; /* counted as accepted: the child's outcome is not passed back */
    }
    if (verbose) fprintf(stderr, "  (isolated: %.2f s)\n", dt);
    if (dt > stats.slowest) stats.slowest = dt;
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

/* A targeted mutant that must be rejected (at any stage). */
static void must_reject(const char *file, long k, const char *desc, const buf_t *b)
{
    outcome oc = run_mutant(file, k, desc, b);
    if (oc.stage == -2) return;
    CHECK(oc.stage >= 0, "%s mutant %ld [%s]: accepted, must be rejected", file, k, desc);
    if (oc.stage < 0) dump_mutant(file, k, b);
}

/* Variants that must give exactly the original model. */
static void check_equivalent(const char *file, long k, const char *what, const buf_t *b,
                             const outcome *want)
{
    outcome got = run_mutant(file, k, what, b);
    if (got.stage == -2 || want->stage == -2) return;
    CHECK(got.stage == -1, "%s: %s version rejected: %s", file, what, ilnet_error_last());
    if (got.stage == -1)
        CHECK(!memcmp(got.n, want->n, sizeof got.n) && got.species == want->species &&
                  got.reactions == want->reactions,
              "%s: %s version has %d/%d/%d/%d/%d/%d/%d parameters/types/seeds/observables/"
              "functions/rules/actions and %zu/%zu species/reactions, original "
              "%d/%d/%d/%d/%d/%d/%d and %zu/%zu",
              file, what, got.n[0], got.n[1], got.n[2], got.n[3], got.n[4], got.n[5], got.n[6],
              got.species, got.reactions, want->n[0], want->n[1], want->n[2], want->n[3],
              want->n[4], want->n[5], want->n[6], want->species, want->reactions);
}

static void delete_line(buf_t *b, const line_t *ln)
{
    size_t s, e;
    line_bounds(b, ln, &s, &e);
    buf_splice(b, s, e - s, NULL, 0);
}

static void targeted(const char *file, const buf_t *orig)
{
    buf_t b = {0};
    lines_t L = {0}, L0 = {0};
    long k = 0;
    char desc[256];

    /* the original must parse and generate */
    outcome want = run_mutant(file, --k, "unmutated", orig);
    if (want.stage != -2)
        CHECK(want.stage == -1, "%s: unmutated file rejected: %s", file, ilnet_error_last());
    if (want.stage == -1 || want.stage == -2) {
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, "\n", "\r\n");
        check_equivalent(file, --k, "CRLF", &b, &want);
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, " ", "\t");
        check_equivalent(file, --k, "tab-separated", &b, &want);
        buf_set(&b, orig->p, orig->n);
        replace_all(&b, "\n", "  \t \n");
        check_equivalent(file, --k, "trailing-blank", &b, &want);
    } else
        k -= 3;

    scan_lines(&L0, orig);
    /* every 'end' and every 'begin' line deleted: an unbalanced file */
    for (size_t i = 0; i < L0.n; i++) {
        if (!L0.v[i].is_begin && !L0.v[i].is_end) continue;
        buf_set(&b, orig->p, orig->n);
        delete_line(&b, &L0.v[i]);
        snprintf(desc, sizeof desc, "%s line %zu deleted", L0.v[i].is_begin ? "begin" : "end",
                 i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* every seed species duplicated */
    for (size_t i = 0; i < L0.n; i++) {
        if (!is_seed_line(&L0.v[i])) continue;
        buf_set(&b, orig->p, orig->n);
        const line_t *ln = &L0.v[i];
        buf_splice(&b, ln->start + ln->len, 0, "\n", 1);
        buf_splice(&b, ln->start + ln->len + 1, 0, orig->p + ln->start, ln->len);
        snprintf(desc, sizeof desc, "seed species on line %zu duplicated", i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* every rule's arrow flipped: '->' with two rate laws, '<->' with one */
    for (size_t i = 0; i < L0.n; i++) {
        if (!is_rule_line(&L0.v[i])) continue;
        const line_t *ln = &L0.v[i];
        size_t at = ln->cend;
        int rev = 0;
        for (size_t q = ln->start; q + 1 < ln->cend; q++)
            if (orig->p[q] == '-' && orig->p[q + 1] == '>') {
                rev = q > ln->start && orig->p[q - 1] == '<';
                at = rev ? q - 1 : q;
                break;
            }
        if (at == ln->cend) continue; /* continued on the next line */
        buf_set(&b, orig->p, orig->n);
        buf_splice(&b, at, rev ? 3 : 2, rev ? "->" : "<->", rev ? 2 : 3);
        snprintf(desc, sizeof desc, "rule on line %zu: '%s' -> '%s'", i + 1, rev ? "<->" : "->",
                 rev ? "->" : "<->");
        must_reject(file, --k, desc, &b);
    }
    /* truncation at line boundaries (at most 60, evenly spaced) */
    size_t step = L0.n > 60 ? (L0.n + 59) / 60 : 1;
    for (size_t i = 0; i < L0.n; i += step) {
        buf_set(&b, orig->p, orig->n);
        b.n = L0.v[i].start;
        snprintf(desc, sizeof desc, "truncated before line %zu", i + 1);
        run_mutant(file, --k, desc, &b);
    }
    /* every block renamed to an unknown one */
    for (size_t i = 0; i < L0.n; i++) {
        if (!L0.v[i].is_begin || L0.v[i].is_model) continue;
        buf_set(&b, orig->p, orig->n);
        buf_splice(&b, L0.v[i].start, L0.v[i].len, "begin frobnicators", 18);
        snprintf(desc, sizeof desc, "line %zu -> 'begin frobnicators'", i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* first parameter: defined as itself, undefined name, 100 KB product, 1e999 */
    long pl = find_line(&L0, orig, "begin parameters");
    long first = -1;
    for (long i = pl + 1; pl >= 0 && (size_t)i < L0.n; i++) {
        if (L0.v[i].is_end) break;
        if (is_elem(&L0.v[i])) {
            first = i;
            break;
        }
    }
    if (first >= 0) {
        size_t s, e, ns, ne;
        if (line_expr(orig, &L0.v[first], &s, &e)) {
            const line_t *ln = &L0.v[first];
            ns = skip_blank(orig, ln->start, ln->cend);
            if (isdigit((unsigned char)orig->p[ns])) { /* index */
                while (ns < ln->cend && !isspace((unsigned char)orig->p[ns]))
                    ns++;
                ns = skip_blank(orig, ns, ln->cend);
            }
            ne = ns;
            while (ne < ln->cend && (isalnum((unsigned char)orig->p[ne]) || orig->p[ne] == '_'))
                ne++;
            buf_set(&b, orig->p, orig->n);
            buf_splice(&b, s, e - s, orig->p + ns, ne - ns);
            must_reject(file, --k, "first parameter defined as itself", &b);
            buf_set(&b, orig->p, orig->n);
            buf_splice(&b, s, e - s, "k_undefined", 11);
            run_mutant(file, --k, "first parameter = k_undefined", &b);
            buf_set(&b, orig->p, orig->n);
            buf_splice(&b, s, e - s, "1e999", 5);
            run_mutant(file, --k, "first parameter = 1e999", &b);
            buf_t y = {0};
            buf_puts(&y, "1");
            while (y.n < LONG_LINE)
                buf_puts(&y, "*1");
            buf_set(&b, orig->p, orig->n);
            buf_splice(&b, s, e - s, y.p, y.n);
            run_mutant(file, --k, "first parameter = 1*1*...*1 (100 KB)", &b);
            buf_free(&y);
            /* two parameters defined by each other: needs a second parameter line */
            long second = -1;
            for (long i = first + 1; (size_t)i < L0.n && !L0.v[i].is_end; i++)
                if (is_elem(&L0.v[i])) {
                    second = i;
                    break;
                }
            size_t s2, e2;
            if (second >= 0 && line_expr(orig, &L0.v[second], &s2, &e2)) {
                const line_t *l2 = &L0.v[second];
                size_t n2 = skip_blank(orig, l2->start, l2->cend);
                if (isdigit((unsigned char)orig->p[n2])) {
                    while (n2 < l2->cend && !isspace((unsigned char)orig->p[n2]))
                        n2++;
                    n2 = skip_blank(orig, n2, l2->cend);
                }
                size_t m2 = n2;
                while (m2 < l2->cend && (isalnum((unsigned char)orig->p[m2]) || orig->p[m2] == '_'))
                    m2++;
                buf_set(&b, orig->p, orig->n);
                buf_splice(&b, s2, e2 - s2, orig->p + ns, ne - ns); /* later line first */
                buf_splice(&b, s, e - s, orig->p + n2, m2 - n2);
                must_reject(file, --k, "first two parameters defined by each other", &b);
            }
        }
    }
    /* long lines */
    buf_t x = {0};
    buf_puts(&x, "# ");
    while (x.n < LONG_LINE)
        buf_puts(&x, "Q");
    buf_puts(&x, "\n");
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, 0, 0, x.p, x.n);
    run_mutant(file, --k, "100 KB comment line first", &b);
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, b.n, 0, x.p + 2, x.n - 3);
    run_mutant(file, --k, "100 KB token appended (no newline)", &b);
    buf_free(&x);
    /* every line joined to the next with '\' */
    buf_set(&b, orig->p, orig->n);
    replace_all(&b, "\n", " \\\n");
    run_mutant(file, --k, "every line continued with '\\'", &b);
    /* no newline at the end, and no newlines at all */
    buf_set(&b, orig->p, orig->n);
    while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == ' '))
        b.n--;
    run_mutant(file, --k, "no final newline", &b);
    buf_set(&b, orig->p, orig->n);
    replace_all(&b, "\n", " ");
    run_mutant(file, --k, "all newlines replaced by spaces", &b);
    /* a 'begin model' wrapper added (nested when the file has one) and the file twice */
    buf_set(&b, orig->p, orig->n);
    buf_splice(&b, 0, 0, "begin model\n", 12);
    buf_puts(&b, "\nend model\n");
    run_mutant(file, --k, "wrapped in begin/end model", &b);
    buf_set(&b, orig->p, orig->n);
    buf_puts(&b, "\n");
    buf_splice(&b, b.n, 0, orig->p, orig->n);
    must_reject(file, --k, "the whole file twice", &b);
    free(L.v);
    free(L0.v);
    buf_free(&b);
}

/* File-independent inputs: tiny texts and big structures. */
static void synthetic(void)
{
    const char *file = "(synthetic)";
    buf_t b = {0};
    char desc[256];
    long k = -1000; /* numbered -1001, -1002, ...: apart from the files' targeted mutants */
    static const char *const tiny[] = {
        "",
        "\n",
        "\r\n",
        " ",
        "#",
        "\\",
        "\\\n",
        "\\\n\\",
        "\"",
        "(",
        ")",
        "{",
        "begin",
        "end",
        "begin model",
        "end model",
        "begin model\nend model\n",
        "begin model\nbegin model\nend model\nend model\n",
        "begin parameters",
        "begin parameters\nend parameters\n",
        "begin parameters\n k\nend parameters\n",
        "begin parameters\n k =\nend parameters\n",
        "begin parameters\n 1\nend parameters\n",
        "begin parameters\n k 1\n k 2\nend parameters\n",
        "begin parameters\n a b\n b a\nend parameters\n",
        "begin parameters\n a a\nend parameters\n",
        "begin molecule types\n",
        "begin molecule types\nA(\nend molecule types\n",
        "begin molecule types\nA(b~)\nend molecule types\n",
        "begin molecule types\nA(b~x,b~y)\nend molecule types\n",
        "begin molecule types\nA()\nA()\nend molecule types\n",
        "begin molecule types\nA(b!1)\nend molecule types\n",
        "begin seed species\n0 1\nend seed species\n",
        "begin seed species\nA() 1\nA() 1\nend seed species\n",
        "begin seed species\nA(b!1) 1\nend seed species\n",
        "begin seed species\nA(b!1).A(b!1) 1\nend seed species\n",
        "begin seed species\nA(b!1).B(a!1) 1\nB(a!1).A(b!1) 2\nend seed species\n",
        "begin seed species\nA(b!+) 1\nend seed species\n",
        "begin seed species\nA(b!1,c!1) 1\nend seed species\n",
        "begin seed species\nA().B() 1\nend seed species\n",
        "begin seed species\nA(b~x) 1\nA(b) 1\nend seed species\n",
        "begin seed species\n$A() 1\nend seed species\n",
        "begin seed species\nA()\nend seed species\n",
        "begin seed species\nA() k\nend seed species\n",
        "begin seed species\n@c::A() 1\nend seed species\n",
        "begin seed species\nA()@c 1\nend seed species\n",
        "begin reaction rules\n0 -> 0 1\nend reaction rules\n",
        "begin reaction rules\n -> \nend reaction rules\n",
        "begin reaction rules\n0 -> A() 1\nend reaction rules\n",
        "begin reaction rules\n0 -> A() k\nend reaction rules\n",
        "begin reaction rules\nA() -> 0 1\nend reaction rules\n",
        "begin reaction rules\nA() <-> 0 1\nend reaction rules\n",
        "begin reaction rules\nA() -> A() + A() 1\nend reaction rules\n",
        "begin seed species\nA(b) 1\nend seed species\nbegin reaction rules\n"
        "A(b) + A(b) -> A(b!1).A(b!1) 1\nend reaction rules\n",
        "begin seed species\nA(b,b) 1\nend seed species\nbegin reaction rules\n"
        "A(b) + A(b) <-> A(b!1).A(b!1) 1, 1\nend reaction rules\n",
        "begin seed species\nA(b~0) 1\nend seed species\nbegin reaction rules\n"
        "A(b~0) -> A(b~1) 1\nA(b~1) -> A(b~2) 1\nend reaction rules\n",
        "begin seed species\nA(b) 1\nend seed species\nbegin reaction rules\n"
        "A(b) -> A(b,c) 1\nend reaction rules\n",
        "begin seed species\nA(b) 1\nend seed species\nbegin reaction rules\n"
        "A(b) -> B(b) 1\nend reaction rules\n",
        "begin seed species\nA(b!1).B(a!1) 1\nend seed species\nbegin reaction rules\n"
        "A(b!1).B(a!1) -> A(b) + B(a) 1\nB() -> 0 1 DeleteMolecules\nend reaction rules\n",
        "begin seed species\nA(b!1).B(a!1) 1\nend seed species\nbegin reaction rules\n"
        "A(b!1).B(a!1) -> A(b!1).B(a!1) 1\nA(b!+) -> A(b) 1\nend reaction rules\n",
        "begin reaction rules\nA(b) + A(b) -> A(b!1).A(b!1) 1 include_reactants(3,A)\n"
        "end reaction rules\n",
        "begin observables\nMolecules\nend observables\n",
        "begin observables\nMolecules A\nend observables\n",
        "begin observables\nMolecules A A(),\nend observables\n",
        "begin observables\nSpecies A A() B()\nend observables\n",
        "begin observables\nFoo A A()\nend observables\n",
        "begin functions\nf() = f()\nend functions\n",
        "begin functions\nf() = g()\ng() = f()\nend functions\n",
        "begin functions\nf(x) = x\nend functions\n",
        "generate_network(",
        "generate_network({max_iter=>1})",
        "generate_network({max_iter=>1}) generate_network()",
        "simulate({",
        "simulate({t_end=>1,n_steps=>1})",
        "setConcentration(\"",
        "setConcentration(\"A()\",1)",
        "setParameter(\"k\",1)",
        "begin actions\nsimulate({t_end=>1})\nend actions\n",
        "begin actions\nbegin actions\nend actions\n",
        "begin compartments\nEC 3 1\nend compartments\n",
        "begin energy patterns\nend energy patterns\n"};
    for (size_t i = 0; i < sizeof tiny / sizeof tiny[0]; i++) {
        buf_set(&b, tiny[i], strlen(tiny[i]));
        char shown[160];
        snprintf(desc, sizeof desc, "tiny input '%s'",
                 show(tiny[i], strlen(tiny[i]), shown, sizeof shown));
        run_mutant(file, --k, desc, &b);
    }

    /* 100000 chained parameters p1 = p2, ..., pN = 1: a recursive evaluation overflows the
     * stack, a quadratic duplicate-name check takes minutes */
    const long chain = 100000;
    buf_sets(&b, "begin parameters\n");
    for (long i = 1; i < chain; i++)
        buf_printf(&b, "    p%ld p%ld\n", i, i + 1);
    buf_printf(&b, "    p%ld 1\nend parameters\n", chain);
    buf_puts(&b, "begin seed species\n    A() p1\nend seed species\nbegin reaction rules\n"
                 "    A() -> 0 p1\nend reaction rules\n");
    snprintf(desc, sizeof desc, "chain of %ld parameters, each defined by the next", chain);
    run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);

    /* 5000 nested parentheses in a rate law, and in a parameter */
    buf_sets(&b, "begin parameters\n    k ");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, "(");
    buf_puts(&b, "1");
    for (int i = 0; i < 5000; i++)
        buf_puts(&b, ")");
    buf_puts(&b, "\nend parameters\nbegin seed species\n    A() 1\nend seed species\n"
                 "begin reaction rules\n    A() -> 0 k\nend reaction rules\n");
    run_mutant(file, --k, "parameter with 5000 nested parentheses", &b);

    /* 20000 distinct seed species (each its own molecule type), no rules */
    buf_sets(&b, "begin seed species\n");
    for (int i = 0; i < 20000; i++)
        buf_printf(&b, "    S%d() 1\n", i);
    buf_puts(&b, "end seed species\n");
    run_mutant(file, --k, "20000 seed species", &b);

    /* 2000 rules on one species */
    buf_sets(&b, "begin seed species\n    A(s~0) 1\nend seed species\nbegin reaction rules\n");
    for (int i = 0; i < 2000; i++)
        buf_printf(&b, "    A(s~0) -> A(s~0) %d\n", i + 1);
    buf_puts(&b, "end reaction rules\n");
    run_mutant(file, --k, "2000 rules on one species", &b);

    /* a 2000-molecule chain Ch(l,r) as a seed species, a rule reactant and an observable */
    buf_t ch = {0};
    buf_puts(&ch, "Ch(l,r!1)");
    for (int i = 1; i < 1999; i++)
        buf_printf(&ch, ".Ch(l!%d,r!%d)", i, i + 1);
    buf_puts(&ch, ".Ch(l!1999,r)");
    buf_sets(&b, "begin seed species\n    ");
    buf_splice(&b, b.n, 0, ch.p, ch.n);
    buf_puts(&b, " 1\n    Ch(l,r) 1\nend seed species\nbegin reaction rules\n    ");
    buf_splice(&b, b.n, 0, ch.p, ch.n);
    buf_puts(&b, " -> 0 1\nend reaction rules\nbegin observables\n    Molecules O ");
    buf_splice(&b, b.n, 0, ch.p, ch.n);
    buf_puts(&b, "\nend observables\n");
    run_isolated(file, --k, "2000-molecule chain as a seed, a rule and an observable", &b,
                 ISOLATED_SECONDS);
    buf_free(&ch);

    /* identical molecules in one pattern: n! automorphisms of a rule's reactant, or of a
     * species (symmetry factors, canonical labels) */
    for (int n = 6; n <= 10; n += 2) {
        buf_sets(&b, "begin seed species\n    A() 1\nend seed species\nbegin reaction rules\n    ");
        for (int i = 0; i < n; i++)
            buf_puts(&b, i ? ".A()" : "A()");
        buf_puts(&b, " -> 0 1\nend reaction rules\n");
        snprintf(desc, sizeof desc, "rule reactant of %d disconnected molecules A().A()...", n);
        run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);
        buf_sets(&b, "begin seed species\n    M(");
        for (int i = 1; i <= n; i++)
            buf_printf(&b, "%sa!%d", i > 1 ? "," : "", i);
        buf_puts(&b, ")");
        for (int i = 1; i <= n; i++)
            buf_printf(&b, ".N(b!%d)", i);
        buf_puts(&b, " 1\nend seed species\nbegin reaction rules\n    N(b!1).M(a!1) -> N(b) + "
                     "M(a) 1\nend reaction rules\nbegin observables\n    Molecules O N(b!+)\n"
                     "    Species S M(a!+)\nend observables\n");
        snprintf(desc, sizeof desc, "star species M with %d identical N leaves", n);
        run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);
    }

    /* 10000 physical lines joined by '\' into one rule */
    buf_sets(&b, "begin reaction rules\n    A() -> 0 \\\n");
    for (int i = 0; i < 10000; i++)
        buf_puts(&b, "  \\\n");
    buf_puts(&b, "  1\nend reaction rules\n");
    run_mutant(file, --k, "rule continued over 10000 lines", &b);

    /* an action spanning 10000 lines (open parenthesis) */
    buf_sets(&b, "simulate({t_end=>1,\n");
    for (int i = 0; i < 10000; i++)
        buf_puts(&b, "\n");
    buf_puts(&b, "n_steps=>2})\n");
    run_mutant(file, --k, "action spanning 10000 lines", &b);
    buf_sets(&b, "generate_network(\n");
    for (int i = 0; i < 10000; i++)
        buf_puts(&b, "(\n");
    run_mutant(file, --k, "action with 10000 unclosed parentheses over lines", &b);

    /* polymerisation: bounded only by max_agg/max_iter */
    buf_sets(&b, "begin seed species\n    A(l,r) 1\nend seed species\nbegin reaction rules\n"
                 "    A(r) + A(l) -> A(r!1).A(l!1) 1\nend reaction rules\n"
                 "generate_network({max_iter=>1000000,max_agg=>1000000})\n");
    run_mutant(file, --k, "unbounded polymerisation", &b);

    /* a branching polymer with many symmetric sites */
    buf_sets(&b, "begin molecule types\n    A(s,s,s,s,s,s)\nend molecule types\n"
                 "begin seed species\n    A(s,s,s,s,s,s) 1\nend seed species\n"
                 "begin reaction rules\n    A(s) + A(s) <-> A(s!1).A(s!1) 1, 1\n"
                 "    A(s!1).A(s!1) -> A(s!1).A(s!1) 1\nend reaction rules\n");
    run_mutant(file, --k, "hexavalent aggregation", &b);

    buf_free(&b);
    printf("%s: %ld inputs\n", file, -k - 1000);
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
    long n_random = len > BIG_FILE ? 100 : 300;
    n_random = (long)((double)n_random * scale + 0.5);
    long before_mutants = stats.mutants, before_ok = stats.accepted;
    double t0 = now();

    buf_t orig = {0}, b = {0};
    buf_set(&orig, text, len);
    free(text);
    for (size_t i = 0; i < orig.n; i++)
        if (!orig.p[i]) orig.p[i] = ' ';
    targeted(path, &orig);

    const char *base = strrchr(path, '/');
    rng_t r = rng_seed(fnv1a(base ? base + 1 : path) ^ 0xB16B00B5ULL);
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
        run_mutant(path, k, d.s, &b);
    }
    free(L.v);
    buf_free(&b);
    buf_free(&orig);
    printf("%s: %ld mutants, %ld accepted (%.1f s)\n", path, stats.mutants - before_mutants,
           stats.accepted - before_ok, now() - t0);
    fflush(stdout);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends path (a .bngl file) or the .bngl files under it (a directory), sorted. */
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
            (S_ISDIR(s2.st_mode) || (l > 5 && !strcmp(names[i] + l - 5, ".bngl"))))
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
        fprintf(stderr, "usage: test_bngl_fuzz [-v] [--dump DIR] [--only K] [--scale F] "
                        "[--min-mutants N] BNGL_FILE_OR_DIR...\n");
        return 1;
    }
    signal(SIGALRM, on_alarm);
    double t0 = now();
    synthetic();
    for (size_t i = 0; i < n; i++) {
        fuzz_file(files[i], scale);
        free(files[i]);
    }
    free(files);
    printf("rejected at: parse %ld, generate_network options %ld, generation %ld; actions check "
           "rejected %ld of the parsed; generated %ld species and %ld reactions in all (%ld "
           "networks truncated)\n",
           stats.rej_parse, stats.rej_options, stats.rej_generate, stats.actions_rejected,
           stats.species, stats.reactions, stats.truncated_nets);
    printf("findings: %ld; slowest mutant %.2f s; total %.1f s\n", stats.findings, stats.slowest,
           now() - t0);
    printf("mutations applied:");
    for (size_t i = 0; i < N_MUTATORS; i++)
        printf(" %s %ld%s", mutators[i].name, stats.per_mutator[i],
               i + 1 < N_MUTATORS ? "," : "\n");
    printf("%ld mutants: %ld accepted, %ld rejected\n", stats.mutants, stats.accepted,
           stats.rejected);
    if (!have_only)
        CHECK(stats.mutants >= min_mutants, "only %ld mutants (want >= %ld)", stats.mutants,
              min_mutants);
    CHECK_DONE();
}

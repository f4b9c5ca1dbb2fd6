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
 * --dump DIR writes every mutant that failed a check or produced a finding to DIR.
 *
 * The generator, the format-independent mutators and the harness (options, the random
 * mutant loop, message checks, findings, the report) are fuzz_mutate.c's. */
#include "common/error.h"
#include "model/netfile.h"
#include "solver/solver.h"
#include "check.h"
#include "fuzz_mutate.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MUTANT_PATH "mutant.net"
#define BIG_FILE (300 * 1024)
#define MEDIUM_FILE (64 * 1024)
#define LONG_LINE (100 * 1024)

/* ---------------------------------------------------------------- structure of a buffer */

enum blk { BK_NONE, BK_PARAM, BK_SPECIES, BK_REACT, BK_GROUPS, BK_OTHER };

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

/* Lines with their block (BK_NONE for begin/end lines themselves); the content ends at a
 * '#'. */
static void scan_lines(fz_lines *L, const fz_buf *b)
{
    L->n = 0;
    enum blk cur = BK_NONE;
    for (size_t i = 0; i < b->n;) {
        size_t j = i;
        while (j < b->n && b->p[j] != '\n')
            j++;
        fz_line *ln = fz_lines_add(L);
        ln->start = i;
        ln->len = j - i;
        ln->cend = j;
        for (size_t c = i; c < j; c++)
            if (b->p[c] == '#') {
                ln->cend = c;
                break;
            }
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
        } else
            ln->blk = cur;
        i = j + 1;
    }
}

/* Element lines in the species block (not blank, not a comment). */
static size_t species_lines(const fz_lines *L, const fz_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n; i++) {
        size_t k = L->v[i].start, j = k + L->v[i].len;
        while (k < j && (b->p[k] == ' ' || b->p[k] == '\t' || b->p[k] == '\r'))
            k++;
        n += L->v[i].blk == BK_SPECIES && k < j && b->p[k] != '#';
    }
    return n;
}

/* The expression field of an element line: the rest after the first two tokens for
 * parameters and species, the fourth token for reactions. */
static int line_expr(const fz_buf *b, const fz_line *ln, size_t *s, size_t *e)
{
    if (ln->blk == BK_REACT) return fz_line_token(b, ln, 3, s, e);
    if (ln->blk != BK_PARAM && ln->blk != BK_SPECIES) return 0;
    size_t s1, e1;
    if (!fz_line_token(b, ln, 2, &s1, &e1)) return 0;
    size_t end = ln->cend;
    while (end > s1 && isspace((unsigned char)b->p[end - 1]))
        end--;
    *s = s1;
    *e = end;
    return 1;
}

static int is_elem(const fz_line *l)
{
    return l->blk == BK_PARAM || l->blk == BK_SPECIES || l->blk == BK_REACT || l->blk == BK_GROUPS;
}
static int is_expr_line(const fz_line *l)
{
    return l->blk == BK_PARAM || l->blk == BK_SPECIES || l->blk == BK_REACT;
}
static int is_index_line(const fz_line *l)
{
    return l->blk == BK_REACT || l->blk == BK_GROUPS;
}
/* ---------------------------------------------------------------- mutators */

static const char interesting_bytes[] = {'\n', '\r', '\t',       ' ',        '#', '$', ',', '*',
                                         '(',  ')',  '\\',       '0',        '1', '9', '.', '-',
                                         '+',  'e',  'a',        'Z',        '_', '!', '~', '\0',
                                         '\v', '\f', (char)0x80, (char)0xff, '^', '/', '<', '='};

static const char *const numeric_repl[] = {
    "NaN",         "nan",        "inf",       "-inf",   "Infinity",
    "-1",          "0",          "1e999",     "-1e999", "-0",
    "99999999999", "",           "1e-400",    "0x1A",   "1.2.3",
    "1e",          "+",          "--1",       "1e+",    "9223372036854775808",
    "2147483648",  "4294967297", "100000001", "0.0.0",  "1,2",
    "1e308*10",    "0/0",        "-(1)",      ".",      "1."};

/* Numeric runs anywhere in element lines (comments too): digits, '.', 'e' exponent (sign). */
static int m_numeric(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_elem);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    return fz_replace_number(b, r, d, li, ln->start, ln->start + ln->len, numeric_repl,
                             FZ_COUNT(numeric_repl));
}

/* Species indices in reaction reactant/product lists and group lists. */
static int m_index(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_index_line);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    int tok = ln->blk == BK_REACT ? 1 + (int)fz_rng_below(r, 2) : 2;
    size_t s, e;
    if (!fz_line_token(b, ln, tok, &s, &e)) return -1;
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
    size_t k = fz_rng_below(r, cnt);
    char rep[64];
    size_t ns = species_lines(L, b);
    switch (fz_rng_below(r, 16)) {
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
    fz_show(b->p + parts[k], pe[k] - parts[k], old, sizeof old);
    fz_buf_splice(b, parts[k], pe[k] - parts[k], rep, strlen(rep));
    fz_desc_add(d, "line %ld: species index '%s' -> '%s' (%zu species)", li + 1, old, rep, ns);
    return 0;
}

static const char *const undefined_names[] = {"kx_undefined", "Inf", "NaN", "nan", "pi",   "e",
                                              "_pi2",         "k x", "exp", "if",  "time", "_e",
                                              "_pi"};

/* Replaces a name in an expression (or the whole expression) by an undefined one. */
static int m_undefined_name(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
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
        undefined_names[fz_rng_below(r, sizeof undefined_names / sizeof undefined_names[0])];
    char old[48];
    if (cnt && fz_rng_below(r, 4)) {
        size_t k = fz_rng_below(r, cnt);
        fz_show(b->p + ns[k], ne[k] - ns[k], old, sizeof old);
        fz_buf_splice(b, ns[k], ne[k] - ns[k], rep, strlen(rep));
    } else {
        fz_show(b->p + s, e - s, old, sizeof old);
        fz_buf_splice(b, s, e - s, rep, strlen(rep));
    }
    fz_desc_add(d, "line %ld: name/expression '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

static int m_begin_end(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
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
    return fz_mutate_begin_end(b, L, r, d, renames, FZ_COUNT(renames));
}

static const char *const expr_junk[] = {
    "(",    ")",     "+",         "-",       "*",           "/",       "^",      "**",
    ",",    "()",    "(1",        "1)",      "<",           "==",      "!",      "&&",
    "max(", "if(",   "$",         "..",      "e",           "1e",      "*-",     "sqrt(-1)*",
    "1/0*", "0*",    "exp(1e3)*", "log(0)+", "min(1)",      "if(1,2)", "pow(2)", "foo(1)",
    "((",   "))",    ")(",        " ",       "1 ",          "--",      "+-+",    "2^-",
    "(-",   "0^-1*", "acosh(0)+", "1e308*",  "tan(_pi/2)*", "%",       "?",      ";"};

static int m_expr_junk(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_expr_line);
    size_t s, e;
    if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) return -1;
    return fz_insert_junk(b, r, d, li, s, e, expr_junk, FZ_COUNT(expr_junk));
}

/* Deeply nested or very long expressions. */
static int m_expr_deep(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    static const int depths[] = {127, 128, 129, 255, 256, 257, 300, 5000};
    int depth = depths[fz_rng_below(r, sizeof depths / sizeof depths[0])];
    int kind = (int)fz_rng_below(r, 6);
    fz_buf x = {0};
    static const char *const open[] = {"(", "-", "2^", "if(1,2,", "max(1,", "exp("};
    static const char *const close[] = {")", "", "", ")", ")", ")"};
    for (int i = 0; i < depth; i++)
        fz_buf_splice(&x, x.n, 0, open[kind], strlen(open[kind]));
    fz_buf_splice(&x, x.n, 0, "1", 1);
    for (int i = 0; i < depth; i++)
        fz_buf_splice(&x, x.n, 0, close[kind], strlen(close[kind]));
    fz_buf_splice(b, s, e - s, x.p, x.n);
    fz_desc_add(d, "line %ld: expression -> %d x '%s' 1 '%s'", li + 1, depth, open[kind],
                close[kind]);
    fz_buf_free(&x);
    return 0;
}

static int m_long_line(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    fz_buf x = {0};
    int kind = (int)fz_rng_below(r, 6);
    fz_buf_reserve(&x, LONG_LINE + 64);
    size_t pos;
    const char *what;
    if (kind == 0 || kind == 1 || kind == 4) {
        /* a new line somewhere: a comment, a bare token, or blanks before a token */
        pos = L->n ? L->v[fz_rng_below(r, L->n)].start : 0;
        if (kind == 0) {
            fz_buf_splice(&x, 0, 0, "# ", 2);
            what = "comment";
        } else if (kind == 1)
            what = "bare token";
        else
            what = "blank run";
        char fill = kind == 4 ? ' ' : 'a';
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, &fill, 1);
        if (kind == 4) fz_buf_splice(&x, x.n, 0, "x", 1);
        fz_buf_splice(&x, x.n, 0, "\n", 1);
        fz_buf_splice(b, pos, 0, x.p, x.n);
    } else if (kind == 2) {
        /* a species (or other element) name */
        long li = fz_pick_line(r, L, is_elem);
        size_t s, e;
        if (li < 0 || !fz_line_token(b, &L->v[li], 1, &s, &e)) {
            fz_buf_free(&x);
            return -1;
        }
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, "N", 1);
        fz_buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "element name";
    } else if (kind == 3) {
        /* 1+1+...+1 as an expression */
        long li = fz_pick_line(r, L, is_expr_line);
        size_t s, e;
        if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) {
            fz_buf_free(&x);
            return -1;
        }
        fz_buf_splice(&x, 0, 0, "0", 1);
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, "+0", 2);
        fz_buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "sum expression";
    } else {
        /* a huge index */
        long li = fz_pick_line(r, L, is_elem);
        size_t s, e;
        if (li < 0 || !fz_line_token(b, &L->v[li], 0, &s, &e)) {
            fz_buf_free(&x);
            return -1;
        }
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, "1", 1);
        fz_buf_splice(b, s, e - s, x.p, x.n);
        pos = s;
        what = "index";
    }
    fz_desc_add(d, "100 KB %s at %zu", what, pos);
    fz_buf_free(&x);
    return 0;
}

static int m_nul(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    size_t pos;
    if (fz_rng_below(r, 2) || !L->n)
        pos = fz_rng_below(r, b->n + 1);
    else
        pos = L->v[fz_rng_below(r, L->n)].start; /* at a line start */
    fz_buf_splice(b, pos, 0, "", 1);
    fz_desc_add(d, "insert NUL at %zu", pos);
    return 0;
}

/* Renames a species/parameter/group to the name of another one of its kind. */
static int m_dup_name(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long a = fz_pick_line(r, L, is_elem), c = fz_pick_line(r, L, is_elem);
    if (a < 0 || c < 0 || a == c || L->v[a].blk != L->v[c].blk || L->v[a].blk == BK_REACT)
        return -1;
    size_t sa, ea, sc, ec;
    if (!fz_line_token(b, &L->v[a], 1, &sa, &ea) || !fz_line_token(b, &L->v[c], 1, &sc, &ec))
        return -1;
    size_t n = ea - sa;
    char *name = fz_xrealloc(NULL, n);
    memcpy(name, b->p + sa, n);
    fz_buf_splice(b, sc, ec - sc, name, n);
    free(name);
    fz_desc_add(d, "line %ld gets the name of line %ld", c + 1, a + 1);
    return 0;
}

/* Trailing backslash (line continuation) or '#' in random places. */
static int m_punct(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    static const char *const ins[] = {"\\", " \\", "#", "# x", "$", " ", ",", "*"};
    return fz_insert_punct(b, L, r, d, ins, FZ_COUNT(ins));
}

static const fz_mutator mutators[] = {
    {"byte_flip", fz_m_byte_flip, 6},
    {"byte_set", fz_m_byte_set, 5},
    {"byte_insert", fz_m_byte_insert, 5},
    {"byte_delete", fz_m_byte_delete, 5},
    {"truncate", fz_m_truncate, 6},
    {"line_delete", fz_m_line_delete, 5},
    {"line_dup", fz_m_line_dup, 5},
    {"line_swap", fz_m_line_swap, 5},
    {"numeric", m_numeric, 10},
    {"index", m_index, 9},
    {"undefined_name", m_undefined_name, 7},
    {"begin_end", m_begin_end, 5},
    {"expr_junk", m_expr_junk, 8},
    {"expr_deep", m_expr_deep, 2},
    {"long_line", m_long_line, 2},
    {"nul", m_nul, 3},
    {"crlf", fz_m_crlf, 2},
    {"tabs", fz_m_tabs, 2},
    {"dup_name", m_dup_name, 3},
    {"punct", m_punct, 4},
};

static const fz_format format = {
    .prog = "test_netfile_fuzz",
    .ext = ".net",
    .usage_files = "NET_FILE_OR_DIR",
    .mutant_path = MUTANT_PATH,
    .bytes = interesting_bytes,
    .n_bytes = sizeof interesting_bytes,
    .salt = 0xC0FFEE1234ULL,
    .scan = scan_lines,
    .is_elem = is_elem,
    .is_content = fz_is_nonempty,
    .mutators = mutators,
    .n_mutators = FZ_COUNT(mutators),
};

/* ---------------------------------------------------------------- running one mutant */

/* Counts beyond fz_stat's (where accepted mutants are the parsed ones). */
static struct {
    long solved_ok, solver_fail, solve_skipped;
    long nul_mutants, nul_accepted;
} stats;

static int run_solver(const char *file, long k, const char *desc, const fz_buf *b,
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
        if (fz_opt.verbose)
            fprintf(stderr, "  solver failure: %s\n",
                    fz_one_line(res.message, shown, sizeof shown));
        CHECK(res.n_done >= 1 && res.n_done < 3, "%s mutant %ld [%s]: solver failure with %zu rows",
              file, k, desc, res.n_done);
        CHECK(res.message[0] && !strchr(res.message, '\n'),
              "%s mutant %ld [%s]: bad solver message: %s", file, k, desc,
              fz_one_line(res.message, shown, sizeof shown));
        CHECK(!strchr(ilnet_error_last(), '\n'), "%s mutant %ld [%s]: multi-line error: %s", file,
              k, desc, fz_one_line(ilnet_error_last(), shown, sizeof shown));
        CHECK(strstr(res.message, "t =") != NULL,
              "%s mutant %ld [%s]: solver message does not give the time: %s", file, k, desc,
              fz_one_line(res.message, shown, sizeof shown));
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
            fz_finding(file, k, desc, b,
                       "%zu non-finite values in %zu reported rows (first: row %zu, column %zu; "
                       "run %s)",
                       bad, res.n_done, first_row, first_col, rc ? "failed" : "succeeded");
    }
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    return check_failures != before;
}

/* Parses one mutant and checks it. solve: run the solver when it parses. */
static void run_mutant(const char *file, long k, const char *desc, const fz_buf *b, int solve)
{
    if (!fz_begin_mutant(file, k, desc, b)) return;
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
        fz_stat.rejected++;
        CHECK(net == NULL, "%s mutant %ld [%s]: *out not NULL after a failure", file, k, desc);
        if (net != NULL) net = NULL;
        bad = fz_check_message(file, k, desc, b, rc, "parse");
    } else {
        fz_stat.accepted++;
        CHECK(net != NULL, "%s mutant %ld [%s]: success without a network", file, k, desc);
        if (has_nul) {
            stats.nul_accepted++;
            size_t at = (size_t)((const char *)memchr(b->p, '\0', b->n) - b->p);
            fz_finding(file, k, desc, b,
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
    fz_end_mutant(file, k, b, bad);
}

/* ---------------------------------------------------------------- targeted mutants */

static void counts_of(const ilnet_network *net, size_t c[4])
{
    c[0] = ilnet_network_parameter_count(net);
    c[1] = ilnet_network_species_count(net);
    c[2] = ilnet_network_reaction_count(net);
    c[3] = ilnet_network_observable_count(net);
}

/* Variants that must parse exactly like the original. */
static void check_equivalent(const char *file, const char *what, const fz_buf *b,
                             const size_t want[4])
{
    ilnet_network *net = NULL;
    ilnet_error_clear();
    int rc = ilnet_netfile_parse(&net, b->p, b->n, MUTANT_PATH);
    fz_stat.mutants++;
    if (rc)
        fz_stat.rejected++;
    else
        fz_stat.accepted++;
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

static void targeted(const char *file, const fz_buf *orig, int solve)
{
    fz_buf b = {0};
    fz_lines L = {0};
    long k = 0;

    /* the original must parse and simulate */
    ilnet_network *net = NULL;
    ilnet_error_clear();
    int rc = ilnet_netfile_parse(&net, orig->p, orig->n, MUTANT_PATH);
    fz_stat.mutants++;
    CHECK(rc == 0, "%s: unmutated file rejected: %s", file, ilnet_error_last());
    size_t want[4] = {0, 0, 0, 0};
    if (!rc) {
        fz_stat.accepted++;
        counts_of(net, want);
        ilnet_network_free(net);
        /* CRLF and tab versions are the same model */
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, "\n", "\r\n");
        check_equivalent(file, "CRLF", &b, want);
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, " ", "\t");
        check_equivalent(file, "tab-separated", &b, want);
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, "\n", "  \t \n"); /* trailing blanks */
        check_equivalent(file, "trailing-blank", &b, want);
    } else
        fz_stat.rejected++;

    /* embedded NUL: at the very end, before trailing junk, and before the groups block */
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, b.n, 0, "\0", 1);
    run_mutant(file, --k, "NUL appended", &b, solve);
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, b.n, 0, "\0this is not a .net line\n", 25);
    run_mutant(file, --k, "NUL + text outside any block appended", &b, solve);
    fz_buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long g = fz_find_line(&L, &b, "begin groups");
    if (g >= 0) {
        fz_buf_splice(&b, L.v[g].start, 0, "", 1);
        run_mutant(file, --k, "NUL before 'begin groups'", &b, solve);
    }
    fz_buf_set(&b, orig->p, orig->n);
    g = fz_find_line(&L, &b, "begin reactions");
    if (g >= 0) {
        fz_buf_splice(&b, L.v[g].start, 0, "", 1);
        run_mutant(file, --k, "NUL before 'begin reactions'", &b, solve);
    }

    /* very long lines */
    fz_buf x = {0};
    while (x.n < LONG_LINE)
        fz_buf_splice(&x, x.n, 0, "Q", 1);
    fz_buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long sp = fz_find_line(&L, &b, "begin species");
    if (sp >= 0 && (size_t)sp + 1 < L.n) {
        size_t s, e;
        if (fz_line_token(&b, &L.v[sp + 1], 1, &s, &e)) {
            fz_buf_splice(&b, s, e - s, x.p, x.n);
            run_mutant(file, --k, "first species renamed to 100 KB of 'Q'", &b, solve);
            /* the same with every amount huge: drive the solver into a failure that names
             * the long species among those with the largest errors */
            scan_lines(&L, &b);
            for (long i = (long)L.n - 1; i >= 0; i--) {
                if (L.v[i].blk != BK_SPECIES) continue;
                size_t s2, e2;
                if (line_expr(&b, &L.v[i], &s2, &e2)) fz_buf_splice(&b, s2, e2 - s2, "1e300", 5);
            }
            run_mutant(file, --k, "first species renamed to 100 KB of 'Q', all amounts 1e300", &b,
                       solve);
        }
    }
    fz_buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    if (sp >= 0 && (size_t)sp + 2 < L.n) {
        /* 600-character names for the first two species, amounts huge */
        fz_buf y = {0};
        while (y.n < 600)
            fz_buf_splice(&y, y.n, 0, "W", 1);
        for (long i = (long)L.n - 1; i >= 0; i--) {
            if (L.v[i].blk != BK_SPECIES) continue;
            size_t s2, e2;
            if (line_expr(&b, &L.v[i], &s2, &e2)) fz_buf_splice(&b, s2, e2 - s2, "1e300", 5);
            if (i <= sp + 2 && fz_line_token(&b, &L.v[i], 1, &s2, &e2)) {
                char tag = (char)('A' + (i - sp));
                fz_buf_splice(&b, s2, e2 - s2, y.p, y.n);
                fz_buf_splice(&b, s2, 0, &tag, 1);
            }
        }
        run_mutant(file, --k, "first two species renamed to 600 chars, all amounts 1e300", &b,
                   solve);
        fz_buf_free(&y);
    }
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, 0, 0, "# ", 2);
    fz_buf_splice(&b, 2, 0, x.p, x.n);
    fz_buf_splice(&b, 2 + x.n, 0, "\n", 1);
    run_mutant(file, --k, "100 KB comment line first", &b, solve);
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, b.n, 0, x.p, x.n);
    run_mutant(file, --k, "100 KB token appended (no newline)", &b, solve);
    fz_buf_set(&b, orig->p, orig->n);
    scan_lines(&L, &b);
    long pl = fz_find_line(&L, &b, "begin parameters");
    if (pl >= 0 && (size_t)pl + 1 < L.n) {
        size_t s, e;
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            fz_buf y = {0};
            fz_buf_splice(&y, 0, 0, "1", 1);
            while (y.n < LONG_LINE)
                fz_buf_splice(&y, y.n, 0, "*1", 2);
            fz_buf_splice(&b, s, e - s, y.p, y.n);
            run_mutant(file, --k, "first parameter = 1*1*...*1 (100 KB)", &b, solve);
            fz_buf_free(&y);
        }
        fz_buf_set(&b, orig->p, orig->n);
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            fz_buf_splice(&b, s, e - s, "1e999", 5);
            run_mutant(file, --k, "first parameter = 1e999", &b, solve);
        }
        fz_buf_set(&b, orig->p, orig->n);
        if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
            fz_buf_splice(&b, s, e - s, "kx", 2);
            run_mutant(file, --k, "first parameter = kx (undefined)", &b, solve);
        }
        fz_buf_set(&b, orig->p, orig->n);
        if (fz_line_token(&b, &L.v[pl + 1], 1, &s, &e)) {
            size_t n = e - s;
            char *name = fz_xrealloc(NULL, n);
            memcpy(name, b.p + s, n);
            if (line_expr(&b, &L.v[pl + 1], &s, &e)) {
                fz_buf_splice(&b, s, e - s, name, n);
                run_mutant(file, --k, "first parameter defined as itself", &b, solve);
            }
            free(name);
        }
    }
    fz_buf_free(&x);
    fz_buf_free(&b);
    free(L.v);
}

/* File-independent inputs: tiny texts, and a long chain of parameter dependencies
 * (p1 = p2, p2 = p3, ..., pN = 1) that a recursive dependency sort cannot handle. */
static void synthetic(void)
{
    const char *file = "(synthetic)";
    fz_buf b = {0};
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
        fz_buf_set(&b, tiny[i], strlen(tiny[i]));
        char shown[160];
        snprintf(desc, sizeof desc, "tiny input '%s'",
                 fz_show(tiny[i], strlen(tiny[i]), shown, sizeof shown));
        run_mutant(file, --k, desc, &b, solve);
    }

    /* 300000 chained parameters: 100000 pass in a release build, 200000 overflowed the 8 MB
     * stack in the recursive sort of ilnet_network_compile */
    const long chain = 300000;
    char line[96];
    fz_buf_set(&b, "begin parameters\n", 17);
    for (long i = 1; i < chain; i++) {
        int w = snprintf(line, sizeof line, "    %ld p%ld p%ld\n", i, i, i + 1);
        fz_buf_splice(&b, b.n, 0, line, (size_t)w);
    }
    int w = snprintf(line, sizeof line, "    %ld p%ld 1\nend parameters\n", chain, chain);
    fz_buf_splice(&b, b.n, 0, line, (size_t)w);
    static const char tail[] = "begin species\n    1 A p1\nend species\nbegin reactions\n"
                               "    1 1 0 p1\nend reactions\n";
    fz_buf_splice(&b, b.n, 0, tail, sizeof tail - 1);
    snprintf(desc, sizeof desc, "chain of %ld parameters, each defined by the next", chain);
    run_mutant(file, --k, desc, &b, solve);
    fz_buf_free(&b);
    printf("%s: %ld inputs\n", file, -k);
}

/* ---------------------------------------------------------------- driver */

static void run_random(const char *file, long k, const char *desc, const fz_buf *b, void *solve)
{
    run_mutant(file, k, desc, b, *(const int *)solve);
}

static void fuzz_file(const char *path)
{
    fz_buf orig = {0};
    if (fz_read_file(path, &orig)) return;
    long n_random;
    int solve = 1;
    if (orig.n > BIG_FILE) {
        n_random = 8; /* parse-only: each solve of a ~600 KB network is slow under ASan */
        solve = 0;
    } else if (orig.n > MEDIUM_FILE)
        n_random = 48;
    else
        n_random = 170;
    n_random = (long)((double)n_random * fz_opt.scale + 0.5);
    long before_mutants = fz_stat.mutants, before_ok = fz_stat.accepted;
    targeted(path, &orig, solve);
    fz_random_mutants(path, &orig, n_random, run_random, &solve);
    fz_buf_free(&orig);
    printf("%s: %ld mutants, %ld parsed\n", path, fz_stat.mutants - before_mutants,
           fz_stat.accepted - before_ok);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    fz_init(&format, &check_failures);
    char **files;
    size_t n = fz_parse_args(argc, argv, &files);
    if (!n) return 1;
    synthetic();
    for (size_t i = 0; i < n; i++) {
        fuzz_file(files[i]);
        free(files[i]);
    }
    free(files);
    printf("mutants: %ld; parsed ok: %ld; rejected: %ld; solver ok: %ld; solver failures "
           "(ILNET_ESOLVER): %ld; not simulated (big files): %ld\n",
           fz_stat.mutants, fz_stat.accepted, fz_stat.rejected, stats.solved_ok, stats.solver_fail,
           stats.solve_skipped);
    printf("mutants with an embedded NUL: %ld, of which accepted: %ld; findings: %ld\n",
           stats.nul_mutants, stats.nul_accepted, fz_stat.findings);
    fz_report_mutations();
    fz_check_min_mutants();
    CHECK_DONE();
}

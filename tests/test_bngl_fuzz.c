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
 * finding to DIR. The last line is "N mutants: A accepted, R rejected".
 *
 * The generator, the format-independent mutators and the harness (options, the random
 * mutant loop, message checks, findings, the report) are fuzz_mutate.c's. */
#include "common/error.h"
#include "experiment/actions.h"
#include "model/bngl/bngl.h"
#include "model/netfile.h"
#include "model/network.h"
#include "check.h"
#include "fuzz_mutate.h"

#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

/* ---------------------------------------------------------------- structure of a buffer */

enum blk { BK_NONE, BK_PARAM, BK_TYPES, BK_SEEDS, BK_OBS, BK_FUNCS, BK_RULES, BK_OTHER };

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

/* Lines with their block (BK_NONE: outside blocks, i.e. actions; BK_OTHER: begin/end lines
 * themselves); the content ends before a '#' comment (outside quotes) and trailing blanks. */
static void scan_lines(fz_lines *L, const fz_buf *b)
{
    L->n = 0;
    enum blk cur = BK_NONE;
    size_t i = 0;
    while (i < b->n) {
        size_t j = i;
        while (j < b->n && b->p[j] != '\n')
            j++;
        fz_line *ln = fz_lines_add(L);
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

static size_t skip_blank(const fz_buf *b, size_t i, size_t end)
{
    while (i < end && (b->p[i] == ' ' || b->p[i] == '\t'))
        i++;
    return i;
}

/* The expression of an element line: a parameter's value, a seed's amount, a rule's rate
 * laws (with any modifiers), a function's body. */
static int line_expr(const fz_buf *b, const fz_line *ln, size_t *s, size_t *e)
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

static int is_content(const fz_line *l)
{
    return !l->blank;
}
static int is_elem(const fz_line *l)
{
    return !l->blank && !l->is_begin && !l->is_end;
}
static int is_pattern_line(const fz_line *l)
{
    return is_elem(l) &&
           (l->blk == BK_SEEDS || l->blk == BK_OBS || l->blk == BK_RULES || l->blk == BK_TYPES);
}
static int is_expr_line(const fz_line *l)
{
    return is_elem(l) &&
           (l->blk == BK_PARAM || l->blk == BK_SEEDS || l->blk == BK_RULES || l->blk == BK_FUNCS);
}
static int is_rule_line(const fz_line *l)
{
    return is_elem(l) && l->blk == BK_RULES;
}
static int is_seed_line(const fz_line *l)
{
    return is_elem(l) && l->blk == BK_SEEDS;
}
static int is_action_line(const fz_line *l)
{
    return is_elem(l) && l->blk == BK_NONE;
}
static int is_end_line(const fz_line *l)
{
    return l->is_end;
}

/* ---------------------------------------------------------------- mutators */

static const char interesting_bytes[] = {
    '\n', '\r', '\t', ' ', '#', '$', ',', '*', '(', ')',        '\\',       '0',  '1', '9',
    '.',  '-',  '+',  'e', 'a', 'Z', '_', '!', '~', '\v',       '\f',       '^',  '/', '<',
    '=',  '>',  '%',  '@', ':', '{', '}', '"', '?', (char)0x80, (char)0xff, '\'', ';', '&'};

/* BNGL tokens: one is replaced by another, deleted or doubled. */
static const char *const bngl_tokens[] = {
    "<->", "->", "(", ")", "!", "~", ".", "+", ",", "!+", "!?", "%", "=>",    "{",
    "}",   "\"", "$", ":", "@", "=", "*", " ", "0", "-",  "<-", "?", "begin", "end"};

static size_t count_occ(const fz_buf *b, const char *t)
{
    size_t n = strlen(t), cnt = 0;
    for (size_t i = 0; i + n <= b->n; i++)
        if (!memcmp(b->p + i, t, n)) cnt++;
    return cnt;
}

static size_t nth_occ(const fz_buf *b, const char *t, size_t k)
{
    size_t n = strlen(t);
    for (size_t i = 0; i + n <= b->n; i++)
        if (!memcmp(b->p + i, t, n) && k-- == 0) return i;
    return b->n;
}

static int m_token(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    (void)L;
    const char *t = FZ_PICK(r, bngl_tokens);
    size_t cnt = count_occ(b, t);
    if (!cnt) return -1;
    size_t at = nth_occ(b, t, fz_rng_below(r, cnt)), n = strlen(t);
    switch (fz_rng_below(r, 5)) {
    case 0:
        fz_buf_splice(b, at, n, NULL, 0);
        fz_desc_add(d, "delete token '%s' at %zu", t, at);
        break;
    case 1:
        fz_buf_splice(b, at, 0, t, n);
        fz_desc_add(d, "double token '%s' at %zu", t, at);
        break;
    default: {
        const char *u = FZ_PICK(r, bngl_tokens);
        fz_buf_splice(b, at, n, u, strlen(u));
        fz_desc_add(d, "token '%s' at %zu -> '%s'", t, at, u);
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

static size_t collect_names(const fz_buf *b, const fz_line *ln, name_t *out, size_t max)
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
static int m_unknown_name(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_elem);
    if (li < 0) return -1;
    name_t nm[128];
    size_t n = collect_names(b, &L->v[li], nm, 128);
    if (!n) return -1;
    size_t k = fz_rng_below(r, n);
    char old[64], rep[64];
    fz_show(b->p + nm[k].s, nm[k].e - nm[k].s, old, sizeof old);
    switch (fz_rng_below(r, 3)) {
    case 0:
        switch (nm[k].kind) {
        case NK_MOL:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"Unknown", "Q", "Zz"})));
            break;
        case NK_SITE:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"zz", "q9", "site"})));
            break;
        case NK_STATE:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"Zp", "9", "_", "U2"})));
            break;
        case NK_BOND:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"99", "1", "2", "x"})));
            break;
        case NK_ACTION:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"simulate_xyz", "visualize", "readFile",
                                                       "simulate_ssa", "writeNET", "parameter_scan",
                                                       "setParameter", "generate_network"})));
            break;
        case NK_KEY:
            snprintf(rep, sizeof rep, "%s",
                     FZ_PICK(r, ((const char *const[]){"foo", "t_end", "max_stoich", "suffix",
                                                       "n_steps", "method", "max_iter"})));
            break;
        default:
            snprintf(rep, sizeof rep, "%s", "k_undefined");
            break;
        }
        break;
    case 1: {
        /* another name of the same kind from anywhere in the text */
        long lj = fz_pick_line(r, L, is_elem);
        name_t nm2[128];
        size_t n2 = lj < 0 ? 0 : collect_names(b, &L->v[lj], nm2, 128), cnt = 0, pickk;
        for (size_t q = 0; q < n2; q++)
            cnt += nm2[q].kind == nm[k].kind;
        if (!cnt) return -1;
        pickk = fz_rng_below(r, cnt);
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
        snprintf(rep, sizeof rep, "%s", FZ_PICK(r, unknown_names));
        break;
    }
    fz_buf_splice(b, nm[k].s, nm[k].e - nm[k].s, rep, strlen(rep));
    fz_desc_add(d, "line %ld: %s '%s' -> '%s'", li + 1, nk_name[nm[k].kind], old, rep);
    return 0;
}

/* Inserts an unknown (or repeated) site, state, bond, wildcard or label into a molecule. */
static int m_insert_site(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_pattern_line);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    size_t pos[128], cnt = 0;
    for (size_t i = ln->start; i < ln->cend && cnt < 128; i++)
        if (b->p[i] == '(' || b->p[i] == ',' || b->p[i] == ')') pos[cnt++] = i;
    if (!cnt) return -1;
    size_t at = pos[fz_rng_below(r, cnt)];
    static const char *const ins[] = {
        "zz,",  "zz~Q,", "~Zq",  "!1",  "!99",   "!+",   "!?",         "~?",  "!1!2", "!",
        "~",    "%x",    "%",    "@EC", ",",     ",,",   "()",         "(a)", "!-",   "!1!1",
        "~0~1", "!01",   "~P!+", "?",   "b,b,b", "!+!+", "!1!2!3!4!5", "~_",  "!a_b", "~U~P"};
    const char *s = FZ_PICK(r, ins);
    size_t where = b->p[at] == '(' ? at + 1 : at; /* after '(' or before ',' / ')' */
    fz_buf_splice(b, where, 0, s, strlen(s));
    fz_desc_add(d, "line %ld: insert '%s' at %zu", li + 1, s, where);
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

/* Numbers anywhere in a line (rates, amounts, bond labels, action arguments). */
static int m_numeric(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_elem);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
    return fz_replace_number(b, r, d, li, ln->start, ln->cend, numeric_repl,
                             FZ_COUNT(numeric_repl));
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

static int m_expr_junk(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_expr_line);
    size_t s, e;
    if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) return -1;
    return fz_insert_junk(b, r, d, li, s, e, expr_junk, FZ_COUNT(expr_junk));
}

/* Replaces a whole expression (parameter value, amount, rate laws) by an unknown name,
 * another parameter's name, nothing, or a bad literal. */
static int m_expr_replace(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_expr_line);
    if (li < 0) return -1;
    size_t s, e;
    if (!line_expr(b, &L->v[li], &s, &e)) return -1;
    static const char *const reps[] = {"k_undefined", "",        "1, 2",  "1,",     ",1",
                                       "1 2",         "-1",      "0",     "1e999",  "NaN",
                                       "(",           "k1 k2",   "f()",   "time()", "1/0",
                                       "Sat(1,2)",    "MM(1,2)", "1,2,3", "\"1\"",  "{1}"};
    const char *rep = FZ_PICK(r, reps);
    char old[64];
    fz_show(b->p + s, e - s, old, sizeof old);
    fz_buf_splice(b, s, e - s, rep, strlen(rep));
    fz_desc_add(d, "line %ld: expression '%s' -> '%s'", li + 1, old, rep);
    return 0;
}

static int m_begin_end(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
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
    return fz_mutate_begin_end(b, L, r, d, renames, FZ_COUNT(renames));
}

/* Removes an 'end ...' line. */
static int m_remove_end(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_end_line);
    if (li < 0) return -1;
    size_t s, e;
    fz_line_bounds(b, &L->v[li], &s, &e);
    fz_buf_splice(b, s, e - s, NULL, 0);
    fz_desc_add(d, "remove end line %ld", li + 1);
    return 0;
}

/* Rule-level mistakes: arrows, rate counts, labels, modifiers. */
static int m_rule(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_rule_line);
    if (li < 0) return -1;
    const fz_line *ln = &L->v[li];
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
    switch (fz_rng_below(r, 9)) {
    case 0: /* flip the arrow */
        if (arrow == end) return -1;
        fz_buf_splice(b, arrow, rev ? 3 : 2, rev ? "->" : "<->", rev ? 2 : 3);
        fz_desc_add(d, "line %ld: arrow %s -> %s", li + 1, rev ? "<->" : "->", rev ? "->" : "<->");
        break;
    case 1: /* remove the arrow */
        if (arrow == end) return -1;
        {
            const char *a =
                FZ_PICK(r, ((const char *const[]){"", " ", "-", ">", "<-", "=>", "<=>", "--"}));
            fz_buf_splice(b, arrow, rev ? 3 : 2, a, strlen(a));
            fz_desc_add(d, "line %ld: arrow -> '%s'", li + 1, a);
        }
        break;
    case 2: /* a modifier at the end */
    {
        const char *m = FZ_PICK(r, mods);
        fz_buf_splice(b, end, 0, m, strlen(m));
        fz_desc_add(d, "line %ld: append '%s'", li + 1, m);
        break;
    }
    case 3: /* one more rate law */
        fz_buf_splice(b, end, 0, ", 1", 3);
        fz_desc_add(d, "line %ld: extra rate law", li + 1);
        break;
    case 4: /* drop the rate laws */
        if (!have_rate) return -1;
        fz_buf_splice(b, rs, re - rs, NULL, 0);
        fz_desc_add(d, "line %ld: rate laws removed", li + 1);
        break;
    case 5: { /* a label, possibly a repeated one */
        static const char *const labels[] = {
            "R1: ", "R1:", "_r: ", "1x: ", ": ", "R1 : ", "begin: ", "A(b): "};
        const char *lab = FZ_PICK(r, labels);
        size_t at = skip_blank(b, s, end);
        fz_buf_splice(b, at, 0, lab, strlen(lab));
        fz_desc_add(d, "line %ld: label '%s'", li + 1, lab);
        break;
    }
    case 6: /* reactants or products replaced by 0 or a 3-reactant side */
    {
        if (arrow == end) return -1;
        static const char *const sides[] = {"0 ",       "0 + 0 ",  "A + B + C ", "",       "0+A() ",
                                            "A().B() ", "A(a!1) ", "A(a!+) ",    "A(a~?) "};
        const char *sd = FZ_PICK(r, sides);
        size_t from = skip_blank(b, s, arrow);
        /* keep a "label:" */
        for (size_t q = from; q < arrow; q++)
            if (b->p[q] == ':') {
                from = skip_blank(b, q + 1, arrow);
                break;
            }
        fz_buf_splice(b, from, arrow - from, sd, strlen(sd));
        fz_desc_add(d, "line %ld: reactants -> '%s'", li + 1, sd);
        break;
    }
    case 7: /* product side with a molecule or site the reactants lack */
    {
        if (!have_rate || arrow == end) return -1;
        static const char *const extra[] = {" + Zq()", ".Zq()", " + 0", "+", " + A(zz)",
                                            "(",       ")",     "!1",   ".", " + A()!"};
        const char *x = FZ_PICK(r, extra);
        size_t at = rs;
        while (at > arrow && isspace((unsigned char)b->p[at - 1]))
            at--;
        fz_buf_splice(b, at, 0, x, strlen(x));
        fz_desc_add(d, "line %ld: products get '%s'", li + 1, x);
        break;
    }
    default: /* the rule duplicated with its arrow reversed */
    {
        size_t n = ln->len;
        char *copy = fz_xrealloc(NULL, n + 2);
        memcpy(copy, b->p + ln->start, n);
        copy[n] = '\n';
        fz_buf_splice(b, ln->start, 0, copy, n + 1);
        free(copy);
        fz_desc_add(d, "line %ld duplicated", li + 1);
        break;
    }
    }
    return 0;
}

/* Action-call mistakes. */
static int m_action(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long li = fz_pick_line(r, L, is_action_line);
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
    if (li < 0 || fz_rng_below(r, 3) == 0) {
        /* a new action line somewhere outside the blocks (at the end) */
        const char *c = FZ_PICK(r, calls);
        if (b->n && b->p[b->n - 1] != '\n') fz_buf_splice(b, b->n, 0, "\n", 1);
        fz_buf_puts(b, c);
        fz_buf_puts(b, "\n");
        fz_desc_add(d, "append action '%s'", c);
        return 0;
    }
    const fz_line *ln = &L->v[li];
    size_t s = skip_blank(b, ln->start, ln->cend), e = ln->cend;
    char old[64];
    fz_show(b->p + s, e - s, old, sizeof old);
    switch (fz_rng_below(r, 4)) {
    case 0: {
        const char *c = FZ_PICK(r, calls);
        fz_buf_splice(b, s, e - s, c, strlen(c));
        fz_desc_add(d, "line %ld: action '%s' -> '%s'", li + 1, old, c);
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
        const char *x = FZ_PICK(r, extra);
        fz_buf_splice(b, at, 0, x, strlen(x));
        fz_desc_add(d, "line %ld: insert '%s' before '}'", li + 1, x);
        break;
    }
    case 2: { /* delete one key=>value */
        size_t ks = e;
        size_t cnt = 0;
        for (size_t q = s; q + 1 < e; q++)
            if (b->p[q] == '=' && b->p[q + 1] == '>') cnt++;
        if (!cnt) return -1;
        size_t k = fz_rng_below(r, cnt), arrow = e;
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
        fz_show(b->p + ks, ve - ks, kv, sizeof kv);
        fz_buf_splice(b, ks, ve - ks, NULL, 0);
        fz_desc_add(d, "line %ld: delete argument '%s'", li + 1, kv);
        break;
    }
    default: { /* deep braces/parentheses */
        static const int depths[] = {10, 64, 200, 1000, 5000};
        int depth = depths[fz_rng_below(r, sizeof depths / sizeof depths[0])];
        int braces = (int)fz_rng_below(r, 2);
        fz_buf x = {0};
        fz_buf_puts(&x, "simulate(");
        for (int i = 0; i < depth; i++)
            fz_buf_puts(&x, braces ? "{a=>" : "(");
        fz_buf_puts(&x, "1");
        for (int i = 0; i < depth; i++)
            fz_buf_puts(&x, braces ? "}" : ")");
        fz_buf_puts(&x, ")");
        fz_buf_splice(b, s, e - s, x.p, x.n);
        fz_buf_free(&x);
        fz_desc_add(d, "line %ld: action -> %d nested %s", li + 1, depth,
                    braces ? "braces" : "parens");
        break;
    }
    }
    return 0;
}

/* Deep nesting and large structures: parentheses in expressions, long molecule chains,
 * many sites or bonds on one molecule. */
static int m_deep(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    int kind = (int)fz_rng_below(r, 4);
    fz_buf x = {0};
    if (kind == 0) {
        long li = fz_pick_line(r, L, is_expr_line);
        size_t s, e;
        if (li < 0 || !line_expr(b, &L->v[li], &s, &e)) return -1;
        static const int depths[] = {127, 128, 129, 255, 256, 257, 1000, 5000};
        int depth = depths[fz_rng_below(r, sizeof depths / sizeof depths[0])];
        static const char *const open[] = {"(", "-", "2^", "if(1,2,", "max(1,", "exp("};
        static const char *const close[] = {")", "", "", ")", ")", ")"};
        int k = (int)fz_rng_below(r, 6);
        for (int i = 0; i < depth; i++)
            fz_buf_puts(&x, open[k]);
        fz_buf_puts(&x, "1");
        for (int i = 0; i < depth; i++)
            fz_buf_puts(&x, close[k]);
        /* only the first rate law / the value */
        size_t ee = s;
        while (ee < e && b->p[ee] != ',' && !isspace((unsigned char)b->p[ee]))
            ee++;
        if (L->v[li].blk != BK_RULES) ee = e;
        fz_buf_splice(b, s, ee - s, x.p, x.n);
        fz_desc_add(d, "line %ld: expression -> %d x '%s' 1 '%s'", li + 1, depth, open[k],
                    close[k]);
    } else if (kind == 1) {
        /* a chain of n molecules Ch(l!i,r!i+1) as a seed species or a rule */
        static const int lens[] = {8, 9, 63, 64, 65, 66, 200, 2000};
        int n = lens[fz_rng_below(r, sizeof lens / sizeof lens[0])];
        int as_rule = (int)fz_rng_below(r, 2);
        for (int i = 0; i < n; i++) {
            if (i) fz_buf_puts(&x, ".");
            if (i == 0)
                fz_buf_puts(&x, "Ch(l,r!1)");
            else if (i == n - 1)
                fz_buf_printf(&x, "Ch(l!%d,r)", i);
            else
                fz_buf_printf(&x, "Ch(l!%d,r!%d)", i, i + 1);
        }
        if (as_rule)
            fz_buf_puts(&x, " -> 0 1");
        else
            fz_buf_puts(&x, " 1");
        long where = -1;
        for (size_t i = 0; i < L->n; i++)
            if (L->v[i].blk == (as_rule ? BK_RULES : BK_SEEDS) && !L->v[i].is_begin &&
                !L->v[i].is_end) {
                where = (long)i;
                break;
            }
        if (where < 0) {
            fz_buf_free(&x);
            return -1;
        }
        fz_insert_line(b, L, (size_t)where, x.p, x.n);
        long ty = fz_find_line(L, b, "begin molecule types");
        if (ty >= 0 && ty < where) fz_insert_line(b, L, (size_t)ty + 1, "Ch(l,r)", 7);
        fz_desc_add(d, "insert a %d-molecule chain as a %s before line %ld", n,
                    as_rule ? "rule" : "seed species", where + 1);
    } else if (kind == 2) {
        /* a molecule with many sites */
        long li = fz_pick_line(r, L, is_pattern_line);
        if (li < 0) return -1;
        const fz_line *ln = &L->v[li];
        size_t at = ln->cend;
        for (size_t q = ln->start; q < ln->cend; q++)
            if (b->p[q] == '(') {
                at = q + 1;
                break;
            }
        if (at == ln->cend) return -1;
        static const int ns[] = {63, 64, 65, 100, 1000};
        int n = ns[fz_rng_below(r, sizeof ns / sizeof ns[0])];
        int same = (int)fz_rng_below(r, 2);
        for (int i = 0; i < n; i++) {
            if (same)
                fz_buf_puts(&x, "s,");
            else
                fz_buf_printf(&x, "s%d,", i);
        }
        fz_buf_splice(b, at, 0, x.p, x.n);
        fz_desc_add(d, "line %ld: %d %s sites inserted", li + 1, n,
                    same ? "identical" : "distinct");
    } else {
        /* many bonds between two molecules, or many bond labels on one site */
        long li = fz_pick_line(r, L, is_seed_line);
        if (li < 0) return -1;
        static const int ns[] = {3, 4, 5, 32, 64, 65, 100};
        int n = ns[fz_rng_below(r, sizeof ns / sizeof ns[0])];
        int one_site = (int)fz_rng_below(r, 2);
        if (one_site) {
            fz_buf_puts(&x, "M(a");
            for (int i = 1; i <= n; i++)
                fz_buf_printf(&x, "!%d", i);
            fz_buf_puts(&x, ")");
            for (int i = 1; i <= n; i++)
                fz_buf_printf(&x, ".N(b!%d)", i);
        } else {
            fz_buf_puts(&x, "M(");
            for (int i = 1; i <= n; i++)
                fz_buf_printf(&x, "%sa!%d", i > 1 ? "," : "", i);
            fz_buf_puts(&x, ").N(");
            for (int i = 1; i <= n; i++)
                fz_buf_printf(&x, "%sb!%d", i > 1 ? "," : "", i);
            fz_buf_puts(&x, ")");
        }
        fz_buf_puts(&x, " 1");
        fz_insert_line(b, L, (size_t)li, x.p, x.n);
        fz_desc_add(d, "insert a seed with %d bonds %s before line %ld", n,
                    one_site ? "on one site" : "between two molecules", li + 1);
    }
    fz_buf_free(&x);
    return 0;
}

static int m_long_line(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    fz_buf x = {0};
    int kind = (int)fz_rng_below(r, 5);
    fz_buf_reserve(&x, LONG_LINE + 64);
    const char *what;
    if (kind <= 1) {
        size_t pos = L->n ? L->v[fz_rng_below(r, L->n)].start : 0;
        if (kind == 0) {
            fz_buf_puts(&x, "# ");
            what = "comment";
        } else
            what = "bare token";
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, "a", 1);
        fz_buf_puts(&x, "\n");
        fz_buf_splice(b, pos, 0, x.p, x.n);
    } else {
        /* a name in an element line */
        long li = fz_pick_line(r, L, is_elem);
        name_t nm[128];
        size_t n = li < 0 ? 0 : collect_names(b, &L->v[li], nm, 128);
        if (!n) {
            fz_buf_free(&x);
            return -1;
        }
        size_t k = fz_rng_below(r, n);
        char fill = kind == 2 ? 'N' : (kind == 3 ? 'n' : '_');
        while (x.n < LONG_LINE)
            fz_buf_splice(&x, x.n, 0, &fill, 1);
        fz_buf_splice(b, nm[k].s, nm[k].e - nm[k].s, x.p, x.n);
        what = nk_name[nm[k].kind];
    }
    fz_desc_add(d, "100 KB %s", what);
    fz_buf_free(&x);
    return 0;
}

/* A line of printable garbage (no NUL). */
static int m_garbage(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    size_t li = L->n ? fz_rng_below(r, L->n + 1) : 0;
    size_t n = 1 + fz_rng_below(r, 80);
    char g[96];
    static const char alphabet[] = "abcAB_01()!~.+,<->%@$:{}\"'=*?# \t\\/";
    for (size_t i = 0; i < n; i++)
        g[i] = fz_rng_below(r, 3) ? alphabet[fz_rng_below(r, sizeof alphabet - 1)]
                                  : (char)(32 + fz_rng_below(r, 95));
    fz_insert_line(b, L, li, g, n);
    char shown[200];
    fz_desc_add(d, "insert garbage line '%s' before line %zu", fz_show(g, n, shown, sizeof shown),
                li + 1);
    return 0;
}

/* Trailing backslash (line continuation), '#', or other punctuation in random places. */
static int m_punct(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    static const char *const ins[] = {"\\", " \\", "#",  "# x", "$",   " ",    ",",
                                      "*",  ";",   "\"", "'",   "\\ ", "\\\\", "\\\n\\\n"};
    return fz_insert_punct(b, L, r, d, ins, FZ_COUNT(ins));
}

/* Renames an element to the name of another one in the same block (duplicates). */
static int m_dup_name(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d)
{
    long a = fz_pick_line(r, L, is_elem), c = fz_pick_line(r, L, is_elem);
    if (a < 0 || c < 0 || a == c || L->v[a].blk != L->v[c].blk) return -1;
    enum blk k = L->v[a].blk;
    int tok = k == BK_OBS ? 1 : 0;
    if (k != BK_PARAM && k != BK_OBS && k != BK_FUNCS && k != BK_TYPES && k != BK_SEEDS) return -1;
    size_t sa, ea, sc, ec;
    if (!fz_line_token(b, &L->v[a], tok, &sa, &ea) || !fz_line_token(b, &L->v[c], tok, &sc, &ec))
        return -1;
    size_t n = ea - sa;
    char *name = fz_xrealloc(NULL, n);
    memcpy(name, b->p + sa, n);
    fz_buf_splice(b, sc, ec - sc, name, n);
    free(name);
    fz_desc_add(d, "line %ld gets the name/species of line %ld", c + 1, a + 1);
    return 0;
}

static const fz_mutator mutators[] = {
    {"byte_flip", fz_m_byte_flip, 5},
    {"byte_set", fz_m_byte_set, 6},
    {"byte_insert", fz_m_byte_insert, 5},
    {"byte_delete", fz_m_byte_delete, 5},
    {"char_dup", fz_m_char_dup, 3},
    {"truncate", fz_m_truncate, 4},
    {"line_delete", fz_m_line_delete, 4},
    {"line_dup", fz_m_line_dup, 4},
    {"line_swap", fz_m_line_swap, 3},
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
    {"crlf", fz_m_crlf, 1},
    {"tabs", fz_m_tabs, 1},
    {"punct", m_punct, 3},
    {"dup_name", m_dup_name, 3},
};

static const fz_format format = {
    .prog = "test_bngl_fuzz",
    .ext = ".bngl",
    .usage_files = "BNGL_FILE_OR_DIR",
    .mutant_path = MUTANT_PATH,
    .bytes = interesting_bytes,
    .n_bytes = sizeof interesting_bytes,
    .no_nul = 1,
    .line_range_fatal = 1,
    .min_mutants = 1000,
    .salt = 0xB16B00B5ULL,
    .scan = scan_lines,
    .is_elem = is_elem,
    .is_content = is_content,
    .mutators = mutators,
    .n_mutators = FZ_COUNT(mutators),
};

/* ---------------------------------------------------------------- running one mutant */

enum { ST_PARSE, ST_ACTIONS, ST_OPTIONS, ST_GENERATE };
static const char *const stage_name[] = {"parse", "actions check", "generate_network options",
                                         "generation"};

/* Counts beyond fz_stat's. */
static struct {
    long rej_parse, rej_options, rej_generate, actions_rejected;
    long slow, truncated_nets, isolated, hung;
    long species, reactions;
    double slowest;
} stats;

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
static outcome run_mutant(const char *file, long k, const char *desc, const fz_buf *b)
{
    outcome oc;
    memset(&oc, 0, sizeof oc);
    oc.stage = -2; /* skipped */
    if (!fz_begin_mutant(file, k, desc, b)) return oc;
    oc.stage = -1;
    snprintf(current, sizeof current, "%s mutant %ld [%s] (rerun with --only %ld -v)", file, k,
             desc, k);
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
        bad |= fz_check_message(file, k, desc, b, rc, stage_name[ST_PARSE]);
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
        bad |= fz_check_message(file, k, desc, b, rc, stage_name[ST_ACTIONS]);
    }
    ilnet_netgen_options opt = ILNET_NETGEN_OPTIONS_INIT;
    ilnet_error_clear();
    rc = ilnet_bngl_netgen_options(&opt, m);
    if (rc) {
        oc.stage = ST_OPTIONS;
        bad |= fz_check_message(file, k, desc, b, rc, stage_name[ST_OPTIONS]);
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
            bad |= fz_check_message(file, k, desc, b, rc, stage_name[ST_GENERATE]);
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
        fz_finding(file, k, desc, b, "took %.1f s", dt);
    }
    if (oc.stage >= 0) {
        fz_stat.rejected++;
        if (oc.stage == ST_PARSE) stats.rej_parse++;
        if (oc.stage == ST_OPTIONS) stats.rej_options++;
        if (oc.stage == ST_GENERATE) stats.rej_generate++;
    } else
        fz_stat.accepted++;
    if (fz_opt.verbose)
        fprintf(stderr, "  -> %s%s%s\n", oc.stage >= 0 ? "rejected: " : "accepted",
                oc.stage >= 0 ? ilnet_error_last() : "", "");
    fz_end_mutant(file, k, b, bad);
    return oc;
}

/* Runs one mutant in a forked child limited to `seconds` of wall time: for inputs whose
 * run time depends on the library's algorithms (large or highly symmetric structures). A
 * child that runs out of time, crashes, or fails a check fails the test here. */
static void run_isolated(const char *file, long k, const char *desc, const fz_buf *b,
                         unsigned seconds)
{
    if (fz_skipped(k)) return;
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
    fz_stat.mutants++;
    stats.isolated++;
    double dt = now() - t0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM) {
        CHECK(0, "%s mutant %ld [%s]: still running after %u s (killed)", file, k, desc, seconds);
        fz_stat.rejected++;
    } else if (WIFSIGNALED(status)) {
        CHECK(0, "%s mutant %ld [%s]: child killed by signal %d", file, k, desc, WTERMSIG(status));
        fz_stat.rejected++;
    } else {
        CHECK(WEXITSTATUS(status) == 0, "%s mutant %ld [%s]: child exited with status %d", file, k,
              desc, WEXITSTATUS(status));
        fz_stat.accepted++; /* counted as accepted: the child's outcome is not passed back */
    }
    if (fz_opt.verbose) fprintf(stderr, "  (isolated: %.2f s)\n", dt);
    if (dt > stats.slowest) stats.slowest = dt;
}

/* ---------------------------------------------------------------- targeted mutants */

/* A targeted mutant that must be rejected (at any stage). */
static void must_reject(const char *file, long k, const char *desc, const fz_buf *b)
{
    outcome oc = run_mutant(file, k, desc, b);
    if (oc.stage == -2) return;
    CHECK(oc.stage >= 0, "%s mutant %ld [%s]: accepted, must be rejected", file, k, desc);
    if (oc.stage < 0) fz_dump(file, k, b);
}

/* Variants that must give exactly the original model. */
static void check_equivalent(const char *file, long k, const char *what, const fz_buf *b,
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

static void delete_line(fz_buf *b, const fz_line *ln)
{
    size_t s, e;
    fz_line_bounds(b, ln, &s, &e);
    fz_buf_splice(b, s, e - s, NULL, 0);
}

static void targeted(const char *file, const fz_buf *orig)
{
    fz_buf b = {0};
    fz_lines L = {0}, L0 = {0};
    long k = 0;
    char desc[256];

    /* the original must parse and generate */
    outcome want = run_mutant(file, --k, "unmutated", orig);
    if (want.stage != -2)
        CHECK(want.stage == -1, "%s: unmutated file rejected: %s", file, ilnet_error_last());
    if (want.stage == -1 || want.stage == -2) {
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, "\n", "\r\n");
        check_equivalent(file, --k, "CRLF", &b, &want);
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, " ", "\t");
        check_equivalent(file, --k, "tab-separated", &b, &want);
        fz_buf_set(&b, orig->p, orig->n);
        fz_replace_all(&b, "\n", "  \t \n");
        check_equivalent(file, --k, "trailing-blank", &b, &want);
    } else
        k -= 3;

    scan_lines(&L0, orig);
    /* every 'end' and every 'begin' line deleted: an unbalanced file */
    for (size_t i = 0; i < L0.n; i++) {
        if (!L0.v[i].is_begin && !L0.v[i].is_end) continue;
        fz_buf_set(&b, orig->p, orig->n);
        delete_line(&b, &L0.v[i]);
        snprintf(desc, sizeof desc, "%s line %zu deleted", L0.v[i].is_begin ? "begin" : "end",
                 i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* every seed species duplicated */
    for (size_t i = 0; i < L0.n; i++) {
        if (!is_seed_line(&L0.v[i])) continue;
        fz_buf_set(&b, orig->p, orig->n);
        const fz_line *ln = &L0.v[i];
        fz_buf_splice(&b, ln->start + ln->len, 0, "\n", 1);
        fz_buf_splice(&b, ln->start + ln->len + 1, 0, orig->p + ln->start, ln->len);
        snprintf(desc, sizeof desc, "seed species on line %zu duplicated", i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* every rule's arrow flipped: '->' with two rate laws, '<->' with one */
    for (size_t i = 0; i < L0.n; i++) {
        if (!is_rule_line(&L0.v[i])) continue;
        const fz_line *ln = &L0.v[i];
        size_t at = ln->cend;
        int rev = 0;
        for (size_t q = ln->start; q + 1 < ln->cend; q++)
            if (orig->p[q] == '-' && orig->p[q + 1] == '>') {
                rev = q > ln->start && orig->p[q - 1] == '<';
                at = rev ? q - 1 : q;
                break;
            }
        if (at == ln->cend) continue; /* continued on the next line */
        fz_buf_set(&b, orig->p, orig->n);
        fz_buf_splice(&b, at, rev ? 3 : 2, rev ? "->" : "<->", rev ? 2 : 3);
        snprintf(desc, sizeof desc, "rule on line %zu: '%s' -> '%s'", i + 1, rev ? "<->" : "->",
                 rev ? "->" : "<->");
        must_reject(file, --k, desc, &b);
    }
    /* truncation at line boundaries (at most 60, evenly spaced) */
    size_t step = L0.n > 60 ? (L0.n + 59) / 60 : 1;
    for (size_t i = 0; i < L0.n; i += step) {
        fz_buf_set(&b, orig->p, orig->n);
        b.n = L0.v[i].start;
        snprintf(desc, sizeof desc, "truncated before line %zu", i + 1);
        run_mutant(file, --k, desc, &b);
    }
    /* every block renamed to an unknown one */
    for (size_t i = 0; i < L0.n; i++) {
        if (!L0.v[i].is_begin || L0.v[i].is_model) continue;
        fz_buf_set(&b, orig->p, orig->n);
        fz_buf_splice(&b, L0.v[i].start, L0.v[i].len, "begin frobnicators", 18);
        snprintf(desc, sizeof desc, "line %zu -> 'begin frobnicators'", i + 1);
        must_reject(file, --k, desc, &b);
    }
    /* first parameter: defined as itself, undefined name, 100 KB product, 1e999 */
    long pl = fz_find_line(&L0, orig, "begin parameters");
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
            const fz_line *ln = &L0.v[first];
            ns = skip_blank(orig, ln->start, ln->cend);
            if (isdigit((unsigned char)orig->p[ns])) { /* index */
                while (ns < ln->cend && !isspace((unsigned char)orig->p[ns]))
                    ns++;
                ns = skip_blank(orig, ns, ln->cend);
            }
            ne = ns;
            while (ne < ln->cend && (isalnum((unsigned char)orig->p[ne]) || orig->p[ne] == '_'))
                ne++;
            fz_buf_set(&b, orig->p, orig->n);
            fz_buf_splice(&b, s, e - s, orig->p + ns, ne - ns);
            must_reject(file, --k, "first parameter defined as itself", &b);
            fz_buf_set(&b, orig->p, orig->n);
            fz_buf_splice(&b, s, e - s, "k_undefined", 11);
            run_mutant(file, --k, "first parameter = k_undefined", &b);
            fz_buf_set(&b, orig->p, orig->n);
            fz_buf_splice(&b, s, e - s, "1e999", 5);
            run_mutant(file, --k, "first parameter = 1e999", &b);
            fz_buf y = {0};
            fz_buf_puts(&y, "1");
            while (y.n < LONG_LINE)
                fz_buf_puts(&y, "*1");
            fz_buf_set(&b, orig->p, orig->n);
            fz_buf_splice(&b, s, e - s, y.p, y.n);
            run_mutant(file, --k, "first parameter = 1*1*...*1 (100 KB)", &b);
            fz_buf_free(&y);
            /* two parameters defined by each other: needs a second parameter line */
            long second = -1;
            for (long i = first + 1; (size_t)i < L0.n && !L0.v[i].is_end; i++)
                if (is_elem(&L0.v[i])) {
                    second = i;
                    break;
                }
            size_t s2, e2;
            if (second >= 0 && line_expr(orig, &L0.v[second], &s2, &e2)) {
                const fz_line *l2 = &L0.v[second];
                size_t n2 = skip_blank(orig, l2->start, l2->cend);
                if (isdigit((unsigned char)orig->p[n2])) {
                    while (n2 < l2->cend && !isspace((unsigned char)orig->p[n2]))
                        n2++;
                    n2 = skip_blank(orig, n2, l2->cend);
                }
                size_t m2 = n2;
                while (m2 < l2->cend && (isalnum((unsigned char)orig->p[m2]) || orig->p[m2] == '_'))
                    m2++;
                fz_buf_set(&b, orig->p, orig->n);
                fz_buf_splice(&b, s2, e2 - s2, orig->p + ns, ne - ns); /* later line first */
                fz_buf_splice(&b, s, e - s, orig->p + n2, m2 - n2);
                must_reject(file, --k, "first two parameters defined by each other", &b);
            }
        }
    }
    /* long lines */
    fz_buf x = {0};
    fz_buf_puts(&x, "# ");
    while (x.n < LONG_LINE)
        fz_buf_puts(&x, "Q");
    fz_buf_puts(&x, "\n");
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, 0, 0, x.p, x.n);
    run_mutant(file, --k, "100 KB comment line first", &b);
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, b.n, 0, x.p + 2, x.n - 3);
    run_mutant(file, --k, "100 KB token appended (no newline)", &b);
    fz_buf_free(&x);
    /* every line joined to the next with '\' */
    fz_buf_set(&b, orig->p, orig->n);
    fz_replace_all(&b, "\n", " \\\n");
    run_mutant(file, --k, "every line continued with '\\'", &b);
    /* no newline at the end, and no newlines at all */
    fz_buf_set(&b, orig->p, orig->n);
    while (b.n && (b.p[b.n - 1] == '\n' || b.p[b.n - 1] == ' '))
        b.n--;
    run_mutant(file, --k, "no final newline", &b);
    fz_buf_set(&b, orig->p, orig->n);
    fz_replace_all(&b, "\n", " ");
    run_mutant(file, --k, "all newlines replaced by spaces", &b);
    /* a 'begin model' wrapper added (nested when the file has one) and the file twice */
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_splice(&b, 0, 0, "begin model\n", 12);
    fz_buf_puts(&b, "\nend model\n");
    run_mutant(file, --k, "wrapped in begin/end model", &b);
    fz_buf_set(&b, orig->p, orig->n);
    fz_buf_puts(&b, "\n");
    fz_buf_splice(&b, b.n, 0, orig->p, orig->n);
    must_reject(file, --k, "the whole file twice", &b);
    free(L.v);
    free(L0.v);
    fz_buf_free(&b);
}

/* File-independent inputs: tiny texts and big structures. */
static void synthetic(void)
{
    const char *file = "(synthetic)";
    fz_buf b = {0};
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
        fz_buf_set(&b, tiny[i], strlen(tiny[i]));
        char shown[160];
        snprintf(desc, sizeof desc, "tiny input '%s'",
                 fz_show(tiny[i], strlen(tiny[i]), shown, sizeof shown));
        run_mutant(file, --k, desc, &b);
    }

    /* 100000 chained parameters p1 = p2, ..., pN = 1: a recursive evaluation overflows the
     * stack, a quadratic duplicate-name check takes minutes */
    const long chain = 100000;
    fz_buf_sets(&b, "begin parameters\n");
    for (long i = 1; i < chain; i++)
        fz_buf_printf(&b, "    p%ld p%ld\n", i, i + 1);
    fz_buf_printf(&b, "    p%ld 1\nend parameters\n", chain);
    fz_buf_puts(&b, "begin seed species\n    A() p1\nend seed species\nbegin reaction rules\n"
                    "    A() -> 0 p1\nend reaction rules\n");
    snprintf(desc, sizeof desc, "chain of %ld parameters, each defined by the next", chain);
    run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);

    /* 5000 nested parentheses in a rate law, and in a parameter */
    fz_buf_sets(&b, "begin parameters\n    k ");
    for (int i = 0; i < 5000; i++)
        fz_buf_puts(&b, "(");
    fz_buf_puts(&b, "1");
    for (int i = 0; i < 5000; i++)
        fz_buf_puts(&b, ")");
    fz_buf_puts(&b, "\nend parameters\nbegin seed species\n    A() 1\nend seed species\n"
                    "begin reaction rules\n    A() -> 0 k\nend reaction rules\n");
    run_mutant(file, --k, "parameter with 5000 nested parentheses", &b);

    /* 20000 distinct seed species (each its own molecule type), no rules */
    fz_buf_sets(&b, "begin seed species\n");
    for (int i = 0; i < 20000; i++)
        fz_buf_printf(&b, "    S%d() 1\n", i);
    fz_buf_puts(&b, "end seed species\n");
    run_mutant(file, --k, "20000 seed species", &b);

    /* 2000 rules on one species */
    fz_buf_sets(&b, "begin seed species\n    A(s~0) 1\nend seed species\nbegin reaction rules\n");
    for (int i = 0; i < 2000; i++)
        fz_buf_printf(&b, "    A(s~0) -> A(s~0) %d\n", i + 1);
    fz_buf_puts(&b, "end reaction rules\n");
    run_mutant(file, --k, "2000 rules on one species", &b);

    /* a 2000-molecule chain Ch(l,r) as a seed species, a rule reactant and an observable */
    fz_buf ch = {0};
    fz_buf_puts(&ch, "Ch(l,r!1)");
    for (int i = 1; i < 1999; i++)
        fz_buf_printf(&ch, ".Ch(l!%d,r!%d)", i, i + 1);
    fz_buf_puts(&ch, ".Ch(l!1999,r)");
    fz_buf_sets(&b, "begin seed species\n    ");
    fz_buf_splice(&b, b.n, 0, ch.p, ch.n);
    fz_buf_puts(&b, " 1\n    Ch(l,r) 1\nend seed species\nbegin reaction rules\n    ");
    fz_buf_splice(&b, b.n, 0, ch.p, ch.n);
    fz_buf_puts(&b, " -> 0 1\nend reaction rules\nbegin observables\n    Molecules O ");
    fz_buf_splice(&b, b.n, 0, ch.p, ch.n);
    fz_buf_puts(&b, "\nend observables\n");
    run_isolated(file, --k, "2000-molecule chain as a seed, a rule and an observable", &b,
                 ISOLATED_SECONDS);
    fz_buf_free(&ch);

    /* identical molecules in one pattern: n! automorphisms of a rule's reactant, or of a
     * species (symmetry factors, canonical labels) */
    for (int n = 6; n <= 10; n += 2) {
        fz_buf_sets(&b,
                    "begin seed species\n    A() 1\nend seed species\nbegin reaction rules\n    ");
        for (int i = 0; i < n; i++)
            fz_buf_puts(&b, i ? ".A()" : "A()");
        fz_buf_puts(&b, " -> 0 1\nend reaction rules\n");
        snprintf(desc, sizeof desc, "rule reactant of %d disconnected molecules A().A()...", n);
        run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);
        fz_buf_sets(&b, "begin seed species\n    M(");
        for (int i = 1; i <= n; i++)
            fz_buf_printf(&b, "%sa!%d", i > 1 ? "," : "", i);
        fz_buf_puts(&b, ")");
        for (int i = 1; i <= n; i++)
            fz_buf_printf(&b, ".N(b!%d)", i);
        fz_buf_puts(&b, " 1\nend seed species\nbegin reaction rules\n    N(b!1).M(a!1) -> N(b) + "
                        "M(a) 1\nend reaction rules\nbegin observables\n    Molecules O N(b!+)\n"
                        "    Species S M(a!+)\nend observables\n");
        snprintf(desc, sizeof desc, "star species M with %d identical N leaves", n);
        run_isolated(file, --k, desc, &b, ISOLATED_SECONDS);
    }

    /* 10000 physical lines joined by '\' into one rule */
    fz_buf_sets(&b, "begin reaction rules\n    A() -> 0 \\\n");
    for (int i = 0; i < 10000; i++)
        fz_buf_puts(&b, "  \\\n");
    fz_buf_puts(&b, "  1\nend reaction rules\n");
    run_mutant(file, --k, "rule continued over 10000 lines", &b);

    /* an action spanning 10000 lines (open parenthesis) */
    fz_buf_sets(&b, "simulate({t_end=>1,\n");
    for (int i = 0; i < 10000; i++)
        fz_buf_puts(&b, "\n");
    fz_buf_puts(&b, "n_steps=>2})\n");
    run_mutant(file, --k, "action spanning 10000 lines", &b);
    fz_buf_sets(&b, "generate_network(\n");
    for (int i = 0; i < 10000; i++)
        fz_buf_puts(&b, "(\n");
    run_mutant(file, --k, "action with 10000 unclosed parentheses over lines", &b);

    /* polymerisation: bounded only by max_agg/max_iter */
    fz_buf_sets(&b, "begin seed species\n    A(l,r) 1\nend seed species\nbegin reaction rules\n"
                    "    A(r) + A(l) -> A(r!1).A(l!1) 1\nend reaction rules\n"
                    "generate_network({max_iter=>1000000,max_agg=>1000000})\n");
    run_mutant(file, --k, "unbounded polymerisation", &b);

    /* a branching polymer with many symmetric sites */
    fz_buf_sets(&b, "begin molecule types\n    A(s,s,s,s,s,s)\nend molecule types\n"
                    "begin seed species\n    A(s,s,s,s,s,s) 1\nend seed species\n"
                    "begin reaction rules\n    A(s) + A(s) <-> A(s!1).A(s!1) 1, 1\n"
                    "    A(s!1).A(s!1) -> A(s!1).A(s!1) 1\nend reaction rules\n");
    run_mutant(file, --k, "hexavalent aggregation", &b);

    fz_buf_free(&b);
    printf("%s: %ld inputs\n", file, -k - 1000);
}

/* ---------------------------------------------------------------- driver */

static void run_random(const char *file, long k, const char *desc, const fz_buf *b, void *ctx)
{
    (void)ctx;
    run_mutant(file, k, desc, b);
}

static void fuzz_file(const char *path)
{
    fz_buf orig = {0};
    if (fz_read_file(path, &orig)) return;
    long n_random = orig.n > BIG_FILE ? 100 : 300;
    n_random = (long)((double)n_random * fz_opt.scale + 0.5);
    long before_mutants = fz_stat.mutants, before_ok = fz_stat.accepted;
    double t0 = now();
    for (size_t i = 0; i < orig.n; i++)
        if (!orig.p[i]) orig.p[i] = ' ';
    targeted(path, &orig);
    fz_random_mutants(path, &orig, n_random, run_random, NULL);
    fz_buf_free(&orig);
    printf("%s: %ld mutants, %ld accepted (%.1f s)\n", path, fz_stat.mutants - before_mutants,
           fz_stat.accepted - before_ok, now() - t0);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    fz_init(&format, &check_failures);
    char **files;
    size_t n = fz_parse_args(argc, argv, &files);
    if (!n) return 1;
    signal(SIGALRM, on_alarm);
    double t0 = now();
    synthetic();
    for (size_t i = 0; i < n; i++) {
        fuzz_file(files[i]);
        free(files[i]);
    }
    free(files);
    printf("rejected at: parse %ld, generate_network options %ld, generation %ld; actions check "
           "rejected %ld of the parsed; generated %ld species and %ld reactions in all (%ld "
           "networks truncated)\n",
           stats.rej_parse, stats.rej_options, stats.rej_generate, stats.actions_rejected,
           stats.species, stats.reactions, stats.truncated_nets);
    printf("findings: %ld; slowest mutant %.2f s; total %.1f s\n", fz_stat.findings, stats.slowest,
           now() - t0);
    fz_report_mutations();
    printf("%ld mutants: %ld accepted, %ld rejected\n", fz_stat.mutants, fz_stat.accepted,
           fz_stat.rejected);
    fz_check_min_mutants();
    CHECK_DONE();
}

/* Mutation engine shared by the deterministic fuzzers (test_netfile_fuzz.c, test_bngl_fuzz.c).
 *
 * - a seeded xorshift64* generator (no rand(), no clock) and a growable byte buffer;
 * - a line model of the text (fz_line), filled by the format's scanner;
 * - mutant descriptions (printed with -v, in failures and findings);
 * - the format-independent mutation operators (bytes, truncation, lines, CRLF, tabs) and
 *   helpers for the ones that take a format's tables (numbers, junk in expressions,
 *   begin/end lines, punctuation);
 * - the harness around a format's own run_mutant: the command line (-v, --dump DIR,
 *   --only K, --scale F, --min-mutants N, files and directories), the weighted random
 *   mutant loop, checks of error messages, findings, dumps and the final report.
 *
 * A fuzzer describes its format in an fz_format, calls fz_init() and fz_parse_args(), and
 * keeps its format-specific mutators, targeted mutants and run_mutant. The engine counts
 * check failures in the fuzzer's own check_failures (check.h), given to fz_init(). */
#ifndef ILNET_TEST_FUZZ_MUTATE_H
#define ILNET_TEST_FUZZ_MUTATE_H

#include <stddef.h>
#include <stdint.h>

/* ---------------------------------------------------------------- PRNG (xorshift64*) */

typedef struct {
    uint64_t s;
} fz_rng;

uint64_t fz_rng_next(fz_rng *r);
/* Uniform in [0, n); 0 when n is 0. */
size_t fz_rng_below(fz_rng *r, size_t n);
fz_rng fz_rng_seed(uint64_t seed);
uint64_t fz_fnv1a(const char *s);

#define FZ_COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))
#define FZ_PICK(r, arr) ((arr)[fz_rng_below((r), FZ_COUNT(arr))])

/* ---------------------------------------------------------------- growable byte buffer */

typedef struct {
    char *p;
    size_t n, cap;
} fz_buf;

/* realloc that exits (status 2) when out of memory. */
void *fz_xrealloc(void *p, size_t n);
void fz_buf_reserve(fz_buf *b, size_t n);
void fz_buf_set(fz_buf *b, const char *s, size_t n);
void fz_buf_sets(fz_buf *b, const char *s);
/* Replaces [pos, pos+del) by ins[0..ins_n). */
void fz_buf_splice(fz_buf *b, size_t pos, size_t del, const char *ins, size_t ins_n);
void fz_buf_puts(fz_buf *b, const char *s);
void fz_buf_printf(fz_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fz_buf_free(fz_buf *b);
void fz_replace_all(fz_buf *b, const char *from, const char *to);

/* ---------------------------------------------------------------- lines of a buffer */

typedef struct {
    size_t start, len; /* line text without its '\n' */
    size_t cend;       /* end of the content: before a comment (the format's scanner says) */
    int blk;           /* the format's block the line is in */
    int is_begin, is_end, is_model, blank;
} fz_line;

typedef struct {
    fz_line *v;
    size_t n, cap;
} fz_lines;

/* Appends a zeroed line. */
fz_line *fz_lines_add(fz_lines *L);
/* Byte range [*s, *e) of the tok-th whitespace-separated token of a line's content
 * [start, cend). Returns 0 when the token does not exist. */
int fz_line_token(const fz_buf *b, const fz_line *ln, int tok, size_t *s, size_t *e);
/* The line with its '\n', if any. */
void fz_line_bounds(const fz_buf *b, const fz_line *ln, size_t *s, size_t *e);
/* A random line satisfying pred, or -1. */
long fz_pick_line(fz_rng *r, const fz_lines *L, int (*pred)(const fz_line *));
/* The first line starting (after blanks) with prefix, or -1. */
long fz_find_line(const fz_lines *L, const fz_buf *b, const char *prefix);
/* Inserts text + '\n' as a new line before line li (at the end when li >= L->n). */
void fz_insert_line(fz_buf *b, const fz_lines *L, size_t li, const char *text, size_t n);
int fz_is_any(const fz_line *l);
int fz_is_nonempty(const fz_line *l);
int fz_is_begin_end(const fz_line *l);

/* ---------------------------------------------------------------- descriptions */

typedef struct {
    char s[768];
    size_t n;
} fz_desc;

/* Appends "; " and a formatted part (truncated at the description's size). */
void fz_desc_add(fz_desc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Printable rendering of a short string (\xNN escapes, "..." when cut). */
const char *fz_show(const char *s, size_t n, char *out, size_t cap);
const char *fz_one_line(const char *s, char *out, size_t cap);

/* ---------------------------------------------------------------- mutators */

/* A mutator changes b (L: its lines, scanned before the call) and describes the change in
 * d; returns 0, or -1 when it does not apply (then nothing changed). */
typedef int (*fz_mutator_fn)(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);

typedef struct {
    const char *name;
    fz_mutator_fn fn;
    int weight;
} fz_mutator;

/* Format-independent mutators: bit flips, interesting bytes set or inserted, byte runs
 * deleted or repeated, truncation (anywhere, mid-line, mid-token), lines deleted,
 * duplicated or swapped, CRLF line endings, tabs for spaces. */
int fz_m_byte_flip(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_byte_set(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_byte_insert(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_byte_delete(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_char_dup(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_truncate(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_line_delete(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_line_dup(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_line_swap(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_crlf(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);
int fz_m_tabs(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d);

/* Helpers for mutators with the format's tables. */
/* Replaces one number (digits, '.', an exponent) in [start, end) of line li by reps[k]. */
int fz_replace_number(fz_buf *b, fz_rng *r, fz_desc *d, long li, size_t start, size_t end,
                      const char *const *reps, size_t n_reps);
/* Inserts one of junk at the start of, or anywhere in, the expression [s, e) of line li. */
int fz_insert_junk(fz_buf *b, fz_rng *r, fz_desc *d, long li, size_t s, size_t e,
                   const char *const *junk, size_t n_junk);
/* A begin/end line deleted, duplicated, renamed to one of renames, or moved elsewhere. */
int fz_mutate_begin_end(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d, const char *const *renames,
                        size_t n_renames);
/* One of ins inserted at the end of, or anywhere in, a non-empty line. */
int fz_insert_punct(fz_buf *b, fz_lines *L, fz_rng *r, fz_desc *d, const char *const *ins,
                    size_t n_ins);

/* ---------------------------------------------------------------- the format */

typedef struct {
    const char *prog;        /* "test_netfile_fuzz": messages and usage */
    const char *ext;         /* ".net": files taken from directories, names of dumped mutants */
    const char *usage_files; /* "NET_FILE_OR_DIR" */
    const char *mutant_path; /* the name mutants are parsed as: error messages start with it */
    const char *bytes;       /* interesting bytes for byte_set and byte_insert */
    size_t n_bytes;
    int no_nul;           /* the mutators never write NUL bytes */
    int line_range_fatal; /* a message's line number outside the mutant fails the test (else
                             it is a finding) */
    long min_mutants;     /* --min-mutants default */
    uint64_t salt;        /* a file's random mutants are seeded with fnv1a(basename) ^ salt */
    void (*scan)(fz_lines *L, const fz_buf *b);
    int (*is_elem)(const fz_line *l);    /* lines line_delete/line_dup prefer half the time */
    int (*is_content)(const fz_line *l); /* lines truncate cuts mid-line or mid-token */
    const fz_mutator *mutators;
    size_t n_mutators;
} fz_format;

#define FZ_MAX_MUTATORS 64

typedef struct {
    int verbose;
    const char *dump_dir;
    long only_index;
    int have_only;
    long min_mutants;
    double scale;
} fz_options;

typedef struct {
    long mutants, accepted, rejected, findings;
    long per_mutator[FZ_MAX_MUTATORS];
} fz_stats;

extern fz_options fz_opt;
extern fz_stats fz_stat;

/* failures: the fuzzer's check_failures, which the engine's checks count into. */
void fz_init(const fz_format *f, int *failures);
/* Options into fz_opt, files and the format's files under directories (sorted) into
 * *files (each and the array malloc'ed). Returns the number of files; 0 after printing the
 * usage when there is none. */
size_t fz_parse_args(int argc, char **argv, char ***files);
/* Reads path into b; a failure fails the test and returns -1. */
int fz_read_file(const char *path, fz_buf *b);

/* Whether --only skips mutant k. */
int fz_skipped(long k);
/* Starts running mutant k: 0 when --only skips it, else prints it with -v and counts it. */
int fz_begin_mutant(const char *file, long k, const char *desc, const fz_buf *b);
/* Ends it: when bad (a check failed), says how to rerun it and dumps it. */
void fz_end_mutant(const char *file, long k, const fz_buf *b, int bad);
/* Writes the mutant to --dump DIR, if given. */
void fz_dump(const char *file, long k, const fz_buf *b);
/* Suspicious but not fatal behaviour: printed as "FINDING:", counted, dumped. */
void fz_finding(const char *file, long k, const char *desc, const fz_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Lines of b, a last one without '\n' included. */
size_t fz_count_lines(const fz_buf *b);
/* Checks a failure of stage ("parse", ...): rc negative, a non-empty one-line message that
 * starts with the mutant's path, a line number it gives within the mutant (see
 * line_range_fatal); control characters are a finding. Returns nonzero when a check
 * failed. */
int fz_check_message(const char *file, long k, const char *desc, const fz_buf *b, int rc,
                     const char *stage);

typedef void (*fz_run_fn)(const char *file, long k, const char *desc, const fz_buf *b, void *ctx);
/* Mutants 1..n of orig: each with 1 (70 %), 2 or 3 mutations from the format's weighted
 * mutators, run with run(path, k, description, mutant, ctx). */
void fz_random_mutants(const char *path, const fz_buf *orig, long n, fz_run_fn run, void *ctx);

/* "mutations applied: NAME COUNT, ..." */
void fz_report_mutations(void);
/* Fails the test when fewer than --min-mutants ran (unless --only). */
void fz_check_min_mutants(void);

#endif

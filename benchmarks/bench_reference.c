/* Benchmark of ilnet on the BioNetGen reference models.
 *
 * For every model directory REFDIR/<model>/ (holding <model>.net and settings.txt with
 * "t_end:" and "n_out:" lines, optionally "t_start:"), loads the network once (timed),
 * creates ONE solver (atol = rtol = 1e-8) and ONE result of n_out+1 rows on the linear
 * grid t_start..t_end, and runs ilnet_solver_run repeatedly on that solver, as the
 * product does for parameter scans. Reports the median and minimum wall-clock time per
 * simulation, CVODE's work and the process's peak RSS.
 *
 * --compare-solvers runs every model with the dense and with the KLU linear solver
 * (dense skipped above DENSE_LIMIT species) and prints both medians and their ratio. */
#define _POSIX_C_SOURCE 200809L

#include "common/error.h"
#include "model/netfile.h"
#include "model/network.h"
#include "solver/solver.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define SLOW_RUN_SECONDS 2.0 /* a run slower than this ... */
#define SLOW_MAX_RUNS 3      /* ... limits the model to this many runs */
#define MAX_RUNS 100000      /* hard cap for very fast models */
#define DENSE_LIMIT 500      /* --compare-solvers skips dense above this many species */

static const char usage[] =
    "usage: bench_reference [--reps N] [--min-seconds S] [--solver auto|dense|klu]\n"
    "                       [--models a,b,...] [--compare-solvers] REFDIR\n"
    "\n"
    "Times ilnet on the reference models in REFDIR (each REFDIR/<model>/ holds <model>.net\n"
    "and settings.txt with 't_end:' and 'n_out:'), at atol = rtol = 1e-8, reusing one\n"
    "solver per model.\n"
    "\n"
    "  --reps N           at least N simulations per model (default 5)\n"
    "  --min-seconds S    and at least S seconds of simulation per model (default 1.0);\n"
    "                     a model whose first run takes > 2 s gets at most 3 runs\n"
    "  --solver S         linear solver: auto (default), dense or klu\n"
    "  --models a,b,...   only these models, in this order (default: all, sorted by name)\n"
    "  --compare-solvers  run every model with dense and with klu (dense skipped above 500\n"
    "                     species) and print both medians and their ratio\n";

typedef struct {
    int reps;
    double min_seconds;
    ilnet_linsol linsol;
    int compare;
} bench_opts;

/* What one series of runs measured. */
typedef struct {
    int runs;
    double median_ms, min_ms;
    long steps, jac_evals, rhs_evals;
    const char *linsol; /* static string from ilnet_solver_linsol_name */
} bench_timing;

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("bench_reference: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n\n", stderr);
    fputs(usage, stderr);
    exit(2);
}

static double now_seconds(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        perror("bench_reference: clock_gettime");
        exit(1);
    }
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Peak resident set size of the process so far, in MB (Linux reports kB). */
static double peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0) return -1.0;
    return (double)ru.ru_maxrss / 1024.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs("bench_reference: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

static char *path_join3(const char *dir, const char *model, const char *file)
{
    size_t n = strlen(dir) + strlen(model) + strlen(file) + 3;
    char *p = malloc(n);
    if (!p) {
        fputs("bench_reference: out of memory\n", stderr);
        exit(1);
    }
    snprintf(p, n, "%s/%s/%s", dir, model, file);
    return p;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

static int parse_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end) return -1;
    *out = v;
    return 0;
}

/* Reads t_start (optional, default 0), t_end and n_out from settings.txt. Values may be
 * followed by a comment ("n_out: 100   (n_out intervals, ...)"). */
static int read_settings(const char *path, double *t_start, double *t_end, long *n_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_reference: %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[4096];
    int have_end = 0, have_n = 0, bad = 0;
    *t_start = 0.0;
    while (fgets(line, sizeof line, f)) {
        char *end;
        if (!strncmp(line, "t_start:", 8)) {
            errno = 0;
            *t_start = strtod(line + 8, &end);
            if (errno || end == line + 8) bad = 1;
        } else if (!strncmp(line, "t_end:", 6)) {
            errno = 0;
            *t_end = strtod(line + 6, &end);
            if (errno || end == line + 6) bad = 1;
            have_end = 1;
        } else if (!strncmp(line, "n_out:", 6)) {
            errno = 0;
            *n_out = strtol(line + 6, &end, 10);
            if (errno || end == line + 6) bad = 1;
            have_n = 1;
        }
    }
    int read_error = ferror(f);
    if (fclose(f) != 0) read_error = 1;
    if (read_error) {
        fprintf(stderr, "bench_reference: %s: read error\n", path);
        return -1;
    }
    if (bad || !have_end || !have_n || !(*t_end > *t_start) || *n_out < 1 || *n_out > 10000000) {
        fprintf(stderr,
                "bench_reference: %s: need valid 't_end:' (> t_start) and 'n_out:' (>= 1)\n", path);
        return -1;
    }
    return 0;
}

/* Model names: the subdirectories of refdir that hold <name>/<name>.net, sorted. */
static char **list_models(const char *refdir, size_t *count)
{
    DIR *d = opendir(refdir);
    if (!d) {
        fprintf(stderr, "bench_reference: %s: %s\n", refdir, strerror(errno));
        return NULL;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        size_t len = strlen(e->d_name);
        char *file = malloc(len + 5);
        if (!file) goto oom;
        memcpy(file, e->d_name, len);
        memcpy(file + len, ".net", 5);
        char *net = path_join3(refdir, e->d_name, file);
        free(file);
        struct stat st;
        int ok = stat(net, &st) == 0 && S_ISREG(st.st_mode);
        free(net);
        if (!ok) continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 16;
            char **grown = realloc(names, cap * sizeof *names);
            if (!grown) goto oom;
            names = grown;
        }
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if (n == 0) {
        fprintf(stderr, "bench_reference: no <model>/<model>.net found under %s\n", refdir);
        free(names);
        return NULL;
    }
    qsort(names, n, sizeof *names, cmp_str);
    *count = n;
    return names;
oom:
    fputs("bench_reference: out of memory\n", stderr);
    exit(1);
}

/* Splits "a,b,c" into names; empty items are rejected. */
static char **split_models(const char *list, size_t *count)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    char **names = calloc(n, sizeof *names);
    if (!names) {
        fputs("bench_reference: out of memory\n", stderr);
        exit(1);
    }
    const char *p = list;
    for (size_t i = 0; i < n; i++) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == 0) die_usage("--models: empty model name in '%s'", list);
        names[i] = malloc(len + 1);
        if (!names[i]) {
            fputs("bench_reference: out of memory\n", stderr);
            exit(1);
        }
        memcpy(names[i], p, len);
        names[i][len] = '\0';
        p = comma ? comma + 1 : p + len;
    }
    *count = n;
    return names;
}

static void free_names(char **names, size_t n)
{
    if (!names) return;
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Creates one solver with linsol and runs it repeatedly into one result. Returns 0, or
 * -1 after printing the error. */
static int time_runs(const char *model, const ilnet_network *net, ilnet_linsol linsol,
                     double t_start, double t_end, long n_out, const bench_opts *o,
                     bench_timing *out)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-8;
    so.rtol = 1e-8;
    so.linsol = linsol;
    ilnet_solver *solver = NULL;
    ilnet_result res = {0};
    double *times = NULL;
    int status = -1;
    memset(out, 0, sizeof *out);

    if (ilnet_solver_new(&solver, net, &so)) {
        fprintf(stderr, "bench_reference: %s: creating the solver: %s\n", model,
                ilnet_error_last());
        goto done;
    }
    if (ilnet_result_init(&res, net, (size_t)n_out + 1)) {
        fprintf(stderr, "bench_reference: %s: %s\n", model, ilnet_error_last());
        goto done;
    }
    ilnet_result_linear_times(&res, t_start, t_end);
    out->linsol = ilnet_solver_linsol_name(solver);

    size_t cap = 64;
    times = malloc(cap * sizeof *times);
    if (!times) {
        fputs("bench_reference: out of memory\n", stderr);
        goto done;
    }
    int runs = 0, max_runs = MAX_RUNS;
    double total = 0.0;
    while (runs < max_runs && (runs < o->reps || total < o->min_seconds)) {
        double t0 = now_seconds();
        int rc = ilnet_solver_run(solver, &res, NULL);
        double dt = now_seconds() - t0;
        if (rc != 0 || res.status != 0 || res.n_done != res.n_times) {
            fprintf(stderr,
                    "bench_reference: %s (%s): run %d failed (code %d, %zu of %zu rows): %s\n",
                    model, out->linsol, runs + 1, rc, res.n_done, res.n_times,
                    res.message[0] ? res.message : ilnet_error_last());
            goto done;
        }
        if (runs == 0) {
            out->steps = res.stats.steps;
            out->jac_evals = res.stats.jac_evals;
            out->rhs_evals = res.stats.rhs_evals;
            if (dt > SLOW_RUN_SECONDS) max_runs = o->reps < SLOW_MAX_RUNS ? o->reps : SLOW_MAX_RUNS;
        } else if (res.stats.steps != out->steps || res.stats.jac_evals != out->jac_evals) {
            /* A reused solver must do exactly the same work on every run. */
            fprintf(stderr,
                    "bench_reference: %s (%s): warning: run %d took %ld steps / %ld "
                    "Jacobians, run 1 took %ld / %ld\n",
                    model, out->linsol, runs + 1, res.stats.steps, res.stats.jac_evals, out->steps,
                    out->jac_evals);
        }
        if ((size_t)runs == cap) {
            cap *= 2;
            double *grown = realloc(times, cap * sizeof *times);
            if (!grown) {
                fputs("bench_reference: out of memory\n", stderr);
                goto done;
            }
            times = grown;
        }
        times[runs++] = dt;
        total += dt;
    }
    qsort(times, (size_t)runs, sizeof *times, cmp_double);
    out->runs = runs;
    out->min_ms = 1e3 * times[0];
    out->median_ms =
        1e3 * (runs % 2 ? times[runs / 2] : 0.5 * (times[runs / 2 - 1] + times[runs / 2]));
    status = 0;
done:
    free(times);
    ilnet_result_free(&res);
    ilnet_solver_free(solver);
    return status;
}

/* Loads REFDIR/model: settings and network (load timed). Returns 0 or -1 (printed). */
static int load_model(const char *refdir, const char *model, ilnet_network **net, double *load_ms,
                      double *t_start, double *t_end, long *n_out)
{
    *net = NULL;
    char *settings = path_join3(refdir, model, "settings.txt");
    int rc = read_settings(settings, t_start, t_end, n_out);
    free(settings);
    if (rc) return -1;
    size_t len = strlen(model);
    char *file = malloc(len + 5);
    if (!file) {
        fputs("bench_reference: out of memory\n", stderr);
        return -1;
    }
    memcpy(file, model, len);
    memcpy(file + len, ".net", 5);
    char *path = path_join3(refdir, model, file);
    free(file);
    double t0 = now_seconds();
    rc = ilnet_netfile_read(net, path);
    *load_ms = 1e3 * (now_seconds() - t0);
    if (rc) {
        fprintf(stderr, "bench_reference: %s\n", ilnet_error_last());
        *net = NULL;
    }
    free(path);
    return rc ? -1 : 0;
}

static int bench_model(const char *refdir, const char *model, const bench_opts *o)
{
    ilnet_network *net = NULL;
    double load_ms, t_start, t_end;
    long n_out;
    if (load_model(refdir, model, &net, &load_ms, &t_start, &t_end, &n_out)) return -1;
    bench_timing t;
    int rc = time_runs(model, net, o->linsol, t_start, t_end, n_out, o, &t);
    if (rc == 0)
        printf("%-22s %7zu %9zu %-6s %9.2f %11.3f %11.3f %9.1f %6d %7ld %6ld %8.1f\n", model,
               ilnet_network_species_count(net), ilnet_network_reaction_count(net), t.linsol,
               load_ms, t.median_ms, t.min_ms, 1e3 / t.median_ms, t.runs, t.steps, t.jac_evals,
               peak_rss_mb());
    fflush(stdout);
    ilnet_network_free(net);
    return rc;
}

static int compare_model(const char *refdir, const char *model, const bench_opts *o)
{
    ilnet_network *net = NULL;
    double load_ms, t_start, t_end;
    long n_out;
    if (load_model(refdir, model, &net, &load_ms, &t_start, &t_end, &n_out)) return -1;
    size_t ns = ilnet_network_species_count(net);
    bench_timing d = {0}, k = {0};
    int have_dense = ns <= DENSE_LIMIT;
    int rc = 0;
    if (have_dense) rc = time_runs(model, net, ILNET_LINSOL_DENSE, t_start, t_end, n_out, o, &d);
    if (rc == 0) rc = time_runs(model, net, ILNET_LINSOL_KLU, t_start, t_end, n_out, o, &k);
    if (rc == 0) {
        char dense_ms[32], dense_steps[48], ratio[32], faster[16];
        if (have_dense) {
            snprintf(dense_ms, sizeof dense_ms, "%.3f", d.median_ms);
            snprintf(dense_steps, sizeof dense_steps, "%ld/%ld", d.steps, d.jac_evals);
            snprintf(ratio, sizeof ratio, "%.2f", d.median_ms / k.median_ms);
            snprintf(faster, sizeof faster, "%s", d.median_ms <= k.median_ms ? "dense" : "klu");
        } else {
            snprintf(dense_ms, sizeof dense_ms, "skipped");
            snprintf(dense_steps, sizeof dense_steps, "-");
            snprintf(ratio, sizeof ratio, "-");
            snprintf(faster, sizeof faster, "klu");
        }
        char klu_steps[48];
        snprintf(klu_steps, sizeof klu_steps, "%ld/%ld", k.steps, k.jac_evals);
        printf("%-22s %7zu %9zu %12s %12.3f %9s %-6s %13s %13s\n", model, ns,
               ilnet_network_reaction_count(net), dense_ms, k.median_ms, ratio, faster, dense_steps,
               klu_steps);
    }
    fflush(stdout);
    ilnet_network_free(net);
    return rc;
}

int main(int argc, char **argv)
{
    bench_opts o = {5, 1.0, ILNET_LINSOL_AUTO, 0};
    const char *models_arg = NULL, *refdir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if (!strcmp(a, "--compare-solvers")) {
            o.compare = 1;
        } else if (!strcmp(a, "--reps") || !strcmp(a, "--min-seconds") || !strcmp(a, "--solver") ||
                   !strcmp(a, "--models")) {
            if (i + 1 >= argc) die_usage("option '%s' needs a value", a);
            const char *v = argv[++i];
            if (!strcmp(a, "--reps")) {
                long n;
                if (parse_long(v, &n) || n < 1 || n > MAX_RUNS)
                    die_usage("--reps: expected an integer in 1..%d, got '%s'", MAX_RUNS, v);
                o.reps = (int)n;
            } else if (!strcmp(a, "--min-seconds")) {
                if (parse_double(v, &o.min_seconds) || !(o.min_seconds >= 0) || o.min_seconds > 1e6)
                    die_usage("--min-seconds: expected a non-negative number, got '%s'", v);
            } else if (!strcmp(a, "--solver")) {
                if (ilnet_linsol_parse(&o.linsol, v))
                    die_usage("--solver: expected auto, dense or klu, got '%s'", v);
            } else {
                models_arg = v;
            }
        } else if (a[0] == '-' && a[1]) {
            die_usage("unknown option '%s'", a);
        } else if (refdir) {
            die_usage("unexpected argument '%s'", a);
        } else {
            refdir = a;
        }
    }
    if (!refdir) die_usage("missing REFDIR");
    if (o.compare && o.linsol != ILNET_LINSOL_AUTO)
        die_usage("--solver and --compare-solvers exclude each other");

    size_t n_models = 0;
    char **models =
        models_arg ? split_models(models_arg, &n_models) : list_models(refdir, &n_models);
    if (!models) return 1;

    printf("# ilnet bench_reference: atol = rtol = 1e-8, one reused solver per model%s; "
           ">= %d runs and >= %.3g s per model%s\n",
           o.compare ? ", dense vs klu" : "", o.reps, o.min_seconds,
           " (<= 3 runs if one takes > 2 s)");
    if (o.compare)
        printf("%-22s %7s %9s %12s %12s %9s %-6s %13s %13s\n", "model", "species", "reactions",
               "dense_ms", "klu_ms", "dense/klu", "faster", "dense_st/jac", "klu_st/jac");
    else
        printf("%-22s %7s %9s %-6s %9s %11s %11s %9s %6s %7s %6s %8s\n", "model", "species",
               "reactions", "linsol", "load_ms", "median_ms", "min_ms", "sims/s", "runs", "steps",
               "jacs", "rss_MB");
    fflush(stdout);

    int failed = 0;
    for (size_t i = 0; i < n_models && !failed; i++)
        failed = (o.compare ? compare_model(refdir, models[i], &o)
                            : bench_model(refdir, models[i], &o)) != 0;
    free_names(models, n_models);
    if (failed) {
        fputs("bench_reference: stopped after a failure\n", stderr);
        return 1;
    }
    return 0;
}

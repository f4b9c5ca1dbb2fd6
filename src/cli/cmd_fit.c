/* ilnet fit PROBLEM.yaml: multi-start parameter estimation on a PEtab problem. */
#include "../common/error.h"
#include "../experiment/dispatch.h"
#include "../experiment/fit.h"
#include "../experiment/fit_profile.h"
#include "../output/fitout.h"
#include "../output/h5fit.h"
#include "cli.h"

#include <getopt.h>
#include <signal.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet fit PROBLEM.yaml [--starts N] [--seed S] [--threads T] [--optimizer NAME]\n"
    "                 [--max-iter N] [-o FIT.h5] [--resume] [--atol A] [--rtol R] [-q]\n"
    "                 [--hierarchical | --no-hierarchical] [--include-nominal]\n"
    "\n"
    "Fits the estimated parameters of a PEtab problem (docs/fitting.md): N local optimisations\n"
    "(default 100) from a Latin hypercube of starts within the bounds, drawn from seed S\n"
    "(default 1), on the parameters' scales, on T worker threads (default: every core).\n"
    "Prints a line per finished start, then\n"
    "  best llh: <log-likelihood of the best start>\n"
    "  <id> <value on its scale> (<linear value>)   per estimated parameter\n"
    "  fisher 95% CI: <id> <lower> <upper>           from the Fisher information\n"
    "  profile 95% CI: <id> <lower> <upper>          with --profile (-inf/inf: unbounded)\n"
    "\n"
    "  --optimizer NAME lbfgs (default): bounded L-BFGS on -(llh + log_prior) (NLopt);\n"
    "                   ls-trust: trust-region least squares on the residuals (GSL)\n"
    "  --max-iter N     iterations (ls-trust) or objective evaluations (lbfgs) per start\n"
    "                   (default 500)\n"
    "  -o, --output F   HDF5: every start (theta0, theta, llh, iterations, evaluations, time,\n"
    "                   exit reason) written as starts finish, then the best fit's simulations,\n"
    "                   intervals and profiles; beside it F.parameters.tsv (PEtab table with\n"
    "                   the best values) and F.presets.yaml (preset 'fit' for ilnet simulate)\n"
    "  --resume         continue F: finished starts are kept, the others run\n"
    "  --profile P      profile likelihoods of the estimated parameters P (all, or ids\n"
    "                   separated by commas) around the best fit, and their 95 % intervals\n"
    "  --profile-points N  at most N points per direction of a profile (default 40)\n"
    "  --atol, --rtol   integration tolerances (default 1e-12, 1e-10)\n"
    "  --hierarchical   parameters whose parameterType is scaling, offset or sigma are\n"
    "                   computed in closed form at each evaluation, not searched (the default\n"
    "                   when the parameter table has such parameters; --no-hierarchical\n"
    "                   searches them like the others)\n"
    "  --include-nominal  start 0 from the parameter table's nominal values (a model's\n"
    "                   current values), the other N-1 from the hypercube\n"
    "  -q               no line per start\n"
    "\n"
    "SIGINT/SIGTERM (Ctrl-C) stop the fit: the starts in flight are abandoned, the finished\n"
    "ones stay in F for --resume.\n"
    "\n"
    "Exit status: 0, 1 bad input or interrupted, 2 every start failed.\n";

typedef struct {
    const char *yaml, *out, *profile;
    int resume, quiet;
    ilnet_fit_options o;
    ilnet_profile_options po;
} fit_args;

static int parse_args(fit_args *a, int argc, char **argv)
{
    static const struct option opts[] = {{"starts", required_argument, 0, 'n'},
                                         {"seed", required_argument, 0, 's'},
                                         {"threads", required_argument, 0, 't'},
                                         {"optimizer", required_argument, 0, 'm'},
                                         {"max-iter", required_argument, 0, 'i'},
                                         {"output", required_argument, 0, 'o'},
                                         {"resume", no_argument, 0, 'R'},
                                         {"profile", required_argument, 0, 'P'},
                                         {"profile-points", required_argument, 0, 'N'},
                                         {"atol", required_argument, 0, 'a'},
                                         {"rtol", required_argument, 0, 'r'},
                                         {"hierarchical", no_argument, 0, 'H'},
                                         {"no-hierarchical", no_argument, 0, 'G'},
                                         {"include-nominal", no_argument, 0, 'X'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *C = "fit";
    ilnet_fit_options d = ILNET_FIT_OPTIONS_INIT;
    ilnet_profile_options pd = ILNET_PROFILE_OPTIONS_INIT;
    *a = (fit_args){.o = d, .po = pd};
    long v;
    int c, code;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hqo:", opts, NULL)) != -1) {
        if (c == 'n' || c == 's' || c == 't' || c == 'i') {
            long lo = c == 's' || c == 't' ? 0 : 1;
            if (cli_parse_long(optarg, &v) || v < lo || v > (c == 't' ? 4096 : 1000000000L))
                return cli_usage_error(C, "--%s needs a whole number >= %ld, not '%s'",
                                       c == 'n'   ? "starts"
                                       : c == 's' ? "seed"
                                       : c == 't' ? "threads"
                                                  : "max-iter",
                                       lo, optarg);
            if (c == 'n') a->o.n_starts = (size_t)v;
            if (c == 's') a->o.seed = (unsigned long)v;
            if (c == 't') a->o.threads = (int)v;
            if (c == 'i') a->o.max_iter = v;
        } else if (c == 'm') {
            int m = ilnet_fit_method_parse(optarg);
            if (m < 0)
                return cli_usage_error(C, "--optimizer: '%s' is not auto, ls-trust or lbfgs",
                                       optarg);
            a->o.method = (ilnet_fit_method)m;
        } else if (c == 'o')
            a->out = optarg;
        else if (c == 'P')
            a->profile = optarg;
        else if (c == 'N' && (cli_parse_long(optarg, &v) || v < 1 || v > 100000))
            return cli_usage_error(C, "--profile-points needs a whole number >= 1, not '%s'",
                                   optarg);
        else if (c == 'N')
            a->po.max_points = (size_t)v;
        else if (c == 'R')
            a->resume = 1;
        else if (c == 'H' || c == 'G')
            a->o.hierarchical = c == 'H';
        else if (c == 'X')
            a->o.include_nominal = 1;
        else if (c == 'q')
            a->quiet = 1;
        else if ((code = cli_common_option(c, C, help, argv, &a->o.atol, &a->o.rtol)) >= 0)
            return code;
    }
    if (optind != argc - 1) return cli_usage_error(C, "expected one PROBLEM.yaml");
    if (a->resume && !a->out) return cli_usage_error(C, "--resume needs -o FIT.h5");
    a->yaml = argv[optind];
    return -1;
}

typedef struct {
    const fit_args *a;
    ilnet_h5fit *h5;
    const ilnet_fit *f;
} run_state;

static const char *status_name(ilnet_fit_status s)
{
    switch (s) {
    case ILNET_FIT_CONVERGED:
        return "converged";
    case ILNET_FIT_MAXITER:
        return "limit";
    case ILNET_FIT_STALLED:
        return "stalled";
    case ILNET_FIT_FAILED:
        return "failed";
    default:
        return "pending";
    }
}

static int on_start(const ilnet_fit_start *s, const struct ilnet_fit_progress *p, void *payload)
{
    run_state *R = payload;
    if (R->h5 && ilnet_h5fit_write_start(R->h5, R->f, s)) {
        fprintf(stderr, "ilnet: %s\n", ilnet_error_last());
        return 1;
    }
    if (!R->a->quiet)
        fprintf(stderr,
                "start %zu (%zu/%zu): llh %.10g, %s (%s), %ld it, %.2f s | best llh %.10g\n",
                s->index, p->done, p->total, s->llh, status_name(s->status), s->reason,
                s->iterations, s->seconds, p->best_llh);
    return 0;
}

/* the profiled parameters: "all" or ids separated by commas */
static int profile_list(size_t **which, size_t *k, const ilnet_fit *f, const char *list)
{
    *which = calloc(f->n_par + 1, sizeof **which);
    *k = 0;
    if (!*which) return ilnet_error_oom();
    if (!strcmp(list, "all")) {
        for (size_t j = 0; j < f->n_par; j++)
            if (!f->hierarchical || !f->inner[j]) (*which)[(*k)++] = j;
        return 0;
    }
    char *copy = strdup(list), *save = NULL;
    int rc = copy ? 0 : ilnet_error_oom();
    for (char *t = copy ? strtok_r(copy, ",", &save) : NULL; t && !rc;
         t = strtok_r(NULL, ",", &save)) {
        size_t j = 0;
        while (j < f->n_par && strcmp(f->ids[j], t))
            j++;
        if (j == f->n_par)
            rc = ilnet_error_set(ILNET_EINPUT, "fit: --profile: '%s' is not an estimated parameter",
                                 t);
        else if (f->hierarchical && f->inner[j])
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "fit: --profile: '%s' is computed in closed form (parameterType); "
                                 "profile it with --no-hierarchical",
                                 t);
        else if (*k < f->n_par)
            (*which)[(*k)++] = j;
    }
    free(copy);
    return rc;
}

/* Fisher intervals at the best fit and the profiles asked for; printed, and stored in h5 */
static int uncertainty(const fit_args *a, const ilnet_fit *f, ilnet_h5fit *h5)
{
    size_t np = f->n_par, k = 0, *which = NULL;
    const ilnet_fit_start *b = &f->starts[f->best];
    double *cov = malloc((np * np + 1) * sizeof *cov), *lo = malloc((np + 1) * sizeof *lo),
           *hi = malloc((np + 1) * sizeof *hi);
    ilnet_fit_profile *pr = NULL;
    int rc = cov && lo && hi ? 0 : ilnet_error_oom();
    if (!rc) rc = ilnet_fit_fisher(cov, lo, hi, f, a->yaml, &a->o, b->theta);
    for (size_t j = 0; !rc && j < np; j++)
        printf("fisher 95%% CI: %s %.10g %.10g\n", f->ids[j], lo[j], hi[j]);
    if (!rc && a->profile) rc = profile_list(&which, &k, f, a->profile);
    if (!rc && k && !(pr = calloc(k, sizeof *pr))) rc = ilnet_error_oom();
    if (!rc && k) rc = ilnet_fit_profiles(pr, which, k, f, a->yaml, &a->o, &a->po);
    for (size_t q = 0; !rc && q < k; q++)
        printf("profile 95%% CI: %s %.10g %.10g\n", f->ids[pr[q].par],
               isnan(pr[q].ci_lower) ? -INFINITY : pr[q].ci_lower,
               isnan(pr[q].ci_upper) ? INFINITY : pr[q].ci_upper);
    if (!rc && h5) rc = ilnet_h5fit_write_uncertainty(h5, f, cov, lo, hi, pr, k);
    for (size_t q = 0; pr && q < k; q++)
        ilnet_fit_profile_free(&pr[q]);
    free(pr);
    free(which);
    free(cov);
    free(lo);
    free(hi);
    return rc;
}

/* OUT.h5 -> OUT<suffix> (caller frees) */
static char *beside(const char *out, const char *suffix)
{
    size_t n = strlen(out);
    if (n > 3 && !strcmp(out + n - 3, ".h5")) n -= 3;
    char *s = malloc(n + strlen(suffix) + 1);
    if (s) {
        memcpy(s, out, n);
        strcpy(s + n, suffix);
    }
    return s;
}

/* with -o: the simulations at the best fit into the file, and the best parameters as
 * OUT.parameters.tsv (PEtab) and OUT.presets.yaml (ilnet presets, preset "fit") */
static int best_outputs(const fit_args *a, const ilnet_fit *f, ilnet_h5fit *h5)
{
    ilnet_petab *p = NULL;
    double *x = NULL;
    ilnet_petab_result r;
    char *tsv = beside(a->out, ".parameters.tsv"), *yml = beside(a->out, ".presets.yaml");
    int rc =
        tsv && yml ? ilnet_fit_best_evaluation(&p, &x, &r, f, a->yaml, &a->o) : ilnet_error_oom();
    if (!rc) rc = ilnet_h5fit_write_best_fit(h5, p, &r);
    if (!rc) rc = ilnet_fit_write_parameter_table(tsv, p, x);
    if (!rc) rc = ilnet_fit_write_presets(yml, p, x, f, a->yaml);
    if (!rc && !a->quiet) fprintf(stderr, "ilnet fit: wrote %s, %s and %s\n", a->out, tsv, yml);
    ilnet_petab_result_free(&r);
    ilnet_petab_free(p);
    free(x);
    free(tsv);
    free(yml);
    return rc;
}

static void print_best(const ilnet_fit *f)
{
    const ilnet_fit_start *b = &f->starts[f->best];
    printf("best llh: %.17g\n", b->llh);
    if (b->log_prior != 0) printf("log_prior: %.17g\n", b->log_prior);
    for (size_t j = 0; j < f->n_par; j++) {
        double t = b->theta[j];
        double x = petab_from_scale(f->scale[j], t);
        printf("  %s %.17g (%.10g)\n", f->ids[j], t, x);
    }
}

/* Every rank of an MPI run starts only when all have set up (one failing alone would leave
 * the others waiting), with rank 0's list of finished starts (--resume). */
static int agree(int rc, unsigned char *done, size_t n)
{
    int bad = rc != 0, e = ilnet_dispatch_max(&bad, 1);
    if (!rc && e) rc = e;
    if (!rc && bad) {
        rc = ilnet_error_set(ILNET_EIO, "another MPI rank failed to set up (it says why)");
        ilnet_dispatch_mark_relayed();
    }
    if (!rc && done) rc = ilnet_dispatch_bcast(done, n);
    return rc;
}

int cmd_fit(int argc, char **argv)
{
    fit_args a;
    int code = parse_args(&a, argc, argv);
    if (code >= 0) return code;
    ilnet_fit f;
    unsigned char *done = NULL;
    run_state R = {&a, NULL, &f};
    int rank = 0, size = 1;
    ilnet_dispatch_world(&rank, &size);
    if (ilnet_fit_prepare(&f, a.yaml, &a.o)) return cli_fail();
    if (f.hierarchical && rank == 0 && !a.quiet) {
        size_t k = 0;
        for (size_t j = 0; j < f.n_par; j++)
            k += f.inner[j] != 0;
        fprintf(stderr,
                "hierarchical: %zu of %zu parameters (scaling, offset, sigma) in closed form\n", k,
                f.n_par);
    }
    char *cmdline = cli_join_args(argc + 1, argv - 1);
    done = calloc(f.n_starts + 1, 1);
    int rc = done ? 0 : ilnet_error_oom();
    if (!rc && a.profile) { /* a bad --profile list is refused before any start runs */
        size_t *which = NULL, k;
        rc = profile_list(&which, &k, &f, a.profile);
        free(which);
    }
    if (!rc && a.out && rank == 0) /* rank 0 writes; in an MPI run the others send to it */
        rc = a.resume ? ilnet_h5fit_open(&R.h5, a.out, a.yaml, &f, &a.o, done)
                      : ilnet_h5fit_create(&R.h5, a.out, a.yaml, &f, &a.o, cmdline ? cmdline : "");
    rc = agree(rc, done, f.n_starts);
    a.o.done = done;
    a.o.on_start = on_start;
    a.o.payload = &R;
    /* SIGINT/SIGTERM: the starts in flight are abandoned, the finished ones stay */
    cli_signals sig;
    a.o.cancel = cli_signals_catch(&sig);
    if (!rc) rc = ilnet_fit_run(&f, a.yaml, &a.o);
    cli_signals_restore(&sig);
    if (rc == ILNET_ECANCELLED && rank == 0) {
        size_t n = 0;
        for (size_t i = 0; i < f.n_starts; i++)
            n += f.starts[i].status != ILNET_FIT_PENDING;
        ilnet_error_set(ILNET_ECANCELLED, "fit interrupted: %zu of %zu starts finished%s%s%s", n,
                        f.n_starts, a.out ? " (kept in " : "", a.out ? a.out : "",
                        a.out ? "; --resume continues)" : "");
    }
    if (rank != 0) { /* rank 0 reports */
        code = rc ? cli_fail() : EXIT_OK;
        goto out;
    }
    int failed = !rc && !isfinite(f.starts[f.best].objective); /* every start failed */
    if (!rc && !f.stopped) print_best(&f);
    if (!rc && !f.stopped && !failed) {
        fflush(stdout);
        rc = uncertainty(&a, &f, R.h5);
        if (!rc && R.h5) rc = best_outputs(&a, &f, R.h5);
    }
    if (!rc && R.h5) {
        rc = ilnet_h5fit_finish(R.h5, &f); /* closes it */
        R.h5 = NULL;
    }
    if (rc)
        code = cli_fail();
    else if (f.stopped)
        code = EXIT_INPUT;
    else
        code = failed ? EXIT_SOLVER : EXIT_OK;
out:
    ilnet_h5fit_close(R.h5);
    free(done);
    free(cmdline);
    ilnet_fit_free(&f);
    return code;
}

/* ilnet fit PROBLEM.yaml: multi-start parameter estimation on a PEtab problem. */
#include "../common/error.h"
#include "../experiment/dispatch.h"
#include "cli.h"

#include <ilnet/fit.h>

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
    "                 [--gradient auto|forward|adjoint]\n"
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
    "  --gradient G     forward: forward sensitivities (CVODES, cost growing with the\n"
    "                   parameters); adjoint: one backward run per condition (lbfgs only);\n"
    "                   auto (default): adjoint for lbfgs when at least 10 estimated\n"
    "                   parameters move the state\n"
    "  -q               no line per start\n"
    "\n"
    "SIGINT/SIGTERM (Ctrl-C) stop the fit: the starts in flight are abandoned, the finished\n"
    "ones stay in F for --resume.\n"
    "\n"
    "Exit status: 0, 1 bad input or interrupted, 2 every start failed.\n";

typedef struct {
    const char *yaml;
    int quiet;
    ilnet_fit_run_options o;
} fit_args;

static int parse_number(fit_args *a, int c, const char *arg)
{
    long v, lo = c == 's' || c == 't' ? 0 : 1;
    if (cli_parse_long(arg, &v) || v < lo || v > (c == 't' ? 4096 : 1000000000L))
        return cli_usage_error("fit", "--%s needs a whole number >= %ld, not '%s'",
                               c == 'n'   ? "starts"
                               : c == 's' ? "seed"
                               : c == 't' ? "threads"
                                          : "max-iter",
                               lo, arg);
    if (c == 'n') a->o.starts = (size_t)v;
    if (c == 's') a->o.seed = v ? (unsigned long)v : 0; /* 0: the library's default, 1 */
    if (c == 't') a->o.threads = (int)v;
    if (c == 'i') a->o.max_iter = v;
    return -1;
}

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
                                         {"gradient", required_argument, 0, 'D'},
                                         {0, 0, 0, 0}};
    const char *C = "fit";
    ilnet_fit_run_options d = ILNET_FIT_RUN_OPTIONS_INIT;
    *a = (fit_args){.o = d};
    double atol = 1e-12, rtol = 1e-10;
    long v;
    int c, code;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":hqo:", opts, NULL)) != -1) {
        if (c == 'n' || c == 's' || c == 't' || c == 'i') {
            if ((code = parse_number(a, c, optarg)) >= 0) return code;
        } else if (c == 'm') {
            if (strcmp(optarg, "auto") && strcmp(optarg, "ls-trust") && strcmp(optarg, "lbfgs"))
                return cli_usage_error(C, "--optimizer: '%s' is not auto, ls-trust or lbfgs",
                                       optarg);
            a->o.optimizer = optarg;
        } else if (c == 'o')
            a->o.output = optarg;
        else if (c == 'P')
            a->o.profile = optarg;
        else if (c == 'N' && (cli_parse_long(optarg, &v) || v < 1 || v > 100000))
            return cli_usage_error(C, "--profile-points needs a whole number >= 1, not '%s'",
                                   optarg);
        else if (c == 'N')
            a->o.profile_points = (size_t)v;
        else if (c == 'R')
            a->o.resume = 1;
        else if (c == 'H' || c == 'G')
            a->o.hierarchical = c == 'H' ? 1 : -1;
        else if (c == 'X')
            a->o.include_nominal = 1;
        else if (c == 'D' && strcmp(optarg, "auto") && strcmp(optarg, "forward") &&
                 strcmp(optarg, "adjoint"))
            return cli_usage_error(C, "--gradient: '%s' is not auto, forward or adjoint", optarg);
        else if (c == 'D')
            a->o.gradient = optarg;
        else if (c == 'q')
            a->quiet = 1;
        else if ((code = cli_common_option(c, C, help, argv, &atol, &rtol)) >= 0)
            return code;
    }
    if (optind != argc - 1) return cli_usage_error(C, "expected one PROBLEM.yaml");
    if (a->o.resume && !a->o.output) return cli_usage_error(C, "--resume needs -o FIT.h5");
    a->o.atol = atol;
    a->o.rtol = rtol;
    a->yaml = argv[optind];
    return -1;
}

static int on_start(const ilnet_fit_start_info *s, void *payload)
{
    (void)payload;
    fprintf(stderr, "start %zu (%zu/%zu): llh %.10g, %s (%s), %ld it, %.2f s | best llh %.10g\n",
            s->index, s->done, s->total, s->llh, s->status, s->reason, s->iterations, s->seconds,
            s->best_llh);
    return 0;
}

static void on_message(ilnet_message_level level, const char *text, void *payload)
{
    (void)level;
    (void)payload;
    fprintf(stderr, "%s\n", text);
}

static double from_scale(const char *scale, double t)
{
    return !strcmp(scale, "log10") ? pow(10, t) : !strcmp(scale, "log") ? exp(t) : t;
}

static void print_best(const ilnet_fit_result *r)
{
    double llh, log_prior;
    const double *theta;
    ilnet_fit_result_start(&llh, &log_prior, NULL, NULL, NULL, NULL, NULL, &theta, r,
                           ilnet_fit_result_best(r));
    printf("best llh: %.17g\n", llh);
    if (log_prior != 0) printf("log_prior: %.17g\n", log_prior);
    for (size_t j = 0; j < ilnet_fit_result_parameter_count(r); j++)
        printf("  %s %.17g (%.10g)\n", ilnet_fit_result_parameter_id(r, j), theta[j],
               from_scale(ilnet_fit_result_parameter_scale(r, j), theta[j]));
}

static void print_intervals(const ilnet_fit_result *r, int profiled)
{
    const double *lo = ilnet_fit_result_fisher_lower(r), *hi = ilnet_fit_result_fisher_upper(r);
    const double *plo = ilnet_fit_result_profile_lower(r), *phi = ilnet_fit_result_profile_upper(r);
    size_t np = ilnet_fit_result_parameter_count(r);
    for (size_t j = 0; lo && j < np; j++)
        printf("fisher 95%% CI: %s %.10g %.10g\n", ilnet_fit_result_parameter_id(r, j), lo[j],
               hi[j]);
    for (size_t j = 0; profiled && plo && j < np; j++)
        if (!isnan(plo[j]))
            printf("profile 95%% CI: %s %.10g %.10g\n", ilnet_fit_result_parameter_id(r, j), plo[j],
                   phi[j]);
}

/* the finished starts stay in the file; --resume runs the others */
static int interrupted(const ilnet_fit_result *r, const fit_args *a)
{
    size_t n = 0, total = ilnet_fit_result_start_count(r);
    for (size_t i = 0; i < total; i++) {
        const char *status;
        ilnet_fit_result_start(NULL, NULL, &status, NULL, NULL, NULL, NULL, NULL, r, i);
        n += strcmp(status, "pending") != 0;
    }
    fprintf(stderr, "ilnet: fit interrupted: %zu of %zu starts finished%s%s%s\n", n, total,
            a->o.output ? " (kept in " : "", a->o.output ? a->o.output : "",
            a->o.output ? "; --resume continues)" : "");
    return EXIT_INPUT;
}

int cmd_fit(int argc, char **argv)
{
    fit_args a;
    int code = parse_args(&a, argc, argv);
    if (code >= 0) return code;
    int rank = 0, size = 1;
    ilnet_dispatch_world(&rank, &size);
    char *cmdline = cli_join_args(argc + 1, argv - 1);
    a.o.command_line = cmdline;
    if (!a.quiet) {
        a.o.on_start = on_start;
        a.o.message = on_message;
    }
    /* SIGINT/SIGTERM: the starts in flight are abandoned, the finished ones stay */
    cli_signals sig;
    a.o.cancel = cli_signals_catch(&sig);
    ilnet_fit_result *r = NULL;
    int rc = ilnet_fit_problem(&r, a.yaml, &a.o);
    cli_signals_restore(&sig);
    if (rank != 0) /* rank 0 reports */
        code = rc && rc != ILNET_ESOLVER ? cli_fail() : EXIT_OK;
    else if (rc == ILNET_ECANCELLED && r)
        code = interrupted(r, &a);
    else if (rc && rc != ILNET_ESOLVER)
        code = cli_fail();
    else {
        print_best(r);
        print_intervals(r, a.o.profile != NULL);
        if (rc) fprintf(stderr, "ilnet: %s\n", ilnet_error_last());
        code = rc ? EXIT_SOLVER : EXIT_OK;
    }
    ilnet_fit_result_free(r);
    free(cmdline);
    return code;
}

/* ilnet petab evaluate PROBLEM.yaml: a PEtab problem's objective at given parameters. */
#include "../common/clock.h"
#include "../common/error.h"
#include "../common/tsv.h"
#include "../experiment/petab.h"
#include "../output/h5petab.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet petab evaluate PROBLEM.yaml [--parameters P.tsv] [--simulations OUT.tsv]\n"
    "                            [-o OUT.h5] [--gradient] [--threads T] [--atol A] [--rtol R]\n"
    "                            [--hierarchical] [--adjoint]\n"
    "\n"
    "Reads a PEtab v1 problem (SBML model, or an ilnet .bngl/.net model as an extension),\n"
    "simulates every condition (preequilibration to a steady state where asked) and prints\n"
    "  llh: <log-likelihood of the data>\n"
    "  chi2: <sum of squared weighted residuals>\n"
    "  log_prior: <sum of the log prior densities> (when the parameter table has priors)\n"
    "\n"
    "  --parameters F   parameter values (linear scale): a table with columns parameterId and\n"
    "                   value (or nominalValue); others keep the parameter table's nominal value\n"
    "  --simulations F  the simulated observable of every measurement, as a table\n"
    "  -o, --output F   an HDF5 file: the objective, every measurement with its simulation,\n"
    "                   noise and weighted residual, the parameters used, and with --gradient\n"
    "                   the gradient and the residuals' Jacobian (docs/petab.md)\n"
    "  --gradient       also 'gradient: <id> <value>' per estimated parameter: d llh / d\n"
    "                   parameter on its parameterScale, from forward sensitivities\n"
    "  --adjoint        the gradient by the adjoint method instead (one backward run per\n"
    "                   condition, whatever the number of parameters); conditions with a\n"
    "                   preequilibration or steady-state measurements, and -o (which writes\n"
    "                   the residuals' Jacobian), keep forward sensitivities\n"
    "  --threads T      simulate the condition pairs on T worker threads (default 1); each\n"
    "                   thread holds its own copy of the problem\n"
    "  --atol, --rtol   integration tolerances (default 1e-12 and 1e-10)\n"
    "  --hierarchical   parameters with a parameterType (scaling, offset, sigma) take their\n"
    "                   closed-form optimum for these simulations (printed as 'inner: <id>\n"
    "                   <value>'); the other values are used as given\n"
    "\n"
    "Exit status: 0, 1 bad input (FILE:ROW: column: id: message), 2 a simulation failed\n"
    "(llh: -inf).\n";

/* values from a table with parameterId and value/nominalValue columns into x */
static int read_values(const ilnet_petab *p, const char *path, double *x)
{
    ilnet_tsv t;
    int rc = ilnet_tsv_read(&t, path);
    if (rc) return rc;
    int ci = ilnet_tsv_col(&t, "parameterId"), cv = ilnet_tsv_col(&t, "value");
    if (cv < 0) cv = ilnet_tsv_col(&t, "nominalValue");
    if (ci < 0 || cv < 0)
        rc = ilnet_error_set(ILNET_EINPUT, "%s:1: header: needs columns parameterId and value",
                             path);
    for (size_t r = 0; r < t.n_rows && !rc; r++) {
        const char *id = ilnet_tsv_cell(&t, r, ci), *v = ilnet_tsv_cell(&t, r, cv);
        int i = ilnet_strmap_get(&p->par_ids, id, (size_t)-1);
        char *end;
        double d = strtod(v, &end);
        if (i < 0)
            rc = ilnet_error_set(ILNET_EINPUT, "%s:%d: parameterId: %s: not in the parameter table",
                                 path, t.line[r], id);
        else if (!*v || *end || !isfinite(d))
            rc = ilnet_error_set(ILNET_EINPUT, "%s:%d: value: %s: '%s' is not a finite number",
                                 path, t.line[r], id, v);
        else
            x[i] = d;
    }
    ilnet_tsv_free(&t);
    return rc;
}

static void problems_free(ilnet_petab **ps, long n)
{
    for (long t = 0; ps && t < n; t++)
        ilnet_petab_free(ps[t]);
    free(ps);
}

typedef struct {
    const char *yaml, *pars, *sims, *h5;
    double atol, rtol;
    int gradient, hierarchical, adjoint;
    long threads;
} evaluate_args;

/* returns -1 to go on, else the exit code */
static int parse_args(evaluate_args *a, int argc, char **argv)
{
    static const struct option opts[] = {{"parameters", required_argument, 0, 'p'},
                                         {"simulations", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"atol", required_argument, 0, 'a'},
                                         {"rtol", required_argument, 0, 'r'},
                                         {"gradient", no_argument, 0, 'g'},
                                         {"threads", required_argument, 0, 't'},
                                         {"hierarchical", no_argument, 0, 'H'},
                                         {"adjoint", no_argument, 0, 'A'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *C = "petab evaluate";
    *a = (evaluate_args){.atol = 1e-12, .rtol = 1e-10, .threads = 1};
    int c, code;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
        if (c == 'p')
            a->pars = optarg;
        else if (c == 's')
            a->sims = optarg;
        else if (c == 'o')
            a->h5 = optarg;
        else if (c == 'g')
            a->gradient = 1;
        else if (c == 'H')
            a->hierarchical = 1;
        else if (c == 'A')
            a->adjoint = 1;
        else if (c == 't' &&
                 (cli_parse_long(optarg, &a->threads) || a->threads < 1 || a->threads > 4096))
            return cli_usage_error(C, "--threads needs a whole number 1-4096, not '%s'", optarg);
        else if ((code = cli_common_option(c, C, help, argv, &a->atol, &a->rtol)) >= 0)
            return code;
    }
    if (optind != argc - 1) return cli_usage_error(C, "expected one PROBLEM.yaml");
    a->yaml = argv[optind];
    return -1;
}

static void print_result(const ilnet_petab *p, const ilnet_petab_result *r, const double *x,
                         int hierarchical)
{
    printf("llh: %.17g\nchi2: %.17g\n", r->llh, r->chi2);
    for (size_t i = 0; hierarchical && !r->status && i < p->n_par; i++)
        if (p->par[i].inner) printf("inner: %s %.17g\n", p->par[i].id, x[i]);
    for (size_t i = 0; r->grad && !r->status && i < p->n_par; i++)
        if (p->par[i].estimate) printf("gradient: %s %.17g\n", p->par[i].id, r->grad[i]);
    for (size_t i = 0; i < p->n_par; i++)
        if (p->par[i].prior) {
            printf("log_prior: %.17g\n", r->log_prior);
            break;
        }
}

static int evaluate(int argc, char **argv)
{
    evaluate_args a;
    int code = parse_args(&a, argc, argv);
    if (code >= 0) return code;
    double start = ilnet_clock_now();
    ilnet_petab **ps = calloc((size_t)a.threads, sizeof *ps), *p = NULL;
    double *x = NULL;
    ilnet_petab_result r = {0};
    char *cmdline = NULL;
    code = EXIT_OK;
    for (long t = 0; ps && t < a.threads && code == EXIT_OK; t++)
        if (ilnet_petab_read(&ps[t], a.yaml)) code = cli_fail();
    if (!ps || code) goto out;
    p = ps[0];
    if (!(x = malloc((p->n_par + 1) * sizeof *x))) goto fail;
    for (size_t i = 0; i < p->n_par; i++)
        x[i] = p->par[i].nominal;
    if (a.pars && read_values(p, a.pars, x)) goto fail;
    int what = (a.gradient ? ILNET_PETAB_GRADIENT : 0) | (a.h5 ? ILNET_PETAB_RESIDUALS : 0) |
               (a.adjoint ? ILNET_PETAB_ADJOINT : 0);
    if (a.hierarchical && !p->n_inner) {
        petab_inner_none(p);
        goto fail;
    }
    int rc = a.hierarchical
                 ? ilnet_petab_evaluate_inner(&r, ps, (int)a.threads, x, a.atol, a.rtol, what)
                 : ilnet_petab_evaluate_parallel(&r, ps, (int)a.threads, x, a.atol, a.rtol, what);
    if (rc && rc != ILNET_ESOLVER) goto fail;
    if (a.sims && ilnet_petab_write_simulations(p, &r, a.sims)) goto fail;
    cmdline = cli_join_args(argc + 2, argv - 2);
    ilnet_h5_petab_meta meta = {a.yaml, cmdline ? cmdline : "", ilnet_clock_now() - start, a.atol,
                                a.rtol};
    if (a.h5 && ilnet_h5_write_petab(a.h5, p, x, &r, &meta)) goto fail;
    print_result(p, &r, x, a.hierarchical);
    if (rc == ILNET_ESOLVER) {
        fprintf(stderr, "ilnet: %s: %s\n", a.yaml, r.message);
        code = EXIT_SOLVER;
    }
    goto out;
fail:
    code = cli_fail();
out:
    ilnet_petab_result_free(&r);
    free(x);
    free(cmdline);
    problems_free(ps, a.threads);
    return code;
}

int cmd_petab(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(help, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_INPUT : EXIT_OK;
    }
    if (!strcmp(argv[1], "evaluate")) return evaluate(argc - 1, argv + 1);
    return cli_usage_error("petab", "unknown subcommand '%s' (evaluate)", argv[1]);
}

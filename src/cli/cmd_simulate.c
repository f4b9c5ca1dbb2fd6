#include "../common/error.h"
#include "../output/h5out.h"
#include "../model/sbml/sbml.h"
#include "../output/textout.h"
#include "../model/load.h"
#include "../solver/solver.h"
#include "../common/file.h"
#include "../model/presets.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char help[] =
    "usage: ilnet simulate MODEL [--t-start T0] (--t-end T | --duration D) --n-steps N\n"
    "                      [--atol A] [--rtol R] [--max-steps M] [--solver auto|dense|klu|gmres]\n"
    "                      [--preset NAME]... [--presets FILE] [--set NAME=VALUE]...\n"
    "                      [--sens all|NAME,...] [-o OUT.h5] [--csv OUT.csv]\n"
    "                      [--gdat PREFIX] [-q]\n"
    "\n"
    "Integrates MODEL (BioNetGen .net or .bngl, or SBML .xml) with CVODE (BDF, "
    "Newton, analytic Jacobian)\n"
    "and writes N+1 equally spaced output rows from T0 to T0+D (or T).\n"
    "\n"
    "  --t-start T0     start time (default 0)\n"
    "  --t-end T        end time\n"
    "  --duration D     end time is T0 + D\n"
    "  --n-steps N      number of output intervals (N+1 rows including T0)\n"
    "  --atol A         absolute tolerance (default 1e-8; 1e-14 for SBML models)\n"
    "  --rtol R         relative tolerance (default 1e-8)\n"
    "  --max-steps M    CVODE internal steps allowed per output interval (default 100000)\n"
    "  --solver S       linear solver: dense, klu (sparse direct), gmres (Krylov,\n"
    "                   preconditioned by a KLU factorisation kept across steps), or\n"
    "                   auto (dense up to 10 species, klu, gmres from 250; default)\n"
    "  -o, --output F   HDF5 time course (default MODEL's name with .h5, in the current\n"
    "                   directory, unless --csv or --gdat is given)\n"
    "  --csv F          CSV: time, observables, then species\n"
    "  --gdat PREFIX    BioNetGen-style PREFIX.gdat (observables) and PREFIX.cdat (species)\n"
    "  --preset NAME    apply a named parameter preset (repeatable, in order) from\n"
    "                   --presets FILE or MODEL.presets.yaml beside the model\n"
    "  --set NAME=V     set a parameter after the presets (repeatable); derived\n"
    "                   parameters and initial amounts follow\n"
    "  --sens LIST      forward sensitivities (CVODES) of every species and observable\n"
    "                   w.r.t. these parameters (derived ones too: what is defined from\n"
    "                   them follows) or species (their initial amounts), or 'all'\n"
    "                   parameters; written to the HDF5 file as /species_sensitivities\n"
    "                   [time x species x parameter] and /observable_sensitivities\n"
    "  --vars a,b,...   (SBML) CSV columns by SBML id: species, parameters, compartments\n"
    "  --amount a,...   (SBML) report these species as amounts\n"
    "  --concentration a,...  (SBML) report these species as concentrations (the default\n"
    "                   for species whose symbol is a concentration)\n"
    "  -q, --quiet      no summary on stdout\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 solver failure (the rows reached are written and\n"
    "the HDF5 file's 'status' attribute says 'partial').\n";

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static int in_list(const char *list, const char *id)
{
    size_t n = strlen(id);
    for (const char *p = list; p && *p;) {
        while (*p == ' ')
            p++;
        const char *e = strchr(p, ',');
        size_t k = e ? (size_t)(e - p) : strlen(p);
        while (k && p[k - 1] == ' ')
            k--;
        if (k == n && !strncmp(p, id, n)) return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

/* --vars a,b,c: columns by SBML id, species in amount or concentration units */
static int write_vars_csv(const char *path, const ilnet_network *net, const ilnet_result *res,
                          const ilnet_sbml_symbols *syms, const char *vars, const char *amount,
                          const char *conc)
{
    const char *names[1024], *exprs[1024];
    char *copy = strdup(vars);
    int n = 0, rc = 0;
    if (!copy) return ilnet_error_oom();
    for (char *t = strtok(copy, ", "); t && !rc; t = strtok(NULL, ", ")) {
        int i = ilnet_sbml_symbol_find(syms, t);
        if (i < 0)
            rc = ilnet_error_set(ILNET_EINPUT, "--vars: the model has no symbol '%s'", t);
        else if (n == 1024)
            rc = ilnet_error_set(ILNET_EINPUT, "--vars: more than 1024 columns");
        else {
            int want_amount = in_list(amount, t) ? 1
                              : in_list(conc, t) ? 0
                                                 : syms->amount_default[i];
            names[n] = syms->id[i];
            exprs[n++] = want_amount ? syms->amount[i] : syms->conc[i];
        }
    }
    if (!rc) rc = ilnet_csv_write_columns(path, net, res, names, exprs, n);
    free(copy);
    return rc;
}

/* An output that would replace the model or the presets file is refused before anything
 * runs (the .gdat/.cdat pair counts for --gdat PREFIX). */
static int output_is_input(const char *model, const char *presets, const char *h5, const char *csv,
                           const char *gdat)
{
    char g[2][4096] = {"", ""};
    if (gdat) {
        snprintf(g[0], sizeof g[0], "%s.gdat", gdat);
        snprintf(g[1], sizeof g[1], "%s.cdat", gdat);
    }
    const char *outs[] = {h5, csv, gdat ? g[0] : NULL, gdat ? g[1] : NULL};
    const char *ins[] = {model, presets};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 2; k++)
            if (outs[i] && ins[k] && ilnet_file_same(outs[i], ins[k])) {
                fprintf(stderr,
                        "ilnet: %s: the output file is the %s (%s); refusing to overwrite an "
                        "input\n",
                        outs[i], k ? "presets file" : "model", ins[k]);
                return 1;
            }
    return 0;
}

int cmd_simulate(int argc, char **argv)
{
    static const struct option opts[] = {{"t-start", required_argument, 0, 's'},
                                         {"t-end", required_argument, 0, 'e'},
                                         {"duration", required_argument, 0, 'd'},
                                         {"n-steps", required_argument, 0, 'n'},
                                         {"atol", required_argument, 0, 'a'},
                                         {"rtol", required_argument, 0, 'r'},
                                         {"max-steps", required_argument, 0, 'm'},
                                         {"solver", required_argument, 0, 'S'},
                                         {"output", required_argument, 0, 'o'},
                                         {"csv", required_argument, 0, 'c'},
                                         {"gdat", required_argument, 0, 'g'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"preset", required_argument, 0, 'P'},
                                         {"presets", required_argument, 0, 'F'},
                                         {"set", required_argument, 0, 'V'},
                                         {"vars", required_argument, 0, 'X'},
                                         {"sens", required_argument, 0, 'T'},
                                         {"amount", required_argument, 0, 'A'},
                                         {"concentration", required_argument, 0, 'C'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *C = "simulate";
    double t0 = 0, t_end = 0, duration = 0;
    int have_end = 0, have_duration = 0, quiet = 0;
    long n_steps = -1;
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    const char *h5 = NULL, *csv = NULL, *gdat = NULL;
    cli_overrides ov = {0};
    const char *vars_list = NULL, *amount_list = "", *conc_list = "", *sens_list = NULL;
    int atol_given = 0;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (cli_parse_double(optarg, &t0))
                return cli_usage_error(C, "--t-start: bad number '%s'", optarg);
            break;
        case 'e':
            if (cli_parse_double(optarg, &t_end))
                return cli_usage_error(C, "--t-end: bad number '%s'", optarg);
            have_end = 1;
            break;
        case 'd':
            if (cli_parse_double(optarg, &duration) || duration <= 0)
                return cli_usage_error(C, "--duration: expected a positive number, got '%s'",
                                       optarg);
            have_duration = 1;
            break;
        case 'n':
            if (cli_parse_long(optarg, &n_steps) || n_steps < 1 || n_steps > 100000000)
                return cli_usage_error(C, "--n-steps: expected a positive integer, got '%s'",
                                       optarg);
            break;
        case 'a':
            atol_given = 1;
            if (cli_parse_double(optarg, &so.atol) || so.atol <= 0)
                return cli_usage_error(C, "--atol: expected a positive number, got '%s'", optarg);
            break;
        case 'r':
            if (cli_parse_double(optarg, &so.rtol) || so.rtol <= 0)
                return cli_usage_error(C, "--rtol: expected a positive number, got '%s'", optarg);
            break;
        case 'm':
            if (cli_parse_long(optarg, &so.max_steps) || so.max_steps < 1)
                return cli_usage_error(C, "--max-steps: expected a positive integer, got '%s'",
                                       optarg);
            break;
        case 'S':
            if (ilnet_linsol_parse(&so.linsol, optarg))
                return cli_usage_error(C, "--solver: expected auto, dense, klu or gmres, got '%s'",
                                       optarg);
            break;
        case 'o':
            h5 = optarg;
            break;
        case 'c':
            csv = optarg;
            break;
        case 'g':
            gdat = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'P':
        case 'V':
            if (cli_overrides_add(&ov, c == 'V', optarg, C)) return EXIT_INPUT;
            break;
        case 'F':
            ov.presets_file = optarg;
            break;
        case 'X':
            vars_list = optarg;
            break;
        case 'T':
            sens_list = optarg;
            break;
        case 'A':
            amount_list = optarg;
            break;
        case 'C':
            conc_list = optarg;
            break;
        case 'h':
            fputs(help, stdout);
            return EXIT_OK;
        case ':':
            return cli_usage_error(C, "option '%s' needs a value", argv[optind - 1]);
        default:
            return cli_usage_error(C, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return cli_usage_error(C, "missing MODEL");
    if (optind < argc - 1) return cli_usage_error(C, "unexpected argument '%s'", argv[optind + 1]);
    const char *model = cli_model_path(argv[optind]);
    if (!model) return EXIT_INPUT;
    if (have_end == have_duration)
        return cli_usage_error(C, "give exactly one of --t-end and --duration");
    if (have_duration) t_end = t0 + duration;
    if (!(t_end > t0)) return cli_usage_error(C, "--t-end %g is not after --t-start %g", t_end, t0);
    if (n_steps < 0) return cli_usage_error(C, "missing --n-steps");

    {
        /* the presets file is an input when a preset is applied */
        char *def = ov.n_presets && !ov.presets_file ? ilnet_presets_default_path(model) : NULL;
        int clash = output_is_input(model, ov.presets_file ? ov.presets_file : def, h5, csv, gdat);
        free(def);
        if (clash) return EXIT_INPUT;
    }
    ilnet_network *net = NULL;
    ilnet_solver *solver = NULL;
    ilnet_result res = {0};
    char *cmdline = NULL, *h5_default = NULL;
    int code = EXIT_OK;
    double start = now_seconds();
    ilnet_sbml_symbols syms = {0};
    int is_sbml = ends_with(model, ".xml") || ends_with(model, ".sbml");
    if (vars_list && !is_sbml) return cli_usage_error(C, "--vars needs an SBML model (.xml)");
    if (is_sbml ? ilnet_sbml_read(&net, &syms, model, &cli_notify)
                : ilnet_network_load(&net, model, &cli_notify))
        return cli_fail();
    /* SBML models often hold amounts of 1e-6 and below: a default absolute tolerance
     * of 1e-8 would ignore them */
    if (is_sbml && !atol_given) so.atol = 1e-14;
    if ((code = cli_overrides_apply(&ov, net, model, quiet)) != EXIT_OK) goto out;
    if (ilnet_solver_new(&solver, net, &so) || ilnet_result_init(&res, net, (size_t)n_steps + 1) ||
        (sens_list && cli_set_sensitivities(solver, net, sens_list, model, &so))) {
        code = cli_fail();
        goto out;
    }
    ilnet_result_linear_times(&res, t0, t_end);
    int rc = ilnet_solver_run(solver, &res, NULL);
    if (rc && rc != ILNET_ESOLVER) {
        code = cli_fail();
        goto out;
    }
    char solver_msg[1200] = "";
    if (rc == ILNET_ESOLVER) snprintf(solver_msg, sizeof solver_msg, "%s", ilnet_error_last());
    double wall = now_seconds() - start;

    if (!h5 && !csv && !gdat) h5 = h5_default = cli_default_output(model, ".h5");
    cmdline = cli_join_args(argc + 1, argv - 1);
    ilnet_timecourse_meta meta = {model,   ilnet_network_source_text(net),
                                  cmdline, ilnet_solver_linsol_name(solver),
                                  &so,     wall,
                                  NULL,    0};
    if (vars_list && csv) {
        if (write_vars_csv(csv, net, &res, &syms, vars_list, amount_list, conc_list)) {
            code = cli_fail();
            goto out;
        }
        csv = NULL;
    }
    if ((h5 && ilnet_h5_write_timecourse(h5, net, &res, &meta)) ||
        (csv && ilnet_csv_write(csv, net, &res)) || (gdat && ilnet_gdat_write(gdat, net, &res))) {
        code = cli_fail();
        goto out;
    }
    if (rc == ILNET_ESOLVER) {
        fprintf(stderr, "ilnet: %s: %s (wrote %zu of %zu rows, marked partial)\n", model,
                solver_msg, res.n_done, res.n_times);
        code = EXIT_SOLVER;
        goto out;
    }
    if (!quiet)
        printf("%s: %zu species, %zu reactions, %zu rows to t=%g; %ld steps, %ld RHS, %ld "
               "Jacobians (%s); %.3f s%s%s\n",
               model, res.n_species, ilnet_network_reaction_count(net), res.n_done, t_end,
               res.stats.steps, res.stats.rhs_evals, res.stats.jac_evals,
               ilnet_solver_linsol_name(solver), wall, h5 ? " -> " : "", h5 ? h5 : "");
out:
    ilnet_sbml_symbols_free(&syms);
    free(cmdline);
    free(h5_default);
    ilnet_result_free(&res);
    ilnet_solver_free(solver);
    ilnet_network_free(net);
    return code;
}

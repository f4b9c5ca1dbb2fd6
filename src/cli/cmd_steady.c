/* ilnet steady-state MODEL: the steady state reached from the initial amounts. */
#include "../common/clock.h"
#include "../common/error.h"
#include "../common/file.h"
#include "../model/load.h"
#include "../model/presets.h"
#include "../model/sbml/sbml.h"
#include "../output/h5out.h"
#include "../solver/solver.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet steady-state MODEL [--method auto|newton|integration] [--atol A] [--rtol R]\n"
    "                          [--max-time T] [--max-steps N] [--solver auto|dense|klu]\n"
    "                          [--preset NAME]... [--presets FILE] [--set NAME=VALUE]...\n"
    "                          [--sens all|NAME,...] [-o OUT.h5] [-q]\n"
    "\n"
    "Finds the steady state MODEL reaches from its initial amounts: Newton (KINSOL) on the\n"
    "rates with each conservation law in place of one of its species' equations, accepted\n"
    "when no amount is negative and (up to 600 species) no eigenvalue outside the conserved\n"
    "directions has a positive real part; otherwise, or when Newton fails, CVODE integrates\n"
    "until the rates are small (weighted RMS of dy/dt / (atol + rtol |y|) <= 1), and Newton\n"
    "polishes the result. Prints how it was found; writes the state as a one-row HDF5 time\n"
    "course (time = the simulated time, 0 for Newton) with the method in its attributes.\n"
    "\n"
    "  --method M       auto (Newton, then integration; default), newton, integration\n"
    "  --atol, --rtol   tolerances of the solver and of the convergence test (default 1e-8;\n"
    "                   atol 1e-14 for SBML)\n"
    "  --max-time T     integration: simulated time limit (default 1e10)\n"
    "  --max-steps N    integration: CVODE steps in all (default 200000)\n"
    "  --sens LIST      sensitivities of the steady state (J s = -df/dp, conservation laws\n"
    "                   held) w.r.t. parameters or species' initial amounts, or 'all'\n"
    "  --preset, --presets, --set   as for 'ilnet simulate'\n"
    "  -o, --output F   HDF5 file (default MODEL's name with _steady.h5)\n"
    "  -q, --quiet      no summary on stdout\n"
    "\n"
    "Exit status: 0 found, 1 bad input, 2 no steady state (the message says why: the time\n"
    "or step limit, the species still changing fastest, an unstable Newton solution).\n";

typedef struct {
    ilnet_steady_options st;
    ilnet_solver_options so;
    const char *h5, *sens;
    cli_overrides ov;
    int quiet, atol_given;
} steady_args;

static int parse_method(ilnet_steady_options *st, const char *m)
{
    st->newton = !strcmp(m, "auto") || !strcmp(m, "newton");
    st->integrate = !strcmp(m, "auto") || !strcmp(m, "integration");
    return st->newton || st->integrate ? 0 : -1;
}

/* options into a; returns the index of MODEL in argv, or -(exit code) */
static int parse_args(steady_args *a, int argc, char **argv)
{
    static const struct option opts[] = {{"method", required_argument, 0, 'M'},
                                         {"atol", required_argument, 0, 'a'},
                                         {"rtol", required_argument, 0, 'r'},
                                         {"max-time", required_argument, 0, 'T'},
                                         {"max-steps", required_argument, 0, 'N'},
                                         {"solver", required_argument, 0, 'S'},
                                         {"preset", required_argument, 0, 'P'},
                                         {"presets", required_argument, 0, 'F'},
                                         {"set", required_argument, 0, 'V'},
                                         {"sens", required_argument, 0, 's'},
                                         {"output", required_argument, 0, 'o'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *C = "steady-state";
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'M':
            if (parse_method(&a->st, optarg))
                return -cli_usage_error(
                    C, "--method: expected auto, newton or integration, got '%s'", optarg);
            break;
        case 'a':
            a->atol_given = 1;
            if (cli_parse_double(optarg, &a->so.atol) || a->so.atol <= 0)
                return -cli_usage_error(C, "--atol: expected a positive number, got '%s'", optarg);
            break;
        case 'r':
            if (cli_parse_double(optarg, &a->so.rtol) || a->so.rtol <= 0)
                return -cli_usage_error(C, "--rtol: expected a positive number, got '%s'", optarg);
            break;
        case 'T':
            if (cli_parse_double(optarg, &a->st.max_time) || a->st.max_time <= 0)
                return -cli_usage_error(C, "--max-time: expected a positive number, got '%s'",
                                        optarg);
            break;
        case 'N':
            if (cli_parse_long(optarg, &a->st.max_steps) || a->st.max_steps < 1)
                return -cli_usage_error(C, "--max-steps: expected a positive integer, got '%s'",
                                        optarg);
            break;
        case 'S':
            if (ilnet_linsol_parse(&a->so.linsol, optarg))
                return -cli_usage_error(C, "--solver: expected auto, dense, klu or gmres, got '%s'",
                                        optarg);
            break;
        case 'P':
        case 'V':
            if (cli_overrides_add(&a->ov, c == 'V', optarg, C)) return -EXIT_INPUT;
            break;
        case 'F':
            a->ov.presets_file = optarg;
            break;
        case 's':
            a->sens = optarg;
            break;
        case 'o':
            a->h5 = optarg;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'h':
            fputs(help, stdout);
            return -EXIT_OK - 100; /* help printed: exit 0 */
        case ':':
            return -cli_usage_error(C, "option '%s' needs a value", argv[optind - 1]);
        default:
            return -cli_usage_error(C, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind >= argc) return -cli_usage_error(C, "missing MODEL");
    if (optind < argc - 1) return -cli_usage_error(C, "unexpected argument '%s'", argv[optind + 1]);
    return optind;
}

/* the steady state as a one-row time course */
static int write_h5(const char *path, const char *model, const ilnet_network *net,
                    ilnet_solver *solver, const ilnet_steady_result *r, const steady_args *a,
                    const char *cmdline, double wall)
{
    ilnet_result res;
    int rc = ilnet_result_init(&res, net, 1);
    if (rc) return rc;
    res.times[0] = r->t;
    memcpy(res.species, r->y, r->n_species * sizeof *r->y);
    memcpy(res.observables, r->obs, r->n_observables * sizeof *r->obs);
    res.n_done = 1;
    res.status = r->status;
    snprintf(res.message, sizeof res.message, "%s", r->message);
    res.stats.steps = r->steps;
    if (r->n_sens) {
        res.n_sens = r->n_sens;
        res.sens_which = r->sens_which;
        res.sens = r->sens;
        res.obs_sens = r->obs_sens;
    }
    ilnet_timecourse_meta meta = {model,   ilnet_network_source_text(net),
                                  cmdline, ilnet_solver_linsol_name(solver),
                                  &a->so,  wall,
                                  r,       0};
    rc = ilnet_h5_write_timecourse(path, net, &res, &meta);
    res.n_sens = 0; /* borrowed from r */
    res.sens_which = NULL;
    res.sens = res.obs_sens = NULL;
    ilnet_result_free(&res);
    return rc;
}

int cmd_steady(int argc, char **argv)
{
    steady_args a = {ILNET_STEADY_OPTIONS_INIT, ILNET_SOLVER_OPTIONS_INIT, NULL, NULL, {0}, 0, 0};
    int at = parse_args(&a, argc, argv);
    if (at == -EXIT_OK - 100) return EXIT_OK;
    if (at < 0) return -at;
    const char *model = cli_model_path(argv[at]);
    if (!model) return EXIT_INPUT;
    double start = ilnet_clock_now();
    ilnet_network *net = NULL;
    ilnet_solver *solver = NULL;
    ilnet_steady_result r = {0};
    ilnet_sbml_symbols syms = {0};
    char *cmdline = NULL, *h5_default = NULL;
    int code = EXIT_OK, is_sbml = strstr(model, ".xml") || strstr(model, ".sbml");
    if (is_sbml ? ilnet_sbml_read(&net, &syms, model, &cli_notify)
                : ilnet_network_load(&net, model, &cli_notify))
        return cli_fail();
    if (is_sbml && !a.atol_given) a.so.atol = 1e-14;
    if ((code = cli_overrides_apply(&a.ov, net, model, a.quiet)) != EXIT_OK) goto out;
    if (ilnet_solver_new(&solver, net, &a.so) ||
        (a.sens && cli_set_sensitivities(solver, net, a.sens, model, &a.so))) {
        code = cli_fail();
        goto out;
    }
    int rc = ilnet_solver_steady_state(solver, &r, NULL, &a.st);
    if (rc && rc != ILNET_ESOLVER) {
        code = cli_fail();
        goto out;
    }
    double wall = ilnet_clock_now() - start;
    const char *h5 = a.h5 ? a.h5 : (h5_default = cli_default_output(model, "_steady.h5"));
    cmdline = cli_join_args(argc + 1, argv - 1);
    if (!h5 || !cmdline || write_h5(h5, model, net, solver, &r, &a, cmdline, wall)) {
        code = cli_fail();
        goto out;
    }
    if (rc == ILNET_ESOLVER) {
        fprintf(stderr, "ilnet: %s: %s (the last state is in %s, marked partial)\n", model,
                r.message, h5);
        code = EXIT_SOLVER;
        goto out;
    }
    if (!a.quiet)
        printf("%s: steady state by %s (%ld Newton iterations, %ld steps to t = %g; weighted "
               "rate norm %.3g); %.3f s -> %s\n",
               model, ilnet_steady_method_name(r.method), r.newton_iters, r.steps, r.t, r.wrms,
               wall, h5);
out:
    ilnet_sbml_symbols_free(&syms);
    ilnet_steady_result_free(&r);
    free(cmdline);
    free(h5_default);
    ilnet_solver_free(solver);
    ilnet_network_free(net);
    return code;
}

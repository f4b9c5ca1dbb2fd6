#include "../common/error.h"
#include "../experiment/actions.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet run MODEL.bngl [--gdat] [--outdir DIR] [-q]\n"
    "\n"
    "Executes the actions of MODEL.bngl in order, as BioNetGen does: generate_network\n"
    "(writes MODEL.net), simulate/simulate_ode (method \"ode\"; one HDF5 file\n"
    "MODEL[_suffix].h5 each, continuing from the previous end state), setConcentration,\n"
    "setParameter, saveConcentrations, resetConcentrations, parameter_scan (MODEL_suffix.scan)\n"
    "and writeNetwork. All actions are checked before the first one runs.\n"
    "\n"
    "  --gdat           also write MODEL[_suffix].gdat and .cdat for every simulate\n"
    "  --outdir DIR     write outputs into DIR (default: the current directory)\n"
    "  -q, --quiet      no progress lines\n"
    "\n"
    "Exit status: 0 success, 1 bad input, 2 solver failure.\n";

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"gdat", no_argument, 0, 'g'},
                                         {"outdir", required_argument, 0, 'd'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *C = "run";
    ilnet_actions_options o = ILNET_ACTIONS_OPTIONS_INIT;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
        case 'g':
            o.gdat = 1;
            break;
        case 'd':
            o.outdir = optarg;
            break;
        case 'q':
            o.quiet = 1;
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
    if (optind >= argc) return cli_usage_error(C, "missing MODEL.bngl");
    if (optind < argc - 1) return cli_usage_error(C, "unexpected argument '%s'", argv[optind + 1]);
    const char *model = argv[optind];
    size_t n = strlen(model);
    if (n < 5 || strcmp(model + n - 5, ".bngl"))
        return cli_usage_error(C, "%s: expected a .bngl file", model);
    ilnet_bngl_model *m;
    if (ilnet_bngl_read(&m, model)) return cli_fail();
    char *cmdline = cli_join_args(argc + 1, argv - 1);
    o.command_line = cmdline;
    int rc = ilnet_actions_run(m, &o);
    int code = rc ? cli_fail() : EXIT_OK;
    free(cmdline);
    ilnet_bngl_free(m);
    return code;
}

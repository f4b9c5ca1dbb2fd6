#include "../common/error.h"
#include "../model/bngl/bngl.h"
#include "../model/netfile.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet netgen MODEL.bngl [-o OUT.net] [--max-iter N] [--max-agg N] [-q]\n"
    "\n"
    "Compiles the reaction rules of MODEL.bngl into a reaction network and writes it as a\n"
    "BioNetGen-compatible .net file (default: MODEL's name with .net, in the current\n"
    "directory). Limits default to the model's own generate_network action; the options\n"
    "override them.\n"
    "\n"
    "  -o, --output F   .net file to write\n"
    "  --max-iter N     rounds of rule application (0: until no new species)\n"
    "  --max-agg N      largest complex, in molecules (0: no limit)\n"
    "  --max-species N, --max-reactions N\n"
    "                   stop with an error beyond this size ('none': never). Without any\n"
    "                   limit (max_iter, max_agg, max_stoich) the ceiling is 200000 species\n"
    "                   and 5000000 reactions, so that unbounded rules (polymers) stop\n"
    "  -q, --quiet      no summary on stdout\n"
    "\n"
    "Exit status: 0 success, 1 bad input (file:line:col and the name at fault on stderr).\n";

int cmd_netgen(int argc, char **argv)
{
    static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                         {"max-iter", required_argument, 0, 'i'},
                                         {"max-agg", required_argument, 0, 'a'},
                                         {"quiet", no_argument, 0, 'q'},
                                         {"help", no_argument, 0, 'h'},
                                         {"max-species", required_argument, 0, 'S'},
                                         {"max-reactions", required_argument, 0, 'R'},
                                         {0, 0, 0, 0}};
    const char *C = "netgen", *out = NULL;
    long max_iter = -1, max_agg = -1, max_species = 0, max_reactions = 0;
    int quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", opts, NULL)) != -1) {
        switch (c) {
        case 'o':
            out = optarg;
            break;
        case 'i':
            if (cli_parse_long(optarg, &max_iter) || max_iter < 0 || max_iter > 1000000)
                return cli_usage_error(C, "--max-iter: expected a non-negative integer, got '%s'",
                                       optarg);
            break;
        case 'a':
            if (cli_parse_long(optarg, &max_agg) || max_agg < 0 || max_agg > 1000000)
                return cli_usage_error(C, "--max-agg: expected a non-negative integer, got '%s'",
                                       optarg);
            break;
        case 'q':
            quiet = 1;
            break;
        case 'S':
        case 'R': {
            long v;
            if (!strcmp(optarg, "none"))
                v = -1;
            else if (cli_parse_long(optarg, &v) || v < 1)
                return cli_usage_error(C,
                                       "--max-%s: expected a positive integer or 'none', got '%s'",
                                       c == 'S' ? "species" : "reactions", optarg);
            *(c == 'S' ? &max_species : &max_reactions) = v;
            break;
        }
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
    ilnet_bngl_model *m = NULL;
    ilnet_network *net = NULL;
    ilnet_netgen_options opt = ILNET_NETGEN_OPTIONS_INIT;
    ilnet_netgen_stats st = {0};
    char *def = NULL;
    int code = EXIT_OK;
    if (ilnet_bngl_read(&m, model) || ilnet_bngl_netgen_options(&opt, m)) {
        code = cli_fail();
        goto done;
    }
    if (max_iter >= 0) opt.max_iter = (int)max_iter;
    if (max_agg >= 0) opt.max_agg = (int)max_agg;
    opt.max_species = max_species;
    opt.max_reactions = max_reactions;
    opt.notify = quiet ? cli_notify_quiet : cli_notify_stderr;
    if (ilnet_bngl_generate(&net, m, &opt, &st)) {
        code = cli_fail();
        goto done;
    }
    if (st.n_idle)
        fprintf(stderr, "ilnet: warning: %s: %d rule(s) never apply to any species: %s\n", model,
                st.n_idle, st.idle);
    if (!out) out = def = cli_default_output(model, ".net");
    if (!out || ilnet_netfile_write(net, out)) {
        code = cli_fail();
        goto done;
    }
    if (!quiet)
        printf("%s: %zu species, %zu reactions, %zu observables in %d rounds (%.3f s)%s -> %s\n",
               model, ilnet_network_species_count(net), ilnet_network_reaction_count(net),
               ilnet_network_observable_count(net), st.iterations, st.seconds,
               st.truncated ? ", truncated by max_iter/max_agg/max_stoich" : "", out);
done:
    free(def);
    ilnet_network_free(net);
    ilnet_netgen_options_free(&opt);
    ilnet_bngl_free(m);
    return code;
}

#include "../common/error.h"
#include "../model/sbml/sbml.h"
#include "../model/load.h"
#include "../model/netfile.h"
#include "cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet export MODEL (--sbml OUT.xml | --net OUT.net) [--preset NAME]...\n"
    "                    [--presets FILE] [--set NAME=VALUE]... [-q]\n"
    "\n"
    "Writes the network of MODEL (.net, .bngl or SBML .xml) as SBML Level 3 Version 2\n"
    "(checked with libsbml's consistency checks; observables and functions become\n"
    "assignment rules, species are amounts in one compartment of size 1) or as a\n"
    "BioNetGen .net file. Presets and --set apply first, as for simulate.\n"
    "\n"
    "Exit status: 0 success, 1 bad input.\n";

int cmd_export(int argc, char **argv)
{
    static const struct option opts[] = {
        {"sbml", required_argument, 0, 's'},   {"net", required_argument, 0, 'n'},
        {"preset", required_argument, 0, 'P'}, {"presets", required_argument, 0, 'F'},
        {"set", required_argument, 0, 'V'},    {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *C = "export", *sbml = NULL, *netout = NULL;
    cli_overrides ov = {0};
    int quiet = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            sbml = optarg;
            break;
        case 'n':
            netout = optarg;
            break;
        case 'P':
        case 'V':
            if (cli_overrides_add(&ov, c == 'V', optarg, C)) return EXIT_INPUT;
            break;
        case 'F':
            ov.presets_file = optarg;
            break;
        case 'q':
            quiet = 1;
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
    if (!sbml == !netout) return cli_usage_error(C, "give exactly one of --sbml and --net");
    const char *model = cli_model_path(argv[optind]);
    if (!model) return EXIT_INPUT;
    ilnet_network *net;
    if (ilnet_network_load(&net, model, &cli_notify)) return cli_fail();
    int code = cli_overrides_apply(&ov, net, model, 1);
    if (code == EXIT_OK && (sbml ? ilnet_sbml_write(net, sbml) : ilnet_netfile_write(net, netout)))
        code = cli_fail();
    if (code == EXIT_OK && !quiet)
        printf("%s: %zu species, %zu reactions -> %s\n", model, ilnet_network_species_count(net),
               ilnet_network_reaction_count(net), sbml ? sbml : netout);
    ilnet_network_free(net);
    return code;
}

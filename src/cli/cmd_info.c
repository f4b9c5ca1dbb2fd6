#include "../common/error.h"
#include "../model/conservation.h"
#include "../model/load.h"
#include "../solver/solver.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char help[] =
    "usage: ilnet info MODEL [--full]\n"
    "\n"
    "Prints the sizes of MODEL's network, its observables, the linear solver 'auto' picks,\n"
    "and its linear conservation laws (c . y = total along every trajectory).\n"
    "\n"
    "  --full   list every term of every conservation law (default: the first 8)\n";

static void print_law(const ilnet_network *net, const ilnet_conservation_law *law, size_t k,
                      int full)
{
    printf("  C%zu: ", k + 1);
    int shown = full ? law->n_terms : (law->n_terms < 8 ? law->n_terms : 8);
    for (int t = 0; t < shown; t++) {
        double c = law->coef[t];
        const char *sign = c < 0 ? "- " : (t ? "+ " : "");
        printf("%s%s", t ? " " : "", sign);
        if (fabs(c) != 1) printf("%g ", fabs(c));
        printf("%s", ilnet_network_species(net, law->species[t])->name);
    }
    if (shown < law->n_terms) printf(" ... (+%d more terms)", law->n_terms - shown);
    printf(" = %.10g\n", law->total);
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {
        {"full", no_argument, 0, 'f'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    int full = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        if (c == 'f')
            full = 1;
        else
            return cli_usage_error("info", "unknown option '%s'", argv[optind - 1]);
    }
    if (optind >= argc) return cli_usage_error("info", "missing MODEL");
    if (optind < argc - 1)
        return cli_usage_error("info", "unexpected argument '%s'", argv[optind + 1]);
    const char *model = cli_model_path(argv[optind]);
    if (!model) return EXIT_INPUT;
    ilnet_network *net;
    if (ilnet_network_load(&net, model, &cli_notify)) return cli_fail();
    size_t ns = ilnet_network_species_count(net), nfixed = 0;
    for (size_t i = 0; i < ns; i++)
        nfixed += ilnet_network_species(net, i)->fixed != 0;
    const ilnet_stoich *st = ilnet_network_stoichiometry(net);
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    printf("model:        %s\n", model);
    printf("parameters:   %zu\n", ilnet_network_parameter_count(net));
    printf("species:      %zu (%zu fixed)\n", ns, nfixed);
    printf("reactions:    %zu\n", ilnet_network_reaction_count(net));
    printf("stoichiometry nonzeros: %d\n", st->col_ptr[st->n_cols]);
    printf("linear solver (auto): %s\n", (int)ns > so.dense_max ? "klu" : "dense");
    printf("observables:  %zu\n", ilnet_network_observable_count(net));
    for (size_t k = 0; k < ilnet_network_observable_count(net); k++) {
        const ilnet_observable *o = ilnet_network_observable(net, k);
        printf("  %s (%d species)\n", o->name, o->n_terms);
    }
    ilnet_conservation cons;
    int code = EXIT_OK;
    if (ilnet_conservation_analyze(&cons, net)) {
        code = cli_fail();
    } else {
        printf("conservation laws: %zu\n", cons.n_laws);
        for (size_t k = 0; k < cons.n_laws; k++)
            print_law(net, &cons.laws[k], k, full);
        ilnet_conservation_free(&cons);
    }
    ilnet_network_free(net);
    return code;
}

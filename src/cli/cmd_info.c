#include "../common/error.h"
#include "../model/conservation.h"
#include "../model/load.h"
#include "../solver/solver.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet info MODEL [--only SECTIONS] [--full]\n"
    "\n"
    "Describes MODEL (a .bngl, .net or SBML file, or a built-in name):\n"
    "  summary       sizes of the network and the linear solver 'auto' picks\n"
    "  parameters    every parameter: name, value, and its expression when it is derived\n"
    "                (the names --set, presets and studies accept)\n"
    "  species       every species: index, name, initial amount (and its expression),\n"
    "                'fixed' for amounts held constant\n"
    "  observables   every observable with its definition (weighted sum of species)\n"
    "  functions     every function with its expression\n"
    "  conservation  linear conservation laws (c . y = total along every trajectory)\n"
    "  reactions     every reaction: id, the rule or SBML reaction it comes from (the name\n"
    "                flux() readouts take), reactants -> products, rate (only with --only)\n"
    "\n"
    "  --only LIST   comma-separated sections to print (default: all but reactions, in\n"
    "                this order)\n"
    "  --full        every term of long observables and conservation laws (default: 8)\n";

enum {
    S_SUMMARY = 1,
    S_PARAMS = 2,
    S_SPECIES = 4,
    S_OBS = 8,
    S_FUNCS = 16,
    S_CONS = 32,
    S_REACTIONS = 64
};
static const char *const section_names[] = {"summary",   "parameters",   "species",  "observables",
                                            "functions", "conservation", "reactions"};

static int parse_sections(const char *list, unsigned *out)
{
    *out = 0;
    const char *p = list;
    while (*p) {
        size_t len = strcspn(p, ",");
        int hit = -1;
        for (int k = 0; k < 7 && hit < 0; k++)
            if (strlen(section_names[k]) == len && !strncmp(p, section_names[k], len)) hit = k;
        if (hit < 0)
            return cli_usage_error("info",
                                   "--only: unknown section '%.*s' (summary, parameters, "
                                   "species, observables, functions, conservation, reactions)",
                                   (int)len, p);
        *out |= 1u << hit;
        p += len + (p[len] == ',');
    }
    return *out ? 0 : cli_usage_error("info", "--only: no section named");
}

/* Whether text is just a number (then the value says it all). */
static int plain_number(const char *text)
{
    if (!text || !*text) return 1;
    char *end;
    strtod(text, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return end != text && !*end;
}

static void print_parameters(const ilnet_network *net)
{
    size_t n = ilnet_network_parameter_count(net);
    printf("parameters: %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const ilnet_parameter *p = ilnet_network_parameter(net, i);
        printf("  %-24s %.10g", p->name, p->value);
        if (!plain_number(p->text)) printf("  = %s", p->text);
        putchar('\n');
    }
}

static void print_species(const ilnet_network *net)
{
    size_t n = ilnet_network_species_count(net);
    printf("species: %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const ilnet_species *sp = ilnet_network_species(net, i);
        printf("  %4zu %s  %.10g", i + 1, ilnet_network_species_label(net, i), sp->initial);
        if (sp->label) printf(" (SBML id %s)", sp->name);
        if (!plain_number(sp->amount_text)) printf(" (= %s)", sp->amount_text);
        if (sp->fixed) printf("  fixed");
        putchar('\n');
    }
}

/* The species sum an observable stands for: "= w*S1 + S2 ..." (the first 8 terms unless
 * full). */
static void print_sum(const ilnet_network *net, const ilnet_observable *o, int full)
{
    printf(" =");
    int shown = full || o->n_terms <= 8 ? o->n_terms : 8;
    for (int t = 0; t < shown; t++) {
        double w = o->weights ? o->weights[t] : 1;
        printf(" %s", t ? (w < 0 ? "- " : "+ ") : (w < 0 ? "-" : ""));
        if (fabs(w) != 1) printf("%g*", fabs(w));
        printf("%s", ilnet_network_species(net, (size_t)o->species[t])->name);
    }
    if (!o->n_terms) printf(" 0");
    if (shown < o->n_terms) printf(" + ... (%d species in all)", o->n_terms);
}

/* As the model defined them (BNGL patterns) with their species count, else as the sum;
 * with full, the sum as well. */
static void print_observables(const ilnet_network *net, int full)
{
    size_t n = ilnet_network_observable_count(net);
    printf("observables: %zu\n", n);
    for (size_t k = 0; k < n; k++) {
        const ilnet_observable *o = ilnet_network_observable(net, k);
        printf("  %s", o->name);
        if (o->definition)
            printf(": %s (%d species)", o->definition, o->n_terms);
        else
            print_sum(net, o, full);
        if (o->definition && full) {
            printf("\n   ");
            print_sum(net, o, full);
        }
        putchar('\n');
    }
}

static void print_functions(const ilnet_network *net)
{
    size_t n = ilnet_network_function_count(net);
    printf("functions: %zu\n", n);
    for (size_t k = 0; k < n; k++) {
        const ilnet_function *f = ilnet_network_function(net, k);
        printf("  %s() = %s\n", f->name, f->text);
    }
}

static void print_side(const ilnet_network *net, const int *sp, const double *coef, int n)
{
    if (!n) printf("0");
    for (int j = 0; j < n; j++) {
        printf("%s", j ? " + " : "");
        if (coef && coef[j] != 1) printf("%g ", coef[j]);
        printf("%s", ilnet_network_species_label(net, (size_t)sp[j]));
    }
}

static void print_reactions(const ilnet_network *net)
{
    size_t n = ilnet_network_reaction_count(net);
    printf("reactions: %zu\n", n);
    for (size_t i = 0; i < n; i++) {
        const ilnet_reaction *r = ilnet_network_reaction(net, i);
        printf("  %s", r->name);
        if (r->label) printf(" (%s)", r->label);
        printf(": ");
        print_side(net, r->reactants, r->rcoef, r->n_reactants);
        printf(" -> ");
        print_side(net, r->products, r->pcoef, r->n_products);
        printf("  %s%s\n", r->rate_text, r->general ? " (velocity)" : "");
    }
}

static void print_summary(const ilnet_network *net, const char *model)
{
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
    printf("linear solver (auto): %s\n", (int)ns <= so.dense_max              ? "dense"
                                         : (int)ns >= ILNET_GMRES_MIN_SPECIES ? "gmres"
                                                                              : "klu");
    printf("observables:  %zu\n", ilnet_network_observable_count(net));
    printf("functions:    %zu\n", ilnet_network_function_count(net));
}

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

static int print_conservation(const ilnet_network *net, int full)
{
    ilnet_conservation cons;
    if (ilnet_conservation_analyze(&cons, net)) return cli_fail();
    printf("conservation laws: %zu\n", cons.n_laws);
    for (size_t k = 0; k < cons.n_laws; k++)
        print_law(net, &cons.laws[k], k, full);
    ilnet_conservation_free(&cons);
    return EXIT_OK;
}

int cmd_info(int argc, char **argv)
{
    static const struct option opts[] = {{"full", no_argument, 0, 'f'},
                                         {"only", required_argument, 0, 'o'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    int full = 0, c;
    unsigned want = ~0u & ~(unsigned)S_REACTIONS;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        if (c == 'h') {
            fputs(help, stdout);
            return EXIT_OK;
        }
        if (c == 'f')
            full = 1;
        else if (c == 'o') {
            if (parse_sections(optarg, &want)) return EXIT_INPUT;
        } else if (c == ':')
            return cli_usage_error("info", "option '%s' needs a value", argv[optind - 1]);
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
    if (want & S_SUMMARY) print_summary(net, model);
    if (want & S_PARAMS) print_parameters(net);
    if (want & S_SPECIES) print_species(net);
    if (want & S_OBS) print_observables(net, full);
    if (want & S_FUNCS) print_functions(net);
    if (want & S_REACTIONS) print_reactions(net);
    int code = want & S_CONS ? print_conservation(net, full) : EXIT_OK;
    ilnet_network_free(net);
    return code;
}

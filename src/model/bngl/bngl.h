/* BNGL models: parsing (blocks, patterns, rules, actions) and network generation.
 *
 *   ilnet_bngl_model *m;
 *   ilnet_bngl_read(&m, "model.bngl");            // file:line:col errors
 *   ilnet_network *net;
 *   ilnet_bngl_generate(&net, m, &opts);          // rules -> reaction network
 *
 * Generation follows BioNetGen 2.9 (see ../shared/specs/bngl-semantics.md): species are
 * site graphs with canonical labels, reactions carry statistical factors, limits
 * max_iter/max_agg/max_stoich truncate the network. */
#ifndef ILNET_BNGL_H
#define ILNET_BNGL_H

#include "../../common/notify.h"
#include "../network.h"
#include "graph.h"

typedef struct {
    char *name, *expr;
    int line;
} ilnet_bngl_param;

typedef struct {
    ilnet_graph g;
    char *amount;
    int fixed, line;
} ilnet_bngl_seed;

typedef struct {
    char *name;
    char *text;  /* the definition as written: "Molecules S5(y~p)" */
    int species; /* 1: Species observable (count each matching species once per pattern) */
    int n;
    ilnet_graph *pat;
    /* per pattern, a stoichiometric quantifier (BioNetGen's "Species Dimers R==2"): a Species
     * observable counts a species when the number of the pattern's embeddings in it
     * satisfies quant_op (ILNET_QUANT_*) against quant_val; BioNetGen ignores a quantifier
     * on a Molecules pattern, and so does ilnet */
    signed char *quant_op;
    int *quant_val;
    int line;
} ilnet_bngl_obs;

enum {
    ILNET_QUANT_NONE,
    ILNET_QUANT_EQ,
    ILNET_QUANT_LT,
    ILNET_QUANT_LE,
    ILNET_QUANT_GT,
    ILNET_QUANT_GE
};

typedef struct {
    char *name, *expr;
    int line;
} ilnet_bngl_func;

typedef struct {
    int reactant;    /* 0-based index of the reactant (or product) pattern */
    int include;     /* 1 include_*, 0 exclude_* */
    int on_products; /* 1: include_products/exclude_products */
    ilnet_graph pat;
} ilnet_bngl_cond;

typedef struct {
    char *name; /* label as written, or NULL */
    int line, col;
    int nr, np;
    ilnet_graph *react, *prod;
    char *rate, *rate_rev; /* rate_rev only for <-> */
    int reversible;
    int delete_molecules;
    int n_cond;
    ilnet_bngl_cond *cond;
} ilnet_bngl_rule;

/* One action call: name(args). Hash arguments {k=>v} land in keys/vals; positional
 * arguments have keys[i] == NULL. Values are the text as written, quotes removed. */
typedef struct {
    char *name;
    int line, col;
    int n;
    char **keys, **vals;
} ilnet_bngl_action;

typedef struct ilnet_bngl_model {
    char *path, *text;
    ilnet_moltypes mt;
    int n_params, n_seeds, n_obs, n_funcs, n_rules, n_actions;
    ilnet_bngl_param *params;
    ilnet_bngl_seed *seeds;
    ilnet_bngl_obs *obs;
    ilnet_bngl_func *funcs;
    ilnet_bngl_rule *rules;
    ilnet_bngl_action *actions;
    int n_labels;
    char **labels; /* %label names */
} ilnet_bngl_model;

int ilnet_bngl_read(ilnet_bngl_model **out, const char *path);
int ilnet_bngl_parse(ilnet_bngl_model **out, const char *path, const char *text);
void ilnet_bngl_free(ilnet_bngl_model *m);

/* Parses one species or pattern string against the model's molecule types (used by
 * setConcentration and tests). species=1 completes and checks it as a species. */
int ilnet_bngl_parse_graph(ilnet_graph *out, ilnet_bngl_model *m, const char *text, int species);

/* A pattern counted over the species of a network generated from BNGL (its source text
 * gives the molecule types), as an observable counts it: the number of matches in each
 * species (Molecules), or 1 per species it matches (species_count, a Species
 * observable). The species with nonzero weight into sp[*n], w[*n] (room for every
 * species). */
int ilnet_bngl_pattern_weights(const ilnet_network *net, const char *pattern, int species_count,
                               int *sp, double *w, int *n);

typedef struct {
    int max_iter; /* rounds of rule application; <= 0: unlimited */
    int max_agg;  /* molecules per species; <= 0: unlimited */
    int n_stoich; /* max_stoich entries */
    char **stoich_names;
    int *stoich_max;
    int verbose;
    /* A ceiling on the network, so that a model that grows without bound (polymers) stops
     * with an error instead of running until memory is gone. 0: the defaults below when
     * none of max_iter, max_agg, max_stoich is given (no ceiling otherwise); < 0: none. */
    long max_species, max_reactions;
    ilnet_notify notify; /* a line per round (INFO) once generation has taken a second */
} ilnet_netgen_options;

#define ILNET_NETGEN_DEFAULT_MAX_SPECIES 200000L
#define ILNET_NETGEN_DEFAULT_MAX_REACTIONS 5000000L

#define ILNET_NETGEN_OPTIONS_INIT                                                                  \
    {                                                                                              \
        0, 0, 0, NULL, NULL, 0, 0, 0, ILNET_NOTIFY_NONE                                            \
    }

typedef struct {
    int iterations;
    double seconds;
    int truncated;  /* 1 when a limit dropped products */
    int n_idle;     /* rules (or reverse rules) that generated no reaction at all */
    char idle[512]; /* their names and lines, "R3 (line 12), ..." (cut when long) */
} ilnet_netgen_stats;

/* Generates and compiles the network. stats may be NULL. */
int ilnet_bngl_generate(ilnet_network **out, const ilnet_bngl_model *m,
                        const ilnet_netgen_options *opts, ilnet_netgen_stats *stats);

/* Options of the model's first generate_network action (defaults when there is none). */
int ilnet_bngl_netgen_options(ilnet_netgen_options *opts, const ilnet_bngl_model *m);
void ilnet_netgen_options_free(ilnet_netgen_options *opts);

#endif

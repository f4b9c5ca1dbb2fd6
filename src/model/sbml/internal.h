/* The parts of the SBML importer, one concern per file:
 *   read.c      the document: libsbml errors, converters, the entry point and symbols
 *   build.c     the model's symbols (compartments, parameters, species), initial values,
 *               rules, events and the output symbols
 *   reaction.c  reactions: mass-action detection and general rate laws
 *   math.c      MathML -> ilnet expression text (function definitions expanded)
 * write.c, the exporter, shares nothing with them but sbml.h. */
#ifndef ILNET_SBML_INTERNAL_H
#define ILNET_SBML_INTERNAL_H

#include "../../common/error.h"
#include "../../common/strbuf.h"
#include "../../common/strmap.h"
#include "sbml.h"

#include <sbml/SBMLTypes.h>

enum { ILNET_SBML_SPECIES, ILNET_SBML_PARAM, ILNET_SBML_COMP };

/* an SBML symbol as the importer sees it */
typedef struct {
    const char *id;
    int kind;         /* ILNET_SBML_SPECIES, _PARAM or _COMP */
    int conc;         /* species: symbol means concentration */
    const char *comp; /* species: compartment id */
    int assigned;     /* has an assignment rule (becomes a function) */
    int rate_rule;    /* has a rate rule */
    int event_target; /* parameter or compartment an event assigns: a fixed species */
    int state_init;   /* parameter whose initial assignment uses the state: a fixed species */
    int net_species;  /* index in the network (species or parameter state), or -1 */
    /* a species reference's id (kind _PARAM): its stoichiometry, a symbol of the model */
    const SpeciesReference_t *sref;
} ilnet_sbml_sym;

/* a call of a function definition: its argument names bound to the argument texts */
typedef struct ilnet_sbml_frame {
    const ASTNode_t *lambda;
    char **args;
    unsigned nargs;
    const struct ilnet_sbml_frame *up;
} ilnet_sbml_frame;

typedef struct {
    const char *path;
    Model_t *m;
    const ilnet_sbml_frame *fr; /* innermost function call being expanded */
    int depth;
    ilnet_sbml_sym *syms;
    int nsyms;
    ilnet_strmap map;         /* id -> index in syms */
    ilnet_strmap init_assign; /* symbol -> index of its initial assignment */
    int rate_refs;            /* some math uses a reaction id (its rate) */
} ilnet_sbml_reader;

#define ILNET_SBML_READER_INIT(path)                                                               \
    {                                                                                              \
        (path), NULL, NULL, 0, NULL, 0, ILNET_STRMAP_INIT, ILNET_STRMAP_INIT, 0                    \
    }

static inline ilnet_sbml_sym *ilnet_sbml_lookup(ilnet_sbml_reader *c, const char *id)
{
    int i = ilnet_strmap_get(&c->map, id, (size_t)-1);
    return i >= 0 ? &c->syms[i] : NULL;
}

/* Sets "PATH: unsupported SBML construct: WHAT ('ID')" and returns ILNET_EINPUT. */
int ilnet_sbml_unsupported(const ilnet_sbml_reader *c, const char *what, const char *id);

/* build.c: fills net (and out, when not NULL) from c->m. */
int ilnet_sbml_import(ilnet_sbml_reader *c, ilnet_network *net, ilnet_sbml_symbols *out);

/* reaction.c: a species' conversion factor (its own, else the model's; 1 without one): a
 * constant parameter's value in *f, or the id of one that can change in *var (*f 1). */
int ilnet_sbml_conversion_factor(ilnet_sbml_reader *c, const char *species, double *f,
                                 const char **var);
/* reaction.c: adds every reaction of c->m (species already in net). */
int ilnet_sbml_add_reactions(ilnet_sbml_reader *c, ilnet_network *net);

/* math.c: the expression text of n (malloc'ed), or NULL with the error set; where names
 * the element for messages ("the rule for 'x'"). */
char *ilnet_sbml_math_text(ilnet_sbml_reader *c, const ASTNode_t *n, const char *where);
/* Appends v as ilnet reads it back exactly (NaN and infinities as (0/0), (+-1/0)). */
void ilnet_sbml_put_number(ilnet_strbuf *b, double v);

#endif

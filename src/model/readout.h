/* Readouts: expressions over a network's names (parameters, observables, functions, time,
 * species by name) that may also use
 *   species(X)        a species by name or label, an SBML species' amount, or else a BNGL
 *                     pattern: the summed amounts of the species it matches (as a BioNetGen
 *                     Species observable)
 *   molecules(P)      a BNGL pattern counted in every species, times its amount (as a
 *                     Molecules observable)
 *   flux(R)           the velocity of reaction R (by id; a BNGL rule's name sums the
 *                     reactions it generated, its reverse is _reverse_NAME)
 *   amount(S), concentration(S)   an SBML species' amount or concentration
 * Arguments may be quoted. A readout is compiled against one network and evaluated on it. */
#ifndef ILNET_READOUT_H
#define ILNET_READOUT_H

#include "network.h"

#include <stddef.h>

typedef struct ilnet_readout ilnet_readout;

/* Errors name the call at fault ("flux(R9): no reaction or rule 'R9'"). */
int ilnet_readout_compile(ilnet_readout **out, const ilnet_network *net, const char *text);
void ilnet_readout_free(ilnet_readout *r);
/* The length of the variable vector ilnet_readout_eval needs: the network's variables,
 * then the readout's own. */
size_t ilnet_readout_var_count(const ilnet_readout *r);
/* The value at state y; vars holds the network's variables at that state
 * (ilnet_network_vars_eval) and room for the readout's own after them. */
double ilnet_readout_eval(const ilnet_readout *r, const double *y, double *vars);

#endif

/* SBML import through libsbml: an SBML model (levels 1-3) becomes an ilnet network.
 *
 * Species are held as amounts; a species symbol in math means its concentration
 * (amount / compartment size) unless hasOnlySubstanceUnits. Compartments and parameters
 * become parameters; assignment rules become functions; rate rules become general
 * reactions (a parameter with a rate rule becomes a state variable); initial assignments
 * become parameter expressions; function definitions are expanded; local parameters are
 * promoted (libsbml converters). Kinetic laws that are pure mass action (a constant times
 * the reactants' concentrations, each to its stoichiometry) stay on the mass-action fast
 * path with an analytic Jacobian; any other law is a general rate expression. Events become
 * network events (parameters and compartments they assign become fixed species). Unsupported
 * constructs (algebraic rules, delays, fast reactions, ...) are errors naming the construct
 * and the element id. */
#ifndef ILNET_SBML_H
#define ILNET_SBML_H

/* The namespace of ilnet's annotations (a species' BioNetGen name, written by export). */
#define ILNET_SBML_NS "urn:ilnet:sbml:1"

#include "../../common/notify.h"
#include "../network.h"

typedef struct {
    int n;
    char **id;
    char **amount;       /* expression over network variables: the amount (species) or the value */
    char **conc;         /* the concentration (species) or the value */
    int *species;        /* 1 for species */
    int *amount_default; /* 1 when the symbol's own unit is an amount (not a species in
                          * concentration semantics) */
    int *reaction;       /* 1 for a reaction: amount and conc are its flux, "flux(ID)", a
                          * readout (model/readout.h), not a plain expression */
} ilnet_sbml_symbols;

/* symbols and notify (warnings: libsbml errors ilnet ignores) may be NULL. */
int ilnet_sbml_read(ilnet_network **out, ilnet_sbml_symbols *symbols, const char *path,
                    const ilnet_notify *notify);
void ilnet_sbml_symbols_free(ilnet_sbml_symbols *s);
/* Writes net as SBML Level 3 Version 2 (species as amounts in one compartment of size 1,
 * observables and functions as assignment rules); the document must pass libsbml's
 * consistency checks (units aside). */
int ilnet_sbml_write(const ilnet_network *net, const char *path);
/* Index of id in symbols, or -1. */
int ilnet_sbml_symbol_find(const ilnet_sbml_symbols *s, const char *id);

#endif

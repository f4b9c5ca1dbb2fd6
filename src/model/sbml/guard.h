/* libsbml calls that can throw C++ exceptions, made where they are caught (guard.cpp). */
#ifndef ILNET_SBML_GUARD_H
#define ILNET_SBML_GUARD_H

#include <sbml/SBMLTypes.h>
#include <sbml/conversion/ConversionProperties.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What ilnet_sbml_guarded_convert returns when libsbml threw. */
#define ILNET_SBML_THREW (-10000)

/* readSBMLFromFile; NULL when libsbml threw (what gets its description) or failed. */
SBMLDocument_t *ilnet_sbml_guarded_read(const char *path, char *what, size_t n);
/* SBMLDocument_convert's code, or ILNET_SBML_THREW with what set. */
int ilnet_sbml_guarded_convert(SBMLDocument_t *d, const ConversionProperties_t *cp, char *what,
                               size_t n);

/* Flattens a hierarchical (comp) document in place: 1 flattened, 0 not hierarchical,
 * negative with what set (why libsbml could not). */
int ilnet_sbml_guarded_flatten(SBMLDocument_t *d, char *what, size_t n);

#ifdef __cplusplus
}
#endif

#endif

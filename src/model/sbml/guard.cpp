// libsbml is C++: some of its C entry points throw (readSBML throws SBMLConstructorException
// for an <sbml> element in an unknown namespace with a <stoichiometryMath>, issue 21). An
// exception must not unwind through ilnet's C frames (std::terminate), so the calls that
// can throw are made here, inside try/catch, and a throw becomes an error code.
#include "guard.h"

#include <sbml/SBMLTypes.h>
#include <sbml/conversion/ConversionProperties.h>

#include <libxml/parser.h>

#include <cstdio>
#include <exception>

// libxml2 (under libsbml) initialises its global state on first use, and two threads that
// read their first SBML file at once race in it (ThreadSanitizer: xmlInitializeGlobalState).
// Its documentation asks for xmlInitParser before threads use it; a function-local static
// runs it exactly once, whichever thread comes first.
static void xml_ready()
{
    static const bool done = (xmlInitParser(), true);
    (void)done;
}

static void describe(char *what, size_t n, const char *text)
{
    if (what && n) std::snprintf(what, n, "%s", text ? text : "unknown exception");
}

extern "C" SBMLDocument_t *ilnet_sbml_guarded_read(const char *path, char *what, size_t n)
{
    xml_ready();
    try {
        return readSBMLFromFile(path);
    } catch (const std::exception &e) {
        describe(what, n, e.what());
    } catch (...) {
        describe(what, n, nullptr);
    }
    return nullptr;
}

extern "C" int ilnet_sbml_guarded_convert(SBMLDocument_t *d, const ConversionProperties_t *cp,
                                          char *what, size_t n)
{
    xml_ready();
    try {
        return SBMLDocument_convert(d, cp);
    } catch (const std::exception &e) {
        describe(what, n, e.what());
    } catch (...) {
        describe(what, n, nullptr);
    }
    return ILNET_SBML_THREW;
}

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
#include <string>

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

// Hierarchical models (SBML comp): libsbml's flattening converter replaces the submodels
// by their elements (external model definitions are read relative to the document).
// 1 when the document uses comp and was flattened, 0 when it does not use comp, negative
// with what set when flattening failed.
extern "C" int ilnet_sbml_guarded_flatten(SBMLDocument_t *d, char *what, size_t n)
{
    xml_ready();
    try {
        if (!d->isPackageEnabled("comp")) return 0;
        ConversionProperties props;
        props.addOption("flatten comp", true);
        props.addOption("leave_ports", false);
        int rc = d->convert(props);
        if (rc == LIBSBML_OPERATION_SUCCESS) return 1;
        std::string why;
        SBMLErrorLog *log = d->getErrorLog();
        for (unsigned i = 0; log && i < log->getNumErrors() && why.size() < 400; i++) {
            const SBMLError *e = log->getError(i);
            if (e->getSeverity() < LIBSBML_SEV_ERROR) continue;
            if (!why.empty()) why += "; ";
            why += e->getMessage();
        }
        describe(what, n, why.empty() ? OperationReturnValue_toString(rc) : why.c_str());
        return -1;
    } catch (const std::exception &e) {
        describe(what, n, e.what());
    } catch (...) {
        describe(what, n, nullptr);
    }
    return ILNET_SBML_THREW;
}

/* The SBML document: reading it with libsbml, which of its errors to accept, the
 * converters, and the symbols the caller may ask for. The model itself becomes a network in
 * build.c (see internal.h). */
#include "guard.h"
#include "internal.h"

#include <sbml/conversion/ConversionProperties.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ilnet_sbml_unsupported(const ilnet_sbml_reader *c, const char *what, const char *id)
{
    return ilnet_error_set(ILNET_EINPUT, "%s: unsupported SBML construct: %s%s%s%s", c->path, what,
                           id ? " ('" : "", id ? id : "", id ? "')" : "");
}

static int convert(SBMLDocument_t *d, const char *key, const char *path)
{
    ConversionProperties_t *cp = ConversionProperties_create();
    ConversionProperties_addOptionWithKey(cp, key);
    char what[300] = "";
    int rc = ilnet_sbml_guarded_convert(d, cp, what, sizeof what);
    ConversionProperties_free(cp);
    if (rc == ILNET_SBML_THREW)
        return ilnet_error_set(ILNET_EINPUT, "%s: libsbml converter '%s' failed: %s", path, key,
                               what);
    if (rc != LIBSBML_OPERATION_SUCCESS)
        return ilnet_error_set(ILNET_EINPUT, "%s: libsbml converter '%s' failed (%d)", path, key,
                               rc);
    return 0;
}

/* The first libsbml error ilnet does not accept, as the error; warnings for the rest. */
static int check_errors(SBMLDocument_t *d, const char *path, const ilnet_notify *notify)
{
    for (unsigned i = 0; i < SBMLDocument_getNumErrors(d); i++) {
        const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(d, i);
        if (!XMLError_isError(e) && !XMLError_isFatal(e)) continue;
        char msg[400];
        snprintf(msg, sizeof msg, "%s", XMLError_getMessage(e));
        for (char *p = msg; *p; p++)
            if (*p == '\n' || *p == '\r') *p = ' ';
        unsigned code = XMLError_getErrorId(e);
        /* errors that do not touch the mathematics, both produced by BioNetGen's writeSBML:
         * a model id not in SId syntax, an empty listOf container */
        if (!XMLError_isFatal(e) &&
            (code == 10310 || code == 20103 || code == 20104 || code == 20203)) {
            ilnet_notify_send(notify, ILNET_MESSAGE_WARNING, "%s:%u: SBML %u: %s (ignored)", path,
                              XMLError_getLine(e), code, msg);
            continue;
        }
        return ilnet_error_set(ILNET_EINPUT, "%s:%u: invalid SBML (libsbml error %u): %s", path,
                               XMLError_getLine(e), code, msg);
    }
    return 0;
}

/* A hierarchical model (comp) becomes one flat model (libsbml's converter), or is refused:
 * read without its submodels it would give wrong numbers. */
static int flatten(SBMLDocument_t *d, const char *path)
{
    char what[500] = "";
    int rc = ilnet_sbml_guarded_flatten(d, what, sizeof what);
    if (rc >= 0) return 0;
    return ilnet_error_set(ILNET_EINPUT,
                           "%s: unsupported SBML construct: hierarchical model (comp) that libsbml "
                           "cannot flatten: %s",
                           path, what);
}

/* The network of the checked, converted document d. */
static int make_network(ilnet_network **out, SBMLDocument_t *d, ilnet_sbml_symbols *symbols,
                        const char *path)
{
    ilnet_sbml_reader c = ILNET_SBML_READER_INIT(path);
    ilnet_network *net = NULL;
    c.m = SBMLDocument_getModel(d);
    int rc = ilnet_network_new(&net);
    if (!rc) rc = ilnet_network_set_source(net, path, NULL);
    if (!rc) ilnet_network_allow_nonfinite(net, 1);
    if (!rc) rc = ilnet_sbml_import(&c, net, symbols);
    if (!rc) rc = ilnet_network_compile(net);
    free(c.syms);
    ilnet_strmap_free(&c.map);
    ilnet_strmap_free(&c.init_assign);
    if (rc) {
        ilnet_network_free(net);
        return rc;
    }
    *out = net;
    return 0;
}

int ilnet_sbml_read(ilnet_network **out, ilnet_sbml_symbols *symbols, const char *path,
                    const ilnet_notify *notify)
{
    *out = NULL;
    if (symbols) memset(symbols, 0, sizeof *symbols);
    FILE *f = fopen(path, "rb");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot open", path);
    fclose(f);
    char what[300] = "";
    SBMLDocument_t *d = ilnet_sbml_guarded_read(path, what, sizeof what);
    if (!d && what[0])
        return ilnet_error_set(ILNET_EINPUT, "%s: not a valid SBML document (libsbml: %s)", path,
                               what);
    if (!d) return ilnet_error_set(ILNET_ENOMEM, "%s: libsbml could not read the file", path);
    int rc = check_errors(d, path, notify);
    if (!rc && !SBMLDocument_getModel(d))
        rc = ilnet_error_set(ILNET_EINPUT, "%s: no model in the SBML document", path);
    if (!rc) rc = flatten(d, path);
    if (!rc) rc = convert(d, "promoteLocalParameters", path);
    if (!rc) rc = make_network(out, d, symbols, path);
    SBMLDocument_free(d);
    if (rc && symbols) ilnet_sbml_symbols_free(symbols);
    return rc;
}

void ilnet_sbml_symbols_free(ilnet_sbml_symbols *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->id[i]);
        free(s->amount[i]);
        free(s->conc[i]);
    }
    free(s->id);
    free(s->amount);
    free(s->conc);
    free(s->species);
    free(s->amount_default);
    free(s->reaction);
    memset(s, 0, sizeof *s);
}

int ilnet_sbml_symbol_find(const ilnet_sbml_symbols *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->id[i], id)) return i;
    return -1;
}

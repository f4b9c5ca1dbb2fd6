#include "load.h"

#include "../common/error.h"
#include "bngl/bngl.h"
#include "netfile.h"
#include "sbml/sbml.h"

#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ilnet_network_load(ilnet_network **out, const char *path, const ilnet_notify *notify)
{
    *out = NULL;
    if (ends_with(path, ".net")) return ilnet_netfile_read(out, path);
    if (ends_with(path, ".bngl")) {
        /* generate with the options of the file's own generate_network action */
        ilnet_bngl_model *m;
        int rc = ilnet_bngl_read(&m, path);
        if (rc) return rc;
        ilnet_netgen_options opt;
        rc = ilnet_bngl_netgen_options(&opt, m);
        if (!rc) rc = ilnet_bngl_generate(out, m, &opt, NULL);
        ilnet_netgen_options_free(&opt);
        ilnet_bngl_free(m);
        return rc;
    }
    if (ends_with(path, ".xml") || ends_with(path, ".sbml"))
        return ilnet_sbml_read(out, NULL, path, notify);
    const char *dot = strrchr(path, '.');
    return ilnet_error_set(ILNET_EINPUT,
                           "%s: unsupported model format '%s' (supported: .net, .bngl, .xml/.sbml)",
                           path, dot ? dot : "(no extension)");
}

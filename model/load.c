#include "load.h"

#include "../common/error.h"
#include "netfile.h"

#include <string.h>

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

int ilnet_model_load(ilnet_network **out, const char *path)
{
    *out = NULL;
    if (ends_with(path, ".net")) return ilnet_netfile_read(out, path);
    const char *dot = strrchr(path, '.');
    return ilnet_error_set(ILNET_EINPUT, "%s: unsupported model format '%s' (supported: .net)",
                           path, dot ? dot : "(no extension)");
}

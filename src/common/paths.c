#define _GNU_SOURCE /* dladdr */
#include "paths.h"

#include "error.h"

#include <dirent.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_dir(const char *path)
{
    struct stat st;
    return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int has_models(const char *dir)
{
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/models", dir);
    return is_dir(p);
}

/* The directory of the object (shared library or executable) this function is in. */
static int code_dir(char *out, size_t n)
{
    Dl_info info;
    char real[PATH_MAX];
    if (!dladdr((void *)code_dir, &info) || !info.dli_fname) return -1;
    const char *f = info.dli_fname;
    /* an executable found through PATH may be given by name only */
    if (!strchr(f, '/') || !realpath(f, real)) {
        ssize_t k = readlink("/proc/self/exe", real, sizeof real - 1);
        if (k <= 0) return -1;
        real[k] = '\0';
    }
    char *slash = strrchr(real, '/');
    if (!slash) return -1;
    *slash = '\0';
    snprintf(out, n, "%s", real[0] ? real : "/");
    return 0;
}

char *ilnet_data_dir(void)
{
    const char *env = getenv("ILNET_DATA_DIR");
    if (env && *env) {
        if (has_models(env)) {
            char *r = strdup(env);
            if (!r) ilnet_error_oom();
            return r;
        }
        ilnet_error_set(ILNET_EIO, "ILNET_DATA_DIR=%s: no models/ directory there", env);
        return NULL;
    }
    char dir[PATH_MAX];
    if (code_dir(dir, sizeof dir)) {
        ilnet_error_set(ILNET_EIO, "cannot tell where the ilnet library is (set ILNET_DATA_DIR)");
        return NULL;
    }
    static const char *const rel[] = {"/share/ilnet", "/../share/ilnet", "/../../share/ilnet"};
    for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
        char cand[PATH_MAX + 32], real[PATH_MAX];
        snprintf(cand, sizeof cand, "%s%s", dir, rel[i]);
        if (has_models(cand) && realpath(cand, real)) {
            char *r = strdup(real);
            if (!r) ilnet_error_oom();
            return r;
        }
    }
    ilnet_error_set(ILNET_EIO,
                    "no ilnet data directory (share/ilnet/models) beside %s or above it (set "
                    "ILNET_DATA_DIR)",
                    dir);
    return NULL;
}

/* "a, b, c": the built-in model names in DIR/models. */
static void list_models(char *out, size_t n, const char *dir)
{
    char p[PATH_MAX + 16];
    snprintf(p, sizeof p, "%s/models", dir);
    DIR *d = opendir(p);
    if (!d) return;
    size_t len = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        size_t k = strlen(e->d_name);
        if (k <= 5 || strcmp(e->d_name + k - 5, ".bngl")) continue;
        int w = snprintf(out + len, n - len, "%s%.*s", len ? ", " : "", (int)(k - 5), e->d_name);
        if (w < 0 || (size_t)w >= n - len) break;
        len += (size_t)w;
    }
    closedir(d);
}

int ilnet_is_builtin_name(const char *name)
{
    return name && *name && !strchr(name, '/') && !strchr(name, '.');
}

char *ilnet_builtin_model(const char *name)
{
    if (!ilnet_is_builtin_name(name)) return NULL;
    char *dir = ilnet_data_dir();
    if (!dir) return NULL;
    size_t n = strlen(dir) + strlen(name) + 16;
    char *p = malloc(n);
    if (!p) {
        free(dir);
        ilnet_error_oom();
        return NULL;
    }
    snprintf(p, n, "%s/models/%s.bngl", dir, name);
    struct stat st;
    if (stat(p, &st)) {
        char list[1024] = "";
        list_models(list, sizeof list, dir);
        ilnet_error_set(ILNET_EINPUT,
                        "%s: not a model file (.net, .bngl, .xml/.sbml) nor a built-in model "
                        "(built-in: %s)",
                        name, list[0] ? list : "none");
        free(p);
        p = NULL;
    }
    free(dir);
    return p;
}

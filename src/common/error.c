#include "error.h"

#include <ilnet/version.h>

#include <stdio.h>
#include <string.h>

static _Thread_local char last_msg[1024];
static _Thread_local int last_code;

int ilnet_error_setv(int code, const char *fmt, va_list ap)
{
    vsnprintf(last_msg, sizeof last_msg, fmt, ap);
    /* Messages quote input text: keep them on one printable line. */
    for (char *p = last_msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = '?';
    last_code = code;
    return code;
}

int ilnet_error_set(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ilnet_error_setv(code, fmt, ap);
    va_end(ap);
    return code;
}

void ilnet_error_prefix(const char *fmt, ...)
{
    char prefix[512], old[sizeof last_msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    memcpy(old, last_msg, sizeof old);
    size_t n = strlen(prefix);
    memcpy(last_msg, prefix, n);
    memcpy(last_msg + n, ": ", 3);
    n += 2;
    size_t rest = strlen(old);
    if (rest > sizeof last_msg - 1 - n) rest = sizeof last_msg - 1 - n;
    memcpy(last_msg + n, old, rest);
    last_msg[n + rest] = '\0';
}

const char *ilnet_error_last(void)
{
    return last_msg[0] ? last_msg : "no error";
}

int ilnet_error_code(void)
{
    return last_code;
}

void ilnet_error_clear(void)
{
    last_msg[0] = '\0';
    last_code = 0;
}

int ilnet_error_oom(void)
{
    return ilnet_error_set(ILNET_ENOMEM, "out of memory");
}

int ilnet_error_atv(int code, const char *file, int line, int col, const char *key, const char *fmt,
                    va_list ap)
{
    char where[512], what[sizeof last_msg];
    size_t n = 0;
    where[0] = '\0';
    if (file) n += (size_t)snprintf(where, sizeof where, "%s:", file);
    if (line > 0 && n < sizeof where)
        n += (size_t)snprintf(where + n, sizeof where - n, "%d:", line);
    if (line > 0 && col > 0 && n < sizeof where)
        n += (size_t)snprintf(where + n, sizeof where - n, "%d:", col);
    if (key && n < sizeof where) n += (size_t)snprintf(where + n, sizeof where - n, " %s:", key);
    vsnprintf(what, sizeof what, fmt, ap);
    return ilnet_error_set(code, "%s%s%s", where, where[0] ? " " : "", what);
}

int ilnet_error_at(int code, const char *file, int line, int col, const char *key, const char *fmt,
                   ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ilnet_error_atv(code, file, line, col, key, fmt, ap);
    va_end(ap);
    return rc;
}

const char *ilnet_version(int *major, int *minor, int *patch)
{
    if (major) *major = ILNET_VERSION_MAJOR;
    if (minor) *minor = ILNET_VERSION_MINOR;
    if (patch) *patch = ILNET_VERSION_PATCH;
    return ILNET_VERSION;
}

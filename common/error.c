#include "error.h"

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

/* Error codes and the thread-local last-error message (libgit2 style). */
#ifndef ILNET_ERROR_H
#define ILNET_ERROR_H

#include <stdarg.h>

enum {
    ILNET_OK = 0,
    ILNET_EINPUT = -1,  /* bad input: file, model element, option */
    ILNET_ENOMEM = -2,  /* allocation failed */
    ILNET_EIO = -3,     /* file system or HDF5 failure */
    ILNET_ESOLVER = -4, /* the integrator failed; a partial result exists */
    ILNET_EINTERNAL = -5
};

/* Sets the message and returns code, so callers can `return ilnet_error_set(...)`. */
int ilnet_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ilnet_error_setv(int code, const char *fmt, va_list ap);
/* Prefixes the current message ("prefix: old message"), keeping the code. */
void ilnet_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *ilnet_error_last(void);
int ilnet_error_code(void);
void ilnet_error_clear(void);

#endif

/* Errors inside the library: the public codes and readers (<ilnet/error.h>) plus the
 * setters every module uses. Messages name where the fault is; a located error reads
 * "FILE:LINE:COL: KEY: what is wrong" (line, column and key each left out when 0/NULL). */
#ifndef ILNET_PRIV_ERROR_H
#define ILNET_PRIV_ERROR_H

#include <ilnet/error.h>

#include <stdarg.h>

/* Sets the message and returns code, so callers can `return ilnet_error_set(...)`. */
int ilnet_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ilnet_error_setv(int code, const char *fmt, va_list ap);
/* Prefixes the current message ("prefix: old message"), keeping the code. */
void ilnet_error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "out of memory"; returns ILNET_ENOMEM. */
int ilnet_error_oom(void);
/* A located error: "file:line:col: key: message"; returns code. */
int ilnet_error_at(int code, const char *file, int line, int col, const char *key, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));
int ilnet_error_atv(int code, const char *file, int line, int col, const char *key, const char *fmt,
                    va_list ap);

#endif

/* Whole files in memory. */
#ifndef ILNET_FILE_H
#define ILNET_FILE_H

#include <stddef.h>

/* Reads path into a NUL-terminated buffer (caller frees); len (may be NULL) gets its length.
 * Rejects files holding NUL bytes (binary). Errors: "PATH: cannot open: <reason>" (EIO),
 * read errors (EIO), out of memory. */
int ilnet_file_read(char **out, size_t *len, const char *path);
/* 1 when path names a regular file that can be opened for reading. */
int ilnet_file_readable(const char *path);

#endif

/* Whole files in memory. */
#ifndef ILNET_FILE_H
#define ILNET_FILE_H

#include <stddef.h>

/* Reads path into a NUL-terminated buffer (caller frees); len (may be NULL) gets its length.
 * Rejects files holding NUL bytes (binary). Errors: "PATH: cannot open: <reason>" (EIO),
 * read errors (EIO), out of memory. */
int ilnet_file_read(char **out, size_t *len, const char *path);
/* 1 when a and b name the same existing file (same device and inode, whatever the
 * spelling: links, "./", ".."); 0 otherwise. */
int ilnet_file_same(const char *a, const char *b);
/* The directory part of path ("." for a bare name, "/" for a file in the root). */
void ilnet_file_dirname(char *out, size_t n, const char *path);
/* A temporary name beside an output: "PATH.KIND.HOST.PID" (kind: "tmp", "new", "final"),
 * which the output is renamed from once complete. Returns 0, or ILNET_EINPUT when too long
 * for n. */
int ilnet_file_temp_name(char *out, size_t n, const char *path, const char *kind);
/* Removes the temporaries of path (any kind) that a process of this host left behind and
 * that are no longer in use: their PID is gone (a killed run). Returns how many. */
int ilnet_file_remove_stale_temps(const char *path);
/* The reason behind a failed write, from errno e, when it is one a user can act on (no
 * space, quota, read-only file system, permissions, I/O error, file too large): strerror(e);
 * otherwise "" (HDF5 leaves unrelated errno values behind). */
const char *ilnet_file_io_reason(int e);
/* Creates (or truncates) path to learn whether it can be written, then leaves it empty for
 * the writer: 0, or ILNET_EIO "SHOWN: cannot create: <reason>". */
int ilnet_file_probe_create(const char *path, const char *shown);
/* Creates the directories leading to path that do not exist yet (like mkdir -p of its
 * directory part). 0, or ILNET_EIO "PATH: cannot create directory DIR: <reason>". With
 * dry_run nothing is created: it checks that the nearest existing ancestor is a
 * directory this process may write into. */
int ilnet_file_make_parents(const char *path, int dry_run);
/* The extension of path when it names a table format that an HDF5 output must not be
 * given (".csv", ".tsv", ".txt", ".gdat", ".cdat", ".scan", ".json"), else NULL: catches
 * `-o result.csv` on a study. (An output that is one of the inputs is refused elsewhere.) */
const char *ilnet_file_non_hdf5_extension(const char *path);
/* 1 when path names a regular file that can be opened for reading. */
int ilnet_file_readable(const char *path);

#endif

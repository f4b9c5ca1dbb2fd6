/* Small HDF5 helpers shared by the writers: UTF-8 string attributes and datasets. Each
 * returns a negative value on failure, as HDF5 does. */
#ifndef ILNET_H5UTIL_H
#define ILNET_H5UTIL_H

#include "../common/error.h"
#include "../common/file.h"

#include <errno.h>
#include <hdf5.h>
#include <stddef.h>

/* Every HDF5 call of a writer goes through this, so a failure is reported, not ignored:
 * needs `int rc`, `const char *path` and a label `out` in the function. */
#define ILNET_H5_CHECK(expr, what)                                                                 \
    do {                                                                                           \
        errno = 0;                                                                                 \
        if ((expr) < 0) {                                                                          \
            const char *why_ = ilnet_file_io_reason(errno);                                        \
            rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed writing %s%s%s", path, what,          \
                                 *why_ ? ": " : "", why_);                                         \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* A file being written: under a temporary name beside path (stale ones of dead processes
 * removed), HDF5's own error printing off until it is finished. */
typedef struct {
    char tmp[4096];
    H5E_auto2_t old_func;
    void *old_data;
    int silenced;
} ilnet_h5_newfile;

/* Creates the temporary file; returns it, or a negative value with the error set. */
hid_t ilnet_h5_create(ilnet_h5_newfile *nf, const char *path);
/* Closes file (if >= 0), then renames the temporary file to path when rc is 0 and the close
 * worked, else removes it; returns rc or the close/rename error. */
int ilnet_h5_finish(ilnet_h5_newfile *nf, hid_t file, const char *path, int rc);

/* Variable-length UTF-8 string type (caller closes). */
hid_t ilnet_h5_string_type(void);
herr_t ilnet_h5_attr_string(hid_t loc, const char *name, const char *value);
herr_t ilnet_h5_attr_double(hid_t loc, const char *name, double v);
herr_t ilnet_h5_attr_long(hid_t loc, const char *name, long v);
/* 1-D dataset of n strings (caller closes the returned dataset). */
hid_t ilnet_h5_write_strings(hid_t loc, const char *name, const char *const *strs, size_t n);
/* The same for a rows x columns table of strings (row-major). */
hid_t ilnet_h5_write_strings2(hid_t loc, const char *name, const hsize_t dims[2],
                              const char *const *strs);
/* A float64 dataset of the given shape from v, row-major (caller closes it). */
hid_t ilnet_h5_write_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                             const double *v);
/* Reads a string attribute (caller frees), or NULL. */
char *ilnet_h5_read_attr_string(hid_t loc, const char *name);
/* The provenance every ilnet file carries: attributes kind, ilnet_version, created_utc. */
herr_t ilnet_h5_provenance(hid_t loc, const char *kind);
/* "YYYY-MM-DDTHH:MM:SSZ" */
void ilnet_h5_utc_now(char *buf, size_t n);

#endif

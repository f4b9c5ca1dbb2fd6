/* Small HDF5 helpers shared by the writers: UTF-8 string attributes and datasets. Each
 * returns a negative value on failure, as HDF5 does. */
#ifndef ILNET_H5UTIL_H
#define ILNET_H5UTIL_H

#include <hdf5.h>
#include <stddef.h>

/* Variable-length UTF-8 string type (caller closes). */
hid_t ilnet_h5_string_type(void);
herr_t ilnet_h5_attr_string(hid_t loc, const char *name, const char *value);
herr_t ilnet_h5_attr_double(hid_t loc, const char *name, double v);
herr_t ilnet_h5_attr_long(hid_t loc, const char *name, long v);
/* 1-D dataset of n strings (caller closes the returned dataset). */
hid_t ilnet_h5_write_strings(hid_t loc, const char *name, const char *const *strs, size_t n);
/* Reads a string attribute (caller frees), or NULL. */
char *ilnet_h5_read_attr_string(hid_t loc, const char *name);
/* "YYYY-MM-DDTHH:MM:SSZ" */
void ilnet_h5_utc_now(char *buf, size_t n);

#endif

#include "h5util.h"

#include <ilnet/version.h>

#include <hdf5_hl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

hid_t ilnet_h5_create(ilnet_h5_newfile *nf, const char *path)
{
    memset(nf, 0, sizeof *nf);
    ilnet_file_remove_stale_temps(path);
    if (ilnet_file_temp_name(nf->tmp, sizeof nf->tmp, path, "tmp")) return ILNET_EINPUT;
    int rc = ilnet_file_probe_create(nf->tmp, path);
    if (rc) return rc;
    H5Eget_auto2(H5E_DEFAULT, &nf->old_func, &nf->old_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the writers report errors themselves */
    nf->silenced = 1;
    hid_t file = H5Fcreate(nf->tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0) {
        unlink(nf->tmp);
        return ilnet_error_set(ILNET_EIO, "%s: cannot create the HDF5 file", path);
    }
    return file;
}

int ilnet_h5_finish(ilnet_h5_newfile *nf, hid_t file, const char *path, int rc)
{
    errno = 0;
    if (file >= 0 && H5Fclose(file) < 0 && !rc) {
        const char *why = ilnet_file_io_reason(errno);
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed writing the file%s%s", path,
                             *why ? ": " : "", why);
    }
    if (nf->silenced) H5Eset_auto2(H5E_DEFAULT, nf->old_func, nf->old_data);
    nf->silenced = 0;
    if (!nf->tmp[0]) return rc;
    if (!rc && rename(nf->tmp, path) != 0)
        rc = ilnet_error_set(ILNET_EIO, "cannot rename %s to %s", nf->tmp, path);
    if (rc) unlink(nf->tmp);
    return rc;
}

herr_t ilnet_h5_provenance(hid_t loc, const char *kind)
{
    char when[64];
    ilnet_h5_utc_now(when, sizeof when);
    if (ilnet_h5_attr_string(loc, "kind", kind) < 0 ||
        ilnet_h5_attr_string(loc, "ilnet_version", ILNET_VERSION) < 0)
        return -1;
    return ilnet_h5_attr_string(loc, "created_utc", when);
}

hid_t ilnet_h5_string_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

herr_t ilnet_h5_attr_string(hid_t loc, const char *name, const char *value)
{
    hid_t t = ilnet_h5_string_type(), sp = H5Screate(H5S_SCALAR);
    herr_t st = -1;
    if (t >= 0 && sp >= 0) {
        if (H5Aexists(loc, name) > 0) H5Adelete(loc, name);
        hid_t a = H5Acreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT);
        if (a >= 0) {
            const char *v = value ? value : "";
            st = H5Awrite(a, t, &v);
            H5Aclose(a);
        }
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return st;
}

herr_t ilnet_h5_attr_double(hid_t loc, const char *name, double v)
{
    return H5LTset_attribute_double(loc, ".", name, &v, 1);
}

herr_t ilnet_h5_attr_long(hid_t loc, const char *name, long v)
{
    return H5LTset_attribute_long(loc, ".", name, &v, 1);
}

hid_t ilnet_h5_write_strings(hid_t loc, const char *name, const char *const *strs, size_t n)
{
    hsize_t dim = n;
    hid_t t = ilnet_h5_string_type(), sp = H5Screate_simple(1, &dim, NULL), d = -1;
    if (t >= 0 && sp >= 0) {
        d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d >= 0 && n && H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, strs) < 0) {
            H5Dclose(d);
            d = -1;
        }
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return d;
}

hid_t ilnet_h5_write_strings2(hid_t loc, const char *name, const hsize_t dims[2],
                              const char *const *strs)
{
    hid_t t = ilnet_h5_string_type(), sp = H5Screate_simple(2, dims, NULL), d = -1;
    if (t >= 0 && sp >= 0) {
        d = H5Dcreate2(loc, name, t, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        if (d >= 0 && dims[0] > 0 && dims[1] > 0 &&
            H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, strs) < 0) {
            H5Dclose(d);
            d = -1;
        }
    }
    if (t >= 0) H5Tclose(t);
    if (sp >= 0) H5Sclose(sp);
    return d;
}

hid_t ilnet_h5_write_doubles(hid_t loc, const char *name, int rank, const hsize_t *dims,
                             const double *v)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL), d = -1;
    if (sp < 0) return -1;
    d = H5Dcreate2(loc, name, H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    hsize_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= dims[i];
    if (d >= 0 && n && H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        H5Dclose(d);
        d = -1;
    }
    H5Sclose(sp);
    return d;
}

char *ilnet_h5_read_attr_string(hid_t loc, const char *name)
{
    if (H5Aexists(loc, name) <= 0) return NULL;
    hid_t a = H5Aopen(loc, name, H5P_DEFAULT);
    if (a < 0) return NULL;
    hid_t ft = H5Aget_type(a), t = ilnet_h5_string_type();
    char *out = NULL;
    if (ft >= 0 && t >= 0 && H5Tget_class(ft) == H5T_STRING && H5Tis_variable_str(ft) > 0) {
        char *v = NULL;
        if (H5Aread(a, t, &v) >= 0 && v) {
            out = strdup(v);
            H5free_memory(v);
        }
    }
    if (ft >= 0) H5Tclose(ft);
    if (t >= 0) H5Tclose(t);
    H5Aclose(a);
    return out;
}

void ilnet_h5_utc_now(char *buf, size_t n)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

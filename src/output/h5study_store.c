/* The HDF5 study file as the runner's store (experiment/study_store.h): the same
 * operations, on an opaque handle. */
#include "h5study.h"

static int create(void **out, const char *path, const ilnet_study_meta *meta,
                  const ilnet_study_group *groups, int n_groups)
{
    return ilnet_h5study_create((ilnet_h5study **)out, path, meta, groups, n_groups);
}

static int open_file(void **out, int *finished, const char *path, const ilnet_study_meta *meta,
                     const ilnet_study_group *groups, int n_groups)
{
    return ilnet_h5study_open((ilnet_h5study **)out, finished, path, meta, groups, n_groups);
}

static int open_ranks(void **out, const char *path, const ilnet_study_meta *meta,
                      const ilnet_study_group *groups, int n_groups)
{
    return ilnet_h5study_open_ranks((ilnet_h5study **)out, path, meta, groups, n_groups);
}

static int read_status(void *h, int g, signed char *status)
{
    return ilnet_h5study_read_status(h, g, status);
}

static int write_point(void *h, int g, size_t point, const double *obs, const double *species,
                       const double *obs_sens, const double *species_sens, signed char status,
                       const double *stats, const char *message)
{
    return ilnet_h5study_write_point(h, g, point, obs, species, obs_sens, species_sens, status,
                                     stats, message);
}

static int flush(void *h)
{
    return ilnet_h5study_flush(h);
}

static int read_observables(void *h, int g, size_t point, double *obs)
{
    return ilnet_h5study_read_observables(h, g, point, obs);
}

static int finalize(void *h, int compression, const ilnet_study_final *finals, const char *status)
{
    return ilnet_h5study_finalize(h, compression, finals, status);
}

static void close_file(void *h)
{
    ilnet_h5study_close(h);
}

static int lock(void **out, const char *path)
{
    return ilnet_h5study_lock_take((ilnet_h5study_lock **)out, path);
}

static void unlock(void *lk)
{
    ilnet_h5study_lock_release(lk);
}

const ilnet_study_store ilnet_h5study_store = {
    create,      open_file,   open_ranks, ilnet_h5study_file_status,
    read_status, write_point, flush,      read_observables,
    finalize,    close_file,  lock,       unlock};

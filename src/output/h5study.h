/* HDF5 study files (layout in docs/study.md). While a study runs its file is the
 * "working" form: every dataset allocated at full size, uncompressed, before the first
 * point, so that finishing a point writes only raw data (then its status) and a killed
 * process leaves a readable file. ilnet_h5study_finalize then writes the compressed final
 * form beside it, with the dose-response fits, and renames it over the working file. */
#ifndef ILNET_H5STUDY_H
#define ILNET_H5STUDY_H

#include "../experiment/study_store.h"

#include <stddef.h>

/* The shapes and provenance are the runner's (experiment/study_store.h). */
typedef ilnet_study_group ilnet_h5study_group;
typedef ilnet_study_meta ilnet_h5study_meta;
typedef ilnet_study_final ilnet_h5study_final;
#define ILNET_H5STUDY_FIT_FIELDS ILNET_STUDY_FIT_FIELDS
#define ilnet_h5study_fit_fields ilnet_study_fit_fields

/* The operations below as a study store, for ilnet_study_execute. */
extern const ilnet_study_store ilnet_h5study_store;

typedef struct ilnet_h5study ilnet_h5study;

/* PATH.lock, held (fcntl write lock) while a run writes PATH: a second run on the same
 * output fails at once with "PATH: busy: another ilnet run (pid N) is writing it" instead
 * of replacing the first one's file. */
typedef struct ilnet_h5study_lock ilnet_h5study_lock;
int ilnet_h5study_lock_take(ilnet_h5study_lock **out, const char *path);
void ilnet_h5study_lock_release(ilnet_h5study_lock *lk);

/* A new working file (replacing any file at path). */
int ilnet_h5study_create(ilnet_h5study **out, const char *path, const ilnet_h5study_meta *meta,
                         const ilnet_h5study_group *groups, int n_groups);
/* Reopens a working file to resume: it must be a study written from the same config text
 * with the same shapes. *finished is set when the file is already final. */
int ilnet_h5study_open(ilnet_h5study **out, int *finished, const char *path,
                       const ilnet_h5study_meta *meta, const ilnet_h5study_group *groups,
                       int n_groups);
/* Reopens a working file on every rank of an MPI run (collective; MPI-IO), for
 * ilnet_h5study_write_point of each rank's own points; no flushes are needed (or allowed)
 * in between. Only in builds with ILNET_MPI. */
int ilnet_h5study_open_ranks(ilnet_h5study **out, const char *path, const ilnet_h5study_meta *meta,
                             const ilnet_h5study_group *groups, int n_groups);
/* Root attribute 'status' of a study file: "running", "complete", ...; caller frees.
 * NULL (and no error set) when path is not a study file. */
char *ilnet_h5study_file_status(const char *path);
/* status[n_points] of group g as stored. */
int ilnet_h5study_read_status(ilnet_h5study *h, int g, signed char *status);
/* One point: obs [n_times][n_obs], species [n_times][n_species] (may be NULL when not
 * stored), stats [n_stats], message (may be NULL). Data first, status last. */
int ilnet_h5study_write_point(ilnet_h5study *h, int g, size_t point, const double *obs,
                              const double *species, const double *obs_sens,
                              const double *species_sens, signed char status, const double *stats,
                              const char *message);
int ilnet_h5study_flush(ilnet_h5study *h);
int ilnet_h5study_read_observables(ilnet_h5study *h, int g, size_t point, double *obs);

/* Writes the final file (compression 0-9) and renames it over the working file; closes h. */
int ilnet_h5study_finalize(ilnet_h5study *h, int compression, const ilnet_h5study_final *finals,
                           const char *status);
void ilnet_h5study_close(ilnet_h5study *h);

#endif

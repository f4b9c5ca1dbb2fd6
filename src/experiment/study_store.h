/* Where a study's points go. The runner (experiment layer) knows the shape of what it
 * stores, not the file format: the output layer implements these operations (the HDF5
 * study file, output/h5study.h) and hands them to ilnet_study_execute. */
#ifndef ILNET_STUDY_STORE_H
#define ILNET_STUDY_STORE_H

#include "../solver/solver.h"

#include <stddef.h>

/* One experiment as stored. */
typedef struct {
    const char *name, *type, *design;
    unsigned long seed;
    int has_seed;
    size_t n_points;
    int n_vars;
    const char *const *var_names;
    const double *var_values; /* [n_points][n_vars] */
    size_t n_times;
    const double *times;
    int n_obs;
    const char *const *obs_names;
    /* units (config units:): of time (NULL: none), of the stored columns and of the varying
     * parameters ("" each when not declared; NULL when none is) */
    const char *time_units;
    const char *const *obs_units, *const *var_units;
    int n_species; /* 0: species not stored */
    const char *const *species_names;
    int n_stats;
    const char *const *stat_names;
    /* forward sensitivities of the stored observables and species (0: none) */
    int n_sens;
    const char *const *sens_names;
    /* a grid sweep (n_grid = n_vars; 0 otherwise): each parameter's values in grid order,
     * the last parameter varying fastest, for the final file's views shaped by parameter */
    int n_grid;
    const int *grid_sizes;
    const double *const *grid_values;
    /* dose responses (n_series > 0) */
    int n_series, n_doses, n_readouts;
    const char *const *series_names;
    const double *doses;
    const char *const *readout_names;
} ilnet_study_group;

/* Bytes one experiment's points take in a working store, allocated in full at its
 * creation: doubles for every stored row, the stats and the point's values, and a fixed-size
 * message. One estimate for the runner (checked against --max-size before designs are
 * expanded) and for the store (checked against the free space). */
static inline double ilnet_study_bytes(double n_points, double n_times, int n_obs, int n_species,
                                       int n_stats, int n_vars, int n_sens)
{
    return n_points *
           (8 * (n_times * (n_obs + n_species) * (1.0 + n_sens) + n_stats + n_vars) + 257);
}

/* Provenance stored with the study. */
typedef struct {
    const char *config_path, *config_text, *model_path, *model_text, *command_line;
    const ilnet_solver_options *solver;
    const char *linear_solver;
    const char *set; /* the run's --set overrides, "NAME=VALUE ..." or "" */
} ilnet_study_meta;

/* The Hill fit of one dose-response series and readout: ec50, hill, bottom, top, their
 * standard errors, r2, rss, the interpolated half-maximal dose (the order of
 * ilnet_study_fit_fields). */
#define ILNET_STUDY_FIT_FIELDS 11
extern const char *const ilnet_study_fit_fields[ILNET_STUDY_FIT_FIELDS];

/* Per dose-response group: response [series][dose][readout], fit [series][readout][FIELDS],
 * fit_status [series][readout] (1 fitted, -1 failed, 0 too few points), fit_quality
 * [series][readout] (ilnet_hill_quality_name of a fit, else "failed" or "not_fitted").
 * NULL for others. */
typedef struct {
    const double *response, *fit;
    const signed char *fit_status;
    const char *const *fit_quality;
    /* a saltelli sweep's Sobol' indices, [time][stored column][parameter], and how many base
     * samples they rest on; NULL for other experiments */
    const double *sobol_first, *sobol_total;
    size_t sobol_used;
    size_t n_failed;
} ilnet_study_final;

/* The operations, on an opaque handle. Each returns 0 or a negative ILNET_E* code with the
 * error message set. */
typedef struct {
    /* a new working store at path, replacing any there */
    int (*create)(void **out, const char *path, const ilnet_study_meta *meta,
                  const ilnet_study_group *groups, int n_groups);
    /* reopen one to resume: it must hold the same config and shapes; *finished is set when
     * it is already final */
    int (*open)(void **out, int *finished, const char *path, const ilnet_study_meta *meta,
                const ilnet_study_group *groups, int n_groups);
    /* reopen on every rank of an MPI run (collective), or NULL without MPI support */
    int (*open_ranks)(void **out, const char *path, const ilnet_study_meta *meta,
                      const ilnet_study_group *groups, int n_groups);
    /* "running", "complete", "failed_points", ... of the store at path (caller frees), or
     * NULL when there is none */
    char *(*file_status)(const char *path);
    int (*read_status)(void *h, int g, signed char *status);
    /* one point: obs [n_times][n_obs], species [n_times][n_species] (NULL when not stored),
     * with sensitivities obs_sens [n_times][n_obs][n_sens] and species_sens
     * [n_times][n_species][n_sens] (else NULL), stats [n_stats], message (may be NULL); data
     * first, status last */
    int (*write_point)(void *h, int g, size_t point, const double *obs, const double *species,
                       const double *obs_sens, const double *species_sens, signed char status,
                       const double *stats, const char *message);
    int (*flush)(void *h);
    int (*read_observables)(void *h, int g, size_t point, double *obs);
    /* the final form (compression 0-9) with the fits; closes h */
    int (*finalize)(void *h, int compression, const ilnet_study_final *finals, const char *status);
    void (*close)(void *h);
    /* exclusive use of the store at path for the whole run (rank 0), or an error saying it
     * is busy; NULL when the store needs none */
    int (*lock)(void **out, const char *path);
    void (*unlock)(void *lock);
} ilnet_study_store;

#endif

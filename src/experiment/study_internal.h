/* The parts of the study runner, one concern per file:
 *   study.c         the sequence: plan, open the store, run the points, finish
 *   study_plan.c    the config, model and names; per experiment its points, output grid,
 *                   readouts and stored shape; a dry run of every override
 *   study_pool.c    worker threads and the writer loop (with the MPI dispatcher)
 *   study_finish.c  dose-response readouts, Hill fits, the final store and the summary */
#ifndef ILNET_STUDY_INTERNAL_H
#define ILNET_STUDY_INTERNAL_H

#include "../common/clock.h"
#include "../common/notify.h"
#include "config.h"
#include "design.h"
#include "study.h"

#include <stddef.h>

/* What the runner derives from one experiment of the config. */
typedef struct {
    const ilnet_config_experiment *e;
    ilnet_design_points pts;
    double *times;
    size_t n_times;
    int n_readouts;
    char **readout_names;
    size_t *readout_row; /* per readout at a time: row in the grid */
    int *readout_kind;   /* ILNET_READOUT_AT, _PEAK or _INTEGRAL */
    int *readout_col;    /* its stored column (set with the columns) */
    int *readout_spec;   /* which of the experiment's readouts it comes from */
    signed char *status;
    size_t n_failed;
} ilnet_study_exp;

typedef struct {
    const ilnet_study_options *o;
    const ilnet_study_store *store;
    ilnet_notify notify;
    int rank, n_ranks;
    /* the plan */
    ilnet_config c;
    int have_config;
    ilnet_presets presets_store, *presets;
    ilnet_network *net;
    char *model_text, *default_presets;
    char *set_text; /* the --set overrides as "NAME=VALUE ..." ("" without) */
    ilnet_study_exp *x;
    ilnet_study_group *groups;
    const char **obs_names, **sp_names; /* stored columns */
    const char **obs_units;             /* their units ("" when not declared), or NULL */
    int *obs_idx, *sp_idx, n_obs, n_sp;
    size_t net_obs, net_sp, max_times, total, pending;
    double planned_bytes; /* the working study file */
    ilnet_study_meta meta;
    /* the run */
    void *h;    /* the store's handle */
    void *lock; /* rank 0: the store's lock, held for the whole run */
    int n_threads;
    double t0;
} ilnet_study;

int ilnet_study_plan(ilnet_study *S, const char *config_path);
void ilnet_study_plan_free(ilnet_study *S);

/* Runs the pending points; *done gets the points finished over every rank and
 * *interrupted whether any rank stopped early. Every rank returns the same outcome as far
 * as MPI allows. */
int ilnet_study_pool_run(ilnet_study *S, size_t *done, int *interrupted);

enum { ILNET_READOUT_AT, ILNET_READOUT_PEAK, ILNET_READOUT_INTEGRAL };

/* Readout k of one point from a column's values over the output grid (v[r * stride] at row
 * r): at its time, its peak, or its integral (trapezoids). */
double ilnet_study_reduce(const ilnet_study_exp *x, int k, const double *v, size_t stride);
/* Fills the dose-response responses resp[point][readout] of readouts that aggregate over
 * doses (study_series.c), from their operands' stored columns. */
int ilnet_study_series_readouts(ilnet_study *S, int g, double *resp);

/* Rank 0: readouts, fits, the final store, the summary message. */
int ilnet_study_finish(ilnet_study *S);
/* Sobol' indices of saltelli sweep g from its stored points (study_sobol.c): first and total
 * [time][stored column][parameter]; *used = the base samples whose points all succeeded. */
int ilnet_study_sobol(ilnet_study *S, int g, double *first, double *total, size_t *used);

#endif

/* Studies: a YAML config (docs/study.md) of time courses, sweeps and dose responses on one
 * model, run on worker threads (and MPI ranks in an MPI build) into one resumable HDF5
 * file. The library prints nothing and installs no signal handlers: progress and messages
 * reach the caller's callbacks, and the progress callback stops the run by returning
 * non-zero (a CLI does so on SIGINT). */
#ifndef INCLUDE_ILNET_STUDY_H
#define INCLUDE_ILNET_STUDY_H

#include "common.h"

#include <signal.h>
#include <stddef.h>

ILNET_BEGIN_DECL

typedef struct {
    size_t done;      /* points finished in this run, over every rank (estimated mid-run) */
    size_t total;     /* points this run has to do (a resumed file: those not done before) */
    double elapsed_s; /* since the points started */
    int rank;         /* this process's MPI rank (0 without MPI) */
    int final;        /* 1 on the last call, after every point */
    /* NULL while points run; while a fit experiment runs (after the points), its name:
     * done and total then count its starts, and the callback is called as each start
     * finishes (a non-zero return stops the fit after the starts in flight) */
    const char *fit;
} ilnet_study_progress;

/* Called about ten times a second on the thread that called ilnet_study_run, on every
 * rank. A non-zero return stops the study: it takes no more points, keeps the finished
 * ones in a file that --resume (options.resume) can continue, and returns
 * ILNET_ECANCELLED. */
typedef int (*ilnet_study_progress_cb)(const ilnet_study_progress *progress, void *payload);

/* 2 added cancel; a caller built against version 1 still works (cancel is not read) */
#define ILNET_STUDY_OPTIONS_VERSION 2

typedef struct {
    unsigned int version;             /* ILNET_STUDY_OPTIONS_VERSION */
    int threads;                      /* worker threads; 0: every core */
    int resume;                       /* continue an unfinished file, skipping finished points */
    int overwrite;                    /* replace an unfinished file instead of refusing */
    int check_only;                   /* validate the config against the model, run nothing */
    const char *output;               /* overrides the config's output.file (NULL: keep it) */
    const char *command_line;         /* stored as provenance (NULL: empty) */
    ilnet_study_progress_cb progress; /* may be NULL */
    /* "FILE: valid: ...", the summary line, "already finished": ILNET_MESSAGE_INFO, on rank 0
     * only; may be NULL */
    ilnet_message_cb message;
    void *payload; /* passed to both callbacks */
    /* The largest study file allowed, in bytes, checked (like everything else) before a
     * point runs: the working file is allocated in full at the start. 0: the default,
     * ILNET_STUDY_DEFAULT_MAX_BYTES; negative: no limit. */
    double max_output_bytes;
    /* "NAME=VALUE" parameter overrides applied like the config's top-level parameters
     * (after them; experiments, series and sweeps that set the same parameter win),
     * validated against the model and recorded in the file's root attribute "set"; a
     * resume must give the same ones. n_set entries (set may be NULL when 0). */
    const char *const *set;
    int n_set;
    /* version >= 2: when *cancel becomes non-zero (e.g. from a signal handler the caller
     * installed), a fit experiment abandons its starts in flight at their next evaluation
     * and its profiles, keeping the finished starts (points stop through progress); may be
     * NULL */
    const volatile sig_atomic_t *cancel;
} ilnet_study_options;

#define ILNET_STUDY_DEFAULT_MAX_BYTES 10e9

/* ilnet_study_options o = ILNET_STUDY_OPTIONS_INIT; then set what differs. */
#ifdef __cplusplus
#define ILNET_STUDY_OPTIONS_INIT                                                                   \
    {                                                                                              \
        ILNET_STUDY_OPTIONS_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0                         \
    }
#else
#define ILNET_STUDY_OPTIONS_INIT                                                                   \
    {                                                                                              \
        .version = ILNET_STUDY_OPTIONS_VERSION                                                     \
    }
#endif

/* Runs the study config at config_path (opts may be NULL for the defaults). Returns 0;
 * ILNET_EINPUT for a bad config or model (nothing is run: the message names
 * FILE:LINE:COL and the key); ILNET_ESOLVER when some points failed (the file is complete
 * and records each point's status and message); ILNET_ECANCELLED when the progress
 * callback stopped it; or another negative code. */
ILNET_EXTERN(int) ilnet_study_run(const char *config_path, const ilnet_study_options *opts);
/* The study file a run of config_path with opts writes: opts->output, else the config's
 * output.file, else the config's name with .h5 (*out: caller frees with free()). Reads
 * the config (ILNET_EINPUT for a bad one); opts may be NULL. */
ILNET_EXTERN(int)
ilnet_study_output_path(char **out, const char *config_path, const ilnet_study_options *opts);

ILNET_END_DECL

#endif

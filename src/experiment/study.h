/* Runs a study config (docs/study.md): validates it whole, then runs every experiment's
 * points on worker threads (each with its own networks and solvers, reused across points),
 * streaming finished points into the HDF5 study file; resumable. */
#ifndef ILNET_STUDY_H
#define ILNET_STUDY_H

typedef struct {
    int threads;              /* 0: every core */
    int resume, overwrite;    /* continue an interrupted file / replace an incomplete one */
    int quiet;                /* no progress bar, no summary */
    int check_only;           /* validate, run nothing */
    const char *output;       /* overrides output.file */
    const char *command_line; /* provenance */
} ilnet_study_options;

#define ILNET_STUDY_OPTIONS_INIT                                                                   \
    {                                                                                              \
        0, 0, 0, 0, 0, NULL, NULL                                                                  \
    }

/* Returns 0, ILNET_EINPUT (bad config, nothing run), ILNET_ESOLVER (some points failed;
 * the file is complete and says which), or another negative code. */
int ilnet_study_run(const char *config_path, const ilnet_study_options *opts);

#endif

/* The public study entry: the runner with the HDF5 study file as its store. */
#include "../common/error.h"
#include "../experiment/config.h"
#include "../experiment/study.h"
#include "h5study.h"
#include "study_fits.h"

#include <stdlib.h>
#include <string.h>

int ilnet_study_run(const char *config_path, const ilnet_study_options *opts)
{
    /* --check: the fits' problems first, so that "valid" is said of the whole config */
    if (opts && opts->check_only) {
        int frc = ilnet_study_fits_run(config_path, opts);
        return frc ? frc : ilnet_study_execute(config_path, opts, &ilnet_h5study_store);
    }
    int rc = ilnet_study_execute(config_path, opts, &ilnet_h5study_store);
    /* the fits after the points (a study with failed points still has its file) */
    if (!rc || rc == ILNET_ESOLVER) {
        int frc = ilnet_study_fits_run(config_path, opts);
        if (frc) rc = frc;
    }
    return rc;
}

int ilnet_study_output_path(char **out, const char *config_path, const ilnet_study_options *opts)
{
    *out = NULL;
    if (opts && opts->output) {
        *out = strdup(opts->output);
        return *out ? 0 : ilnet_error_oom();
    }
    ilnet_config c;
    int rc = ilnet_config_read(&c, config_path);
    if (rc) return rc;
    *out = strdup(c.output);
    ilnet_config_free(&c);
    return *out ? 0 : ilnet_error_oom();
}

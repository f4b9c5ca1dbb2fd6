/* The public study entry: the runner with the HDF5 study file as its store. */
#include "../common/error.h"
#include "../experiment/config.h"
#include "../experiment/study.h"
#include "h5study.h"

#include <stdlib.h>
#include <string.h>

int ilnet_study_run(const char *config_path, const ilnet_study_options *opts)
{
    return ilnet_study_execute(config_path, opts, &ilnet_h5study_store);
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

/* The public study entry: the runner with the HDF5 study file as its store. */
#include "../experiment/study.h"
#include "h5study.h"

int ilnet_study_run(const char *config_path, const ilnet_study_options *opts)
{
    return ilnet_study_execute(config_path, opts, &ilnet_h5study_store);
}

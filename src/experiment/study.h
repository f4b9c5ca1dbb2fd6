/* The study runner (docs/study.md): validates a config whole, then runs every experiment's
 * points on worker threads (each with its own networks and solvers, reused across points),
 * streaming finished points into a store; resumable. The public entry, ilnet_study_run
 * (<ilnet/study.h>), is this with the HDF5 study file as the store (output layer). */
#ifndef ILNET_PRIV_STUDY_H
#define ILNET_PRIV_STUDY_H

#include <ilnet/study.h>

#include "study_store.h"

int ilnet_study_execute(const char *config_path, const ilnet_study_options *opts,
                        const ilnet_study_store *store);

#endif

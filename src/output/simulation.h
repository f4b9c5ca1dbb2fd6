/* One simulation's files: the HDF5 time course and, when gdat_prefix is not NULL,
 * BioNetGen's PREFIX.gdat/.cdat. The signature of ilnet_actions_write_fn (payload unused). */
#ifndef ILNET_OUTPUT_SIMULATION_H
#define ILNET_OUTPUT_SIMULATION_H

#include "../model/network.h"
#include "../solver/timecourse_meta.h"

int ilnet_output_write_simulation(void *payload, const char *h5_path, const char *gdat_prefix,
                                  const ilnet_network *net, const ilnet_result *res,
                                  const ilnet_timecourse_meta *meta);

#endif

/* HDF5 time-course file (layout in docs/hdf5-layout.md). The file is written under a
 * temporary name and renamed into place only when complete. */
#ifndef ILNET_H5OUT_H
#define ILNET_H5OUT_H

#include "../model/network.h"
#include "../solver/timecourse_meta.h"

int ilnet_h5_write_timecourse(const char *path, const ilnet_network *net, const ilnet_result *res,
                              const ilnet_timecourse_meta *meta);

#endif

/* A PEtab evaluation as an HDF5 file (docs/petab.md, "HDF5 output"): the objective as root
 * attributes, one row per measurement (ids, time, measured, simulated, sigma, residual),
 * one per parameter-table row (value, scale, bounds, estimate, gradient). Written under a
 * temporary name and renamed into place when complete. */
#ifndef ILNET_H5PETAB_H
#define ILNET_H5PETAB_H

#include "../experiment/petab.h"

#include <hdf5.h>

typedef struct {
    const char *problem_path, *command_line;
    double wall_seconds, atol, rtol;
} ilnet_h5_petab_meta;

/* The measurement table (ids, time, measured, simulated, sigma, residual; dimension scale
 * /measurement) into group loc; path names the file in errors. */
int ilnet_h5_write_petab_measurements(hid_t loc, const char *path, const ilnet_petab *p,
                                      const ilnet_petab_result *r);
/* x: the linear value of every parameter-table row the evaluation used */
int ilnet_h5_write_petab(const char *path, const ilnet_petab *p, const double *x,
                         const ilnet_petab_result *r, const ilnet_h5_petab_meta *meta);

#endif

/* Fit files (docs/fitting.md, "HDF5 layout"): every start of a multi-start fit, written as
 * each finishes (its row first, its status last, then a flush), so a killed fit leaves a
 * file whose finished starts a --resume keeps. */
#ifndef ILNET_H5FIT_H
#define ILNET_H5FIT_H

#include "../experiment/fit.h"
#include "../experiment/fit_profile.h"

typedef struct ilnet_h5fit ilnet_h5fit;

/* A new fit file at path (replacing one there) with every start's theta0. */
int ilnet_h5fit_create(ilnet_h5fit **out, const char *path, const char *problem, const ilnet_fit *f,
                       const ilnet_fit_options *o, const char *command_line);
/* Reopens one to resume: the same problem, parameters, starts, seed and method, else an
 * error; done[i] = 1 and f->starts[i] filled for every finished start. */
int ilnet_h5fit_open(ilnet_h5fit **out, const char *path, const char *problem, ilnet_fit *f,
                     const ilnet_fit_options *o, unsigned char *done);
int ilnet_h5fit_write_start(ilnet_h5fit *h, const ilnet_fit *f, const ilnet_fit_start *s);
/* Fisher-information intervals and covariance (NULL: none), and k profiles */
int ilnet_h5fit_write_uncertainty(ilnet_h5fit *h, const ilnet_fit *f, const double *cov,
                                  const double *ci_lower, const double *ci_upper,
                                  const ilnet_fit_profile *profiles, size_t k);
/* /best_fit: the measurement table with the simulations at the best start (r), llh and chi2
 * as attributes */
int ilnet_h5fit_write_best_fit(ilnet_h5fit *h, const ilnet_petab *p, const ilnet_petab_result *r);
/* The best start and status "complete"; closes h (also on failure). */
int ilnet_h5fit_finish(ilnet_h5fit *h, const ilnet_fit *f);
void ilnet_h5fit_close(ilnet_h5fit *h);

#endif

/* ilnet: cytokine-signalling networks from BioNetGen rules, BioNetGen .net files or SBML,
 * simulated with SUNDIALS CVODE; studies (sweeps, dose responses) into HDF5; PEtab
 * estimation problems evaluated (objective, gradient, residuals).
 *
 *   #include <ilnet/ilnet.h>       cc prog.c $(pkg-config --cflags --libs ilnet)
 *
 * Every function that can fail returns 0 or a negative ILNET_E* code and leaves the reason
 * in ilnet_error_last(). The library prints nothing and installs no signal handlers. */
#ifndef INCLUDE_ILNET_H
#define INCLUDE_ILNET_H

#include "common.h"
#include "error.h"
#include "model.h"
#include "solver.h"
#include "petab.h"
#include "study.h"
#include "fit.h"
#include <ilnet/version.h> /* generated: in the build tree it is not beside this file */

#endif

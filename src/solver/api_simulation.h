/* The public simulation handle (<ilnet/solver.h>): a result and how it was reached. */
#ifndef ILNET_API_SIMULATION_H
#define ILNET_API_SIMULATION_H

#include <ilnet/solver.h>

#include "solver.h"

struct ilnet_simulation {
    ilnet_result res;
    ilnet_solver_options opts;
    const char *linear_solver;
    double wall_seconds;
    char **sens_names; /* res.n_sens names */
};

#endif

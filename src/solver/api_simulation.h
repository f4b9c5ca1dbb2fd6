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

/* The model's cached solver for the public options (created, or replaced when they changed)
 * with their sensitivities set: shared by simulations and steady states. */
int ilnet_api_model_solver(ilnet_solver **out, ilnet_model *m, const ilnet_simulate_options *opts);
/* The name of the solver's sensitivity parameter w (>= 0 a parameter, < 0 species -w - 1). */
const char *ilnet_api_sens_name(const ilnet_model *m, int w);

#endif

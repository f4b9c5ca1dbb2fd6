/* The public steady-state handle (<ilnet/solver.h>): ilnet_solver_steady_state on the
 * model's cached solver, from the model's initial state. */
#include "../common/error.h"
#include "../model/api_model.h"
#include "api_simulation.h"

#include <stdlib.h>
#include <string.h>

struct ilnet_steady_state {
    ilnet_steady_result r;
    char **sens_names; /* r.n_sens */
};

static int steady_options(ilnet_steady_options *o, const ilnet_steady_state_options *in)
{
    ilnet_steady_options d = ILNET_STEADY_OPTIONS_INIT;
    *o = d;
    if (!in) return 0;
    if (in->version != ILNET_STEADY_STATE_OPTIONS_VERSION)
        return ilnet_error_set(ILNET_EINPUT,
                               "ilnet_steady_state_options: version %u, this library has %d",
                               in->version, ILNET_STEADY_STATE_OPTIONS_VERSION);
    if (in->atol < 0 || in->rtol < 0 || in->max_newton_iters < 1 || !(in->max_time > 0) ||
        in->max_steps < 1 || (!in->newton && !in->integrate))
        return ilnet_error_set(ILNET_EINPUT,
                               "steady-state options: atol, rtol >= 0, max_newton_iters, "
                               "max_time, max_steps > 0 and newton or integrate needed");
    o->atol = in->atol;
    o->rtol = in->rtol;
    o->max_newton_iters = in->max_newton_iters;
    o->max_time = in->max_time;
    o->max_steps = in->max_steps;
    o->newton = in->newton;
    o->integrate = in->integrate;
    return 0;
}

/* The caller's initial amounts, when it set any (those set are independent of the
 * parameters, the others follow their expressions); NULL: the network's own. */
static double *caller_state(ilnet_model *m, int *rc)
{
    size_t ns = ilnet_network_species_count(m->net);
    *rc = 0;
    int any = 0;
    for (size_t i = 0; i < ns; i++)
        any |= m->init_set[i];
    if (!any) return NULL;
    double *y0 = malloc((ns + 1) * sizeof *y0);
    if (!y0) {
        *rc = ilnet_error_oom();
        return NULL;
    }
    ilnet_model_initial_state(m, y0);
    return y0;
}

int ilnet_model_steady_state(ilnet_steady_state **out, ilnet_model *m,
                             const ilnet_simulate_options *sim,
                             const ilnet_steady_state_options *opts)
{
    *out = NULL;
    ilnet_steady_options so;
    ilnet_solver *solver;
    int rc = steady_options(&so, opts);
    if (!rc) rc = ilnet_api_model_solver(&solver, m, sim);
    if (rc) return rc;
    double *y0 = caller_state(m, &rc);
    ilnet_steady_state *s = rc ? NULL : calloc(1, sizeof *s);
    if (!s) {
        free(y0);
        return rc ? rc : ilnet_error_oom();
    }
    rc = ilnet_solver_steady_state_masked(solver, &s->r, y0, m->init_set, &so);
    free(y0);
    if ((!rc || rc == ILNET_ESOLVER) && s->r.n_sens) {
        s->sens_names = calloc(s->r.n_sens, sizeof *s->sens_names);
        int r2 = s->sens_names ? 0 : ilnet_error_oom();
        for (size_t j = 0; !r2 && j < s->r.n_sens; j++)
            if (!(s->sens_names[j] = strdup(ilnet_api_sens_name(m, s->r.sens_which[j]))))
                r2 = ilnet_error_oom();
        if (r2) rc = r2;
    }
    if (rc && rc != ILNET_ESOLVER) {
        ilnet_steady_state_free(s);
        return rc;
    }
    *out = s;
    return rc;
}

void ilnet_steady_state_free(ilnet_steady_state *s)
{
    if (!s) return;
    for (size_t j = 0; s->sens_names && j < s->r.n_sens; j++)
        free(s->sens_names[j]);
    free(s->sens_names);
    ilnet_steady_result_free(&s->r);
    free(s);
}

int ilnet_steady_state_status(const ilnet_steady_state *s)
{
    return s->r.status;
}

const char *ilnet_steady_state_message(const ilnet_steady_state *s)
{
    return s->r.message;
}

const double *ilnet_steady_state_species(const ilnet_steady_state *s)
{
    return s->r.y;
}

const double *ilnet_steady_state_observables(const ilnet_steady_state *s)
{
    return s->r.obs;
}

size_t ilnet_steady_state_species_count(const ilnet_steady_state *s)
{
    return s->r.n_species;
}

size_t ilnet_steady_state_observable_count(const ilnet_steady_state *s)
{
    return s->r.n_observables;
}

const char *ilnet_steady_state_method(const ilnet_steady_state *s)
{
    return ilnet_steady_method_name(s->r.method);
}

double ilnet_steady_state_time(const ilnet_steady_state *s)
{
    return s->r.t;
}

double ilnet_steady_state_rate_norm(const ilnet_steady_state *s)
{
    return s->r.wrms;
}

long ilnet_steady_state_newton_iterations(const ilnet_steady_state *s)
{
    return s->r.newton_iters;
}

long ilnet_steady_state_steps(const ilnet_steady_state *s)
{
    return s->r.steps;
}

size_t ilnet_steady_state_sensitivity_count(const ilnet_steady_state *s)
{
    return s->r.n_sens;
}

const char *ilnet_steady_state_sensitivity_name(const ilnet_steady_state *s, size_t j)
{
    return j < s->r.n_sens && s->sens_names ? s->sens_names[j] : NULL;
}

const double *ilnet_steady_state_sensitivities(const ilnet_steady_state *s)
{
    return s->r.n_sens ? s->r.sens : NULL;
}

const double *ilnet_steady_state_observable_sensitivities(const ilnet_steady_state *s)
{
    return s->r.n_sens ? s->r.obs_sens : NULL;
}

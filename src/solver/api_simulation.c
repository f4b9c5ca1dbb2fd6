/* The public simulation API: the model's solver, created on first use and reused
 * (CVodeReInit) while the options stay the same. */
#include "api_simulation.h"

#include "../common/clock.h"
#include "../common/error.h"
#include "../model/api_model.h"
#include "../model/network_sens.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    ilnet_solver *solver;
    ilnet_solver_options opts;
    double *y0;
    int *which; /* sensitivities set on the solver */
    int k;
} cache;

static void cache_free(void *p)
{
    cache *c = p;
    if (!c) return;
    ilnet_solver_free(c->solver);
    free(c->y0);
    free(c->which);
    free(c);
}

static int options(ilnet_solver_options *o, const ilnet_simulate_options *in)
{
    ilnet_simulate_options defaults = ILNET_SIMULATE_OPTIONS_INIT;
    if (!in) in = &defaults;
    if (in->version != ILNET_SIMULATE_OPTIONS_VERSION && in->version != 1)
        return ilnet_error_set(ILNET_EINPUT,
                               "ilnet_simulate_options: version %u, this library has %d",
                               in->version, ILNET_SIMULATE_OPTIONS_VERSION);
    if (!(in->atol > 0) || !(in->rtol > 0) || in->max_steps < 1)
        return ilnet_error_set(ILNET_EINPUT,
                               "simulate options: atol and rtol must be > 0 and max_steps >= 1 "
                               "(atol %g, rtol %g, max_steps %ld)",
                               in->atol, in->rtol, in->max_steps);
    ilnet_solver_options d = ILNET_SOLVER_OPTIONS_INIT;
    *o = d;
    o->atol = in->atol;
    o->rtol = in->rtol;
    o->max_steps = in->max_steps;
    o->dense_max = in->dense_max;
    switch (in->linear_solver) {
    case ILNET_LINEAR_SOLVER_AUTO:
        o->linsol = ILNET_LINSOL_AUTO;
        break;
    case ILNET_LINEAR_SOLVER_DENSE:
        o->linsol = ILNET_LINSOL_DENSE;
        break;
    case ILNET_LINEAR_SOLVER_KLU:
        o->linsol = ILNET_LINSOL_KLU;
        break;
    case ILNET_LINEAR_SOLVER_GMRES:
        o->linsol = ILNET_LINSOL_GMRES;
        break;
    default:
        return ilnet_error_set(ILNET_EINPUT, "simulate options: unknown linear solver %d",
                               (int)in->linear_solver);
    }
    return 0;
}

/* The sensitivities opts asks for set on the cached solver (unchanged ones left as they are,
 * so CVODES's memory is reused). */
static int solver_sensitivities(cache *c, ilnet_model *m, const ilnet_simulate_options *in)
{
    size_t k = in && in->version >= 2 && in->sensitivities ? in->n_sensitivities : 0;
    int *which = malloc((k + 1) * sizeof *which);
    if (!which) return ilnet_error_oom();
    int rc = ilnet_sens_resolve(which, m->net, k ? in->sensitivities : NULL, (int)k);
    if (!rc && ((int)k != c->k || (k && memcmp(which, c->which, k * sizeof *which)))) {
        double atol = k ? in->sens_atol : 0, rtol = k ? in->sens_rtol : 0;
        rc = ilnet_solver_set_sensitivities(c->solver, which, (int)k, atol, rtol);
        free(c->which);
        c->which = rc ? NULL : which;
        c->k = rc ? 0 : (int)k;
        if (!rc) which = NULL;
    }
    free(which);
    return rc;
}

/* The model's cached solver for these options (a new one when they changed). */
static int model_solver(cache **out, ilnet_model *m, const ilnet_solver_options *o)
{
    cache *c = m->solver_cache;
    if (c && !memcmp(&c->opts, o, sizeof *o)) {
        *out = c;
        return 0;
    }
    if (m->solver_cache_free) m->solver_cache_free(m->solver_cache);
    m->solver_cache = NULL;
    m->solver_cache_free = NULL;
    if (!(c = calloc(1, sizeof *c))) return ilnet_error_oom();
    c->opts = *o;
    c->y0 = malloc((ilnet_network_species_count(m->net) + 1) * sizeof *c->y0);
    int rc = c->y0 ? ilnet_solver_new(&c->solver, m->net, o) : ilnet_error_oom();
    if (rc) {
        cache_free(c);
        return rc;
    }
    m->solver_cache = c;
    m->solver_cache_free = cache_free;
    *out = c;
    return 0;
}

int ilnet_api_model_solver(ilnet_solver **out, ilnet_model *m, const ilnet_simulate_options *opts)
{
    ilnet_solver_options o;
    cache *c = NULL;
    int rc = options(&o, opts);
    if (!rc) rc = model_solver(&c, m, &o);
    if (!rc) rc = solver_sensitivities(c, m, opts);
    *out = rc ? NULL : c->solver;
    return rc;
}

const char *ilnet_api_sens_name(const ilnet_model *m, int w)
{
    return w >= 0 ? ilnet_network_parameter(m->net, (size_t)w)->name
                  : ilnet_network_species(m->net, (size_t)(-w - 1))->name;
}

int ilnet_model_simulate(ilnet_simulation **out, ilnet_model *m, const double *times,
                         size_t n_times, const ilnet_simulate_options *opts)
{
    *out = NULL;
    if (!times || n_times < 1) return ilnet_error_set(ILNET_EINPUT, "simulate: no output times");
    for (size_t i = 1; i < n_times; i++)
        if (!(times[i] >= times[i - 1]))
            return ilnet_error_set(ILNET_EINPUT,
                                   "simulate: output times must not decrease (times[%zu] = %g "
                                   "after %g)",
                                   i, times[i], times[i - 1]);
    ilnet_solver_options o;
    cache *c = NULL;
    int rc = options(&o, opts);
    if (!rc) rc = model_solver(&c, m, &o);
    if (!rc) rc = solver_sensitivities(c, m, opts);
    if (rc) return rc;
    ilnet_simulation *s = calloc(1, sizeof *s);
    if (!s) return ilnet_error_oom();
    if ((rc = ilnet_result_init(&s->res, m->net, n_times))) {
        free(s);
        return rc;
    }
    memcpy(s->res.times, times, n_times * sizeof *times);
    s->opts = o;
    s->linear_solver = ilnet_solver_linsol_name(c->solver);
    ilnet_model_initial_state(m, c->y0);
    double t0 = ilnet_clock_now();
    rc = ilnet_solver_run_masked(c->solver, &s->res, c->y0, m->init_set);
    s->wall_seconds = ilnet_clock_now() - t0;
    if ((!rc || rc == ILNET_ESOLVER) && s->res.n_sens) {
        int r2 = 0;
        s->sens_names = calloc(s->res.n_sens, sizeof *s->sens_names);
        for (size_t j = 0; s->sens_names && j < s->res.n_sens && !r2; j++) {
            const char *name = ilnet_api_sens_name(m, s->res.sens_which[j]);
            if (!(s->sens_names[j] = strdup(name))) r2 = ilnet_error_oom();
        }
        if (!s->sens_names) r2 = ilnet_error_oom();
        if (r2) rc = r2;
    }
    if (rc && rc != ILNET_ESOLVER) {
        ilnet_simulation_free(s);
        return rc;
    }
    *out = s;
    return rc;
}

void ilnet_simulation_free(ilnet_simulation *s)
{
    if (!s) return;
    for (size_t j = 0; s->sens_names && j < s->res.n_sens; j++)
        free(s->sens_names[j]);
    free(s->sens_names);
    ilnet_result_free(&s->res);
    free(s);
}

size_t ilnet_simulation_times_count(const ilnet_simulation *s)
{
    return s->res.n_times;
}

size_t ilnet_simulation_rows(const ilnet_simulation *s)
{
    return s->res.n_done;
}

const double *ilnet_simulation_times(const ilnet_simulation *s)
{
    return s->res.times;
}

const double *ilnet_simulation_species(const ilnet_simulation *s)
{
    return s->res.species;
}

const double *ilnet_simulation_observables(const ilnet_simulation *s)
{
    return s->res.observables;
}

size_t ilnet_simulation_species_count(const ilnet_simulation *s)
{
    return s->res.n_species;
}

size_t ilnet_simulation_observable_count(const ilnet_simulation *s)
{
    return s->res.n_observables;
}

int ilnet_simulation_status(const ilnet_simulation *s)
{
    return s->res.status;
}

const char *ilnet_simulation_message(const ilnet_simulation *s)
{
    return s->res.status ? s->res.message : "";
}

size_t ilnet_simulation_sensitivity_count(const ilnet_simulation *s)
{
    return s->res.n_sens;
}

const char *ilnet_simulation_sensitivity_name(const ilnet_simulation *s, size_t j)
{
    return j < s->res.n_sens ? s->sens_names[j] : NULL;
}

const double *ilnet_simulation_sensitivities(const ilnet_simulation *s)
{
    return s->res.n_sens ? s->res.sens : NULL;
}

const double *ilnet_simulation_observable_sensitivities(const ilnet_simulation *s)
{
    return s->res.n_sens ? s->res.obs_sens : NULL;
}

const char *ilnet_simulation_linear_solver(const ilnet_simulation *s)
{
    return s->linear_solver;
}

void ilnet_simulation_get_stats(ilnet_simulation_stats *out, const ilnet_simulation *s)
{
    const ilnet_solver_stats *t = &s->res.stats;
    ilnet_simulation_stats v = {
        t->steps,        t->rhs_evals,         t->jac_evals, t->lin_setups, t->err_test_fails,
        t->nonlin_iters, t->nonlin_conv_fails, t->last_step, t->t_reached};
    *out = v;
}

/* Adjoint gradients against forward sensitivities: for an objective J = sum_i G_i . y(t_i)
 * with seeded random weights G (some rows all 0, as unmeasured times are), the adjoint
 * dJ/dp equals sum_i G_i . S(t_i) from forward sensitivities (CVODES, error control) within
 * 1e-6 of the gradient's largest entry, with respect to every parameter and one species'
 * initial amount, on BioNetGen reference networks with the dense and the KLU solver (the
 * backward Jacobian is J^T in either), a state-dependent rate law (Michaelis-Menten
 * function, the dual-number path), and an initial state given by the caller. Switching a
 * solver back from adjoint to forward sensitivities leaves nothing behind: its next run
 * equals, bit for bit, a run of a solver that never computed an adjoint (CVODES restores
 * the forward run's first step as the initial step when the backward run starts). Also: a
 * run with sensitivities paused records nothing, and a gradient without an adjoint run is
 * an error. */
#include "check.h"

#include "common/error.h"
#include "model/netfile.h"
#include "model/network_sens.h"
#include "solver/solver.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NT 9

static const char *net_mm = "begin parameters\n 1 Vmax 2\n 2 Km 3\n 3 S0 10\nend parameters\n"
                            "begin species\n 1 S S0\n 2 P 0\nend species\n"
                            "begin reactions\n 1 1 2 mm\n 2 2 1 0.1\nend reactions\n"
                            "begin groups\n 1 Total 1,2\nend groups\n"
                            "begin functions\n 1 mm() Vmax/(Km+S)\nend functions\n";

/* which[] = every parameter, then species 0's initial amount */
static int all_columns(const ilnet_network *net, int *which)
{
    int k = 0;
    for (size_t i = 0; i < ilnet_network_parameter_count(net); i++)
        which[k++] = (int)i;
    which[k++] = -1;
    return k;
}

static ilnet_solver *solver(const ilnet_network *net, ilnet_linsol ls, const int *which, int k,
                            int adjoint)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-12;
    so.rtol = 1e-10;
    so.linsol = ls;
    ilnet_solver *s = NULL;
    CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
    if (!s) return NULL;
    CHECK(ilnet_solver_set_sensitivities(s, which, k, 0, 0) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_set_adjoint(s, adjoint) == 0, "%s", ilnet_error_last());
    return s;
}

static void compare(const char *name, const ilnet_network *net, ilnet_linsol ls, double t_end,
                    const double *y0)
{
    size_t n = ilnet_network_species_count(net);
    int *which = malloc((ilnet_network_parameter_count(net) + 2) * sizeof *which);
    int k = all_columns(net, which);
    double *G = calloc(NT * n, sizeof *G), *ga = calloc((size_t)k, sizeof *ga),
           *gf = calloc((size_t)k, sizeof *gf);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (size_t r = 0; r < NT; r++)
        for (size_t i = 0; r != 3 && r != NT - 1 && i < n; i++) /* rows 3 and last unmeasured */
            G[r * n + i] = gsl_rng_uniform(rng) - 0.5;
    ilnet_result res;
    CHECK(ilnet_result_init(&res, net, NT) == 0, "%s", ilnet_error_last());
    ilnet_result_linear_times(&res, 0, t_end);
    ilnet_solver *sf = solver(net, ls, which, k, 0), *sa = solver(net, ls, which, k, 1);
    /* twice: the second run is the one a solver that ran before gives (KLU refactorises) */
    for (int rep = 0; rep < 2; rep++)
        CHECK(ilnet_solver_run(sf, &res, y0) == 0, "%s: %s", name, ilnet_error_last());
    for (size_t r = 0; r < NT; r++)
        for (size_t i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
                gf[j] += G[r * n + i] * res.sens[(r * n + i) * (size_t)k + (size_t)j];
    size_t ny = NT * n, ns = ny * (size_t)k;
    double *ys = malloc(ny * sizeof *ys), *ss = malloc(ns * sizeof *ss);
    memcpy(ys, res.species, ny * sizeof *ys);
    memcpy(ss, res.sens, ns * sizeof *ss);
    /* twice: the second run and gradient reuse the checkpoint and backward memory */
    for (int rep = 0; rep < 2; rep++) {
        CHECK(ilnet_solver_run(sa, &res, y0) == 0, "%s: %s", name, ilnet_error_last());
        CHECK(res.n_sens == 0, "%s: adjoint run stored %zu sensitivities", name, res.n_sens);
        CHECK(ilnet_solver_adjoint_gradient(sa, &res, G, ga) == 0, "%s: %s", name,
              ilnet_error_last());
    }
    CHECK(ilnet_solver_set_adjoint(sa, 0) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_run(sa, &res, y0) == 0, "%s: %s", name, ilnet_error_last());
    CHECK(res.n_sens == (size_t)k && !memcmp(res.species, ys, ny * sizeof *ys) &&
              !memcmp(res.sens, ss, ns * sizeof *ss),
          "%s (%s): forward run after adjoint ones differs from a fresh solver's", name,
          ilnet_solver_linsol_name(sa));
    free(ys), free(ss);
    double scale = 0, worst = 0;
    for (int j = 0; j < k; j++)
        scale = fmax(scale, fabs(gf[j]));
    for (int j = 0; j < k; j++) {
        double err = fabs(ga[j] - gf[j]) / scale;
        worst = fmax(worst, err);
        CHECK(err <= 1e-6, "%s (%s): column %d: adjoint %.12g forward %.12g", name,
              ilnet_solver_linsol_name(sa), j, ga[j], gf[j]);
    }
    CHECK(scale > 0, "%s: zero gradient", name);
    printf("%-24s %-5s k=%-3d worst %.2e of max |grad| %.3g\n", name, ilnet_solver_linsol_name(sa),
           k, worst, scale);
    ilnet_solver_free(sf);
    ilnet_solver_free(sa);
    ilnet_result_free(&res);
    gsl_rng_free(rng);
    free(G), free(ga), free(gf), free(which);
}

static void reference(const char *dir, const char *model, double t_end)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s.net", dir, model, model);
    ilnet_network *net = NULL;
    CHECK(ilnet_netfile_read(&net, path) == 0, "%s", ilnet_error_last());
    if (!net) return;
    compare(model, net, ILNET_LINSOL_KLU, t_end, NULL);
    if (ilnet_network_species_count(net) <= 100)
        compare(model, net, ILNET_LINSOL_DENSE, t_end, NULL);
    ilnet_network_free(net);
}

static void test_mm(void)
{
    ilnet_network *net = NULL;
    CHECK(ilnet_netfile_parse(&net, net_mm, strlen(net_mm), "mm.net") == 0, "%s",
          ilnet_error_last());
    if (!net) return;
    compare("michaelis_menten", net, ILNET_LINSOL_DENSE, 8, NULL);
    double y0[2] = {4, 1}; /* a given initial state: only S's own column sees it */
    compare("michaelis_menten_y0", net, ILNET_LINSOL_KLU, 8, y0);

    /* paused: no checkpoints, so no gradient */
    int which[4];
    int k = all_columns(net, which);
    ilnet_solver *s = solver(net, ILNET_LINSOL_DENSE, which, k, 1);
    ilnet_result res;
    CHECK(ilnet_result_init(&res, net, NT) == 0, "%s", ilnet_error_last());
    ilnet_result_linear_times(&res, 0, 5);
    ilnet_solver_pause_sensitivities(s, 1);
    CHECK(!ilnet_solver_adjoint_active(s), "paused solver records checkpoints");
    CHECK(ilnet_solver_run(s, &res, NULL) == 0, "%s", ilnet_error_last());
    double G[NT * 2] = {0}, g[4];
    G[5] = 1;
    CHECK(ilnet_solver_adjoint_gradient(s, &res, G, g) == ILNET_EINPUT,
          "gradient without an adjoint run accepted");
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "../shared/reference/bng";
    test_mm();
    reference(dir, "Haugh2b", 20);
    reference(dir, "toy-jim", 100);
    reference(dir, "Cheemalavagu_JAK_STAT", 30);
    reference(dir, "Motivating_example", 100);
    CHECK_DONE();
}

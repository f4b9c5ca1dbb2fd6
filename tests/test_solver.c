/* Solver behaviour: reuse across runs (CVodeReInit) gives identical results, parameter
 * changes between runs take effect, a failure returns a status, the partial trajectory
 * and a message naming the time reached and the dominant species, automatic choice of
 * the linear solver, and statistics. */
#include "check.h"

#include "common/error.h"
#include "model/netfile.h"
#include "solver/solver.h"

#include <string.h>

static const char *net_decay = "begin parameters\n 1 k 0.3\nend parameters\n"
                               "begin species\n 1 A 2\n 2 B 0\nend species\n"
                               "begin reactions\n 1 1 2 k\nend reactions\n"
                               "begin groups\n 1 Btot 2\nend groups\n";

/* Fast oscillating/decaying system that needs many steps over a long span. */
static const char *net_stiff =
    "begin parameters\n 1 k1 1e4\n 2 k2 1e-2\nend parameters\n"
    "begin species\n 1 Fast 1\n 2 Slow 1\n 3 Sink 0\nend species\n"
    "begin reactions\n 1 1 2 k1\n 2 2 1 k1\n 3 2 3 k2\n 4 3 2 k2\nend reactions\n";

static ilnet_network *parse(const char *text)
{
    ilnet_network *net = NULL;
    CHECK(ilnet_netfile_parse(&net, text, strlen(text), "t.net") == 0, "%s", ilnet_error_last());
    return net;
}

int main(void)
{
    ilnet_network *net = parse(net_decay);
    ilnet_solver *s;
    ilnet_result r1, r2;
    CHECK(ilnet_solver_new(&s, net, NULL) == 0, "%s", ilnet_error_last());
    CHECK(!strcmp(ilnet_solver_linsol_name(s), "dense"), "auto picks dense for 2 species");
    ilnet_result_init(&r1, net, 11);
    ilnet_result_init(&r2, net, 11);
    for (int i = 0; i <= 10; i++)
        r1.times[i] = r2.times[i] = i;
    CHECK(ilnet_solver_run(s, &r1, NULL) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_run(s, &r2, NULL) == 0, "%s", ilnet_error_last());
    CHECK(!memcmp(r1.species, r2.species, 11 * 2 * sizeof(double)), "reuse changed results");
    CHECK(r1.stats.steps == r2.stats.steps && r1.stats.steps > 0, "statistics per run");
    CHECK(r1.stats.rhs_evals > 0 && r1.stats.jac_evals > 0, "rhs/jac counts");
    CHECK(r1.observables[10] == r1.species[10 * 2 + 1], "observable Btot = B");

    /* a new rate constant between runs */
    CHECK(ilnet_network_set_parameter(net, "k", 0.1) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_run(s, &r2, NULL) == 0, "%s", ilnet_error_last());
    CHECK_CLOSE(r2.species[10 * 2], 2 * exp(-0.1 * 10), 1e-6, 0);

    /* an explicit initial state */
    double y0[2] = {1, 1};
    CHECK(ilnet_solver_run(s, &r2, y0) == 0, "%s", ilnet_error_last());
    CHECK_CLOSE(r2.species[10 * 2 + 1], 2 - exp(-0.1 * 10), 1e-6, 0);
    double bad[2] = {-1, 0};
    CHECK(ilnet_solver_run(s, &r2, bad) == ILNET_EINPUT, "negative initial amount accepted");

    /* non-increasing output times are an input error */
    r2.times[5] = 1;
    CHECK(ilnet_solver_run(s, &r2, NULL) == ILNET_EINPUT, "decreasing times accepted");
    ilnet_result_free(&r1);
    ilnet_result_free(&r2);
    ilnet_solver_free(s);

    /* helpers: linear output grid with exact end points, linear-solver names */
    ilnet_result_init(&r1, net, 4);
    ilnet_result_linear_times(&r1, 0.1, 0.7);
    CHECK(r1.times[0] == 0.1 && r1.times[3] == 0.7 && fabs(r1.times[1] - 0.3) < 1e-15,
          "grid %g %g %g %g", r1.times[0], r1.times[1], r1.times[2], r1.times[3]);
    ilnet_result_free(&r1);
    ilnet_linsol ls;
    CHECK(ilnet_linsol_parse(&ls, "klu") == 0 && ls == ILNET_LINSOL_KLU, "parse klu");
    CHECK(ilnet_linsol_parse(&ls, "dense") == 0 && ls == ILNET_LINSOL_DENSE, "parse dense");
    CHECK(ilnet_linsol_parse(&ls, "gmres") == 0 && ls == ILNET_LINSOL_GMRES, "parse gmres");
    CHECK(ilnet_linsol_parse(&ls, "lapack") == ILNET_EINPUT, "unknown solver name accepted");

    /* forced KLU on a small network, and bad options */
    ilnet_solver_options o = ILNET_SOLVER_OPTIONS_INIT;
    o.linsol = ILNET_LINSOL_KLU;
    CHECK(ilnet_solver_new(&s, net, &o) == 0, "%s", ilnet_error_last());
    CHECK(!strcmp(ilnet_solver_linsol_name(s), "klu"), "forced klu");
    ilnet_solver_free(s);
    o.linsol = ILNET_LINSOL_GMRES;
    CHECK(ilnet_solver_new(&s, net, &o) == 0, "%s", ilnet_error_last());
    CHECK(!strcmp(ilnet_solver_linsol_name(s), "gmres"), "forced gmres");
    ilnet_solver_free(s);
    o.linsol = ILNET_LINSOL_KLU;
    o.atol = -1;
    CHECK(ilnet_solver_new(&s, net, &o) == ILNET_EINPUT, "negative atol accepted");
    ilnet_network_free(net);

    /* failure: too few steps allowed; partial rows, status and message */
    net = parse(net_stiff);
    o = (ilnet_solver_options)ILNET_SOLVER_OPTIONS_INIT;
    o.max_steps = 20;
    o.rtol = 1e-10;
    o.atol = 1e-14;
    CHECK(ilnet_solver_new(&s, net, &o) == 0, "%s", ilnet_error_last());
    ilnet_result_init(&r1, net, 5);
    for (int i = 0; i < 5; i++)
        r1.times[i] = i * 100.0;
    int rc = ilnet_solver_run(s, &r1, NULL);
    CHECK(rc == ILNET_ESOLVER && r1.status == ILNET_ESOLVER, "expected a solver failure");
    CHECK(r1.n_done >= 1 && r1.n_done < 5, "partial rows %zu", r1.n_done);
    CHECK(strstr(r1.message, "failed at t = ") != NULL, "message: %s", r1.message);
    CHECK(strstr(r1.message, "Fast") || strstr(r1.message, "Slow") || strstr(r1.message, "Sink"),
          "message names no species: %s", r1.message);
    CHECK(r1.cvode_flag < 0, "CVODE flag %d", r1.cvode_flag);
    CHECK(r1.stats.t_reached > 0 && r1.stats.t_reached < 400, "t reached %g", r1.stats.t_reached);
    printf("failure message: %s\n", r1.message);
    /* the same solver recovers for a run within its limits */
    ilnet_result_free(&r1);
    ilnet_result_init(&r1, net, 2);
    r1.times[0] = 0;
    r1.times[1] = 1e-4;
    CHECK(ilnet_solver_run(s, &r1, NULL) == 0, "reuse after failure: %s", ilnet_error_last());
    ilnet_result_free(&r1);
    ilnet_solver_free(s);
    ilnet_network_free(net);
    CHECK_DONE();
}

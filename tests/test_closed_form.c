/* Closed-form solutions, each checked at 51 times within 1e-6 relative, with the dense
 * and the KLU linear solver:
 *   A -> B                        A = A0 exp(-k t)
 *   A + B <-> C                   Riccati solution of dC/dt = kf (A0-C)(B0-C) - kr C
 *   A + A -> B, rate 0.5*k        BioNetGen convention: dA/dt = -k A^2, A = A0/(1 + k A0 t)
 *   0 -> A, A -> 0                A = ks/kd + (A0 - ks/kd) exp(-kd t), to steady state
 *   $L + R -> LR  (L fixed)       R = R0 exp(-k L t), L unchanged */
#include "check.h"

#include "common/error.h"
#include "model/netfile.h"
#include "solver/solver.h"

#include <string.h>

typedef double (*exact_fn)(const char *species, double t);

static ilnet_network *parse(const char *text)
{
    ilnet_network *net = NULL;
    int rc = ilnet_netfile_parse(&net, text, strlen(text), "closed_form.net");
    CHECK(rc == 0, "parse: %s", ilnet_error_last());
    return net;
}

static void run_case(const char *name, const char *text, double t_end, exact_fn exact,
                     ilnet_linsol ls)
{
    ilnet_network *net = parse(text);
    if (!net) return;
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-14;
    so.rtol = 1e-11;
    so.linsol = ls;
    ilnet_solver *s;
    ilnet_result res;
    CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_result_init(&res, net, 51) == 0, "%s", ilnet_error_last());
    for (int i = 0; i <= 50; i++)
        res.times[i] = t_end * i / 50.0;
    CHECK(ilnet_solver_run(s, &res, NULL) == 0, "%s: %s", name, ilnet_error_last());
    double worst = 0;
    for (size_t r = 0; r < res.n_done; r++)
        for (size_t i = 0; i < res.n_species; i++) {
            const char *sp = ilnet_network_species(net, i)->name;
            double want = exact(sp, res.times[r]), got = res.species[r * res.n_species + i];
            double err = fabs(got - want) / fmax(fabs(want), 1e-300);
            if (want == 0) err = fabs(got) > 1e-12 ? INFINITY : 0;
            if (err > worst) worst = err;
            CHECK(err <= 1e-6, "%s (%s): %s at t=%g: got %.12g want %.12g", name,
                  ilnet_solver_linsol_name(s), sp, res.times[r], got, want);
        }
    printf("%-28s %-5s worst relative error %.2e\n", name, ilnet_solver_linsol_name(s), worst);
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

/* A -> B */
static const double k1 = 0.3, A0_1 = 2.0;
static double exact_decay(const char *sp, double t)
{
    double a = A0_1 * exp(-k1 * t);
    return !strcmp(sp, "A") ? a : A0_1 - a;
}
static const char *net_decay = "begin parameters\n 1 k 0.3\n 2 A0 2\nend parameters\n"
                               "begin species\n 1 A A0\n 2 B 0\nend species\n"
                               "begin reactions\n 1 1 2 k\nend reactions\n";

/* A + B <-> C */
static const double kf = 0.7, kr = 0.2, A0_2 = 3.0, B0_2 = 1.5;
static double exact_binding(const char *sp, double t)
{
    double b = kf * (A0_2 + B0_2) + kr, disc = sqrt(b * b - 4 * kf * kf * A0_2 * B0_2);
    double x1 = (b - disc) / (2 * kf), x2 = (b + disc) / (2 * kf);
    double e = exp(-kf * (x2 - x1) * t);
    double c = x1 * x2 * (1 - e) / (x2 - x1 * e);
    if (!strcmp(sp, "A")) return A0_2 - c;
    if (!strcmp(sp, "B")) return B0_2 - c;
    return c;
}
static const char *net_binding = "begin parameters\n 1 kf 0.7\n 2 kr 0.2\nend parameters\n"
                                 "begin species\n 1 A 3\n 2 B 1.5\n 3 C 0\nend species\n"
                                 "begin reactions\n 1 1,2 3 kf\n 2 3 1,2 kr\nend reactions\n";

/* 2A -> B with BioNetGen's 0.5 statistical factor written into the rate */
static const double k3 = 0.4, A0_3 = 5.0;
static double exact_dimer(const char *sp, double t)
{
    double a = A0_3 / (1 + k3 * A0_3 * t);
    return !strcmp(sp, "A") ? a : (A0_3 - a) / 2;
}
static const char *net_dimer = "begin parameters\n 1 k 0.4\nend parameters\n"
                               "begin species\n 1 A 5\n 2 B 0\nend species\n"
                               "begin reactions\n 1 1,1 2 0.5*k\nend reactions\n";

/* synthesis and degradation */
static const double ks = 2.0, kd = 0.25, A0_4 = 1.0;
static double exact_synth(const char *sp, double t)
{
    (void)sp;
    return ks / kd + (A0_4 - ks / kd) * exp(-kd * t);
}
static const char *net_synth = "begin parameters\n 1 ks 2\n 2 kd 0.25\nend parameters\n"
                               "begin species\n 1 A 1\nend species\n"
                               "begin reactions\n 1 0 1 ks\n 2 1 0 kd\nend reactions\n";

/* fixed ligand: pseudo-first-order binding */
static const double k5 = 0.01, L5 = 50, R0_5 = 100;
static double exact_fixed(const char *sp, double t)
{
    double r = R0_5 * exp(-k5 * L5 * t);
    if (!strcmp(sp, "L")) return L5;
    return !strcmp(sp, "R") ? r : R0_5 - r;
}
static const char *net_fixed = "begin parameters\n 1 k 0.01\nend parameters\n"
                               "begin species\n 1 $L 50\n 2 R 100\n 3 LR 0\nend species\n"
                               "begin reactions\n 1 1,2 3 k\nend reactions\n";

int main(void)
{
    ilnet_linsol solvers[] = {ILNET_LINSOL_DENSE, ILNET_LINSOL_KLU, ILNET_LINSOL_GMRES};
    for (int i = 0; i < 3; i++) {
        run_case("A -> B", net_decay, 20, exact_decay, solvers[i]);
        run_case("A + B <-> C", net_binding, 10, exact_binding, solvers[i]);
        run_case("2A -> B (0.5*k)", net_dimer, 10, exact_dimer, solvers[i]);
        run_case("0 -> A, A -> 0", net_synth, 80, exact_synth, solvers[i]);
        run_case("$L + R -> LR", net_fixed, 10, exact_fixed, solvers[i]);
    }
    /* the steady state of synthesis/degradation is reached */
    CHECK(fabs(exact_synth("A", 80) - ks / kd) < 1e-6 * ks / kd, "steady state not reached");
    CHECK_DONE();
}

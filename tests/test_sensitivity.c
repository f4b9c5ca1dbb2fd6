/* Forward sensitivities against closed forms, differentiated exactly by the complex step
 * (f(p + i h) = f(p) + i h f'(p) + O(h^2), h = 1e-40: no cancellation), at 41 times within
 * 1e-6 relative, dense and KLU:
 *   A -> B             w.r.t. k, A0 (a parameter in A's amount), A's initial amount, and
 *                      kh where k = 2*kh is a derived parameter
 *   A + B <-> C        w.r.t. kf, kr, A0, B0
 *   2A -> B (0.5*k)    w.r.t. k
 *   0 -> A, A -> 0     w.r.t. ks, kd, and a derived steady state A0 = ks/kd
 * and a Michaelis-Menten rate law written as a function (the state-dependent path) against
 * central differences of the solution, within 1e-5. Observable sensitivities are the
 * weighted sums of the species'. */
#include "check.h"

#include "common/error.h"
#include "model/netfile.h"
#include "model/network_sens.h"
#include "solver/solver.h"

#include <complex.h>
#include <string.h>

#define NP 4
#define NT 41
typedef double complex (*exact_fn)(const char *species, double t, const double complex *p);

static ilnet_network *parse(const char *text)
{
    ilnet_network *net = NULL;
    int rc = ilnet_netfile_parse(&net, text, strlen(text), "sens.net");
    CHECK(rc == 0, "parse: %s", ilnet_error_last());
    return net;
}

/* d exact / d p_q at (species, t) by the complex step */
static double cstep(exact_fn f, const char *sp, double t, const double *p, int q)
{
    double complex pc[NP];
    for (int i = 0; i < NP; i++)
        pc[i] = p[i];
    pc[q] += 1e-40 * I;
    return cimag(f(sp, t, pc)) / 1e-40;
}

/* Runs net with sensitivities w.r.t. names[0..k); column j is compared with d exact /
 * d p[q[j]] (q[j] < 0: scale[j] times that of p[-q[j]-1], for derived parameters). */
static void run_case(const char *name, const char *text, double t_end, exact_fn f, const double *p,
                     const char *const *names, const int *q, const double *scale, int k,
                     ilnet_linsol ls)
{
    ilnet_network *net = parse(text);
    if (!net) return;
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-14;
    so.rtol = 1e-11;
    so.linsol = ls;
    ilnet_solver *s = NULL;
    ilnet_result res;
    int which[8];
    CHECK(ilnet_sens_resolve(which, net, names, k) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_set_sensitivities(s, which, k, 1e-14, 1e-11) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_result_init(&res, net, NT) == 0, "%s", ilnet_error_last());
    ilnet_result_linear_times(&res, 0, t_end);
    /* twice: the second run reuses CVODES's sensitivity memory (CVodeSensReInit) */
    for (int rep = 0; rep < 2; rep++)
        CHECK(ilnet_solver_run(s, &res, NULL) == 0, "%s: %s", name, ilnet_error_last());
    CHECK(res.n_sens == (size_t)k, "%s: %zu sensitivity columns", name, res.n_sens);
    double worst = 0;
    for (size_t r = 0; r < res.n_done && res.n_sens == (size_t)k; r++)
        for (size_t i = 0; i < res.n_species; i++)
            for (int j = 0; j < k; j++) {
                const char *sp = ilnet_network_species(net, i)->name;
                int qq = q[j] >= 0 ? q[j] : -q[j] - 1;
                double want = cstep(f, sp, res.times[r], p, qq) * (q[j] >= 0 ? 1 : scale[j]);
                double got = res.sens[(r * res.n_species + i) * (size_t)k + (size_t)j];
                double err = fabs(got - want) / fmax(fabs(want), 1e-300);
                if (fabs(want) < 1e-12) err = fabs(got) > 1e-9 ? INFINITY : 0;
                if (err > worst) worst = err;
                CHECK(err <= 1e-6, "%s (%s): d%s/d%s at t=%g: got %.12g want %.12g", name,
                      ilnet_solver_linsol_name(s), sp, names[j], res.times[r], got, want);
            }
    printf("%-22s %-5s %d parameters, worst relative error %.2e\n", name,
           ilnet_solver_linsol_name(s), k, worst);
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

/* A -> B: p = k, A0 */
static double complex ex_decay(const char *sp, double t, const double complex *p)
{
    double complex a = p[1] * cexp(-p[0] * t);
    return !strcmp(sp, "A") ? a : p[1] - a;
}
static const char *net_decay = "begin parameters\n 1 kh 0.15\n 2 k 2*kh\n 3 A0 2\nend parameters\n"
                               "begin species\n 1 A A0\n 2 B 0\nend species\n"
                               "begin reactions\n 1 1 2 k\nend reactions\n";

/* A + B <-> C: p = kf, kr, A0, B0 */
static double complex ex_binding(const char *sp, double t, const double complex *p)
{
    double complex kf = p[0], kr = p[1], A0 = p[2], B0 = p[3];
    double complex b = kf * (A0 + B0) + kr, disc = csqrt(b * b - 4 * kf * kf * A0 * B0);
    double complex x1 = (b - disc) / (2 * kf), x2 = (b + disc) / (2 * kf);
    double complex e = cexp(-kf * (x2 - x1) * t), c = x1 * x2 * (1 - e) / (x2 - x1 * e);
    if (!strcmp(sp, "A")) return A0 - c;
    if (!strcmp(sp, "B")) return B0 - c;
    return c;
}
static const char *net_binding =
    "begin parameters\n 1 kf 0.7\n 2 kr 0.2\n 3 A0 3\n 4 B0 1.5\nend parameters\n"
    "begin species\n 1 A A0\n 2 B B0\n 3 C 0\nend species\n"
    "begin reactions\n 1 1,2 3 kf\n 2 3 1,2 kr\nend reactions\n";

/* 2A -> B: p = k, A0 */
static double complex ex_dimer(const char *sp, double t, const double complex *p)
{
    double complex a = p[1] / (1 + p[0] * p[1] * t);
    return !strcmp(sp, "A") ? a : (p[1] - a) / 2;
}
static const char *net_dimer = "begin parameters\n 1 k 0.4\nend parameters\n"
                               "begin species\n 1 A 5\n 2 B 0\nend species\n"
                               "begin reactions\n 1 1,1 2 0.5*k\nend reactions\n";

/* 0 -> A, A -> 0 starting at A0 = 0.25 ks/kd: p = ks, kd */
static double complex ex_synth(const char *sp, double t, const double complex *p)
{
    (void)sp;
    double complex ss = p[0] / p[1];
    return ss + (0.25 * ss - ss) * cexp(-p[1] * t);
}
static const char *net_synth =
    "begin parameters\n 1 ks 2\n 2 kd 0.25\n 3 A0 0.25*ks/kd\nend parameters\n"
    "begin species\n 1 A A0\nend species\n"
    "begin reactions\n 1 0 1 ks\n 2 1 0 kd\nend reactions\n";

/* S -> P at Vmax*S/(Km+S) (a function): sensitivities against central differences of the
 * solution itself, and observable sensitivities against the species' */
static const char *net_mm = "begin parameters\n 1 Vmax 2\n 2 Km 3\nend parameters\n"
                            "begin species\n 1 S 10\n 2 P 0\nend species\n"
                            "begin reactions\n 1 1 2 mm\nend reactions\n"
                            "begin groups\n 1 Total 1,2\n 2 P2 2*2\nend groups\n"
                            "begin functions\n 1 mm() Vmax/(Km+S)\nend functions\n";

static void solve_mm(ilnet_network *net, ilnet_result *res, const int *which, int k)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-14;
    so.rtol = 1e-12;
    ilnet_solver *s = NULL;
    CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
    if (k) CHECK(ilnet_solver_set_sensitivities(s, which, k, 0, 0) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_run(s, res, NULL) == 0, "mm: %s", ilnet_error_last());
    ilnet_solver_free(s);
}

static void test_michaelis_menten(void)
{
    ilnet_network *net = parse(net_mm);
    if (!net) return;
    const char *names[] = {"Vmax", "Km", "S"};
    int which[3];
    CHECK(ilnet_sens_resolve(which, net, names, 3) == 0, "%s", ilnet_error_last());
    ilnet_result res, rp, rm;
    CHECK(ilnet_result_init(&res, net, 11) == 0 && ilnet_result_init(&rp, net, 11) == 0 &&
              ilnet_result_init(&rm, net, 11) == 0,
          "alloc");
    ilnet_result_linear_times(&res, 0, 5);
    ilnet_result_linear_times(&rp, 0, 5);
    ilnet_result_linear_times(&rm, 0, 5);
    solve_mm(net, &res, which, 3);
    double worst = 0;
    for (int j = 0; j < 3; j++) {
        double h = 1e-4, base = j < 2 ? ilnet_network_parameter(net, (size_t)j)->value : 10;
        for (int sgn = 0; sgn < 2; sgn++) {
            double v = base * (1 + (sgn ? -h : h));
            if (j < 2) {
                CHECK(ilnet_network_set_parameter(net, names[j], v) == 0, "%s", ilnet_error_last());
                solve_mm(net, sgn ? &rm : &rp, NULL, 0);
            } else {
                double y0[2] = {v, 0};
                ilnet_solver *s = NULL;
                ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
                so.atol = 1e-14;
                so.rtol = 1e-12;
                CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
                CHECK(ilnet_solver_run(s, sgn ? &rm : &rp, y0) == 0, "%s", ilnet_error_last());
                ilnet_solver_free(s);
            }
        }
        if (j < 2)
            CHECK(ilnet_network_set_parameter(net, names[j], base) == 0, "%s", ilnet_error_last());
        for (size_t r = 1; r < res.n_done; r++)
            for (size_t i = 0; i < 2; i++) {
                double fd = (rp.species[r * 2 + i] - rm.species[r * 2 + i]) / (2 * h * base);
                double got = res.sens[(r * 2 + i) * 3 + (size_t)j];
                double err = fabs(got - fd) / fmax(fabs(fd), 1e-8);
                if (err > worst) worst = err;
                CHECK(err < 1e-5, "MM: d%s/d%s at t=%g: %.10g, central difference %.10g",
                      ilnet_network_species(net, i)->name, names[j], res.times[r], got, fd);
            }
    }
    /* observables: Total = S + P, P2 = 2 P */
    for (size_t r = 0; r < res.n_done; r++)
        for (size_t j = 0; j < 3; j++) {
            double dS = res.sens[(r * 2 + 0) * 3 + j], dP = res.sens[(r * 2 + 1) * 3 + j];
            CHECK(fabs(res.obs_sens[(r * 2 + 0) * 3 + j] - (dS + dP)) <= 1e-12 * (1 + fabs(dS)),
                  "observable Total");
            CHECK(fabs(res.obs_sens[(r * 2 + 1) * 3 + j] - 2 * dP) <= 1e-12 * (1 + fabs(dP)),
                  "observable P2");
        }
    printf("%-22s %-5s 3 parameters, worst relative difference %.2e (central differences)\n",
           "Michaelis-Menten", "dense", worst);
    ilnet_result_free(&res);
    ilnet_result_free(&rp);
    ilnet_result_free(&rm);
    ilnet_network_free(net);
}

static void test_events_refused(void)
{
    ilnet_network *net = parse(net_decay);
    if (!net) return;
    ilnet_event ev = {0};
    ilnet_event_assignment as = {"A", "1", NULL};
    ev.name = "e";
    ev.trigger = "time() > 1";
    ev.n_assign = 1;
    ev.assign = &as;
    ev.persistent = 1;
    CHECK(ilnet_network_add_event(net, &ev) == 0 && ilnet_network_compile(net) == 0, "%s",
          ilnet_error_last());
    ilnet_solver *s = NULL;
    int which[1] = {1};
    CHECK(ilnet_solver_new(&s, net, NULL) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_solver_set_sensitivities(s, which, 1, 0, 0) == ILNET_EINPUT &&
              strstr(ilnet_error_last(), "events"),
          "sensitivities with events: %s", ilnet_error_last());
    ilnet_solver_free(s);
    ilnet_network_free(net);
    const char *bad[] = {"nope"};
    net = parse(net_decay);
    CHECK(ilnet_sens_resolve(which, net, bad, 1) == ILNET_EINPUT &&
              strstr(ilnet_error_last(), "'nope'"),
          "unknown name: %s", ilnet_error_last());
    ilnet_network_free(net);
}

int main(void)
{
    ilnet_linsol solvers[] = {ILNET_LINSOL_DENSE, ILNET_LINSOL_KLU, ILNET_LINSOL_GMRES};
    for (int i = 0; i < 3; i++) {
        double pd[NP] = {0.3, 2.0};
        const char *nd[] = {"k", "A0", "A", "kh"};
        int qd[] = {0, 1, 1, -1};
        double sd[] = {1, 1, 1, 2}; /* d/dkh = 2 d/dk */
        run_case("A -> B", net_decay, 20, ex_decay, pd, nd, qd, sd, 4, solvers[i]);
        double pb[NP] = {0.7, 0.2, 3.0, 1.5};
        const char *nb[] = {"kf", "kr", "A0", "B0"};
        int qb[] = {0, 1, 2, 3};
        run_case("A + B <-> C", net_binding, 10, ex_binding, pb, nb, qb, sd, 4, solvers[i]);
        double pm[NP] = {0.4, 5.0};
        const char *nm[] = {"k", "A"};
        int qm[] = {0, 1};
        run_case("2A -> B (0.5*k)", net_dimer, 10, ex_dimer, pm, nm, qm, sd, 2, solvers[i]);
        double ps[NP] = {2.0, 0.25};
        const char *ns[] = {"ks", "kd"};
        int qs[] = {0, 1};
        run_case("0 -> A, A -> 0", net_synth, 40, ex_synth, ps, ns, qs, sd, 2, solvers[i]);
    }
    test_michaelis_menten();
    test_events_refused();
    CHECK_DONE();
}

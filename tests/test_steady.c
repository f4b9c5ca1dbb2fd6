/* Steady states (ilnet_solver_steady_state):
 *   A + B <-> C       Newton; C = the smaller root of kf (A0-C)(B0-C) = kr C; sensitivities
 *                     w.r.t. kf, kr, A0, B0 against the root's complex-step derivatives
 *   0 -> A, A -> 0    A = ks/kd, dA/dks = 1/kd, dA/dkd = -ks/kd^2
 *   Haugh2b, Cheemalavagu_JAK_STAT (../shared/reference/bng)   Newton, and the state
 *                     matches a long integration (t = 1e6, rtol 1e-12) within 1e-8
 *                     relative; Haugh2b's steady-state sensitivities against central
 *                     differences of Newton solutions
 *   IL-2/IL-7 model, every preset, ligand-free   Newton, matches long integration
 *   IL-2/IL-7, NK, 1 nM IL-2   found (integration, then Newton), matches long integration
 *   Repressilator     no stable steady state: ILNET_ESOLVER within seconds, the message
 *                     names the unstable Newton solution and the species still changing
 * usage: test_steady REFDIR IL2_MODEL.bngl */
#include "check.h"

#include "common/error.h"
#include "model/load.h"
#include "model/netfile.h"
#include "model/network_sens.h"
#include "model/presets.h"
#include "solver/solver.h"

#include <complex.h>
#include <string.h>
#include <time.h>

static const char *refdir, *il2;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static ilnet_network *parse(const char *text)
{
    ilnet_network *net = NULL;
    CHECK(ilnet_netfile_parse(&net, text, strlen(text), "steady.net") == 0, "parse: %s",
          ilnet_error_last());
    return net;
}

static ilnet_network *load_ref(const char *model)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s/%s.net", refdir, model, model);
    ilnet_network *net = NULL;
    CHECK(ilnet_network_load(&net, path, NULL) == 0, "%s: %s", path, ilnet_error_last());
    return net;
}

static ilnet_solver *solver(ilnet_network *net, double rtol)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-12;
    so.rtol = rtol;
    ilnet_solver *s = NULL;
    CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
    return s;
}

/* the smaller root of kf (A0-C)(B0-C) - kr C = 0 */
static double complex root_c(double complex kf, double complex kr, double complex a0,
                             double complex b0)
{
    double complex b = kf * (a0 + b0) + kr;
    return (b - csqrt(b * b - 4 * kf * kf * a0 * b0)) / (2 * kf);
}

static void test_binding(void)
{
    ilnet_network *net =
        parse("begin parameters\n 1 kf 0.7\n 2 kr 0.2\n 3 A0 3\n 4 B0 1.5\nend parameters\n"
              "begin species\n 1 A A0\n 2 B B0\n 3 C 0\nend species\n"
              "begin reactions\n 1 1,2 3 kf\n 2 3 1,2 kr\nend reactions\n");
    if (!net) return;
    ilnet_solver *s = solver(net, 1e-10);
    const char *names[] = {"kf", "kr", "A0", "B0"};
    int which[4];
    CHECK(ilnet_sens_resolve(which, net, names, 4) == 0 &&
              ilnet_solver_set_sensitivities(s, which, 4, 0, 0) == 0,
          "%s", ilnet_error_last());
    ilnet_steady_result r;
    CHECK(ilnet_solver_steady_state(s, &r, NULL, NULL) == 0, "binding: %s", ilnet_error_last());
    double p[4] = {0.7, 0.2, 3, 1.5}, c = creal(root_c(p[0], p[1], p[2], p[3]));
    CHECK(r.method == ILNET_STEADY_NEWTON, "binding: method %s",
          ilnet_steady_method_name(r.method));
    CHECK_CLOSE(r.y[2], c, 1e-10, 0);
    CHECK_CLOSE(r.y[0], 3 - c, 1e-10, 0);
    double worst = 0;
    for (int j = 0; j < 4; j++) {
        double complex q[4] = {p[0], p[1], p[2], p[3]};
        q[j] += 1e-40 * I;
        double dc = cimag(root_c(q[0], q[1], q[2], q[3])) / 1e-40;
        double want[3] = {(j == 2) - dc, (j == 3) - dc, dc};
        for (int i = 0; i < 3 && r.sens; i++) {
            double got = r.sens[i * 4 + j];
            worst = fmax(worst, fabs(got - want[i]) / fabs(want[i]));
            CHECK(fabs(got - want[i]) <= 1e-8 * fabs(want[i]), "d%s/d%s: %.12g, want %.12g",
                  ilnet_network_species(net, (size_t)i)->name, names[j], got, want[i]);
        }
    }
    printf("A + B <-> C: Newton in %ld iterations, sensitivities worst relative error %.2e\n",
           r.newton_iters, worst);
    ilnet_steady_result_free(&r);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

static void test_synthesis(void)
{
    ilnet_network *net = parse("begin parameters\n 1 ks 2\n 2 kd 0.25\nend parameters\n"
                               "begin species\n 1 A 1\nend species\n"
                               "begin reactions\n 1 0 1 ks\n 2 1 0 kd\nend reactions\n");
    if (!net) return;
    ilnet_solver *s = solver(net, 1e-10);
    int which[2] = {0, 1};
    CHECK(ilnet_solver_set_sensitivities(s, which, 2, 0, 0) == 0, "%s", ilnet_error_last());
    ilnet_steady_result r;
    CHECK(ilnet_solver_steady_state(s, &r, NULL, NULL) == 0, "%s", ilnet_error_last());
    CHECK_CLOSE(r.y[0], 8.0, 1e-12, 0);
    if (r.sens) {
        CHECK_CLOSE(r.sens[0], 4.0, 1e-10, 0);
        CHECK_CLOSE(r.sens[1], -32.0, 1e-10, 0);
    }
    ilnet_steady_result_free(&r);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

/* y against the state at t = 1e6 of an integration at rtol 1e-12 */
static void check_against_integration(ilnet_network *net, const double *y, const char *what)
{
    ilnet_solver *s = solver(net, 1e-12);
    ilnet_result res;
    CHECK(ilnet_result_init(&res, net, 2) == 0, "alloc");
    ilnet_result_linear_times(&res, 0, 1e6);
    CHECK(ilnet_solver_run(s, &res, NULL) == 0, "%s: integration: %s", what, ilnet_error_last());
    size_t n = res.n_species;
    double scale = 0, worst = 0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(res.species[n + i]));
    for (size_t i = 0; i < n && res.n_done == 2; i++) {
        double want = res.species[n + i], err = fabs(y[i] - want) / fmax(fabs(want), 1e-6 * scale);
        worst = fmax(worst, err);
        CHECK(err <= 1e-8, "%s: %s: steady state %.12g, integration %.12g", what,
              ilnet_network_species(net, i)->name, y[i], want);
    }
    printf("%-40s matches integration to t = 1e6 within %.2e\n", what, worst);
    ilnet_result_free(&res);
    ilnet_solver_free(s);
}

static void newton_matches(ilnet_network *net, const char *what, int want_newton)
{
    ilnet_solver *s = solver(net, 1e-10);
    ilnet_steady_result r;
    int rc = ilnet_solver_steady_state(s, &r, NULL, NULL);
    CHECK(rc == 0, "%s: %s", what, ilnet_error_last());
    if (want_newton)
        CHECK(r.method == ILNET_STEADY_NEWTON, "%s: found by %s, not Newton", what,
              ilnet_steady_method_name(r.method));
    if (!rc) check_against_integration(net, r.y, what);
    ilnet_steady_result_free(&r);
    ilnet_solver_free(s);
}

/* steady-state sensitivities of Haugh2b against central differences of Newton solutions */
static void test_haugh_sensitivities(void)
{
    ilnet_network *net = load_ref("Haugh2b");
    if (!net) return;
    size_t np = ilnet_network_parameter_count(net), n = ilnet_network_species_count(net);
    int which[64], k = 0;
    for (size_t i = 0; i < np && k < 64; i++)
        if (ilnet_network_parameter(net, i)->value != 0) which[k++] = (int)i;
    ilnet_solver *s = solver(net, 1e-10);
    CHECK(ilnet_solver_set_sensitivities(s, which, k, 0, 0) == 0, "%s", ilnet_error_last());
    ilnet_steady_result r, rp, rm;
    CHECK(ilnet_solver_steady_state(s, &r, NULL, NULL) == 0, "%s", ilnet_error_last());
    double worst = 0;
    for (int j = 0; j < k && r.sens; j++) {
        const char *name = ilnet_network_parameter(net, (size_t)which[j])->name;
        double v = ilnet_network_parameter(net, (size_t)which[j])->value, h = 1e-5 * fabs(v);
        ilnet_solver *s2 = NULL;
        CHECK(ilnet_network_set_parameter(net, name, v + h) == 0, "%s", ilnet_error_last());
        s2 = solver(net, 1e-10);
        CHECK(ilnet_solver_steady_state(s2, &rp, NULL, NULL) == 0, "%s", ilnet_error_last());
        ilnet_solver_free(s2);
        CHECK(ilnet_network_set_parameter(net, name, v - h) == 0, "%s", ilnet_error_last());
        s2 = solver(net, 1e-10);
        CHECK(ilnet_solver_steady_state(s2, &rm, NULL, NULL) == 0, "%s", ilnet_error_last());
        ilnet_solver_free(s2);
        CHECK(ilnet_network_set_parameter(net, name, v) == 0, "%s", ilnet_error_last());
        double big = 0;
        for (size_t i = 0; i < n; i++)
            big = fmax(big, fabs(r.sens[i * (size_t)k + (size_t)j]));
        for (size_t i = 0; i < n; i++) {
            double fd = (rp.y[i] - rm.y[i]) / (2 * h), got = r.sens[i * (size_t)k + (size_t)j];
            double err = fabs(got - fd) / fmax(fabs(fd), 1e-3 * big + 1e-300);
            worst = fmax(worst, err);
            CHECK(err < 1e-5, "Haugh2b: d%s/d%s = %.10g, central difference %.10g",
                  ilnet_network_species(net, i)->name, name, got, fd);
        }
        ilnet_steady_result_free(&rp);
        ilnet_steady_result_free(&rm);
    }
    printf("Haugh2b: %d steady-state sensitivities, worst relative difference %.2e\n", k, worst);
    ilnet_steady_result_free(&r);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

static void test_il2(void)
{
    char presets_path[4096];
    snprintf(presets_path, sizeof presets_path, "%.*s.presets.yaml", (int)(strlen(il2) - 5), il2);
    ilnet_presets ps;
    CHECK(ilnet_presets_read(&ps, presets_path) == 0, "%s", ilnet_error_last());
    for (int p = 0; p < ps.n; p++) {
        ilnet_network *net = NULL;
        CHECK(ilnet_network_load(&net, il2, NULL) == 0 &&
                  ilnet_preset_apply(net, &ps, &ps.p[p]) == 0,
              "%s", ilnet_error_last());
        char what[128];
        snprintf(what, sizeof what, "IL-2/IL-7 %s, no ligand", ps.p[p].name);
        if (net) newton_matches(net, what, 1);
        ilnet_network_free(net);
    }
    ilnet_network *net = NULL;
    const ilnet_preset *nk = ilnet_presets_find(&ps, "human_nk");
    CHECK(nk && ilnet_network_load(&net, il2, NULL) == 0 && ilnet_preset_apply(net, &ps, nk) == 0 &&
              ilnet_network_set_parameter(net, "L2_nM", 1) == 0,
          "%s", ilnet_error_last());
    if (net) newton_matches(net, "IL-2/IL-7 human_nk, 1 nM IL-2", 0);
    ilnet_network_free(net);
    ilnet_presets_free(&ps);
}

static void test_repressilator(void)
{
    ilnet_network *net = load_ref("Repressilator");
    if (!net) return;
    ilnet_solver *s = solver(net, 1e-8);
    ilnet_steady_result r;
    double t0 = now();
    int rc = ilnet_solver_steady_state(s, &r, NULL, NULL);
    double dt = now() - t0;
    CHECK(rc == ILNET_ESOLVER && r.status == ILNET_ESOLVER, "Repressilator: rc %d", rc);
    CHECK(strstr(r.message, "unstable") && strstr(r.message, "changing fastest"),
          "Repressilator message: %s", r.message);
    CHECK(dt < 30, "Repressilator: %.1f s to give up", dt);
    printf("Repressilator: no steady state in %.2f s: %.200s\n", dt, r.message);
    ilnet_steady_result_free(&r);
    ilnet_solver_free(s);
    ilnet_network_free(net);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: test_steady REFDIR IL2_MODEL.bngl\n");
        return 1;
    }
    refdir = argv[1];
    il2 = argv[2];
    test_binding();
    test_synthesis();
    const char *models[] = {"Haugh2b", "Cheemalavagu_JAK_STAT"};
    for (int m = 0; m < 2; m++) {
        ilnet_network *net = load_ref(models[m]);
        if (net) newton_matches(net, models[m], 1);
        ilnet_network_free(net);
    }
    test_haugh_sensitivities();
    test_il2();
    test_repressilator();
    CHECK_DONE();
}

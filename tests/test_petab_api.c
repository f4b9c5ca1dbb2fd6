/* The public PEtab API (<ilnet/petab.h>) as a program outside ilnet sees it, linked against
 * the shared library:
 * - test-suite case 0001 (normal noise with a fixed sigma, no transformation): the
 *   estimated parameters with their scales and bounds, theta = the nominal values giving
 *   what NULL gives (within the integration's error), chi2 = sum of squared residuals, and gradient
 * = -J^T r (for a constant sigma, d llh / d theta = -sum_i r_i d r_i / d theta), J the compacted
 * Jacobian;
 * - case 0002 (two simulation conditions) on 2 threads equal to 1 thread;
 * - Boehm 2014 at the nominal values within 1e-3 of AMICI's llh -138.22199693517703;
 * - bad input: a wrong options version, a missing file, a non-finite theta, each
 *   ILNET_EINPUT with a message naming the element;
 * - hierarchical evaluation on the IL-2 data problem (scales, offsets, sigmas marked
 *   parameterType; 8 PBMC data sets, 2 YT-1 lines and Gonnord's each have a scale, 9 an
 *   offset, 12 a sigma; 10 model parameters): the kinds reported, a problem without types refused,
 * the closed-form values written back into theta give the same llh in a plain evaluation, and no
 * nearby value of one of them does better. usage: test_petab_api PETAB_V1_DIR PETAB_BENCHMARK_DIR
 * IL2_PROBLEM.yaml */
#include <ilnet/ilnet.h>

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char path[4096];

static const char *case_yaml(const char *dir, const char *c)
{
    snprintf(path, sizeof path, "%s/%s/_%s.yaml", dir, c, c);
    return path;
}

static void case_0001(const char *dir)
{
    ilnet_petab_problem *p;
    int rc = ilnet_petab_problem_load(&p, case_yaml(dir, "0001"), NULL);
    CHECK(rc == 0, "0001: %s", ilnet_error_last());
    if (rc) return;
    size_t n = ilnet_petab_problem_parameter_count(p),
           nm = ilnet_petab_problem_measurement_count(p);
    CHECK(n == 4 && nm == 2, "0001: %zu estimated parameters, %zu measurements (want 4, 2)", n, nm);
    double lo, hi, nom, theta[4];
    for (size_t j = 0; j < n && j < 4; j++) {
        CHECK(ilnet_petab_problem_parameter_bounds(&lo, &hi, &nom, p, j) == 0, "bounds %zu", j);
        CHECK(lo == 0 && hi == 10, "0001: %s bounds [%g, %g]",
              ilnet_petab_problem_parameter_id(p, j), lo, hi);
        CHECK(ilnet_petab_problem_parameter_scale(p, j) == ILNET_PETAB_SCALE_LIN, "scale %zu", j);
        theta[j] = nom;
    }
    CHECK(ilnet_petab_problem_parameter_find(p, "k1") == 2, "k1 is the third parameter");
    CHECK(ilnet_petab_problem_parameter_find(p, "nope") == -1, "'nope' is no parameter");
    const char *obs, *pre, *sim;
    double t, v;
    CHECK(ilnet_petab_problem_measurement(&obs, &pre, &sim, &t, &v, p, 0) == 0 &&
              !strcmp(obs, "obs_a") && !*pre && t == 0,
          "0001: measurement 0");
    ilnet_petab_evaluation e;
    CHECK(ilnet_petab_problem_evaluate(&e, p, NULL, 0) == 0, "%s", ilnet_error_last());
    double llh0 = e.llh;
    CHECK(!e.gradient && !e.residuals && !e.jacobian, "0001: only the llh asked, only it given");
    rc = ilnet_petab_problem_evaluate(&e, p, theta,
                                      ILNET_PETAB_WANT_GRADIENT | ILNET_PETAB_WANT_RESIDUALS);
    CHECK(rc == 0 && e.gradient && e.residuals && e.jacobian, "0001: %s", ilnet_error_last());
    if (rc) goto out;
    /* the same up to the integration's error (with sensitivities under error control too,
     * CVODE takes other steps) */
    CHECK(fabs(e.llh - llh0) <= 1e-8 * fabs(llh0),
          "0001: llh at the nominal theta %.17g, at NULL %.17g", e.llh, llh0);
    double ss = 0;
    for (size_t i = 0; i < nm; i++)
        ss += e.residuals[i] * e.residuals[i];
    CHECK(fabs(ss - e.chi2) <= 1e-12 * e.chi2, "0001: sum r^2 %.17g, chi2 %.17g", ss, e.chi2);
    for (size_t j = 0; j < n; j++) {
        double g = 0;
        for (size_t i = 0; i < nm; i++)
            g -= e.residuals[i] * e.jacobian[i * n + j];
        CHECK(fabs(g - e.gradient[j]) <= 1e-9 * fmax(1, fabs(g)),
              "0001: gradient %s %.17g, -J^T r %.17g", ilnet_petab_problem_parameter_id(p, j),
              e.gradient[j], g);
    }
    theta[1] = NAN;
    rc = ilnet_petab_problem_evaluate(&e, p, theta, 0);
    CHECK(rc == ILNET_EINPUT && strstr(ilnet_error_last(), "b0"), "0001: NaN theta: %d %s", rc,
          ilnet_error_last());
out:
    ilnet_petab_problem_free(p);
}

static void threads_0002(const char *dir)
{
    ilnet_petab_options o = ILNET_PETAB_OPTIONS_INIT;
    ilnet_petab_problem *p[2];
    for (int k = 0; k < 2; k++) {
        o.threads = k + 1;
        CHECK(ilnet_petab_problem_load(&p[k], case_yaml(dir, "0002"), &o) == 0, "0002: %s",
              ilnet_error_last());
    }
    ilnet_petab_evaluation e[2];
    for (int k = 0; k < 2; k++)
        CHECK(ilnet_petab_problem_evaluate(&e[k], p[k], NULL, ILNET_PETAB_WANT_GRADIENT) == 0,
              "0002: %s", ilnet_error_last());
    size_t n = ilnet_petab_problem_parameter_count(p[0]);
    CHECK(fabs(e[0].llh - e[1].llh) <= 1e-12 * fabs(e[0].llh), "0002: llh %.17g vs %.17g", e[0].llh,
          e[1].llh);
    for (size_t j = 0; j < n; j++)
        CHECK(fabs(e[0].gradient[j] - e[1].gradient[j]) <= 1e-9 * fmax(1, fabs(e[0].gradient[j])),
              "0002: gradient %zu on 2 threads %.17g, on 1 %.17g", j, e[1].gradient[j],
              e[0].gradient[j]);
    for (int k = 0; k < 2; k++)
        ilnet_petab_problem_free(p[k]);
}

static void boehm(const char *bench)
{
    snprintf(path, sizeof path, "%s/Boehm_JProteomeRes2014/Boehm_JProteomeRes2014.yaml", bench);
    ilnet_petab_options o = ILNET_PETAB_OPTIONS_INIT;
    o.threads = 0;
    ilnet_petab_problem *p;
    CHECK(ilnet_petab_problem_load(&p, path, &o) == 0, "Boehm: %s", ilnet_error_last());
    ilnet_petab_evaluation e;
    CHECK(ilnet_petab_problem_evaluate(&e, p, NULL, 0) == 0, "Boehm: %s", ilnet_error_last());
    CHECK(fabs(e.llh - -138.22199693517703) <= 1e-3, "Boehm: llh %.12g, AMICI -138.22199694",
          e.llh);
    CHECK(ilnet_petab_problem_parameter_count(p) == 9 &&
              ilnet_petab_problem_parameter_scale(p, 0) == ILNET_PETAB_SCALE_LOG10,
          "Boehm: 9 estimated parameters on log10 scales");
    printf("Boehm 2014 through the public API: llh %.12g (AMICI -138.221996935)\n", e.llh);
    ilnet_petab_problem_free(p);
}

static void bad_input(const char *dir)
{
    ilnet_petab_options o = ILNET_PETAB_OPTIONS_INIT;
    o.version = 99;
    ilnet_petab_problem *p = (ilnet_petab_problem *)&o;
    int rc = ilnet_petab_problem_load(&p, case_yaml(dir, "0001"), &o);
    CHECK(rc == ILNET_EINPUT && !p && strstr(ilnet_error_last(), "version"), "version: %s",
          ilnet_error_last());
    rc = ilnet_petab_problem_load(&p, "/nonexistent/problem.yaml", NULL);
    CHECK(rc < 0 && !p && strstr(ilnet_error_last(), "/nonexistent/problem.yaml"), "missing: %s",
          ilnet_error_last());
}

/* llh of p at theta, hierarchical or plain */
static double llh_at(ilnet_petab_problem *p, const double *theta)
{
    ilnet_petab_evaluation e;
    int rc = ilnet_petab_problem_evaluate(&e, p, theta, 0);
    CHECK(rc == 0, "evaluation: %s", ilnet_error_last());
    return rc ? NAN : e.llh;
}

static void hierarchical(const char *yaml, const char *v1dir)
{
    ilnet_petab_options o = ILNET_PETAB_OPTIONS_INIT;
    o.atol = o.rtol = 1e-8;
    ilnet_petab_problem *p, *q;
    int rc = ilnet_petab_problem_load(&p, yaml, &o);
    CHECK(rc == 0, "IL-2 problem: %s", ilnet_error_last());
    if (rc) return;
    size_t n = ilnet_petab_problem_parameter_count(p), kinds[4] = {0};
    for (size_t j = 0; j < n; j++)
        kinds[ilnet_petab_problem_parameter_inner(p, j) & 3]++;
    CHECK(kinds[1] == 11 && kinds[2] == 9 && kinds[3] == 12 && kinds[0] == 10,
          "kinds: %zu ordinary, %zu scaling, %zu offset, %zu sigma (want 10, 11, 9, 12)", kinds[0],
          kinds[1], kinds[2], kinds[3]);
    double *theta = malloc(n * sizeof *theta), lo, hi;
    for (size_t j = 0; j < n; j++)
        ilnet_petab_problem_parameter_bounds(&lo, &hi, &theta[j], p, j);
    CHECK(ilnet_petab_problem_set_hierarchical(p, 1) == 0, "%s", ilnet_error_last());
    double best = llh_at(p, theta);
    ilnet_petab_problem_inner_values(p, theta);
    ilnet_petab_problem_set_hierarchical(p, 0);
    double plain = llh_at(p, theta);
    CHECK(fabs(plain - best) <= 1e-9 * fabs(best), "closed-form values, plain llh %.12g vs %.12g",
          plain, best);
    for (size_t j = 0; j < n; j++) /* the first sigma, 5 % up and down */
        if (ilnet_petab_problem_parameter_inner(p, j) == 3) {
            double t0 = theta[j];
            for (int s = -1; s <= 1; s += 2) {
                theta[j] = t0 + s * log10(1.05);
                double l = llh_at(p, theta);
                CHECK(l < best, "%s moved: llh %.12g not below %.12g",
                      ilnet_petab_problem_parameter_id(p, j), l, best);
            }
            break;
        }
    free(theta);
    ilnet_petab_problem_free(p);
    rc = ilnet_petab_problem_load(&q, case_yaml(v1dir, "0001"), NULL);
    CHECK(rc == 0 && ilnet_petab_problem_set_hierarchical(q, 1) == ILNET_EINPUT &&
              strstr(ilnet_error_last(), "parameterType"),
          "no parameterType: %s", ilnet_error_last());
    ilnet_petab_problem_free(q);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr,
                "usage: test_petab_api PETAB_V1_DIR PETAB_BENCHMARK_DIR IL2_PROBLEM.yaml\n");
        return 2;
    }
    case_0001(argv[1]);
    threads_0002(argv[1]);
    boehm(argv[2]);
    bad_input(argv[1]);
    hierarchical(argv[3], argv[1]);
    CHECK_DONE();
}

/* The public API (include/ilnet/) as a program outside ilnet sees it: linked against the
 * shared library, only <ilnet/ilnet.h>. Closed forms: A <-> B with kf, kr from A0 gives
 * A(t) = A0 (kr + kf e^{-(kf+kr) t}) / (kf + kr); A + B is conserved. */
#include <ilnet/ilnet.h>

#include "check.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char net_text[] = "begin parameters\n"
                               "  1 kf 0.3\n"
                               "  2 kr 0.1\n"
                               "  3 A0 10\n"
                               "  4 kf2 2*kf\n"
                               "end parameters\n"
                               "begin species\n"
                               "  1 A() A0\n"
                               "  2 B() 0\n"
                               "end species\n"
                               "begin reactions\n"
                               "  1 1 2 kf\n"
                               "  2 2 1 kr\n"
                               "end reactions\n"
                               "begin groups\n"
                               "  1 A_obs 1\n"
                               "  2 Total 1,2\n"
                               "end groups\n";

static const char presets_text[] = "presets:\n"
                                   "  fast:\n"
                                   "    description: \"kf ten times\"\n"
                                   "    parameters: {kf: 3}\n";

static double a_exact(double t, double kf, double kr, double a0)
{
    return a0 * (kr + kf * exp(-(kf + kr) * t)) / (kf + kr);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f)) {
        perror(path);
        exit(1);
    }
}

/* Simulates m and checks A against the closed form and A + B against A0. */
static void check_run(ilnet_model *m, double kf, double kr, double a0, const char *what)
{
    double times[] = {0, 0.5, 1, 2, 5, 10, 30};
    size_t n = sizeof times / sizeof *times;
    ilnet_simulation *s = NULL;
    int rc = ilnet_model_simulate(&s, m, times, n, NULL);
    CHECK(rc == 0 && s, "%s: simulate: %s", what, ilnet_error_last());
    if (!s) return;
    CHECK(ilnet_simulation_rows(s) == n && ilnet_simulation_times_count(s) == n, "%s: rows", what);
    CHECK(ilnet_simulation_species_count(s) == 2 && ilnet_simulation_observable_count(s) == 2,
          "%s: columns", what);
    CHECK(!strcmp(ilnet_simulation_linear_solver(s), "dense"), "%s: linear solver", what);
    const double *y = ilnet_simulation_species(s), *obs = ilnet_simulation_observables(s);
    for (size_t r = 0; r < n; r++) {
        CHECK_CLOSE(y[2 * r], a_exact(times[r], kf, kr, a0), 1e-6, 1e-9);
        CHECK_CLOSE(obs[2 * r], y[2 * r], 1e-15, 0);
        CHECK_CLOSE(obs[2 * r + 1], a0, 1e-7, 1e-9);
    }
    ilnet_simulation_stats st;
    ilnet_simulation_get_stats(&st, s);
    CHECK(st.steps > 0 && st.rhs_evals > 0 && st.t_reached >= 30,
          "%s: stats: %ld steps, %ld rhs, t %g", what, st.steps, st.rhs_evals, st.t_reached);
    CHECK(ilnet_simulation_status(s) == 0 && !strcmp(ilnet_simulation_message(s), ""), "%s", what);
    ilnet_simulation_free(s);
}

/* Sensitivities of A w.r.t. kf, A0 and A's initial amount against the closed form's
 * derivatives; once the caller sets A's initial amount, A0 no longer moves it. */
static void check_sensitivities(ilnet_model *m)
{
    const char *names[] = {"kf", "A0", "A()"};
    double times[] = {0, 0.5, 2, 10}, kf = 0.3, kr = 0.1;
    ilnet_simulate_options so = ILNET_SIMULATE_OPTIONS_INIT;
    so.sensitivities = names;
    so.n_sensitivities = 3;
    so.atol = 1e-12;
    so.rtol = 1e-10;
    for (int set = 0; set < 2; set++) {
        double a0 = set ? 7 : 10;
        if (set) CHECK(ilnet_model_set_initial(m, "A()", 7) == 0, "%s", ilnet_error_last());
        ilnet_simulation *s = NULL;
        CHECK(ilnet_model_simulate(&s, m, times, 4, &so) == 0 && s, "sens: %s", ilnet_error_last());
        if (!s) return;
        CHECK(ilnet_simulation_sensitivity_count(s) == 3 &&
                  !strcmp(ilnet_simulation_sensitivity_name(s, 2), "A()") &&
                  !ilnet_simulation_sensitivity_name(s, 3),
              "sensitivity names");
        const double *S = ilnet_simulation_sensitivities(s),
                     *O = ilnet_simulation_observable_sensitivities(s);
        for (int r = 0; S && O && r < 4; r++) {
            double t = times[r], k = kf + kr, E = exp(-k * t);
            double dkf = a0 * ((E - kf * t * E) * k - (kr + kf * E)) / (k * k);
            double da0 = (kr + kf * E) / k;
            CHECK_CLOSE(S[(r * 2 + 0) * 3 + 0], dkf, 1e-6, 1e-9);
            CHECK_CLOSE(S[(r * 2 + 0) * 3 + 1], set ? 0.0 : da0, 1e-6, 1e-9);
            CHECK_CLOSE(S[(r * 2 + 0) * 3 + 2], da0, 1e-6, 1e-9);
            CHECK_CLOSE(O[(r * 2 + 1) * 3 + 0], 0.0, 0, 1e-8); /* Total is conserved */
            CHECK_CLOSE(O[(r * 2 + 1) * 3 + 2], 1.0, 1e-8, 0);
        }
        ilnet_simulation_free(s);
    }
    CHECK(ilnet_model_reset_initial(m, "A()") == 0, "%s", ilnet_error_last());
    /* a version-1 options struct (no sensitivity fields) is still understood */
    so.version = 1;
    ilnet_simulation *s = NULL;
    CHECK(ilnet_model_simulate(&s, m, times, 4, &so) == 0 && s &&
              ilnet_simulation_sensitivity_count(s) == 0 && !ilnet_simulation_sensitivities(s),
          "version 1 options: %s", ilnet_error_last());
    ilnet_simulation_free(s);
    const char *bad[] = {"nope"};
    so = (ilnet_simulate_options)ILNET_SIMULATE_OPTIONS_INIT;
    so.sensitivities = bad;
    so.n_sensitivities = 1;
    CHECK(ilnet_model_simulate(&s, m, times, 4, &so) == ILNET_EINPUT && !s &&
              strstr(ilnet_error_last(), "'nope'"),
          "unknown sensitivity parameter: %s", ilnet_error_last());
}

int main(void)
{
    char dir[] = "/tmp/ilnet_public_api_XXXXXX", net[128], presets[128], out[160];
    if (!mkdtemp(dir)) return 1;
    snprintf(net, sizeof net, "%s/ab.net", dir);
    snprintf(presets, sizeof presets, "%s/ab.presets.yaml", dir);
    write_file(net, net_text);
    write_file(presets, presets_text);

    int major = -1, minor = -1, patch = -1;
    const char *v = ilnet_version(&major, &minor, &patch);
    CHECK(!strcmp(v, ILNET_VERSION) && major == ILNET_VERSION_MAJOR &&
              minor == ILNET_VERSION_MINOR && patch == ILNET_VERSION_PATCH,
          "version %s vs headers %s", v, ILNET_VERSION);

    ilnet_model *m = NULL;
    CHECK(ilnet_model_load(&m, net, NULL) == 0, "load: %s", ilnet_error_last());
    if (!m) CHECK_DONE();
    CHECK(!strcmp(ilnet_model_path(m), net), "path");
    CHECK(ilnet_model_parameter_count(m) == 4 && ilnet_model_species_count(m) == 2 &&
              ilnet_model_observable_count(m) == 2 && ilnet_model_reaction_count(m) == 2,
          "sizes");
    CHECK(ilnet_model_parameter_find(m, "kf2") == 3 && ilnet_model_parameter_find(m, "x") == -1,
          "find parameter");
    CHECK(!strcmp(ilnet_model_parameter_expression(m, 3), "2*kf"), "expression");
    CHECK(ilnet_model_species_find(m, "B()") == 1 && ilnet_model_observable_find(m, "Total") == 1,
          "find species/observable");
    CHECK(!strcmp(ilnet_model_species_name(m, 0), "A()") &&
              !strcmp(ilnet_model_observable_name(m, 1), "Total"),
          "names");
    CHECK(ilnet_model_parameter_name(m, 99) == NULL, "index out of range gives NULL");
    check_run(m, 0.3, 0.1, 10, "defaults");

    /* a parameter, a derived one following it, and a reset */
    double val = 0;
    CHECK(ilnet_model_set_parameter(m, "kr", 0.5) == 0, "%s", ilnet_error_last());
    check_run(m, 0.3, 0.5, 10, "kr = 0.5");
    CHECK(ilnet_model_set_parameter(m, "kf", 1.0) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_model_get_parameter(&val, m, "kf2") == 0 && val == 2.0, "kf2 follows kf: %g", val);
    CHECK(ilnet_model_reset_parameter(m, "kf") == 0, "%s", ilnet_error_last());
    CHECK(ilnet_model_get_parameter(&val, m, "kf2") == 0 && val == 0.6, "kf2 after reset: %g", val);
    /* an initial amount set by the caller, then following A0 again */
    CHECK(ilnet_model_set_initial(m, "A()", 4) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_model_species_initial(m, 0) == 4, "initial");
    check_run(m, 0.3, 0.5, 4, "A(0) = 4");
    CHECK(ilnet_model_reset_initial(m, "A()") == 0, "%s", ilnet_error_last());
    CHECK(ilnet_model_set_parameter(m, "A0", 7) == 0, "%s", ilnet_error_last());
    check_run(m, 0.3, 0.5, 7, "A0 = 7");

    /* a copy is independent and starts in the same state */
    ilnet_model *c = NULL;
    CHECK(ilnet_model_copy(&c, m) == 0, "copy: %s", ilnet_error_last());
    if (c) {
        check_run(c, 0.3, 0.5, 7, "copy");
        CHECK(ilnet_model_set_parameter(c, "kr", 0.05) == 0, "%s", ilnet_error_last());
        check_run(m, 0.3, 0.5, 7, "original after the copy changed");
        check_run(c, 0.3, 0.05, 7, "changed copy");
        ilnet_model_free(c);
    }

    /* presets beside the model */
    CHECK(ilnet_model_preset_count(m) == 1 && !strcmp(ilnet_model_preset_name(m, 0), "fast") &&
              !strcmp(ilnet_model_preset_description(m, 0), "kf ten times"),
          "presets");
    CHECK(ilnet_model_apply_preset(m, "fast") == 0, "%s", ilnet_error_last());
    check_run(m, 3, 0.5, 7, "preset fast");
    CHECK(ilnet_model_set_parameter(m, "kf", 0.3) == 0 &&
              ilnet_model_set_parameter(m, "kr", 0.1) == 0 &&
              ilnet_model_set_parameter(m, "A0", 10) == 0,
          "%s", ilnet_error_last());
    check_sensitivities(m);
    CHECK(ilnet_model_apply_preset(m, "fast") == 0 &&
              ilnet_model_set_parameter(m, "kr", 0.5) == 0 &&
              ilnet_model_set_parameter(m, "A0", 7) == 0,
          "%s", ilnet_error_last());

    /* errors: a code, and a message naming what is at fault */
    CHECK(ilnet_model_set_parameter(m, "nope", 1) == ILNET_EINPUT &&
              strstr(ilnet_error_last(), "nope") && ilnet_error_code() == ILNET_EINPUT,
          "unknown parameter: %s", ilnet_error_last());
    CHECK(ilnet_model_apply_preset(m, "slow") == ILNET_EINPUT && strstr(ilnet_error_last(), "slow"),
          "unknown preset: %s", ilnet_error_last());
    CHECK(ilnet_model_set_initial(m, "A()", -1) == ILNET_EINPUT, "negative initial amount");
    double bad[] = {0, 2, 1};
    ilnet_simulation *s = NULL;
    CHECK(ilnet_model_simulate(&s, m, bad, 3, NULL) == ILNET_EINPUT && !s &&
              strstr(ilnet_error_last(), "decrease"),
          "decreasing times: %s", ilnet_error_last());
    ilnet_simulate_options so = ILNET_SIMULATE_OPTIONS_INIT;
    so.version = 99;
    double t2[] = {0, 1};
    CHECK(ilnet_model_simulate(&s, m, t2, 2, &so) == ILNET_EINPUT && !s, "options version");
    ilnet_model *none = NULL;
    CHECK(ilnet_model_load(&none, "/nonexistent/x.net", NULL) != 0 && !none &&
              strstr(ilnet_error_last(), "/nonexistent/x.net"),
          "missing file: %s", ilnet_error_last());
    ilnet_error_clear();
    CHECK(ilnet_error_code() == 0 && !strcmp(ilnet_error_last(), "no error"), "clear");

    /* the KLU solver gives the same numbers; results written as CSV and HDF5 */
    so = (ilnet_simulate_options)ILNET_SIMULATE_OPTIONS_INIT;
    so.linear_solver = ILNET_LINEAR_SOLVER_KLU;
    double t3[] = {0, 1, 2};
    CHECK(ilnet_model_simulate(&s, m, t3, 3, &so) == 0, "klu: %s", ilnet_error_last());
    if (s) {
        CHECK(!strcmp(ilnet_simulation_linear_solver(s), "klu"), "klu");
        CHECK_CLOSE(ilnet_simulation_species(s)[2 * 2], a_exact(2, 3, 0.5, 7), 1e-6, 1e-9);
        snprintf(out, sizeof out, "%s/ab.csv", dir);
        CHECK(ilnet_simulation_write_csv(s, m, out) == 0, "csv: %s", ilnet_error_last());
        FILE *f = fopen(out, "r");
        char head[200] = "";
        CHECK(f && fgets(head, sizeof head, f) && !strncmp(head, "time,A_obs,Total,", 17),
              "csv header '%s'", head);
        if (f) fclose(f);
        remove(out);
        snprintf(out, sizeof out, "%s/ab.h5", dir);
        CHECK(ilnet_simulation_write_hdf5(s, m, out) == 0, "hdf5: %s", ilnet_error_last());
        CHECK(access(out, R_OK) == 0, "hdf5 file");
        remove(out);
        ilnet_simulation_free(s);
    }
    ilnet_model_free(m);
    remove(net);
    remove(presets);
    rmdir(dir);
    CHECK_DONE();
}

/* Function rate laws (BioNetGen's functions block) against closed forms: time() evaluated
 * continuously, a rate proportional to an observable, and the 0.5 factor of identical
 * reactants applied to a function; each also after a .net round trip (write, read back).
 * usage: test_bngl_functions DATADIR TMPDIR */
#include "check.h"

#include "common/error.h"
#include "model/bngl/bngl.h"
#include "model/netfile.h"
#include "solver/kinetics.h"
#include "solver/solver.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef double (*exact_fn)(double t);

static double exact_time(double t)
{
    return 5 * exp(-0.3 * t * t / 2);
}
static double exact_obs(double t)
{
    return 3 / (1 + 0.7 * 3 * t);
}
static double exact_dimer(double t)
{
    return 2 / (1 + 0.2 * 2 * t);
}

static void check_run(const char *what, ilnet_network *net, exact_fn exact, double t_end,
                      int species)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-12;
    so.rtol = 1e-10;
    for (int ls = 0; ls < 2; ls++) {
        so.linsol = ls ? ILNET_LINSOL_KLU : ILNET_LINSOL_DENSE;
        ilnet_solver *s;
        ilnet_result res;
        CHECK(ilnet_solver_new(&s, net, &so) == 0, "%s", ilnet_error_last());
        CHECK(ilnet_result_init(&res, net, 41) == 0, "%s", ilnet_error_last());
        if (check_failures) return;
        ilnet_result_linear_times(&res, 0, t_end);
        CHECK(ilnet_solver_run(s, &res, NULL) == 0, "%s: %s", what, ilnet_error_last());
        double worst = 0;
        for (size_t r = 0; r < res.n_done; r++) {
            double want = exact(res.times[r]),
                   got = res.species[r * res.n_species + (size_t)species];
            worst = fmax(worst, fabs(got - want) / fmax(fabs(want), 1e-6));
        }
        printf("%s (%s): worst relative error %.3g, %ld steps, %ld Jacobians\n", what,
               ilnet_solver_linsol_name(s), worst, res.stats.steps, res.stats.jac_evals);
        CHECK(worst < 1e-7, "%s: relative error %.3g", what, worst);
        ilnet_result_free(&res);
        ilnet_solver_free(s);
    }
}

/* the Jacobian, dk/d(observable) included, against central differences of the RHS */
static void check_jacobian(const char *what, const ilnet_network *net)
{
    ilnet_kinetics kin;
    CHECK(ilnet_kinetics_init(&kin, net) == 0, "%s", ilnet_error_last());
    if (check_failures) return;
    int n = kin.n_species;
    double *y = malloc((size_t)n * sizeof *y), *J = malloc((size_t)n * (size_t)n * sizeof *J);
    double *Js = malloc(((size_t)kin.nnz + 1) * sizeof *Js), *fp = malloc((size_t)n * sizeof *fp),
           *fm = malloc((size_t)n * sizeof *fm);
    for (int i = 0; i < n; i++)
        y[i] = 0.5 + 0.37 * i;
    double t = 1.3, worst = 0;
    ilnet_kinetics_jac_dense(&kin, t, y, J);
    ilnet_kinetics_jac_sparse(&kin, t, y, Js);
    for (int j = 0; j < n; j++) {
        double h = 1e-6 * fmax(1, fabs(y[j])), yj = y[j];
        y[j] = yj + h;
        ilnet_kinetics_rhs(&kin, t, y, fp);
        y[j] = yj - h;
        ilnet_kinetics_rhs(&kin, t, y, fm);
        y[j] = yj;
        for (int i = 0; i < n; i++) {
            double fd = (fp[i] - fm[i]) / (2 * h), an = J[(size_t)j * n + i], sp = 0;
            for (int e = kin.col_ptr[j]; e < kin.col_ptr[j + 1]; e++)
                if (kin.row_idx[e] == i) sp = Js[e];
            worst = fmax(worst, fabs(an - fd) / fmax(1, fabs(fd)));
            worst = fmax(worst, fabs(sp - an) / fmax(1, fabs(an)));
        }
    }
    printf("%s: Jacobian vs central differences, worst %.3g\n", what, worst);
    CHECK(worst < 1e-6, "%s: Jacobian differs from finite differences by %.3g", what, worst);
    free(y);
    free(J);
    free(Js);
    free(fp);
    free(fm);
    ilnet_kinetics_free(&kin);
}

static void one(const char *dir, const char *tmp, const char *model, exact_fn exact, double t_end)
{
    char path[4096], out[4096];
    snprintf(path, sizeof path, "%s/%s.bngl", dir, model);
    ilnet_bngl_model *m;
    ilnet_network *net, *back;
    CHECK(ilnet_bngl_read(&m, path) == 0, "%s", ilnet_error_last());
    if (check_failures) return;
    CHECK(ilnet_bngl_generate(&net, m, NULL, NULL) == 0, "%s", ilnet_error_last());
    if (check_failures) return;
    CHECK(ilnet_network_dynamic_count(net) >= 1, "%s: no dynamic rate law", model);
    check_run(model, net, exact, t_end, 0);
    check_jacobian(model, net);
    snprintf(out, sizeof out, "%s/%s.net", tmp, model);
    CHECK(ilnet_netfile_write(net, out) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_netfile_read(&back, out) == 0, "%s", ilnet_error_last());
    if (!check_failures) {
        char what[300];
        snprintf(what, sizeof what, "%s via .net", model);
        check_run(what, back, exact, t_end, 0);
        ilnet_network_free(back);
    }
    ilnet_network_free(net);
    ilnet_bngl_free(m);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s DATADIR TMPDIR\n", argv[0]);
        return 2;
    }
    one(argv[1], argv[2], "functions_time", exact_time, 4);
    one(argv[1], argv[2], "functions_observable", exact_obs, 10);
    one(argv[1], argv[2], "functions_dimer", exact_dimer, 10);
    CHECK_DONE();
}

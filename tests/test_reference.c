/* A BioNetGen reference model: simulate its .net at the reference settings and compare
 * every observable (.gdat) and species (.cdat) at every output time with BioNetGen's
 * run_network results: |ours - ref| <= 1e-5 |ref| + 1e-9 max|column|, with an absolute
 * floor of 1e-15: some columns of the reference hold only round-off (max 7e-25 in
 * fceri_ji) far below its own atol of 1e-12, where we compute exact zeros. Also checks that
 * every linear conservation law drifts by at most 1e-9 relative over the run.
 * usage: test_reference REFDIR MODEL [auto|dense|klu] */
#include "check.h"
#include "refdata.h"

#include "common/error.h"
#include "model/conservation.h"
#include "model/netfile.h"
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

static void compare(const char *what, const ref_table *ref, const double *ours, size_t cols,
                    const ilnet_result *res)
{
    CHECK(ref->rows == res->n_done, "%s: %zu reference rows, %zu simulated", what, ref->rows,
          res->n_done);
    CHECK(ref->cols == cols, "%s: %zu reference columns, %zu simulated", what, ref->cols, cols);
    if (ref->rows != res->n_done || ref->cols != cols) return;
    double worst = 0;
    size_t wr = 0, wc = 0;
    for (size_t c = 0; c < cols; c++) {
        double colmax = 0;
        for (size_t r = 0; r < ref->rows; r++)
            colmax = fmax(colmax, fabs(ref->data[r * cols + c]));
        for (size_t r = 0; r < ref->rows; r++) {
            double want = ref->data[r * cols + c], got = ours[r * cols + c];
            double tol = fmax(1e-5 * fabs(want) + 1e-9 * colmax, 1e-15);
            double ratio = tol > 0 ? fabs(got - want) / tol : (got == want ? 0 : INFINITY);
            if (ratio > worst) worst = ratio, wr = r, wc = c;
        }
    }
    printf("%s: worst error/tolerance %.3g (row %zu, column %zu)\n", what, worst, wr, wc + 1);
    CHECK(worst <= 1.0, "%s: row %zu (t=%g) column %zu: got %.12g, reference %.12g", what, wr,
          ref->time[wr], wc + 1, ours[wr * cols + wc], ref->data[wr * cols + wc]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s REFDIR MODEL [auto|dense|klu]\n", argv[0]);
        return 2;
    }
    char path[4096];
    const char *dir = argv[1], *model = argv[2];
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    if (argc > 3 && !strcmp(argv[3], "dense")) so.linsol = ILNET_LINSOL_DENSE;
    if (argc > 3 && !strcmp(argv[3], "klu")) so.linsol = ILNET_LINSOL_KLU;

    ref_settings set;
    snprintf(path, sizeof path, "%s/%s/settings.txt", dir, model);
    if (ref_settings_read(&set, path)) {
        fprintf(stderr, "cannot read %s\n", path);
        return 1;
    }
    ilnet_network *net;
    snprintf(path, sizeof path, "%s/%s/%s.net", dir, model, model);
    if (ilnet_netfile_read(&net, path)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    so.atol = set.atol;
    so.rtol = set.rtol;
    so.max_steps = 1000000;
    ilnet_solver *s;
    ilnet_result res;
    if (ilnet_solver_new(&s, net, &so) || ilnet_result_init(&res, net, (size_t)set.n_out + 1)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    ilnet_result_linear_times(&res, set.t_start, set.t_end);
    int rc = ilnet_solver_run(s, &res, NULL);
    CHECK(rc == 0, "solver: %s", ilnet_error_last());
    printf("%s (%s): %zu species, %zu reactions, %ld steps, %ld Jacobians\n", model,
           ilnet_solver_linsol_name(s), res.n_species, ilnet_network_reaction_count(net),
           res.stats.steps, res.stats.jac_evals);

    ref_table gdat, cdat;
    snprintf(path, sizeof path, "%s/%s/%s.gdat", dir, model, model);
    CHECK(ref_table_read(&gdat, path) == 0, "cannot read %s", path);
    snprintf(path, sizeof path, "%s/%s/%s.cdat", dir, model, model);
    CHECK(ref_table_read(&cdat, path) == 0, "cannot read %s", path);
    if (!check_failures) {
        for (size_t r = 0; r < gdat.rows && r < res.n_done; r++)
            CHECK_CLOSE(res.times[r], gdat.time[r], 1e-12, 1e-12);
        compare("observables", &gdat, res.observables, res.n_observables, &res);
        compare("species", &cdat, res.species, res.n_species, &res);
    }

    ilnet_conservation cons;
    CHECK(ilnet_conservation_analyze(&cons, net) == 0, "%s", ilnet_error_last());
    double worst = 0;
    for (size_t k = 0; k < cons.n_laws; k++) {
        const ilnet_conservation_law *law = &cons.laws[k];
        double scale = ilnet_conservation_scale(law, res.species);
        for (size_t r = 0; r < res.n_done; r++) {
            const double *y = res.species + r * res.n_species;
            scale = fmax(scale, ilnet_conservation_scale(law, y));
        }
        if (scale == 0) continue;
        for (size_t r = 0; r < res.n_done; r++) {
            double drift =
                fabs(ilnet_conservation_eval(law, res.species + r * res.n_species) - law->total) /
                scale;
            worst = fmax(worst, drift);
        }
    }
    printf("conservation: %zu laws, worst relative drift %.3g\n", cons.n_laws, worst);
    CHECK(worst <= 1e-9, "conservation drift %.3g", worst);

    ilnet_conservation_free(&cons);
    ref_table_free(&gdat);
    ref_table_free(&cdat);
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    ilnet_network_free(net);
    CHECK_DONE();
}

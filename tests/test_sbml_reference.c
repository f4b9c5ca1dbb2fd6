/* A BioNetGen reference model read through its SBML export (BioNetGen's writeSBML, the
 * .sbml.xml beside the .net) must reproduce the reference .gdat (observables, exported as
 * assignment rules) and .cdat (species S1..Sn in .net order) as the .net path does:
 * |ours - ref| <= 1e-5 |ref| + 1e-9 max|column| (floor 1e-15), at atol 1e-12, rtol 1e-10.
 * usage: test_sbml_reference REFDIR MODEL */
#include "check.h"
#include "refdata.h"

#include "common/error.h"
#include "model/sbml/sbml.h"
#include "model/expr.h"
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

static int read_header(const char *path, char names[][128], int max)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[1 << 16];
    int n = 0;
    if (fgets(line, sizeof line, f)) {
        char *tok = strtok(line + 1, " \t\n");
        tok = strtok(NULL, " \t\n"); /* skip "time" */
        while (tok && n < max) {
            snprintf(names[n++], 128, "%s", tok);
            tok = strtok(NULL, " \t\n");
        }
    }
    fclose(f);
    return n;
}

static void compare(const char *what, const ref_table *ref, const double *ours, size_t rows)
{
    CHECK(ref->rows == rows, "%s: %zu reference rows, %zu simulated", what, ref->rows, rows);
    if (ref->rows != rows) return;
    size_t cols = ref->cols;
    double worst = 0;
    size_t wr = 0, wc = 0;
    for (size_t c = 0; c < cols; c++) {
        double colmax = 0;
        for (size_t r = 0; r < rows; r++)
            colmax = fmax(colmax, fabs(ref->data[r * cols + c]));
        for (size_t r = 0; r < rows; r++) {
            double want = ref->data[r * cols + c], got = ours[r * cols + c];
            double tol = fmax(1e-5 * fabs(want) + 1e-9 * colmax, 1e-15);
            if (fabs(got - want) / tol > worst) worst = fabs(got - want) / tol, wr = r, wc = c;
        }
    }
    printf("%s: worst error/tolerance %.3g (row %zu, column %zu)\n", what, worst, wr, wc + 1);
    CHECK(worst <= 1, "%s: row %zu column %zu: got %.12g, reference %.12g", what, wr, wc + 1,
          ours[wr * cols + wc], ref->data[wr * cols + wc]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s REFDIR MODEL\n", argv[0]);
        return 2;
    }
    char path[4096];
    const char *dir = argv[1], *model = argv[2];
    ref_settings set;
    snprintf(path, sizeof path, "%s/%s/settings.txt", dir, model);
    if (ref_settings_read(&set, path)) return 1;
    ilnet_network *net;
    ilnet_sbml_symbols sym;
    snprintf(path, sizeof path, "%s/%s/%s.sbml.xml", dir, model, model);
    if (ilnet_sbml_read(&net, &sym, path, NULL)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
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
    CHECK(ilnet_solver_run(s, &res, NULL) == 0, "solver: %s", ilnet_error_last());
    printf("%s via SBML: %zu species, %zu reactions (%zu general rate laws)\n", model,
           res.n_species, ilnet_network_reaction_count(net), ilnet_network_dynamic_count(net));
    ref_table gdat, cdat;
    snprintf(path, sizeof path, "%s/%s/%s.cdat", dir, model, model);
    CHECK(ref_table_read(&cdat, path) == 0, "cannot read %s", path);
    snprintf(path, sizeof path, "%s/%s/%s.gdat", dir, model, model);
    CHECK(ref_table_read(&gdat, path) == 0, "cannot read %s", path);
    static char names[4096][128];
    int no = read_header(path, names, 4096);
    if (!check_failures) {
        /* species S1..Sn as amounts, in .net order */
        size_t nc = cdat.cols;
        double *ours = malloc((res.n_done * nc + 1) * sizeof *ours);
        for (size_t c = 0; c < nc; c++) {
            char id[32];
            snprintf(id, sizeof id, "S%zu", c + 1);
            int i = ilnet_network_find_species(net, id);
            CHECK(i >= 0, "no species %s", id);
            for (size_t r = 0; r < res.n_done; r++)
                ours[r * nc + c] = i >= 0 ? res.species[r * res.n_species + (size_t)i] : NAN;
        }
        compare("species", &cdat, ours, res.n_done);
        free(ours);
        /* observables: the exported assignment rules, evaluated at each row */
        CHECK(no == (int)gdat.cols, "gdat header has %d names for %zu columns", no, gdat.cols);
        double *vars = malloc((ilnet_network_var_count(net) + 1) * sizeof *vars);
        double *obs = malloc((res.n_done * gdat.cols + 1) * sizeof *obs);
        for (int c = 0; c < no && !check_failures; c++) {
            int k = ilnet_sbml_symbol_find(&sym, names[c]);
            CHECK(k >= 0, "observable %s not in the SBML", names[c]);
            ilnet_expr *e = NULL;
            if (k >= 0)
                CHECK(ilnet_network_expr_compile(net, sym.amount[k], &e) == 0, "%s",
                      ilnet_error_last());
            for (size_t r = 0; r < res.n_done && e; r++) {
                ilnet_network_vars_eval(net, res.times[r], res.species + r * res.n_species, vars);
                obs[r * gdat.cols + (size_t)c] = ilnet_expr_eval(e, vars);
            }
            ilnet_expr_free(e);
        }
        if (!check_failures) compare("observables", &gdat, obs, res.n_done);
        free(vars);
        free(obs);
    }
    ref_table_free(&gdat);
    ref_table_free(&cdat);
    ilnet_result_free(&res);
    ilnet_solver_free(s);
    ilnet_sbml_symbols_free(&sym);
    ilnet_network_free(net);
    CHECK_DONE();
}

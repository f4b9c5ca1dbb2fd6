/* Round trip: a network (from .net, .bngl or SBML) written as SBML by ilnet and read back
 * gives the same trajectories: every species and observable within rel 1e-8 (+ 1e-12 x
 * column max), both runs at atol 1e-14, rtol 1e-12; a .net or .bngl network's observables
 * are observables again, by name and in order, and its species keep their names. The
 * written file passes libsbml's
 * consistency checks (ilnet_sbml_write refuses otherwise).
 * usage: test_sbml_roundtrip TMPDIR T_END MODEL... */
#include "check.h"

#include "common/error.h"
#include "model/sbml/sbml.h"
#include "model/expr.h"
#include "model/load.h"
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

static int simulate(ilnet_network *net, double t_end, ilnet_result *res)
{
    ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
    so.atol = 1e-14;
    so.rtol = 1e-12;
    so.max_steps = 1000000;
    ilnet_solver *s;
    if (ilnet_solver_new(&s, net, &so) || ilnet_result_init(res, net, 51)) return -1;
    ilnet_result_linear_times(res, 0, t_end);
    int rc = ilnet_solver_run(s, res, NULL);
    ilnet_solver_free(s);
    return rc;
}

static double worst_col(const double *a, const double *b, size_t rows, size_t stride_a,
                        size_t stride_b, size_t ca, size_t cb)
{
    double mx = 0, w = 0;
    for (size_t r = 0; r < rows; r++)
        mx = fmax(mx, fabs(a[r * stride_a + ca]));
    for (size_t r = 0; r < rows; r++) {
        double x = a[r * stride_a + ca], y = b[r * stride_b + cb];
        w = fmax(w, fabs(x - y) / (1e-8 * fabs(x) + 1e-12 * mx + 1e-300));
    }
    return w;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s TMPDIR T_END MODEL...\n", argv[0]);
        return 2;
    }
    double t_end = atof(argv[2]);
    for (int k = 3; k < argc; k++) {
        const char *model = argv[k], *base = strrchr(model, '/');
        base = base ? base + 1 : model;
        char out[4096];
        snprintf(out, sizeof out, "%s/%s.roundtrip.xml", argv[1], base);
        ilnet_network *a, *b;
        ilnet_sbml_symbols sym;
        if (ilnet_network_load(&a, model, NULL)) {
            CHECK(0, "%s", ilnet_error_last());
            continue;
        }
        CHECK(ilnet_sbml_write(a, out) == 0, "%s: %s", model, ilnet_error_last());
        CHECK(ilnet_sbml_read(&b, &sym, out, NULL) == 0, "%s: %s", out, ilnet_error_last());
        if (check_failures) return 1;
        ilnet_result ra, rb;
        CHECK(simulate(a, t_end, &ra) == 0, "%s: %s", model, ilnet_error_last());
        CHECK(simulate(b, t_end, &rb) == 0, "%s (SBML): %s", out, ilnet_error_last());
        CHECK(ra.n_species == rb.n_species, "species %zu vs %zu", ra.n_species, rb.n_species);
        if (check_failures) return 1;
        double worst = 0;
        /* a network's observables come back as observables, by name and in order (the
         * assignment rules that are sums of species), with the same values */
        if (!strstr(base, ".xml")) {
            size_t na = ilnet_network_observable_count(a), nb = ilnet_network_observable_count(b);
            CHECK(na == nb && ra.n_observables == rb.n_observables,
                  "%s: %zu observables written, %zu read back as observables", base, na, nb);
            for (size_t o = 0; o < na && na == nb; o++) {
                const char *x = ilnet_network_observable(a, o)->name;
                const char *y = ilnet_network_observable(b, o)->name;
                CHECK(!strcmp(x, y), "%s: observable %zu is %s, read back %s", base, o, x, y);
                worst = fmax(worst, worst_col(ra.observables, rb.observables, ra.n_done,
                                              ra.n_observables, rb.n_observables, o, o));
            }
            /* species keep their names (as labels of the S<n> ids), and are found by them */
            for (size_t i = 0; i < ilnet_network_species_count(a); i++) {
                const char *x = ilnet_network_species(a, i)->name;
                const char *y = ilnet_network_species_label(b, i);
                CHECK(!strcmp(x, y) && ilnet_network_find_species(b, x) == (int)i,
                      "%s: species %zu is %s, read back %s", base, i + 1, x, y);
            }
        }
        for (size_t i = 0; i < ra.n_species; i++)
            worst = fmax(worst, worst_col(ra.species, rb.species, ra.n_done, ra.n_species,
                                          rb.n_species, i, i));
        /* observables: the exported assignment rules evaluated on the re-read network */
        double *vars = malloc((ilnet_network_var_count(b) + 1) * sizeof *vars);
        double *ob = malloc((ra.n_done * (ra.n_observables + 1)) * sizeof *ob);
        for (size_t o = 0; o < ra.n_observables; o++) {
            int si = ilnet_sbml_symbol_find(&sym, ilnet_network_observable(a, o)->name);
            ilnet_expr *e = NULL;
            CHECK(si >= 0 && ilnet_network_expr_compile(b, sym.amount[si], &e) == 0,
                  "observable %s", ilnet_network_observable(a, o)->name);
            for (size_t r = 0; r < ra.n_done && e; r++) {
                ilnet_network_vars_eval(b, rb.times[r], rb.species + r * rb.n_species, vars);
                ob[r * ra.n_observables + o] = ilnet_expr_eval(e, vars);
            }
            ilnet_expr_free(e);
            if (e || si >= 0)
                worst = fmax(worst, worst_col(ra.observables, ob, ra.n_done, ra.n_observables,
                                              ra.n_observables, o, o));
        }
        printf("%s: %zu species, %zu observables through SBML, worst error/tolerance %.3g\n", base,
               ra.n_species, ra.n_observables, worst);
        CHECK(worst <= 1, "%s: round trip differs (%.3g x tolerance)", base, worst);
        free(vars);
        free(ob);
        ilnet_result_free(&ra);
        ilnet_result_free(&rb);
        ilnet_sbml_symbols_free(&sym);
        ilnet_network_free(a);
        ilnet_network_free(b);
    }
    CHECK_DONE();
}

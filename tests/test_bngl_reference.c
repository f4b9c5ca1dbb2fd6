/* A BioNetGen reference model compiled from its driver .bngl by ilnet itself: the network
 * must equal BioNetGen's .net (same species up to isomorphism, the same reactions with the
 * same rate constants), and simulating it must reproduce the reference .gdat and .cdat
 * (species matched by canonical label) within rel 1e-5 + 1e-9 x column max, as for .net.
 * usage: test_bngl_reference REFDIR MODEL */
#include "check.h"
#include "refdata.h"

#include "common/error.h"
#include "common/strmap.h"
#include "model/bngl/bngl.h"
#include "model/netfile.h"
#include "solver/solver.h"

#include <stdlib.h>
#include <string.h>

static ilnet_canon_ws *cws;

/* canonical label of a species string under the model's molecule types */
static char *canon(ilnet_bngl_model *m, const char *name)
{
    ilnet_graph g;
    ilnet_graph_init(&g);
    char *buf = NULL;
    size_t cap = 0;
    if (*name == '$') name++;
    if (ilnet_bngl_parse_graph(&g, m, name, 1) ||
        ilnet_graph_canonical(cws, &g, &m->mt, &buf, &cap)) {
        fprintf(stderr, "cannot canonicalise '%s': %s\n", name, ilnet_error_last());
        free(buf);
        buf = NULL;
    }
    ilnet_graph_free(&g);
    return buf;
}

/* "r1,r2>p1,p2=k" with species indices of the generated network, sorted */
static char *rxn_key(const ilnet_reaction *r, const int *map, int with_k)
{
    int a[64], b[64];
    int na = r->n_reactants, nb = r->n_products;
    if (na > 64 || nb > 64) return NULL;
    for (int i = 0; i < na; i++)
        a[i] = map ? map[r->reactants[i]] : r->reactants[i];
    for (int i = 0; i < nb; i++)
        b[i] = map ? map[r->products[i]] : r->products[i];
    for (int i = 1; i < na; i++)
        for (int j = i; j > 0 && a[j - 1] > a[j]; j--) {
            int t = a[j];
            a[j] = a[j - 1];
            a[j - 1] = t;
        }
    for (int i = 1; i < nb; i++)
        for (int j = i; j > 0 && b[j - 1] > b[j]; j--) {
            int t = b[j];
            b[j] = b[j - 1];
            b[j - 1] = t;
        }
    char *k = malloc(64 * 24 + 64);
    int n = 0;
    for (int i = 0; i < na; i++)
        n += sprintf(k + n, "%d,", a[i]);
    n += sprintf(k + n, ">");
    for (int i = 0; i < nb; i++)
        n += sprintf(k + n, "%d,", b[i]);
    if (with_k) sprintf(k + n, "=%.9g", r->k);
    return k;
}

static int cmpstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void compare(const char *what, const ref_table *ref, const double *ours, size_t cols,
                    const int *colmap, const ilnet_result *res)
{
    CHECK(ref->rows == res->n_done, "%s: %zu reference rows, %zu simulated", what, ref->rows,
          res->n_done);
    CHECK(ref->cols == cols, "%s: %zu reference columns, %zu simulated", what, ref->cols, cols);
    if (ref->rows != res->n_done || ref->cols != cols) return;
    double worst = 0;
    size_t wr = 0, wc = 0;
    for (size_t c = 0; c < cols; c++) {
        double colmax = 0;
        size_t oc = colmap ? (size_t)colmap[c] : c;
        for (size_t r = 0; r < ref->rows; r++)
            colmax = fmax(colmax, fabs(ref->data[r * cols + c]));
        for (size_t r = 0; r < ref->rows; r++) {
            double want = ref->data[r * cols + c], got = ours[r * cols + oc];
            double tol = fmax(1e-5 * fabs(want) + 1e-9 * colmax, 1e-15);
            double ratio = fabs(got - want) / tol;
            if (ratio > worst) worst = ratio, wr = r, wc = c;
        }
    }
    printf("%s: worst error/tolerance %.3g (row %zu, column %zu)\n", what, worst, wr, wc + 1);
    CHECK(worst <= 1.0, "%s: row %zu column %zu: got %.12g, reference %.12g", what, wr, wc + 1,
          ours[wr * cols + (colmap ? (size_t)colmap[wc] : wc)], ref->data[wr * cols + wc]);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s REFDIR MODEL\n", argv[0]);
        return 2;
    }
    char path[4096];
    const char *dir = argv[1], *model = argv[2];
    ilnet_canon_ws_new(&cws);
    ilnet_bngl_model *m;
    snprintf(path, sizeof path, "%s/%s/%s.bngl", dir, model, model);
    if (ilnet_bngl_read(&m, path)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    ilnet_netgen_options opt;
    ilnet_network *net, *ref;
    ilnet_netgen_stats st;
    if (ilnet_bngl_netgen_options(&opt, m) || ilnet_bngl_generate(&net, m, &opt, &st)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    snprintf(path, sizeof path, "%s/%s/%s.net", dir, model, model);
    if (ilnet_netfile_read(&ref, path)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    size_t ns = ilnet_network_species_count(net), nr = ilnet_network_reaction_count(net);
    size_t rs = ilnet_network_species_count(ref), rr = ilnet_network_reaction_count(ref);
    printf("%s: generated %zu species, %zu reactions in %.3f s (%d rounds); BioNetGen %zu, %zu\n",
           model, ns, nr, st.seconds, st.iterations, rs, rr);
    CHECK(ns == rs, "species: %zu generated, %zu in the reference", ns, rs);
    CHECK(nr == rr, "reactions: %zu generated, %zu in the reference", nr, rr);

    /* species: reference index -> generated index through canonical labels */
    ilnet_strmap mine = ILNET_STRMAP_INIT;
    char **labels = calloc(ns + 1, sizeof *labels);
    for (size_t i = 0; i < ns; i++) {
        labels[i] = canon(m, ilnet_network_species(net, i)->name);
        CHECK(labels[i] && !strcmp(labels[i], ilnet_network_species(net, i)->name),
              "generated species %zu is not in canonical form", i + 1);
        if (labels[i]) ilnet_strmap_put(&mine, labels[i], (int)i);
    }
    int *map = malloc((rs + 1) * sizeof *map), missing = 0;
    for (size_t i = 0; i < rs; i++) {
        char *c = canon(m, ilnet_network_species(ref, i)->name);
        map[i] = c ? ilnet_strmap_get(&mine, c, (size_t)-1) : -1;
        if (map[i] < 0 && missing++ < 5)
            fprintf(stderr, "reference species %zu %s not generated\n", i + 1,
                    ilnet_network_species(ref, i)->name);
        if (map[i] >= 0) {
            const ilnet_species *a = ilnet_network_species(ref, i),
                                *b = ilnet_network_species(net, (size_t)map[i]);
            CHECK(a->fixed == b->fixed, "species %s: fixed flag differs", a->name);
            CHECK_CLOSE(b->initial, a->initial, 1e-12, 0);
        }
        free(c);
    }
    CHECK(missing == 0, "%d reference species not generated", missing);

    /* reactions as sorted multisets of "reactants>products=k" (zero-rate ones included) */
    if (!check_failures) {
        char **ka = malloc((nr + 1) * sizeof *ka), **kb = malloc((rr + 1) * sizeof *kb);
        for (size_t i = 0; i < nr; i++)
            ka[i] = rxn_key(ilnet_network_reaction(net, i), NULL, 1);
        for (size_t i = 0; i < rr; i++)
            kb[i] = rxn_key(ilnet_network_reaction(ref, i), map, 1);
        qsort(ka, nr, sizeof *ka, cmpstr);
        qsort(kb, rr, sizeof *kb, cmpstr);
        int diff = 0;
        for (size_t i = 0, j = 0; i < nr || j < rr;) {
            int c = i == nr ? 1 : j == rr ? -1 : strcmp(ka[i], kb[j]);
            if (c == 0) {
                i++, j++;
                continue;
            }
            if (diff++ < 8)
                fprintf(stderr, "%s reaction %s\n", c < 0 ? "extra" : "missing",
                        c < 0 ? ka[i] : kb[j]);
            if (c < 0)
                i++;
            else
                j++;
        }
        CHECK(diff == 0, "%d reactions differ from the reference (species, products or rate)",
              diff);
        for (size_t i = 0; i < nr; i++)
            free(ka[i]);
        for (size_t i = 0; i < rr; i++)
            free(kb[i]);
        free(ka);
        free(kb);
    }

    /* simulate the generated network at the reference settings */
    ref_settings set;
    snprintf(path, sizeof path, "%s/%s/settings.txt", dir, model);
    CHECK(ref_settings_read(&set, path) == 0, "cannot read %s", path);
    if (!check_failures) {
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
        ref_table gdat, cdat;
        snprintf(path, sizeof path, "%s/%s/%s.gdat", dir, model, model);
        CHECK(ref_table_read(&gdat, path) == 0, "cannot read %s", path);
        snprintf(path, sizeof path, "%s/%s/%s.cdat", dir, model, model);
        CHECK(ref_table_read(&cdat, path) == 0, "cannot read %s", path);
        if (!check_failures) {
            compare("observables", &gdat, res.observables, res.n_observables, NULL, &res);
            compare("species", &cdat, res.species, res.n_species, map, &res);
        }
        ref_table_free(&gdat);
        ref_table_free(&cdat);
        ilnet_result_free(&res);
        ilnet_solver_free(s);
    }
    for (size_t i = 0; i < ns; i++)
        free(labels[i]);
    free(labels);
    free(map);
    ilnet_strmap_free(&mine);
    ilnet_network_free(net);
    ilnet_network_free(ref);
    ilnet_netgen_options_free(&opt);
    ilnet_bngl_free(m);
    ilnet_canon_ws_free(cws);
    CHECK_DONE();
}

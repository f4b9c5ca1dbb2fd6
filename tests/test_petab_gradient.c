/* PEtab gradients (ilnet_petab_evaluate with gradient) against central differences of the
 * log-likelihood on each estimated parameter's scale (five-point stencil, step 1e-4 on a log
 * scale, 1e-4 x max(1, |theta|) on a linear one; tolerances
 * atol 1e-16, rtol 1e-13): within 1e-3 relative on every component larger than 1e-2 x the
 * largest. The problems are read once and evaluated in process.
 * usage: test_petab_gradient PROBLEM.yaml... */
#include "check.h"

#include "common/error.h"
#include "experiment/petab.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double to_scale(int scale, double x)
{
    return scale == PETAB_LOG ? log(x) : scale == PETAB_LOG10 ? log10(x) : x;
}

static double from_scale(int scale, double t)
{
    return scale == PETAB_LOG ? exp(t) : scale == PETAB_LOG10 ? pow(10, t) : t;
}

static double llh_at(ilnet_petab *p, double *x)
{
    ilnet_petab_result r;
    int rc = ilnet_petab_evaluate(&r, p, x, 1e-16, 1e-13, 0);
    CHECK(rc == 0, "evaluate: %s", rc ? ilnet_error_last() : "");
    double v = r.llh;
    ilnet_petab_result_free(&r);
    return v;
}

static void check_problem(const char *yaml)
{
    ilnet_petab *p = NULL;
    CHECK(ilnet_petab_read(&p, yaml) == 0, "%s", ilnet_error_last());
    if (!p) return;
    double *x = malloc(p->n_par * sizeof *x), *g = malloc(p->n_par * sizeof *g);
    for (size_t j = 0; j < p->n_par; j++)
        x[j] = p->par[j].nominal;
    ilnet_petab_result r;
    CHECK(ilnet_petab_evaluate(&r, p, x, 1e-16, 1e-13, 1) == 0, "%s", ilnet_error_last());
    memcpy(g, r.grad, p->n_par * sizeof *g);
    ilnet_petab_result_free(&r);
    double big = 0, worst = 0;
    int n = 0, compared = 0;
    for (size_t j = 0; j < p->n_par; j++)
        big = fmax(big, fabs(g[j]));
    for (size_t j = 0; j < p->n_par; j++) {
        if (!p->par[j].estimate) continue;
        n++;
        if (fabs(g[j]) < 1e-2 * big) continue; /* the components the check is about */
        /* five-point central differences: O(h^4) truncation, so h can be large enough that
         * the integration's own error (atol 1e-16, rtol 1e-13) stays below 1e-3 of the
         * smaller components; a log-scale step is relative already */
        double t0 = to_scale(p->par[j].scale, x[j]), keep = x[j];
        double h = p->par[j].scale == PETAB_LIN ? 1e-4 * fmax(1, fabs(t0)) : 1e-4, f[4];
        const double at[4] = {-2, -1, 1, 2};
        for (int q = 0; q < 4; q++) {
            x[j] = from_scale(p->par[j].scale, t0 + at[q] * h);
            f[q] = llh_at(p, x);
        }
        x[j] = keep;
        double fd = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
        compared++;
        double rel = fabs(g[j] - fd) / fabs(fd);
        worst = fmax(worst, rel);
        CHECK(rel <= 1e-3, "%s: d llh / d %s = %.10g, central difference %.10g", yaml, p->par[j].id,
              g[j], fd);
    }
    const char *name = strrchr(yaml, '/');
    printf("%-40s %d estimated, %d compared (|g| >= 1e-2 max), worst relative difference %.2e\n",
           name ? name + 1 : yaml, n, compared, worst);
    free(x);
    free(g);
    ilnet_petab_free(p);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        check_problem(argv[i]);
    CHECK_DONE();
}

/* PEtab gradients (ilnet_petab_evaluate with gradient) against central differences of the
 * log-likelihood on each estimated parameter's scale (five-point stencil, step 1e-4 on a log
 * scale, 1e-4 x max(1, |theta|) on a linear one; tolerances
 * atol 1e-16, rtol 1e-13): within 1e-3 relative on every component larger than 1e-2 x the
 * largest. The residual Jacobian's and the log-sigma Jacobian's columns of those parameters
 * against the same differences of the residuals and log sigma (within 1e-3 of the column's
 * largest entry), the residuals' squares
 * summing to chi2, and an evaluation on three worker threads (each with its own copy of
 * the problem) equal to the one-thread evaluation. The adjoint gradient (ILNET_PETAB_ADJOINT:
 * pairs without preequilibration or steady-state data by a backward run, the others by
 * forward sensitivities) against the same differences within 1e-3, and its llh equal to
 * the forward evaluation's within 1e-9 relative. The problems are read once and
 * evaluated in process.
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

/* the llh at x, and the weighted residuals into res */
static double llh_at(ilnet_petab *p, double *x, double *res, double *log_prior)
{
    ilnet_petab_result r;
    int rc = ilnet_petab_evaluate(&r, p, x, 1e-16, 1e-13, ILNET_PETAB_RESIDUALS);
    CHECK(rc == 0, "evaluate: %s", rc ? ilnet_error_last() : "");
    double v = r.llh;
    *log_prior = r.log_prior;
    if (!rc) memcpy(res, r.residual, p->n_meas * sizeof *res);
    for (size_t i = 0; !rc && i < p->n_meas; i++)
        res[p->n_meas + i] = log(r.sigma[i]);
    ilnet_petab_result_free(&r);
    return v;
}

static int close_to(double a, double b, double rel)
{
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b)) + 1e-300;
}

/* the three-thread evaluation against the one-thread result r1: same llh, chi2, gradient,
 * residuals and Jacobian */
static void check_threads(const char *yaml, const ilnet_petab_result *r1, const double *x)
{
    ilnet_petab *ps[3] = {0};
    for (int t = 0; t < 3; t++)
        CHECK(ilnet_petab_read(&ps[t], yaml) == 0, "%s", ilnet_error_last());
    ilnet_petab_result r;
    int rc = ilnet_petab_evaluate_parallel(&r, ps, 3, x, 1e-16, 1e-13,
                                           ILNET_PETAB_GRADIENT | ILNET_PETAB_RESIDUALS);
    CHECK(rc == 0, "%s: 3 threads: %s", yaml, rc ? ilnet_error_last() : "");
    size_t n = ps[0]->n_meas, np = ps[0]->n_par;
    int bad = !rc && !(close_to(r.llh, r1->llh, 1e-12) && close_to(r.chi2, r1->chi2, 1e-12));
    for (size_t i = 0; !rc && i < n; i++)
        bad |= !close_to(r.residual[i], r1->residual[i], 1e-12) ||
               !close_to(r.sim[i], r1->sim[i], 1e-12);
    double gmax = 0;
    for (size_t j = 0; !rc && j < np; j++)
        gmax = fmax(gmax, fabs(r1->grad[j]));
    for (size_t j = 0; !rc && j < np; j++) /* sums in another order: round-off */
        bad |= fabs(r.grad[j] - r1->grad[j]) > 1e-9 * gmax;
    for (size_t k = 0; !rc && k < n * np; k++)
        bad |= !close_to(r.res_jac[k], r1->res_jac[k], 1e-12);
    CHECK(!bad, "%s: 3 threads give another llh, gradient or residuals than 1", yaml);
    ilnet_petab_result_free(&r);
    for (int t = 0; t < 3; t++)
        ilnet_petab_free(ps[t]);
}

/* column j of Jacobian jac (residuals, or log sigma with off = n_meas) against five-point
 * differences of res[q] + off at -2h, -h, h, 2h; returns the largest difference relative to
 * the column's largest entry */
static double jac_column(const char *yaml, const ilnet_petab *p, const double *jac, size_t j,
                         double *const *res, size_t off, double h, const char *what)
{
    double big = 0, worst = 0;
    for (size_t i = 0; i < p->n_meas; i++)
        big = fmax(big, fabs(jac[i * p->n_par + j]));
    for (size_t i = 0; i < p->n_meas; i++) {
        const double *a = res[0] + off, *b = res[1] + off, *c = res[2] + off, *d = res[3] + off;
        double fd = (a[i] - 8 * b[i] + 8 * c[i] - d[i]) / (12 * h);
        double e = fabs(jac[i * p->n_par + j] - fd) / fmax(big, 1e-300);
        if (big == 0) e = fabs(fd) > 1e-9 ? 1 : 0;
        worst = fmax(worst, e);
        CHECK(e <= 1e-3, "%s: d %s[%zu] / d %s = %.10g, central difference %.10g", yaml, what, i,
              p->par[j].id, jac[i * p->n_par + j], fd);
    }
    return worst;
}

static double jacobian_column(const char *yaml, const ilnet_petab *p, const ilnet_petab_result *r,
                              size_t j, double *const *res, double h)
{
    double a = jac_column(yaml, p, r->res_jac, j, res, 0, h, "residual");
    double b = jac_column(yaml, p, r->logsig_jac, j, res, p->n_meas, h, "log sigma");
    return fmax(a, b);
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
    CHECK(ilnet_petab_evaluate(&r, p, x, 1e-16, 1e-13,
                               ILNET_PETAB_GRADIENT | ILNET_PETAB_RESIDUALS) == 0,
          "%s", ilnet_error_last());
    if (!r.grad) return;
    memcpy(g, r.grad, p->n_par * sizeof *g);
    ilnet_petab_result ra;
    double *ga = calloc(p->n_par + 1, sizeof *ga);
    CHECK(ilnet_petab_evaluate(&ra, p, x, 1e-16, 1e-13,
                               ILNET_PETAB_GRADIENT | ILNET_PETAB_ADJOINT) == 0,
          "%s: adjoint: %s", yaml, ilnet_error_last());
    if (ra.grad) memcpy(ga, ra.grad, p->n_par * sizeof *ga);
    CHECK(close_to(ra.llh, r.llh, 1e-9), "%s: adjoint run's llh %.17g, forward %.17g", yaml, ra.llh,
          r.llh);
    /* the adjoint path taken wherever a pair allows it: a pair without preequilibration
     * and steady-state data exists exactly when some such measurement does */
    int plain = 0;
    for (size_t i = 0; i < p->n_meas; i++) {
        int steady_pair = 0;
        for (size_t q = 0; q < p->n_meas; q++)
            steady_pair |= p->meas[q].sim == p->meas[i].sim && p->meas[q].preeq < 0 &&
                           !isfinite(p->meas[q].time);
        plain |= p->meas[i].preeq < 0 && !steady_pair;
    }
    size_t n_adj = ra.adjoint_pairs;
    CHECK((n_adj > 0) == plain, "%s: %zu pairs by the adjoint, expected %s", yaml, n_adj,
          plain ? "some" : "none");
    ilnet_petab_result_free(&ra);
    double ss = 0, *res[4], worst_jac = 0;
    size_t nm = p->n_meas;
    for (size_t i = 0; i < nm; i++)
        ss += r.residual[i] * r.residual[i];
    CHECK(close_to(ss, r.chi2, 1e-12), "%s: sum of squared residuals %.17g, chi2 %.17g", yaml, ss,
          r.chi2);
    check_threads(yaml, &r, x);
    for (int q = 0; q < 4; q++)
        res[q] = malloc((2 * nm + 1) * sizeof **res);
    double big = 0, worst = 0, worst_adj = 0, adj_fwd = 0;
    int n = 0, compared = 0, priors = 0;
    for (size_t j = 0; j < p->n_par; j++)
        big = fmax(big, fabs(g[j]));
    for (size_t j = 0; j < p->n_par; j++) /* every entry, the small ones too */
        adj_fwd = fmax(adj_fwd, fabs(ga[j] - g[j]) / big);
    CHECK(adj_fwd <= 1e-6, "%s: adjoint and forward gradients differ by %.3g of the largest entry",
          yaml, adj_fwd);
    for (size_t j = 0; j < p->n_par; j++) {
        if (!p->par[j].estimate) continue;
        n++;
        int about = fabs(g[j]) >= 1e-2 * big; /* the components the llh check is about */
        if (!about && !p->par[j].prior) continue;
        /* five-point central differences: O(h^4) truncation, so h can be large enough that
         * the integration's own error (atol 1e-16, rtol 1e-13) stays below 1e-3 of the
         * smaller components; a log-scale step is relative already */
        double t0 = to_scale(p->par[j].scale, x[j]), keep = x[j];
        double h = p->par[j].scale == PETAB_LIN ? 1e-4 * fmax(1, fabs(t0)) : 1e-4, f[4], lp[4];
        const double at[4] = {-2, -1, 1, 2};
        for (int q = 0; q < 4; q++) {
            x[j] = from_scale(p->par[j].scale, t0 + at[q] * h);
            f[q] = llh_at(p, x, res[q], &lp[q]);
        }
        x[j] = keep;
        double fd = (f[0] - 8 * f[1] + 8 * f[2] - f[3]) / (12 * h);
        if (about) worst_jac = fmax(worst_jac, jacobian_column(yaml, p, &r, j, res, h));
        if (p->par[j].prior) {
            double fdp = (lp[0] - 8 * lp[1] + 8 * lp[2] - lp[3]) / (12 * h);
            priors++;
            CHECK(fabs(r.prior_grad[j] - fdp) <= 1e-6 * fmax(1, fabs(fdp)),
                  "%s: d log_prior / d %s = %.10g, central difference %.10g", yaml, p->par[j].id,
                  r.prior_grad[j], fdp);
        }
        if (!about) continue;
        compared++;
        double rel = fabs(g[j] - fd) / fabs(fd), rel_adj = fabs(ga[j] - fd) / fabs(fd);
        worst = fmax(worst, rel);
        worst_adj = fmax(worst_adj, rel_adj);
        CHECK(rel <= 1e-3, "%s: d llh / d %s = %.10g, central difference %.10g", yaml, p->par[j].id,
              g[j], fd);
        CHECK(rel_adj <= 1e-3, "%s: adjoint d llh / d %s = %.10g, central difference %.10g", yaml,
              p->par[j].id, ga[j], fd);
    }
    const char *name = strrchr(yaml, '/');
    printf("%-40s %d estimated, %d compared (|g| >= 1e-2 max), worst relative difference %.2e "
           "(adjoint %.2e, adjoint - forward %.1e, %zu adjoint pairs); residual Jacobian %.2e; "
           "%d prior gradients\n",
           name ? name + 1 : yaml, n, compared, worst, worst_adj, adj_fwd, n_adj, worst_jac,
           priors);
    for (int q = 0; q < 4; q++)
        free(res[q]);
    ilnet_petab_result_free(&r);
    free(x);
    free(g);
    free(ga);
    ilnet_petab_free(p);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        check_problem(argv[i]);
    CHECK_DONE();
}

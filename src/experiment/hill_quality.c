/* Whether a Hill fit's EC50 can be trusted: flat responses, biphasic curves, EC50s
 * extrapolated beyond the doses and poor fits are told apart from good fits, and a
 * model-free half-maximal dose is interpolated from the data beside the fitted EC50. */
#include "hill.h"

#include "../common/error.h"

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *ilnet_hill_quality_name(ilnet_hill_quality q)
{
    switch (q) {
    case ILNET_HILL_OK:
        return "ok";
    case ILNET_HILL_FLAT:
        return "flat";
    case ILNET_HILL_BIPHASIC:
        return "biphasic";
    case ILNET_HILL_EC50_OUTSIDE_DOSES:
        return "ec50_outside_doses";
    case ILNET_HILL_POOR_FIT:
        return "poor_fit";
    }
    return "unknown";
}

/* The points sorted by dose with the responses at equal doses averaged: m distinct doses
 * (lx in log10), and the raw points in log10 dose (px, py; n). */
typedef struct {
    double *lx, *my, *px, *py;
    size_t m, n;
} series;

static int cmp_dose(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static int series_make(series *s, const double *dose, const double *resp, size_t n)
{
    double *pairs = malloc(2 * n * sizeof *pairs);
    s->lx = malloc(4 * n * sizeof *s->lx);
    if (!pairs || !s->lx) {
        free(pairs);
        free(s->lx);
        return ilnet_error_oom();
    }
    s->my = s->lx + n, s->px = s->lx + 2 * n, s->py = s->lx + 3 * n, s->n = n, s->m = 0;
    for (size_t i = 0; i < n; i++)
        pairs[2 * i] = log10(dose[i]), pairs[2 * i + 1] = resp[i];
    qsort(pairs, n, 2 * sizeof *pairs, cmp_dose);
    for (size_t i = 0, cnt = 0; i < n; i++) {
        s->px[i] = pairs[2 * i], s->py[i] = pairs[2 * i + 1];
        if (s->m && s->lx[s->m - 1] == s->px[i]) {
            s->my[s->m - 1] += (s->py[i] - s->my[s->m - 1]) / (double)++cnt;
        } else {
            s->lx[s->m] = s->px[i], s->my[s->m++] = s->py[i], cnt = 1;
        }
    }
    free(pairs);
    return 0;
}

/* log10 dose where the means first cross `level` going up (rising) or down, by linear
 * interpolation; NAN when they never do. */
static double crossing(const series *s, double level, int rising)
{
    for (size_t i = 1; i < s->m; i++) {
        double a = s->my[i - 1] - level, b = s->my[i] - level;
        if (rising ? (a < 0 && b >= 0) : (a > 0 && b <= 0))
            return s->lx[i - 1] + (s->lx[i] - s->lx[i - 1]) * a / (a - b);
    }
    return NAN;
}

static void extremes(const series *s, size_t *imin, size_t *imax)
{
    *imin = *imax = 0;
    for (size_t i = 1; i < s->m; i++) {
        if (s->my[i] < s->my[*imin]) *imin = i;
        if (s->my[i] > s->my[*imax]) *imax = i;
    }
}

/* A reversal: past the curve's extreme the response comes back by more than a quarter of
 * its range at the far end of the doses (mean of the two doses there), or it starts more
 * than a quarter away from the extreme it reaches before its rise. */
static int reverses(const series *s, int rising)
{
    size_t m = s->m, imin, imax;
    if (m < 5) return 0;
    extremes(s, &imin, &imax);
    double range = s->my[imax] - s->my[imin], q = 0.25 * range;
    double first = 0.5 * (s->my[0] + s->my[1]), last = 0.5 * (s->my[m - 1] + s->my[m - 2]);
    if (rising)
        return (imax < m - 2 && s->my[imax] - last > q) || (imin > 1 && first - s->my[imin] > q);
    return (imin < m - 2 && last - s->my[imin] > q) || (imax > 1 && s->my[imax] - first > q);
}

/* The two-step curve b + a1 L(x; e1, n) + a2 L(x; e2, n), theta (b, a1, log10 e1, a2,
 * log10 e2, n), L the logistic in log10 dose. */
static double step(double u, double le, double h)
{
    return 1.0 / (1.0 + pow(10.0, -h * (u - le)));
}

static int two_step_residual(const gsl_vector *x, void *p, gsl_vector *r)
{
    const series *s = p;
    const double *t = x->data;
    for (size_t i = 0; i < s->n; i++) {
        double u = s->px[i];
        gsl_vector_set(r, i,
                       t[0] + t[1] * step(u, t[2], t[5]) + t[3] * step(u, t[4], t[5]) - s->py[i]);
    }
    return GSL_SUCCESS;
}

/* Least squares of the two-step curve from th (finite-difference Jacobian); rss or INF. */
static double two_step_fit(const series *s, double th[6], const ilnet_hill_options *o)
{
    gsl_vector_view xv = gsl_vector_view_array(th, 6);
    gsl_multifit_nlinear_fdf fdf = {two_step_residual, NULL, NULL, s->n, 6, (void *)s, 0, 0, 0};
    gsl_multifit_nlinear_parameters par = gsl_multifit_nlinear_default_parameters();
    gsl_multifit_nlinear_workspace *w =
        gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &par, s->n, 6);
    if (!w) return INFINITY;
    int info, st = gsl_multifit_nlinear_init(&xv.vector, &fdf, w);
    if (st == GSL_SUCCESS)
        st = gsl_multifit_nlinear_driver(o->max_iter, o->xtol, o->gtol, o->ftol, NULL, NULL, &info,
                                         w);
    double rss = INFINITY;
    if (st == GSL_SUCCESS) {
        gsl_blas_ddot(gsl_multifit_nlinear_residual(w), gsl_multifit_nlinear_residual(w), &rss);
        memcpy(th, gsl_multifit_nlinear_position(w)->data, 6 * sizeof *th);
    }
    gsl_multifit_nlinear_free(w);
    return isfinite(rss) ? rss : INFINITY;
}

/* Two steps count as separated when they are >= 10-fold apart, each carries >= 15 % of the
 * total change in the fitted direction, and the slope (in log dose) between them falls
 * below half the smaller step's peak slope: a plateau or shoulder between two rises. */
static int separated(const double t[6], int rising)
{
    double a1 = t[1], a2 = t[3], h = fabs(t[5]), total = a1 + a2;
    if (fabs(t[4] - t[2]) < 1 || (rising ? total <= 0 : total >= 0)) return 0;
    if (a1 / total < 0.15 || a2 / total < 0.15) return 0;
    double mid = 0.5 * (t[2] + t[4]), f1 = step(mid, t[2], h), f2 = step(mid, t[4], h);
    double slope_mid = fabs(a1 * f1 * (1 - f1) + a2 * f2 * (1 - f2));
    return slope_mid < 0.5 * 0.25 * fmin(fabs(a1), fabs(a2));
}

/* Two separated steps fit significantly better than the Hill curve (F-test p < 0.01, and
 * at most a quarter of its residual sum of squares left). Starts: the steps placed where
 * the data cross 25/75 %, 10/50 % and 50/90 % of their range. */
static int two_steps(const series *s, const ilnet_hill_fit *f, size_t p,
                     const ilnet_hill_options *o)
{
    if (s->m < 8 || !(f->rss > 0)) return 0;
    int rising = f->top >= f->bottom;
    double span = f->top - f->bottom;
    static const double at[3][2] = {{0.25, 0.75}, {0.1, 0.5}, {0.5, 0.9}};
    for (int k = 0; k < 3; k++) {
        /* levels along the change from the starting plateau: crossed in dose order for a
         * rising and a falling curve alike */
        double l1 = crossing(s, f->bottom + at[k][0] * span, rising);
        double l2 = crossing(s, f->bottom + at[k][1] * span, rising);
        if (!isfinite(l1) || !isfinite(l2) || l2 - l1 < 0.5) continue;
        double th[6] = {f->bottom, 0.5 * span, l1, 0.5 * span, l2, 2.0};
        double rss = two_step_fit(s, th, o);
        if (!isfinite(rss) || rss > 0.25 * f->rss || !separated(th, rising)) continue;
        double df1 = (double)(6 - p), F = ((f->rss - rss) / df1) / (rss / (double)(s->n - 6));
        if (rss == 0 || gsl_cdf_fdist_Q(F, df1, (double)(s->n - 6)) < 0.01) return 1;
    }
    return 0;
}

static double total_ss(const series *s)
{
    double mean = 0, tss = 0;
    for (size_t i = 0; i < s->n; i++)
        mean += s->py[i] / (double)s->n;
    for (size_t i = 0; i < s->n; i++)
        tss += (s->py[i] - mean) * (s->py[i] - mean);
    return tss;
}

/* p-value of a model with p parameters and residual sum of squares rss against the
 * constant (the data's mean): the F-test of the extra sum of squares */
static double vs_constant(const series *s, double rss, size_t p)
{
    if (s->n <= p || isnan(rss)) return NAN;
    if (!(rss > 0)) return 0;
    double F = ((total_ss(s) - rss) / (double)(p - 1)) / (rss / (double)(s->n - p));
    return F > 0 ? gsl_cdf_fdist_Q(F, (double)(p - 1), (double)(s->n - p)) : 1;
}

/* Residual sum of squares of a parabola in log10 dose, the simplest curve that rises and
 * falls. */
static double parabola_rss(const series *s)
{
    gsl_matrix *X = gsl_matrix_alloc(s->n, 3), *cov = gsl_matrix_alloc(3, 3);
    gsl_vector *c = gsl_vector_alloc(3);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(s->n, 3);
    double rss = NAN;
    if (X && cov && c && w) {
        for (size_t i = 0; i < s->n; i++) {
            gsl_matrix_set(X, i, 0, 1);
            gsl_matrix_set(X, i, 1, s->px[i]);
            gsl_matrix_set(X, i, 2, s->px[i] * s->px[i]);
        }
        gsl_vector_const_view y = gsl_vector_const_view_array(s->py, s->n);
        if (gsl_multifit_linear(X, &y.vector, c, cov, &rss, w) != GSL_SUCCESS) rss = NAN;
    }
    if (w) gsl_multifit_linear_free(w);
    if (c) gsl_vector_free(c);
    if (cov) gsl_matrix_free(cov);
    if (X) gsl_matrix_free(X);
    return rss;
}

/* Residual sum of squares of a rise-and-fall curve (the two-step curve with steps of
 * opposite sign), started at the half-way points on either side of the extreme: tells a
 * reversal from noise. */
static double bell_rss(const series *s, int rising, const ilnet_hill_options *o)
{
    size_t imin, imax, m = s->m;
    extremes(s, &imin, &imax);
    size_t k = rising ? imax : imin, a = 0, b = m - 1;
    double h1 = 0.5 * (s->my[0] + s->my[k]), h2 = 0.5 * (s->my[m - 1] + s->my[k]);
    for (size_t i = 0; i <= k; i++)
        if (fabs(s->my[i] - h1) < fabs(s->my[a] - h1)) a = i;
    for (size_t i = k; i < m; i++)
        if (fabs(s->my[i] - h2) < fabs(s->my[b] - h2)) b = i;
    double th[6] = {s->my[0], s->my[k] - s->my[0], s->lx[a], s->my[m - 1] - s->my[k], s->lx[b], 2};
    return s->n > 6 ? two_step_fit(s, th, o) : NAN;
}

/* A reversal in the data is real when a curve that rises and falls fits significantly better
 * than the Hill curve (F-test of the extra sum of squares, p < 0.05), or a parabola in log
 * dose, with fewer parameters, fits better than it at all. */
static int real_reversal(const series *s, const ilnet_hill_fit *f, size_t p, int rising,
                         const ilnet_hill_options *o)
{
    double rp = parabola_rss(s);
    if (isfinite(rp) && rp < f->rss) return 1;
    double rb = bell_rss(s, rising, o);
    if (!isfinite(rb) || s->n <= 6 || !(rb < f->rss)) return 0;
    if (rb == 0) return 1;
    double df1 = (double)(6 - p), F = ((f->rss - rb) / df1) / (rb / (double)(s->n - 6));
    return gsl_cdf_fdist_Q(F, df1, (double)(s->n - 6)) < 0.05;
}

int ilnet_hill_assess(ilnet_hill_fit *f, const double *dose, const double *resp, size_t n,
                      const ilnet_hill_options *opts)
{
    ilnet_hill_options o = ILNET_HILL_OPTIONS_INIT;
    if (opts) o = *opts;
    series s;
    if (series_make(&s, dose, resp, n)) return ILNET_ENOMEM;
    size_t imin, imax;
    extremes(&s, &imin, &imax);
    int rising = f->top >= f->bottom;
    double half = 0.5 * (s.my[imin] + s.my[imax]);
    f->half_max_dose = pow(10.0, crossing(&s, half, rising));
    double dmin = pow(10.0, s.lx[0]), dmax = pow(10.0, s.lx[s.m - 1]);
    size_t p = 2 + !(f->fixed & ILNET_HILL_FIXED_BOTTOM) + !(f->fixed & ILNET_HILL_FIXED_TOP);
    /* flat: the Hill curve explains no more than the mean (p > 0.05); a reversal counts
     * when a rise-and-fall curve explains the data significantly better than the Hill
     * curve (F-test p < 0.05), or a parabola, with fewer parameters, better -- and, when the
     * Hill curve is flat, one of them better than a constant -- else it is noise */
    int flat = vs_constant(&s, f->rss, p) > 0.05;
    int rev = reverses(&s, rising) && real_reversal(&s, f, p, rising, &o) &&
              (!flat || vs_constant(&s, parabola_rss(&s), 3) < 0.05 ||
               vs_constant(&s, bell_rss(&s, rising, &o), 6) < 0.05);
    if (rev || (!flat && two_steps(&s, f, p, &o)))
        f->quality = ILNET_HILL_BIPHASIC;
    else if (flat)
        f->quality = ILNET_HILL_FLAT;
    else if (f->ec50 < dmin || f->ec50 > dmax)
        f->quality = ILNET_HILL_EC50_OUTSIDE_DOSES;
    else if (f->r2 < 0.9 || f->se_ec50 > f->ec50 || (n > p && !(f->se_ec50 <= f->ec50)))
        f->quality = ILNET_HILL_POOR_FIT;
    else
        f->quality = ILNET_HILL_OK;
    free(s.lx);
    return 0;
}

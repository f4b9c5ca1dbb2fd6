/* Sobol' indices of a saltelli sweep (design.c lays its points out in blocks A, B and
 * A_B^(i) of n base samples each), for every output time, stored column and parameter:
 *   V    = the variance of f over the 2n points of A and B
 *   S_i  = mean(f_B (f_AB(i) - f_A)) / V           first order (Saltelli et al. 2010)
 *   ST_i = mean((f_A - f_AB(i))^2) / 2 / V         total (Jansen 1999)
 * A base sample whose k + 2 points did not all succeed is left out; V = 0 gives NaN. */
#include "study_internal.h"

#include "../common/error.h"
#include "point.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    size_t m;              /* values per point: times x columns */
    int k;                 /* parameters */
    double *sum, *sum2;    /* [m] over A and B, of f - shift */
    double *shift;         /* [m] the first sample's f_A: sums stay small, no cancellation */
    double *first, *total; /* [m][k] numerators */
    double *buf;           /* [(k + 2)][m] one base sample's points */
    size_t used;
} sobol_acc;

static void acc_free(sobol_acc *a)
{
    free(a->sum);
    free(a->sum2);
    free(a->shift);
    free(a->buf);
}

static int acc_init(sobol_acc *a, size_t m, int k, double *first, double *total)
{
    memset(a, 0, sizeof *a);
    a->m = m, a->k = k, a->first = first, a->total = total;
    a->sum = calloc(m + 1, sizeof *a->sum);
    a->sum2 = calloc(m + 1, sizeof *a->sum2);
    a->shift = calloc(m + 1, sizeof *a->shift);
    a->buf = malloc(((size_t)(k + 2) * m + 1) * sizeof *a->buf);
    memset(first, 0, m * (size_t)k * sizeof *first);
    memset(total, 0, m * (size_t)k * sizeof *total);
    return a->sum && a->sum2 && a->shift && a->buf ? 0 : ilnet_error_oom();
}

/* Adds base sample j: its points j, n + j, (2 + i) n + j are in buf. */
static void acc_add(sobol_acc *a)
{
    size_t m = a->m;
    const double *fa = a->buf, *fb = a->buf + m;
    for (size_t v = 0; v < m; v++) {
        if (!a->used) a->shift[v] = fa[v];
        double ya = fa[v] - a->shift[v], yb = fb[v] - a->shift[v];
        a->sum[v] += ya + yb;
        a->sum2[v] += ya * ya + yb * yb;
        for (int i = 0; i < a->k; i++) {
            double fab = a->buf[(size_t)(2 + i) * m + v], d = fa[v] - fab;
            a->first[v * (size_t)a->k + (size_t)i] += fb[v] * (fab - fa[v]);
            a->total[v * (size_t)a->k + (size_t)i] += d * d;
        }
    }
    a->used++;
}

static void acc_finish(sobol_acc *a)
{
    double n = (double)a->used;
    for (size_t v = 0; v < a->m; v++) {
        double mean = a->sum[v] / (2 * n), var = a->sum2[v] / (2 * n) - mean * mean;
        int ok =
            a->used > 0 && var > 1e-14 * ((mean + a->shift[v]) * (mean + a->shift[v])) && var > 0;
        for (int i = 0; i < a->k; i++) {
            size_t c = v * (size_t)a->k + (size_t)i;
            a->first[c] = ok ? a->first[c] / n / var : NAN;
            a->total[c] = ok ? a->total[c] / n / 2 / var : NAN;
        }
    }
}

int ilnet_study_sobol(ilnet_study *S, int g, double *first, double *total, size_t *used)
{
    const ilnet_study_exp *x = &S->x[g];
    int k = x->pts.n_vars;
    size_t n = (size_t)x->e->n_samples, m = x->n_times * (size_t)S->n_obs;
    sobol_acc a;
    int rc = acc_init(&a, m, k, first, total);
    for (size_t j = 0; !rc && j < n; j++) {
        int ok = 1;
        for (int b = 0; b < k + 2 && ok; b++)
            ok = x->status[(size_t)b * n + j] == ILNET_POINT_OK;
        for (int b = 0; b < k + 2 && ok && !rc; b++)
            rc = S->store->read_observables(S->h, g, (size_t)b * n + j, a.buf + (size_t)b * m);
        if (ok && !rc) acc_add(&a);
    }
    if (!rc) acc_finish(&a);
    *used = a.used;
    acc_free(&a);
    return rc;
}

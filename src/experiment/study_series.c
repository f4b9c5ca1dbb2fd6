/* Dose-response readouts that aggregate over a series' doses (series_expr.h), evaluated after
 * the last point from their operands' stored columns: every operand is reduced per point
 * like the readout (its value at the readout's time, its peak or its integral); each
 * aggregate takes its argument's reduced values over the series' doses; the skeleton is then
 * evaluated once per point on the reduced operands and the aggregates. So with integral:
 * true, (x - min_over_doses(x)) / (max_over_doses(x) - min_over_doses(x)) maps the integrals
 * of x onto [0, 1], as normalise: range does. */
#include "study_internal.h"

#include "../common/error.h"
#include "point.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double ilnet_study_reduce(const ilnet_study_exp *x, int k, const double *v, size_t stride)
{
    if (x->readout_kind[k] == ILNET_READOUT_AT) return v[x->readout_row[k] * stride];
    int peak = x->readout_kind[k] == ILNET_READOUT_PEAK;
    double acc = peak ? -INFINITY : 0;
    for (size_t r = 0; r < x->n_times; r++) {
        double y = v[r * stride];
        if (peak)
            acc = y > acc ? y : acc;
        else if (r > 0)
            acc += 0.5 * (x->times[r] - x->times[r - 1]) * (y + v[(r - 1) * stride]);
    }
    return acc;
}

typedef struct {
    const ilnet_series_expr *s; /* NULL: not a series readout */
    ilnet_expr *f;
    int *cols;  /* each operand's stored column */
    size_t off; /* its aggregates' place in a point's row of argument values */
} series_fn;

typedef struct {
    series_fn *fn; /* per readout */
    size_t n_args; /* aggregates over all readouts */
    double *args;  /* [point][n_args]: reduced arguments, then [series][n_args]: constants */
    double *obs, *vars;
} series_work;

static void work_free(series_work *w, int nr)
{
    for (int k = 0; w->fn && k < nr; k++) {
        ilnet_expr_free(w->fn[k].f);
        free(w->fn[k].cols);
    }
    free(w->fn);
    free(w->args);
    free(w->obs);
    free(w->vars);
}

static int column_of(const ilnet_study *S, const char *operand)
{
    char *name = ilnet_series_operand_column(operand);
    int col = -1;
    for (int j = 0; name && j < S->n_obs && col < 0; j++)
        if (!strcmp(S->obs_names[j], name)) col = j;
    free(name);
    return col;
}

/* Each series readout's compiled skeleton and operand columns. */
static int work_init(series_work *w, const ilnet_study *S, const ilnet_study_exp *x)
{
    int nr = x->n_readouts, most = 0;
    if (!(w->fn = calloc((size_t)nr, sizeof *w->fn))) return ilnet_error_oom();
    for (int k = 0; k < nr; k++) {
        series_fn *fn = &w->fn[k];
        const ilnet_series_expr *s = x->e->readouts[x->readout_spec[k]].series;
        if (!(fn->s = s)) continue;
        int rc = ilnet_series_expr_compile(&fn->f, s);
        if (rc) return rc;
        if (!(fn->cols = calloc((size_t)s->n_operands + 1, sizeof *fn->cols)))
            return ilnet_error_oom();
        for (int j = 0; j < s->n_operands; j++)
            if ((fn->cols[j] = column_of(S, s->operands[j])) < 0)
                return ilnet_error_set(ILNET_EINPUT, "readout '%s': operand '%s' was not stored",
                                       x->readout_names[k], s->operands[j]);
        fn->off = w->n_args;
        w->n_args += (size_t)s->n_aggs;
        most = s->n_operands + s->n_aggs > most ? s->n_operands + s->n_aggs : most;
    }
    size_t rows = x->pts.n_points + (size_t)x->e->n_series;
    w->args = malloc((rows * w->n_args + 1) * sizeof *w->args);
    w->obs = malloc((x->n_times * (size_t)S->n_obs + 1) * sizeof *w->obs);
    w->vars = malloc(((size_t)most + 1) * sizeof *w->vars);
    return w->args && w->obs && w->vars ? 0 : ilnet_error_oom();
}

/* The per-series constants: the largest (smallest) finite argument over the doses. */
static void constants(series_work *w, const ilnet_study_exp *x)
{
    int nd = x->e->n_doses, nr = x->n_readouts;
    double *c = w->args + x->pts.n_points * w->n_args;
    for (int k = 0; k < nr; k++)
        for (int i = 0; w->fn[k].s && i < w->fn[k].s->n_aggs; i++)
            for (int s = 0; s < x->e->n_series; s++) {
                int max = w->fn[k].s->agg_kind[i] == ILNET_OVER_DOSES_MAX;
                double acc = NAN;
                for (int d = 0; d < nd; d++) {
                    size_t p = (size_t)s * nd + d;
                    double v = w->args[p * w->n_args + w->fn[k].off + i];
                    if (x->status[p] == ILNET_POINT_OK && isfinite(v))
                        acc = isnan(acc) ? v : max ? fmax(acc, v) : fmin(acc, v);
                }
                c[(size_t)s * w->n_args + w->fn[k].off + i] = acc;
            }
}

/* Point p's value of series readout k: the skeleton on the reduced operands and its
 * series' constants. */
static double value(series_work *w, const ilnet_study *S, const ilnet_study_exp *x, int k, size_t p)
{
    const series_fn *fn = &w->fn[k];
    int no = fn->s->n_operands, s = (int)(p / (size_t)x->e->n_doses);
    const double *c = w->args + (x->pts.n_points + (size_t)s) * w->n_args + fn->off;
    for (int i = 0; i < fn->s->n_aggs; i++)
        w->vars[no + i] = c[i];
    for (int j = 0; j < no; j++)
        w->vars[j] = ilnet_study_reduce(x, k, w->obs + fn->cols[j], (size_t)S->n_obs);
    return ilnet_expr_eval(fn->f, w->vars);
}

int ilnet_study_series_readouts(ilnet_study *S, int g, double *resp)
{
    const ilnet_study_exp *x = &S->x[g];
    int nr = x->n_readouts, any = 0, rc;
    for (int k = 0; k < nr; k++)
        any |= x->e->readouts[x->readout_spec[k]].series != NULL;
    if (!any) return 0;
    series_work w = {0};
    if ((rc = work_init(&w, S, x))) goto out;
    for (size_t p = 0; !rc && p < x->pts.n_points; p++) {
        if (x->status[p] != ILNET_POINT_OK || (rc = S->store->read_observables(S->h, g, p, w.obs)))
            continue;
        for (int k = 0; k < nr; k++)
            for (int i = 0; w.fn[k].s && i < w.fn[k].s->n_aggs; i++) {
                int col = w.fn[k].cols[w.fn[k].s->agg_operand[i]];
                w.args[p * w.n_args + w.fn[k].off + i] =
                    ilnet_study_reduce(x, k, w.obs + col, (size_t)S->n_obs);
            }
    }
    if (!rc) constants(&w, x);
    for (size_t p = 0; !rc && p < x->pts.n_points; p++) {
        if (x->status[p] != ILNET_POINT_OK || (rc = S->store->read_observables(S->h, g, p, w.obs)))
            continue;
        for (int k = 0; k < nr; k++)
            if (w.fn[k].s) resp[p * nr + k] = value(&w, S, x, k, p);
    }
out:
    work_free(&w, nr);
    return rc;
}

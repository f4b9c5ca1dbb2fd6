#include "design.h"

#include "../common/error.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void ilnet_design_free(ilnet_design_points *d)
{
    free(d->names);
    free(d->values);
    memset(d, 0, sizeof *d);
}

/* u in [0, 1) to the parameter's range. */
static double scale(const ilnet_config_sweep_param *p, double u)
{
    if (p->log) return pow(10, log10(p->min) + u * (log10(p->max) - log10(p->min)));
    return p->min + u * (p->max - p->min);
}

int ilnet_lhs_unit(double *u, size_t n, int dim, unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t *perm = malloc((n + 1) * sizeof *perm);
    if (!r || !perm) {
        if (r) gsl_rng_free(r);
        free(perm);
        return ilnet_error_oom();
    }
    gsl_rng_set(r, seed);
    for (int j = 0; j < dim; j++) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(r, perm, n, sizeof *perm);
        for (size_t i = 0; i < n; i++)
            u[i * (size_t)dim + (size_t)j] = ((double)perm[i] + gsl_rng_uniform(r)) / (double)n;
    }
    gsl_rng_free(r);
    free(perm);
    return 0;
}

static int lhs(ilnet_design_points *d, const ilnet_config_experiment *e)
{
    int rc = ilnet_lhs_unit(d->values, d->n_points, d->n_vars, e->seed);
    for (size_t i = 0; !rc && i < d->n_points; i++)
        for (int j = 0; j < d->n_vars; j++)
            d->values[i * d->n_vars + j] = scale(&e->sweep[j], d->values[i * d->n_vars + j]);
    return rc;
}

static int sobol(ilnet_design_points *d, const ilnet_config_experiment *e)
{
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)d->n_vars);
    double u[40];
    if (!q) return ilnet_error_oom();
    for (size_t i = 0; i < d->n_points; i++) {
        if (gsl_qrng_get(q, u)) {
            gsl_qrng_free(q);
            return ilnet_error_set(ILNET_EINTERNAL, "%s: Sobol generator failed", e->path);
        }
        for (int j = 0; j < d->n_vars; j++)
            d->values[i * d->n_vars + j] = scale(&e->sweep[j], u[j]);
    }
    gsl_qrng_free(q);
    return 0;
}

/* Saltelli's sampling for Sobol' indices: n base samples of 2k dimensions from GSL's Sobol
 * sequence, randomised by a seeded digital shift (each coordinate's 32-bit expansion XORed
 * with a random word per dimension, mt19937 seeded with the experiment's seed: the points
 * keep their net structure, and another seed gives an independent replicate). The first k
 * coordinates form matrix A, the last k matrix B; points are A (n), B (n), then for each
 * parameter i the block A_B^(i): A with column i taken from B. */
static int saltelli(ilnet_design_points *d, const ilnet_config_experiment *e)
{
    int k = d->n_vars;
    size_t n = (size_t)e->n_samples;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (!q || !r) {
        if (q) gsl_qrng_free(q);
        if (r) gsl_rng_free(r);
        return ilnet_error_oom();
    }
    gsl_rng_set(r, e->seed);
    unsigned long shift[40];
    for (int j = 0; j < 2 * k; j++)
        shift[j] = gsl_rng_get(r) & 0xffffffffUL;
    int rc = 0;
    double u[40];
    for (size_t s = 0; s < n && !rc; s++) {
        if (gsl_qrng_get(q, u)) {
            rc = ilnet_error_set(ILNET_EINTERNAL, "%s: Sobol generator failed", e->path);
            break;
        }
        for (int j = 0; j < 2 * k; j++) {
            unsigned long x = ((unsigned long)(u[j] * 4294967296.0) & 0xffffffffUL) ^ shift[j];
            u[j] = ((double)x + 0.5) / 4294967296.0;
        }
        for (int i = 0; i < k + 2; i++) { /* block i: A, B, then A_B^(i - 2) */
            double *row = d->values + ((size_t)i * n + s) * (size_t)k;
            for (int j = 0; j < k; j++) {
                int from_b = i == 1 || (i >= 2 && j == i - 2);
                row[j] = scale(&e->sweep[j], u[from_b ? k + j : j]);
            }
        }
    }
    gsl_qrng_free(q);
    gsl_rng_free(r);
    return rc;
}

double ilnet_design_count(const ilnet_config_experiment *e)
{
    double n = 1;
    switch (e->type) {
    case ILNET_EXP_TIMECOURSE:
        break;
    case ILNET_EXP_DOSE:
        n = (double)e->n_series * (double)e->n_doses;
        break;
    case ILNET_EXP_SWEEP:
        if (e->design == ILNET_DESIGN_GRID)
            for (int j = 0; j < e->n_sweep; j++)
                n *= (double)e->sweep[j].n_values;
        else if (e->design == ILNET_DESIGN_ZIP || e->design == ILNET_DESIGN_FILE)
            n = (double)e->sweep[0].n_values;
        else if (e->design == ILNET_DESIGN_SALTELLI)
            n = (double)e->n_samples * (double)(e->n_sweep + 2);
        else
            n = (double)e->n_samples;
        break;
    }
    return n;
}

int ilnet_design_expand(ilnet_design_points *d, const ilnet_config_experiment *e)
{
    memset(d, 0, sizeof *d);
    double count = ilnet_design_count(e);
    if (count > 1e12)
        return ilnet_error_set(ILNET_EINPUT, "%s: %.3g points is more than any study can hold",
                               e->path, count);
    size_t n = (size_t)count;
    int nv = e->type == ILNET_EXP_DOSE ? 1 : e->type == ILNET_EXP_SWEEP ? e->n_sweep : 0;
    d->n_points = n;
    d->n_vars = nv;
    d->names = calloc(nv ? nv : 1, sizeof *d->names);
    d->values = calloc(n * (nv ? nv : 1), sizeof *d->values);
    if (!d->names || !d->values) {
        ilnet_design_free(d);
        return ilnet_error_set(ILNET_ENOMEM, "%s: out of memory for %zu points", e->path, n);
    }
    if (e->type == ILNET_EXP_DOSE) {
        d->names[0] = e->dose_name;
        for (size_t i = 0; i < n; i++)
            d->values[i] = e->doses[i % (size_t)e->n_doses];
        return 0;
    }
    for (int j = 0; j < nv; j++)
        d->names[j] = e->sweep[j].name;
    int rc = 0;
    if (e->type == ILNET_EXP_SWEEP) {
        if (e->design == ILNET_DESIGN_GRID) {
            for (size_t i = 0; i < n; i++) {
                size_t rest = i;
                for (int j = nv - 1; j >= 0; j--) {
                    size_t m = (size_t)e->sweep[j].n_values;
                    d->values[i * nv + j] = e->sweep[j].values[rest % m];
                    rest /= m;
                }
            }
        } else if (e->design == ILNET_DESIGN_ZIP || e->design == ILNET_DESIGN_FILE) {
            for (size_t i = 0; i < n; i++)
                for (int j = 0; j < nv; j++)
                    d->values[i * nv + j] = e->sweep[j].values[i];
        } else {
            rc = e->design == ILNET_DESIGN_LHS        ? lhs(d, e)
                 : e->design == ILNET_DESIGN_SALTELLI ? saltelli(d, e)
                                                      : sobol(d, e);
        }
    }
    if (rc) ilnet_design_free(d);
    return rc;
}

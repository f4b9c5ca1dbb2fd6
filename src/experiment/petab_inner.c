/* Hierarchical optimisation of observation parameters (docs/petab.md): parameters marked
 * `parameterType` scaling, offset or sigma in the parameter table (pyPESTO's convention) are
 * not searched by the optimiser but computed in closed form at every evaluation, as the
 * values that maximise the likelihood for the current simulations:
 *
 *   observable = s * X + b (s, b inner, X the rest of the formula), noise sigma inner,
 *   normal noise on a linear scale:
 *   (s, b) = weighted least squares of the data on X (weights 1 / sigma^2), then
 *   sigma^2 = mean squared residual of its measurements, alternating until both settle.
 *
 * The simulations are run once with s = 1, b = 0, sigma = 1 (so each simulated value is X
 * and each residual's Jacobian row is -dX/dtheta); the optimum is then inserted and the
 * llh, residuals and gradient are recomputed. The gradient of the llh maximised over the
 * inner parameters is its partial gradient at their optimum (the envelope theorem), so the
 * outer optimiser sees a smaller problem with the same optimum. */
#include "../common/error.h"
#include "petab_internal.h"

#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *kind_name(int k)
{
    return k == PETAB_INNER_SCALING ? "scaling" : k == PETAB_INNER_OFFSET ? "offset" : "sigma";
}

/* ---- checks at load ---- */

/* formula variables filled with reproducible values in [0.5, 2] */
static void fill(double *fv, size_t n, unsigned *seed)
{
    for (size_t i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        fv[i] = 0.5 + 1.5 * ((*seed >> 8) & 0xffff) / 65535.0;
    }
}

static int near(double a, double b)
{
    return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b) + 1);
}

/* 1 when obs(s, b) = s X + b for the placeholders ks, kb (-1: absent) at random values */
static int affine(const ilnet_expr *e, double *fv, size_t n, size_t base, int ks, int kb)
{
    unsigned seed = 7;
    static const double sb[3][2] = {{0.3, 0.7}, {2.5, -1.1}, {0, 0.4}};
    for (int draw = 0; draw < 3; draw++) {
        fill(fv, n, &seed);
        if (ks >= 0) fv[base + (size_t)ks] = 1;
        if (kb >= 0) fv[base + (size_t)kb] = 0;
        double X = ilnet_expr_eval(e, fv);
        for (int q = 0; q < 3; q++) {
            double s = ks >= 0 ? sb[q][0] : 1, b = kb >= 0 ? sb[q][1] : 0;
            if (ks >= 0) fv[base + (size_t)ks] = s;
            if (kb >= 0) fv[base + (size_t)kb] = b;
            if (!near(ilnet_expr_eval(e, fv), s * X + b)) return 0;
        }
    }
    return 1;
}

/* 1 when noise(sigma) = sigma for the noise placeholder k */
static int identity(const ilnet_expr *e, double *fv, size_t n, size_t at)
{
    unsigned seed = 11;
    for (int draw = 0; draw < 3; draw++) {
        fill(fv, n, &seed);
        for (double v = 0.7; v < 3; v += 1.2) {
            fv[at] = v;
            if (!near(ilnet_expr_eval(e, fv), v)) return 0;
        }
    }
    return 1;
}

/* 1 when the noise of m depends on nothing estimated: the formula reads no model symbol,
 * no estimated parameter and no observable placeholder, its placeholders are fixed */
static int fixed_noise(const ilnet_petab *p, const petab_measurement *m, const ilnet_expr *e)
{
    for (size_t q = 0; q < ilnet_expr_var_count(e); q++) {
        size_t v = (size_t)ilnet_expr_var(e, q);
        if (v < p->n_sym) return 0;
        if (v < p->n_sym + p->n_par && p->par[v - p->n_sym].estimate) return 0;
        if (v >= p->n_sym + p->n_par && v < p->n_sym + p->n_par + PETAB_MAX_PLACEHOLDERS) return 0;
    }
    for (int k = 0; k < m->n_noise_par; k++)
        if (m->noise_par[k].par >= 0 && p->par[m->noise_par[k].par].estimate) return 0;
    return 1;
}

static int meas_error(const ilnet_petab *p, const petab_measurement *m, const char *column,
                      const char *id, const char *why)
{
    return petab_error(p->meas_file, m->line, column, id, "%s", why);
}

/* the inner parameters of measurement i into p->inner_*[i]; checks their forms */
static int measurement(ilnet_petab *p, size_t i, const ilnet_expr *obs, const ilnet_expr *noise,
                       double *fv, size_t nf)
{
    const petab_measurement *m = &p->meas[i];
    const petab_observable *o = &p->obs[m->obs];
    size_t base = p->n_sym + p->n_par;
    int ks = -1, kb = -1, kn = -1;
    for (int k = 0; k < m->n_obs_par; k++) {
        int j = m->obs_par[k].par;
        if (j < 0 || !p->par[j].inner) continue;
        int kind = p->par[j].inner;
        if (kind == PETAB_INNER_SIGMA || (kind == PETAB_INNER_SCALING ? ks : kb) >= 0)
            return meas_error(p, m, "observableParameters", p->par[j].id,
                              kind == PETAB_INNER_SIGMA
                                  ? "a sigma parameter cannot be an observable parameter"
                                  : "a second inner parameter of the same kind");
        if (kind == PETAB_INNER_SCALING)
            ks = k, p->inner_s[i] = j;
        else
            kb = k, p->inner_b[i] = j;
    }
    for (int k = 0; k < m->n_noise_par; k++) {
        int j = m->noise_par[k].par;
        if (j < 0 || !p->par[j].inner) continue;
        if (p->par[j].inner != PETAB_INNER_SIGMA || kn >= 0)
            return meas_error(p, m, "noiseParameters", p->par[j].id,
                              "only one sigma parameter can be a noise parameter");
        kn = k, p->inner_sig[i] = j;
    }
    if (ks < 0 && kb < 0 && kn < 0) return 0;
    const char *pid = p->par[ks >= 0   ? p->inner_s[i]
                             : kb >= 0 ? p->inner_b[i]
                                       : p->inner_sig[i]]
                          .id;
    if (o->transform != PETAB_LIN || o->dist != PETAB_NORMAL)
        return meas_error(p, m, "observableId", pid,
                          "inner (hierarchical) parameters need a linear observable with normal "
                          "noise");
    if ((ks >= 0 || kb >= 0) && !affine(obs, fv, nf, base, ks, kb))
        return meas_error(p, m, "observableParameters", pid,
                          "the observable formula is not scaling * X + offset in it");
    if (kn >= 0 && !identity(noise, fv, nf, base + PETAB_MAX_PLACEHOLDERS + (size_t)kn))
        return meas_error(p, m, "noiseParameters", pid,
                          "the noise formula must be the sigma parameter itself");
    if (kn < 0 && !fixed_noise(p, m, noise))
        return meas_error(p, m, "noiseParameters", pid,
                          "with inner scaling or offset, the noise must be an inner sigma or "
                          "fixed (not estimated, not read from the model)");
    return 0;
}

/* no inner parameter in a condition cell or named in a formula */
static int not_elsewhere(const ilnet_petab *p, const ilnet_expr *const *f, size_t n_f)
{
    for (size_t c = 0; c < p->n_cond; c++)
        for (size_t k = 0; k < p->n_col; k++) {
            int j = p->cond[c * p->n_col + k].par;
            if (j >= 0 && p->par[j].inner)
                return petab_error(p->cond_file, p->cond_line ? p->cond_line[c] : 0, p->col[k].id,
                                   p->par[j].id,
                                   "an inner (%s) parameter can only be a measurement's "
                                   "observable or noise parameter",
                                   kind_name(p->par[j].inner));
        }
    for (size_t q = 0; q < n_f; q++)
        for (size_t v = 0; v < ilnet_expr_var_count(f[q]); v++) {
            size_t j = (size_t)ilnet_expr_var(f[q], v) - p->n_sym;
            if (j < p->n_par && p->par[j].inner)
                return petab_error(p->obs_file, p->obs[q / 2].line,
                                   q % 2 ? "noiseFormula" : "observableFormula", p->par[j].id,
                                   "an inner (%s) parameter can only enter through a "
                                   "placeholder",
                                   kind_name(p->par[j].inner));
        }
    return 0;
}

static int check_parameters(const ilnet_petab *p)
{
    for (size_t j = 0; j < p->n_par; j++) {
        const petab_parameter *q = &p->par[j];
        if (!q->inner) continue;
        const char *why = !q->estimate ? "must be estimated"
                          : q->prior   ? "cannot have a prior"
                          : q->inner == PETAB_INNER_SIGMA && !(q->lower > 0)
                              ? "needs a positive lower bound"
                              : NULL;
        if (why)
            return petab_error(p->par_file, q->line, "parameterType", q->id,
                               "an inner (%s) parameter %s", kind_name(q->inner), why);
    }
    return 0;
}

int petab_inner_check(ilnet_petab *p)
{
    p->n_inner = 0;
    for (size_t j = 0; j < p->n_par; j++)
        p->n_inner += p->par[j].inner != 0;
    if (!p->n_inner) return 0;
    int rc = check_parameters(p);
    size_t nf = petab_formula_var_count(p), n_f = 2 * p->n_obs;
    ilnet_expr **f = calloc(n_f + 1, sizeof *f);
    double *fv = calloc(nf + 1, sizeof *fv);
    p->inner_s = malloc((p->n_meas + 1) * sizeof *p->inner_s);
    p->inner_b = malloc((p->n_meas + 1) * sizeof *p->inner_b);
    p->inner_sig = malloc((p->n_meas + 1) * sizeof *p->inner_sig);
    if (!rc && (!f || !fv || !p->inner_s || !p->inner_b || !p->inner_sig)) rc = ilnet_error_oom();
    for (size_t q = 0; q < n_f && !rc; q++)
        rc = petab_formula_compile(p, (int)(q / 2),
                                   q % 2 ? p->obs[q / 2].noise : p->obs[q / 2].formula, &f[q]);
    if (!rc) rc = not_elsewhere(p, (const ilnet_expr *const *)f, n_f);
    for (size_t i = 0; i < p->n_meas && !rc; i++) {
        p->inner_s[i] = p->inner_b[i] = p->inner_sig[i] = -1;
        int o = p->meas[i].obs;
        rc = measurement(p, i, f[2 * o], f[2 * o + 1], fv, nf);
    }
    for (size_t q = 0; f && q < n_f; q++)
        ilnet_expr_free(f[q]);
    free(f);
    free(fv);
    return rc;
}

/* ---- the inner problem ---- */

typedef struct {
    const ilnet_petab *p;
    const double *X, *y; /* per measurement: the formula's rest, the datum */
    double *sig;         /* per measurement: sigma (inner ones updated) */
    double *x;           /* linear values of every parameter (inner ones updated) */
    int *col;            /* per parameter: its unknown in the (s, b) system, or -1 */
    int *fixed, *active; /* per unknown: held at a bound; solved in this round */
    size_t nu;
    double *ss; /* per parameter: sum of squared residuals (sigmas) */
    size_t *cnt;
    gsl_matrix *N, *V; /* nu x nu: normal equations, SVD workspace */
    gsl_vector *c, *S, *u, *w;
} inner;

/* the residual y - s X - b of measurement i at the current values */
static double resid(const inner *I, size_t i)
{
    const ilnet_petab *p = I->p;
    double s = p->inner_s[i] >= 0 ? I->x[p->inner_s[i]] : 1;
    double b = p->inner_b[i] >= 0 ? I->x[p->inner_b[i]] : 0;
    return I->y[i] - s * I->X[i] - b;
}

/* the weighted normal equations of the free (s, b) unknowns, the fixed ones at their values */
static void normal_equations(inner *I)
{
    const ilnet_petab *p = I->p;
    gsl_matrix_set_zero(I->N);
    gsl_vector_set_zero(I->c);
    for (size_t i = 0; i < p->n_meas; i++) {
        int js = p->inner_s[i], jb = p->inner_b[i];
        if (js < 0 && jb < 0) continue;
        int a[2] = {js >= 0 ? I->col[js] : -1, jb >= 0 ? I->col[jb] : -1};
        double v[2] = {I->X[i], 1}, wt = 1 / (I->sig[i] * I->sig[i]);
        double t = I->y[i] - (js < 0 ? I->X[i] : 0); /* what the free unknowns must explain */
        for (int q = 0; q < 2; q++)
            if (a[q] >= 0 && I->fixed[a[q]]) t -= v[q] * I->x[q ? jb : js], a[q] = -1;
        for (int q = 0; q < 2; q++) {
            if (a[q] < 0) continue;
            *gsl_vector_ptr(I->c, (size_t)a[q]) += wt * v[q] * t;
            for (int r = 0; r < 2; r++)
                if (a[r] >= 0)
                    *gsl_matrix_ptr(I->N, (size_t)a[q], (size_t)a[r]) += wt * v[q] * v[r];
        }
    }
}

/* one least-squares solve of the free unknowns (SVD, the minimum-norm solution along
 * singular directions); fixed and unused unknowns get identity rows and keep their values */
static int solve_sb(inner *I)
{
    const ilnet_petab *p = I->p;
    size_t n = I->nu;
    normal_equations(I);
    for (size_t k = 0; k < n; k++) {
        I->active[k] = !I->fixed[k] && gsl_matrix_get(I->N, k, k) != 0;
        if (I->active[k]) continue;
        for (size_t l = 0; l < n; l++)
            gsl_matrix_set(I->N, k, l, 0), gsl_matrix_set(I->N, l, k, 0);
        gsl_matrix_set(I->N, k, k, 1);
        gsl_vector_set(I->c, k, 0);
    }
    int rc = gsl_linalg_SV_decomp(I->N, I->V, I->S, I->w);
    double smax = gsl_vector_get(I->S, 0);
    for (size_t k = 0; k < n; k++)
        if (gsl_vector_get(I->S, k) < 1e-12 * smax) gsl_vector_set(I->S, k, 0);
    if (!rc) rc = gsl_linalg_SV_solve(I->N, I->V, I->S, I->c, I->u);
    for (size_t j = 0; !rc && j < p->n_par; j++)
        if (I->col[j] >= 0 && I->active[I->col[j]])
            I->x[j] = gsl_vector_get(I->u, (size_t)I->col[j]);
    return rc ? ilnet_error_set(ILNET_ESOLVER, "inner least squares: %s", gsl_strerror(rc)) : 0;
}

/* (s, b) within their bounds: an unknown outside is held at the bound, the others solved
 * again (as often as there are unknowns) */
static int solve_bounded(inner *I)
{
    const ilnet_petab *p = I->p;
    memset(I->fixed, 0, I->nu * sizeof *I->fixed);
    for (size_t round = 0; round <= I->nu; round++) {
        int rc = solve_sb(I), moved = 0;
        if (rc) return rc;
        for (size_t j = 0; j < p->n_par; j++) {
            int k = I->col[j];
            if (k < 0 || I->fixed[k]) continue;
            double lo = p->par[j].lower, hi = p->par[j].upper;
            if (I->x[j] < lo || I->x[j] > hi) {
                I->x[j] = I->x[j] < lo ? lo : hi;
                I->fixed[k] = 1, moved = 1;
            }
        }
        if (!moved) return 0;
    }
    return 0;
}

/* each inner sigma: the root mean squared residual of its measurements, within bounds;
 * returns the largest relative change */
static double update_sigmas(inner *I)
{
    const ilnet_petab *p = I->p;
    memset(I->ss, 0, p->n_par * sizeof *I->ss);
    memset(I->cnt, 0, p->n_par * sizeof *I->cnt);
    for (size_t i = 0; i < p->n_meas; i++) {
        int j = p->inner_sig[i];
        if (j < 0) continue;
        double e = resid(I, i);
        I->ss[j] += e * e, I->cnt[j]++;
    }
    double change = 0;
    for (size_t j = 0; j < p->n_par; j++) {
        if (p->par[j].inner != PETAB_INNER_SIGMA || !I->cnt[j]) continue;
        double s = sqrt(I->ss[j] / (double)I->cnt[j]);
        s = s < p->par[j].lower ? p->par[j].lower : s > p->par[j].upper ? p->par[j].upper : s;
        change = fmax(change, fabs(s - I->x[j]) / s);
        I->x[j] = s;
    }
    for (size_t i = 0; i < p->n_meas; i++)
        if (p->inner_sig[i] >= 0) I->sig[i] = I->x[p->inner_sig[i]];
    return change;
}

/* sigmas from 1, then (s, b) and sigma alternately until the sigmas settle (one round when
 * every (s, b) group has one sigma) */
static int solve_inner(inner *I)
{
    const ilnet_petab *p = I->p;
    for (size_t j = 0; j < p->n_par; j++)
        if (p->par[j].inner == PETAB_INNER_SIGMA) I->x[j] = 1;
    for (int it = 0; it < 500; it++) {
        int rc = I->nu ? solve_bounded(I) : 0;
        if (rc) return rc;
        if (update_sigmas(I) < 1e-13) return 0;
    }
    return 0;
}

static int inner_alloc(inner *I, size_t np)
{
    I->col = malloc((np + 1) * sizeof *I->col);
    I->fixed = calloc(np + 1, sizeof *I->fixed);
    I->active = calloc(np + 1, sizeof *I->active);
    I->ss = malloc((np + 1) * sizeof *I->ss);
    I->cnt = malloc((np + 1) * sizeof *I->cnt);
    if (!I->col || !I->fixed || !I->active || !I->ss || !I->cnt) return ilnet_error_oom();
    for (size_t j = 0; j < np; j++) {
        int k = I->p->par[j].inner;
        I->col[j] = k == PETAB_INNER_SCALING || k == PETAB_INNER_OFFSET ? (int)I->nu++ : -1;
    }
    if (!I->nu) return 0;
    I->N = gsl_matrix_alloc(I->nu, I->nu), I->V = gsl_matrix_alloc(I->nu, I->nu);
    I->c = gsl_vector_alloc(I->nu), I->S = gsl_vector_alloc(I->nu);
    I->u = gsl_vector_alloc(I->nu), I->w = gsl_vector_alloc(I->nu);
    return I->N && I->V && I->c && I->S && I->u && I->w ? 0 : ilnet_error_oom();
}

static void inner_free(inner *I)
{
    free(I->col), free(I->fixed), free(I->active), free(I->ss), free(I->cnt);
    gsl_matrix_free(I->N), gsl_matrix_free(I->V);
    gsl_vector_free(I->c), gsl_vector_free(I->S), gsl_vector_free(I->u), gsl_vector_free(I->w);
}

/* the residuals, llh and gradient at the inner optimum, from the reference run's */
static void recompute(ilnet_petab_result *r, const ilnet_petab *p, const inner *I,
                      const double *sig1, const double *res1)
{
    size_t np = p->n_par;
    r->llh = r->chi2 = 0;
    for (size_t i = 0; i < p->n_meas; i++) {
        const petab_measurement *m = &p->meas[i];
        int hier = p->inner_s[i] >= 0 || p->inner_b[i] >= 0 || p->inner_sig[i] >= 0;
        if (hier) {
            double s = p->inner_s[i] >= 0 ? I->x[p->inner_s[i]] : 1;
            r->sim[i] = I->y[i] - resid(I, i);
            r->sigma[i] = I->sig[i];
            double rn = (I->y[i] - r->sim[i]) / r->sigma[i], f = s * sig1[i] / r->sigma[i];
            if (r->residual) r->residual[i] = rn;
            for (size_t j = 0; r->grad && r->res_jac && j < np; j++) {
                double *J = r->res_jac + i * np;
                r->grad[j] += (res1[i] - rn * f) * J[j];
                J[j] *= f;
                if (p->inner_sig[i] >= 0) r->logsig_jac[i * np + j] = 0;
            }
        }
        petab_likelihood_add(p, m, r->sim[i], r->sigma[i], r);
    }
    for (size_t j = 0; j < np; j++) {
        if (!p->par[j].inner) continue;
        if (r->grad) r->grad[j] = r->prior_grad[j] = 0;
        for (size_t i = 0; r->res_jac && i < p->n_meas; i++)
            r->res_jac[i * np + j] = r->logsig_jac[i * np + j] = 0;
    }
}

int ilnet_petab_evaluate_inner(ilnet_petab_result *r, ilnet_petab *const *ps, int n_threads,
                               double *x, double atol, double rtol, int what)
{
    const ilnet_petab *p = ps[0];
    if (!p->n_inner) return ilnet_petab_evaluate_parallel(r, ps, n_threads, x, atol, rtol, what);
    size_t np = p->n_par, nm = p->n_meas;
    for (size_t j = 0; j < np; j++)
        if (p->par[j].inner) x[j] = p->par[j].inner == PETAB_INNER_OFFSET ? 0 : 1;
    /* adjoint: the inner optimum from simulations alone, then the gradient at it (the
     * envelope theorem) by the adjoint method, without the residuals' Jacobian */
    int adjoint = (what & ILNET_PETAB_ADJOINT) && (what & ILNET_PETAB_GRADIENT) &&
                  !(what & ILNET_PETAB_RESIDUALS);
    int w = adjoint ? 0 : what | (what & ILNET_PETAB_GRADIENT ? ILNET_PETAB_RESIDUALS : 0);
    int rc = ilnet_petab_evaluate_parallel(r, ps, n_threads, x, atol, rtol, w);
    if (rc) return rc;
    double *X = malloc((nm + 1) * sizeof *X), *y = malloc((nm + 1) * sizeof *y);
    double *sig = malloc((nm + 1) * sizeof *sig), *sig1 = malloc((nm + 1) * sizeof *sig1);
    double *res1 = malloc((nm + 1) * sizeof *res1);
    inner I = {.p = p, .X = X, .y = y, .sig = sig, .x = x};
    rc = inner_alloc(&I, np);
    if (!rc && (!X || !y || !sig || !sig1 || !res1)) rc = ilnet_error_oom();
    for (size_t i = 0; !rc && i < nm; i++) {
        X[i] = r->sim[i], y[i] = p->meas[i].value, sig[i] = sig1[i] = r->sigma[i];
        res1[i] = (y[i] - X[i]) / sig1[i];
    }
    if (!rc) rc = solve_inner(&I);
    if (!rc && adjoint) { /* x holds the inner optimum now */
        ilnet_petab_result_free(r);
        rc = ilnet_petab_evaluate_parallel(r, ps, n_threads, x, atol, rtol, what);
        for (size_t j = 0; !rc && j < np; j++)
            if (p->par[j].inner) r->grad[j] = r->prior_grad[j] = 0;
    } else if (!rc) {
        recompute(r, p, &I, sig1, res1);
    }
    inner_free(&I);
    free(X), free(y), free(sig), free(sig1), free(res1);
    return rc;
}

int petab_inner_none(const ilnet_petab *p)
{
    return ilnet_error_set(
        ILNET_EINPUT,
        "%s: hierarchical evaluation asked, but no parameter has a parameterType (scaling, "
        "offset or sigma)",
        p->par_file);
}

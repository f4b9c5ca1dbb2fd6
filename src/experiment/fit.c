/* Multi-start fits (fit.h): the problem checked, the method chosen, the starts drawn; the
 * best start evaluated again for the outputs. fit_run.c runs the starts. */
#include "fit.h"

#include "../common/error.h"
#include "design.h"
#include "petab.h"
#include "petab_internal.h"
#include <ilnet/petab.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ilnet_fit_method_name(ilnet_fit_method m)
{
    return m == ILNET_FIT_LS_TRUST ? "ls-trust" : m == ILNET_FIT_LBFGS ? "lbfgs" : "auto";
}

int ilnet_fit_method_parse(const char *name)
{
    static const char *const names[] = {"auto", "ls-trust", "lbfgs"};
    for (int i = 0; i < 3; i++)
        if (!strcmp(name, names[i])) return i;
    return -1;
}

void ilnet_fit_free(ilnet_fit *f)
{
    for (size_t i = 0; f->ids && i < f->n_par; i++)
        free(f->ids[i]);
    for (size_t i = 0; f->starts && i < f->n_starts; i++) {
        free(f->starts[i].theta0);
        free(f->starts[i].theta);
    }
    free(f->ids);
    free(f->scale);
    free(f->lower);
    free(f->upper);
    free(f->nominal);
    free(f->inner);
    free(f->starts);
    memset(f, 0, sizeof *f);
}

/* bounds a fit can use: finite, of positive width, around the nominal value */
static int check_bounds(const ilnet_petab *p, const petab_parameter *q)
{
    const char *f = p->par_file;
    if (!isfinite(q->lower) || !isfinite(q->upper))
        return petab_error(f, q->line, "lowerBound", q->id, "a fit needs finite bounds");
    if (!(q->upper > q->lower))
        return petab_error(f, q->line, "upperBound", q->id,
                           "bounds [%g, %g] have no width: estimate 0 fixes a parameter", q->lower,
                           q->upper);
    if (q->scale != PETAB_LIN && !(q->lower > 0))
        return petab_error(f, q->line, "lowerBound", q->id,
                           "%g is not positive, and the parameter is on a log scale", q->lower);
    if (q->nominal < q->lower || q->nominal > q->upper)
        return petab_error(f, q->line, "nominalValue", q->id, "%g lies outside the bounds [%g, %g]",
                           q->nominal, q->lower, q->upper);
    return 0;
}

/* the estimated parameters, their scales and bounds; the method AUTO resolves to */
int ilnet_fit_gradient_parse(const char *name)
{
    return !strcmp(name, "auto")      ? ILNET_FIT_GRADIENT_AUTO
           : !strcmp(name, "forward") ? ILNET_FIT_GRADIENT_FORWARD
           : !strcmp(name, "adjoint") ? ILNET_FIT_GRADIENT_ADJOINT
                                      : -1;
}

const char *ilnet_fit_gradient_name(int gradient)
{
    return gradient == ILNET_FIT_GRADIENT_ADJOINT ? "adjoint" : "forward";
}

/* adjoint or forward gradients: the adjoint's cost does not grow with the parameters, but
 * it gives no residual Jacobian (ls-trust needs one) */
static int resolve_gradient(ilnet_fit *f, const ilnet_petab *p, int gradient)
{
    if (gradient == ILNET_FIT_GRADIENT_ADJOINT && f->method == ILNET_FIT_LS_TRUST)
        return ilnet_error_set(ILNET_EINPUT,
                               "%s: --gradient adjoint gives no residual Jacobian, which "
                               "--optimizer ls-trust needs; use lbfgs or forward gradients",
                               p->yaml_path);
    size_t moving = 0;
    for (size_t i = 0; i < p->n_par; i++)
        moving +=
            p->par[i].estimate && !(f->hierarchical && p->par[i].inner) && petab_moves_state(p, i);
    f->adjoint = gradient == ILNET_FIT_GRADIENT_ADJOINT ||
                 (gradient == ILNET_FIT_GRADIENT_AUTO && f->method == ILNET_FIT_LBFGS &&
                  moving >= ILNET_FIT_ADJOINT_MIN);
    return 0;
}

static int describe(ilnet_fit *f, const ilnet_petab *p, ilnet_fit_method m, int hierarchical)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_par; i++)
        n += p->par[i].estimate != 0;
    if (!n)
        return petab_error(p->par_file, 1, "estimate", "",
                           "no parameter is estimated: nothing "
                           "to fit");
    f->ids = calloc(n, sizeof *f->ids);
    f->scale = calloc(n, sizeof *f->scale);
    f->lower = calloc(n, sizeof *f->lower);
    f->upper = calloc(n, sizeof *f->upper);
    f->nominal = calloc(n, sizeof *f->nominal);
    f->inner = calloc(n, sizeof *f->inner);
    if (!f->ids || !f->scale || !f->lower || !f->upper || !f->nominal || !f->inner)
        return ilnet_error_oom();
    int priors = 0, rc = 0;
    for (size_t i = 0; i < p->n_par && !rc; i++) {
        const petab_parameter *q = &p->par[i];
        if (!q->estimate) continue;
        if ((rc = check_bounds(p, q))) break;
        size_t j = f->n_par++;
        f->ids[j] = strdup(q->id);
        f->scale[j] = q->scale;
        f->lower[j] = petab_to_scale(q->scale, q->lower);
        f->upper[j] = petab_to_scale(q->scale, q->upper);
        f->nominal[j] = petab_to_scale(q->scale, q->nominal);
        f->inner[j] = q->inner;
        priors |= q->prior != PETAB_PRIOR_NONE;
        if (!f->ids[j]) rc = ilnet_error_oom();
    }
    int laplace = 0;
    for (size_t o = 0; o < p->n_obs; o++)
        laplace |= p->obs[o].dist == PETAB_LAPLACE;
    if (!rc && m == ILNET_FIT_LS_TRUST && (laplace || priors))
        rc = ilnet_error_set(ILNET_EINPUT,
                             "%s: --optimizer ls-trust: the problem has %s, which least squares "
                             "cannot express; use lbfgs",
                             p->yaml_path, laplace ? "Laplace noise" : "priors");
    /* L-BFGS is the default: on Boehm 2014 it reached the optimum as often as ls-trust at
     * less than half the time per start (docs/fitting.md) */
    f->method = m != ILNET_FIT_AUTO ? m : ILNET_FIT_LBFGS;
    f->hierarchical = hierarchical < 0 ? p->n_inner > 0 : hierarchical;
    if (!rc && f->hierarchical && !p->n_inner) rc = petab_inner_none(p);
    if (!rc && f->hierarchical && f->method == ILNET_FIT_LS_TRUST)
        rc = ilnet_error_set(ILNET_EINPUT,
                             "%s: --optimizer ls-trust cannot search around closed-form inner "
                             "parameters (parameterType); use lbfgs, or --no-hierarchical",
                             p->yaml_path);
    return rc;
}

int ilnet_fit_prepare(ilnet_fit *f, const char *yaml_path, const ilnet_fit_options *o)
{
    memset(f, 0, sizeof *f);
    if (o->n_starts < 1) return ilnet_error_set(ILNET_EINPUT, "fit: at least one start is needed");
    ilnet_petab *p = NULL;
    int rc = ilnet_petab_read(&p, yaml_path);
    if (!rc) rc = describe(f, p, o->method, o->hierarchical);
    if (!rc) rc = resolve_gradient(f, p, o->gradient);
    ilnet_petab_free(p);
    size_t n = o->n_starts, np = f->n_par;
    double *u = rc ? NULL : malloc((n * np + 1) * sizeof *u);
    f->starts = rc ? NULL : calloc(n, sizeof *f->starts);
    if (!rc && (!u || !f->starts)) rc = ilnet_error_oom();
    if (!rc) rc = ilnet_lhs_unit(u, n, (int)np, o->seed);
    if (!rc) f->n_starts = n;
    for (size_t i = 0; !rc && i < n; i++) {
        ilnet_fit_start *s = &f->starts[i];
        s->index = i;
        s->theta0 = malloc(np * sizeof *s->theta0);
        s->theta = malloc(np * sizeof *s->theta);
        s->llh = -INFINITY;
        s->objective = INFINITY;
        if (!s->theta0 || !s->theta) rc = ilnet_error_oom();
        for (size_t j = 0; !rc && j < np; j++)
            s->theta[j] = s->theta0[j] =
                i == 0 && o->include_nominal
                    ? f->nominal[j]
                    : f->lower[j] + u[i * np + j] * (f->upper[j] - f->lower[j]);
    }
    free(u);
    if (rc) ilnet_fit_free(f);
    return rc;
}

int ilnet_fit_problem_load(ilnet_petab_problem **p, const ilnet_fit *f, const char *yaml_path,
                           const ilnet_fit_options *o)
{
    ilnet_petab_options po = ILNET_PETAB_OPTIONS_INIT;
    po.atol = o->atol;
    po.rtol = o->rtol;
    int rc = ilnet_petab_problem_load(p, yaml_path, &po);
    if (!rc && f->hierarchical) rc = ilnet_petab_problem_set_hierarchical(*p, 1);
    if (!rc) rc = ilnet_petab_problem_set_adjoint(*p, f->adjoint);
    return rc;
}

int ilnet_fit_best_evaluation(ilnet_petab **p, double **x, ilnet_petab_result *r,
                              const ilnet_fit *f, const char *yaml_path, const ilnet_fit_options *o)
{
    *x = NULL;
    memset(r, 0, sizeof *r);
    int rc = ilnet_petab_read(p, yaml_path);
    if (rc) return rc;
    const double *theta = f->starts[f->best].theta;
    if (!(*x = malloc(((*p)->n_par + 1) * sizeof **x))) return ilnet_error_oom();
    for (size_t i = 0, j = 0; i < (*p)->n_par; i++) {
        const petab_parameter *q = &(*p)->par[i];
        double t = q->estimate ? theta[j++] : NAN;
        (*x)[i] = q->estimate ? petab_from_scale(q->scale, t) : q->nominal;
    }
    rc = ilnet_petab_evaluate(r, *p, *x, o->atol, o->rtol, ILNET_PETAB_RESIDUALS);
    return rc == ILNET_ESOLVER ? 0 : rc; /* r->status says so */
}

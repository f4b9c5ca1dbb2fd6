/* Parameter estimation on a PEtab problem (docs/fitting.md): local optimisations from a
 * seeded Latin hypercube of starts within the bounds, on the estimated parameters on their
 * parameterScale, run on worker threads (one copy of the problem each). Two local methods:
 * a trust-region least-squares method (GSL multifit_nlinear, Levenberg-Marquardt) on the
 * weighted residuals and their Jacobian, bounds by the sine transformation; and bounded
 * L-BFGS (NLopt) on the negative log posterior, for Laplace noise and priors. */
#ifndef ILNET_FIT_H
#define ILNET_FIT_H

#include "petab.h"
#include <ilnet/petab.h>

#include <signal.h>
#include <stddef.h>

typedef enum {
    ILNET_FIT_AUTO = 0,     /* L-BFGS (docs/fitting.md says why) */
    ILNET_FIT_LS_TRUST = 1, /* "ls-trust" */
    ILNET_FIT_LBFGS = 2     /* "lbfgs" */
} ilnet_fit_method;

/* the name of a method ("ls-trust", "lbfgs"), and the method of a name (-1: none) */
const char *ilnet_fit_method_name(ilnet_fit_method m);
int ilnet_fit_method_parse(const char *name);

/* how a start ended */
typedef enum {
    ILNET_FIT_PENDING = 0,
    ILNET_FIT_CONVERGED = 1, /* a convergence criterion was met */
    ILNET_FIT_MAXITER = 2,   /* the iteration/evaluation limit */
    ILNET_FIT_STALLED = 3,   /* no further progress possible (round-off) */
    ILNET_FIT_FAILED = -1    /* no finite objective at the start, or the method failed */
} ilnet_fit_status;

typedef struct {
    size_t index;
    double *theta0, *theta; /* [n_par], on the parameters' scales */
    double llh, log_prior;  /* at theta (llh -inf when failed) */
    double objective;       /* -(llh + log_prior): what was minimised */
    long iterations, evaluations, gradients;
    double seconds;
    ilnet_fit_method method;
    ilnet_fit_status status;
    char reason[160]; /* the method's exit reason, e.g. "xtol reached", "ftol reached" */
} ilnet_fit_start;

struct ilnet_fit_progress {
    size_t done, total;
    double best_llh;
};

/* Called after each start on the thread that called ilnet_fit_run (in an MPI run: on rank
 * 0, for every rank's starts): a writer stores it. A non-zero return stops the fit: no
 * more starts are taken, those running finish. */
typedef int (*ilnet_fit_start_cb)(const ilnet_fit_start *s, const struct ilnet_fit_progress *p,
                                  void *payload);

typedef struct {
    size_t n_starts;    /* default 100 */
    unsigned long seed; /* of the Latin hypercube (default 1) */
    int threads;        /* 0: every core */
    ilnet_fit_method method;
    long max_iter;           /* iterations (ls-trust) or evaluations (lbfgs); default 500 */
    double xtol, gtol, ftol; /* defaults 1e-8, 1e-8, 1e-10 (relative) */
    double atol, rtol;       /* integration tolerances; defaults 1e-12, 1e-10 */
    /* resume: starts already finished (done[i] != 0) are not run again; their records
     * (starts[i]) are taken as given */
    const unsigned char *done;
    ilnet_fit_start_cb on_start;
    void *payload;
    /* when *cancel becomes non-zero (a signal handler sets it), the starts in flight are
     * abandoned at their next evaluation and ilnet_fit_run returns ILNET_ECANCELLED; the
     * starts reported before stay */
    const volatile sig_atomic_t *cancel;
    /* inner parameters (parameterType scaling/offset/sigma) in closed form: -1 when the
     * parameter table has any (the default), 0 never, 1 required */
    int hierarchical;
    /* start 0 from the parameter table's nominal values (the others from the hypercube) */
    int include_nominal;
    /* how gradients are computed: ILNET_FIT_GRADIENT_* (AUTO: adjoint for lbfgs when at
     * least ILNET_FIT_ADJOINT_MIN parameters move the state, else forward sensitivities) */
    int gradient;
} ilnet_fit_options;

enum { ILNET_FIT_GRADIENT_AUTO, ILNET_FIT_GRADIENT_FORWARD, ILNET_FIT_GRADIENT_ADJOINT };
/* AUTO's threshold: on Boehm 2014 (6 such parameters, 8 species) forward sensitivities are
 * twice as fast as the adjoint; on the IL-2 problem (10, 105 species) the adjoint is 4x
 * faster, on Raia 2011 (39) 3x, on Bachmann 2011 (113) 11x (benchmarks/bench_petab) */
#define ILNET_FIT_ADJOINT_MIN 10
/* "auto", "forward", "adjoint" -> ILNET_FIT_GRADIENT_*, or -1 */
int ilnet_fit_gradient_parse(const char *name);
const char *ilnet_fit_gradient_name(int gradient);

#define ILNET_FIT_OPTIONS_INIT                                                                     \
    {                                                                                              \
        100, 1, 0, ILNET_FIT_AUTO, 500, 1e-8, 1e-8, 1e-10, 1e-12, 1e-10, NULL, NULL, NULL, NULL,   \
            -1, 0, ILNET_FIT_GRADIENT_AUTO                                                         \
    }

typedef struct {
    size_t n_par, n_starts;
    char **ids;              /* the estimated parameters */
    int *scale;              /* PETAB_LIN/LOG/LOG10 */
    double *lower, *upper;   /* bounds on the scales */
    double *nominal;         /* nominal values on the scales */
    ilnet_fit_method method; /* the method used (AUTO resolved) */
    ilnet_fit_start *starts; /* [n_starts], theta0 filled before any start runs */
    size_t best;             /* index of the start with the highest llh + log_prior */
    int stopped;             /* the callback stopped the fit */
    int *inner;              /* per parameter: PETAB_INNER_* (computed in closed form) */
    int hierarchical;        /* inner parameters are computed, not searched */
    int adjoint;             /* gradients by the adjoint method (else forward sensitivities) */
} ilnet_fit;

/* Reads the problem and checks it can be fitted (every estimated parameter has finite
 * bounds of positive width containing its nominal value; at least one is estimated):
 * errors "FILE:ROW: column: id: message". Draws the starts. */
int ilnet_fit_prepare(ilnet_fit *f, const char *yaml_path, const ilnet_fit_options *o);
/* Runs the starts not marked done (f->starts of those must be filled by the caller). */
int ilnet_fit_run(ilnet_fit *f, const char *yaml_path, const ilnet_fit_options *o);
void ilnet_fit_free(ilnet_fit *f);
/* the problem loaded for evaluations as the fit runs them (hierarchical when f is) */
int ilnet_fit_problem_load(ilnet_petab_problem **p, const ilnet_fit *f, const char *yaml_path,
                           const ilnet_fit_options *o);
/* The problem read again and evaluated at the best start (residuals too): *p (free with
 * ilnet_petab_free), *x the linear value of every parameter-table row (free), *r. */
int ilnet_fit_best_evaluation(ilnet_petab **p, double **x, ilnet_petab_result *r,
                              const ilnet_fit *f, const char *yaml_path,
                              const ilnet_fit_options *o);

/* one local optimisation from s->theta0 (fit_local.c) */
int ilnet_fit_local(ilnet_fit_start *s, ilnet_petab_problem *p, const ilnet_fit *f,
                    const ilnet_fit_options *o);

#endif

/* PEtab objective benchmark: per problem, the median wall time of one evaluation of the
 * log-likelihood (every condition simulated), of llh + gradient by forward sensitivities
 * and by the adjoint method, at AMICI's benchmark tolerances (atol 1e-16, rtol 1e-8), the
 * problem read once (networks and solvers reused, as a fit would); the two gradients'
 * largest difference relative to the gradient's largest entry. AMICI's budgets per
 * evaluation (t_sim / t_fwd, from its benchmark suite) are printed beside.
 * usage: bench_petab [--min-seconds S] [--rtol R] [--atol A] PROBLEM.yaml... */
#define _POSIX_C_SOURCE 200809L

#include "common/error.h"
#include "experiment/petab.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* median seconds of repeated evaluations (at least 5 and min_seconds); what: the
 * evaluator's ILNET_PETAB_* flags */
static double median(ilnet_petab *p, int what, double atol, double rtol, double min_s, double *llh)
{
    double t[10000];
    int n = 0;
    double start = now();
    while (n < 10000 && (n < 5 || now() - start < min_s)) {
        ilnet_petab_result r;
        double t0 = now();
        int rc = ilnet_petab_evaluate(&r, p, NULL, atol, rtol, what);
        t[n++] = now() - t0;
        *llh = r.llh;
        ilnet_petab_result_free(&r);
        if (rc) {
            fprintf(stderr, "evaluate: %s\n", ilnet_error_last());
            return -1;
        }
    }
    qsort(t, (size_t)n, sizeof *t, cmpd);
    return t[n / 2];
}

/* max |adjoint - forward| over the gradient's entries, relative to its largest */
static double gradient_difference(ilnet_petab *p, double atol, double rtol)
{
    ilnet_petab_result f, a;
    int rc = ilnet_petab_evaluate(&f, p, NULL, atol, rtol, ILNET_PETAB_GRADIENT);
    rc |= ilnet_petab_evaluate(&a, p, NULL, atol, rtol, ILNET_PETAB_GRADIENT | ILNET_PETAB_ADJOINT);
    double big = 0, d = 0;
    for (size_t j = 0; !rc && j < p->n_par; j++) {
        big = fmax(big, fabs(f.grad[j]));
        d = fmax(d, fabs(f.grad[j] - a.grad[j]));
    }
    ilnet_petab_result_free(&f);
    ilnet_petab_result_free(&a);
    return rc ? NAN : d / big;
}

int main(int argc, char **argv)
{
    double min_s = 2, rtol = 1e-8, atol = 1e-16;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i += 2) {
        if (i + 1 >= argc) break;
        if (!strcmp(argv[i], "--min-seconds"))
            min_s = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--rtol"))
            rtol = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--atol"))
            atol = atof(argv[i + 1]);
    }
    printf("%-26s %6s %5s %12s %8s %9s %9s %9s %9s  %s\n", "problem", "params", "meas", "llh",
           "first_s", "llh_ms", "grad_ms", "adj_ms", "adj_diff", "AMICI t_sim / t_fwd");
    for (; i < argc; i++) {
        ilnet_petab *p = NULL;
        if (ilnet_petab_read(&p, argv[i])) {
            fprintf(stderr, "%s\n", ilnet_error_last());
            return 1;
        }
        int est = 0;
        for (size_t j = 0; j < p->n_par; j++)
            est += p->par[j].estimate;
        double llh = 0, t0 = now();
        ilnet_petab_result r; /* the first evaluation builds every condition's network */
        ilnet_petab_evaluate(&r, p, NULL, atol, rtol, 1);
        ilnet_petab_result_free(&r);
        double first = now() - t0;
        double tl = median(p, 0, atol, rtol, min_s, &llh);
        double tg = median(p, ILNET_PETAB_GRADIENT, atol, rtol, min_s, &llh);
        double ta = median(p, ILNET_PETAB_GRADIENT | ILNET_PETAB_ADJOINT, atol, rtol, min_s, &llh);
        double diff = gradient_difference(p, atol, rtol);
        const char *name = strrchr(argv[i], '/') ? strrchr(argv[i], '/') + 1 : argv[i];
        const char *budget = strstr(name, "Boehm")      ? "5 ms / 50 ms"
                             : strstr(name, "Bachmann") ? "50 ms / 3500 ms"
                                                        : "-";
        printf("%-26.26s %6d %5zu %12.6f %8.3f %9.2f %9.2f %9.2f %9.1e  %s\n", name, est, p->n_meas,
               llh, first, 1e3 * tl, 1e3 * tg, 1e3 * ta, diff, budget);
        ilnet_petab_free(p);
    }
    return 0;
}

/* Hill fit: synthetic dose-response data with known EC50 and Hill coefficient are
 * recovered within 1 % (with 0.5 % multiplicative noise on 24 doses) and to 1e-6 without noise, for
 * rising and falling curves; standard errors are consistent with the noise; bad data is rejected.
 */
#include "check.h"

#include "common/error.h"
#include "experiment/hill.h"

#include <stdint.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static double uniform(void) /* xorshift64*, deterministic */
{
    rng ^= rng >> 12, rng ^= rng << 25, rng ^= rng >> 27;
    return (double)((rng * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

static void synth(double *dose, double *y, size_t n, double b, double t, double ec50, double h,
                  double noise)
{
    for (size_t i = 0; i < n; i++) {
        dose[i] = pow(10.0, -3 + 5.0 * (double)i / (double)(n - 1));
        y[i] = b + (t - b) / (1 + pow(ec50 / dose[i], h));
        y[i] *= 1 + noise * (2 * uniform() - 1);
    }
}

static void recover(const char *name, double b, double t, double ec50, double h, double noise,
                    double tol)
{
    double dose[24], y[24];
    synth(dose, y, 24, b, t, ec50, h, noise);
    ilnet_hill_fit fit;
    int rc = ilnet_hill_fit_run(&fit, dose, y, 24, NULL);
    CHECK(rc == 0, "%s: %s", name, ilnet_error_last());
    printf("%-24s EC50 %.6g (+-%.2g) n %.6g (+-%.2g) bottom %.5g top %.5g R2 %.6f\n", name,
           fit.ec50, fit.se_ec50, fit.hill, fit.se_hill, fit.bottom, fit.top, fit.r2);
    CHECK_CLOSE(fit.ec50, ec50, tol, 0);
    CHECK_CLOSE(fit.hill, h, tol, 0);
    CHECK_CLOSE(fit.bottom, b, tol, tol * fabs(t - b));
    CHECK_CLOSE(fit.top, t, tol, tol * fabs(t - b));
    CHECK(isfinite(fit.se_ec50) && fit.se_ec50 >= 0, "se_ec50 %g", fit.se_ec50);
    if (noise > 0) /* the true value lies within 4 standard errors */
        CHECK(fabs(fit.ec50 - ec50) <= 4 * fit.se_ec50, "%s: EC50 error %g vs SE %g", name,
              fabs(fit.ec50 - ec50), fit.se_ec50);
    CHECK_CLOSE(ilnet_hill_eval(&fit, fit.ec50), 0.5 * (fit.bottom + fit.top), 1e-12, 1e-12);
}

int main(void)
{
    recover("exact rising", 50, 950, 0.37, 1.8, 0, 1e-6);
    recover("exact falling", 1000, 20, 2.5, 0.9, 0, 1e-6);
    recover("exact steep", 0, 1, 0.01, 4.0, 0, 1e-6);
    recover("0.5% noise rising", 50, 950, 0.37, 1.8, 0.005, 0.01);
    recover("0.5% noise falling", 1000, 20, 2.5, 0.9, 0.005, 0.01);

    double dose[5] = {1, 2, 3, 4, 5}, y[5] = {1, 2, 3, 4, 5};
    ilnet_hill_fit fit;
    CHECK(ilnet_hill_fit_run(&fit, dose, y, 3, NULL) == ILNET_EINPUT, "3 points accepted");
    dose[2] = 0;
    CHECK(ilnet_hill_fit_run(&fit, dose, y, 5, NULL) == ILNET_EINPUT, "zero dose accepted");
    CHECK(strstr(ilnet_error_last(), "dose 3") != NULL, "message: %s", ilnet_error_last());
    dose[2] = 3;
    y[4] = NAN;
    CHECK(ilnet_hill_fit_run(&fit, dose, y, 5, NULL) == ILNET_EINPUT, "NaN response accepted");
    CHECK_DONE();
}

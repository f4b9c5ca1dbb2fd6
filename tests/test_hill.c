/* Hill fit: synthetic dose-response data with known EC50 and Hill coefficient are
 * recovered within 1 % (with 0.5 % multiplicative noise on 24 doses) and to 1e-6 without noise, for
 * rising and falling curves; standard errors are consistent with the noise; bad data is rejected.
 * Qualities: clean, noise-only, constant, bell-shaped, two-step, extrapolated and noisy curves
 * each get theirs; a non-negative readout keeps its bottom at 0, negative data are followed.
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

static ilnet_hill_quality quality_of(const char *name, const double *dose, const double *y,
                                     size_t n, ilnet_hill_fit *fit)
{
    int rc = ilnet_hill_fit_run(fit, dose, y, n, NULL);
    CHECK(rc == 0, "%s: %s", name, ilnet_error_last());
    printf("%-24s %-18s EC50 %.4g n %.3g bottom %.4g top %.4g r2 %.3f half-max %.4g\n", name,
           ilnet_hill_quality_name(fit->quality), fit->ec50, fit->hill, fit->bottom, fit->top,
           fit->r2, fit->half_max_dose);
    return fit->quality;
}

/* Every quality on a curve built to have it, and the plateau bounds. */
static void qualities(void)
{
    double dose[24], y[24];
    ilnet_hill_fit f;
    synth(dose, y, 24, 50, 950, 0.37, 1.8, 0.005);
    CHECK(quality_of("clean", dose, y, 24, &f) == ILNET_HILL_OK, "clean curve not ok");
    /* the data cross half-way where the curve does: EC50 to the interpolation's accuracy */
    CHECK_CLOSE(f.half_max_dose, 0.37, 0.05, 0);

    for (int i = 0; i < 12; i++) /* 5 % noise around a constant */
        y[i] = 1000 * (1 + 0.05 * (2 * uniform() - 1));
    CHECK(quality_of("noise only", dose, y, 12, &f) == ILNET_HILL_FLAT, "noise not flat");
    for (int i = 0; i < 12; i++)
        y[i] = 7.25;
    CHECK(quality_of("constant", dose, y, 12, &f) == ILNET_HILL_FLAT, "constant not flat");
    CHECK(isnan(f.ec50) && isnan(f.hill), "constant: EC50 %g n %g", f.ec50, f.hill);
    CHECK_CLOSE(f.bottom, 7.25, 1e-15, 0);
    CHECK_CLOSE(f.top, 7.25, 1e-15, 0);

    for (int i = 0; i < 24; i++) /* rises around 0.01, falls around 10 */
        y[i] = 100 / (1 + pow(0.01 / dose[i], 1.5)) * (1 - 0.8 / (1 + pow(10 / dose[i], 2)));
    CHECK(quality_of("bell", dose, y, 24, &f) == ILNET_HILL_BIPHASIC, "bell not biphasic");
    for (int i = 0; i < 24; i++) /* two rises 1000-fold apart, a plateau between */
        y[i] = 40 / (1 + pow(0.003 / dose[i], 2)) + 60 / (1 + pow(3 / dose[i], 2));
    CHECK(quality_of("two steps", dose, y, 24, &f) == ILNET_HILL_BIPHASIC, "2 steps not biphasic");
    for (int i = 0; i < 24; i++) /* the mirror image: two falls 1000-fold apart */
        y[i] = 100 - y[i];
    CHECK(quality_of("two falling steps", dose, y, 24, &f) == ILNET_HILL_BIPHASIC,
          "2 falling steps not biphasic");
    for (int i = 0; i < 24; i++) /* the same steps 3-fold apart: one shallow rise */
        y[i] = 40 / (1 + pow(0.3 / dose[i], 2)) + 60 / (1 + pow(0.9 / dose[i], 2));
    CHECK(quality_of("two close steps", dose, y, 24, &f) == ILNET_HILL_OK, "close steps flagged");

    synth(dose, y, 12, 0, 100, 1e4, 1.0, 0); /* doses 1e-3..1e2, EC50 beyond them */
    CHECK(quality_of("beyond the doses", dose, y, 12, &f) == ILNET_HILL_EC50_OUTSIDE_DOSES,
          "EC50 beyond the doses not flagged");
    CHECK(f.top <= 2 * y[11] + 1e-9, "top %g beyond its bound (data max %g)", f.top, y[11]);

    synth(dose, y, 24, 0, 100, 0.3, 1.0, 0);
    for (int i = 0; i < 24; i++)
        y[i] += 35 * (2 * uniform() - 1);
    CHECK(quality_of("noisy", dose, y, 24, &f) == ILNET_HILL_POOR_FIT, "noisy fit not poor");

    /* a non-negative readout: the unbounded fit's bottom would be negative */
    synth(dose, y, 24, -200, 1000, 1.0, 0.7, 0);
    for (int i = 0; i < 24; i++)
        y[i] = fmax(y[i], 0);
    quality_of("clipped at 0", dose, y, 24, &f);
    CHECK(f.bottom == 0 && (f.fixed & ILNET_HILL_FIXED_BOTTOM) && isnan(f.se_bottom),
          "bottom %g fixed %u se %g", f.bottom, f.fixed, f.se_bottom);
    /* negative data: a negative bottom is allowed and recovered */
    synth(dose, y, 24, -50, 100, 0.2, 1.3, 0);
    quality_of("negative bottom", dose, y, 24, &f);
    CHECK_CLOSE(f.bottom, -50.0, 1e-6, 1e-6);
    CHECK(f.fixed == 0, "a plateau fixed (%u)", f.fixed);
}

/* Noisy monotone curves are rarely called biphasic: 400 sigmoids on 13 doses with normal-ish
 * noise (sum of 4 uniforms) of 10 % of the range; reports the rate. */
static void false_biphasic(void)
{
    int bi = 0, failed = 0, total = 400;
    for (int k = 0; k < total; k++) {
        double dose[13], y[13];
        for (int i = 0; i < 13; i++) {
            dose[i] = pow(10.0, -3 + 5.0 * i / 12.0);
            double e = 0;
            for (int j = 0; j < 4; j++)
                e += 2 * uniform() - 1;
            y[i] = 100 / (1 + pow(0.3 / dose[i], 1.5)) + 10 * e / sqrt(4.0 / 3.0);
        }
        ilnet_hill_fit f;
        if (ilnet_hill_fit_run(&f, dose, y, 13, NULL))
            failed++;
        else
            bi += f.quality == ILNET_HILL_BIPHASIC;
    }
    printf("noisy monotone curves called biphasic: %d of %d (%d failed)\n", bi, total, failed);
    CHECK(bi <= total / 20 && failed == 0, "%d of %d biphasic, %d failed", bi, total, failed);
}

int main(void)
{
    qualities();
    false_biphasic();
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

#include "nvector_fast.h"

#include <math.h>
#include "sundials_compat.h"
#include <nvector/nvector_serial.h>

#define LEN(v) ((long)NV_LENGTH_S(v))
#define DATA(v) NV_DATA_S(v)

static void linear_sum(sunrealtype a, N_Vector x, sunrealtype b, N_Vector y, N_Vector z)
{
    const double *xd = DATA(x), *yd = DATA(y);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = a * xd[i] + b * yd[i];
}

static void vconst(sunrealtype c, N_Vector z)
{
    double *zd = DATA(z);
    long n = LEN(z);
    for (long i = 0; i < n; i++)
        zd[i] = c;
}

static void prod(N_Vector x, N_Vector y, N_Vector z)
{
    const double *xd = DATA(x), *yd = DATA(y);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = xd[i] * yd[i];
}

static void vdiv(N_Vector x, N_Vector y, N_Vector z)
{
    const double *xd = DATA(x), *yd = DATA(y);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = xd[i] / yd[i];
}

static void scale(sunrealtype c, N_Vector x, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = c * xd[i];
}

static void vabs(N_Vector x, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = fabs(xd[i]);
}

static void inv(N_Vector x, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = 1.0 / xd[i];
}

static void add_const(N_Vector x, sunrealtype b, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = xd[i] + b;
}

static sunrealtype dot(N_Vector x, N_Vector y)
{
    const double *xd = DATA(x), *yd = DATA(y);
    long n = LEN(x);
    double s = 0;
    for (long i = 0; i < n; i++)
        s += xd[i] * yd[i];
    return s;
}

static sunrealtype max_norm(N_Vector x)
{
    const double *xd = DATA(x);
    long n = LEN(x);
    double m = 0;
    for (long i = 0; i < n; i++) {
        double a = fabs(xd[i]);
        if (a > m) m = a;
    }
    return m;
}

static sunrealtype wrms_norm(N_Vector x, N_Vector w)
{
    const double *xd = DATA(x), *wd = DATA(w);
    long n = LEN(x);
    double s = 0;
    for (long i = 0; i < n; i++) {
        double p = xd[i] * wd[i];
        s += p * p;
    }
    return sqrt(s / (double)n);
}

static sunrealtype wrms_norm_mask(N_Vector x, N_Vector w, N_Vector id)
{
    const double *xd = DATA(x), *wd = DATA(w), *md = DATA(id);
    long n = LEN(x);
    double s = 0;
    for (long i = 0; i < n; i++)
        if (md[i] > 0) {
            double p = xd[i] * wd[i];
            s += p * p;
        }
    return sqrt(s / (double)n);
}

static sunrealtype vmin(N_Vector x)
{
    const double *xd = DATA(x);
    long n = LEN(x);
    double m = n ? xd[0] : INFINITY;
    for (long i = 1; i < n; i++)
        if (xd[i] < m) m = xd[i];
    return m;
}

static void compare(sunrealtype c, N_Vector x, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    for (long i = 0; i < n; i++)
        zd[i] = fabs(xd[i]) >= c ? 1.0 : 0.0;
}

static sunbooleantype inv_test(N_Vector x, N_Vector z)
{
    const double *xd = DATA(x);
    double *zd = DATA(z);
    long n = LEN(x);
    sunbooleantype ok = SUNTRUE;
    for (long i = 0; i < n; i++) {
        if (xd[i] == 0.0)
            ok = SUNFALSE;
        else
            zd[i] = 1.0 / xd[i];
    }
    return ok;
}

static int linear_combination(int nv, sunrealtype *c, N_Vector *X, N_Vector z)
{
    long n = LEN(z);
    double *zd = DATA(z);
    if (nv == 1) {
        scale(c[0], X[0], z);
        return 0;
    }
    int start = 0;
    if (X[0] == z) {
        /* z = c0 z + sum: scale in place first */
        if (c[0] != 1.0)
            for (long i = 0; i < n; i++)
                zd[i] *= c[0];
        start = 1;
    } else {
        const double *x0 = DATA(X[0]), *x1 = DATA(X[1]);
        for (long i = 0; i < n; i++)
            zd[i] = c[0] * x0[i] + c[1] * x1[i];
        start = 2;
    }
    for (int k = start; k < nv; k++) {
        const double *xd = DATA(X[k]);
        double ck = c[k];
        for (long i = 0; i < n; i++)
            zd[i] += ck * xd[i];
    }
    return 0;
}

static int scale_add_multi(int nv, sunrealtype *a, N_Vector x, N_Vector *Y, N_Vector *Z)
{
    long n = LEN(x);
    const double *xd = DATA(x);
    for (int k = 0; k < nv; k++) {
        const double *yd = DATA(Y[k]);
        double *zd = DATA(Z[k]);
        double ak = a[k];
        for (long i = 0; i < n; i++)
            zd[i] = ak * xd[i] + yd[i];
    }
    return 0;
}

void ilnet_nvector_use_fast_ops(N_Vector v)
{
    N_Vector_Ops ops = v->ops;
    ops->nvlinearsum = linear_sum;
    ops->nvconst = vconst;
    ops->nvprod = prod;
    ops->nvdiv = vdiv;
    ops->nvscale = scale;
    ops->nvabs = vabs;
    ops->nvinv = inv;
    ops->nvaddconst = add_const;
    ops->nvdotprod = dot;
    ops->nvmaxnorm = max_norm;
    ops->nvwrmsnorm = wrms_norm;
    ops->nvwrmsnormmask = wrms_norm_mask;
    ops->nvmin = vmin;
    ops->nvcompare = compare;
    ops->nvinvtest = inv_test;
    ops->nvlinearcombination = linear_combination;
    ops->nvscaleaddmulti = scale_add_multi;
    ops->nvdotprodlocal = dot;
    ops->nvmaxnormlocal = max_norm;
    ops->nvminlocal = vmin;
    ops->nvinvtestlocal = inv_test;
}

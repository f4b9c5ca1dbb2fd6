/* Fit files (h5fit.h). Every start-indexed dataset has the dimension scale /start, every
 * parameter-indexed one /parameter. Rows of unfinished starts hold NaN and status 0. */
#include "h5fit.h"

#include "h5petab.h"
#include "h5util.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "forward" or "adjoint": how the fit's gradients are computed */
static const char *fit_gradient(const ilnet_fit *f)
{
    return ilnet_fit_gradient_name(f->adjoint ? ILNET_FIT_GRADIENT_ADJOINT
                                              : ILNET_FIT_GRADIENT_FORWARD);
}

#define CHECK ILNET_H5_CHECK
#define REASON_LEN 160

struct ilnet_h5fit {
    char *path;
    hid_t file;
};

/* per-start scalar columns, in this order */
static const char *const scalar_names[] = {"llh",         "log_prior", "objective", "iterations",
                                           "evaluations", "gradients", "seconds"};
enum { N_SCALARS = 7 };

static void scalars(const ilnet_fit_start *s, double *v)
{
    double x[N_SCALARS] = {s->llh,
                           s->log_prior,
                           s->objective,
                           (double)s->iterations,
                           (double)s->evaluations,
                           (double)s->gradients,
                           s->seconds};
    memcpy(v, x, sizeof x);
}

static hid_t reason_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, REASON_LEN) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* a dataset [n_starts (x n_par)] filled with fill (NaN or 0), attached to the scales */
static hid_t column(hid_t file, const char *name, hid_t type, int rank, const hsize_t *dims,
                    hid_t sstart, hid_t spar)
{
    hid_t sp = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    double nan = NAN;
    if (sp >= 0 && dcpl >= 0 && H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) >= 0 &&
        (H5Tget_class(type) != H5T_FLOAT || H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan) >= 0))
        d = H5Dcreate2(file, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (d >= 0 && (H5DSattach_scale(d, sstart, 0) < 0 || H5DSset_label(d, 0, "start") < 0 ||
                   (rank > 1 &&
                    (H5DSattach_scale(d, spar, 1) < 0 || H5DSset_label(d, 1, "parameter") < 0)))) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

static int write_layout(hid_t file, const char *path, const ilnet_fit *f)
{
    int rc = 0;
    size_t n = f->n_starts, np = f->n_par;
    hsize_t dn = n, dp = np, d2[2] = {n, np};
    const char **sc = malloc((np + 1) * sizeof *sc);
    long long *idx = malloc((n + 1) * sizeof *idx);
    double *th0 = malloc((n * np + 1) * sizeof *th0);
    hid_t ss = -1, spar = -1, rt = reason_type(), d = -1;
    if (!sc || !idx || !th0) {
        rc = ilnet_error_oom();
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        idx[i] = (long long)i;
        memcpy(th0 + i * np, f->starts[i].theta0, np * sizeof *th0);
    }
    for (size_t j = 0; j < np; j++)
        sc[j] = petab_scale_name(f->scale[j]);
    CHECK(H5LTmake_dataset_long(file, "start", 1, &dn, (const long *)idx), "/start");
    CHECK(ss = H5Dopen2(file, "start", H5P_DEFAULT), "/start");
    CHECK(H5DSset_scale(ss, "start"), "/start");
    CHECK(spar = ilnet_h5_write_strings(file, "parameter", (const char *const *)f->ids, np),
          "/parameter");
    CHECK(H5DSset_scale(spar, "parameter"), "/parameter");
    const double *pv[3] = {f->lower, f->upper, f->nominal};
    const char *pn[3] = {"lower_bound", "upper_bound", "nominal"};
    for (int k = 0; k < 3; k++) {
        CHECK(d = ilnet_h5_write_doubles(file, pn[k], 1, &dp, pv[k]), pn[k]);
        CHECK(H5DSattach_scale(d, spar, 0), pn[k]);
        H5Dclose(d);
    }
    CHECK(d = ilnet_h5_write_strings(file, "parameter_scale", sc, np), "/parameter_scale");
    CHECK(H5DSattach_scale(d, spar, 0), "/parameter_scale");
    H5Dclose(d);
    CHECK(d = column(file, "theta0", H5T_IEEE_F64LE, 2, d2, ss, spar), "/theta0");
    CHECK(np && n ? H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, th0) : 0,
          "/theta0");
    H5Dclose(d);
    CHECK(d = column(file, "theta", H5T_IEEE_F64LE, 2, d2, ss, spar), "/theta");
    H5Dclose(d);
    for (int k = 0; k < N_SCALARS; k++) {
        CHECK(d = column(file, scalar_names[k], H5T_IEEE_F64LE, 1, &dn, ss, spar), scalar_names[k]);
        H5Dclose(d);
    }
    CHECK(d = column(file, "status", H5T_STD_I8LE, 1, &dn, ss, spar), "/status");
    H5Dclose(d);
    CHECK(rt, "string type");
    CHECK(d = column(file, "reason", rt, 1, &dn, ss, spar), "/reason");
    H5Dclose(d);
    d = -1;
out:
    if (d >= 0) H5Dclose(d);
    if (ss >= 0) H5Dclose(ss);
    if (spar >= 0) H5Dclose(spar);
    if (rt >= 0) H5Tclose(rt);
    free(sc);
    free(idx);
    free(th0);
    return rc;
}

/* what a resume must match */
static int write_settings(hid_t file, const char *path, const char *problem, const ilnet_fit *f,
                          const ilnet_fit_options *o, const char *command_line)
{
    int rc = 0;
    char *text = NULL;
    size_t len = 0;
    if ((rc = ilnet_file_read(&text, &len, problem))) return rc;
    CHECK(ilnet_h5_provenance(file, "fit"), "attributes");
    CHECK(ilnet_h5_attr_string(file, "status", "running"), "attributes");
    CHECK(ilnet_h5_attr_string(file, "problem_path", problem), "attributes");
    CHECK(ilnet_h5_attr_string(file, "problem_text", text), "attributes");
    CHECK(ilnet_h5_attr_string(file, "command_line", command_line), "attributes");
    CHECK(ilnet_h5_attr_string(file, "method", ilnet_fit_method_name(f->method)), "attributes");
    CHECK(ilnet_h5_attr_string(file, "gradient", fit_gradient(f)), "attributes");
    CHECK(ilnet_h5_attr_long(file, "n_starts", (long)f->n_starts), "attributes");
    CHECK(ilnet_h5_attr_long(file, "seed", (long)o->seed), "attributes");
    CHECK(ilnet_h5_attr_long(file, "max_iter", o->max_iter), "attributes");
    CHECK(ilnet_h5_attr_long(file, "hierarchical", f->hierarchical), "attributes");
    CHECK(ilnet_h5_attr_long(file, "include_nominal", o->include_nominal), "attributes");
    CHECK(ilnet_h5_attr_double(file, "xtol", o->xtol), "attributes");
    CHECK(ilnet_h5_attr_double(file, "gtol", o->gtol), "attributes");
    CHECK(ilnet_h5_attr_double(file, "ftol", o->ftol), "attributes");
    CHECK(ilnet_h5_attr_double(file, "solver_atol", o->atol), "attributes");
    CHECK(ilnet_h5_attr_double(file, "solver_rtol", o->rtol), "attributes");
out:
    free(text);
    return rc;
}

/* a handle on path opened for writing (h->file < 0 when HDF5 could not), NULL when out of
 * memory */
static ilnet_h5fit *open_rw(const char *path)
{
    ilnet_h5fit *h = calloc(1, sizeof *h);
    if (!h || !(h->path = strdup(path))) {
        free(h);
        return NULL;
    }
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported through CHECK */
    h->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    return h;
}

int ilnet_h5fit_create(ilnet_h5fit **out, const char *path, const char *problem, const ilnet_fit *f,
                       const ilnet_fit_options *o, const char *command_line)
{
    *out = NULL;
    ilnet_h5_newfile nf;
    hid_t file = ilnet_h5_create(&nf, path);
    if (file < 0) return ilnet_h5_finish(&nf, -1, path, (int)file);
    int rc = write_layout(file, path, f);
    if (!rc) rc = write_settings(file, path, problem, f, o, command_line);
    /* the layout complete under its own name before any start runs */
    if ((rc = ilnet_h5_finish(&nf, file, path, rc))) return rc;
    ilnet_h5fit *h = open_rw(path);
    if (!h) return ilnet_error_oom();
    if (h->file < 0) {
        ilnet_h5fit_close(h);
        return ilnet_error_set(ILNET_EIO, "%s: cannot reopen the fit file", path);
    }
    *out = h;
    return 0;
}

/* row `row` of a dataset [n (x cols)], read or written */
static herr_t row_io(hid_t file, const char *name, hid_t mt, size_t row, size_t cols, void *buf,
                     int read)
{
    hid_t d = H5Dopen2(file, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t fs = H5Dget_space(d);
    int rank = fs >= 0 ? H5Sget_simple_extent_ndims(fs) : -1;
    hsize_t start[2] = {row, 0}, count[2] = {1, cols};
    hid_t ms = H5Screate_simple(rank > 0 ? rank : 1, count, NULL);
    herr_t e =
        fs < 0 || ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (e >= 0)
        e = read ? H5Dread(d, mt, ms, fs, H5P_DEFAULT, buf)
                 : H5Dwrite(d, mt, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    if (fs >= 0) H5Sclose(fs);
    H5Dclose(d);
    return e;
}

int ilnet_h5fit_write_start(ilnet_h5fit *h, const ilnet_fit *f, const ilnet_fit_start *s)
{
    const char *path = h->path;
    int rc = 0;
    double v[N_SCALARS];
    char reason[REASON_LEN] = {0};
    signed char st = (signed char)s->status;
    hid_t rt = reason_type();
    scalars(s, v);
    snprintf(reason, sizeof reason, "%s", s->reason);
    CHECK(rt, "string type");
    CHECK(row_io(h->file, "theta", H5T_NATIVE_DOUBLE, s->index, f->n_par, s->theta, 0), "/theta");
    for (int k = 0; k < N_SCALARS; k++)
        CHECK(row_io(h->file, scalar_names[k], H5T_NATIVE_DOUBLE, s->index, 1, &v[k], 0),
              scalar_names[k]);
    CHECK(row_io(h->file, "reason", rt, s->index, 1, reason, 0), "/reason");
    /* status last: a start counts as finished only with all of its row written */
    CHECK(row_io(h->file, "status", H5T_NATIVE_SCHAR, s->index, 1, &st, 0), "/status");
    CHECK(H5Fflush(h->file, H5F_SCOPE_GLOBAL), "the file (flush)");
out:
    if (rt >= 0) H5Tclose(rt);
    return rc;
}

static int mismatch(const char *path, const char *what)
{
    return ilnet_error_set(ILNET_EINPUT, "%s: --resume: the file was written %s", path, what);
}

/* the file's settings against this fit's: what differs makes the starts incomparable */
static int check_same(ilnet_h5fit *h, const char *problem, const ilnet_fit *f,
                      const ilnet_fit_options *o)
{
    hid_t file = h->file;
    char *kind = ilnet_h5_read_attr_string(file, "kind");
    char *text = ilnet_h5_read_attr_string(file, "problem_text");
    char *method = ilnet_h5_read_attr_string(file, "method"), *now = NULL;
    /* files from before adjoint gradients have no attribute: forward, not checked */
    char *gradient =
        H5Aexists(file, "gradient") > 0 ? ilnet_h5_read_attr_string(file, "gradient") : NULL;
    size_t len = 0;
    long n = -1, seed = -1, iters = -1, hier = 0, nominal = 0;
    int rc = ilnet_file_read(&now, &len, problem);
    H5LTget_attribute_long(file, ".", "n_starts", &n);
    H5LTget_attribute_long(file, ".", "seed", &seed);
    H5LTget_attribute_long(file, ".", "max_iter", &iters);
    if (H5Aexists(file, "hierarchical") > 0)
        H5LTget_attribute_long(file, ".", "hierarchical", &hier);
    if (H5Aexists(file, "include_nominal") > 0)
        H5LTget_attribute_long(file, ".", "include_nominal", &nominal);
    if (rc)
        ;
    else if (!kind || strcmp(kind, "fit"))
        rc = ilnet_error_set(ILNET_EINPUT, "%s: --resume: not a fit file", h->path);
    else if (!text || strcmp(text, now))
        rc = mismatch(h->path, "for another problem file (its text differs)");
    else if (n != (long)f->n_starts || seed != (long)o->seed || nominal != o->include_nominal)
        rc = mismatch(h->path, "with other --starts, --seed or --include-nominal");
    else if (!method || strcmp(method, ilnet_fit_method_name(f->method)) || iters != o->max_iter)
        rc = mismatch(h->path, "with another --optimizer or --max-iter");
    else if (hier != f->hierarchical)
        rc = mismatch(h->path, "with the other choice of --hierarchical");
    else if (gradient && strcmp(gradient, fit_gradient(f)))
        rc = mismatch(h->path, "with the other --gradient (forward or adjoint)");
    free(kind);
    free(text);
    free(method);
    free(gradient);
    free(now);
    return rc;
}

/* the finished starts' rows into f->starts, done[i] = 1 */
static int read_done(ilnet_h5fit *h, ilnet_fit *f, unsigned char *done)
{
    const char *path = h->path;
    int rc = 0;
    hid_t rt = reason_type();
    CHECK(rt, "string type");
    for (size_t i = 0; i < f->n_starts; i++) {
        signed char st = 0;
        CHECK(row_io(h->file, "status", H5T_NATIVE_SCHAR, i, 1, &st, 1), "/status");
        if (!st) continue;
        ilnet_fit_start *s = &f->starts[i];
        double v[N_SCALARS];
        for (int k = 0; k < N_SCALARS; k++)
            CHECK(row_io(h->file, scalar_names[k], H5T_NATIVE_DOUBLE, i, 1, &v[k], 1),
                  scalar_names[k]);
        CHECK(row_io(h->file, "theta", H5T_NATIVE_DOUBLE, i, f->n_par, s->theta, 1), "/theta");
        CHECK(row_io(h->file, "reason", rt, i, 1, s->reason, 1), "/reason");
        s->reason[sizeof s->reason - 1] = 0;
        s->llh = v[0], s->log_prior = v[1], s->objective = v[2];
        s->iterations = (long)v[3], s->evaluations = (long)v[4], s->gradients = (long)v[5];
        s->seconds = v[6];
        s->status = (ilnet_fit_status)st;
        s->method = f->method;
        done[i] = 1;
    }
out:
    if (rt >= 0) H5Tclose(rt);
    return rc;
}

int ilnet_h5fit_open(ilnet_h5fit **out, const char *path, const char *problem, ilnet_fit *f,
                     const ilnet_fit_options *o, unsigned char *done)
{
    *out = NULL;
    ilnet_h5fit *h = open_rw(path);
    if (!h) return ilnet_error_oom();
    int rc = h->file < 0 ? ilnet_error_set(ILNET_EIO, "%s: --resume: cannot open the file", path)
                         : check_same(h, problem, f, o);
    if (!rc) rc = read_done(h, f, done);
    if (rc) {
        ilnet_h5fit_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

int ilnet_h5fit_write_best_fit(ilnet_h5fit *h, const ilnet_petab *p, const ilnet_petab_result *r)
{
    const char *path = h->path;
    int rc = 0;
    if (H5Lexists(h->file, "best_fit", H5P_DEFAULT) > 0)
        H5Ldelete(h->file, "best_fit", H5P_DEFAULT);
    hid_t g = H5Gcreate2(h->file, "best_fit", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(g, "/best_fit");
    if ((rc = ilnet_h5_write_petab_measurements(g, path, p, r))) goto out;
    CHECK(ilnet_h5_attr_double(g, "llh", r->llh), "/best_fit attributes");
    CHECK(ilnet_h5_attr_double(g, "chi2", r->chi2), "/best_fit attributes");
    CHECK(ilnet_h5_attr_string(g, "status", r->status ? r->message : "complete"),
          "/best_fit attributes");
out:
    if (g >= 0) H5Gclose(g);
    return rc;
}

int ilnet_h5fit_finish(ilnet_h5fit *h, const ilnet_fit *f)
{
    const char *path = h->path;
    int rc = 0;
    hsize_t dp = f->n_par;
    const ilnet_fit_start *b = &f->starts[f->best];
    hid_t d = -1, spar = H5Dopen2(h->file, "parameter", H5P_DEFAULT);
    CHECK(spar, "/parameter");
    if (H5Lexists(h->file, "best_theta", H5P_DEFAULT) > 0) /* a finished file resumed */
        H5Ldelete(h->file, "best_theta", H5P_DEFAULT);
    CHECK(d = ilnet_h5_write_doubles(h->file, "best_theta", 1, &dp, b->theta), "/best_theta");
    CHECK(H5DSattach_scale(d, spar, 0), "/best_theta");
    CHECK(ilnet_h5_attr_long(h->file, "best_start", (long)f->best), "attributes");
    CHECK(ilnet_h5_attr_double(h->file, "best_llh", b->llh), "attributes");
    CHECK(ilnet_h5_attr_double(h->file, "best_log_prior", b->log_prior), "attributes");
    CHECK(ilnet_h5_attr_string(h->file, "status", f->stopped ? "running" : "complete"),
          "attributes");
out:
    if (d >= 0) H5Dclose(d);
    if (spar >= 0) H5Dclose(spar);
    if (H5Fclose(h->file) < 0 && !rc)
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed closing the file", path);
    h->file = -1;
    ilnet_h5fit_close(h);
    return rc;
}

void ilnet_h5fit_close(ilnet_h5fit *h)
{
    if (!h) return;
    if (h->file >= 0) H5Fclose(h->file);
    free(h->path);
    free(h);
}

/* a [parameter] dataset attached to the /parameter scale, replacing one there */
static int par_column(hid_t loc, const char *path, const char *name, const double *v, size_t n,
                      hid_t spar)
{
    int rc = 0;
    hsize_t dn = n;
    if (H5Lexists(loc, name, H5P_DEFAULT) > 0) H5Ldelete(loc, name, H5P_DEFAULT);
    hid_t d = ilnet_h5_write_doubles(loc, name, 1, &dn, v);
    CHECK(d, name);
    CHECK(H5DSattach_scale(d, spar, 0), name);
    CHECK(H5DSset_label(d, 0, "parameter"), name);
out:
    if (d >= 0) H5Dclose(d);
    return rc;
}

/* /profiles/<id>: value, llh, theta [point x parameter], status; attributes ci_lower and
 * ci_upper (-inf/+inf: unbounded), seconds, and the MPI rank that computed it */
static int write_profile(hid_t g, const char *path, const ilnet_fit *f, const ilnet_fit_profile *p,
                         hid_t spar)
{
    int rc = 0;
    hsize_t n = p->n, d2[2] = {p->n, f->n_par};
    hid_t pg = -1, d = -1;
    const char *id = f->ids[p->par];
    if (H5Lexists(g, id, H5P_DEFAULT) > 0) H5Ldelete(g, id, H5P_DEFAULT);
    CHECK(pg = H5Gcreate2(g, id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), id);
    CHECK(d = ilnet_h5_write_doubles(pg, "value", 1, &n, p->value), "profile value");
    H5Dclose(d);
    CHECK(d = ilnet_h5_write_doubles(pg, "llh", 1, &n, p->llh), "profile llh");
    H5Dclose(d);
    CHECK(d = ilnet_h5_write_doubles(pg, "theta", 2, d2, p->theta), "profile theta");
    CHECK(H5DSattach_scale(d, spar, 1), "profile theta");
    H5Dclose(d);
    d = -1;
    CHECK(H5LTmake_dataset_char(pg, "status", 1, &n, (const char *)p->status), "profile status");
    CHECK(ilnet_h5_attr_double(pg, "ci_lower", isnan(p->ci_lower) ? -INFINITY : p->ci_lower),
          "profile attributes");
    CHECK(ilnet_h5_attr_double(pg, "ci_upper", isnan(p->ci_upper) ? INFINITY : p->ci_upper),
          "profile attributes");
    CHECK(ilnet_h5_attr_double(pg, "seconds", p->seconds), "profile attributes");
    CHECK(ilnet_h5_attr_long(pg, "rank", p->rank), "profile attributes");
out:
    if (d >= 0) H5Dclose(d);
    if (pg >= 0) H5Gclose(pg);
    return rc;
}

int ilnet_h5fit_write_uncertainty(ilnet_h5fit *h, const ilnet_fit *f, const double *cov,
                                  const double *ci_lower, const double *ci_upper,
                                  const ilnet_fit_profile *profiles, size_t k)
{
    const char *path = h->path;
    size_t np = f->n_par;
    int rc = 0;
    hid_t spar = H5Dopen2(h->file, "parameter", H5P_DEFAULT), g = -1, d = -1;
    double *lo = malloc((np + 1) * sizeof *lo), *hi = malloc((np + 1) * sizeof *hi);
    if (!lo || !hi) {
        rc = ilnet_error_oom();
        goto out;
    }
    CHECK(spar, "/parameter");
    if (cov) {
        hsize_t d2[2] = {np, np};
        if ((rc = par_column(h->file, path, "fisher_ci_lower", ci_lower, np, spar)) ||
            (rc = par_column(h->file, path, "fisher_ci_upper", ci_upper, np, spar)))
            goto out;
        if (H5Lexists(h->file, "fisher_covariance", H5P_DEFAULT) > 0)
            H5Ldelete(h->file, "fisher_covariance", H5P_DEFAULT);
        CHECK(d = ilnet_h5_write_doubles(h->file, "fisher_covariance", 2, d2, cov),
              "/fisher_covariance");
        CHECK(H5DSattach_scale(d, spar, 0), "/fisher_covariance");
        CHECK(H5DSattach_scale(d, spar, 1), "/fisher_covariance");
    }
    if (!k) goto out;
    for (size_t j = 0; j < np; j++)
        lo[j] = hi[j] = NAN; /* not profiled */
    for (size_t q = 0; q < k; q++) {
        const ilnet_fit_profile *p = &profiles[q];
        lo[p->par] = isnan(p->ci_lower) ? -INFINITY : p->ci_lower;
        hi[p->par] = isnan(p->ci_upper) ? INFINITY : p->ci_upper;
    }
    if ((rc = par_column(h->file, path, "profile_ci_lower", lo, np, spar)) ||
        (rc = par_column(h->file, path, "profile_ci_upper", hi, np, spar)))
        goto out;
    if (H5Lexists(h->file, "profiles", H5P_DEFAULT) > 0)
        g = H5Gopen2(h->file, "profiles", H5P_DEFAULT);
    else
        g = H5Gcreate2(h->file, "profiles", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(g, "/profiles");
    for (size_t q = 0; q < k && !rc; q++)
        rc = write_profile(g, path, f, &profiles[q], spar);
out:
    if (d >= 0) H5Dclose(d);
    if (g >= 0) H5Gclose(g);
    if (spar >= 0) H5Dclose(spar);
    free(lo);
    free(hi);
    return rc;
}

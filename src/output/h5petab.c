/* PEtab evaluations into HDF5 (h5petab.h). Every measurement-indexed dataset has the
 * dimension scale /measurement (its row index), every parameter-indexed one /parameter
 * (the ids), so xarray opens the file as two aligned tables. */
#include "h5petab.h"

#include "h5util.h"

#include <hdf5.h>
#include <hdf5_hl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK ILNET_H5_CHECK

/* a 1-D dataset attached to the scale dim, labelled label (closed here) */
static int column(hid_t d, hid_t dim, const char *label)
{
    if (d < 0) return -1;
    int bad = H5DSattach_scale(d, dim, 0) < 0 || H5DSset_label(d, 0, label) < 0;
    return H5Dclose(d) < 0 || bad ? -1 : 0;
}

/* /measurement: the row indices 0..n-1, the scale of the measurement dimension */
static hid_t indices(hid_t loc, size_t n)
{
    hsize_t dim = n;
    long long *v = malloc((n + 1) * sizeof *v);
    hid_t sp = H5Screate_simple(1, &dim, NULL), d = -1;
    for (size_t i = 0; v && i < n; i++)
        v[i] = (long long)i;
    if (v && sp >= 0)
        d = H5Dcreate2(loc, "measurement", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT,
                       H5P_DEFAULT);
    if (d >= 0 && n && H5Dwrite(d, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, v) < 0) {
        H5Dclose(d);
        d = -1;
    }
    if (sp >= 0) H5Sclose(sp);
    free(v);
    return d;
}

static hid_t strings(hid_t loc, const char *name, const char **v, size_t n)
{
    return ilnet_h5_write_strings(loc, name, v, n);
}

int ilnet_h5_write_petab_measurements(hid_t file, const char *path, const ilnet_petab *p,
                                      const ilnet_petab_result *r)
{
    size_t n = p->n_meas;
    hsize_t dim = n;
    const char **obs = malloc((n + 1) * sizeof *obs), **pre = malloc((n + 1) * sizeof *pre),
               **sim = malloc((n + 1) * sizeof *sim);
    double *t = malloc((n + 1) * sizeof *t), *m = malloc((n + 1) * sizeof *m);
    hid_t dm = -1;
    int rc = obs && pre && sim && t && m ? 0 : ilnet_error_oom();
    for (size_t i = 0; !rc && i < n; i++) {
        const petab_measurement *q = &p->meas[i];
        obs[i] = p->obs[q->obs].id;
        pre[i] = q->preeq >= 0 ? p->cond_id[q->preeq] : "";
        sim[i] = p->cond_id[q->sim];
        t[i] = q->time, m[i] = q->value;
    }
    if (rc) goto out;
    CHECK(dm = indices(file, n), "/measurement");
    CHECK(H5DSset_scale(dm, "measurement"), "/measurement");
    CHECK(column(strings(file, "observable_id", obs, n), dm, "measurement"), "/observable_id");
    CHECK(column(strings(file, "preequilibration_condition_id", pre, n), dm, "measurement"),
          "/preequilibration_condition_id");
    CHECK(column(strings(file, "simulation_condition_id", sim, n), dm, "measurement"),
          "/simulation_condition_id");
    CHECK(column(ilnet_h5_write_doubles(file, "time", 1, &dim, t), dm, "measurement"), "/time");
    CHECK(column(ilnet_h5_write_doubles(file, "measured", 1, &dim, m), dm, "measurement"),
          "/measured");
    CHECK(column(ilnet_h5_write_doubles(file, "simulated", 1, &dim, r->sim), dm, "measurement"),
          "/simulated");
    CHECK(column(ilnet_h5_write_doubles(file, "sigma", 1, &dim, r->sigma), dm, "measurement"),
          "/sigma");
    if (r->residual)
        CHECK(column(ilnet_h5_write_doubles(file, "residual", 1, &dim, r->residual), dm,
                     "measurement"),
              "/residual");
out:
    if (dm >= 0) H5Dclose(dm);
    free(obs), free(pre), free(sim), free(t), free(m);
    return rc;
}

/* a parameter-indexed array with NaN where a row is not estimated */
static void estimated_only(const ilnet_petab *p, const double *v, double *out)
{
    for (size_t j = 0; j < p->n_par; j++)
        out[j] = p->par[j].estimate ? v[j] : NAN;
}

/* the parameter table as used: values (linear), scales, bounds, estimate; the gradients */
static int write_parameters(hid_t file, const char *path, const ilnet_petab *p, const double *x,
                            const ilnet_petab_result *r, hid_t dmeas)
{
    size_t n = p->n_par;
    hsize_t dim = n;
    const char **ids = malloc((n + 1) * sizeof *ids), **sc = malloc((n + 1) * sizeof *sc);
    double *v = malloc((3 * n + 1) * sizeof *v), *lo = v + n, *hi = v + 2 * n;
    hid_t dp = -1, dj = -1;
    int rc = ids && sc && v ? 0 : ilnet_error_oom();
    for (size_t j = 0; !rc && j < n; j++) {
        ids[j] = p->par[j].id;
        sc[j] = petab_scale_name(p->par[j].scale);
        lo[j] = p->par[j].lower, hi[j] = p->par[j].upper;
    }
    if (rc) goto out;
    CHECK(dp = strings(file, "parameter", ids, n), "/parameter");
    CHECK(H5DSset_scale(dp, "parameter"), "/parameter");
    CHECK(column(ilnet_h5_write_doubles(file, "parameter_value", 1, &dim, x), dp, "parameter"),
          "/parameter_value");
    CHECK(column(strings(file, "parameter_scale", sc, n), dp, "parameter"), "/parameter_scale");
    CHECK(column(ilnet_h5_write_doubles(file, "lower_bound", 1, &dim, lo), dp, "parameter"),
          "/lower_bound");
    CHECK(column(ilnet_h5_write_doubles(file, "upper_bound", 1, &dim, hi), dp, "parameter"),
          "/upper_bound");
    for (size_t j = 0; j < n; j++)
        v[j] = p->par[j].estimate;
    CHECK(column(ilnet_h5_write_doubles(file, "estimate", 1, &dim, v), dp, "parameter"),
          "/estimate");
    if (r->grad) {
        estimated_only(p, r->grad, v);
        CHECK(column(ilnet_h5_write_doubles(file, "gradient", 1, &dim, v), dp, "parameter"),
              "/gradient");
        estimated_only(p, r->prior_grad, v);
        CHECK(column(ilnet_h5_write_doubles(file, "prior_gradient", 1, &dim, v), dp, "parameter"),
              "/prior_gradient");
    }
    if (r->res_jac) {
        hsize_t dims[2] = {p->n_meas, n};
        CHECK(dj = ilnet_h5_write_doubles(file, "residual_jacobian", 2, dims, r->res_jac),
              "/residual_jacobian");
        CHECK(H5DSattach_scale(dj, dmeas, 0), "/residual_jacobian dims");
        CHECK(H5DSattach_scale(dj, dp, 1), "/residual_jacobian dims");
        CHECK(H5DSset_label(dj, 0, "measurement"), "/residual_jacobian labels");
        CHECK(H5DSset_label(dj, 1, "parameter"), "/residual_jacobian labels");
    }
out:
    if (dj >= 0) H5Dclose(dj);
    if (dp >= 0) H5Dclose(dp);
    free(ids), free(sc), free(v);
    return rc;
}

static int write_attributes(hid_t file, const char *path, const ilnet_petab_result *r,
                            const ilnet_h5_petab_meta *meta)
{
    int rc = 0;
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    CHECK(root, "root group");
    CHECK(ilnet_h5_provenance(root, "petab evaluation"), "attributes");
    CHECK(ilnet_h5_attr_string(root, "problem_path", meta->problem_path), "attributes");
    CHECK(ilnet_h5_attr_string(root, "command_line", meta->command_line), "attributes");
    CHECK(ilnet_h5_attr_double(root, "wall_time_s", meta->wall_seconds), "attributes");
    CHECK(ilnet_h5_attr_string(root, "status", r->status ? "failed" : "complete"), "attributes");
    CHECK(ilnet_h5_attr_string(root, "message", r->message), "attributes");
    CHECK(ilnet_h5_attr_double(root, "llh", r->llh), "attributes");
    CHECK(ilnet_h5_attr_double(root, "chi2", r->chi2), "attributes");
    CHECK(ilnet_h5_attr_double(root, "log_prior", r->log_prior), "attributes");
    CHECK(ilnet_h5_attr_double(root, "solver_atol", meta->atol), "attributes");
    CHECK(ilnet_h5_attr_double(root, "solver_rtol", meta->rtol), "attributes");
out:
    if (root >= 0) H5Gclose(root);
    return rc;
}

int ilnet_h5_write_petab(const char *path, const ilnet_petab *p, const double *x,
                         const ilnet_petab_result *r, const ilnet_h5_petab_meta *meta)
{
    ilnet_h5_newfile nf;
    int rc = 0;
    hid_t file = ilnet_h5_create(&nf, path), dm = -1;
    if (file < 0) return ilnet_h5_finish(&nf, -1, path, (int)file);
    if ((rc = ilnet_h5_write_petab_measurements(file, path, p, r))) goto out;
    CHECK(dm = H5Dopen2(file, "measurement", H5P_DEFAULT), "/measurement");
    if ((rc = write_parameters(file, path, p, x, r, dm))) goto out;
    rc = write_attributes(file, path, r, meta);
out:
    if (dm >= 0) H5Dclose(dm);
    return ilnet_h5_finish(&nf, file, path, rc);
}

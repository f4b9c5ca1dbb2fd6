#include "h5out.h"

#include "../common/file.h"
#include "../common/error.h"
#include <ilnet/version.h>
#include "h5util.h"
#include "textout.h"

#include <errno.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CHECK ILNET_H5_CHECK

static hid_t write_matrix(hid_t file, const char *name, const double *data, int rank, size_t rows,
                          size_t cols)
{
    hsize_t dims[2] = {rows, cols};
    return ilnet_h5_write_doubles(file, name, rank, dims, data);
}

static hid_t write_cube(hid_t file, const char *name, const double *data, size_t n0, size_t n1,
                        size_t n2)
{
    hsize_t dims[3] = {n0, n1, n2};
    return ilnet_h5_write_doubles(file, name, 3, dims, data);
}

/* /species_sensitivities [time x species x parameter] and /observable_sensitivities, their
 * third dimension the scale /sensitivity_parameter (docs/hdf5-layout.md) */
static int write_sensitivities(hid_t file, const char *path, const ilnet_network *net,
                               const ilnet_result *res, hid_t dt, hid_t dsn, hid_t don)
{
    size_t k = res->n_sens, nt = res->n_done;
    size_t ns = ilnet_network_species_count(net), no = ilnet_network_observable_count(net);
    int rc = 0;
    hid_t dpn = -1, dss = -1, dos = -1;
    const char **names = malloc((k + 1) * sizeof *names);
    if (!names) return ilnet_error_oom();
    for (size_t j = 0; j < k; j++) {
        int w = res->sens_which[j];
        names[j] = w >= 0 ? ilnet_network_parameter(net, (size_t)w)->name
                          : ilnet_network_species_label(net, (size_t)(-w - 1));
    }
    CHECK(dpn = ilnet_h5_write_strings(file, "sensitivity_parameter", names, k),
          "/sensitivity_parameter");
    CHECK(H5DSset_scale(dpn, "sensitivity_parameter"), "sensitivity scale");
    CHECK(dss = write_cube(file, "species_sensitivities", res->sens, nt, ns, k),
          "/species_sensitivities");
    CHECK(dos = write_cube(file, "observable_sensitivities", res->obs_sens, nt, no, k),
          "/observable_sensitivities");
    hid_t cubes[2] = {dss, dos}, second[2] = {dsn, don};
    const char *lab[2] = {"species", "observable"};
    for (int c = 0; c < 2; c++) {
        CHECK(H5DSattach_scale(cubes[c], dt, 0), "sensitivity dims");
        CHECK(H5DSattach_scale(cubes[c], second[c], 1), "sensitivity dims");
        CHECK(H5DSattach_scale(cubes[c], dpn, 2), "sensitivity dims");
        CHECK(H5DSset_label(cubes[c], 0, "time"), "sensitivity labels");
        CHECK(H5DSset_label(cubes[c], 1, lab[c]), "sensitivity labels");
        CHECK(H5DSset_label(cubes[c], 2, "sensitivity_parameter"), "sensitivity labels");
    }
    CHECK(ilnet_h5_attr_string(dss, "method",
                               "CVODES forward sensitivities (staggered, error control on), "
                               "df/dp exact from the network"),
          "attributes");
out:
    if (dos >= 0) H5Dclose(dos);
    if (dss >= 0) H5Dclose(dss);
    if (dpn >= 0) H5Dclose(dpn);
    free(names);
    return rc;
}

/* how a steady state was found, as attributes of the root group */
static int write_steady(hid_t root, const char *path, const ilnet_steady_result *r)
{
    int rc = 0;
    CHECK(ilnet_h5_attr_string(root, "kind", "steady state"), "attributes");
    CHECK(ilnet_h5_attr_string(root, "steady_state_method", ilnet_steady_method_name(r->method)),
          "attributes");
    CHECK(ilnet_h5_attr_double(root, "steady_state_wrms", r->wrms), "attributes");
    CHECK(ilnet_h5_attr_long(root, "steady_state_newton_iters", r->newton_iters), "attributes");
    CHECK(ilnet_h5_attr_long(root, "steady_state_steps", r->steps), "attributes");
out:
    return rc;
}

/* CVODE's counters as attributes of the root group */
static int write_stats(hid_t root, const char *path, const ilnet_solver_stats *st)
{
    int rc = 0;
    CHECK(ilnet_h5_attr_long(root, "stats_steps", st->steps), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_rhs_evals", st->rhs_evals), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_jac_evals", st->jac_evals), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_lin_setups", st->lin_setups), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_err_test_fails", st->err_test_fails), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_nonlin_iters", st->nonlin_iters), "attributes");
    CHECK(ilnet_h5_attr_long(root, "stats_nonlin_conv_fails", st->nonlin_conv_fails), "attributes");
    CHECK(ilnet_h5_attr_double(root, "stats_t_reached", st->t_reached), "attributes");
out:
    return rc;
}

/* BNGL print_functions=>1: /functions [time x function] with the scale /function. */
static int write_functions(hid_t file, const char *path, const ilnet_network *net,
                           const ilnet_result *res, hid_t dt)
{
    size_t nf = ilnet_network_function_count(net);
    int rc = 0;
    hid_t dn = -1, dv = -1;
    const char **names = malloc((nf + 1) * sizeof *names);
    double *v = nf ? ilnet_result_functions(net, res) : NULL;
    if (!names || (nf && !v)) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory writing %s", path);
        goto out;
    }
    for (size_t k = 0; k < nf; k++)
        names[k] = ilnet_network_function(net, k)->name;
    CHECK(dn = ilnet_h5_write_strings(file, "function", names, nf), "/function");
    CHECK(dv = write_matrix(file, "functions", v, 2, res->n_done, nf), "/functions");
    CHECK(H5DSset_scale(dn, "function"), "function scale");
    CHECK(H5DSattach_scale(dv, dt, 0), "/functions dims");
    CHECK(H5DSattach_scale(dv, dn, 1), "/functions dims");
    CHECK(H5DSset_label(dv, 0, "time"), "/functions labels");
    CHECK(H5DSset_label(dv, 1, "function"), "/functions labels");
out:
    if (dv >= 0) H5Dclose(dv);
    if (dn >= 0) H5Dclose(dn);
    free(names);
    free(v);
    return rc;
}

int ilnet_h5_write_timecourse(const char *path, const ilnet_network *net, const ilnet_result *res,
                              const ilnet_timecourse_meta *meta)
{
    size_t ns = ilnet_network_species_count(net), no = ilnet_network_observable_count(net);
    size_t nt = res->n_done;
    int rc = 0;
    ilnet_h5_newfile nf = {0};
    const char **snames = malloc((ns + 1) * sizeof *snames);
    const char **onames = malloc((no + 1) * sizeof *onames);
    size_t np = ilnet_network_parameter_count(net);
    const char **pnames = malloc((np + 1) * sizeof *pnames);
    double *pvals = malloc((np + 1) * sizeof *pvals);
    hid_t dpn = -1, dpv = -1;
    hid_t file = -1, dt = -1, dsn = -1, don = -1, ds = -1, dob = -1, root = -1;
    if (!snames || !onames || !pnames || !pvals) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory writing %s", path);
        goto out;
    }
    for (size_t i = 0; i < ns; i++)
        snames[i] = ilnet_network_species_label(net, i);
    for (size_t i = 0; i < no; i++)
        onames[i] = ilnet_network_observable(net, i)->name;
    for (size_t i = 0; i < np; i++) {
        pnames[i] = ilnet_network_parameter(net, i)->name;
        pvals[i] = ilnet_network_parameter(net, i)->value;
    }

    if ((file = ilnet_h5_create(&nf, path)) < 0) {
        rc = (int)file;
        goto out;
    }
    CHECK(dt = write_matrix(file, "time", res->times, 1, nt, 0), "/time");
    CHECK(dsn = ilnet_h5_write_strings(file, "species", snames, ns), "/species");
    CHECK(don = ilnet_h5_write_strings(file, "observable", onames, no), "/observable");
    CHECK(ds = write_matrix(file, "species_amounts", res->species, 2, nt, ns), "/species_amounts");
    CHECK(dob = write_matrix(file, "observables", res->observables, 2, nt, no), "/observables");
    /* Dimension scales: netCDF readers (h5netcdf, xarray) name a dimension after its
     * scale dataset. */
    CHECK(H5DSset_scale(dt, "time"), "time scale");
    CHECK(H5DSset_scale(dsn, "species"), "species scale");
    CHECK(H5DSset_scale(don, "observable"), "observable scale");
    CHECK(H5DSattach_scale(ds, dt, 0), "/species_amounts dims");
    CHECK(H5DSattach_scale(ds, dsn, 1), "/species_amounts dims");
    CHECK(H5DSattach_scale(dob, dt, 0), "/observables dims");
    CHECK(H5DSattach_scale(dob, don, 1), "/observables dims");
    CHECK(H5DSset_label(ds, 0, "time"), "/species_amounts labels");
    CHECK(H5DSset_label(ds, 1, "species"), "/species_amounts labels");
    CHECK(H5DSset_label(dob, 0, "time"), "/observables labels");
    CHECK(H5DSset_label(dob, 1, "observable"), "/observables labels");
    /* the parameter values the run used (after presets and overrides) */
    CHECK(dpn = ilnet_h5_write_strings(file, "parameter", pnames, np), "/parameter");
    CHECK(dpv = write_matrix(file, "parameter_values", pvals, 1, np, 0), "/parameter_values");
    CHECK(H5DSset_scale(dpn, "parameter"), "parameter scale");
    CHECK(H5DSattach_scale(dpv, dpn, 0), "/parameter_values dims");
    CHECK(H5DSset_label(dpv, 0, "parameter"), "/parameter_values labels");
    CHECK(ilnet_h5_attr_string(ds, "units", "model amount units"), "attributes");
    CHECK(ilnet_h5_attr_string(dt, "units", "model time units"), "attributes");
    if (res->n_sens && (rc = write_sensitivities(file, path, net, res, dt, dsn, don))) goto out;
    if (meta->print_functions && (rc = write_functions(file, path, net, res, dt))) goto out;

    CHECK(root = H5Gopen2(file, "/", H5P_DEFAULT), "root group");
    char when[64];
    ilnet_h5_utc_now(when, sizeof when);
    const ilnet_solver_options *o = meta->options;
    CHECK(ilnet_h5_attr_string(root, "ilnet_version", ILNET_VERSION), "attributes");
    CHECK(ilnet_h5_attr_string(root, "model_path", meta->model_path), "attributes");
    CHECK(ilnet_h5_attr_string(root, "model_text", meta->model_text), "attributes");
    CHECK(ilnet_h5_attr_string(root, "command_line", meta->command_line), "attributes");
    CHECK(ilnet_h5_attr_string(root, "created_utc", when), "attributes");
    CHECK(ilnet_h5_attr_double(root, "wall_time_s", meta->wall_seconds), "attributes");
    CHECK(ilnet_h5_attr_string(root, "status", res->status ? "partial" : "complete"), "attributes");
    CHECK(ilnet_h5_attr_string(root, "message", res->message), "attributes");
    CHECK(ilnet_h5_attr_long(root, "n_times_requested", (long)res->n_times), "attributes");
    CHECK(ilnet_h5_attr_string(root, "solver", "CVODE BDF, Newton, analytic Jacobian"),
          "attributes");
    CHECK(ilnet_h5_attr_string(root, "solver_linear_solver", meta->linear_solver), "attributes");
    if (o) {
        CHECK(ilnet_h5_attr_double(root, "solver_atol", o->atol), "attributes");
        CHECK(ilnet_h5_attr_double(root, "solver_rtol", o->rtol), "attributes");
        CHECK(ilnet_h5_attr_long(root, "solver_max_steps", o->max_steps), "attributes");
    }
    if ((rc = write_stats(root, path, &res->stats))) goto out;
    if (meta->steady && (rc = write_steady(root, path, meta->steady))) goto out;
out:
    if (root >= 0) H5Gclose(root);
    if (dpv >= 0) H5Dclose(dpv);
    if (dpn >= 0) H5Dclose(dpn);
    if (dob >= 0) H5Dclose(dob);
    if (ds >= 0) H5Dclose(ds);
    if (don >= 0) H5Dclose(don);
    if (dsn >= 0) H5Dclose(dsn);
    if (dt >= 0) H5Dclose(dt);
    free(snames);
    free(onames);
    free(pnames);
    free(pvals);
    return ilnet_h5_finish(&nf, file, path, rc);
}

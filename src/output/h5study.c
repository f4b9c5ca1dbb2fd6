#include "h5study.h"

#include "../common/file.h"
#include "../common/error.h"
#include "h5util.h"

#include <errno.h>
#include <hdf5_hl.h>
#include <math.h>
#ifdef ILNET_MPI
#include <mpi.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define MSG_LEN 256

const char *const ilnet_h5study_fit_fields[ILNET_H5STUDY_FIT_FIELDS] = {
    "ec50",      "hill",   "bottom", "top", "se_ec50",      "se_hill",
    "se_bottom", "se_top", "r2",     "rss", "half_max_dose"};

typedef struct {
    hid_t g, obs, sp, status, stats, msg;
    hid_t osens, ssens; /* sensitivities of the observables and species, when stored */
} grp;

struct ilnet_h5study {
    char *path;
    hid_t file;
    const ilnet_h5study_meta *meta;
    const ilnet_h5study_group *groups;
    int n_groups;
    grp *g;
};

/* Every HDF5 call goes through CHECK so a failure is reported, not ignored. */
#define CHECK(expr, what)                                                                          \
    do {                                                                                           \
        errno = 0;                                                                                 \
        if ((expr) < 0) {                                                                          \
            const char *why_ = ilnet_file_io_reason(errno);                                        \
            rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed at %s%s%s", where, what,              \
                                 *why_ ? ": " : "", why_);                                         \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

/* Points per chunk: about 256 KiB of one point's rows, at least 1. */
static hsize_t points_per_chunk(size_t n_points, size_t bytes_per_point)
{
    size_t k = bytes_per_point ? (256u << 10) / bytes_per_point : 1024;
    if (k < 1) k = 1;
    if (k > n_points) k = n_points ? n_points : 1;
    return (hsize_t)k;
}

/* A chunked dataset [n_points × d1 × d2 × d3] (rank 1–4). Working files allocate it whole
 * at creation; final files compress it. */
static hid_t make_dataset(hid_t loc, const char *name, hid_t type, int rank, const hsize_t *dims,
                          size_t elem, int compression, int working)
{
    hsize_t chunk[4] = {1, rank > 1 ? dims[1] : 1, rank > 2 ? dims[2] : 1, rank > 3 ? dims[3] : 1};
    size_t per = elem;
    for (int i = 1; i < rank; i++)
        per *= dims[i] ? dims[i] : 1;
    chunk[0] = points_per_chunk(dims[0], per);
    for (int i = 1; i < rank; i++)
        if (chunk[i] == 0) chunk[i] = 1;
    hid_t sp = H5Screate_simple(rank, dims, NULL), dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    if (sp < 0 || dcpl < 0) goto out;
    int empty = 0;
    for (int i = 0; i < rank; i++)
        empty |= dims[i] == 0;
    if (!empty) {
        if (H5Pset_chunk(dcpl, rank, chunk) < 0) goto out;
        if (working) {
            if (H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY) < 0) goto out;
        } else if (compression > 0) {
            if (H5Pset_shuffle(dcpl) < 0 || H5Pset_deflate(dcpl, (unsigned)compression) < 0)
                goto out;
        }
        if (H5Tget_class(type) == H5T_FLOAT) {
            double nan = NAN;
            if (H5Pset_fill_value(dcpl, H5T_NATIVE_DOUBLE, &nan) < 0) goto out;
        }
    }
    d = H5Dcreate2(loc, name, type, sp, H5P_DEFAULT, dcpl, H5P_DEFAULT);
out:
    if (sp >= 0) H5Sclose(sp);
    if (dcpl >= 0) H5Pclose(dcpl);
    return d;
}

static hid_t msg_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t >= 0 && (H5Tset_size(t, MSG_LEN) < 0 || H5Tset_strpad(t, H5T_STR_NULLTERM) < 0)) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

/* Attaches scales to the dimensions of d and labels them. */
static int attach(hid_t d, const hid_t *scales, const char *const *labels, int rank)
{
    for (int i = 0; i < rank; i++) {
        if (scales[i] < 0) continue;
        if (H5DSattach_scale(d, scales[i], (unsigned)i) < 0) return -1;
        if (H5DSset_label(d, (unsigned)i, labels[i]) < 0) return -1;
    }
    return 0;
}

static void grp_reset(grp *gr)
{
    gr->g = gr->obs = gr->sp = gr->status = gr->stats = gr->msg = gr->osens = gr->ssens = -1;
}

static int close_all(hid_t *ids, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        if (ids[i] >= 0) bad |= H5Dclose(ids[i]) < 0;
    return bad ? -1 : 0;
}

/* Dimension scales of a group, in the order of scale_names. */
enum { S_POINT, S_TIME, S_OBS, S_SP, S_PAR, S_STAT, S_SENS, S_DOSE, S_SER, S_RO, S_FF, S_N };
static const char *const scale_names[S_N] = {
    "point", "time",   "observable", "species",  "parameter", "stat", "sensitivity_parameter",
    "dose",  "series", "readout",    "fit_field"};

/* The point index 0..n_points-1 as a dataset (the point scale) in *out, -1 when HDF5
 * failed; returns nonzero only when out of memory. */
static int write_point_index(hid_t g, const ilnet_h5study_group *G, hid_t *out)
{
    hsize_t np = G->n_points;
    *out = -1;
    long long *idx = malloc((G->n_points + 1) * sizeof *idx);
    if (!idx) return ilnet_error_oom();
    for (size_t i = 0; i < G->n_points; i++)
        idx[i] = (long long)i;
    hid_t sp = H5Screate_simple(1, &np, NULL);
    *out = sp < 0
               ? -1
               : H5Dcreate2(g, "point", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (*out >= 0 && np &&
        H5Dwrite(*out, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, idx) < 0) {
        H5Dclose(*out);
        *out = -1;
    }
    if (sp >= 0) H5Sclose(sp);
    free(idx);
    return 0;
}

/* The scales every group has: point, time, observable, species (when stored), parameter
 * and stat, into sc. */
/* Declared units (config units:): observable_units [observable] and parameter_units
 * [parameter], variables along those dimensions ("" where none was declared). */
static int write_units(hid_t g, const char *where, const ilnet_h5study_group *G, const hid_t *sc)
{
    int rc = 0;
    for (int k = 0; k < 2; k++) {
        const char *const *u = k ? G->var_units : G->obs_units;
        size_t n = k ? (size_t)G->n_vars : (size_t)G->n_obs;
        if (!u || !n) continue;
        const char *name = k ? "parameter_units" : "observable_units";
        hid_t d;
        CHECK(d = ilnet_h5_write_strings(g, name, u, n), name);
        int bad =
            attach(d, &sc[k ? S_PAR : S_OBS], (const char *[]){k ? "parameter" : "observable"}, 1);
        H5Dclose(d);
        CHECK(bad, name);
    }
out:
    return rc;
}

static int create_scales(hid_t g, const char *where, const ilnet_h5study_group *G, hid_t *sc)
{
    int rc = 0;
    hsize_t nt = G->n_times;
    if ((rc = write_point_index(g, G, &sc[S_POINT]))) goto out;
    CHECK(sc[S_POINT], "point");
    CHECK(sc[S_TIME] = ilnet_h5_write_doubles(g, "time", 1, &nt, G->times), "time");
    if (G->time_units) CHECK(ilnet_h5_attr_string(sc[S_TIME], "units", G->time_units), "time");

    CHECK(sc[S_OBS] = ilnet_h5_write_strings(g, "observable", G->obs_names, (size_t)G->n_obs),
          "observable");
    if (G->n_species)
        CHECK(sc[S_SP] =
                  ilnet_h5_write_strings(g, "species", G->species_names, (size_t)G->n_species),
              "species");
    CHECK(sc[S_PAR] = ilnet_h5_write_strings(g, "parameter", G->var_names, (size_t)G->n_vars),
          "parameter");
    CHECK(sc[S_STAT] = ilnet_h5_write_strings(g, "stat", G->stat_names, (size_t)G->n_stats),
          "stat");
    if (G->n_sens)
        CHECK(sc[S_SENS] = ilnet_h5_write_strings(g, "sensitivity_parameter", G->sens_names,
                                                  (size_t)G->n_sens),
              "sensitivity_parameter");
    for (int i = 0; i < S_SENS + 1; i++)
        if (sc[i] >= 0) CHECK(H5DSset_scale(sc[i], scale_names[i]), "dimension scales");
    rc = write_units(g, where, G, sc);
out:
    return rc;
}

/* observable_sensitivities [point × time × observable × sensitivity_parameter], and
 * species_sensitivities when species are stored (into gr) */
static int create_sens_data(hid_t g, const char *where, const ilnet_h5study_group *G,
                            int compression, int working, const hid_t *sc, grp *gr)
{
    int rc = 0;
    hsize_t np = G->n_points, nt = G->n_times, nk = (hsize_t)G->n_sens;
    hsize_t od[4] = {np, nt, (hsize_t)G->n_obs, nk};
    CHECK(gr->osens = make_dataset(g, "observable_sensitivities", H5T_IEEE_F64LE, 4, od, 8,
                                   compression, working),
          "observable_sensitivities");
    CHECK(attach(gr->osens, (hid_t[]){sc[S_POINT], sc[S_TIME], sc[S_OBS], sc[S_SENS]},
                 (const char *[]){"point", "time", "observable", "sensitivity_parameter"}, 4),
          "observable_sensitivities dims");
    if (!G->n_species) goto out;
    hsize_t sd[4] = {np, nt, (hsize_t)G->n_species, nk};
    CHECK(gr->ssens = make_dataset(g, "species_sensitivities", H5T_IEEE_F64LE, 4, sd, 8,
                                   compression, working),
          "species_sensitivities");
    CHECK(attach(gr->ssens, (hid_t[]){sc[S_POINT], sc[S_TIME], sc[S_SP], sc[S_SENS]},
                 (const char *[]){"point", "time", "species", "sensitivity_parameter"}, 4),
          "species_sensitivities dims");
out:
    return rc;
}

/* The per-point datasets: parameters (into *params), and observables, species_amounts,
 * status, stats and message (into gr). */
static int create_point_data(hid_t g, const char *where, const ilnet_h5study_group *G,
                             int compression, int working, hid_t mt, const hid_t *sc, grp *gr,
                             hid_t *params)
{
    int rc = 0;
    hsize_t np = G->n_points, nt = G->n_times;
    hsize_t pv[2] = {np, (hsize_t)G->n_vars};
    hid_t d;
    CHECK(d = ilnet_h5_write_doubles(g, "parameters", 2, pv, G->var_values), "parameters");
    *params = d;
    CHECK(attach(d, (hid_t[]){sc[S_POINT], sc[S_PAR]}, (const char *[]){"point", "parameter"}, 2),
          "parameters dims");
    hsize_t od[3] = {np, nt, (hsize_t)G->n_obs};
    CHECK(gr->obs = make_dataset(g, "observables", H5T_IEEE_F64LE, 3, od, 8, compression, working),
          "observables");
    CHECK(attach(gr->obs, (hid_t[]){sc[S_POINT], sc[S_TIME], sc[S_OBS]},
                 (const char *[]){"point", "time", "observable"}, 3),
          "observables dims");
    if (G->n_species) {
        hsize_t sd[3] = {np, nt, (hsize_t)G->n_species};
        CHECK(gr->sp = make_dataset(g, "species_amounts", H5T_IEEE_F64LE, 3, sd, 8, compression,
                                    working),
              "species_amounts");
        CHECK(attach(gr->sp, (hid_t[]){sc[S_POINT], sc[S_TIME], sc[S_SP]},
                     (const char *[]){"point", "time", "species"}, 3),
              "species_amounts dims");
    }
    if (G->n_sens && (rc = create_sens_data(g, where, G, compression, working, sc, gr))) goto out;
    CHECK(gr->status = make_dataset(g, "status", H5T_STD_I8LE, 1, &np, 1, compression, working),
          "status");
    CHECK(attach(gr->status, &sc[S_POINT], (const char *[]){"point"}, 1), "status dims");
    hsize_t sd2[2] = {np, (hsize_t)G->n_stats};
    CHECK(gr->stats = make_dataset(g, "stats", H5T_IEEE_F64LE, 2, sd2, 8, compression, working),
          "stats");
    CHECK(
        attach(gr->stats, (hid_t[]){sc[S_POINT], sc[S_STAT]}, (const char *[]){"point", "stat"}, 2),
        "stats dims");
    CHECK(gr->msg = make_dataset(g, "message", mt, 1, &np, MSG_LEN, compression, working),
          "message");
    CHECK(attach(gr->msg, &sc[S_POINT], (const char *[]){"point"}, 1), "message dims");
out:
    return rc;
}

/* A dose response's fit results (final form): fit_field scale, response, fit, fit_status
 * and fit_quality (into extra[0..3]). */
static int create_fit_data(hid_t g, const char *where, const ilnet_h5study_group *G,
                           const ilnet_h5study_final *fin, hid_t *sc, hid_t *extra)
{
    int rc = 0;
    hsize_t nd = (hsize_t)G->n_doses, ns = (hsize_t)G->n_series, nr = (hsize_t)G->n_readouts,
            nf = ILNET_H5STUDY_FIT_FIELDS;
    CHECK(sc[S_FF] = ilnet_h5_write_strings(g, "fit_field", ilnet_h5study_fit_fields, nf),
          "fit_field");
    CHECK(H5DSset_scale(sc[S_FF], "fit_field"), "dimension scales");
    hsize_t rd[3] = {ns, nd, nr}, fd[3] = {ns, nr, nf}, sd3[2] = {ns, nr};
    CHECK(extra[0] = ilnet_h5_write_doubles(g, "response", 3, rd, fin->response), "response");
    CHECK(attach(extra[0], (hid_t[]){sc[S_SER], sc[S_DOSE], sc[S_RO]},
                 (const char *[]){"series", "dose", "readout"}, 3),
          "response dims");
    CHECK(extra[1] = ilnet_h5_write_doubles(g, "fit", 3, fd, fin->fit), "fit");
    CHECK(attach(extra[1], (hid_t[]){sc[S_SER], sc[S_RO], sc[S_FF]},
                 (const char *[]){"series", "readout", "fit_field"}, 3),
          "fit dims");
    hid_t sp = H5Screate_simple(2, sd3, NULL);
    CHECK(sp, "fit_status");
    extra[2] = H5Dcreate2(g, "fit_status", H5T_STD_I8LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    H5Sclose(sp);
    CHECK(extra[2], "fit_status");
    if (ns > 0 && nr > 0)
        CHECK(H5Dwrite(extra[2], H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, fin->fit_status),
              "fit_status");
    CHECK(
        attach(extra[2], (hid_t[]){sc[S_SER], sc[S_RO]}, (const char *[]){"series", "readout"}, 2),
        "fit_status dims");
    CHECK(extra[3] = ilnet_h5_write_strings2(g, "fit_quality", sd3, fin->fit_quality),
          "fit_quality");
    CHECK(
        attach(extra[3], (hid_t[]){sc[S_SER], sc[S_RO]}, (const char *[]){"series", "readout"}, 2),
        "fit_quality dims");
out:
    return rc;
}

/* A saltelli sweep's Sobol' indices (final form): sobol_first and sobol_total
 * [time x observable x parameter] (into extra[0..1]) and the base samples they rest on. */
static int create_sobol_data(hid_t g, const char *where, const ilnet_h5study_group *G,
                             const ilnet_h5study_final *fin, const hid_t *sc, hid_t *extra)
{
    int rc = 0;
    hsize_t d[3] = {G->n_times, (hsize_t)G->n_obs, (hsize_t)G->n_vars};
    const char *dims[3] = {"time", "observable", "parameter"};
    CHECK(extra[0] = ilnet_h5_write_doubles(g, "sobol_first", 3, d, fin->sobol_first),
          "sobol_first");
    CHECK(attach(extra[0], (hid_t[]){sc[S_TIME], sc[S_OBS], sc[S_PAR]}, dims, 3),
          "sobol_first dims");
    CHECK(extra[1] = ilnet_h5_write_doubles(g, "sobol_total", 3, d, fin->sobol_total),
          "sobol_total");
    CHECK(attach(extra[1], (hid_t[]){sc[S_TIME], sc[S_OBS], sc[S_PAR]}, dims, 3),
          "sobol_total dims");
    CHECK(ilnet_h5_attr_long(g, "sobol_samples_used", (long)fin->sobol_used), "group attributes");
out:
    return rc;
}

/* A virtual dataset NAME [grid dims x inner dims] over the group's point-shaped SRC
 * [point x inner dims]: every element of one maps to the other in row-major order, which
 * is the points' order (a grid's last parameter varies fastest; a dose response's dose),
 * so no data is copied. */
static hid_t make_view(hid_t g, const char *group, const char *src, const char *name, hid_t type,
                       int ng, const hsize_t *gdims, int ni, const hsize_t *inner)
{
    hsize_t vd[H5S_MAX_RANK], sd[H5S_MAX_RANK];
    hsize_t np = 1;
    for (int i = 0; i < ng; i++)
        vd[i] = gdims[i], np *= gdims[i];
    sd[0] = np;
    for (int i = 0; i < ni; i++)
        vd[ng + i] = sd[1 + i] = inner[i];
    char path[1024];
    snprintf(path, sizeof path, "/%s/%s", group, src);
    hid_t vs = H5Screate_simple(ng + ni, vd, NULL), ss = H5Screate_simple(1 + ni, sd, NULL);
    hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE), d = -1;
    if (vs >= 0 && ss >= 0 && dcpl >= 0 && H5Sselect_all(vs) >= 0 && H5Sselect_all(ss) >= 0 &&
        H5Pset_virtual(dcpl, vs, ".", path, ss) >= 0)
        d = H5Dcreate2(g, name, type, vs, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (dcpl >= 0) H5Pclose(dcpl);
    if (ss >= 0) H5Sclose(ss);
    if (vs >= 0) H5Sclose(vs);
    return d;
}

/* An axis of a grid view: the parameter's values as a dimension scale named after it (with
 * "_axis" appended when that name is one of the group's datasets). */
static hid_t make_axis(hid_t g, const char *param, size_t n, const double *values)
{
    static const char *const taken[] = {"point",
                                        "time",
                                        "observable",
                                        "species",
                                        "parameter",
                                        "parameters",
                                        "stat",
                                        "stats",
                                        "status",
                                        "message",
                                        "observables",
                                        "species_amounts",
                                        "sensitivity_parameter",
                                        "observable_sensitivities",
                                        "species_sensitivities",
                                        "sobol_first",
                                        "sobol_total"};
    char name[512];
    snprintf(name, sizeof name, "%s", param);
    for (size_t i = 0; i < sizeof taken / sizeof *taken; i++)
        if (!strcmp(param, taken[i]) || strstr(param, "_grid")) {
            snprintf(name, sizeof name, "%s_axis", param);
            break;
        }
    hsize_t dim = n;
    hid_t d = ilnet_h5_write_doubles(g, name, 1, &dim, values);
    if (d >= 0 && H5DSset_scale(d, name) < 0) {
        H5Dclose(d);
        d = -1;
    }
    return d;
}

/* The point datasets xarray reads with the swept values as coordinates */
static const char *const point_data[] = {
    "observables",           "species_amounts", "status", "stats", "observable_sensitivities",
    "species_sensitivities", "message",         NULL};

/* A sweep that is not a grid (zip, LHS, Sobol', Saltelli, file): each swept quantity's
 * values as a dataset [point] named after it ("_value" appended when the name is taken),
 * listed in the point datasets' "coordinates" attribute, so that xarray shows them as
 * coordinates along point. */
static int create_point_coords(hid_t g, const char *where, const ilnet_h5study_group *G,
                               const hid_t *sc)
{
    int rc = 0;
    double *col = malloc((G->n_points + 1) * sizeof *col);
    char *list = calloc(1, 1);
    size_t len = 0;
    if (!col || !list) {
        rc = ilnet_error_oom();
        goto out;
    }
    for (int j = 0; j < G->n_vars; j++) {
        char name[600];
        snprintf(name, sizeof name, "%s", G->var_names[j]);
        if (H5Lexists(g, name, H5P_DEFAULT) != 0 || strchr(name, ' ') || strchr(name, '/'))
            snprintf(name, sizeof name, "%s_value", G->var_names[j]);
        if (strchr(name, ' ') || strchr(name, '/') || H5Lexists(g, name, H5P_DEFAULT) != 0)
            continue; /* not a name a coordinates list can hold */
        for (size_t p = 0; p < G->n_points; p++)
            col[p] = G->var_values[p * (size_t)G->n_vars + (size_t)j];
        hsize_t np = G->n_points;
        hid_t d;
        CHECK(d = ilnet_h5_write_doubles(g, name, 1, &np, col), name);
        int bad = attach(d, &sc[S_POINT], (const char *[]){"point"}, 1);
        H5Dclose(d);
        CHECK(bad, name);
        char *grown = realloc(list, len + strlen(name) + 2);
        if (!grown) {
            rc = ilnet_error_oom();
            goto out;
        }
        list = grown;
        len += (size_t)sprintf(list + len, "%s%s", len ? " " : "", name);
    }
    for (int i = 0; len && point_data[i]; i++) {
        if (H5Lexists(g, point_data[i], H5P_DEFAULT) <= 0) continue;
        hid_t d = H5Dopen2(g, point_data[i], H5P_DEFAULT);
        CHECK(d, point_data[i]);
        herr_t e = ilnet_h5_attr_string(d, "coordinates", list);
        H5Dclose(d);
        CHECK(e, point_data[i]);
    }
out:
    free(col);
    free(list);
    return rc;
}

/* Views shaped by the study (final form): a grid sweep's point data by its parameters
 * (axes named after them), a dose response's by series and dose: observables_grid,
 * species_amounts_grid, status_grid and the sensitivities' _grid. */
static int create_views(hid_t g, const char *where, const ilnet_h5study_group *G, const hid_t *sc)
{
    int rc = 0, ng = G->n_grid ? G->n_grid : 2;
    hid_t ax[H5S_MAX_RANK], v[5] = {-1, -1, -1, -1, -1};
    hsize_t gd[H5S_MAX_RANK];
    const char *lab[H5S_MAX_RANK];
    if (ng + 4 > H5S_MAX_RANK) return 0; /* too many parameters for a view: points only */
    for (int i = 0; i < ng; i++)
        ax[i] = -1;
    for (int i = 0; i < ng; i++) {
        gd[i] = G->n_grid ? (hsize_t)G->grid_sizes[i]
                : i       ? (hsize_t)G->n_doses
                          : (hsize_t)G->n_series;
        lab[i] = G->n_grid ? G->var_names[i] : i ? "dose" : "series";
        if (G->n_grid)
            CHECK(ax[i] = make_axis(g, G->var_names[i], (size_t)gd[i], G->grid_values[i]), "axis");
    }
    const hid_t *axes = G->n_grid ? ax : (hid_t[]){sc[S_SER], sc[S_DOSE]};
    hsize_t nt = G->n_times, no = (hsize_t)G->n_obs, ns = (hsize_t)G->n_species,
            nk = (hsize_t)G->n_sens;
    struct {
        const char *src, *name;
        hid_t type;
        int ni, on;
        hsize_t in[3];
        int sc[3];
        const char *lb[3];
    } w[5] = {
        {"observables",
         "observables_grid",
         H5T_IEEE_F64LE,
         2,
         1,
         {nt, no, 0},
         {S_TIME, S_OBS, 0},
         {"time", "observable", NULL}},
        {"species_amounts",
         "species_amounts_grid",
         H5T_IEEE_F64LE,
         2,
         ns > 0,
         {nt, ns, 0},
         {S_TIME, S_SP, 0},
         {"time", "species", NULL}},
        {"status", "status_grid", H5T_STD_I8LE, 0, 1, {0, 0, 0}, {0, 0, 0}, {NULL, NULL, NULL}},
        {"observable_sensitivities",
         "observable_sensitivities_grid",
         H5T_IEEE_F64LE,
         3,
         nk > 0,
         {nt, no, nk},
         {S_TIME, S_OBS, S_SENS},
         {"time", "observable", "sensitivity_parameter"}},
        {"species_sensitivities",
         "species_sensitivities_grid",
         H5T_IEEE_F64LE,
         3,
         nk > 0 && ns > 0,
         {nt, ns, nk},
         {S_TIME, S_SP, S_SENS},
         {"time", "species", "sensitivity_parameter"}}};
    for (int k = 0; k < 5; k++) {
        if (!w[k].on) continue;
        CHECK(v[k] =
                  make_view(g, G->name, w[k].src, w[k].name, w[k].type, ng, gd, w[k].ni, w[k].in),
              w[k].name);
        hid_t s[H5S_MAX_RANK];
        const char *l[H5S_MAX_RANK];
        for (int i = 0; i < ng; i++)
            s[i] = axes[i], l[i] = lab[i];
        for (int i = 0; i < w[k].ni; i++)
            s[ng + i] = sc[w[k].sc[i]], l[ng + i] = w[k].lb[i];
        CHECK(attach(v[k], s, l, ng + w[k].ni), w[k].name);
    }
out:
    for (int i = 0; G->n_grid && i < ng; i++)
        if (ax[i] >= 0) H5Dclose(ax[i]);
    for (int k = 0; k < 5; k++)
        if (v[k] >= 0) H5Dclose(v[k]);
    return rc;
}

/* A dose response's layout: dose, series and readout scales, each point's series and dose
 * index, and in the final form the fit results (into extra[0..3]). */
static int create_dose_data(hid_t g, const char *where, const ilnet_h5study_group *G,
                            const ilnet_h5study_final *fin, hid_t *sc, hid_t *extra)
{
    int rc = 0;
    hsize_t np = G->n_points, nd = (hsize_t)G->n_doses, ns = (hsize_t)G->n_series,
            nr = (hsize_t)G->n_readouts;
    CHECK(sc[S_DOSE] = ilnet_h5_write_doubles(g, "dose", 1, &nd, G->doses), "dose");
    CHECK(sc[S_SER] = ilnet_h5_write_strings(g, "series", G->series_names, ns), "series");
    CHECK(sc[S_RO] = ilnet_h5_write_strings(g, "readout", G->readout_names, nr), "readout");
    for (int i = S_DOSE; i <= S_RO; i++)
        CHECK(H5DSset_scale(sc[i], scale_names[i]), "dimension scales");
    int *ps = malloc((G->n_points + 1) * sizeof *ps), *pd = malloc((G->n_points + 1) * sizeof *pd);
    if (!ps || !pd) {
        free(ps);
        free(pd);
        rc = ilnet_error_oom();
        goto out;
    }
    for (size_t i = 0; i < G->n_points; i++) {
        ps[i] = (int)(i / (size_t)G->n_doses);
        pd[i] = (int)(i % (size_t)G->n_doses);
    }
    herr_t e1 = H5LTmake_dataset_int(g, "point_series", 1, &np, ps);
    herr_t e2 = H5LTmake_dataset_int(g, "point_dose", 1, &np, pd);
    free(ps);
    free(pd);
    CHECK(e1, "point_series");
    CHECK(e2, "point_dose");
    for (int k = 0; k < 2; k++) {
        hid_t x = H5Dopen2(g, k ? "point_dose" : "point_series", H5P_DEFAULT);
        CHECK(x, "point index");
        int bad = attach(x, &sc[S_POINT], (const char *[]){"point"}, 1);
        H5Dclose(x);
        CHECK(bad, "point index dims");
    }
    if (fin) rc = create_fit_data(g, where, G, fin, sc, extra);
out:
    return rc;
}

/* Creates group gi's layout in file; the working form keeps the bulk datasets open in gr. */
static int create_group(hid_t file, const char *where, const ilnet_h5study_group *G,
                        int compression, int working, grp *gr, const ilnet_h5study_final *fin)
{
    int rc = 0;
    hid_t st = ilnet_h5_string_type(), mt = msg_type();
    hid_t sc[S_N];
    for (int i = 0; i < S_N; i++)
        sc[i] = -1;
    hid_t extra[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
    grp_reset(gr);
    CHECK(st, "string type");
    CHECK(mt, "string type");
    CHECK(gr->g = H5Gcreate2(file, G->name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), G->name);
    hid_t g = gr->g;
    CHECK(ilnet_h5_attr_string(g, "type", G->type), "group attributes");
    if (G->design) CHECK(ilnet_h5_attr_string(g, "design", G->design), "group attributes");
    if (G->has_seed) CHECK(ilnet_h5_attr_long(g, "seed", (long)G->seed), "group attributes");
    CHECK(ilnet_h5_attr_long(g, "n_points", (long)G->n_points), "group attributes");
    if ((rc = create_scales(g, where, G, sc))) goto out;
    /* messages: fixed 256 bytes while points are written in place, variable-length strings
     * in the finished file */
    if ((rc = create_point_data(g, where, G, compression, working, working ? mt : st, sc, gr,
                                &extra[0])))
        goto out;
    if (G->n_series > 0 && (rc = create_dose_data(g, where, G, fin, sc, &extra[1]))) goto out;
    if (fin && fin->sobol_first && (rc = create_sobol_data(g, where, G, fin, sc, &extra[5])))
        goto out;
    if (fin && (G->n_grid || G->n_series > 0) && (rc = create_views(g, where, G, sc))) goto out;
    if (fin && !G->n_grid && !G->n_series && G->n_vars && G->n_points &&
        (rc = create_point_coords(g, where, G, sc)))
        goto out;
    if (fin) {
        CHECK(ilnet_h5_attr_long(g, "n_failed", (long)fin->n_failed), "group attributes");
    }
out:
    if (close_all(sc, S_N) < 0 && !rc)
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed closing scales", where);
    if (close_all(extra, 8) < 0 && !rc)
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed closing datasets", where);
    if (st >= 0) H5Tclose(st);
    if (mt >= 0) H5Tclose(mt);
    return rc;
}

static void close_group(grp *gr)
{
    hid_t ids[7] = {gr->obs, gr->sp, gr->status, gr->stats, gr->msg, gr->osens, gr->ssens};
    close_all(ids, 7);
    if (gr->g >= 0) H5Gclose(gr->g);
    grp_reset(gr);
}

static int root_attrs(hid_t file, const char *where, const ilnet_h5study_meta *m,
                      const char *status)
{
    int rc = 0;
    hid_t root = H5Gopen2(file, "/", H5P_DEFAULT);
    CHECK(root, "root group");
    CHECK(ilnet_h5_provenance(root, "study"), "attributes");
    CHECK(ilnet_h5_attr_string(root, "status", status), "attributes");
    CHECK(ilnet_h5_attr_string(root, "config_path", m->config_path), "attributes");
    CHECK(ilnet_h5_attr_string(root, "config_text", m->config_text), "attributes");
    CHECK(ilnet_h5_attr_string(root, "model_path", m->model_path), "attributes");
    CHECK(ilnet_h5_attr_string(root, "model_text", m->model_text), "attributes");
    CHECK(ilnet_h5_attr_string(root, "command_line", m->command_line), "attributes");
    CHECK(ilnet_h5_attr_string(root, "set", m->set ? m->set : ""), "attributes");
    CHECK(ilnet_h5_attr_string(root, "solver", "CVODE BDF, Newton, analytic Jacobian"),
          "attributes");
    CHECK(ilnet_h5_attr_string(root, "solver_linear_solver", m->linear_solver), "attributes");
    CHECK(ilnet_h5_attr_double(root, "solver_atol", m->solver->atol), "attributes");
    CHECK(ilnet_h5_attr_double(root, "solver_rtol", m->solver->rtol), "attributes");
    CHECK(ilnet_h5_attr_long(root, "solver_max_steps", m->solver->max_steps), "attributes");
out:
    if (root >= 0) H5Gclose(root);
    return rc;
}

void ilnet_h5study_close(ilnet_h5study *h)
{
    if (!h) return;
    for (int i = 0; h->g && i < h->n_groups; i++)
        close_group(&h->g[i]);
    if (h->file >= 0) H5Fclose(h->file);
    free(h->g);
    free(h->path);
    free(h);
}

static ilnet_h5study *alloc_h(const char *path, const ilnet_h5study_meta *meta,
                              const ilnet_h5study_group *groups, int n)
{
    ilnet_h5study *h = calloc(1, sizeof *h);
    if (!h) return NULL;
    h->file = -1;
    h->meta = meta;
    h->groups = groups;
    h->n_groups = n;
    h->g = calloc(n + 1, sizeof *h->g);
    h->path = strdup(path);
    if (!h->g || !h->path) {
        ilnet_h5study_close(h);
        return NULL;
    }
    for (int i = 0; i < n; i++)
        grp_reset(&h->g[i]);
    return h;
}

/* Bypasses the chunk cache so a point's rows reach the file at once. */
static hid_t open_direct(hid_t g, const char *name)
{
    hid_t dapl = H5Pcreate(H5P_DATASET_ACCESS);
    if (dapl < 0) return -1;
    hid_t d = H5Pset_chunk_cache(dapl, 0, 0, 1.0) < 0 ? -1 : H5Dopen2(g, name, dapl);
    H5Pclose(dapl);
    return d;
}

static int reopen_bulk(ilnet_h5study *h)
{
    const char *where = h->path;
    int rc = 0;
    for (int i = 0; i < h->n_groups; i++) {
        grp *gr = &h->g[i];
        close_group(gr);
        CHECK(gr->g = H5Gopen2(h->file, h->groups[i].name, H5P_DEFAULT), h->groups[i].name);
        CHECK(gr->obs = open_direct(gr->g, "observables"), "observables");
        if (h->groups[i].n_species)
            CHECK(gr->sp = open_direct(gr->g, "species_amounts"), "species_amounts");
        if (h->groups[i].n_sens)
            CHECK(gr->osens = open_direct(gr->g, "observable_sensitivities"),
                  "observable_sensitivities");
        if (h->groups[i].n_sens && h->groups[i].n_species)
            CHECK(gr->ssens = open_direct(gr->g, "species_sensitivities"), "species_sensitivities");
        CHECK(gr->status = open_direct(gr->g, "status"), "status");
        CHECK(gr->stats = open_direct(gr->g, "stats"), "stats");
        CHECK(gr->msg = open_direct(gr->g, "message"), "message");
    }
out:
    return rc;
}

/* Bytes the working file's datasets take: every one is allocated in full at creation. */
static double working_bytes(const ilnet_h5study_group *groups, int n_groups)
{
    double b = 0;
    for (int i = 0; i < n_groups; i++) {
        const ilnet_h5study_group *G = &groups[i];
        b += ilnet_study_bytes((double)G->n_points, (double)G->n_times, G->n_obs, G->n_species,
                               G->n_stats, G->n_vars, G->n_sens);
    }
    return b;
}

/* The working file is preallocated: refuse at once when it cannot fit (a full disk found
 * half-way through the allocation would only waste the time). */
static int check_space(const char *path, const ilnet_h5study_group *groups, int n_groups)
{
    char dir[4096];
    ilnet_file_dirname(dir, sizeof dir, path);
    struct statvfs fs;
    if (statvfs(dir, &fs)) return 0; /* unknown: creating the file will tell */
    double need = working_bytes(groups, n_groups), avail = (double)fs.f_bavail * fs.f_frsize;
    if (need <= avail) return 0;
    return ilnet_error_set(ILNET_EIO,
                           "%s: No space left on device: the study file needs about %.1f MB, "
                           "%.1f MB are free there",
                           path, need / 1e6, avail / 1e6);
}

int ilnet_h5study_create(ilnet_h5study **out, const char *path, const ilnet_h5study_meta *meta,
                         const ilnet_h5study_group *groups, int n_groups)
{
    *out = NULL;
    int src = check_space(path, groups, n_groups);
    if (src) return src;
    ilnet_h5study *h = alloc_h(path, meta, groups, n_groups);
    if (!h) return ilnet_error_oom();
    /* built under a temporary name: a file at path is always a complete working file */
    char tmp[4096];
    ilnet_file_remove_stale_temps(path); /* what killed runs left beside it */
    if (ilnet_file_temp_name(tmp, sizeof tmp, path, "new")) {
        ilnet_h5study_close(h);
        return ILNET_EINPUT;
    }
    const char *where = path; /* messages name the user's file, not the temporary */
    int rc = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* errors are reported by CHECK */
    if ((rc = ilnet_file_probe_create(tmp, path))) goto out;
    errno = 0;
    h->file = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (h->file < 0) {
        const char *why = ilnet_file_io_reason(errno);
        rc = ilnet_error_set(ILNET_EIO, "%s: cannot create the HDF5 file%s%s", path,
                             *why ? ": " : "", why);
        goto out;
    }
    CHECK(root_attrs(h->file, where, meta, "running"), "attributes");
    for (int i = 0; i < n_groups && !rc; i++)
        rc = create_group(h->file, where, &groups[i], 0, 1, &h->g[i], NULL);
    if (rc) goto out;
    /* from here on only raw data is written: close, rename into place, reopen the bulk */
    for (int i = 0; i < n_groups; i++)
        close_group(&h->g[i]);
    herr_t closed = H5Fclose(h->file);
    h->file = -1;
    CHECK(closed, "closing the new file");
    if (rename(tmp, path) != 0) {
        rc = ilnet_error_set(ILNET_EIO, "cannot rename %s to %s", tmp, path);
        goto out;
    }
    where = path;
    CHECK(h->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT), "reopening");
    rc = reopen_bulk(h);
out:
    if (rc) {
        ilnet_h5study_close(h);
        unlink(tmp);
        return rc;
    }
    *out = h;
    return 0;
}

int ilnet_h5study_open_ranks(ilnet_h5study **out, const char *path, const ilnet_h5study_meta *meta,
                             const ilnet_h5study_group *groups, int n_groups)
{
    *out = NULL;
#ifdef ILNET_MPI
    ilnet_h5study *h = alloc_h(path, meta, groups, n_groups);
    if (!h) return ilnet_error_oom();
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    int rc = 0;
    if (fapl < 0 || H5Pset_fapl_mpio(fapl, MPI_COMM_WORLD, MPI_INFO_NULL) < 0 ||
        (h->file = H5Fopen(path, H5F_ACC_RDWR, fapl)) < 0)
        rc =
            ilnet_error_set(ILNET_EIO, "%s: cannot open the file on every MPI rank (MPI-IO)", path);
    if (fapl >= 0) H5Pclose(fapl);
    if (!rc) rc = reopen_bulk(h);
    if (rc) {
        ilnet_h5study_close(h);
        return rc;
    }
    *out = h;
    return 0;
#else
    (void)meta;
    (void)groups;
    (void)n_groups;
    return ilnet_error_set(ILNET_EINTERNAL, "%s: this ilnet was built without MPI", path);
#endif
}

char *ilnet_h5study_file_status(const char *path)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (access(path, F_OK) != 0 || H5Fis_hdf5(path) <= 0) return NULL;
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return strdup("unreadable");
    char *kind = ilnet_h5_read_attr_string(f, "kind"), *st = NULL;
    if (kind && !strcmp(kind, "study")) st = ilnet_h5_read_attr_string(f, "status");
    free(kind);
    H5Fclose(f);
    return st;
}

static int check_dims(hid_t g, const char *name, int rank, const hsize_t *want)
{
    hid_t d = H5Dopen2(g, name, H5P_DEFAULT);
    if (d < 0) return -1;
    hid_t sp = H5Dget_space(d);
    hsize_t dims[4] = {0, 0, 0, 0};
    /* the rank first: a file not of this config may hold more dimensions than dims */
    int r = sp >= 0 ? H5Sget_simple_extent_ndims(sp) : -1;
    if (r == rank && rank <= 4) r = H5Sget_simple_extent_dims(sp, dims, NULL);
    if (sp >= 0) H5Sclose(sp);
    H5Dclose(d);
    if (r != rank) return -1;
    for (int i = 0; i < rank; i++)
        if (dims[i] != want[i]) return -1;
    return 0;
}

int ilnet_h5study_open(ilnet_h5study **out, int *finished, const char *path,
                       const ilnet_h5study_meta *meta, const ilnet_h5study_group *groups,
                       int n_groups)
{
    *out = NULL;
    *finished = 0;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (H5Fis_hdf5(path) <= 0)
        return ilnet_error_set(ILNET_EINPUT, "%s: --resume: not an HDF5 study file", path);
    ilnet_h5study *h = alloc_h(path, meta, groups, n_groups);
    if (!h) return ilnet_error_oom();
    int rc = 0;
    char *kind = NULL, *status = NULL, *text = NULL, *model = NULL, *set = NULL;
    /* checked read-only first: a refused resume leaves the file as it was */
    h->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (h->file < 0) {
        rc = ilnet_error_set(ILNET_EIO, "%s: --resume: cannot open the file", path);
        goto out;
    }
    kind = ilnet_h5_read_attr_string(h->file, "kind");
    status = ilnet_h5_read_attr_string(h->file, "status");
    text = ilnet_h5_read_attr_string(h->file, "config_text");
    if (!kind || strcmp(kind, "study") || !status || !text) {
        rc = ilnet_error_set(ILNET_EINPUT, "%s: --resume: not an ilnet study file", path);
        goto out;
    }
    if (strcmp(text, meta->config_text)) {
        rc = ilnet_error_set(ILNET_EINPUT,
                             "%s: --resume: the file was written from a different config (%s has "
                             "changed since)",
                             path, meta->config_path);
        goto out;
    }
    set = H5Aexists(h->file, "set") > 0 ? ilnet_h5_read_attr_string(h->file, "set") : strdup("");
    if (!set || strcmp(set, meta->set ? meta->set : "")) {
        rc = ilnet_error_set(ILNET_EINPUT,
                             "%s: --resume: the file was written with --set '%s', this run gives "
                             "'%s' (resume with the same --set)",
                             path, set ? set : "?", meta->set ? meta->set : "");
        goto out;
    }
    model = ilnet_h5_read_attr_string(h->file, "model_text");
    if (!model || strcmp(model, meta->model_text)) {
        rc = ilnet_error_set(ILNET_EINPUT,
                             "%s: --resume: the file was written from a different model (%s has "
                             "changed since)",
                             path, meta->model_path);
        goto out;
    }
    if (strcmp(status, "running")) {
        *finished = 1;
        goto out;
    }
    for (int i = 0; i < n_groups; i++) {
        const ilnet_h5study_group *G = &groups[i];
        hid_t g = H5Gopen2(h->file, G->name, H5P_DEFAULT);
        hsize_t od[3] = {G->n_points, G->n_times, (hsize_t)G->n_obs};
        hsize_t sd[3] = {G->n_points, G->n_times, (hsize_t)G->n_species};
        hsize_t osd[4] = {G->n_points, G->n_times, (hsize_t)G->n_obs, (hsize_t)G->n_sens};
        hsize_t ssd[4] = {G->n_points, G->n_times, (hsize_t)G->n_species, (hsize_t)G->n_sens};
        int bad = g < 0 || check_dims(g, "observables", 3, od) ||
                  (G->n_species && check_dims(g, "species_amounts", 3, sd)) ||
                  (G->n_sens ? check_dims(g, "observable_sensitivities", 4, osd)
                             : H5Lexists(g, "observable_sensitivities", H5P_DEFAULT) > 0) ||
                  (G->n_sens && G->n_species && check_dims(g, "species_sensitivities", 4, ssd));
        if (g >= 0) H5Gclose(g);
        if (bad) {
            rc = ilnet_error_set(
                ILNET_EINPUT, "%s: --resume: group '%s' does not have the shape the config gives",
                path, G->name);
            goto out;
        }
    }
    H5Fclose(h->file);
    h->file = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (h->file < 0) {
        rc = ilnet_error_set(ILNET_EIO, "%s: --resume: cannot open the file for writing", path);
        goto out;
    }
    rc = reopen_bulk(h);
out:
    free(kind);
    free(status);
    free(text);
    free(model);
    free(set);
    if (rc || *finished) {
        ilnet_h5study_close(h);
        return rc;
    }
    *out = h;
    return 0;
}

int ilnet_h5study_read_status(ilnet_h5study *h, int g, signed char *status)
{
    if (!h->groups[g].n_points) return 0;
    if (H5Dread(h->g[g].status, H5T_NATIVE_SCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, status) < 0)
        return ilnet_error_set(ILNET_EIO, "%s: cannot read %s/status", h->path, h->groups[g].name);
    return 0;
}

/* Writes rows [point] of a dataset of rank `rank` from buf (mem type t). */
static herr_t slab(hid_t d, hid_t t, size_t point, int rank, const hsize_t *dims, const void *buf,
                   int read)
{
    hsize_t start[4] = {point, 0, 0, 0},
            count[4] = {1, rank > 1 ? dims[1] : 1, rank > 2 ? dims[2] : 1, rank > 3 ? dims[3] : 1};
    hid_t fs = H5Dget_space(d);
    if (fs < 0) return -1;
    hid_t ms = H5Screate_simple(rank, count, NULL);
    herr_t e = ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL);
    if (e >= 0)
        e = read ? H5Dread(d, t, ms, fs, H5P_DEFAULT, (void *)buf)
                 : H5Dwrite(d, t, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    H5Sclose(fs);
    return e;
}

/* Points [first, first + count) of a dataset of rank `rank`, read or written whole. */
static herr_t block(hid_t d, hid_t t, size_t first, size_t count, int rank, const hsize_t *dims,
                    void *buf, int read)
{
    hsize_t start[4] = {first, 0, 0, 0}, cnt[4] = {count, rank > 1 ? dims[1] : 1,
                                                   rank > 2 ? dims[2] : 1, rank > 3 ? dims[3] : 1};
    hid_t fs = H5Dget_space(d);
    if (fs < 0) return -1;
    hid_t ms = H5Screate_simple(rank, cnt, NULL);
    herr_t e = ms < 0 ? -1 : H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, cnt, NULL);
    if (e >= 0)
        e = read ? H5Dread(d, t, ms, fs, H5P_DEFAULT, buf)
                 : H5Dwrite(d, t, ms, fs, H5P_DEFAULT, buf);
    if (ms >= 0) H5Sclose(ms);
    H5Sclose(fs);
    return e;
}

/* n messages at point `first` from or into buf[n][MSG_LEN]: fixed MSG_LEN strings in a
 * working file, variable-length ones in a finished file (which a resume may reopen). */
static herr_t msg_block(hid_t d, size_t first, size_t n, hsize_t np, char *buf, int read)
{
    hid_t ft = H5Dget_type(d);
    int vl = ft >= 0 && H5Tis_variable_str(ft) > 0;
    if (ft >= 0) H5Tclose(ft);
    hsize_t dims[1] = {np};
    hid_t t = vl ? ilnet_h5_string_type() : msg_type();
    char **p = vl ? calloc(n + 1, sizeof *p) : NULL;
    herr_t e = -1;
    if (t >= 0 && (!vl || p)) {
        if (!vl) {
            e = block(d, t, first, n, 1, dims, buf, read);
        } else if (read) {
            e = block(d, t, first, n, 1, dims, p, 1);
            for (size_t i = 0; e >= 0 && i < n; i++) {
                snprintf(buf + i * MSG_LEN, MSG_LEN, "%s", p[i] ? p[i] : "");
                if (p[i]) H5free_memory(p[i]);
            }
        } else {
            for (size_t i = 0; i < n; i++)
                p[i] = buf + i * MSG_LEN;
            e = block(d, t, first, n, 1, dims, p, 0);
        }
    }
    free(p);
    if (t >= 0) H5Tclose(t);
    return e;
}

static int write_point_to(const char *where, const ilnet_h5study_group *G, grp *gr, size_t point,
                          const double *obs, const double *species, const double *obs_sens,
                          const double *species_sens, signed char status, const double *stats,
                          const char *message)
{
    int rc = 0;
    hsize_t od[3] = {G->n_points, G->n_times, (hsize_t)G->n_obs};
    hsize_t sd[3] = {G->n_points, G->n_times, (hsize_t)G->n_species};
    hsize_t td[2] = {G->n_points, (hsize_t)G->n_stats};
    char msg[MSG_LEN] = {0}; /* every byte is stored: no stack garbage in the file */
    if (message) strncpy(msg, message, MSG_LEN - 1);
    if (G->n_times && G->n_obs)
        CHECK(slab(gr->obs, H5T_NATIVE_DOUBLE, point, 3, od, obs, 0), "observables");
    if (G->n_species && G->n_times && species)
        CHECK(slab(gr->sp, H5T_NATIVE_DOUBLE, point, 3, sd, species, 0), "species_amounts");
    hsize_t osd[4] = {G->n_points, G->n_times, (hsize_t)G->n_obs, (hsize_t)G->n_sens};
    hsize_t ssd[4] = {G->n_points, G->n_times, (hsize_t)G->n_species, (hsize_t)G->n_sens};
    if (G->n_sens && G->n_times && G->n_obs && obs_sens)
        CHECK(slab(gr->osens, H5T_NATIVE_DOUBLE, point, 4, osd, obs_sens, 0),
              "observable_sensitivities");
    if (G->n_sens && G->n_times && G->n_species && species_sens)
        CHECK(slab(gr->ssens, H5T_NATIVE_DOUBLE, point, 4, ssd, species_sens, 0),
              "species_sensitivities");
    if (G->n_stats) CHECK(slab(gr->stats, H5T_NATIVE_DOUBLE, point, 2, td, stats, 0), "stats");
    if (msg[0]) { /* fill: "" */
        char one[MSG_LEN];
        snprintf(one, sizeof one, "%s", msg);
        CHECK(msg_block(gr->msg, point, 1, G->n_points, one, 0), "message");
    }
    CHECK(slab(gr->status, H5T_NATIVE_SCHAR, point, 1, od, &status, 0), "status");
out:
    return rc;
}

int ilnet_h5study_write_point(ilnet_h5study *h, int g, size_t point, const double *obs,
                              const double *species, const double *obs_sens,
                              const double *species_sens, signed char status, const double *stats,
                              const char *message)
{
    return write_point_to(h->path, &h->groups[g], &h->g[g], point, obs, species, obs_sens,
                          species_sens, status, stats, message);
}

int ilnet_h5study_flush(ilnet_h5study *h)
{
    if (H5Fflush(h->file, H5F_SCOPE_GLOBAL) < 0)
        return ilnet_error_set(ILNET_EIO, "%s: HDF5 flush failed", h->path);
    return 0;
}

int ilnet_h5study_read_observables(ilnet_h5study *h, int g, size_t point, double *obs)
{
    const ilnet_h5study_group *G = &h->groups[g];
    hsize_t od[3] = {G->n_points, G->n_times, (hsize_t)G->n_obs};
    if (G->n_times && G->n_obs && slab(h->g[g].obs, H5T_NATIVE_DOUBLE, point, 3, od, obs, 1) < 0)
        return ilnet_error_set(ILNET_EIO, "%s: cannot read %s/observables", h->path, G->name);
    return 0;
}

/* Copies one dataset of rank `rank` (point first) from the working group to the final one,
 * in blocks of points that are each a whole number of the final file's chunks. */
static int copy_points(const char *where, const char *name, hid_t from, hid_t to, int rank,
                       const hsize_t *dims)
{
    int rc = 0;
    size_t per = 1;
    for (int i = 1; i < rank; i++)
        per *= (size_t)dims[i];
    if (!per || !dims[0]) return 0;
    size_t nb = (size_t)points_per_chunk((size_t)dims[0], per * 8);
    double *buf = malloc((nb * per + 1) * sizeof *buf);
    if (!buf) return ilnet_error_oom();
    for (size_t p = 0; p < dims[0]; p += nb) {
        size_t n = (size_t)dims[0] - p < nb ? (size_t)dims[0] - p : nb;
        CHECK(block(from, H5T_NATIVE_DOUBLE, p, n, rank, dims, buf, 1), name);
        CHECK(block(to, H5T_NATIVE_DOUBLE, p, n, rank, dims, buf, 0), name);
    }
out:
    free(buf);
    return rc;
}

/* status, stats and message of every point into the final group, in blocks of up to 4096
 * points; *wall gets the summed wall_s of the points stored (those of earlier runs too,
 * after --resume) */
static int copy_status(const char *where, const ilnet_h5study_group *G, grp *og, grp *fg,
                       double *wall)
{
    int rc = 0;
    size_t np = G->n_points, nst = (size_t)G->n_stats, nb = np < 4096 ? np : 4096;
    hsize_t pd[1] = {np}, td[2] = {np, nst};
    signed char *sbuf = malloc(nb + 1);
    char *mbuf = malloc(nb * MSG_LEN + 1);
    double *stats = malloc((nb * nst + 1) * sizeof *stats);
    int wall_col = -1;
    for (int k = 0; k < G->n_stats; k++)
        if (!strcmp(G->stat_names[k], "wall_s")) wall_col = k;
    *wall = 0;
    if (!sbuf || !mbuf || !stats) {
        rc = ilnet_error_oom();
        goto out;
    }
    for (size_t p = 0; p < np; p += nb) {
        size_t n = np - p < nb ? np - p : nb;
        for (int pass = 0; pass < 2; pass++) {
            int rd = pass == 0;
            grp *x = rd ? og : fg;
            if (nst) CHECK(block(x->stats, H5T_NATIVE_DOUBLE, p, n, 2, td, stats, rd), "stats");
            CHECK(msg_block(x->msg, p, n, np, mbuf, rd), "message");
            CHECK(block(x->status, H5T_NATIVE_SCHAR, p, n, 1, pd, sbuf, rd), "status");
        }
        for (size_t q = 0; wall_col >= 0 && q < n; q++)
            if (sbuf[q] != 0) *wall += stats[q * nst + (size_t)wall_col];
    }
out:
    free(sbuf);
    free(mbuf);
    free(stats);
    return rc;
}

/* The bulk of group G from the working file (og) into the final one (fg). */
static int copy_group(const char *where, const ilnet_h5study_group *G, grp *og, grp *fg)
{
    hsize_t np = G->n_points, nt = G->n_times, nk = (hsize_t)G->n_sens;
    hsize_t od[3] = {np, nt, (hsize_t)G->n_obs}, sd[3] = {np, nt, (hsize_t)G->n_species};
    hsize_t osd[4] = {np, nt, (hsize_t)G->n_obs, nk}, ssd[4] = {np, nt, (hsize_t)G->n_species, nk};
    double wall = 0;
    int rc = copy_points(where, "observables", og->obs, fg->obs, 3, od);
    if (!rc && G->n_species) rc = copy_points(where, "species_amounts", og->sp, fg->sp, 3, sd);
    if (!rc && nk)
        rc = copy_points(where, "observable_sensitivities", og->osens, fg->osens, 4, osd);
    if (!rc && nk && G->n_species)
        rc = copy_points(where, "species_sensitivities", og->ssens, fg->ssens, 4, ssd);
    if (!rc) rc = copy_status(where, G, og, fg, &wall);
    if (rc) return rc;
    CHECK(ilnet_h5_attr_double(fg->g, "wall_time_s", wall), "group attributes");
out:
    return rc;
}

int ilnet_h5study_finalize(ilnet_h5study *h, int compression, const ilnet_h5study_final *fin,
                           const char *status)
{
    char tmp[4096];
    int rc = 0;
    hid_t f = -1;
    grp *ng = calloc(h->n_groups + 1, sizeof *ng);
    ilnet_file_remove_stale_temps(h->path);
    if ((rc = ilnet_file_temp_name(tmp, sizeof tmp, h->path, "final"))) goto out;
    const char *where = h->path; /* messages name the user's file, not the temporary */
    if (!ng) {
        rc = ilnet_error_oom();
        goto out;
    }
    for (int i = 0; i < h->n_groups; i++)
        grp_reset(&ng[i]);
    CHECK(f = H5Fcreate(tmp, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "file creation");
    CHECK(root_attrs(f, where, h->meta, status), "attributes");
    for (int i = 0; i < h->n_groups; i++) {
        const ilnet_h5study_group *G = &h->groups[i];
        if ((rc = create_group(f, where, G, compression, 0, &ng[i], &fin[i]))) goto out;
        if ((rc = copy_group(where, G, &h->g[i], &ng[i]))) goto out;
        close_group(&ng[i]);
    }
    if (H5Fclose(f) < 0) {
        f = -1;
        const char *why = ilnet_file_io_reason(errno);
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed writing the final file%s%s", h->path,
                             *why ? ": " : "", why);
        goto out;
    }
    f = -1;
    for (int i = 0; i < h->n_groups; i++)
        close_group(&h->g[i]);
    if (H5Fclose(h->file) < 0) {
        h->file = -1;
        rc = ilnet_error_set(ILNET_EIO, "%s: HDF5 failed closing the file", h->path);
        goto out;
    }
    h->file = -1;
    if (rename(tmp, h->path) != 0)
        rc = ilnet_error_set(ILNET_EIO, "cannot rename %s to %s", tmp, h->path);
out:
    for (int i = 0; ng && i < h->n_groups; i++)
        close_group(&ng[i]);
    if (f >= 0) H5Fclose(f);
    if (rc) unlink(tmp);
    free(ng);
    ilnet_h5study_close(h);
    return rc;
}

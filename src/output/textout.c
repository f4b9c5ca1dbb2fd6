#include "textout.h"

#include "../model/readout.h"

#include "../model/expr.h"

#include "../common/file.h"
#include "../common/error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Opens path.tmp.PID for writing; finish() closes and renames it into place. */
static FILE *start(const char *path, char *tmp, size_t n)
{
    ilnet_file_remove_stale_temps(path);
    if (ilnet_file_temp_name(tmp, n, path, "tmp")) return NULL;
    FILE *f = fopen(tmp, "w");
    if (!f) ilnet_error_set(ILNET_EIO, "%s: cannot create: %s", path, strerror(errno));
    return f;
}

/* A run that stopped early ends with a comment line, so a text file never passes for
 * a complete time course (np.loadtxt and pandas with comment='#' skip it). */
static void mark_partial(FILE *f, const ilnet_result *res)
{
    if (res->status)
        fprintf(f, "# partial: %zu of %zu rows; %s\n", res->n_done, res->n_times, res->message);
}

static int finish(FILE *f, const char *tmp, const char *path)
{
    int bad = ferror(f);
    if (fclose(f) != 0) bad = 1;
    if (!bad && rename(tmp, path) == 0) return 0;
    unlink(tmp);
    return ilnet_error_set(ILNET_EIO, "%s: write failed", path);
}

static void csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

int ilnet_csv_write(const char *path, const ilnet_network *net, const ilnet_result *res)
{
    char tmp[4096];
    FILE *f = start(path, tmp, sizeof tmp);
    if (!f) return ilnet_error_code();
    fputs("time", f);
    for (size_t k = 0; k < res->n_observables; k++) {
        fputc(',', f);
        csv_field(f, ilnet_network_observable(net, k)->name);
    }
    for (size_t i = 0; i < res->n_species; i++) {
        fputc(',', f);
        csv_field(f, ilnet_network_species(net, i)->name);
    }
    fputc('\n', f);
    for (size_t t = 0; t < res->n_done; t++) {
        fprintf(f, "%.17g", res->times[t]);
        for (size_t k = 0; k < res->n_observables; k++)
            fprintf(f, ",%.17g", res->observables[t * res->n_observables + k]);
        for (size_t i = 0; i < res->n_species; i++)
            fprintf(f, ",%.17g", res->species[t * res->n_species + i]);
        fputc('\n', f);
    }
    mark_partial(f, res);
    return finish(f, tmp, path);
}

int ilnet_csv_write_columns(const char *path, const ilnet_network *net, const ilnet_result *res,
                            const char *const *names, const char *const *exprs, int n)
{
    ilnet_readout **e = calloc((size_t)n + 1, sizeof *e);
    if (!e) return ilnet_error_oom();
    int rc = 0;
    size_t nv = ilnet_network_var_count(net);
    for (int i = 0; i < n && !rc; i++) {
        if ((rc = ilnet_readout_compile(&e[i], net, exprs[i])))
            ilnet_error_prefix("output column '%s'", names[i]);
        else if (ilnet_readout_var_count(e[i]) > nv)
            nv = ilnet_readout_var_count(e[i]);
    }
    double *vars = rc ? NULL : malloc((nv + 1) * sizeof *vars);
    if (!rc && !vars) rc = ilnet_error_oom();
    char tmp[4096];
    FILE *f = rc ? NULL : start(path, tmp, sizeof tmp);
    if (!rc && !f) rc = ilnet_error_code();
    if (f) {
        fputs("time", f);
        for (int i = 0; i < n; i++) {
            fputc(',', f);
            csv_field(f, names[i]);
        }
        fputc('\n', f);
        for (size_t t = 0; t < res->n_done; t++) {
            ilnet_network_vars_eval(net, res->times[t], res->species + t * res->n_species, vars);
            fprintf(f, "%.17g", res->times[t]);
            for (int i = 0; i < n; i++)
                fprintf(f, ",%.17g",
                        ilnet_readout_eval(e[i], res->species + t * res->n_species, vars));
            fputc('\n', f);
        }
        mark_partial(f, res);
        rc = finish(f, tmp, path);
    }
    for (int i = 0; i < n; i++)
        ilnet_readout_free(e[i]);
    free(e);
    free(vars);
    return rc;
}

static int write_table(const char *path, const ilnet_result *res, const double *data, size_t cols,
                       const char *const *names)
{
    char tmp[4096];
    FILE *f = start(path, tmp, sizeof tmp);
    if (!f) return ilnet_error_code();
    fprintf(f, "#%18s", "time");
    for (size_t c = 0; c < cols; c++)
        fprintf(f, " %19s", names[c]);
    fputc('\n', f);
    for (size_t t = 0; t < res->n_done; t++) {
        fprintf(f, " %18.12e", res->times[t]);
        for (size_t c = 0; c < cols; c++)
            fprintf(f, " %19.12e", data[t * cols + c]);
        fputc('\n', f);
    }
    mark_partial(f, res);
    return finish(f, tmp, path);
}

double *ilnet_result_functions(const ilnet_network *net, const ilnet_result *res)
{
    size_t nf = ilnet_network_function_count(net);
    double *vars = malloc((ilnet_network_var_count(net) + 1) * sizeof *vars);
    double *out = malloc((res->n_done * nf + 1) * sizeof *out);
    if (!vars || !out) {
        free(vars);
        free(out);
        return NULL;
    }
    for (size_t t = 0; t < res->n_done; t++) {
        ilnet_network_vars_eval(net, res->times[t], res->species + t * res->n_species, vars);
        for (size_t k = 0; k < nf; k++)
            out[t * nf + k] = vars[ilnet_network_function_var(net, k)];
    }
    free(vars);
    return out;
}

static int gdat_write(const char *prefix, const ilnet_network *net, const ilnet_result *res,
                      int functions);

int ilnet_gdat_write(const char *prefix, const ilnet_network *net, const ilnet_result *res)
{
    return gdat_write(prefix, net, res, 0);
}

int ilnet_gdat_write_functions(const char *prefix, const ilnet_network *net,
                               const ilnet_result *res)
{
    return gdat_write(prefix, net, res, 1);
}

/* The .gdat's columns: observables, then (with functions) the functions' values. */
static double *gdat_columns(const ilnet_network *net, const ilnet_result *res, size_t nf,
                            const char **names)
{
    size_t no = res->n_observables;
    for (size_t k = 0; k < no; k++)
        names[k] = ilnet_network_observable(net, k)->name;
    for (size_t k = 0; k < nf; k++)
        names[no + k] = ilnet_network_function(net, k)->name;
    double *f = nf ? ilnet_result_functions(net, res) : NULL;
    double *data = malloc((res->n_done * (no + nf) + 1) * sizeof *data);
    if (!data || (nf && !f)) {
        free(f);
        free(data);
        return NULL;
    }
    for (size_t t = 0; t < res->n_done; t++) {
        memcpy(data + t * (no + nf), res->observables + t * no, no * sizeof *data);
        for (size_t k = 0; k < nf; k++)
            data[t * (no + nf) + no + k] = f[t * nf + k];
    }
    free(f);
    return data;
}

static int gdat_write(const char *prefix, const ilnet_network *net, const ilnet_result *res,
                      int functions)
{
    size_t no = res->n_observables, ns = res->n_species;
    size_t nf = functions ? ilnet_network_function_count(net) : 0;
    const char **names = malloc((no + nf + ns + 1) * sizeof *names);
    char *sbuf = malloc(ns * 24 + 1);
    double *cols = NULL;
    char path[4096];
    int rc = 0;
    if (!names || !sbuf || !(cols = gdat_columns(net, res, nf, names))) {
        rc = ilnet_error_set(ILNET_ENOMEM, "out of memory writing %s.gdat", prefix);
        goto out;
    }
    if (snprintf(path, sizeof path, "%s.gdat", prefix) >= (int)sizeof path) {
        rc = ilnet_error_set(ILNET_EINPUT, "output prefix too long: %s", prefix);
        goto out;
    }
    if ((rc = write_table(path, res, cols, no + nf, names))) goto out;
    /* .cdat columns are species in network order, headed S1..Sn as BioNetGen's are. */
    for (size_t i = 0; i < ns; i++) {
        snprintf(sbuf + 24 * i, 24, "S%zu", i + 1);
        names[i] = sbuf + 24 * i;
    }
    snprintf(path, sizeof path, "%s.cdat", prefix);
    rc = write_table(path, res, res->species, ns, names);
out:
    free(names);
    free(sbuf);
    free(cols);
    return rc;
}

/* ilnet hill DATA.tsv: four-parameter Hill fits of measured dose responses, with the same
 * fit studies use for their dose_response experiments, so data and model are summarised
 * by one procedure. */
#include "../common/error.h"
#include "../common/tsv.h"
#include "../experiment/hill.h"
#include "cli.h"

#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help[] =
    "usage: ilnet hill DATA.tsv [--dose COLUMN] [--response COLUMN] [--by COLUMN,...]\n"
    "\n"
    "Fits y = bottom + (top - bottom) x^n / (EC50^n + x^n) to every series of a\n"
    "tab-separated table (a header row, one point per row) with the fit of a study's\n"
    "dose_response experiments (GSL trust-region least squares in log10 EC50). Series are\n"
    "the distinct values of the --by columns (default: every column but dose and\n"
    "response), in order of first appearance. Rows whose response is empty or NaN are\n"
    "skipped; doses must be positive.\n"
    "\n"
    "Prints a table: the --by columns, points, ec50, hill, bottom, top, se_ec50,\n"
    "se_hill, r2, half_max (the dose where the data, averaged per dose, first cross\n"
    "half-way between their extremes, log-interpolated), status: ok, or why the EC50\n"
    "should not be trusted -- flat (the curve explains no more than a constant, F-test\n"
    "p > 0.05), biphasic (the response reverses, or two steps >= 10-fold apart fit\n"
    "significantly better), ec50_outside_doses, poor_fit (r2 < 0.9 or SE(EC50) > EC50)\n"
    "-- or failed with the reason (the numbers are then NaN). Plateaus are bounded to\n"
    "the data's range widened by the range, and to >= 0 when no response is negative.\n"
    "\n"
    "options:\n"
    "  --dose COLUMN      the dose column (default 'dose')\n"
    "  --response COLUMN  the response column (default 'response')\n"
    "  --by COLUMNS       comma-separated series columns\n";

typedef struct {
    ilnet_tsv t;
    int dose, resp;
    int by[64];
    size_t n_by;
} hill_table;

static int key_equal(const hill_table *h, size_t a, size_t b)
{
    for (size_t k = 0; k < h->n_by; k++)
        if (strcmp(ilnet_tsv_cell(&h->t, a, h->by[k]), ilnet_tsv_cell(&h->t, b, h->by[k])))
            return 0;
    return 1;
}

static int pick_columns(hill_table *h, const char *dose, const char *resp, const char *by)
{
    h->dose = ilnet_tsv_col(&h->t, dose);
    h->resp = ilnet_tsv_col(&h->t, resp);
    if (h->dose < 0 || h->resp < 0)
        return ilnet_error_set(ILNET_EINPUT, "%s:1: no column '%s'", h->t.path,
                               h->dose < 0 ? dose : resp);
    h->n_by = 0;
    if (!by) {
        for (size_t c = 0; c < h->t.n_cols && h->n_by < 64; c++)
            if ((int)c != h->dose && (int)c != h->resp) h->by[h->n_by++] = (int)c;
        return 0;
    }
    char *list = strdup(by);
    if (!list) return ilnet_error_oom();
    int rc = 0;
    for (char *s = strtok(list, ","); s && !rc; s = strtok(NULL, ",")) {
        int c = ilnet_tsv_col(&h->t, s);
        if (c < 0)
            rc = ilnet_error_set(ILNET_EINPUT, "%s:1: no column '%s'", h->t.path, s);
        else if (h->n_by == 64)
            rc = ilnet_error_set(ILNET_EINPUT, "--by: more than 64 columns");
        else
            h->by[h->n_by++] = c;
    }
    free(list);
    return rc;
}

/* Collects the points of the series whose first row is r0 (rows before it belong to other
 * series). Returns the count, or -1 with the error set for a bad cell. */
static long series_points(const hill_table *h, size_t r0, double *x, double *y)
{
    long n = 0;
    for (size_t r = r0; r < h->t.n_rows; r++) {
        if (!key_equal(h, r, r0)) continue;
        const char *ds = ilnet_tsv_cell(&h->t, r, h->dose);
        const char *ys = ilnet_tsv_cell(&h->t, r, h->resp);
        if (!*ys || !strcasecmp(ys, "nan")) continue;
        double d, v;
        if (cli_parse_double(ds, &d) || !(d > 0)) {
            ilnet_error_set(ILNET_EINPUT, "%s:%d: %s: '%s' is not a positive number", h->t.path,
                            h->t.line[r], h->t.header[h->dose], ds);
            return -1;
        }
        if (cli_parse_double(ys, &v)) {
            ilnet_error_set(ILNET_EINPUT, "%s:%d: %s: '%s' is not a number", h->t.path,
                            h->t.line[r], h->t.header[h->resp], ys);
            return -1;
        }
        x[n] = d, y[n] = v, n++;
    }
    return n;
}

static void print_header(const hill_table *h)
{
    for (size_t k = 0; k < h->n_by; k++)
        printf("%s\t", h->t.header[h->by[k]]);
    printf("points\tec50\thill\tbottom\ttop\tse_ec50\tse_hill\tr2\thalf_max\tstatus\n");
}

static void print_fit(const hill_table *h, size_t r0, long n, const ilnet_hill_fit *f,
                      const char *status)
{
    for (size_t k = 0; k < h->n_by; k++)
        printf("%s\t", ilnet_tsv_cell(&h->t, r0, h->by[k]));
    printf("%ld\t%.6g\t%.6g\t%.6g\t%.6g\t%.3g\t%.3g\t%.6f\t%.6g\t%s\n", n, f->ec50, f->hill,
           f->bottom, f->top, f->se_ec50, f->se_hill, f->r2, f->half_max_dose, status);
}

static int fit_all(hill_table *h)
{
    double *x = malloc((h->t.n_rows + 1) * sizeof *x), *y = malloc((h->t.n_rows + 1) * sizeof *y);
    if (!x || !y) {
        free(x), free(y);
        return ilnet_error_oom();
    }
    print_header(h);
    int rc = 0;
    for (size_t r0 = 0; r0 < h->t.n_rows && !rc; r0++) {
        int first = 1;
        for (size_t q = 0; q < r0 && first; q++)
            first = !key_equal(h, q, r0);
        if (!first) continue;
        long n = series_points(h, r0, x, y);
        if (n < 0) {
            rc = ILNET_EINPUT;
            break;
        }
        ilnet_hill_options o = ILNET_HILL_OPTIONS_INIT;
        ilnet_hill_fit f;
        if (ilnet_hill_fit_run(&f, x, y, (size_t)n, &o)) {
            ilnet_hill_fit nan_fit = {.bottom = NAN,
                                      .top = NAN,
                                      .ec50 = NAN,
                                      .hill = NAN,
                                      .se_bottom = NAN,
                                      .se_top = NAN,
                                      .se_ec50 = NAN,
                                      .se_hill = NAN,
                                      .se_log10_ec50 = NAN,
                                      .rss = NAN,
                                      .r2 = NAN,
                                      .half_max_dose = NAN};
            char status[400];
            snprintf(status, sizeof status, "failed: %s", ilnet_error_last());
            print_fit(h, r0, n, &nan_fit, status);
        } else {
            print_fit(h, r0, n, &f, ilnet_hill_quality_name(f.quality));
        }
    }
    free(x), free(y);
    return rc;
}

int cmd_hill(int argc, char **argv)
{
    static const struct option opts[] = {{"dose", required_argument, 0, 'd'},
                                         {"response", required_argument, 0, 'y'},
                                         {"by", required_argument, 0, 'b'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *dose = "dose", *resp = "response", *by = NULL;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
        int rc = cli_common_option(c, "hill", help, argv, NULL, NULL);
        if (rc >= 0) return rc;
        if (c == 'd')
            dose = optarg;
        else if (c == 'y')
            resp = optarg;
        else if (c == 'b')
            by = optarg;
    }
    if (optind != argc - 1) return cli_usage_error("hill", "expects one DATA.tsv (see --help)");
    hill_table h;
    if (ilnet_tsv_read(&h.t, argv[optind])) return cli_fail();
    int rc = pick_columns(&h, dose, resp, by);
    if (!rc) rc = fit_all(&h);
    ilnet_tsv_free(&h.t);
    return rc ? cli_fail() : EXIT_OK;
}

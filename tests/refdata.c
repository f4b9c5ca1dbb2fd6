#include "refdata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ref_table_read(ref_table *t, const char *path)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char *line = NULL;
    size_t cap = 0, cap_rows = 0;
    ssize_t len;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[0] == '#') continue;
        size_t n = 0;
        double vals[1];
        char *p = line, *end;
        /* count columns on the first data row */
        if (t->rows == 0) {
            for (;;) {
                strtod(p, &end);
                if (end == p) break;
                n++;
                p = end;
            }
            t->cols = n - 1;
            p = line;
        }
        if (t->rows == cap_rows) {
            cap_rows = cap_rows ? 2 * cap_rows : 128;
            t->time = realloc(t->time, cap_rows * sizeof(double));
            t->data = realloc(t->data, cap_rows * (t->cols + 1) * sizeof(double));
        }
        vals[0] = strtod(p, &end);
        t->time[t->rows] = vals[0];
        p = end;
        for (size_t c = 0; c < t->cols; c++) {
            t->data[t->rows * t->cols + c] = strtod(p, &end);
            if (end == p) {
                free(line);
                fclose(f);
                return -1;
            }
            p = end;
        }
        t->rows++;
    }
    free(line);
    fclose(f);
    return t->rows ? 0 : -1;
}

void ref_table_free(ref_table *t)
{
    free(t->time);
    free(t->data);
    memset(t, 0, sizeof *t);
}

int ref_settings_read(ref_settings *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int found = 0;
    memset(s, 0, sizeof *s);
    while (fgets(line, sizeof line, f)) {
        found += sscanf(line, "t_start: %lf", &s->t_start);
        found += sscanf(line, "t_end: %lf", &s->t_end);
        found += sscanf(line, "n_out: %ld", &s->n_out);
        found += sscanf(line, "atol: %lf", &s->atol);
        found += sscanf(line, "rtol: %lf", &s->rtol);
    }
    fclose(f);
    return found == 5 ? 0 : -1;
}

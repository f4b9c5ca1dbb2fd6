/* Readers for the BioNetGen reference data in ../shared/reference/bng/<model>/. */
#ifndef ILNET_TEST_REFDATA_H
#define ILNET_TEST_REFDATA_H

#include <stddef.h>

typedef struct {
    size_t rows, cols; /* cols excludes the time column */
    double *time;
    double *data; /* rows x cols */
} ref_table;

typedef struct {
    double t_start, t_end, atol, rtol;
    long n_out;
} ref_settings;

int ref_table_read(ref_table *t, const char *path);
void ref_table_free(ref_table *t);
int ref_settings_read(ref_settings *s, const char *path);

#endif

/* Tab-separated tables with a header row (PEtab's files). Cells are trimmed of surrounding
 * spaces and a trailing carriage return; empty lines are skipped; a row with fewer cells
 * than the header has empty cells at the end, a row with more is an error. */
#ifndef ILNET_TSV_H
#define ILNET_TSV_H

#include <stddef.h>

typedef struct {
    char *path;
    char *text; /* the file, split in place */
    size_t n_cols, n_rows;
    char **header; /* n_cols */
    char **cells;  /* n_rows x n_cols, row-major */
    int *line;     /* per row: its line in the file (the header is line 1) */
} ilnet_tsv;

/* Errors: "PATH: cannot open: REASON" (EIO), "PATH:LINE: N cells, the header has M"
 * (EINPUT), "PATH: no header row" (EINPUT), "PATH:1: column 'X' appears twice". */
int ilnet_tsv_read(ilnet_tsv *t, const char *path);
/* The same with another separator (',' for CSV; no quoting: a cell cannot hold sep). */
int ilnet_tsv_read_sep(ilnet_tsv *t, const char *path, char sep);
void ilnet_tsv_free(ilnet_tsv *t);
/* Index of the column named name, or -1. */
int ilnet_tsv_col(const ilnet_tsv *t, const char *name);
/* The cell; "" when col < 0. */
const char *ilnet_tsv_cell(const ilnet_tsv *t, size_t row, int col);

#endif

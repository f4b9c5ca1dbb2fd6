/* Shared by the PEtab readers (petab_read.c, petab_tables.c) and the evaluator. */
#ifndef ILNET_PETAB_INTERNAL_H
#define ILNET_PETAB_INTERNAL_H

#include "petab.h"

/* "FILE:ROW: column: id: message" (EINPUT) */
int petab_error(const char *file, int line, const char *column, const char *id, const char *fmt,
                ...) __attribute__((format(printf, 5, 6)));
/* the whole string as a number */
int petab_number(const char *s, double *out);
/* empty or NaN */
int petab_nan_cell(const char *s);
/* a cell: number, parameter-table id, or none */
int petab_cell_value(const ilnet_petab *p, const char *cell, petab_value *v, const char *file,
                     int line, const char *column, const char *id);
/* "a;b;c" */
int petab_cell_list(const ilnet_petab *p, const char *cell, petab_value **out, int *n,
                    const char *file, int line, const char *column, const char *id);
/* observables, conditions, measurements (petab_tables.c) */
int petab_read_observables(ilnet_petab *p);
int petab_read_conditions(ilnet_petab *p);
int petab_read_measurements(ilnet_petab *p);
/* Compiles a formula over the problem's names: model symbols, parameter-table ids, the
 * placeholders of observable obs, time; var indices as petab_eval.c lays them out. */
int petab_formula_compile(const ilnet_petab *p, int obs, const char *text, ilnet_expr **out);
/* length of the formula variable vector: symbols, parameter table, placeholders, time */
size_t petab_formula_var_count(const ilnet_petab *p);
#define PETAB_MAX_PLACEHOLDERS 32
/* frees the evaluation state (networks, solvers, compiled formulas) */
void petab_eval_free(ilnet_petab *p);

#endif

/* Dose-response readouts over a series: an expression that may use max_over_doses(E) and
 * min_over_doses(E), the largest and smallest value of E over the series' doses (e.g.
 * "100 * pSTAT5 / max_over_doses(pSTAT5)"). Such a readout cannot be an output expression
 * (its value needs every dose), so it is split: every operand (a name, a readout call such
 * as species(X), or an aggregate's argument) becomes an output expression evaluated at each
 * point, and what combines them, the skeleton, is evaluated after the last point on the
 * operands reduced like the readout (at its time, their peak or their integral). */
#ifndef ILNET_SERIES_EXPR_H
#define ILNET_SERIES_EXPR_H

#include "../model/expr.h"

enum { ILNET_OVER_DOSES_MAX, ILNET_OVER_DOSES_MIN };

typedef struct {
    char *skeleton; /* the text with operand j as __v<j> and aggregate i as __a<i> */
    int n_operands;
    char **operands; /* operand texts (output expressions, stored as "(TEXT)") */
    int n_aggs;
    int *agg_kind;    /* ILNET_OVER_DOSES_* */
    int *agg_operand; /* the operand holding aggregate i's argument */
} ilnet_series_expr;

/* 1 when text uses max_over_doses( or min_over_doses(. */
int ilnet_series_expr_uses(const char *text);
/* Splits text (which uses an aggregate). Errors (ILNET_EINPUT) say what is wrong: a nested
 * aggregate, an unclosed parenthesis, an empty argument. */
int ilnet_series_expr_split(ilnet_series_expr *out, const char *text);
void ilnet_series_expr_free(ilnet_series_expr *s);
/* The skeleton compiled: variable j < n_operands is operand j's value, n_operands + i
 * aggregate i's. Errors come from the expression parser (ILNET_EINPUT). */
int ilnet_series_expr_compile(ilnet_expr **out, const ilnet_series_expr *s);
/* msg with the skeleton's names (__v0, __a1) written as the user wrote them, into out. */
void ilnet_series_expr_unskeleton(char *out, size_t cap, const char *msg,
                                  const ilnet_series_expr *s);
/* The stored column name of an operand: "(TEXT)", which no model name can take; caller
 * frees. */
char *ilnet_series_operand_column(const char *operand);

#endif

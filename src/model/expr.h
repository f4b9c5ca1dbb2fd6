/* Arithmetic expressions over named variables, compiled to a small stack program.
 * Grammar: + - * / ^ (also **), unary minus, comparisons, parentheses, numbers,
 * names, and functions exp ln log (natural) log10 log2 sqrt abs sin cos tan asin acos
 * atan sinh cosh tanh asinh acosh atanh floor ceil rint sign factorial min max pow if(c,a,b),
 * logical and(a,b) or(a,b) xor(a,b) not(a) (nonzero is true); constants _pi and _e. */
#ifndef ILNET_EXPR_H
#define ILNET_EXPR_H

#include <stddef.h>

typedef struct ilnet_expr ilnet_expr;

/* Maps a name to a variable index (>= 0), or returns -1 when the name is unknown. */
typedef int (*ilnet_expr_resolve_fn)(void *ctx, const char *name, size_t len);

/* Compiles text. On error returns ILNET_EINPUT with a message naming the offending
 * token; *err_pos (if given) receives its 0-based offset in text. */
int ilnet_expr_parse(ilnet_expr **out, const char *text, ilnet_expr_resolve_fn resolve, void *ctx,
                     size_t *err_pos);
double ilnet_expr_eval(const ilnet_expr *e, const double *vars);
/* Number of distinct variables referenced and their indices (for dependency order). */
size_t ilnet_expr_var_count(const ilnet_expr *e);
int ilnet_expr_var(const ilnet_expr *e, size_t i);
/* 1 when the expression is a single literal number (stored in *value). */
int ilnet_expr_is_constant(const ilnet_expr *e, double *value);
/* 1 when the expression is exactly one variable reference. */
int ilnet_expr_is_variable(const ilnet_expr *e, int *index);
void ilnet_expr_free(ilnet_expr *e);

/* Forward-mode derivative: evaluates e at vars and, in *dout, its derivative along the
 * direction dvars (dvars[i] = d vars[i] / d p for some p), exactly by the chain rule over
 * the program (dual numbers). Comparisons, floor/ceil/rint/sign and logical functions have
 * derivative 0; if(c,a,b), min and max follow the branch taken. */
double ilnet_expr_eval_dual(const ilnet_expr *e, const double *vars, const double *dvars,
                            double *dout);

/* Comparisons (< > <= >= == !=), numbered 0.. in the order they appear in the program.
 * Event triggers use them as root functions: comparison i changes its value only where
 * lhs - rhs changes sign. */
size_t ilnet_expr_relation_count(const ilnet_expr *e);
/* '<' for < and <=, '>' for > and >=, '=' for ==, '!' for != */
char ilnet_expr_relation_kind(const ilnet_expr *e, size_t i);
/* Evaluates like ilnet_expr_eval; diff (may be NULL, relation_count entries) receives lhs - rhs
 * of every comparison, and comparison i yields force[i] instead of its own result when
 * force (may be NULL) holds 0 or 1 there (-1: not forced). */
double ilnet_expr_eval_relations(const ilnet_expr *e, const double *vars, double *diff,
                                 const signed char *force);

#endif

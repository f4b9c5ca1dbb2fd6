/* Shared by the PEtab readers (petab_read.c, petab_tables.c) and the evaluator. */
#ifndef ILNET_PETAB_INTERNAL_H
#define ILNET_PETAB_INTERNAL_H

#include "../model/network_sens.h"
#include "../solver/solver.h"
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
/* One condition's network and solver (petab_eval.c); with gradients, its sensitivity
 * columns: for each estimated parameter-table entry j, the network parameters j sets in
 * this condition (several columns) or, when it sets none, one column with no effect on the
 * rates that carries j's effect through the initial state (after a preequilibration) */
struct petab_cond_net {
    ilnet_network *net;
    ilnet_solver *solver;
    ilnet_expr **sym; /* the problem's symbols over this network's variables */
    double *vars, *dvars;
    int k, *which, *src, *first; /* columns: network parameter, x index; first[j]: a column */
    int *dummy;                  /* per column: 1 for a column with no parameter */
    ilnet_sens_params sp;        /* d vars / d column parameter */
};

/* gradient helpers (petab_grad.c) */
int petab_grad_columns(ilnet_petab *p, size_t c);
/* 1 when parameter-table entry j can move the state in some condition: a model parameter,
 * or named in a condition cell (noise and scaling parameters cannot) */
int petab_moves_state(const ilnet_petab *p, size_t j);
void petab_grad_free(struct petab_cond_net *cn);
/* the initial sensitivities of a run of condition network cs: after preequilibration the
 * steady state's (Spre, n x kp in network cp's columns) except for the species the
 * condition re-initialises; otherwise the initial amounts' own */
int petab_grad_initial(ilnet_petab *p, struct petab_cond_net *cs, int sim,
                       struct petab_cond_net *cp, const double *Spre, double *yS0);
/* how a measurement's dy/dx and dsigma/dx enter: the llh's and (jac_row not NULL) the
 * residual's derivatives w.r.t. y and sigma */
typedef struct {
    double llh_y, llh_s, res_y, res_s;
    double *jac_row;
    double *logsig_row; /* with jac_row: d log sigma / d x */
    double sigma;
} petab_weights;
/* adds measurement m's gradient terms (and residual Jacobian row): the weights times dy/dx
 * and dsigma/dx, from the state sensitivities S (n x k of cs), the formulas' own parameters
 * and the placeholders */
/* adjoint gradients: adds measurement m's weights times d obs / d y and d sigma / d y at
 * state y into g (n_species): the jump of the adjoint state at its time */
void petab_grad_state(ilnet_petab *p, struct petab_cond_net *cs, const petab_measurement *m,
                      double t, const double *y, double *fv, double *dfv, const petab_weights *w,
                      double *g);
void petab_grad_measurement(ilnet_petab *p, struct petab_cond_net *cs, const petab_measurement *m,
                            double t, const double *y, const double *S, double *fv, double *dfv,
                            const petab_weights *w, double *grad);

/* reads where the inner parameters enter each measurement and checks the forms the closed
 * form needs (petab_inner.c) */
int petab_inner_check(ilnet_petab *p);
/* adds measurement m's llh and chi2 terms for the simulated value and sigma */
void petab_likelihood_add(const ilnet_petab *p, const petab_measurement *m, double y, double sigma,
                          ilnet_petab_result *r);

/* a PEtab v2 problem, translated into v1 tables (petab_v2.c) */
int petab_read_v2(ilnet_petab **out, const char *yaml_path);
/* frees the evaluation state (networks, solvers, compiled formulas) */
void petab_eval_free(ilnet_petab *p);

#endif

/* The points of an experiment: which parameters vary and their values at each point.
 * Grid designs vary the last parameter fastest (point = i0·n1·n2… + i1·n2… + …); zip takes
 * the i-th value of every list; LHS stratifies each parameter into n equal bins (in log10
 * space with log: true), one sample per bin, bins paired by seeded GSL permutations
 * (mt19937); Sobol takes the first n points of GSL's Sobol sequence (which skips the origin:
 * the first point is the box's centre); Saltelli (Sobol' indices) takes n base samples in
 * 2k Sobol dimensions with a seeded digital shift and lays out blocks A, B, A_B^(1..k) of
 * n points each (saltelli() in design.c). Dose responses are series × doses, the dose
 * varying fastest. */
#ifndef ILNET_DESIGN_H
#define ILNET_DESIGN_H

#include "config.h"

#include <stddef.h>

typedef struct {
    size_t n_points;
    int n_vars;
    const char **names; /* borrowed from the config */
    double *values;     /* [n_points][n_vars] */
} ilnet_design_points;

/* How many points the experiment has, computed without expanding them (a double: a grid
 * of many parameters can exceed any integer). */
double ilnet_design_count(const ilnet_config_experiment *e);
int ilnet_design_expand(ilnet_design_points *out, const ilnet_config_experiment *e);
void ilnet_design_free(ilnet_design_points *d);
/* A Latin hypercube of n points in [0, 1)^dim into u[n][dim]: each dimension in n equal
 * strata, one sample in each, paired by seeded GSL permutations (mt19937). */
int ilnet_lhs_unit(double *u, size_t n, int dim, unsigned long seed);

#endif

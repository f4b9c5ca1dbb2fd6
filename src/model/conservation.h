/* Linear conservation laws: the left null space of the stoichiometry matrix (vectors c
 * with c^T N = 0), so c . y(t) stays at its initial value along every trajectory. */
#ifndef ILNET_CONSERVATION_H
#define ILNET_CONSERVATION_H

#include "network.h"

typedef struct {
    int n_terms;
    int *species;
    double *coef;
    double total; /* c . y0 for the network's initial amounts */
} ilnet_conservation_law;

typedef struct {
    size_t n_laws;
    ilnet_conservation_law *laws;
} ilnet_conservation;

/* Basis in reduced row-echelon form: each law has a leading species with coefficient
 * 1 that appears in no other law, so integer laws such as totals of a molecule come out
 * as integers. Fixed species are left out (they are constant by definition). */
int ilnet_conservation_analyze(ilnet_conservation *out, const ilnet_network *net);
void ilnet_conservation_free(ilnet_conservation *c);
double ilnet_conservation_eval(const ilnet_conservation_law *law, const double *y);
/* Scale for relative drift: sum of |c_i y_i|. */
double ilnet_conservation_scale(const ilnet_conservation_law *law, const double *y);

#endif

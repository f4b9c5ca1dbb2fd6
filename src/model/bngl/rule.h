/* A reaction rule compiled to graph edits, with its reaction centre and symmetry. */
#ifndef ILNET_BNGL_RULE_H
#define ILNET_BNGL_RULE_H

#include "bngl.h"
#include "match.h"

typedef struct {
    int a, b;
} ilnet_pair;

typedef struct {
    const ilnet_bngl_rule *src;
    int reverse;
    const char *rate; /* rate law text as written */
    int nr, np;
    ilnet_graph R, P;       /* all reactant / product patterns, appended */
    int *r_moff, *r_coff;   /* nr + 1 offsets into R */
    int *p_moff, *p_coff;   /* np + 1 offsets into P */
    int *r_pat, *p_pat;     /* pattern of each molecule */
    ilnet_graph *rpat;      /* the reactant patterns (views of the source rule) */
    ilnet_match_plan *plan; /* per reactant pattern */
    int *r2p_mol, *p2r_mol, *r2p_comp, *p2r_comp;
    /* edits: R components are >= 0, components of added molecules are -(P index + 1) */
    int n_state, n_unbond, n_bond, n_add, n_del, n_inherit;
    ilnet_pair *state;   /* (R comp, new state) */
    ilnet_pair *unbond;  /* (R comp, R comp) */
    ilnet_pair *bond;    /* (end, end) */
    int *add;            /* P molecules to create */
    int *del;            /* R molecules to delete */
    ilnet_pair *inherit; /* (R comp, P comp of an added molecule): copy the state */
    int *del_species;    /* nr: delete the whole matched species */
    int n_center;
    int *center;     /* R comp, or -(R mol + 1) */
    double symmetry; /* order of the rule automorphisms' action on the centre */
    int n_cond;
    const ilnet_bngl_cond *cond;
    int *cond_prod; /* per condition: 1 when it tests a product in this direction */
    ilnet_match_plan *cond_plan;
} ilnet_crule;

/* Compiles rule r (reverse = 1: its <-> reverse). Errors name the rule and line. */
int ilnet_crule_init(ilnet_crule *cr, const ilnet_bngl_model *m, const ilnet_bngl_rule *r,
                     int reverse);
void ilnet_crule_free(ilnet_crule *cr);

#endif

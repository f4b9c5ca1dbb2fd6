/* Molecule types and site graphs: the shared representation of BNGL species and patterns.
 *
 * A graph is a list of molecules, each owning a contiguous run of components. A component
 * has a name (an index into its molecule type's distinct site names), a state (index into
 * that name's state list, or -1), and up to ILNET_BNGL_MAXB bonds to other components.
 * Species graphs list every site of each molecule; pattern graphs list only the sites they
 * constrain and use the pattern-only fields (state -1 = any, wildcards). */
#ifndef ILNET_BNGL_GRAPH_H
#define ILNET_BNGL_GRAPH_H

#include "../../common/strmap.h"

#include <stddef.h>

#define ILNET_BNGL_MAXB 4

enum { ILNET_WILD_NONE = 0, ILNET_WILD_PLUS = 1, ILNET_WILD_ANY = 2 };

typedef struct {
    char *name;
    int n_states;
    char **states;
} ilnet_site_name;

typedef struct {
    char *name;
    int n_sites;    /* sites in declaration order; repeated names allowed */
    int *site_name; /* n_sites: index into names */
    int n_names;
    ilnet_site_name *names;
    int declared; /* 1 when from a molecule types block */
    int line;
} ilnet_moltype;

typedef struct {
    int n, cap;
    ilnet_moltype *t;
    ilnet_strmap index; /* name -> index into t */
} ilnet_moltypes;

typedef struct {
    int mol;
    int name;  /* site name index in the molecule type */
    int state; /* -1: none (species) or any (pattern) */
    int nb;
    int b[ILNET_BNGL_MAXB]; /* partner component indices */
    int wild;               /* patterns: ILNET_WILD_* */
    int label;              /* patterns: %label id, or -1 */
} ilnet_gcomp;

typedef struct {
    int type;
    int c0, nc;
    int label; /* patterns: %label id, or -1 */
} ilnet_gmol;

typedef struct {
    int nmol, ncomp;
    int capm, capc;
    ilnet_gmol *m;
    ilnet_gcomp *c;
} ilnet_graph;

void ilnet_moltypes_free(ilnet_moltypes *mt);
int ilnet_moltypes_find(const ilnet_moltypes *mt, const char *name, size_t len);
int ilnet_moltype_find_name(const ilnet_moltype *t, const char *name, size_t len);
int ilnet_moltype_find_state(const ilnet_moltype *t, int name, const char *state, size_t len);

void ilnet_graph_init(ilnet_graph *g);
void ilnet_graph_free(ilnet_graph *g);
void ilnet_graph_clear(ilnet_graph *g);
int ilnet_graph_copy(ilnet_graph *dst, const ilnet_graph *src);
/* Adds a molecule with nc components (zeroed, state -1, label -1); returns its index or
 * ILNET_ENOMEM. The graph's component array may move. */
int ilnet_graph_add_mol(ilnet_graph *g, int type, int nc);
/* Appends src; returns the component offset, molecule offset in *mol_off. */
int ilnet_graph_append(ilnet_graph *g, const ilnet_graph *src, int *mol_off);
int ilnet_graph_bond(ilnet_graph *g, int c1, int c2);
void ilnet_graph_unbond(ilnet_graph *g, int c1, int c2);
/* Connected components over molecules: comp_of[mol] in 0..n-1; returns n. */
int ilnet_graph_components(const ilnet_graph *g, int *comp_of, int *stack);
/* Copies the molecules with keep[mol] == which into dst (bonds to others must not exist). */
int ilnet_graph_extract(ilnet_graph *dst, const ilnet_graph *src, const int *keep, int which);

/* Canonical BNGL string of a species graph: isomorphic graphs give the same string.
 * Molecules are ordered by type name, sites by name and state, bonds numbered in order of
 * appearance. The string is written to *buf (grown as needed). */
typedef struct ilnet_canon_ws ilnet_canon_ws;
int ilnet_canon_ws_new(ilnet_canon_ws **out);
void ilnet_canon_ws_free(ilnet_canon_ws *ws);
int ilnet_graph_canonical(ilnet_canon_ws *ws, const ilnet_graph *g, const ilnet_moltypes *mt,
                          char **buf, size_t *cap);
/* Writes molecules in mol_order, components in comp_order (grouped per molecule in that
 * order); bondno is scratch of ncomp * (ILNET_BNGL_MAXB + 1) ints. */
int ilnet_graph_write(const ilnet_graph *g, const ilnet_moltypes *mt, const int *mol_order,
                      const int *comp_order, int *bondno, char **buf, size_t *cap);
/* Plain (non-canonical) BNGL text of a graph, patterns included. */
int ilnet_graph_format(const ilnet_graph *g, const ilnet_moltypes *mt, char **buf, size_t *cap);

#endif

/* Embeddings of a pattern graph into a species graph (BNGL matching semantics), and
 * automorphisms of a pattern (exact mode: pattern against itself).
 *
 * A pattern site without a bond spec must be free; "!+" needs at least one bond, "!?"
 * allows any; explicit bonds must exist between the images. Sites a pattern molecule does
 * not list are unconstrained. Distinct pattern molecules and sites map to distinct ones. */
#ifndef ILNET_BNGL_MATCH_H
#define ILNET_BNGL_MATCH_H

#include "graph.h"

typedef struct {
    int nmol;
    int *order;    /* molecule search order */
    int *anchor_p; /* per position: a site of this molecule bonded to an earlier one, or -1 */
    int *anchor_q; /* that earlier site */
} ilnet_match_plan;

typedef struct {
    int *molmap, *compmap; /* pattern -> target */
    char *used_mol, *used_comp;
    int cap_pm, cap_pc, cap_tm, cap_tc;
} ilnet_match_ws;

/* Called per embedding; a nonzero return stops the search. */
typedef int (*ilnet_match_fn)(void *ctx, const int *molmap, const int *compmap);

int ilnet_match_plan_init(ilnet_match_plan *plan, const ilnet_graph *pattern);
void ilnet_match_plan_free(ilnet_match_plan *plan);
void ilnet_match_ws_free(ilnet_match_ws *ws);

enum { ILNET_MATCH_EMBED = 0, ILNET_MATCH_EXACT = 1 };

/* Number of embeddings found (all of them unless fn stopped the search), or ILNET_ENOMEM.
 * fn may be NULL to count. */
long ilnet_match(ilnet_match_ws *ws, const ilnet_match_plan *plan, const ilnet_graph *pattern,
                 const ilnet_graph *target, int mode, ilnet_match_fn fn, void *ctx);

/* ilnet_match restricted to embeddings that send pattern molecule i to pin_mol[i] and
 * pattern site j to pin_comp[j] wherever those are >= 0 (either array may be NULL). */
long ilnet_match_pinned(ilnet_match_ws *ws, const ilnet_match_plan *plan,
                        const ilnet_graph *pattern, const ilnet_graph *target, int mode,
                        const int *pin_mol, const int *pin_comp, ilnet_match_fn fn, void *ctx);

#endif

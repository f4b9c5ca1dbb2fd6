/* Rule compilation: molecule and site correspondence between the two sides, the edits a
 * rule makes, its reaction centre, and the rule automorphisms that act on that centre
 * (BioNetGen divides by their number, so maps that differ only by a symmetry of the rule
 * are not counted twice). */
#include "rule.h"

#include "../../common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int rerr(const ilnet_bngl_model *m, const ilnet_bngl_rule *r, int reverse, const char *fmt,
                ...) __attribute__((format(printf, 4, 5)));
static int rerr(const ilnet_bngl_model *m, const ilnet_bngl_rule *r, int reverse, const char *fmt,
                ...)
{
    char who[160];
    if (r->name)
        snprintf(who, sizeof who, "rule '%s'%s", r->name, reverse ? " (reverse)" : "");
    else
        snprintf(who, sizeof who, "rule%s", reverse ? " (reverse)" : "");
    va_list ap;
    va_start(ap, fmt);
    int rc = ilnet_error_atv(ILNET_EINPUT, m->path, r->line, r->col, who, fmt, ap);
    va_end(ap);
    return rc;
}

static int join(ilnet_graph *out, const ilnet_graph *pats, int n, int **moff, int **coff,
                int **pat_of)
{
    ilnet_graph_init(out);
    *moff = calloc((size_t)n + 1, sizeof **moff);
    *coff = calloc((size_t)n + 1, sizeof **coff);
    if (!*moff || !*coff) return ilnet_error_oom();
    for (int i = 0; i < n; i++) {
        int mo;
        (*coff)[i] = out->ncomp;
        int rc = ilnet_graph_append(out, &pats[i], &mo);
        if (rc < 0) return rc;
        (*moff)[i] = mo;
    }
    (*moff)[n] = out->nmol;
    (*coff)[n] = out->ncomp;
    *pat_of = malloc(((size_t)out->nmol + 1) * sizeof **pat_of);
    if (!*pat_of) return ilnet_error_oom();
    for (int i = 0; i < n; i++)
        for (int k = (*moff)[i]; k < (*moff)[i + 1]; k++)
            (*pat_of)[k] = i;
    return 0;
}

static int has_bond(const ilnet_graph *g, int a, int b)
{
    for (int k = 0; k < g->c[a].nb; k++)
        if (g->c[a].b[k] == b) return 1;
    return 0;
}

#define PUSH(arr, n, val)                                                                          \
    do {                                                                                           \
        void *p_ = realloc((arr), ((size_t)(n) + 1) * sizeof *(arr));                              \
        if (!p_) return ilnet_error_oom();                                                         \
        (arr) = p_;                                                                                \
        (arr)[(n)++] = (val);                                                                      \
    } while (0)

/* ---- symmetry ---- */

static int find_pair(const ilnet_pair *v, int n, int a, int b, int unordered)
{
    for (int i = 0; i < n; i++)
        if ((v[i].a == a && v[i].b == b) || (unordered && v[i].a == b && v[i].b == a)) return 1;
    return 0;
}

/* an added-molecule end is compared by (molecule type, site name) */
static int end_key(const ilnet_crule *cr, int e)
{
    if (e >= 0) return e;
    int pc = -e - 1;
    const ilnet_gcomp *c = &cr->P.c[pc];
    return -(cr->P.m[c->mol].type * 4096 + c->name + 1);
}

struct symctx {
    const ilnet_crule *cr;
    int found, count;
};

/* Match callback over automorphisms of the reactant side: stops at the first one that
 * preserves the rule's edit and maps its centre onto itself. */
static int sym_cb(void *vctx, const int *molmap, const int *compmap)
{
    struct symctx *x = vctx;
    const ilnet_crule *cr = x->cr;
    /* patterns map onto whole patterns */
    for (int i = 0; i < cr->nr; i++) {
        int j = cr->r_pat[molmap[cr->r_moff[i]]];
        if (cr->r_moff[j + 1] - cr->r_moff[j] != cr->r_moff[i + 1] - cr->r_moff[i]) return 0;
        for (int k = cr->r_moff[i]; k < cr->r_moff[i + 1]; k++)
            if (cr->r_pat[molmap[k]] != j) return 0;
        if (cr->del_species[i] != cr->del_species[j]) return 0;
    }
    for (int i = 0; i < cr->n_state; i++)
        if (!find_pair(cr->state, cr->n_state, compmap[cr->state[i].a], cr->state[i].b, 0))
            return 0;
    for (int i = 0; i < cr->n_unbond; i++)
        if (!find_pair(cr->unbond, cr->n_unbond, compmap[cr->unbond[i].a], compmap[cr->unbond[i].b],
                       1))
            return 0;
    for (int i = 0; i < cr->n_bond; i++) {
        int a = cr->bond[i].a, b = cr->bond[i].b;
        int sa = a >= 0 ? compmap[a] : end_key(cr, a), sb = b >= 0 ? compmap[b] : end_key(cr, b);
        int ok = 0;
        for (int k = 0; k < cr->n_bond && !ok; k++) {
            int ka = end_key(cr, cr->bond[k].a), kb = end_key(cr, cr->bond[k].b);
            ok = (ka == sa && kb == sb) || (ka == sb && kb == sa);
        }
        if (!ok) return 0;
    }
    for (int i = 0; i < cr->n_inherit; i++) {
        int sa = compmap[cr->inherit[i].a], ok = 0;
        for (int k = 0; k < cr->n_inherit && !ok; k++)
            ok = cr->inherit[k].a == sa &&
                 end_key(cr, -(cr->inherit[k].b + 1)) == end_key(cr, -(cr->inherit[i].b + 1));
        if (!ok) return 0;
    }
    for (int i = 0; i < cr->n_del; i++) {
        int ok = 0;
        for (int k = 0; k < cr->n_del && !ok; k++)
            ok = cr->del[k] == molmap[cr->del[i]];
        if (!ok) return 0;
    }
    /* the centre maps onto itself */
    for (int i = 0; i < cr->n_center; i++) {
        int e = cr->center[i], img = e >= 0 ? compmap[e] : -(molmap[-e - 1] + 1), in = 0;
        for (int k = 0; k < cr->n_center && !in; k++)
            in = cr->center[k] == img;
        if (!in) return 0; /* not a symmetry of the edit */
    }
    x->found = 1;
    return 1;
}

/* Match callback counting edit-preserving automorphisms; stops at the second. */
static int count_cb(void *vctx, const int *molmap, const int *compmap)
{
    struct symctx *x = vctx;
    if (!sym_cb(x, molmap, compmap)) return 0;
    x->found = 0;
    return ++x->count >= 2;
}

/* 1 when an edit-preserving automorphism other than the identity fixes the pinned elements,
 * 0 when none does (then every later orbit is one element), negative on error */
static int nontrivial(ilnet_match_ws *ws, const ilnet_match_plan *plan, const ilnet_crule *cr,
                      const int *pin_mol, const int *pin_comp)
{
    struct symctx x = {cr, 0, 0};
    long n = ilnet_match_pinned(ws, plan, &cr->R, &cr->R, ILNET_MATCH_EXACT, pin_mol, pin_comp,
                                count_cb, &x);
    return n < 0 ? (int)n : x.count >= 2;
}

/* pins centre element e (a site, or -(molecule+1)) to img; returns 0 when impossible */
static int pin_center(const ilnet_graph *R, int *pin_mol, int *pin_comp, int e, int img)
{
    if ((e >= 0) != (img >= 0)) return 0;
    int pm = e >= 0 ? R->c[e].mol : -e - 1, tm = img >= 0 ? R->c[img].mol : -img - 1;
    if (pin_mol[pm] >= 0 && pin_mol[pm] != tm) return 0;
    if (e >= 0 && pin_comp[e] >= 0 && pin_comp[e] != img) return 0;
    pin_mol[pm] = tm;
    if (e >= 0) pin_comp[e] = img;
    return 1;
}

/* The rule's edit-preserving automorphisms form a group G; BioNetGen divides by the order
 * of its image H in the permutations of the centre. |H| comes from a stabiliser chain over
 * the centre elements c_0, c_1, ...: |H| is the product of the orbit sizes of c_i under the
 * elements fixing c_0..c_(i-1), and each orbit element is found by one pinned search that
 * stops at its first automorphism. Enumerating G instead costs n! for n identical
 * molecules (A().A()...A() -> 0). */
static int compute_symmetry(ilnet_crule *cr)
{
    cr->symmetry = 1;
    if (cr->n_center == 0 || cr->R.nmol == 0) return 0;
    const ilnet_graph *R = &cr->R;
    ilnet_match_plan plan;
    int rc = ilnet_match_plan_init(&plan, R);
    if (rc) return rc;
    ilnet_match_ws ws = {0};
    size_t nm = (size_t)R->nmol, nc = (size_t)R->ncomp;
    int *pins = malloc(2 * (nm + nc + 1) * sizeof *pins);
    if (!pins) {
        ilnet_match_plan_free(&plan);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory (rule symmetry)");
    }
    int *pin_mol = pins, *pin_comp = pins + nm, *save = pins + nm + nc + 1;
    for (size_t i = 0; i < nm + nc; i++)
        pin_mol[i] = -1; /* pin_comp follows pin_mol */
    double order = 1;
    /* Stop as soon as the stabiliser is trivial: a centre of n asymmetric molecules (a long
     * chain deleted) would otherwise cost n^2 pinned searches of n molecules each. */
    for (int i = 0; i < cr->n_center && !rc; i++) {
        int nt = nontrivial(&ws, &plan, cr, pin_mol, pin_comp);
        if (nt <= 0) {
            rc = nt;
            break;
        }
        int orbit = 0;
        /* c_j, j < i, is fixed: c_i cannot map onto it */
        for (int k = i; k < cr->n_center && !rc; k++) {
            memcpy(save, pins, (nm + nc) * sizeof *pins);
            if (pin_center(R, pin_mol, pin_comp, cr->center[i], cr->center[k])) {
                struct symctx x = {cr, 0, 0};
                long n = ilnet_match_pinned(&ws, &plan, R, R, ILNET_MATCH_EXACT, pin_mol, pin_comp,
                                            sym_cb, &x);
                if (n < 0)
                    rc = (int)n;
                else
                    orbit += x.found;
            }
            memcpy(pins, save, (nm + nc) * sizeof *pins);
        }
        order *= orbit > 0 ? orbit : 1; /* the identity is always there */
        if (!pin_center(R, pin_mol, pin_comp, cr->center[i], cr->center[i])) break;
    }
    ilnet_match_ws_free(&ws);
    ilnet_match_plan_free(&plan);
    free(pins);
    if (rc) return rc;
    cr->symmetry = order;
    return 0;
}

/* ---- compile ---- */

static int add_center(ilnet_crule *cr, int e)
{
    for (int i = 0; i < cr->n_center; i++)
        if (cr->center[i] == e) return 0;
    PUSH(cr->center, cr->n_center, e);
    return 0;
}

/* The correspondence arrays, all unmapped (-1), and one match plan per reactant. */
static int alloc_maps(ilnet_crule *cr)
{
    const ilnet_graph *R = &cr->R, *P = &cr->P;
    cr->r2p_mol = malloc(((size_t)R->nmol + 1) * sizeof(int));
    cr->p2r_mol = malloc(((size_t)P->nmol + 1) * sizeof(int));
    cr->r2p_comp = malloc(((size_t)R->ncomp + 1) * sizeof(int));
    cr->p2r_comp = malloc(((size_t)P->ncomp + 1) * sizeof(int));
    cr->del_species = calloc((size_t)cr->nr + 1, sizeof(int));
    cr->plan = calloc((size_t)cr->nr + 1, sizeof *cr->plan);
    if (!cr->r2p_mol || !cr->p2r_mol || !cr->r2p_comp || !cr->p2r_comp || !cr->del_species ||
        !cr->plan)
        return ilnet_error_oom();
    for (int i = 0; i < R->nmol; i++)
        cr->r2p_mol[i] = -1;
    for (int i = 0; i < P->nmol; i++)
        cr->p2r_mol[i] = -1;
    for (int i = 0; i < R->ncomp; i++)
        cr->r2p_comp[i] = -1;
    for (int i = 0; i < P->ncomp; i++)
        cr->p2r_comp[i] = -1;
    return 0;
}

/* Molecules: explicit %labels first, then the first unused one of the same type. */
static void map_molecules(ilnet_crule *cr)
{
    const ilnet_graph *R = &cr->R, *P = &cr->P;
    for (int pass = 0; pass < 2; pass++)
        for (int p = 0; p < P->nmol; p++) {
            if (cr->p2r_mol[p] >= 0) continue;
            for (int q = 0; q < R->nmol; q++) {
                if (cr->r2p_mol[q] >= 0 || R->m[q].type != P->m[p].type) continue;
                if (pass == 0 && (P->m[p].label < 0 || P->m[p].label != R->m[q].label)) continue;
                if (pass == 1 && (R->m[q].label >= 0 || P->m[p].label >= 0) &&
                    R->m[q].label != P->m[p].label)
                    continue;
                cr->p2r_mol[p] = q;
                cr->r2p_mol[q] = p;
                break;
            }
        }
}

/* Sites of corresponding molecules, by name in order; both sides must list the same ones. */
static int map_sites(ilnet_crule *cr, const ilnet_bngl_model *m)
{
    const ilnet_graph *R = &cr->R, *P = &cr->P;
    for (int p = 0; p < P->nmol; p++) {
        int q = cr->p2r_mol[p];
        if (q < 0) continue;
        const ilnet_moltype *t = &m->mt.t[P->m[p].type];
        for (int pc = P->m[p].c0; pc < P->m[p].c0 + P->m[p].nc; pc++) {
            for (int rc = R->m[q].c0; rc < R->m[q].c0 + R->m[q].nc; rc++)
                if (cr->r2p_comp[rc] < 0 && R->c[rc].name == P->c[pc].name) {
                    cr->r2p_comp[rc] = pc;
                    cr->p2r_comp[pc] = rc;
                    break;
                }
            if (cr->p2r_comp[pc] < 0)
                return rerr(m, cr->src, cr->reverse,
                            "site '%s' of '%s' appears in the products but not in the reactants",
                            t->names[P->c[pc].name].name, t->name);
        }
        for (int rc = R->m[q].c0; rc < R->m[q].c0 + R->m[q].nc; rc++)
            if (cr->r2p_comp[rc] < 0)
                return rerr(m, cr->src, cr->reverse,
                            "site '%s' of '%s' appears in the reactants but not in the products",
                            t->names[R->c[rc].name].name, t->name);
    }
    return 0;
}

/* State changes on kept sites; a bond wildcard must be the same on both sides. */
static int find_state_changes(ilnet_crule *cr, const ilnet_bngl_model *m)
{
    const ilnet_graph *R = &cr->R, *P = &cr->P;
    for (int pc = 0; pc < P->ncomp; pc++) {
        int rc = cr->p2r_comp[pc];
        const ilnet_gcomp *a = rc >= 0 ? &R->c[rc] : NULL, *b = &P->c[pc];
        const ilnet_moltype *t = &m->mt.t[P->m[b->mol].type];
        if (!a) continue;
        if (b->state >= 0 && b->state != a->state) {
            ilnet_pair sp = {rc, b->state};
            PUSH(cr->state, cr->n_state, sp);
            if (add_center(cr, rc)) return ILNET_ENOMEM;
        }
        if (a->wild != b->wild)
            return rerr(m, cr->src, cr->reverse,
                        "bond wildcard on site '%s' of '%s' differs between reactants and products",
                        t->names[b->name].name, t->name);
    }
    return 0;
}

/* Reactant bonds between kept sites that the products no longer have. */
static int find_unbonds(ilnet_crule *cr)
{
    const ilnet_graph *R = &cr->R;
    for (int a = 0; a < R->ncomp; a++)
        for (int k = 0; k < R->c[a].nb; k++) {
            int b = R->c[a].b[k];
            if (b < a) continue;
            int pa = cr->r2p_comp[a], pb = cr->r2p_comp[b];
            if (pa < 0 || pb < 0) continue; /* goes with a deleted molecule */
            if (!has_bond(&cr->P, pa, pb)) {
                ilnet_pair u = {a, b};
                PUSH(cr->unbond, cr->n_unbond, u);
                if (add_center(cr, a) || add_center(cr, b)) return ILNET_ENOMEM;
            }
        }
    return 0;
}

/* Product molecules without a reactant are created; their sites with a %label take the
 * state of the reactant site with the same label. */
static int find_additions(ilnet_crule *cr)
{
    const ilnet_graph *R = &cr->R, *P = &cr->P;
    for (int p = 0; p < P->nmol; p++)
        if (cr->p2r_mol[p] < 0) {
            PUSH(cr->add, cr->n_add, p);
            for (int pc = P->m[p].c0; pc < P->m[p].c0 + P->m[p].nc; pc++) {
                if (P->c[pc].label < 0) continue;
                for (int rc = 0; rc < R->ncomp; rc++)
                    if (R->c[rc].label == P->c[pc].label) {
                        ilnet_pair ih = {rc, pc};
                        PUSH(cr->inherit, cr->n_inherit, ih);
                        if (add_center(cr, rc)) return ILNET_ENOMEM;
                        break;
                    }
            }
        }
    return 0;
}

/* Product bonds the reactants do not have; an end on an added molecule is -(P comp + 1). */
static int find_new_bonds(ilnet_crule *cr)
{
    const ilnet_graph *P = &cr->P;
    for (int a = 0; a < P->ncomp; a++)
        for (int k = 0; k < P->c[a].nb; k++) {
            int b = P->c[a].b[k];
            if (b < a) continue;
            int ra = cr->p2r_comp[a], rb = cr->p2r_comp[b];
            if (ra >= 0 && rb >= 0 && has_bond(&cr->R, ra, rb)) continue;
            ilnet_pair bp = {ra >= 0 ? ra : -(a + 1), rb >= 0 ? rb : -(b + 1)};
            PUSH(cr->bond, cr->n_bond, bp);
            if (ra >= 0 && add_center(cr, ra)) return ILNET_ENOMEM;
            if (rb >= 0 && add_center(cr, rb)) return ILNET_ENOMEM;
        }
    return 0;
}

/* Reactant molecules without a product are deleted; when a whole reactant pattern goes
 * (and DeleteMolecules is not given) the whole matched species goes with it. */
static int find_deletions(ilnet_crule *cr)
{
    for (int i = 0; i < cr->nr; i++) {
        int all = 1, any = 0;
        for (int q = cr->r_moff[i]; q < cr->r_moff[i + 1]; q++) {
            if (cr->r2p_mol[q] < 0)
                any = 1;
            else
                all = 0;
        }
        if (any && all && !cr->src->delete_molecules) cr->del_species[i] = 1;
        for (int q = cr->r_moff[i]; q < cr->r_moff[i + 1]; q++)
            if (cr->r2p_mol[q] < 0) {
                PUSH(cr->del, cr->n_del, q);
                if (add_center(cr, -(q + 1))) return ILNET_ENOMEM;
            }
    }
    return 0;
}

/* Match plans of the include/exclude conditions. The reverse of a rule tests the forward
 * reactants' conditions on its products (and the other way round). */
static int compile_conditions(ilnet_crule *cr)
{
    const ilnet_bngl_rule *r = cr->src;
    if (!r->n_cond) return 0;
    cr->n_cond = r->n_cond;
    cr->cond = r->cond;
    cr->cond_plan = calloc((size_t)r->n_cond, sizeof *cr->cond_plan);
    cr->cond_prod = calloc((size_t)r->n_cond, sizeof *cr->cond_prod);
    if (!cr->cond_plan || !cr->cond_prod) return ilnet_error_oom();
    for (int i = 0; i < r->n_cond; i++) {
        cr->cond_prod[i] = r->cond[i].on_products ^ cr->reverse;
        int rc = ilnet_match_plan_init(&cr->cond_plan[i], &r->cond[i].pat);
        if (rc) return rc;
    }
    return 0;
}

/* The edits: what changes between the corresponding reactant and product elements, each
 * touched element joining the reaction centre. */
static int find_edits(ilnet_crule *cr, const ilnet_bngl_model *m)
{
    int rc = find_state_changes(cr, m);
    if (!rc) rc = find_unbonds(cr);
    if (!rc) rc = find_additions(cr);
    if (!rc) rc = find_new_bonds(cr);
    if (!rc) rc = find_deletions(cr);
    return rc;
}

/* A created site that takes a reactant site's state (%label) gets its state index: both
 * must list the same states in the same order (a site without states cannot take one;
 * found by fuzz_bngl: `0->A(c1~1)` then `A(c1%2)->B(c%2)` crashed writing B). */
static int check_inherit(const ilnet_crule *cr, const ilnet_bngl_model *m, const ilnet_bngl_rule *r)
{
    for (int i = 0; i < cr->n_inherit; i++) {
        const ilnet_gcomp *a = &cr->R.c[cr->inherit[i].a], *b = &cr->P.c[cr->inherit[i].b];
        const ilnet_moltype *ta = &m->mt.t[cr->R.m[a->mol].type];
        const ilnet_moltype *tb = &m->mt.t[cr->P.m[b->mol].type];
        const ilnet_site_name *sa = &ta->names[a->name], *sb = &tb->names[b->name];
        int same = sa->n_states == sb->n_states;
        for (int k = 0; same && k < sa->n_states; k++)
            same = !strcmp(sa->states[k], sb->states[k]);
        if (!same)
            return rerr(m, r, cr->reverse,
                        "site '%s' of %s takes the state of site '%s' of %s (%%label), but their "
                        "states differ (%d vs %d states)",
                        sb->name, tb->name, sa->name, ta->name, sb->n_states, sa->n_states);
    }
    return 0;
}

int ilnet_crule_init(ilnet_crule *cr, const ilnet_bngl_model *m, const ilnet_bngl_rule *r,
                     int reverse)
{
    memset(cr, 0, sizeof *cr);
    cr->src = r;
    cr->reverse = reverse;
    cr->rate = reverse ? r->rate_rev : r->rate;
    const ilnet_graph *rp = reverse ? r->prod : r->react, *pp = reverse ? r->react : r->prod;
    cr->nr = reverse ? r->np : r->nr;
    cr->np = reverse ? r->nr : r->np;
    cr->rpat = (ilnet_graph *)rp;
    int rc = join(&cr->R, rp, cr->nr, &cr->r_moff, &cr->r_coff, &cr->r_pat);
    if (!rc) rc = join(&cr->P, pp, cr->np, &cr->p_moff, &cr->p_coff, &cr->p_pat);
    if (rc) return rc;
    if (cr->nr > 2)
        return rerr(m, r, reverse, "rules with more than two reactant patterns are not supported");
    if ((rc = alloc_maps(cr))) return rc;
    map_molecules(cr);
    if ((rc = map_sites(cr, m)) || (rc = find_edits(cr, m)) || (rc = check_inherit(cr, m, r)))
        return rc;
    for (int i = 0; i < cr->nr; i++)
        if ((rc = ilnet_match_plan_init(&cr->plan[i], &rp[i]))) return rc;
    if ((rc = compile_conditions(cr))) return rc;
    if (cr->n_state + cr->n_unbond + cr->n_bond + cr->n_add + cr->n_del == 0)
        return rerr(m, r, reverse, "the rule changes nothing (products equal reactants)");
    return compute_symmetry(cr);
}

void ilnet_crule_free(ilnet_crule *cr)
{
    ilnet_graph_free(&cr->R);
    ilnet_graph_free(&cr->P);
    free(cr->r_moff);
    free(cr->r_coff);
    free(cr->p_moff);
    free(cr->p_coff);
    free(cr->r_pat);
    free(cr->p_pat);
    if (cr->plan)
        for (int i = 0; i < cr->nr; i++)
            ilnet_match_plan_free(&cr->plan[i]);
    free(cr->plan);
    free(cr->r2p_mol);
    free(cr->p2r_mol);
    free(cr->r2p_comp);
    free(cr->p2r_comp);
    free(cr->state);
    free(cr->unbond);
    free(cr->bond);
    free(cr->add);
    free(cr->del);
    free(cr->inherit);
    free(cr->del_species);
    free(cr->center);
    if (cr->cond_plan)
        for (int i = 0; i < cr->n_cond; i++)
            ilnet_match_plan_free(&cr->cond_plan[i]);
    free(cr->cond_plan);
    free(cr->cond_prod);
    memset(cr, 0, sizeof *cr);
}

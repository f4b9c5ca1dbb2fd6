/* Network generation: rules applied round by round to the species found so far, products
 * identified by canonical labels, identical reactions of one rule merged with their
 * multiplicity, then the whole thing handed to ilnet_network. */
#include "bngl.h"
#include "rule.h"

#include "../../common/clock.h"
#include "../../common/error.h"
#include "../../common/strmap.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    int rule;
    int nr, np;
    int r[2];
    int *p;
    int count;
    char *key;
} rxn;

typedef struct {
    int start, count;
} span;

typedef struct {
    const ilnet_bngl_model *m;
    const ilnet_netgen_options *opt;
    int nrules;
    ilnet_crule *rules;
    /* species */
    int ns, cap_s;
    ilnet_graph *sg;
    char **sname;
    int *sline;
    ilnet_strmap smap;
    /* embeddings per (rule, reactant pattern) slot and species */
    int nslots;
    span **emb; /* [slot][species] */
    int *ebuf;
    size_t elen, ecap;
    int cur_slot_width;
    /* reactions */
    int nrx, cap_rx;
    rxn *rx;
    ilnet_strmap rxmap;
    /* scratch */
    ilnet_match_ws mws;
    ilnet_canon_ws *cws;
    ilnet_graph W, X;
    char *buf;
    size_t bufcap;
    int *comp_of, *stack, *delmark, *addimg, *addmol, *prodsp;
    int cap_w;
    int *tuples;
    int ntuples, cap_tuples;
    int truncated;
    int *stoich_type; /* per molecule type: max count, or 0 */
} gen;

static int oom(void)
{
    return ilnet_error_set(ILNET_ENOMEM, "out of memory (network generation)");
}

static int slot_of(const gen *G, int rule, int pat)
{
    int s = 0;
    for (int k = 0; k < rule; k++)
        s += G->rules[k].nr;
    return s + pat;
}

/* ---- species ---- */

static int check_limits(gen *G, const ilnet_graph *g)
{
    if (G->opt->max_agg > 0 && g->nmol > G->opt->max_agg) return 0;
    if (G->stoich_type) {
        for (int t = 0; t < G->m->mt.n; t++) {
            if (!G->stoich_type[t]) continue;
            int n = 0;
            for (int i = 0; i < g->nmol; i++)
                n += g->m[i].type == t;
            if (n > G->stoich_type[t]) return 0;
        }
    }
    return 1;
}

/* Species index of g (added when new), or -1 when a limit excludes it; <-1 on error. */
static int species_of(gen *G, const ilnet_graph *g, int line, int *is_new)
{
    *is_new = 0;
    int rc = ilnet_graph_canonical(G->cws, g, &G->m->mt, &G->buf, &G->bufcap);
    if (rc) return rc < -1 ? rc : -2;
    int idx = ilnet_strmap_get(&G->smap, G->buf, (size_t)-1);
    if (idx >= 0) return idx;
    if (!check_limits(G, g)) {
        G->truncated = 1;
        return -1;
    }
    if (G->ns == G->cap_s) {
        int nc = G->cap_s ? G->cap_s * 2 : 64;
        ilnet_graph *a = realloc(G->sg, (size_t)nc * sizeof *a);
        if (a) G->sg = a;
        char **b = realloc(G->sname, (size_t)nc * sizeof *b);
        if (b) G->sname = b;
        int *c = realloc(G->sline, (size_t)nc * sizeof *c);
        if (c) G->sline = c;
        if (!a || !b || !c) return oom();
        for (int s = 0; s < G->nslots; s++) {
            span *e = realloc(G->emb[s], (size_t)nc * sizeof *e);
            if (!e) return oom();
            G->emb[s] = e;
        }
        G->cap_s = nc;
    }
    int i = G->ns;
    ilnet_graph_init(&G->sg[i]);
    if (ilnet_graph_copy(&G->sg[i], g)) return oom();
    if (!(G->sname[i] = strdup(G->buf))) return oom();
    G->sline[i] = line;
    for (int s = 0; s < G->nslots; s++)
        G->emb[s][i] = (span){0, 0};
    G->ns++;
    if (ilnet_strmap_put(&G->smap, G->sname[i], i) < 0) return oom();
    *is_new = 1;
    return i;
}

/* ---- embeddings ---- */

struct embctx {
    gen *G;
    int nm, nc;
    int err;
};

static int emb_cb(void *vctx, const int *molmap, const int *compmap)
{
    struct embctx *x = vctx;
    gen *G = x->G;
    size_t w = (size_t)(x->nm + x->nc);
    if (G->elen + w > G->ecap) {
        size_t nc = G->ecap ? G->ecap * 2 : 4096;
        while (nc < G->elen + w)
            nc *= 2;
        int *b = realloc(G->ebuf, nc * sizeof *b);
        if (!b) {
            x->err = 1;
            return 1;
        }
        G->ebuf = b;
        G->ecap = nc;
    }
    memcpy(G->ebuf + G->elen, molmap, (size_t)x->nm * sizeof(int));
    memcpy(G->ebuf + G->elen + x->nm, compmap, (size_t)x->nc * sizeof(int));
    G->elen += w;
    return 0;
}

static int stop_cb(void *ctx, const int *a, const int *b)
{
    (void)ctx;
    (void)a;
    (void)b;
    return 1;
}

static int find_embeddings(gen *G, int species)
{
    int slot = 0;
    for (int k = 0; k < G->nrules; k++) {
        ilnet_crule *cr = &G->rules[k];
        for (int i = 0; i < cr->nr; i++, slot++) {
            const ilnet_graph *pat = &cr->rpat[i];
            int ok = 1;
            for (int c = 0; c < cr->n_cond && ok; c++) {
                if (cr->cond_prod[c] || cr->cond[c].reactant != i) continue;
                long n = ilnet_match(&G->mws, &cr->cond_plan[c], &cr->cond[c].pat, &G->sg[species],
                                     ILNET_MATCH_EMBED, stop_cb, NULL);
                if (n < 0) return (int)n;
                ok = cr->cond[c].include ? n > 0 : n == 0;
            }
            span sp = {(int)G->elen, 0};
            if (ok) {
                if (G->elen > (size_t)0x7fffffff - 4096)
                    return ilnet_error_set(ILNET_ENOMEM,
                                           "network generation: too many pattern matches");
                struct embctx x = {G, pat->nmol, pat->ncomp, 0};
                long n = ilnet_match(&G->mws, &cr->plan[i], pat, &G->sg[species], ILNET_MATCH_EMBED,
                                     emb_cb, &x);
                if (n < 0 || x.err) return oom();
                sp.count = (int)n;
            }
            G->emb[slot][species] = sp;
        }
    }
    return 0;
}

/* ---- rule application ---- */

static int need_w(gen *G, int n)
{
    if (n <= G->cap_w) return 0;
    int c = n * 2;
    int **arrs[] = {&G->comp_of, &G->stack, &G->delmark, &G->addimg, &G->addmol, &G->prodsp};
    for (size_t i = 0; i < sizeof arrs / sizeof *arrs; i++) {
        int *p = realloc(*arrs[i], (size_t)c * sizeof(int));
        if (!p) return oom();
        *arrs[i] = p;
    }
    G->cap_w = c;
    return 0;
}

static int record(gen *G, int rule, const int *react, int nr, const int *prod, int np)
{
    int r[2] = {nr > 0 ? react[0] : -1, nr > 1 ? react[1] : -1};
    if (nr == 2 && r[0] > r[1]) {
        int t = r[0];
        r[0] = r[1];
        r[1] = t;
    }
    int p[64];
    if (np > 64) return ilnet_error_set(ILNET_EINPUT, "a reaction has more than 64 products");
    memcpy(p, prod, (size_t)np * sizeof *p);
    for (int i = 1; i < np; i++)
        for (int j = i; j > 0 && p[j - 1] > p[j]; j--) {
            int t = p[j];
            p[j] = p[j - 1];
            p[j - 1] = t;
        }
    char key[64 * 12 + 64];
    int len = snprintf(key, sizeof key, "%d:%d,%d>", rule, r[0], r[1]);
    for (int i = 0; i < np; i++)
        len += snprintf(key + len, sizeof key - (size_t)len, "%d,", p[i]);
    int idx = ilnet_strmap_get(&G->rxmap, key, (size_t)-1);
    if (idx >= 0) {
        G->rx[idx].count++;
        return 0;
    }
    if (G->nrx == G->cap_rx) {
        int nc = G->cap_rx ? G->cap_rx * 2 : 256;
        rxn *a = realloc(G->rx, (size_t)nc * sizeof *a);
        if (!a) return oom();
        G->rx = a;
        G->cap_rx = nc;
    }
    rxn *x = &G->rx[G->nrx];
    x->rule = rule;
    x->nr = nr;
    x->r[0] = r[0];
    x->r[1] = r[1];
    x->np = np;
    x->p = malloc(((size_t)np + 1) * sizeof *x->p);
    x->key = strdup(key);
    x->count = 1;
    if (!x->p || !x->key) {
        free(x->p);
        free(x->key);
        return oom();
    }
    memcpy(x->p, p, (size_t)np * sizeof *p);
    if (ilnet_strmap_put(&G->rxmap, x->key, G->nrx) < 0) return oom();
    G->nrx++;
    return 0;
}

/* One application of a rule: the reactant species side by side in G->W (species i from
 * molecule moff[i] and component coff[i]) and the embeddings e[i] of the rule's reactant
 * patterns into them (molmap then compmap). Lives on apply's stack; the helpers below
 * are static so that gcc inlines them into this hot path. */
typedef struct {
    gen *G;
    const ilnet_crule *cr;
    const int *const *e;
    int coff[2], moff[2];
} applyctx;

/* Results of the steps of apply besides errors (< 0): go on, or drop this reaction. */
enum { KEEP = 0, DROP = 1 };

/* W component of rule reactant component x. */
static inline int img_c(const applyctx *A, int x)
{
    const ilnet_crule *cr = A->cr;
    int i = cr->r_pat[cr->R.c[x].mol];
    return A->coff[i] + A->e[i][cr->rpat[i].nmol + x - cr->r_coff[i]];
}

/* W molecule of rule reactant molecule q. */
static inline int img_m(const applyctx *A, int q)
{
    const ilnet_crule *cr = A->cr;
    int i = cr->r_pat[q];
    return A->moff[i] + A->e[i][q - cr->r_moff[i]];
}

/* Maps that agree on the reaction centre make the same reaction: DROP when this map's
 * image of the centre was seen already for these reactant species, else records it. */
static int center_seen(gen *G, const ilnet_crule *cr, const int *const *e)
{
    if (!cr->n_center) {
        if (G->ntuples) return DROP;
        G->ntuples = 1;
        return KEEP;
    }
    if ((G->ntuples + 1) * cr->n_center > G->cap_tuples) {
        int nc = (G->ntuples + 1) * cr->n_center * 2 + 64;
        int *t = realloc(G->tuples, (size_t)nc * sizeof *t);
        if (!t) return oom();
        G->tuples = t;
        G->cap_tuples = nc;
    }
    int *tuple = G->tuples + (size_t)G->ntuples * cr->n_center;
    for (int c = 0; c < cr->n_center; c++) {
        int x = cr->center[c];
        if (x >= 0) {
            int i = cr->r_pat[cr->R.c[x].mol];
            const ilnet_graph *pat = &cr->rpat[i];
            tuple[c] = i * 1000000 + e[i][pat->nmol + (x - cr->r_coff[i])];
        } else {
            int q = -x - 1, i = cr->r_pat[q];
            tuple[c] = -(i * 1000000 + e[i][q - cr->r_moff[i]] + 1);
        }
    }
    for (int t = 0; t < G->ntuples; t++)
        if (!memcmp(G->tuples + (size_t)t * cr->n_center, tuple,
                    (size_t)cr->n_center * sizeof(int)))
            return DROP;
    G->ntuples++;
    return KEEP;
}

/* G->W = the reactant species sp[] side by side. */
static int load_reactants(applyctx *A, const int *sp)
{
    gen *G = A->G;
    ilnet_graph_clear(&G->W);
    for (int i = 0; i < A->cr->nr; i++) {
        int mo, co = ilnet_graph_append(&G->W, &G->sg[sp[i]], &mo);
        if (co < 0) return co;
        A->coff[i] = co;
        A->moff[i] = mo;
    }
    return 0;
}

/* Creates the rule's added molecules in W with every site of their type, free and in its
 * first state unless the product pattern says otherwise; G->addimg maps the pattern's
 * sites to W, G->addmol its molecules. Also sizes the scratch arrays for what follows. */
static int add_molecules(applyctx *A)
{
    gen *G = A->G;
    const ilnet_crule *cr = A->cr;
    ilnet_graph *W = &G->W;
    int extra = 0;
    for (int i = 0; i < cr->n_add; i++)
        extra += G->m->mt.t[cr->P.m[cr->add[i]].type].n_sites;
    if (need_w(G, W->nmol + cr->n_add + W->ncomp + extra + cr->P.ncomp + cr->P.nmol + 8))
        return oom();
    for (int i = 0; i < cr->n_add; i++) {
        int p = cr->add[i];
        const ilnet_moltype *t = &G->m->mt.t[cr->P.m[p].type];
        int mi = ilnet_graph_add_mol(W, cr->P.m[p].type, t->n_sites);
        if (mi < 0) return mi;
        G->addmol[p] = mi;
        int c0 = W->m[mi].c0;
        for (int s = 0; s < t->n_sites; s++) {
            W->c[c0 + s].name = t->site_name[s];
            W->c[c0 + s].state = t->names[t->site_name[s]].n_states ? 0 : -1;
            W->c[c0 + s].label = -1;
        }
        /* each pattern site takes the first site of its name not taken by an earlier one */
        for (int pc = cr->P.m[p].c0; pc < cr->P.m[p].c0 + cr->P.m[p].nc; pc++) {
            int w = -1;
            for (int s = 0; s < t->n_sites && w < 0; s++) {
                if (W->c[c0 + s].name != cr->P.c[pc].name) continue;
                int taken = 0;
                for (int q = cr->P.m[p].c0; q < pc; q++)
                    if (G->addimg[q] == c0 + s) taken = 1;
                if (!taken) w = c0 + s;
            }
            G->addimg[pc] = w;
            if (w >= 0 && cr->P.c[pc].state >= 0) W->c[w].state = cr->P.c[pc].state;
        }
    }
    return 0;
}

/* The rule's edits on W: bonds broken, molecules added, states inherited and changed,
 * bonds formed. DROP when a new bond does not fit on a site. */
static int edit_graph(applyctx *A)
{
    gen *G = A->G;
    const ilnet_crule *cr = A->cr;
    ilnet_graph *W = &G->W;
    for (int i = 0; i < cr->n_unbond; i++)
        ilnet_graph_unbond(W, img_c(A, cr->unbond[i].a), img_c(A, cr->unbond[i].b));
    int rc = add_molecules(A);
    if (rc) return rc;
    for (int i = 0; i < cr->n_inherit; i++) {
        int w = G->addimg[cr->inherit[i].b];
        if (w >= 0) W->c[w].state = W->c[img_c(A, cr->inherit[i].a)].state;
    }
    for (int i = 0; i < cr->n_state; i++)
        W->c[img_c(A, cr->state[i].a)].state = cr->state[i].b;
    for (int i = 0; i < cr->n_bond; i++) {
        int a = cr->bond[i].a, b = cr->bond[i].b;
        int wa = a >= 0 ? img_c(A, a) : G->addimg[-a - 1];
        int wb = b >= 0 ? img_c(A, b) : G->addimg[-b - 1];
        if (wa < 0 || wb < 0) return ilnet_error_set(ILNET_EINTERNAL, "unmapped bond end");
        if (W->c[wa].nb >= ILNET_BNGL_MAXB || W->c[wb].nb >= ILNET_BNGL_MAXB) return DROP;
        if (ilnet_graph_bond(W, wa, wb)) return DROP;
    }
    return KEEP;
}

/* Marks the deleted molecules in G->delmark (whole species for del_species) and cuts
 * their bonds, so that the rest falls apart into the products. */
static void delete_molecules(applyctx *A, const int *sp)
{
    gen *G = A->G;
    const ilnet_crule *cr = A->cr;
    ilnet_graph *W = &G->W;
    for (int i = 0; i < W->nmol; i++)
        G->delmark[i] = 0;
    for (int i = 0; i < cr->nr; i++)
        if (cr->del_species[i])
            for (int q = 0; q < G->sg[sp[i]].nmol; q++)
                G->delmark[A->moff[i] + q] = 1;
    for (int i = 0; i < cr->n_del; i++)
        G->delmark[img_m(A, cr->del[i])] = 1;
    for (int mi = 0; mi < W->nmol; mi++) {
        if (!G->delmark[mi]) continue;
        for (int c = W->m[mi].c0; c < W->m[mi].c0 + W->m[mi].nc; c++)
            while (W->c[c].nb)
                ilnet_graph_unbond(W, c, W->c[c].b[0]);
    }
}

/* G->prodsp[j]: the W complex of product pattern j. Each product pattern must be one
 * complex and distinct patterns distinct complexes, else DROP. */
static int place_products(applyctx *A)
{
    gen *G = A->G;
    const ilnet_crule *cr = A->cr;
    for (int j = 0; j < cr->np; j++) {
        int cj = -1;
        for (int p = cr->p_moff[j]; p < cr->p_moff[j + 1]; p++) {
            int q = cr->p2r_mol[p], wm = q >= 0 ? img_m(A, q) : G->addmol[p];
            int c = G->comp_of[wm];
            if (cj < 0)
                cj = c;
            else if (c != cj)
                return DROP;
        }
        G->prodsp[j] = cj;
        for (int j2 = 0; j2 < j; j2++)
            if (G->prodsp[j2] == cj) return DROP;
    }
    return KEEP;
}

/* include_products / exclude_products (and the reverse of *_reactants): DROP on failure. */
static int product_conditions(gen *G, const ilnet_crule *cr)
{
    for (int c = 0; c < cr->n_cond; c++) {
        if (!cr->cond_prod[c]) continue;
        if (ilnet_graph_extract(&G->X, &G->W, G->comp_of, G->prodsp[cr->cond[c].reactant]))
            return oom();
        long n = ilnet_match(&G->mws, &cr->cond_plan[c], &cr->cond[c].pat, &G->X, ILNET_MATCH_EMBED,
                             stop_cb, NULL);
        if (n < 0) return (int)n;
        if (cr->cond[c].include ? n == 0 : n > 0) return DROP;
    }
    return KEEP;
}

/* how many of the ncomp complexes of W keep a molecule (the products) */
static int kept_complexes(const gen *G, int ncomp)
{
    int kept = 0;
    for (int c = 0; c < ncomp; c++) {
        int any = 0;
        for (int mi = 0; mi < G->W.nmol && !any; mi++)
            any = G->comp_of[mi] == c && !G->delmark[mi];
        kept += any;
    }
    return kept;
}

/* The species of the ncomp complexes of W that keep a molecule, into prods[*np]; new
 * ones are added. DROP when one is over a limit (the reaction is dropped). */
static int collect_products(gen *G, int ncomp, int *prods, int *np)
{
    const ilnet_graph *W = &G->W;
    for (int c = 0; c < ncomp; c++) {
        int any = 0;
        for (int mi = 0; mi < W->nmol && !any; mi++)
            any = G->comp_of[mi] == c && !G->delmark[mi];
        if (!any) continue;
        if (ilnet_graph_extract(&G->X, W, G->comp_of, c)) return oom();
        int is_new, s = species_of(G, &G->X, 0, &is_new);
        if (s < -1) return ILNET_ENOMEM;
        if (s < 0) return DROP;
        if (*np == 64) return ilnet_error_set(ILNET_EINPUT, "a reaction has more than 64 products");
        prods[(*np)++] = s;
    }
    return KEEP;
}

/* Applies rule k to reactant species sp[] with embeddings e[] (molmap then compmap). */
static int apply(gen *G, int k, const int *sp, const int *const *e)
{
    const ilnet_crule *cr = &G->rules[k];
    int rc = center_seen(G, cr, e);
    if (rc) return rc < 0 ? rc : 0;
    applyctx A = {G, cr, e, {0, 0}, {0, 0}};
    if ((rc = load_reactants(&A, sp)) || (rc = edit_graph(&A))) return rc < 0 ? rc : 0;
    delete_molecules(&A, sp);
    int ncomp = ilnet_graph_components(&G->W, G->comp_of, G->stack);
    if ((rc = place_products(&A)) || (rc = product_conditions(G, cr))) return rc < 0 ? rc : 0;
    /* as many product complexes as the rule has product patterns (more only when
     * DeleteMolecules leaves fragments), else no reaction: BioNetGen 2.9 drops it, e.g. a
     * dissociation applied to a complex that holds a third partner */
    int kept = kept_complexes(G, ncomp);
    if (kept != cr->np && !(cr->src->delete_molecules && kept > cr->np)) return 0;
    int prods[64], np = 0;
    if ((rc = collect_products(G, ncomp, prods, &np))) return rc < 0 ? rc : 0;
    return record(G, k, sp, cr->nr, prods, np);
}

static const int *emb_at(const gen *G, int slot, int species, int j, int width)
{
    return G->ebuf + G->emb[slot][species].start + (size_t)j * width;
}

static int apply_all_maps(gen *G, int k, const int *sp)
{
    ilnet_crule *cr = &G->rules[k];
    G->ntuples = 0;
    if (cr->nr == 0) return apply(G, k, sp, NULL);
    int s0 = slot_of(G, k, 0);
    int w0 = cr->rpat[0].nmol + cr->rpat[0].ncomp;
    int n0 = G->emb[s0][sp[0]].count;
    if (cr->nr == 1) {
        for (int a = 0; a < n0; a++) {
            const int *e[1] = {emb_at(G, s0, sp[0], a, w0)};
            int rc = apply(G, k, sp, e);
            if (rc) return rc;
        }
        return 0;
    }
    int s1 = s0 + 1, w1 = cr->rpat[1].nmol + cr->rpat[1].ncomp;
    int n1 = G->emb[s1][sp[1]].count;
    for (int a = 0; a < n0; a++)
        for (int b = 0; b < n1; b++) {
            const int *e[2] = {emb_at(G, s0, sp[0], a, w0), emb_at(G, s1, sp[1], b, w1)};
            int rc = apply(G, k, sp, e);
            if (rc) return rc;
        }
    return 0;
}

/* ---- network ---- */

static int is_identifier(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

/* A bare name as a rate law must name a parameter or an observable (functions are handled
 * before): checked for every rule, also one that generated no reaction. */
static int check_rate_name(const ilnet_bngl_model *m, const ilnet_crule *cr, const char *t)
{
    for (int i = 0; i < m->n_params; i++)
        if (!strcmp(m->params[i].name, t)) return 0;
    for (int i = 0; i < m->n_obs; i++)
        if (!strcmp(m->obs[i].name, t)) return 0;
    if (!strcmp(t, "_pi") || !strcmp(t, "_e")) return 0;
    const ilnet_bngl_rule *r = cr->src;
    char who[160];
    if (r->name)
        snprintf(who, sizeof who, "rule '%s'", r->name);
    else
        snprintf(who, sizeof who, "rule _R%d", (int)(r - m->rules) + 1);
    return ilnet_error_set(ILNET_EINPUT, "%s:%d:%d: %s: undefined parameter '%s' in the %srate law",
                           m->path, r->line, r->col, who, t, cr->reverse ? "reverse " : "");
}

static int is_number(const char *s)
{
    char *e;
    strtod(s, &e);
    return e != s && *e == '\0';
}

/* 1 when an expression names a function, an observable or time */
static int refs_dynamic(const ilnet_bngl_model *m, const char *t)
{
    for (const char *p = t; *p;) {
        if (isalpha((unsigned char)*p) || *p == '_') {
            const char *e = p;
            while (isalnum((unsigned char)*e) || *e == '_')
                e++;
            size_t n = (size_t)(e - p);
            if (n == 4 && !strncmp(p, "time", 4)) return 1;
            for (int f = 0; f < m->n_funcs; f++)
                if (strlen(m->funcs[f].name) == n && !strncmp(m->funcs[f].name, p, n)) return 1;
            for (int o = 0; o < m->n_obs; o++)
                if (strlen(m->obs[o].name) == n && !strncmp(m->obs[o].name, p, n)) return 1;
            p = e;
        } else if (isdigit((unsigned char)*p) || *p == '.') {
            while (isalnum((unsigned char)*p) || *p == '.' ||
                   ((*p == '-' || *p == '+') && (p[-1] == 'e' || p[-1] == 'E')))
                p++;
        } else {
            p++;
        }
    }
    return 0;
}

/* The rate law of each rule as the network names it: a parameter or function name or a
 * number as written; any other expression becomes _rateLawN, a network parameter when
 * constant, a function (added after the model's functions) when it uses functions,
 * observables or time(). */
typedef struct {
    char **rate; /* per rule */
    int nlaw;    /* _rateLawN made so far */
    int nfn;     /* of those, the functions: names, expressions, lines */
    char (*fn)[32];
    const char **text;
    int *line;
} ratelaws;

static void ratelaws_free(ratelaws *L, int nrules)
{
    if (L->rate)
        for (int k = 0; k < nrules; k++)
            free(L->rate[k]);
    free(L->rate);
    free(L->fn);
    free(L->text);
    free(L->line);
}

static int rate_law(const gen *G, ilnet_network *net, ratelaws *L, int k)
{
    const ilnet_bngl_model *m = G->m;
    const char *t = G->rules[k].rate;
    size_t tl = strlen(t);
    char bare[256]; /* "f()" names function f */
    snprintf(bare, sizeof bare, "%.*s", (int)(tl > 2 && !strcmp(t + tl - 2, "()") ? tl - 2 : tl),
             t);
    int is_fn = 0, rc = 0;
    for (int f = 0; f < m->n_funcs; f++)
        is_fn |= !strcmp(m->funcs[f].name, bare);
    if (is_fn) {
        L->rate[k] = strdup(bare);
    } else if (is_identifier(t) || is_number(t)) {
        if (is_identifier(t) && (rc = check_rate_name(m, &G->rules[k], t))) return rc;
        L->rate[k] = strdup(t);
    } else {
        char name[32];
        snprintf(name, sizeof name, "_rateLaw%d", ++L->nlaw);
        if (refs_dynamic(m, t)) {
            memcpy(L->fn[L->nfn], name, sizeof name);
            L->text[L->nfn] = t;
            L->line[L->nfn++] = G->rules[k].src->line;
        } else {
            rc = ilnet_network_add_parameter(net, name, t, G->rules[k].src->line);
        }
        L->rate[k] = strdup(name);
    }
    if (!L->rate[k] && !rc) rc = oom();
    return rc;
}

static int compile_rate_laws(const gen *G, ilnet_network *net, ratelaws *L)
{
    size_t n = (size_t)G->nrules + 1;
    L->rate = calloc(n, sizeof *L->rate);
    L->fn = calloc(n, sizeof *L->fn);
    L->text = calloc(n, sizeof *L->text);
    L->line = calloc(n, sizeof *L->line);
    if (!L->rate || !L->fn || !L->text || !L->line) return oom();
    int rc = 0;
    for (int k = 0; k < G->nrules && !rc; k++)
        rc = rate_law(G, net, L, k);
    return rc;
}

/* Species in order of discovery; the seeds come first and keep their amounts. */
static int add_species(const gen *G, ilnet_network *net)
{
    const ilnet_bngl_model *m = G->m;
    int rc = 0;
    for (int s = 0; s < G->ns && !rc; s++) {
        const char *amount = "0";
        int fixed = 0;
        if (s < m->n_seeds) {
            amount = m->seeds[s].amount;
            fixed = m->seeds[s].fixed;
        }
        rc = ilnet_network_add_species(net, G->sname[s], amount, fixed, G->sline[s]);
    }
    return rc;
}

/* Each distinct reaction once, its rate law multiplied by the number of maps that made it
 * over the rule's symmetry, labelled after its rule as BioNetGen does. */
static int add_reactions(const gen *G, ilnet_network *net, char *const *rate)
{
    const ilnet_bngl_model *m = G->m;
    int rc = 0;
    for (int i = 0; i < G->nrx && !rc; i++) {
        const rxn *x = &G->rx[i];
        const ilnet_crule *cr = &G->rules[x->rule];
        double f = (double)x->count / cr->symmetry;
        char text[256], label[200];
        if (f == 1.0)
            snprintf(text, sizeof text, "%s", rate[x->rule]);
        else
            snprintf(text, sizeof text, "%.12g*%s", f, rate[x->rule]);
        int ri = (int)(cr->src - m->rules) + 1;
        if (cr->src->name)
            snprintf(label, sizeof label, "%s%s", cr->reverse ? "_reverse_" : "", cr->src->name);
        else
            snprintf(label, sizeof label, "%s_R%d", cr->reverse ? "_reverse_" : "", ri);
        rc = ilnet_network_add_reaction(net, x->r, x->nr, x->p, x->np, text, label, cr->src->line);
    }
    return rc;
}

/* Whether c embeddings satisfy a Species pattern's quantifier */
static int quantified(int op, int val, long c)
{
    switch (op) {
    case ILNET_QUANT_EQ:
        return c == val;
    case ILNET_QUANT_LT:
        return c < val;
    case ILNET_QUANT_LE:
        return c <= val;
    case ILNET_QUANT_GT:
        return c > val;
    case ILNET_QUANT_GE:
        return c >= val;
    default:
        return c > 0;
    }
}

/* The species observable ob counts, with their weights, into sp[*n], w[*n]: each match of
 * a Molecules pattern counts, a Species pattern counts a species once (with a quantifier:
 * once when its number of embeddings satisfies it, as BioNetGen counts). */
static int observable_weights(gen *G, const ilnet_bngl_obs *ob, const ilnet_match_plan *plans,
                              int *sp, double *w, int *n)
{
    *n = 0;
    for (int s = 0; s < G->ns; s++) {
        double total = 0;
        for (int p = 0; p < ob->n; p++) {
            int q = ob->species && ob->quant_op ? ob->quant_op[p] : ILNET_QUANT_NONE;
            long c = ilnet_match(&G->mws, &plans[p], &ob->pat[p], &G->sg[s], ILNET_MATCH_EMBED,
                                 ob->species && !q ? stop_cb : NULL, NULL);
            if (c < 0) return (int)c;
            total += ob->species ? quantified(q, q ? ob->quant_val[p] : 0, c) : (double)c;
        }
        if (total != 0) {
            sp[*n] = s;
            w[(*n)++] = total;
        }
    }
    return 0;
}

/* sp and w: room for every species */
static int add_observable(gen *G, ilnet_network *net, const ilnet_bngl_obs *ob, int *sp, double *w)
{
    ilnet_match_plan *plans = calloc((size_t)ob->n, sizeof *plans);
    if (!plans) return oom();
    int rc = 0, n = 0;
    for (int p = 0; p < ob->n && !rc; p++)
        rc = ilnet_match_plan_init(&plans[p], &ob->pat[p]);
    if (!rc) rc = observable_weights(G, ob, plans, sp, w, &n);
    for (int p = 0; p < ob->n; p++)
        ilnet_match_plan_free(&plans[p]);
    free(plans);
    if (!rc) rc = ilnet_network_add_observable(net, ob->name, sp, w, n, ob->line);
    if (!rc)
        rc = ilnet_network_set_observable_definition(net, ilnet_network_observable_count(net) - 1,
                                                     ob->text);
    return rc;
}

static int add_observables(gen *G, ilnet_network *net)
{
    int *sp = malloc(((size_t)G->ns + 1) * sizeof *sp);
    double *w = malloc(((size_t)G->ns + 1) * sizeof *w);
    int rc = !sp || !w ? oom() : 0;
    for (int o = 0; o < G->m->n_obs && !rc; o++)
        rc = add_observable(G, net, &G->m->obs[o], sp, w);
    free(sp);
    free(w);
    return rc;
}

/* The model's functions, then the rate laws that are functions. */
static int add_functions(const ilnet_bngl_model *m, ilnet_network *net, const ratelaws *L)
{
    int rc = 0;
    for (int f = 0; f < m->n_funcs && !rc; f++)
        rc = ilnet_network_add_function(net, m->funcs[f].name, m->funcs[f].expr, m->funcs[f].line);
    for (int f = 0; f < L->nfn && !rc; f++)
        rc = ilnet_network_add_function(net, L->fn[f], L->text[f], L->line[f]);
    return rc;
}

static int build_network(gen *G, ilnet_network **out)
{
    const ilnet_bngl_model *m = G->m;
    ilnet_network *net;
    int rc = ilnet_network_new(&net);
    if (rc) return rc;
    rc = ilnet_network_set_source(net, m->path, m->text);
    for (int i = 0; i < m->n_params && !rc; i++)
        rc = ilnet_network_add_parameter(net, m->params[i].name, m->params[i].expr,
                                         m->params[i].line);
    ratelaws L = {0};
    if (!rc) rc = compile_rate_laws(G, net, &L);
    if (!rc) rc = add_species(G, net);
    if (!rc) rc = add_reactions(G, net, L.rate);
    if (!rc) rc = add_observables(G, net);
    if (!rc) rc = add_functions(m, net, &L);
    ratelaws_free(&L, G->nrules);
    if (!rc) rc = ilnet_network_compile(net);
    if (rc) {
        ilnet_network_free(net);
        return rc;
    }
    *out = net;
    return 0;
}

static void gen_free(gen *G)
{
    for (int k = 0; k < G->nrules; k++)
        ilnet_crule_free(&G->rules[k]);
    free(G->rules);
    for (int s = 0; s < G->ns; s++) {
        ilnet_graph_free(&G->sg[s]);
        free(G->sname[s]);
    }
    free(G->sg);
    free(G->sname);
    free(G->sline);
    ilnet_strmap_free(&G->smap);
    if (G->emb)
        for (int s = 0; s < G->nslots; s++)
            free(G->emb[s]);
    free(G->emb);
    free(G->ebuf);
    for (int i = 0; i < G->nrx; i++) {
        free(G->rx[i].p);
        free(G->rx[i].key);
    }
    free(G->rx);
    ilnet_strmap_free(&G->rxmap);
    ilnet_match_ws_free(&G->mws);
    ilnet_canon_ws_free(G->cws);
    ilnet_graph_free(&G->W);
    ilnet_graph_free(&G->X);
    free(G->buf);
    free(G->comp_of);
    free(G->stack);
    free(G->delmark);
    free(G->addimg);
    free(G->addmol);
    free(G->prodsp);
    free(G->tuples);
    free(G->stoich_type);
}

/* Compiles the rules, forward then reverse, in file order, and makes room for their
 * embeddings: one slot per (rule, reactant pattern). */
static int compile_rules(gen *G)
{
    const ilnet_bngl_model *m = G->m;
    G->rules = calloc((size_t)m->n_rules * 2 + 1, sizeof *G->rules);
    if (!G->rules) return oom();
    for (int i = 0; i < m->n_rules; i++) {
        int rc = ilnet_crule_init(&G->rules[G->nrules++], m, &m->rules[i], 0);
        if (!rc && m->rules[i].reversible)
            rc = ilnet_crule_init(&G->rules[G->nrules++], m, &m->rules[i], 1);
        if (rc) return rc;
    }
    for (int k = 0; k < G->nrules; k++)
        G->nslots += G->rules[k].nr;
    G->emb = calloc((size_t)G->nslots + 1, sizeof *G->emb);
    return G->emb ? 0 : oom();
}

/* max_stoich by molecule type index, for check_limits. */
static int stoich_limits(gen *G)
{
    const ilnet_bngl_model *m = G->m;
    if (!G->opt->n_stoich) return 0;
    G->stoich_type = calloc((size_t)m->mt.n + 1, sizeof *G->stoich_type);
    if (!G->stoich_type) return oom();
    for (int i = 0; i < G->opt->n_stoich; i++) {
        const char *name = G->opt->stoich_names[i];
        int t = ilnet_moltypes_find(&m->mt, name, strlen(name));
        if (t < 0)
            return ilnet_error_set(ILNET_EINPUT, "%s: max_stoich names unknown molecule type '%s'",
                                   m->path, name);
        G->stoich_type[t] = G->opt->stoich_max[i];
    }
    return 0;
}

/* The seed species are the first species; each must be within the limits and new. */
static int add_seeds(gen *G)
{
    const ilnet_bngl_model *m = G->m;
    for (int s = 0; s < m->n_seeds; s++) {
        int is_new, idx = species_of(G, &m->seeds[s].g, m->seeds[s].line, &is_new);
        if (idx < -1) return ILNET_ENOMEM;
        if (idx < 0)
            return ilnet_error_set(ILNET_EINPUT, "%s:%d: seed species exceeds max_agg/max_stoich",
                                   m->path, m->seeds[s].line);
        if (!is_new)
            return ilnet_error_set(ILNET_EINPUT,
                                   "%s:%d: seed species '%s' repeats the one on line %d", m->path,
                                   m->seeds[s].line, G->sname[idx], G->sline[idx]);
    }
    return 0;
}

/* One round: rule k on every reactant combination that involves at least one species new
 * since the last round (species n_old..n_end-1); rules without reactants only in round 1. */
static int apply_rule(gen *G, int k, int n_old, int n_end, int round)
{
    const ilnet_crule *cr = &G->rules[k];
    int rc = 0;
    if (cr->nr == 0) return round == 1 ? apply_all_maps(G, k, NULL) : 0;
    int s0 = slot_of(G, k, 0);
    if (cr->nr == 1) {
        for (int s = n_old; s < n_end && !rc; s++)
            if (G->emb[s0][s].count) {
                int sp[1] = {s};
                rc = apply_all_maps(G, k, sp);
            }
        return rc;
    }
    for (int a = 0; a < n_end && !rc; a++) {
        if (!G->emb[s0][a].count) continue;
        for (int b = a < n_old ? n_old : 0; b < n_end && !rc; b++) {
            if (!G->emb[s0 + 1][b].count) continue;
            int sp[2] = {a, b};
            rc = apply_all_maps(G, k, sp);
        }
    }
    return rc;
}

/* stats->idle: the rules (or reverse rules) that made no reaction at all. */
static int idle_rules(const gen *G, ilnet_netgen_stats *stats)
{
    const ilnet_bngl_model *m = G->m;
    stats->n_idle = 0;
    stats->idle[0] = '\0';
    char *used = calloc((size_t)G->nrules + 1, 1);
    if (!used) return oom();
    for (int i = 0; i < G->nrx; i++)
        used[G->rx[i].rule] = 1;
    for (int k = 0; k < G->nrules; k++) {
        if (used[k]) continue;
        const ilnet_crule *cr = &G->rules[k];
        char one[200];
        int ri = (int)(cr->src - m->rules) + 1;
        if (cr->src->name)
            snprintf(one, sizeof one, "%s%s (line %d)", cr->reverse ? "_reverse_" : "",
                     cr->src->name, cr->src->line);
        else
            snprintf(one, sizeof one, "%s_R%d (line %d)", cr->reverse ? "_reverse_" : "", ri,
                     cr->src->line);
        size_t len = strlen(stats->idle);
        if (len + strlen(one) + 8 < sizeof stats->idle)
            snprintf(stats->idle + len, sizeof stats->idle - len, "%s%s", len ? ", " : "", one);
        stats->n_idle++;
    }
    free(used);
    return 0;
}

/* The ceiling in force: given, or the default when the model sets no limit at all. */
static long ceiling(long given, long def, const ilnet_netgen_options *o)
{
    if (given) return given < 0 ? 0 : given;
    return o->max_iter > 0 || o->max_agg > 0 || o->n_stoich > 0 ? 0 : def;
}

/* After each rule of a round: stop a network that outgrew the ceiling. */
static int check_ceiling(const gen *G, int round)
{
    long ms = ceiling(G->opt->max_species, ILNET_NETGEN_DEFAULT_MAX_SPECIES, G->opt);
    long mr = ceiling(G->opt->max_reactions, ILNET_NETGEN_DEFAULT_MAX_REACTIONS, G->opt);
    if ((!ms || G->ns <= ms) && (!mr || G->nrx <= mr)) return 0;
    return ilnet_error_set(ILNET_EINPUT,
                           "%s: network generation stopped in round %d at %d species and %d "
                           "reactions, over the ceiling of %ld species / %ld reactions: the "
                           "rules may grow the network without bound (polymers); give "
                           "generate_network max_iter, max_agg or max_stoich, or raise the "
                           "ceiling (ilnet netgen --max-species/--max-reactions)",
                           G->m->path, round, G->ns, G->nrx, ms, mr);
}

static int generate(gen *G, ilnet_netgen_stats *stats)
{
    double t_start = ilnet_clock_now();
    int rc;
    if ((rc = ilnet_canon_ws_new(&G->cws)) || (rc = compile_rules(G)) || (rc = stoich_limits(G)) ||
        (rc = add_seeds(G)))
        return rc;
    /* rounds until no new species (or max_iter); round 1 also runs with no seeds */
    int n_old = 0, round = 0;
    while (n_old < G->ns || (round == 0 && G->nrules)) {
        if (G->opt->max_iter > 0 && round >= G->opt->max_iter) {
            if (n_old < G->ns) G->truncated = 1;
            break;
        }
        round++;
        int n_end = G->ns;
        for (int s = n_old; s < n_end; s++)
            if ((rc = find_embeddings(G, s))) return rc;
        for (int k = 0; k < G->nrules; k++)
            if ((rc = apply_rule(G, k, n_old, n_end, round)) || (rc = check_ceiling(G, round)))
                return rc;
        n_old = n_end;
        double el = ilnet_clock_now() - t_start;
        if (el > 1.0)
            ilnet_notify_send(&G->opt->notify, ILNET_MESSAGE_INFO,
                              "%s: generate_network round %d: %d species, %d reactions (%.1f s)",
                              G->m->path, round, G->ns, G->nrx, el);
    }
    if (stats) {
        stats->iterations = round;
        stats->truncated = G->truncated;
        return idle_rules(G, stats);
    }
    return 0;
}

int ilnet_bngl_generate(ilnet_network **out, const ilnet_bngl_model *m,
                        const ilnet_netgen_options *opts, ilnet_netgen_stats *stats)
{
    *out = NULL;
    ilnet_netgen_options def = ILNET_NETGEN_OPTIONS_INIT;
    gen G;
    memset(&G, 0, sizeof G);
    G.m = m;
    G.opt = opts ? opts : &def;
    double t0 = ilnet_clock_now();
    int rc = generate(&G, stats);
    if (!rc) rc = build_network(&G, out);
    if (stats) stats->seconds = ilnet_clock_now() - t0;
    gen_free(&G);
    return rc;
}

/* ---- generate_network options ---- */

void ilnet_netgen_options_free(ilnet_netgen_options *o)
{
    for (int i = 0; i < o->n_stoich; i++)
        free(o->stoich_names[i]);
    free(o->stoich_names);
    free(o->stoich_max);
    o->stoich_names = NULL;
    o->stoich_max = NULL;
    o->n_stoich = 0;
}

static int int_arg(const ilnet_bngl_model *m, const ilnet_bngl_action *a, int k, int *out)
{
    char *e;
    double v = strtod(a->vals[k], &e);
    if (e == a->vals[k] || *e || v != (int)v || v < 0)
        return ilnet_error_set(ILNET_EINPUT,
                               "%s:%d: %s: '%s' must be a non-negative integer, got '%s'", m->path,
                               a->line, a->name, a->keys[k], a->vals[k]);
    *out = (int)v;
    return 0;
}

int ilnet_bngl_netgen_options(ilnet_netgen_options *o, const ilnet_bngl_model *m)
{
    ilnet_netgen_options def = ILNET_NETGEN_OPTIONS_INIT;
    *o = def;
    for (int i = 0; i < m->n_actions; i++) {
        const ilnet_bngl_action *a = &m->actions[i];
        if (strcmp(a->name, "generate_network")) continue;
        for (int k = 0; k < a->n; k++) {
            const char *key = a->keys[k];
            if (!key)
                return ilnet_error_set(ILNET_EINPUT,
                                       "%s:%d: generate_network takes {key=>value} arguments",
                                       m->path, a->line);
            int rc = 0;
            if (!strcmp(key, "max_iter"))
                rc = int_arg(m, a, k, &o->max_iter);
            else if (!strcmp(key, "max_agg"))
                rc = int_arg(m, a, k, &o->max_agg);
            else if (!strcmp(key, "max_stoich")) {
                /* {A=>2,B=>3} */
                const char *s = a->vals[k];
                if (*s != '{')
                    return ilnet_error_set(ILNET_EINPUT,
                                           "%s:%d: max_stoich must be {Molecule=>n,...}", m->path,
                                           a->line);
                s++;
                while (*s && *s != '}') {
                    while (*s == ' ' || *s == ',')
                        s++;
                    const char *n0 = s;
                    while (isalnum((unsigned char)*s) || *s == '_')
                        s++;
                    const char *n1 = s;
                    while (*s == ' ')
                        s++;
                    if (n1 == n0 || strncmp(s, "=>", 2))
                        return ilnet_error_set(ILNET_EINPUT,
                                               "%s:%d: max_stoich must be {Molecule=>n,...}",
                                               m->path, a->line);
                    s += 2;
                    while (*s == ' ')
                        s++;
                    /* a count, as BioNetGen reads it (1e10 too), or "unlimited" */
                    char *e;
                    double v = strtod(s, &e);
                    if (!strncmp(s, "unlimited", 9) && !isalnum((unsigned char)s[9]))
                        v = INT_MAX, e = (char *)s + 9;
                    if (e == s || !(v >= 0) || v != floor(v))
                        return ilnet_error_set(ILNET_EINPUT,
                                               "%s:%d: max_stoich needs a non-negative integer "
                                               "or 'unlimited'",
                                               m->path, a->line);
                    if (v > INT_MAX) v = INT_MAX;
                    s = e;
                    char **nn = realloc(o->stoich_names, (size_t)(o->n_stoich + 1) * sizeof *nn);
                    if (!nn) return oom();
                    o->stoich_names = nn;
                    int *mm = realloc(o->stoich_max, (size_t)(o->n_stoich + 1) * sizeof *mm);
                    if (!mm) return oom();
                    o->stoich_max = mm;
                    if (!(nn[o->n_stoich] = strndup(n0, (size_t)(n1 - n0)))) return oom();
                    mm[o->n_stoich++] = (int)v;
                    while (*s == ' ')
                        s++;
                }
            } else if (!strcmp(key, "overwrite") || !strcmp(key, "TextReaction") ||
                       !strcmp(key, "TextSpecies") || !strcmp(key, "print_iter") ||
                       !strcmp(key, "verbose") || !strcmp(key, "prefix") ||
                       !strcmp(key, "suffix") || !strcmp(key, "check_iso")) {
                /* output formatting only; check_iso: every species is canonically labelled
                 * here, so isomorphism is always checked */
            } else {
                return ilnet_error_set(ILNET_EINPUT, "%s:%d: generate_network: unknown option '%s'",
                                       m->path, a->line, key);
            }
            if (rc) return rc;
        }
        break;
    }
    return 0;
}

/* Canonical labeling of species graphs by colour refinement plus individualisation.
 *
 * The graph searched has one node per molecule (coloured by type and the multiset of its
 * free sites) and one per bonded site (coloured by molecule type, site name, state): free
 * sites are interchangeable twins, so folding them into the molecule's colour removes the
 * factorial branching a molecule with many identical free sites would cause. The canonical
 * labeling is the leaf of the search tree with the smallest certificate. */
#include "graph.h"

#include "../../common/error.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define MAX_AUTOS 64 /* automorphisms kept for pruning; more only slows the orbit test */

struct ilnet_canon_ws {
    int cap_n, cap_e;
    int *node;       /* node -> molecule or component index */
    int *init;       /* initial colour */
    int *adj0, *adj; /* CSR adjacency */
    int *sig0, *sig; /* signatures: colour, sorted neighbour colours */
    int *order, *tmp;
    int *best_lab, *cert, *best_cert;
    int *stackcol; /* colour arrays per search depth, cap_n * (cap_n + 1) */
    int cap_stack;
    int have_best, ncert;
    /* automorphisms found (two leaves with equal certificates), for pruning */
    int *autos, n_autos, cap_autos;
    int *prefix, *uf;
    int *best_prefix, best_depth; /* search path of the best leaf */
    int jump;                     /* depth the search returns to (see leaf), or INT_MAX */
    int orbits_ok, orbits_any;    /* uf holds the orbits pruned() last built, still valid */
    int *keybuf;                  /* initial keys */
    int *mo, *co, *bn, *cidx;
    int cap_g;
    /* refinement: nodes by colour (lab), cell sizes by start position (csz), nodes whose
     * colour changed in the last round (chg, chg2), cells to split this round (cells) and
     * which are listed already (mark == stamp) */
    int *lab, *csz, *chg, *chg2, *cells, *mark;
    int *pos, *naff, *vmark; /* lab position per node, nodes to re-sort per cell, node marks */
    int *cs;                 /* first lab position of each cell */
    int stamp;
};

int ilnet_canon_ws_new(ilnet_canon_ws **out)
{
    *out = calloc(1, sizeof **out);
    return *out ? 0 : ilnet_error_set(ILNET_ENOMEM, "out of memory (canonical labels)");
}

void ilnet_canon_ws_free(ilnet_canon_ws *ws)
{
    if (!ws) return;
    free(ws->node);
    free(ws->init);
    free(ws->adj0);
    free(ws->adj);
    free(ws->sig0);
    free(ws->sig);
    free(ws->order);
    free(ws->tmp);
    free(ws->best_lab);
    free(ws->cert);
    free(ws->best_cert);
    free(ws->stackcol);
    free(ws->keybuf);
    free(ws->mo);
    free(ws->co);
    free(ws->bn);
    free(ws->cidx);
    free(ws->autos);
    free(ws->prefix);
    free(ws->best_prefix);
    free(ws->uf);
    free(ws->lab);
    free(ws->csz);
    free(ws->chg);
    free(ws->chg2);
    free(ws->cells);
    free(ws->mark);
    free(ws->pos);
    free(ws->naff);
    free(ws->vmark);
    free(ws->cs);
    free(ws);
}

static int grow(int **p, size_t n)
{
    int *q = realloc(*p, (n ? n : 1) * sizeof *q);
    if (!q) return -1;
    *p = q;
    return 0;
}

static int reserve(ilnet_canon_ws *ws, int n, int e, const ilnet_graph *g)
{
    if (n > ws->cap_n || e > ws->cap_e) {
        int cn = n > ws->cap_n ? n * 2 : ws->cap_n, ce = e > ws->cap_e ? e * 2 : ws->cap_e;
        if (grow(&ws->node, cn) || grow(&ws->init, cn) || grow(&ws->adj0, cn + 1) ||
            grow(&ws->adj, ce) || grow(&ws->sig0, cn + 1) || grow(&ws->sig, ce + cn) ||
            grow(&ws->order, cn) || grow(&ws->tmp, cn > ws->cap_g ? cn : ws->cap_g) ||
            grow(&ws->best_lab, cn) || grow(&ws->cert, 2 * cn + ce) ||
            grow(&ws->best_cert, 2 * cn + ce) || grow(&ws->prefix, cn) ||
            grow(&ws->best_prefix, cn) || grow(&ws->uf, cn) ||
            grow(&ws->autos, (size_t)cn * MAX_AUTOS) || grow(&ws->lab, cn) || grow(&ws->csz, cn) ||
            grow(&ws->chg, cn) || grow(&ws->chg2, cn) || grow(&ws->cells, cn) ||
            grow(&ws->mark, cn) || grow(&ws->pos, cn) || grow(&ws->naff, cn) ||
            grow(&ws->vmark, cn) || grow(&ws->cs, cn))
            return ilnet_error_set(ILNET_ENOMEM, "out of memory (canonical labels)");
        memset(ws->mark, 0, (size_t)cn * sizeof *ws->mark);
        memset(ws->vmark, 0, (size_t)cn * sizeof *ws->vmark);
        ws->stamp = 0;
        ws->cap_n = cn;
        ws->cap_e = ce;
        ws->cap_stack = 0;
    }
    size_t need = (size_t)ws->cap_n * (size_t)(n + 2);
    if ((int)need > ws->cap_stack) {
        if (grow(&ws->stackcol, need))
            return ilnet_error_set(ILNET_ENOMEM, "out of memory (canonical labels)");
        ws->cap_stack = (int)need;
    }
    int gn = g->nmol + g->ncomp + 1;
    if (gn > ws->cap_g) {
        int c = gn * 2;
        if (grow(&ws->keybuf, (size_t)c * 4) || grow(&ws->mo, c) || grow(&ws->co, c) ||
            grow(&ws->bn, (size_t)c * (ILNET_BNGL_MAXB + 1)) || grow(&ws->cidx, c) ||
            grow(&ws->tmp, c > ws->cap_n ? c : ws->cap_n)) /* also sorts a molecule's sites */
            return ilnet_error_set(ILNET_ENOMEM, "out of memory (canonical labels)");
        ws->cap_g = c;
    }
    return 0;
}

/* merge sort of idx[0..n) by cmp(ctx, a, b) */
typedef int (*cmp_fn)(const void *ctx, int a, int b);

static void msort(int *idx, int *tmp, int n, cmp_fn cmp, const void *ctx)
{
    if (n < 2) return;
    if (n <= 8) {
        for (int i = 1; i < n; i++) {
            int v = idx[i], j = i - 1;
            while (j >= 0 && cmp(ctx, idx[j], v) > 0) {
                idx[j + 1] = idx[j];
                j--;
            }
            idx[j + 1] = v;
        }
        return;
    }
    int h = n / 2;
    msort(idx, tmp, h, cmp, ctx);
    msort(idx + h, tmp, n - h, cmp, ctx);
    int i = 0, j = h, k = 0;
    while (i < h && j < n)
        tmp[k++] = cmp(ctx, idx[i], idx[j]) <= 0 ? idx[i++] : idx[j++];
    while (i < h)
        tmp[k++] = idx[i++];
    while (j < n)
        tmp[k++] = idx[j++];
    memcpy(idx, tmp, (size_t)n * sizeof *idx);
}

static void isort(int *a, int n)
{
    for (int i = 1; i < n; i++) {
        int v = a[i], j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

struct initctx {
    const ilnet_canon_ws *ws;
    const ilnet_graph *g;
    int nmol;
};

/* keys: per node, kind, type, then for molecules the sorted free-site codes */
static int cmp_init(const void *vctx, int a, int b)
{
    const struct initctx *x = vctx;
    const ilnet_canon_ws *ws = x->ws;
    const int *ka = ws->keybuf + ws->sig0[a], *kb = ws->keybuf + ws->sig0[b];
    int la = ws->sig0[a + 1] - ws->sig0[a], lb = ws->sig0[b + 1] - ws->sig0[b];
    for (int i = 0; i < la && i < lb; i++)
        if (ka[i] != kb[i]) return ka[i] < kb[i] ? -1 : 1;
    return la - lb;
}

static int cmp_sig(const void *vctx, int a, int b)
{
    const ilnet_canon_ws *ws = vctx;
    const int *sa = ws->sig + ws->sig0[a], *sb = ws->sig + ws->sig0[b];
    int la = ws->sig0[a + 1] - ws->sig0[a], lb = ws->sig0[b + 1] - ws->sig0[b];
    for (int i = 0; i < la && i < lb; i++)
        if (sa[i] != sb[i]) return sa[i] < sb[i] ? -1 : 1;
    return la - lb;
}

/* Colours during refinement. The colours order the cells; any value inside a cell's span of
 * positions in that order (lab[cs[c] .. cs[c]+csz[c])) orders them the same way, so a cell
 * keeps its colour when it splits -- the piece still spanning that position keeps it, the
 * others take the middle of their span -- and a split renumbers few nodes. Only nodes whose
 * colour changed can change their neighbours' signatures, so a round visits just those
 * neighbours (issue 21: re-sorting every node each round made a 100-mer chain cost 43 s).
 * The order of the cells, hence every leaf and the canonical labels, is what ranking all
 * signatures every round gives; at a leaf every span is one position and colours are ranks. */

/* Cells of col[]: csz[c] and cs[c] per colour c, lab[] the nodes in colour order, pos[] its
 * inverse. Returns the number of cells. */
static int cells_of(ilnet_canon_ws *ws, int n, const int *col)
{
    int *fill = ws->tmp, ncell = 0;
    for (int c = 0; c < n; c++)
        ws->csz[c] = fill[c] = 0;
    for (int v = 0; v < n; v++)
        ncell += ws->csz[col[v]]++ == 0;
    for (int c = 0, at = 0; c < n; c++) {
        ws->cs[c] = at;
        at += ws->csz[c];
    }
    for (int v = 0; v < n; v++) {
        ws->pos[v] = ws->cs[col[v]] + fill[col[v]]++;
        ws->lab[ws->pos[v]] = v;
    }
    return ncell;
}

static int next_stamp(ilnet_canon_ws *ws)
{
    if (ws->stamp == INT_MAX) {
        memset(ws->mark, 0, (size_t)ws->cap_n * sizeof *ws->mark);
        memset(ws->vmark, 0, (size_t)ws->cap_n * sizeof *ws->vmark);
        ws->stamp = 0;
    }
    return ++ws->stamp;
}

/* Collects this round's work: the nodes whose signature may have changed -- every node of a
 * non-singleton cell (all), or those next to a node whose colour changed last round -- are
 * moved to the front of their cell (naff[c] of them), their cells listed in cells[]. Returns
 * the number of cells listed. */
static int collect(ilnet_canon_ws *ws, int n, const int *col, int all, int nchg)
{
    int na = 0, stamp = next_stamp(ws);
    if (all) {
        for (int v = 0; v < n; v++) {
            int c = col[v];
            if (ws->csz[c] > 1 && ws->mark[c] != stamp) {
                ws->mark[c] = stamp;
                ws->naff[c] = ws->csz[c];
                ws->cells[na++] = c;
            }
        }
        return na;
    }
    for (int i = 0; i < nchg; i++) {
        int u = ws->chg[i];
        for (int k = ws->adj0[u]; k < ws->adj0[u + 1]; k++) {
            int w = ws->adj[k], c = col[w];
            if (ws->csz[c] < 2 || ws->vmark[w] == stamp) continue;
            ws->vmark[w] = stamp;
            if (ws->mark[c] != stamp) {
                ws->mark[c] = stamp;
                ws->naff[c] = 0;
                ws->cells[na++] = c;
            }
            int t = ws->cs[c] + ws->naff[c]++, x = ws->lab[t], pw = ws->pos[w];
            ws->lab[t] = w;
            ws->pos[w] = t;
            ws->lab[pw] = x;
            ws->pos[x] = pw;
        }
    }
    return na;
}

static void signature(ilnet_canon_ws *ws, const int *col, int v)
{
    int *sg = ws->sig + ws->sig0[v], d = ws->adj0[v + 1] - ws->adj0[v];
    sg[0] = col[v];
    for (int q = 0; q < d; q++)
        sg[1 + q] = col[ws->adj[ws->adj0[v] + q]];
    isort(sg + 1, d);
}

/* Moves the untouched nodes of a cell, lab[s+k .. s+z), to lab[s+m2 ..): the touched ones with
 * a greater signature, lab[s+m2 .. s+k), go behind them. Untouched nodes are interchangeable,
 * so only min(k - m2, z - k) of them move. */
static void make_room(ilnet_canon_ws *ws, int s, int z, int k, int m2)
{
    int big = k - m2, u = z - k, *lab = ws->lab, *save = ws->tmp;
    if (!big || !u) return;
    memcpy(save, lab + s + m2, (size_t)big * sizeof *lab);
    int moved = big < u ? big : u;
    for (int j = 0; j < moved; j++)
        lab[s + m2 + j] = lab[s + z - moved + j];
    memcpy(lab + s + m2 + u, save, (size_t)big * sizeof *lab);
    for (int i = s + m2; i < s + m2 + moved; i++)
        ws->pos[lab[i]] = i;
    for (int i = s + m2 + u; i < s + z; i++)
        ws->pos[lab[i]] = i;
}

/* One piece lab[a..b) of cell c: its colour (c if its span holds c, else its middle), and
 * the nodes whose colour changed into chg2. Returns 1 for a new cell. */
static int piece(ilnet_canon_ws *ws, int *col, int c, int a, int b, int *nnext)
{
    int nc = c >= a && c < b ? c : a + (b - a) / 2;
    ws->cs[nc] = a;
    ws->csz[nc] = b - a;
    if (nc == c) return 0;
    for (int j = a; j < b; j++) {
        col[ws->lab[j]] = nc;
        ws->chg2[(*nnext)++] = ws->lab[j];
    }
    return 1;
}

/* Pieces of cell c among the sorted touched nodes lab[s+a .. s+b): cut where signatures
 * differ. Returns the number of new cells. */
static int sorted_pieces(ilnet_canon_ws *ws, int *col, int c, int s, int a, int b, int *nnext)
{
    int added = 0, start = a, *lab = ws->lab + s;
    for (int i = a + 1; i <= b; i++)
        if (i == b || cmp_sig(ws, lab[i - 1], lab[i]) != 0) {
            added += piece(ws, col, c, s + start, s + i, nnext);
            start = i;
        }
    return added;
}

/* Splits cell c: its front of naff[c] touched nodes is sorted by signature (colour, sorted
 * neighbour colours, computed before this round) and cut where they differ; the untouched
 * rest shares the signature the whole cell had and stays one piece, in its place in that
 * order. Returns the number of new cells. */
static int split_cell(ilnet_canon_ws *ws, int *col, int c, int *nnext)
{
    int z = ws->csz[c], k = ws->naff[c], s = ws->cs[c], *lab = ws->lab + s;
    msort(lab, ws->tmp, k, cmp_sig, ws);
    int m = k, m2 = k; /* touched nodes with a smaller, smaller-or-equal signature */
    if (k < z) {
        int u0 = lab[k]; /* its signature was computed with the others (refine) */
        for (m = 0; m < k && cmp_sig(ws, lab[m], u0) < 0; m++)
            ;
        for (m2 = m; m2 < k && cmp_sig(ws, lab[m2], u0) == 0; m2++)
            ;
        make_room(ws, s, z, k, m2);
    }
    for (int i = 0; i < k; i++)
        if (i < m2 || k == z) ws->pos[lab[i]] = s + i;
    /* pieces: the smaller touched ones; the untouched block with the equal ones (never cut,
     * never walked: it may be most of the cell); the greater touched ones */
    int added = 0, u = z - k;
    added += sorted_pieces(ws, col, c, s, 0, m, nnext);
    if (m2 + u > m) added += piece(ws, col, c, s + m, s + m2 + u, nnext);
    added += sorted_pieces(ws, col, c, s, m2 + u, z, nnext);
    return added;
}

/* Refines col[] to the coarsest equitable colouring finer than it, in rounds: every cell is
 * split by its members' sorted neighbour colours of the previous round, the pieces ordered
 * by those. chg[0..nchg) are the nodes whose colour changed since col was last equitable;
 * nchg < 0: col never was. Returns the number of cells. */
static int refine(ilnet_canon_ws *ws, int n, int *col, int nchg)
{
    int ncell = cells_of(ws, n, col), all = nchg < 0;
    while (ncell < n) {
        int na = collect(ws, n, col, all, nchg);
        for (int a = 0; a < na; a++) { /* all signatures first: the round sees old colours */
            int c = ws->cells[a], last = ws->cs[c] + ws->naff[c];
            if (ws->naff[c] < ws->csz[c]) last++; /* one untouched node, for its place */
            for (int i = ws->cs[c]; i < last; i++)
                signature(ws, col, ws->lab[i]);
        }
        int nnext = 0, added = 0;
        for (int a = 0; a < na; a++)
            added += split_cell(ws, col, ws->cells[a], &nnext);
        if (!added) break;
        ncell += added;
        int *t = ws->chg;
        ws->chg = ws->chg2;
        ws->chg2 = t;
        nchg = nnext;
        all = 0;
    }
    return ncell;
}

static void leaf(ilnet_canon_ws *ws, int n, int depth, const int *col)
{
    /* certificate: per canonical position, its initial colour and sorted neighbour labels */
    int *inv = ws->tmp, k = 0;
    for (int v = 0; v < n; v++)
        inv[col[v]] = v;
    for (int i = 0; i < n; i++) {
        int v = inv[i];
        ws->cert[k++] = ws->init[v];
        int d = ws->adj0[v + 1] - ws->adj0[v], s = k;
        for (int q = 0; q < d; q++)
            ws->cert[k++] = col[ws->adj[ws->adj0[v] + q]];
        isort(ws->cert + s, d);
    }
    int better = !ws->have_best, equal = 0;
    if (!better) {
        equal = 1;
        for (int i = 0; i < k; i++)
            if (ws->cert[i] != ws->best_cert[i]) {
                better = ws->cert[i] < ws->best_cert[i];
                equal = 0;
                break;
            }
    }
    if (equal && ws->n_autos < MAX_AUTOS) {
        /* same certificate: v -> the node the best labeling puts where this one puts v */
        int *a = ws->autos + (size_t)ws->n_autos * ws->cap_n;
        for (int u = 0; u < n; u++)
            inv[ws->best_lab[u]] = u;
        for (int v = 0; v < n; v++)
            a[v] = inv[col[v]];
        ws->n_autos++;
        ws->orbits_ok = 0;
    }
    if (equal) {
        /* The automorphism from the best leaf to this one fixes their common prefix and maps
         * the best leaf's branch below it, which was searched completely, onto this branch:
         * nothing more to find here, go back up to the common ancestor (as nauty does).
         * Without this, k identical bonded sites cost k! leaves. */
        int a = 0;
        while (a < depth && a < ws->best_depth && ws->prefix[a] == ws->best_prefix[a])
            a++;
        ws->jump = a;
    }
    if (better) {
        memcpy(ws->best_cert, ws->cert, (size_t)k * sizeof *ws->cert);
        memcpy(ws->best_lab, col, (size_t)n * sizeof *col);
        memcpy(ws->best_prefix, ws->prefix, (size_t)depth * sizeof *ws->prefix);
        ws->best_depth = depth;
        ws->have_best = 1;
        ws->ncert = k;
    }
}

static int uf_find(int *uf, int x)
{
    while (uf[x] != x)
        x = uf[x] = uf[uf[x]];
    return x;
}

/* 1 when v is in the orbit of an already explored sibling, under the automorphisms found
 * so far that fix every individualised node of this branch (a subgroup of the branch's
 * stabiliser, so pruning by it is safe) */
/* uf: the orbits of the automorphisms found so far that fix every individualised node of
 * this branch (a subgroup of the branch's stabiliser, so pruning by it is safe); sets
 * orbits_any when there is one. Kept until a recursion or a new automorphism: siblings
 * pruned one after another share it. */
static void build_orbits(ilnet_canon_ws *ws, int n, int depth)
{
    for (int u = 0; u < n; u++)
        ws->uf[u] = u;
    ws->orbits_any = 0;
    for (int a = 0; a < ws->n_autos; a++) {
        const int *g = ws->autos + (size_t)a * ws->cap_n;
        int fixes = 1;
        for (int d = 0; d < depth && fixes; d++)
            fixes = g[ws->prefix[d]] == ws->prefix[d];
        if (!fixes) continue;
        ws->orbits_any = 1;
        for (int u = 0; u < n; u++) {
            int x = uf_find(ws->uf, u), y = uf_find(ws->uf, g[u]);
            if (x != y) ws->uf[x] = y;
        }
    }
    ws->orbits_ok = 1;
}

/* 1 when v is in the orbit of an already explored sibling (see build_orbits) */
static int pruned(ilnet_canon_ws *ws, int n, int depth, const int *col, int target, int v)
{
    if (!ws->n_autos) return 0;
    if (!ws->orbits_ok) build_orbits(ws, n, depth);
    if (!ws->orbits_any) return 0;
    int rv = uf_find(ws->uf, v);
    for (int w = 0; w < v; w++)
        if (col[w] == target && uf_find(ws->uf, w) == rv) return 1;
    return 0;
}

/* nchg: see refine */
static void search(ilnet_canon_ws *ws, int n, int depth, int nchg)
{
    int *col = ws->stackcol + (size_t)depth * ws->cap_n;
    if (refine(ws, n, col, nchg) == n) {
        leaf(ws, n, depth, col);
        return;
    }
    /* target cell: the first one with several nodes */
    int target = INT_MAX;
    for (int v = 0; v < n; v++)
        if (ws->csz[col[v]] > 1 && col[v] < target) target = col[v];
    int first = ws->cs[target], size = ws->csz[target], *next = col + ws->cap_n;
    /* the others keep the colour unless it was the first position, which v takes */
    int rest = target != first ? target : first + 1 + (size - 1) / 2;
    for (int v = 0; v < n; v++) {
        if (col[v] != target || pruned(ws, n, depth, col, target, v)) continue;
        int k = 0;
        memcpy(next, col, (size_t)n * sizeof *col);
        for (int u = 0; u < n; u++)
            if (col[u] == target) {
                next[u] = u == v ? first : rest;
                if (next[u] != target) ws->chg[k++] = u;
            }
        ws->prefix[depth] = v;
        search(ws, n, depth + 1, k);
        ws->orbits_ok = 0; /* uf was rebuilt or the automorphisms grew below */
        if (ws->jump < depth) return;
        if (ws->jump == depth) ws->jump = INT_MAX;
    }
}

struct outctx {
    const ilnet_graph *g;
    const ilnet_moltypes *mt;
    const int *lab; /* canonical label per graph element: mol m -> lab[m]; comp via cidx */
    const int *cidx;
};

static int cmp_mol(const void *vctx, int a, int b)
{
    const struct outctx *x = vctx;
    int r = strcmp(x->mt->t[x->g->m[a].type].name, x->mt->t[x->g->m[b].type].name);
    if (r) return r;
    return x->lab[a] - x->lab[b];
}

static int cmp_comp(const void *vctx, int a, int b)
{
    const struct outctx *x = vctx;
    const ilnet_gcomp *ca = &x->g->c[a], *cb = &x->g->c[b];
    const ilnet_moltype *t = &x->mt->t[x->g->m[ca->mol].type];
    int r = strcmp(t->names[ca->name].name, t->names[cb->name].name);
    if (r) return r;
    if (ca->name != cb->name) return ca->name - cb->name;
    if (ca->state != cb->state) {
        if (ca->state < 0 || cb->state < 0) return ca->state - cb->state;
        r = strcmp(t->names[ca->name].states[ca->state], t->names[cb->name].states[cb->state]);
        if (r) return r;
    }
    if ((ca->nb > 0) != (cb->nb > 0)) return ca->nb > 0 ? 1 : -1;
    if (ca->nb != cb->nb) return ca->nb - cb->nb;
    if (ca->nb) return x->lab[x->cidx[a]] - x->lab[x->cidx[b]];
    return 0;
}

int ilnet_graph_canonical(ilnet_canon_ws *ws, const ilnet_graph *g, const ilnet_moltypes *mt,
                          char **buf, size_t *cap)
{
    int n = g->nmol, e = 0;
    for (int c = 0; c < g->ncomp; c++)
        if (g->c[c].nb) {
            n++;
            e += 2 + 2 * g->c[c].nb; /* mol<->comp both ways, plus bonds */
        }
    if (reserve(ws, n, e + 1, g)) return ILNET_ENOMEM;
    /* nodes and initial keys */
    int *cidx = ws->cidx, v = g->nmol, kp = 0;
    for (int c = 0; c < g->ncomp; c++)
        cidx[c] = g->c[c].nb ? v++ : -1;
    ws->sig0[0] = 0;
    for (int m = 0; m < g->nmol; m++) {
        const ilnet_gmol *gm = &g->m[m];
        ws->keybuf[kp++] = 0;
        ws->keybuf[kp++] = gm->type;
        int s = kp;
        for (int c = gm->c0; c < gm->c0 + gm->nc; c++)
            if (!g->c[c].nb) ws->keybuf[kp++] = g->c[c].name * 65536 + g->c[c].state + 1;
        isort(ws->keybuf + s, kp - s);
        ws->sig0[m + 1] = kp;
    }
    for (int c = 0; c < g->ncomp; c++) {
        if (cidx[c] < 0) continue;
        const ilnet_gcomp *gc = &g->c[c];
        ws->keybuf[kp++] = 1;
        ws->keybuf[kp++] = g->m[gc->mol].type;
        ws->keybuf[kp++] = gc->name * 65536 + gc->state + 1;
        ws->keybuf[kp++] = gc->nb;
        ws->sig0[cidx[c] + 1] = kp;
    }
    for (int i = 0; i < n; i++)
        ws->order[i] = i;
    struct initctx ic = {ws, g, g->nmol};
    msort(ws->order, ws->tmp, n, cmp_init, &ic);
    int c0 = 0;
    for (int i = 0; i < n; i++) {
        if (i && cmp_init(&ic, ws->order[i - 1], ws->order[i]) != 0) c0++;
        ws->init[ws->order[i]] = c0;
    }
    /* the first colouring: the middle position of the node's initial-key class */
    int *col0 = ws->stackcol;
    for (int i = 0, start = 0; i < n; i++) {
        if (i == n - 1 || ws->init[ws->order[i]] != ws->init[ws->order[i + 1]]) {
            for (int j = start; j <= i; j++)
                col0[ws->order[j]] = start + (i - start) / 2;
            start = i + 1;
        }
    }
    /* adjacency */
    int ep = 0;
    for (int m = 0; m < g->nmol; m++) {
        ws->adj0[m] = ep;
        const ilnet_gmol *gm = &g->m[m];
        for (int c = gm->c0; c < gm->c0 + gm->nc; c++)
            if (cidx[c] >= 0) ws->adj[ep++] = cidx[c];
    }
    for (int c = 0; c < g->ncomp; c++) {
        if (cidx[c] < 0) continue;
        ws->adj0[cidx[c]] = ep;
        ws->adj[ep++] = g->c[c].mol;
        for (int k = 0; k < g->c[c].nb; k++)
            ws->adj[ep++] = cidx[g->c[c].b[k]];
    }
    ws->adj0[n] = ep;
    /* signature offsets: one colour plus one per neighbour */
    ws->sig0[0] = 0;
    for (int i = 0; i < n; i++)
        ws->sig0[i + 1] = ws->sig0[i] + 1 + ws->adj0[i + 1] - ws->adj0[i];
    ws->have_best = 0;
    ws->best_depth = 0;
    ws->jump = INT_MAX;
    ws->n_autos = 0;
    ws->orbits_ok = 0;
    search(ws, n, 0, -1);
    /* text in canonical order */
    struct outctx oc = {g, mt, ws->best_lab, cidx};
    int *mo = ws->mo, *co = ws->co;
    for (int m = 0; m < g->nmol; m++)
        mo[m] = m;
    msort(mo, ws->tmp, g->nmol, cmp_mol, &oc);
    int k = 0;
    for (int i = 0; i < g->nmol; i++) {
        const ilnet_gmol *gm = &g->m[mo[i]];
        for (int c = 0; c < gm->nc; c++)
            co[k + c] = gm->c0 + c;
        msort(co + k, ws->tmp, gm->nc, cmp_comp, &oc);
        k += gm->nc;
    }
    return ilnet_graph_write(g, mt, mo, co, ws->bn, buf, cap);
}

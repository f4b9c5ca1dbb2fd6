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
    int *keybuf;                  /* initial keys */
    int *mo, *co, *bn, *cidx;
    int cap_g;
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
            grow(&ws->autos, (size_t)cn * MAX_AUTOS))
            return ilnet_error_set(ILNET_ENOMEM, "out of memory (canonical labels)");
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

/* Refines col[] to an equitable colouring; returns the number of colours. */
static int refine(ilnet_canon_ws *ws, int n, int *col)
{
    int ncol = -1;
    for (;;) {
        for (int v = 0; v < n; v++) {
            int *s = ws->sig + ws->sig0[v];
            s[0] = col[v];
            int d = ws->adj0[v + 1] - ws->adj0[v];
            for (int k = 0; k < d; k++)
                s[1 + k] = col[ws->adj[ws->adj0[v] + k]];
            isort(s + 1, d);
        }
        for (int v = 0; v < n; v++)
            ws->order[v] = v;
        msort(ws->order, ws->tmp, n, cmp_sig, ws);
        int c = 0;
        for (int i = 0; i < n; i++) {
            if (i && cmp_sig(ws, ws->order[i - 1], ws->order[i]) != 0) c++;
            col[ws->order[i]] = c;
        }
        c++;
        if (c == ncol || c == n) return c;
        ncol = c;
    }
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
static int pruned(ilnet_canon_ws *ws, int n, int depth, const int *col, int target, int v)
{
    if (!ws->n_autos) return 0;
    for (int u = 0; u < n; u++)
        ws->uf[u] = u;
    int any = 0;
    for (int a = 0; a < ws->n_autos; a++) {
        const int *g = ws->autos + (size_t)a * ws->cap_n;
        int fixes = 1;
        for (int d = 0; d < depth && fixes; d++)
            fixes = g[ws->prefix[d]] == ws->prefix[d];
        if (!fixes) continue;
        any = 1;
        for (int u = 0; u < n; u++) {
            int x = uf_find(ws->uf, u), y = uf_find(ws->uf, g[u]);
            if (x != y) ws->uf[x] = y;
        }
    }
    if (!any) return 0;
    int rv = uf_find(ws->uf, v);
    for (int w = 0; w < v; w++)
        if (col[w] == target && uf_find(ws->uf, w) == rv) return 1;
    return 0;
}

static void search(ilnet_canon_ws *ws, int n, int depth)
{
    int *col = ws->stackcol + (size_t)depth * ws->cap_n;
    int nc = refine(ws, n, col);
    if (nc == n) {
        leaf(ws, n, depth, col);
        return;
    }
    /* target cell: the smallest colour shared by several nodes */
    int *cnt = ws->tmp;
    for (int c = 0; c < nc; c++)
        cnt[c] = 0;
    for (int v = 0; v < n; v++)
        cnt[col[v]]++;
    int target = 0;
    while (cnt[target] < 2)
        target++;
    int *next = col + ws->cap_n;
    for (int v = 0; v < n; v++) {
        if (col[v] != target || pruned(ws, n, depth, col, target, v)) continue;
        for (int u = 0; u < n; u++)
            next[u] = 2 * col[u] + (col[u] == target && u != v);
        ws->prefix[depth] = v;
        search(ws, n, depth + 1);
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
    memcpy(ws->stackcol, ws->init, (size_t)n * sizeof *ws->init);
    ws->have_best = 0;
    ws->best_depth = 0;
    ws->jump = INT_MAX;
    ws->n_autos = 0;
    search(ws, n, 0);
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

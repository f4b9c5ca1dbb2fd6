#include "graph.h"

#include "../../common/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ilnet_moltypes_free(ilnet_moltypes *mt)
{
    for (int i = 0; i < mt->n; i++) {
        ilnet_moltype *t = &mt->t[i];
        free(t->name);
        free(t->site_name);
        for (int j = 0; j < t->n_names; j++) {
            free(t->names[j].name);
            for (int s = 0; s < t->names[j].n_states; s++)
                free(t->names[j].states[s]);
            free(t->names[j].states);
        }
        free(t->names);
    }
    free(mt->t);
    ilnet_strmap_free(&mt->index);
    memset(mt, 0, sizeof *mt);
}

static int eqn(const char *a, const char *b, size_t len)
{
    return strncmp(a, b, len) == 0 && a[len] == '\0';
}

int ilnet_moltypes_find(const ilnet_moltypes *mt, const char *name, size_t len)
{
    return ilnet_strmap_get(&mt->index, name, len);
}

int ilnet_moltype_find_name(const ilnet_moltype *t, const char *name, size_t len)
{
    for (int i = 0; i < t->n_names; i++)
        if (eqn(t->names[i].name, name, len)) return i;
    return -1;
}

int ilnet_moltype_find_state(const ilnet_moltype *t, int name, const char *state, size_t len)
{
    const ilnet_site_name *n = &t->names[name];
    for (int i = 0; i < n->n_states; i++)
        if (eqn(n->states[i], state, len)) return i;
    return -1;
}

void ilnet_graph_init(ilnet_graph *g)
{
    memset(g, 0, sizeof *g);
}

void ilnet_graph_free(ilnet_graph *g)
{
    free(g->m);
    free(g->c);
    memset(g, 0, sizeof *g);
}

void ilnet_graph_clear(ilnet_graph *g)
{
    g->nmol = g->ncomp = 0;
}

static int reserve(ilnet_graph *g, int nm, int nc)
{
    if (nm > g->capm) {
        int cap = g->capm ? g->capm : 8;
        while (cap < nm)
            cap *= 2;
        ilnet_gmol *m = realloc(g->m, (size_t)cap * sizeof *m);
        if (!m) return ilnet_error_set(ILNET_ENOMEM, "out of memory (graph)");
        g->m = m;
        g->capm = cap;
    }
    if (nc > g->capc) {
        int cap = g->capc ? g->capc : 16;
        while (cap < nc)
            cap *= 2;
        ilnet_gcomp *c = realloc(g->c, (size_t)cap * sizeof *c);
        if (!c) return ilnet_error_set(ILNET_ENOMEM, "out of memory (graph)");
        g->c = c;
        g->capc = cap;
    }
    return 0;
}

int ilnet_graph_copy(ilnet_graph *dst, const ilnet_graph *src)
{
    if (reserve(dst, src->nmol, src->ncomp)) return ILNET_ENOMEM;
    if (src->nmol) memcpy(dst->m, src->m, (size_t)src->nmol * sizeof *src->m);
    if (src->ncomp) memcpy(dst->c, src->c, (size_t)src->ncomp * sizeof *src->c);
    dst->nmol = src->nmol;
    dst->ncomp = src->ncomp;
    return 0;
}

int ilnet_graph_add_mol(ilnet_graph *g, int type, int nc)
{
    if (reserve(g, g->nmol + 1, g->ncomp + nc)) return ILNET_ENOMEM;
    int m = g->nmol++;
    g->m[m] = (ilnet_gmol){type, g->ncomp, nc, -1};
    for (int i = 0; i < nc; i++)
        g->c[g->ncomp + i] = (ilnet_gcomp){.mol = m, .state = -1, .label = -1};
    g->ncomp += nc;
    return m;
}

int ilnet_graph_append(ilnet_graph *g, const ilnet_graph *src, int *mol_off)
{
    if (reserve(g, g->nmol + src->nmol, g->ncomp + src->ncomp)) return ILNET_ENOMEM;
    int mo = g->nmol, co = g->ncomp;
    for (int i = 0; i < src->nmol; i++) {
        g->m[mo + i] = src->m[i];
        g->m[mo + i].c0 += co;
    }
    for (int i = 0; i < src->ncomp; i++) {
        ilnet_gcomp c = src->c[i];
        c.mol += mo;
        for (int k = 0; k < c.nb; k++)
            c.b[k] += co;
        g->c[co + i] = c;
    }
    g->nmol += src->nmol;
    g->ncomp += src->ncomp;
    if (mol_off) *mol_off = mo;
    return co;
}

int ilnet_graph_bond(ilnet_graph *g, int c1, int c2)
{
    ilnet_gcomp *a = &g->c[c1], *b = &g->c[c2];
    if (a->nb >= ILNET_BNGL_MAXB || b->nb >= ILNET_BNGL_MAXB)
        return ilnet_error_set(ILNET_EINPUT, "a site has more than %d bonds", ILNET_BNGL_MAXB);
    a->b[a->nb++] = c2;
    if (c1 != c2) b->b[b->nb++] = c1;
    return 0;
}

static void drop(ilnet_gcomp *a, int partner)
{
    for (int k = 0; k < a->nb; k++)
        if (a->b[k] == partner) {
            a->b[k] = a->b[--a->nb];
            return;
        }
}

void ilnet_graph_unbond(ilnet_graph *g, int c1, int c2)
{
    drop(&g->c[c1], c2);
    if (c1 != c2) drop(&g->c[c2], c1);
}

int ilnet_graph_components(const ilnet_graph *g, int *comp_of, int *stack)
{
    for (int i = 0; i < g->nmol; i++)
        comp_of[i] = -1;
    int n = 0;
    for (int s = 0; s < g->nmol; s++) {
        if (comp_of[s] >= 0) continue;
        int top = 0;
        stack[top++] = s;
        comp_of[s] = n;
        while (top) {
            int m = stack[--top];
            const ilnet_gmol *gm = &g->m[m];
            for (int c = gm->c0; c < gm->c0 + gm->nc; c++)
                for (int k = 0; k < g->c[c].nb; k++) {
                    int o = g->c[g->c[c].b[k]].mol;
                    if (comp_of[o] < 0) {
                        comp_of[o] = n;
                        stack[top++] = o;
                    }
                }
        }
        n++;
    }
    return n;
}

int ilnet_graph_extract(ilnet_graph *dst, const ilnet_graph *src, const int *keep, int which)
{
    ilnet_graph_clear(dst);
    int nm = 0, nc = 0;
    for (int i = 0; i < src->nmol; i++)
        if (keep[i] == which) {
            nm++;
            nc += src->m[i].nc;
        }
    if (reserve(dst, nm, nc)) return ILNET_ENOMEM;
    /* new component index of each old component, via the molecule's new c0 */
    int *newc0 = malloc(((size_t)src->nmol + 1) * sizeof *newc0);
    if (!newc0) return ilnet_error_set(ILNET_ENOMEM, "out of memory (graph)");
    int mi = 0, ci = 0;
    for (int i = 0; i < src->nmol; i++) {
        newc0[i] = -1;
        if (keep[i] != which) continue;
        newc0[i] = ci;
        dst->m[mi] = src->m[i];
        dst->m[mi].c0 = ci;
        mi++;
        ci += src->m[i].nc;
    }
    mi = 0;
    for (int i = 0; i < src->nmol; i++) {
        if (keep[i] != which) continue;
        const ilnet_gmol *sm = &src->m[i];
        for (int k = 0; k < sm->nc; k++) {
            ilnet_gcomp c = src->c[sm->c0 + k];
            c.mol = mi;
            for (int q = 0; q < c.nb; q++) {
                int oc = c.b[q], om = src->c[oc].mol;
                c.b[q] = newc0[om] + (oc - src->m[om].c0);
            }
            dst->c[newc0[i] + k] = c;
        }
        mi++;
    }
    dst->nmol = nm;
    dst->ncomp = nc;
    free(newc0);
    return 0;
}

/* ---- text ---- */

typedef struct {
    char **buf;
    size_t *cap;
    size_t len;
} sbuf;

static int sb_put(sbuf *s, const char *t, size_t n)
{
    if (s->len + n + 1 > *s->cap) {
        size_t cap = *s->cap ? *s->cap : 128;
        while (cap < s->len + n + 1)
            cap *= 2;
        char *b = realloc(*s->buf, cap);
        if (!b) return ilnet_error_set(ILNET_ENOMEM, "out of memory (text)");
        *s->buf = b;
        *s->cap = cap;
    }
    memcpy(*s->buf + s->len, t, n);
    s->len += n;
    (*s->buf)[s->len] = '\0';
    return 0;
}

static int sb_str(sbuf *s, const char *t)
{
    return sb_put(s, t, strlen(t));
}

static int sb_int(sbuf *s, int v)
{
    char t[16];
    int n = snprintf(t, sizeof t, "%d", v);
    return sb_put(s, t, (size_t)n);
}

/* Writes the graph with molecules in order mol_order[] and each molecule's components in
 * order comp_order[] (global indices, grouped per molecule as in mol_order); bond numbers
 * follow appearance. bondno is scratch of size ncomp * MAXB. */
int ilnet_graph_write(const ilnet_graph *g, const ilnet_moltypes *mt, const int *mol_order,
                      const int *comp_order, int *bondno, char **buf, size_t *cap)
{
    sbuf s = {buf, cap, 0};
    if (sb_put(&s, "", 0)) return ILNET_ENOMEM;
    /* bondno: first ncomp entries = output position of each component, then per bond slot
     * the number given to it (0 = not yet) */
    int *pos = bondno, *num = bondno + g->ncomp;
    for (int i = 0; i < g->ncomp; i++)
        pos[comp_order[i]] = i;
    for (int i = 0; i < g->ncomp * ILNET_BNGL_MAXB; i++)
        num[i] = 0;
    int next = 1, ci = 0;
    for (int i = 0; i < g->nmol; i++) {
        const ilnet_gmol *m = &g->m[mol_order[i]];
        const ilnet_moltype *t = &mt->t[m->type];
        if (i && sb_put(&s, ".", 1)) return ILNET_ENOMEM;
        if (sb_str(&s, t->name) || sb_put(&s, "(", 1)) return ILNET_ENOMEM;
        for (int k = 0; k < m->nc; k++) {
            int cidx = comp_order[ci++];
            const ilnet_gcomp *c = &g->c[cidx];
            if (k && sb_put(&s, ",", 1)) return ILNET_ENOMEM;
            if (sb_str(&s, t->names[c->name].name)) return ILNET_ENOMEM;
            if (c->state >= 0 &&
                (sb_put(&s, "~", 1) || sb_str(&s, t->names[c->name].states[c->state])))
                return ILNET_ENOMEM;
            /* bonds in the order of their partners' output positions */
            int ord[ILNET_BNGL_MAXB];
            for (int q = 0; q < c->nb; q++)
                ord[q] = q;
            for (int q = 1; q < c->nb; q++)
                for (int r = q; r > 0 && pos[c->b[ord[r - 1]]] > pos[c->b[ord[r]]]; r--) {
                    int tmp = ord[r];
                    ord[r] = ord[r - 1];
                    ord[r - 1] = tmp;
                }
            for (int qq = 0; qq < c->nb; qq++) {
                int q = ord[qq], p = c->b[q], no = 0;
                for (int r = 0; r < g->c[p].nb && !no; r++)
                    if (g->c[p].b[r] == cidx && num[p * ILNET_BNGL_MAXB + r] > 0) {
                        no = num[p * ILNET_BNGL_MAXB + r];
                        num[p * ILNET_BNGL_MAXB + r] = -1; /* used: a parallel bond gets its own */
                    }
                if (!no) {
                    no = next++;
                    num[cidx * ILNET_BNGL_MAXB + q] = no;
                } else {
                    num[cidx * ILNET_BNGL_MAXB + q] = -1;
                }
                if (sb_put(&s, "!", 1) || sb_int(&s, no)) return ILNET_ENOMEM;
            }
            if (c->wild == ILNET_WILD_PLUS && sb_put(&s, "!+", 2)) return ILNET_ENOMEM;
            if (c->wild == ILNET_WILD_ANY && sb_put(&s, "!?", 2)) return ILNET_ENOMEM;
        }
        if (sb_put(&s, ")", 1)) return ILNET_ENOMEM;
    }
    return 0;
}

int ilnet_graph_format(const ilnet_graph *g, const ilnet_moltypes *mt, char **buf, size_t *cap)
{
    int *mo = malloc(((size_t)g->nmol + 1) * sizeof *mo);
    int *co = malloc(((size_t)g->ncomp + 1) * sizeof *co);
    int *bn = malloc(((size_t)g->ncomp * (ILNET_BNGL_MAXB + 1) + 1) * sizeof *bn);
    int rc = ILNET_ENOMEM;
    if (mo && co && bn) {
        for (int i = 0; i < g->nmol; i++)
            mo[i] = i;
        for (int i = 0; i < g->ncomp; i++)
            co[i] = i;
        rc = ilnet_graph_write(g, mt, mo, co, bn, buf, cap);
    } else {
        ilnet_error_set(ILNET_ENOMEM, "out of memory (text)");
    }
    free(mo);
    free(co);
    free(bn);
    return rc;
}

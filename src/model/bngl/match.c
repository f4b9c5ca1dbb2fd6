#include "match.h"

#include "../../common/error.h"

#include <stdlib.h>
#include <string.h>

int ilnet_match_plan_init(ilnet_match_plan *plan, const ilnet_graph *p)
{
    int n = p->nmol;
    plan->nmol = n;
    plan->order = malloc(((size_t)n + 1) * sizeof(int));
    plan->anchor_p = malloc(((size_t)n + 1) * sizeof(int));
    plan->anchor_q = malloc(((size_t)n + 1) * sizeof(int));
    char *placed = calloc((size_t)n + 1, 1);
    if (!plan->order || !plan->anchor_p || !plan->anchor_q || !placed) {
        free(placed);
        ilnet_match_plan_free(plan);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory (pattern)");
    }
    /* breadth-first along bonds so most molecules are reached through a bonded site */
    int k = 0;
    for (int s = 0; s < n; s++) {
        if (placed[s]) continue;
        placed[s] = 1;
        plan->order[k] = s;
        plan->anchor_p[k] = plan->anchor_q[k] = -1;
        k++;
        for (int h = k - 1; h < k; h++) {
            const ilnet_gmol *m = &p->m[plan->order[h]];
            for (int c = m->c0; c < m->c0 + m->nc; c++)
                for (int b = 0; b < p->c[c].nb; b++) {
                    int q = p->c[c].b[b], om = p->c[q].mol;
                    if (placed[om]) continue;
                    placed[om] = 1;
                    plan->order[k] = om;
                    plan->anchor_p[k] = q;
                    plan->anchor_q[k] = c;
                    k++;
                }
        }
    }
    free(placed);
    return 0;
}

void ilnet_match_plan_free(ilnet_match_plan *plan)
{
    free(plan->order);
    free(plan->anchor_p);
    free(plan->anchor_q);
    memset(plan, 0, sizeof *plan);
}

void ilnet_match_ws_free(ilnet_match_ws *ws)
{
    free(ws->molmap);
    free(ws->compmap);
    free(ws->used_mol);
    free(ws->used_comp);
    memset(ws, 0, sizeof *ws);
}

struct st {
    ilnet_match_ws *ws;
    const ilnet_match_plan *plan;
    const ilnet_graph *p, *t;
    int mode;
    const int *pin_mol, *pin_comp;
    ilnet_match_fn fn;
    void *ctx;
    long count;
    int stop;
};

static void match_mol(struct st *s, int i);

static int site_ok(const struct st *s, int pc, int tc)
{
    const ilnet_gcomp *a = &s->p->c[pc], *b = &s->t->c[tc];
    if (a->name != b->name) return 0;
    if (s->mode == ILNET_MATCH_EXACT) {
        if (a->state != b->state || a->wild != b->wild || a->nb != b->nb) return 0;
    } else {
        if (a->state >= 0 && a->state != b->state) return 0;
        if (a->wild == ILNET_WILD_NONE && b->nb != a->nb) return 0;
        if (a->wild == ILNET_WILD_PLUS && (b->nb < a->nb || b->nb < 1)) return 0;
        if (a->wild == ILNET_WILD_ANY && b->nb < a->nb) return 0;
    }
    for (int k = 0; k < a->nb; k++) {
        int q = a->b[k];
        if (q == pc) continue;
        int tq = s->ws->compmap[q];
        if (tq < 0) continue;
        int found = 0;
        for (int r = 0; r < b->nb; r++)
            if (b->b[r] == tq) found = 1;
        if (!found) return 0;
    }
    return 1;
}

static void match_comp(struct st *s, int i, int pm, int k)
{
    const ilnet_gmol *m = &s->p->m[pm];
    if (k == m->nc) {
        match_mol(s, i + 1);
        return;
    }
    int pc = m->c0 + k;
    const ilnet_gmol *tm = &s->t->m[s->ws->molmap[pm]];
    for (int tc = tm->c0; tc < tm->c0 + tm->nc && !s->stop; tc++) {
        if (s->ws->used_comp[tc] ||
            (s->pin_comp && s->pin_comp[pc] >= 0 && s->pin_comp[pc] != tc) || !site_ok(s, pc, tc))
            continue;
        s->ws->used_comp[tc] = 1;
        s->ws->compmap[pc] = tc;
        match_comp(s, i, pm, k + 1);
        s->ws->compmap[pc] = -1;
        s->ws->used_comp[tc] = 0;
    }
}

static void try_mol(struct st *s, int i, int pm, int tm)
{
    const ilnet_gmol *a = &s->p->m[pm], *b = &s->t->m[tm];
    if (s->ws->used_mol[tm] || a->type != b->type) return;
    if (s->pin_mol && s->pin_mol[pm] >= 0 && s->pin_mol[pm] != tm) return;
    if (s->mode == ILNET_MATCH_EXACT && a->nc != b->nc) return;
    s->ws->used_mol[tm] = 1;
    s->ws->molmap[pm] = tm;
    match_comp(s, i, pm, 0);
    s->ws->molmap[pm] = -1;
    s->ws->used_mol[tm] = 0;
}

static void match_mol(struct st *s, int i)
{
    if (i == s->plan->nmol) {
        s->count++;
        if (s->fn && s->fn(s->ctx, s->ws->molmap, s->ws->compmap)) s->stop = 1;
        return;
    }
    int pm = s->plan->order[i];
    if (s->plan->anchor_p[i] >= 0) {
        const ilnet_gcomp *tq = &s->t->c[s->ws->compmap[s->plan->anchor_q[i]]];
        for (int r = 0; r < tq->nb && !s->stop; r++) {
            int tm = s->t->c[tq->b[r]].mol, dup = 0;
            for (int r2 = 0; r2 < r; r2++)
                if (s->t->c[tq->b[r2]].mol == tm) dup = 1;
            if (!dup) try_mol(s, i, pm, tm);
        }
    } else {
        for (int tm = 0; tm < s->t->nmol && !s->stop; tm++)
            try_mol(s, i, pm, tm);
    }
}

static int need(void **p, int *cap, int n, size_t sz)
{
    if (*p && n <= *cap) return 0;
    int c = n * 2 + 8;
    void *q = realloc(*p, (size_t)c * sz);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

long ilnet_match(ilnet_match_ws *ws, const ilnet_match_plan *plan, const ilnet_graph *pattern,
                 const ilnet_graph *target, int mode, ilnet_match_fn fn, void *ctx)
{
    return ilnet_match_pinned(ws, plan, pattern, target, mode, NULL, NULL, fn, ctx);
}

long ilnet_match_pinned(ilnet_match_ws *ws, const ilnet_match_plan *plan,
                        const ilnet_graph *pattern, const ilnet_graph *target, int mode,
                        const int *pin_mol, const int *pin_comp, ilnet_match_fn fn, void *ctx)
{
    if (need((void **)&ws->molmap, &ws->cap_pm, pattern->nmol, sizeof(int)) ||
        need((void **)&ws->compmap, &ws->cap_pc, pattern->ncomp, sizeof(int)) ||
        need((void **)&ws->used_mol, &ws->cap_tm, target->nmol, 1) ||
        need((void **)&ws->used_comp, &ws->cap_tc, target->ncomp, 1))
        return ilnet_error_set(ILNET_ENOMEM, "out of memory (matching)");
    if (pattern->nmol > target->nmol) return 0;
    for (int i = 0; i < pattern->nmol; i++)
        ws->molmap[i] = -1;
    for (int i = 0; i < pattern->ncomp; i++)
        ws->compmap[i] = -1;
    memset(ws->used_mol, 0, (size_t)target->nmol);
    memset(ws->used_comp, 0, (size_t)target->ncomp);
    struct st s = {ws, plan, pattern, target, mode, pin_mol, pin_comp, fn, ctx, 0, 0};
    match_mol(&s, 0);
    return s.count;
}

/* BNGL text -> ilnet_bngl_model: logical lines, blocks, patterns, rules, actions. */
#include "bngl.h"
#include "../../common/file.h"

#include "../../common/error.h"
#include "../../common/strmap.h"
#include "../netfile.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- logical lines: comments stripped, '\' continuations joined ---- */

typedef struct {
    char *text;
    int nseg;
    int *seg_off, *seg_line; /* offset in text where a physical line starts, its number */
} lline;

typedef struct {
    const char *path;
    ilnet_bngl_model *m;
    lline *ll;
    int declared;                /* a molecule types block exists */
    ilnet_strmap pnames, onames; /* parameter and observable names -> index (duplicates) */
} parser;

static int loc_line(const lline *l, size_t pos, int *col)
{
    int s = 0;
    while (s + 1 < l->nseg && (size_t)l->seg_off[s + 1] <= pos)
        s++;
    *col = (int)(pos - (size_t)l->seg_off[s]) + 1;
    return l->seg_line[s];
}

static int perr(const parser *P, size_t pos, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int perr(const parser *P, size_t pos, const char *fmt, ...)
{
    int col = 1, line = P->ll ? loc_line(P->ll, pos, &col) : 0;
    va_list ap;
    va_start(ap, fmt);
    int rc = ilnet_error_atv(ILNET_EINPUT, P->path, line, col, NULL, fmt, ap);
    va_end(ap);
    return rc;
}

static void free_lines(lline *ls, int n)
{
    for (int i = 0; i < n; i++) {
        free(ls[i].text);
        free(ls[i].seg_off);
        free(ls[i].seg_line);
    }
    free(ls);
}

/* Splits text into logical lines; comments start at '#' outside double quotes. */
static int split_lines(lline **out, int *nout, const char *text)
{
    int cap = 64, n = 0;
    lline *ls = calloc((size_t)cap, sizeof *ls);
    if (!ls) return ilnet_error_oom();
    const char *p = text;
    int lineno = 0;
    lline cur = {0};
    size_t len = 0, tcap = 0;
    int segcap = 0;
    while (*p) {
        lineno++;
        const char *e = strchr(p, '\n');
        size_t L = e ? (size_t)(e - p) : strlen(p);
        /* strip comment */
        size_t k = 0;
        int inq = 0;
        for (; k < L; k++) {
            if (p[k] == '"') inq = !inq;
            if (p[k] == '#' && !inq) break;
        }
        size_t end = k;
        while (end > 0 && (p[end - 1] == ' ' || p[end - 1] == '\t' || p[end - 1] == '\r'))
            end--;
        int cont = end > 0 && p[end - 1] == '\\';
        if (cont) end--;
        /* append segment */
        if (cur.nseg + 1 > segcap) {
            segcap = segcap ? segcap * 2 : 4;
            int *a = realloc(cur.seg_off, (size_t)segcap * sizeof *a);
            int *b = a ? realloc(cur.seg_line, (size_t)segcap * sizeof *b) : NULL;
            if (!a || !b) goto oom;
            cur.seg_off = a;
            cur.seg_line = b;
        }
        if (len + end + 2 > tcap) {
            tcap = (len + end + 2) * 2;
            char *t = realloc(cur.text, tcap);
            if (!t) goto oom;
            cur.text = t;
        }
        cur.seg_off[cur.nseg] = (int)len;
        cur.seg_line[cur.nseg] = lineno;
        cur.nseg++;
        for (size_t i = 0; i < end; i++)
            cur.text[len++] = p[i] == '\t' || p[i] == '\r' ? ' ' : p[i];
        if (cont) cur.text[len++] = ' ';
        cur.text[len] = '\0';
        if (!cont || !e || !e[1]) { /* a '\' on the last line continues nothing */
            if (n == cap) {
                cap *= 2;
                lline *nl = realloc(ls, (size_t)cap * sizeof *nl);
                if (!nl) goto oom;
                ls = nl;
            }
            ls[n++] = cur;
            memset(&cur, 0, sizeof cur);
            len = tcap = 0;
            segcap = 0;
        }
        p = e ? e + 1 : p + L;
    }
    *out = ls;
    *nout = n;
    return 0;
oom:
    free(cur.text);
    free(cur.seg_off);
    free(cur.seg_line);
    free_lines(ls, n);
    return ilnet_error_oom();
}

/* ---- small lexing helpers ---- */

static int is_name0(int c)
{
    return isalpha(c) || c == '_';
}
static int is_name(int c)
{
    return isalnum(c) || c == '_';
}

static size_t skip_ws(const char *s, size_t i)
{
    while (s[i] == ' ')
        i++;
    return i;
}

static size_t name_end(const char *s, size_t i)
{
    if (!is_name0((unsigned char)s[i])) return i;
    while (is_name((unsigned char)s[i]))
        i++;
    return i;
}

static char *dupn(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static char *trimdup(const char *s, size_t a, size_t b)
{
    while (a < b && s[a] == ' ')
        a++;
    while (b > a && s[b - 1] == ' ')
        b--;
    return dupn(s + a, b - a);
}

#define GROW(arr, n, cap)                                                                          \
    do {                                                                                           \
        if ((n) >= (cap)) {                                                                        \
            int nc_ = (cap) ? (cap)*2 : 8;                                                         \
            void *p_ = realloc((arr), (size_t)nc_ * sizeof *(arr));                                \
            if (!p_) return ilnet_error_oom();                                                     \
            (arr) = p_;                                                                            \
            memset((arr) + (cap), 0, (size_t)(nc_ - (cap)) * sizeof *(arr));                       \
            (cap) = nc_;                                                                           \
        }                                                                                          \
    } while (0)

/* ---- molecule types ---- */

static int add_type(ilnet_moltypes *mt, const char *name, size_t len, int declared, int line)
{
    if (mt->n == mt->cap) {
        int nc = mt->cap ? mt->cap * 2 : 8;
        ilnet_moltype *t = realloc(mt->t, (size_t)nc * sizeof *t);
        if (!t) return ilnet_error_oom();
        mt->t = t;
        mt->cap = nc;
    }
    ilnet_moltype *t = &mt->t[mt->n];
    memset(t, 0, sizeof *t);
    t->name = dupn(name, len);
    if (!t->name) return ilnet_error_oom();
    if (ilnet_strmap_put(&mt->index, t->name, mt->n) < 0) {
        free(t->name);
        return ILNET_ENOMEM;
    }
    t->declared = declared;
    t->line = line;
    return mt->n++;
}

static int add_site_name(ilnet_moltype *t, const char *name, size_t len)
{
    ilnet_site_name *nn = realloc(t->names, (size_t)(t->n_names + 1) * sizeof *nn);
    if (!nn) return ilnet_error_oom();
    t->names = nn;
    memset(&nn[t->n_names], 0, sizeof *nn);
    nn[t->n_names].name = dupn(name, len);
    if (!nn[t->n_names].name) return ilnet_error_oom();
    return t->n_names++;
}

static int add_site(ilnet_moltype *t, int name)
{
    int *s = realloc(t->site_name, (size_t)(t->n_sites + 1) * sizeof *s);
    if (!s) return ilnet_error_oom();
    t->site_name = s;
    s[t->n_sites++] = name;
    return 0;
}

static int add_state(ilnet_site_name *n, const char *st, size_t len)
{
    char **s = realloc(n->states, (size_t)(n->n_states + 1) * sizeof *s);
    if (!s) return ilnet_error_oom();
    n->states = s;
    s[n->n_states] = dupn(st, len);
    if (!s[n->n_states]) return ilnet_error_oom();
    return n->n_states++;
}

static int site_mult(const ilnet_moltype *t, int name)
{
    int k = 0;
    for (int i = 0; i < t->n_sites; i++)
        k += t->site_name[i] == name;
    return k;
}

/* "A(b~x~y,c)" in a molecule types block */
static int parse_moltype(parser *P, const char *s, size_t i0)
{
    ilnet_moltypes *mt = &P->m->mt;
    size_t i = skip_ws(s, i0), e = name_end(s, i);
    if (e == i) return perr(P, i, "expected a molecule type name");
    if (ilnet_moltypes_find(mt, s + i, e - i) >= 0)
        return perr(P, i, "molecule type '%.*s' declared twice", (int)(e - i), s + i);
    int col;
    int ti = add_type(mt, s + i, e - i, 1, loc_line(P->ll, i, &col));
    if (ti < 0) return ti;
    ilnet_moltype *t = &mt->t[ti];
    i = e;
    if (s[i] == '(') {
        i++;
        while (s[i] != ')') {
            i = skip_ws(s, i);
            size_t ne = name_end(s, i);
            if (ne == i) return perr(P, i, "expected a site name in molecule type '%s'", t->name);
            int nm = ilnet_moltype_find_name(t, s + i, ne - i);
            int fresh = nm < 0;
            if (fresh && (nm = add_site_name(t, s + i, ne - i)) < 0) return nm;
            if (add_site(t, nm)) return ILNET_ENOMEM;
            i = ne;
            while (s[i] == '~') {
                size_t se = i + 1;
                while (is_name((unsigned char)s[se]))
                    se++;
                if (se == i + 1) return perr(P, i, "expected a state after '~' in '%s'", t->name);
                if (ilnet_moltype_find_state(t, nm, s + i + 1, se - i - 1) < 0) {
                    if (!fresh)
                        return perr(P, i + 1,
                                    "site '%s' of '%s' is repeated with a different state list",
                                    t->names[nm].name, t->name);
                    if (add_state(&t->names[nm], s + i + 1, se - i - 1) < 0) return ILNET_ENOMEM;
                }
                i = se;
            }
            i = skip_ws(s, i);
            if (s[i] == ',') {
                i++;
                continue;
            }
            if (s[i] != ')')
                return perr(P, i, "unexpected '%c' in molecule type '%s'", s[i] ? s[i] : ' ',
                            t->name);
        }
        i++;
    }
    i = skip_ws(s, i);
    if (s[i]) return perr(P, i, "unexpected text after molecule type '%s'", t->name);
    return 0;
}

/* ---- patterns ---- */

enum { K_SPECIES, K_PATTERN, K_PRODUCT };

typedef struct {
    char name[32];
    int comp;
    size_t pos;
} bondlab;

static int intern_label(ilnet_bngl_model *m, const char *s, size_t n)
{
    for (int i = 0; i < m->n_labels; i++)
        if (strlen(m->labels[i]) == n && !strncmp(m->labels[i], s, n)) return i;
    char **l = realloc(m->labels, (size_t)(m->n_labels + 1) * sizeof *l);
    if (!l) return ilnet_error_oom();
    m->labels = l;
    if (!(l[m->n_labels] = dupn(s, n))) return ilnet_error_oom();
    return m->n_labels++;
}

typedef struct {
    int name, state, wild, label, nlab;
    char lab[ILNET_BNGL_MAXB][32];
    size_t labpos[ILNET_BNGL_MAXB];
    size_t pos;
} rawsite;

/* One pattern being read. Bond labels pair up across the whole pattern, so they live here
 * rather than with one molecule; the site list is refilled for each molecule. The arrays
 * sit in this struct (on parse_pattern's stack) so that a usual pattern allocates nothing;
 * bond labels beyond 64 (a long polymer written out) move to the heap. */
typedef struct {
    parser *P;
    const char *s;
    size_t i; /* read position in s */
    ilnet_graph *g;
    int kind; /* K_SPECIES forbids wildcards */
    int nbl, nrs, capbl;
    bondlab *bl; /* bond labels seen (bl0 or the heap); comp -1 once both ends joined */
    bondlab bl0[64];
    rawsite rs[64]; /* sites of the molecule being read */
} patread;

/* "%name" at s[i], the label of a molecule or a site: its id in *label. */
static int read_label(patread *R, int *label)
{
    const char *s = R->s;
    size_t i = R->i, le = i + 1;
    while (is_name((unsigned char)s[le]))
        le++;
    if (le == i + 1) return perr(R->P, i, "expected a label after '%%'");
    if ((*label = intern_label(R->P->m, s + i + 1, le - i - 1)) < 0) return *label;
    R->i = le;
    return 0;
}

/* "~state" or "~?" at s[i] on site r of type t; an undeclared type learns new states. */
static int read_state(patread *R, ilnet_moltype *t, rawsite *r)
{
    const char *s = R->s;
    size_t i = R->i, se = i + 1;
    if (s[se] == '?') {
        if (R->kind == K_SPECIES) return perr(R->P, i, "'~?' is not allowed in a species");
        r->state = -1;
        R->i = se + 1;
        return 0;
    }
    while (is_name((unsigned char)s[se]))
        se++;
    if (se == i + 1) return perr(R->P, i, "expected a state after '~'");
    int nm = r->name;
    if (r->state >= 0) return perr(R->P, i, "site '%s' has two states", t->names[nm].name);
    int st = ilnet_moltype_find_state(t, nm, s + i + 1, se - i - 1);
    if (st < 0) {
        if (t->declared)
            return perr(R->P, i + 1, "site '%s' of '%s' has no state '%.*s'", t->names[nm].name,
                        t->name, (int)(se - i - 1), s + i + 1);
        if ((st = add_state(&t->names[nm], s + i + 1, se - i - 1)) < 0) return st;
    }
    r->state = st;
    R->i = se;
    return 0;
}

/* "!label", "!+" or "!?" at s[i] on site r. Labels are only noted here: they are paired
 * once the molecule has its components (place_molecule). */
static int read_bond(patread *R, rawsite *r)
{
    const char *s = R->s;
    size_t i = R->i;
    if (s[i + 1] == '+' || s[i + 1] == '?') {
        if (R->kind == K_SPECIES)
            return perr(R->P, i, "bond wildcard '%.2s' is not allowed in a species", s + i);
        r->wild = s[i + 1] == '+' ? ILNET_WILD_PLUS : ILNET_WILD_ANY;
        R->i = i + 2;
        return 0;
    }
    size_t be = i + 1;
    while (is_name((unsigned char)s[be]))
        be++;
    if (be == i + 1) return perr(R->P, i, "expected a bond label after '!'");
    if (be - i - 1 >= 32) return perr(R->P, i, "bond label too long");
    if (r->nlab == ILNET_BNGL_MAXB)
        return perr(R->P, i, "more than %d bonds on one site", ILNET_BNGL_MAXB);
    memcpy(r->lab[r->nlab], s + i + 1, be - i - 1);
    r->lab[r->nlab][be - i - 1] = '\0';
    r->labpos[r->nlab++] = i + 1;
    R->i = be;
    return 0;
}

/* One site of type t: its name (an undeclared type learns it), then any number of
 * ~state, !bond and %label in any order. */
static int read_site(patread *R, ilnet_moltype *t)
{
    const char *s = R->s;
    size_t ns = R->i, ne = name_end(s, ns);
    if (ne == ns) return perr(R->P, ns, "expected a site name in '%s'", t->name);
    int nm = ilnet_moltype_find_name(t, s + ns, ne - ns);
    if (nm < 0) {
        if (t->declared)
            return perr(R->P, ns, "molecule type '%s' has no site '%.*s'", t->name, (int)(ne - ns),
                        s + ns);
        if ((nm = add_site_name(t, s + ns, ne - ns)) < 0) return nm;
    }
    if (R->nrs == 64) return perr(R->P, ns, "too many sites in one molecule");
    rawsite *r = &R->rs[R->nrs++];
    memset(r, 0, sizeof *r);
    r->name = nm;
    r->state = -1;
    r->label = -1;
    r->pos = ns;
    R->i = ne;
    for (;;) {
        int rc;
        if (s[R->i] == '~')
            rc = read_state(R, t, r);
        else if (s[R->i] == '!')
            rc = read_bond(R, r);
        else if (s[R->i] == '%')
            rc = read_label(R, &r->label);
        else
            return 0;
        if (rc) return rc;
    }
}

/* The "(site,site,...)" of a molecule of type ti, when there is one, into R->rs. */
static int read_sites(patread *R, int ti)
{
    ilnet_moltypes *mt = &R->P->m->mt;
    const char *s = R->s;
    R->nrs = 0;
    if (s[R->i] != '(') return 0;
    R->i++;
    /* empty sites ("A(a,,b)", "A(a,)") are skipped, as BioNetGen 2.9 skips them */
    while (s[R->i] == ',')
        R->i++;
    while (s[R->i] != ')') {
        int rc = read_site(R, &mt->t[ti]);
        if (rc) return rc;
        size_t i = R->i;
        if (s[i] == ',') {
            while (s[i] == ',')
                i++;
            R->i = i;
            continue;
        }
        if (!s[i] || s[i] == ' ')
            return perr(R->P, i, "missing ')' in molecule '%s'", mt->t[ti].name);
        if (s[i] != ')')
            return perr(R->P, i, "unexpected '%c' in molecule '%s'", s[i], mt->t[ti].name);
    }
    R->i++;
    return 0;
}

/* A molecule may repeat a site name only as often as its type has it: an undeclared type
 * grows to fit, a declared one is checked. */
static int check_multiplicity(patread *R, ilnet_moltype *t)
{
    for (int a = 0; a < R->nrs; a++) {
        int cnt = 0;
        for (int b = 0; b < R->nrs; b++)
            cnt += R->rs[b].name == R->rs[a].name;
        int have = site_mult(t, R->rs[a].name);
        if (cnt > have) {
            if (t->declared)
                return perr(R->P, R->rs[a].pos, "molecule type '%s' has %d site(s) '%s', %d given",
                            t->name, have, t->names[R->rs[a].name].name, cnt);
            for (int k = have; k < cnt; k++)
                if (add_site(t, R->rs[a].name)) return ILNET_ENOMEM;
        }
    }
    return 0;
}

/* Bond label k of site r, now component ci: bonds it to the label's first end, or opens
 * the label when this is the first end. */
static int pair_bond(patread *R, const rawsite *r, int k, int ci)
{
    int found = -1;
    for (int q = 0; q < R->nbl; q++)
        if (!strcmp(R->bl[q].name, r->lab[k])) found = q;
    if (found < 0) {
        if (R->nbl == R->capbl) {
            size_t cap = 2 * (size_t)R->capbl;
            bondlab *nb =
                R->bl == R->bl0 ? malloc(cap * sizeof *nb) : realloc(R->bl, cap * sizeof *nb);
            if (!nb) return ilnet_error_oom();
            if (R->bl == R->bl0) memcpy(nb, R->bl0, sizeof R->bl0);
            R->bl = nb;
            R->capbl = (int)cap;
        }
        bondlab *b = &R->bl[R->nbl++];
        memcpy(b->name, r->lab[k], 32);
        b->comp = ci;
        b->pos = r->labpos[k];
        return 0;
    }
    bondlab *b = &R->bl[found];
    if (b->comp < 0)
        return perr(R->P, r->labpos[k], "bond label '!%s' used more than twice", r->lab[k]);
    if (b->comp == ci)
        return perr(R->P, r->labpos[k], "bond '!%s' joins a site to itself", r->lab[k]);
    if (ilnet_graph_bond(R->g, b->comp, ci))
        return perr(R->P, r->labpos[k], "too many bonds on one site");
    b->comp = -1;
    return 0;
}

/* Adds the molecule just read (type ti, sites R->rs) to the graph and joins its bonds. */
static int place_molecule(patread *R, int ti, int mlabel)
{
    ilnet_graph *g = R->g;
    int mi = ilnet_graph_add_mol(g, ti, R->nrs);
    if (mi < 0) return mi;
    g->m[mi].label = mlabel;
    for (int a = 0; a < R->nrs; a++) {
        const rawsite *r = &R->rs[a];
        int ci = g->m[mi].c0 + a;
        ilnet_gcomp *c = &g->c[ci];
        c->name = r->name;
        c->state = r->state;
        c->wild = r->wild;
        c->label = r->label;
        for (int k = 0; k < r->nlab; k++) {
            int rc = pair_bond(R, r, k, ci);
            if (rc) return rc;
        }
    }
    return 0;
}

/* One molecule: its type (an undeclared one is created unless a molecule types block
 * exists), an optional %label, an optional site list. */
static int read_molecule(patread *R)
{
    parser *P = R->P;
    ilnet_moltypes *mt = &P->m->mt;
    const char *s = R->s;
    size_t ms = R->i, me = name_end(s, ms);
    if (me == ms) {
        if (s[ms] == '@' || s[ms] == ':') return perr(P, ms, "compartments are not supported");
        return perr(P, ms, "expected a molecule name, found '%.12s'",
                    s[ms] ? s + ms : "end of line");
    }
    int ti = ilnet_moltypes_find(mt, s + ms, me - ms);
    if (ti < 0) {
        if (P->declared)
            return perr(P, ms, "undefined molecule type '%.*s'", (int)(me - ms), s + ms);
        int col;
        if ((ti = add_type(mt, s + ms, me - ms, 0, loc_line(P->ll, ms, &col))) < 0) return ti;
    }
    R->i = me;
    int mlabel = -1, rc;
    if (s[R->i] == '%' && (rc = read_label(R, &mlabel))) return rc;
    if (s[R->i] == '@') return perr(P, R->i, "compartments are not supported ('@')");
    if ((rc = read_sites(R, ti)) || (rc = check_multiplicity(R, &mt->t[ti]))) return rc;
    /* the label may also follow the sites, "A(b)%1", as BioNetGen writes it */
    if (s[R->i] == '%' && mlabel < 0 && (rc = read_label(R, &mlabel))) return rc;
    return place_molecule(R, ti, mlabel);
}

/* Parses a pattern starting at s[*pos] (no spaces inside). On success *pos is just past it.
 * "0" parses as the empty pattern. fixed (may be NULL) receives a leading '$'. */
static int parse_pattern(parser *P, const char *s, size_t *pos, ilnet_graph *g, int kind,
                         int *fixed)
{
    size_t i = *pos;
    ilnet_graph_clear(g);
    if (fixed) *fixed = 0;
    if (s[i] == '$') {
        if (!fixed) return perr(P, i, "'$' (fixed species) is only allowed in seed species");
        *fixed = 1;
        i++;
    }
    if (s[i] == '0' && !is_name((unsigned char)s[i + 1]) && s[i + 1] != '(') {
        *pos = i + 1;
        return 0;
    }
    patread R; /* not zeroed: only the counted entries of its arrays are read */
    R.P = P;
    R.s = s;
    R.i = i;
    R.g = g;
    R.kind = kind;
    R.nbl = R.nrs = 0;
    R.bl = R.bl0;
    R.capbl = 64;
    int rc;
    for (;;) {
        if ((rc = read_molecule(&R))) break;
        if (s[R.i] != '.') break;
        R.i++;
    }
    for (int q = 0; q < R.nbl && !rc; q++)
        if (R.bl[q].comp >= 0)
            rc = perr(P, R.bl[q].pos, "bond '!%s' has only one end", R.bl[q].name);
    if (R.bl != R.bl0) free(R.bl);
    if (!rc) *pos = R.i;
    return rc;
}

/* Rebuilds a species so every molecule lists all sites of its type in declaration order,
 * adding missing sites free and in their first state. */
static int complete_species(const parser *P, ilnet_graph *g, int line)
{
    const ilnet_moltypes *mt = &P->m->mt;
    ilnet_graph out;
    ilnet_graph_init(&out);
    int *newidx = malloc(((size_t)g->ncomp + 1) * sizeof *newidx);
    if (!newidx) return ilnet_error_oom();
    int rc = 0;
    for (int m = 0; m < g->nmol && !rc; m++) {
        const ilnet_moltype *t = &mt->t[g->m[m].type];
        int mi = ilnet_graph_add_mol(&out, g->m[m].type, t->n_sites);
        if (mi < 0) {
            rc = mi;
            break;
        }
        char used[64] = {0};
        for (int k = 0; k < t->n_sites; k++) {
            int nm = t->site_name[k], src = -1;
            for (int c = 0; c < g->m[m].nc && c < 64; c++)
                if (!used[c] && g->c[g->m[m].c0 + c].name == nm) {
                    src = c;
                    break;
                }
            ilnet_gcomp *oc = &out.c[out.m[mi].c0 + k];
            oc->name = nm;
            if (src >= 0) {
                used[src] = 1;
                const ilnet_gcomp *ic = &g->c[g->m[m].c0 + src];
                newidx[g->m[m].c0 + src] = out.m[mi].c0 + k;
                oc->state = ic->state;
                oc->nb = ic->nb;
                memcpy(oc->b, ic->b, sizeof oc->b);
                if (ic->state < 0 && t->names[nm].n_states > 0)
                    rc = ilnet_error_set(ILNET_EINPUT,
                                         "%s:%d: site '%s' of '%s' needs a state in a species",
                                         P->path, line, t->names[nm].name, t->name);
            } else {
                oc->state = t->names[nm].n_states > 0 ? 0 : -1;
            }
        }
    }
    if (!rc) {
        for (int c = 0; c < out.ncomp; c++)
            for (int k = 0; k < out.c[c].nb; k++)
                out.c[c].b[k] = newidx[out.c[c].b[k]];
        ilnet_graph_free(g);
        *g = out;
    } else {
        ilnet_graph_free(&out);
    }
    free(newidx);
    return rc;
}

static int is_connected(const ilnet_graph *g)
{
    if (g->nmol <= 1) return 1;
    int *a = malloc((size_t)g->nmol * 2 * sizeof *a);
    if (!a) return 1;
    int n = ilnet_graph_components(g, a, a + g->nmol);
    free(a);
    return n == 1;
}

/* ---- blocks ---- */

static int parse_parameter(parser *P, const char *s, int *cap)
{
    size_t i = skip_ws(s, 0);
    if (isdigit((unsigned char)s[i])) { /* optional index as in .net files */
        size_t j = i;
        while (isdigit((unsigned char)s[j]))
            j++;
        if (s[j] == ' ') i = skip_ws(s, j);
    }
    size_t e = name_end(s, i);
    if (e == i) return perr(P, i, "expected a parameter name");
    size_t v = skip_ws(s, e);
    if (s[v] == '=') v = skip_ws(s, v + 1);
    if (!s[v]) return perr(P, e, "parameter '%.*s' has no value", (int)(e - i), s + i);
    ilnet_bngl_model *m = P->m;
    int prev = ilnet_strmap_get(&P->pnames, s + i, e - i);
    if (prev >= 0)
        return perr(P, i, "parameter '%.*s' defined twice (first on line %d)", (int)(e - i), s + i,
                    m->params[prev].line);
    GROW(m->params, m->n_params, *cap);
    ilnet_bngl_param *p = &m->params[m->n_params];
    p->name = dupn(s + i, e - i);
    p->expr = trimdup(s, v, strlen(s));
    int col;
    p->line = loc_line(P->ll, i, &col);
    if (!p->name || !p->expr) return ilnet_error_oom();
    m->n_params++;
    if (ilnet_strmap_put(&P->pnames, p->name, m->n_params - 1) < 0) return ILNET_ENOMEM;
    return 0;
}

/* A leading "Label: " (a word, a colon and whitespace) names a seed species in BioNetGen
 * 2.9 and is discarded there; the same here. Returns the index after it, or i. */
static size_t skip_seed_label(const char *s, size_t i)
{
    size_t j = i;
    if (!isalpha((unsigned char)s[j]) && s[j] != '_') return i;
    while (isalnum((unsigned char)s[j]) || s[j] == '_')
        j++;
    size_t k = j;
    while (s[k] == ' ')
        k++;
    return s[k] == ':' && s[k + 1] == ' ' ? skip_ws(s, k + 1) : i;
}

static int parse_seed(parser *P, const char *s, int *cap)
{
    size_t i = skip_ws(s, 0);
    if (isdigit((unsigned char)s[i])) {
        size_t j = i;
        while (isdigit((unsigned char)s[j]))
            j++;
        if (s[j] == ' ') i = skip_ws(s, j);
    }
    i = skip_seed_label(s, i);
    ilnet_bngl_model *m = P->m;
    GROW(m->seeds, m->n_seeds, *cap);
    ilnet_bngl_seed *sd = &m->seeds[m->n_seeds];
    ilnet_graph_init(&sd->g);
    size_t start = i;
    int rc = parse_pattern(P, s, &i, &sd->g, K_SPECIES, &sd->fixed);
    if (!rc && sd->g.nmol == 0) rc = perr(P, start, "a seed species cannot be '0'");
    if (!rc && s[i] != ' ') rc = perr(P, i, "expected whitespace and an amount after the species");
    if (!rc && !is_connected(&sd->g))
        rc = perr(P, start, "seed species '%.*s' is not connected", (int)(i - start), s + start);
    size_t v = skip_ws(s, i);
    if (!rc && !s[v]) rc = perr(P, v, "seed species has no amount");
    int col;
    sd->line = loc_line(P->ll, start, &col);
    if (!rc) {
        sd->amount = trimdup(s, v, strlen(s));
        if (!sd->amount) rc = ilnet_error_oom();
    }
    m->n_seeds++; /* counted even on error so free() releases the graph */
    return rc;
}

/* Splits s[a..b) at top-level commas (outside parentheses/brackets/braces/quotes). */
static int split_commas(const char *s, size_t a, size_t b, size_t *starts, size_t *ends, int max)
{
    int n = 0, depth = 0, inq = 0;
    size_t st = a;
    for (size_t i = a; i <= b; i++) {
        char c = i < b ? s[i] : ',';
        if (c == '"') inq = !inq;
        if (inq) continue;
        if (c == '(' || c == '[' || c == '{') depth++;
        if (c == ')' || c == ']' || c == '}') depth--;
        if ((c == ',' && depth == 0) || i == b) {
            if (n == max) return -1;
            starts[n] = st;
            ends[n] = i;
            n++;
            st = i + 1;
        }
    }
    return n;
}

/* A quantifier right after an observable's pattern, as BioNetGen reads it: =, ==, <, <=, >
 * or >= and a non-negative integer ("R==2", "L(r!+)>=1"); one per pattern. */
static int parse_quantifier(parser *P, const char *s, size_t *i, ilnet_bngl_obs *o)
{
    size_t k = *i;
    int op;
    if (s[k] == '=')
        op = ILNET_QUANT_EQ, k += 1 + (s[k + 1] == '=');
    else if (s[k] == '<')
        op = s[k + 1] == '=' ? ILNET_QUANT_LE : ILNET_QUANT_LT, k += 1 + (s[k + 1] == '=');
    else if (s[k] == '>')
        op = s[k + 1] == '=' ? ILNET_QUANT_GE : ILNET_QUANT_GT, k += 1 + (s[k + 1] == '=');
    else
        return 0;
    if (!isdigit((unsigned char)s[k]))
        return perr(P, k, "observable '%s': a quantifier needs a whole number after '%.*s'",
                    o->name, (int)(k - *i), s + *i);
    char *end;
    errno = 0;
    long v = strtol(s + k, &end, 10);
    if (errno || v > INT_MAX)
        return perr(P, k, "observable '%s': quantifier %.*s is too large", o->name,
                    (int)(end - (s + k)), s + k);
    if (*end && strchr("=<>", *end))
        return perr(P, (size_t)(end - s), "observable '%s': more than one quantifier on a pattern",
                    o->name);
    o->quant_op[o->n - 1] = (signed char)op;
    o->quant_val[o->n - 1] = (int)v;
    *i = (size_t)(end - s);
    return 0;
}

static int parse_observable(parser *P, const char *s, int *cap)
{
    size_t i = skip_ws(s, 0);
    if (isdigit((unsigned char)s[i])) {
        size_t j = i;
        while (isdigit((unsigned char)s[j]))
            j++;
        if (s[j] == ' ') i = skip_ws(s, j);
    }
    size_t e = name_end(s, i);
    int species;
    if (e - i == 9 && !strncmp(s + i, "Molecules", 9))
        species = 0;
    else if (e - i == 7 && !strncmp(s + i, "Species", 7))
        species = 1;
    else
        return perr(P, i, "expected 'Molecules' or 'Species', found '%.*s'", (int)(e - i), s + i);
    size_t n0 = skip_ws(s, e), n1 = name_end(s, n0);
    if (n1 == n0) return perr(P, n0, "expected an observable name");
    ilnet_bngl_model *m = P->m;
    int prev = ilnet_strmap_get(&P->onames, s + n0, n1 - n0);
    if (prev >= 0)
        return perr(P, n0, "observable '%.*s' defined twice (first on line %d)", (int)(n1 - n0),
                    s + n0, m->obs[prev].line);
    GROW(m->obs, m->n_obs, *cap);
    ilnet_bngl_obs *o = &m->obs[m->n_obs++];
    o->name = dupn(s + n0, n1 - n0);
    /* the definition without the name: "Molecules S5(y~p)" */
    size_t p0 = skip_ws(s, n1), end = strlen(s);
    while (end > p0 && isspace((unsigned char)s[end - 1]))
        end--;
    o->text = malloc((e - i) + 1 + (end - p0) + 1);
    if (o->text)
        snprintf(o->text, (e - i) + 1 + (end - p0) + 1, "%.*s %.*s", (int)(e - i), s + i,
                 (int)(end - p0), s + p0);
    o->species = species;
    int col;
    o->line = loc_line(P->ll, n0, &col);
    if (!o->name || !o->text) return ilnet_error_oom();
    if (ilnet_strmap_put(&P->onames, o->name, m->n_obs - 1) < 0) return ILNET_ENOMEM;
    i = skip_ws(s, n1);
    if (!s[i]) return perr(P, i, "observable '%s' has no pattern", o->name);
    int pcap = 0, ocap = 0, vcap = 0;
    while (s[i]) {
        GROW(o->pat, o->n, pcap);
        GROW(o->quant_op, o->n, ocap);
        GROW(o->quant_val, o->n, vcap);
        ilnet_graph_init(&o->pat[o->n]);
        o->n++;
        size_t st = i;
        int rc = parse_pattern(P, s, &i, &o->pat[o->n - 1], K_PATTERN, NULL);
        if (rc) return rc;
        if (o->pat[o->n - 1].nmol == 0)
            return perr(P, st, "observable '%s' has an empty pattern", o->name);
        if ((rc = parse_quantifier(P, s, &i, o))) return rc;
        i = skip_ws(s, i);
        if (s[i] == ',')
            i = skip_ws(s, i + 1);
        else if (s[i] && !is_name0((unsigned char)s[i]))
            return perr(P, i, "unexpected '%c' in observable '%s'", s[i], o->name);
    }
    return 0;
}

static int parse_function(parser *P, const char *s, int *cap)
{
    size_t i = skip_ws(s, 0);
    size_t e = name_end(s, i);
    if (e == i) return perr(P, i, "expected a function name");
    size_t v = e;
    if (s[v] == '(') {
        v++;
        if (s[v] != ')')
            return perr(P, v, "function arguments are not supported (local functions)");
        v++;
    }
    v = skip_ws(s, v);
    if (s[v] == '=') v = skip_ws(s, v + 1);
    if (!s[v]) return perr(P, v, "function '%.*s' has no expression", (int)(e - i), s + i);
    ilnet_bngl_model *m = P->m;
    GROW(m->funcs, m->n_funcs, *cap);
    ilnet_bngl_func *f = &m->funcs[m->n_funcs++];
    f->name = dupn(s + i, e - i);
    f->expr = trimdup(s, v, strlen(s));
    int col;
    f->line = loc_line(P->ll, i, &col);
    if (!f->name || !f->expr) return ilnet_error_oom();
    return 0;
}

/* Parses '+'-separated patterns; stops at the first space not followed by '+'. */
static int parse_side(parser *P, const char *s, size_t *pos, ilnet_graph **out, int *n, int kind)
{
    size_t i = skip_ws(s, *pos);
    int cap = 0;
    *n = 0;
    *out = NULL;
    for (;;) {
        GROW(*out, *n, cap);
        ilnet_graph_init(&(*out)[*n]);
        (*n)++;
        size_t st = i;
        int rc = parse_pattern(P, s, &i, &(*out)[*n - 1], kind, NULL);
        if (rc) return rc;
        if ((*out)[*n - 1].nmol == 0) {
            if (*n > 1) return perr(P, st, "'0' must stand alone on its side of a rule");
            ilnet_graph_free(&(*out)[0]);
            *n = 0;
        }
        size_t j = skip_ws(s, i);
        if (s[j] == '+' && s[j + 1] != '>') {
            if (*n == 0) return perr(P, j, "'0' must stand alone on its side of a rule");
            i = skip_ws(s, j + 1);
            continue;
        }
        *pos = i;
        return 0;
    }
}

static int word_at(const char *s, size_t i, const char *w)
{
    size_t n = strlen(w);
    return !strncmp(s + i, w, n) && !is_name((unsigned char)s[i + n]);
}

/* Where the modifiers after the rate law(s) at s[rs] start: at the first top-level space
 * followed by a modifier keyword (a rate expression may contain spaces), else at end. */
static size_t modifiers_start(const char *s, size_t rs, size_t end)
{
    int depth = 0;
    for (size_t j = rs; j < end; j++) {
        if (s[j] == '(') depth++;
        if (s[j] == ')') depth--;
        if (depth == 0 && s[j] == ' ') {
            size_t k = skip_ws(s, j);
            if (word_at(s, k, "DeleteMolecules") || word_at(s, k, "include_reactants") ||
                word_at(s, k, "exclude_reactants") || word_at(s, k, "MoveConnected") ||
                word_at(s, k, "TotalRate") || word_at(s, k, "MatchOnce") ||
                word_at(s, k, "include_products") || word_at(s, k, "exclude_products") ||
                word_at(s, k, "priority"))
                return j;
        }
    }
    return end;
}

/* The rate law in s[rs..rate_end), two of them ("kf, kr") for '<->'. */
static int parse_rates(parser *P, ilnet_bngl_rule *r, const char *s, size_t rs, size_t rate_end)
{
    if (rs >= rate_end) return perr(P, rs, "reaction rule has no rate law");
    size_t st[3], en[3];
    int nr = split_commas(s, rs, rate_end, st, en, 3);
    if (nr < 1 || nr > 2) return perr(P, rs, "expected one rate law (two for '<->')");
    if (nr != 1 + r->reversible)
        return perr(P, rs,
                    r->reversible ? "'<->' needs two rate laws (forward, reverse)"
                                  : "'->' takes one rate law");
    r->rate = trimdup(s, st[0], en[0]);
    if (nr == 2) r->rate_rev = trimdup(s, st[1], en[1]);
    if (!r->rate || (nr == 2 && !r->rate_rev)) return ilnet_error_oom();
    if (!*r->rate || (nr == 2 && !*r->rate_rev)) return perr(P, rs, "empty rate law");
    return 0;
}

/* include_reactants(i, pattern, ...) and its three siblings, the keyword at s[*pos..we);
 * one condition per pattern. *pos moves past the ')'. */
static int parse_condition(parser *P, ilnet_bngl_rule *r, const char *s, size_t *pos, size_t we,
                           int *ccap)
{
    size_t j = *pos;
    int inc = s[j] == 'i', onp = s[j + 8] == 'p';
    int nside = onp ? r->np : r->nr;
    size_t k = skip_ws(s, we);
    if (s[k] != '(') return perr(P, k, "expected '(' after %.*s", (int)(we - j), s + j);
    k = skip_ws(s, k + 1);
    char *ep;
    long idx = strtol(s + k, &ep, 10);
    if (ep == s + k || idx < 1 || idx > nside)
        return perr(P, k, "%s index must be 1..%d", onp ? "product" : "reactant", nside);
    k = skip_ws(s, (size_t)(ep - s));
    if (s[k] != ',') return perr(P, k, "expected ',' after the reactant index");
    k = skip_ws(s, k + 1);
    for (;;) {
        GROW(r->cond, r->n_cond, *ccap);
        ilnet_bngl_cond *c = &r->cond[r->n_cond++];
        c->reactant = (int)idx - 1;
        c->include = inc;
        c->on_products = onp;
        ilnet_graph_init(&c->pat);
        int rc = parse_pattern(P, s, &k, &c->pat, K_PATTERN, NULL);
        if (rc) return rc;
        k = skip_ws(s, k);
        if (s[k] != ',') break;
        k = skip_ws(s, k + 1);
    }
    if (s[k] != ')') return perr(P, k, "expected ')'");
    *pos = skip_ws(s, k + 1);
    return 0;
}

/* The modifiers in s[j..end): DeleteMolecules and the include/exclude conditions. */
static int parse_modifiers(parser *P, ilnet_bngl_rule *r, const char *s, size_t j, size_t end)
{
    int ccap = 0;
    while (j < end) {
        size_t we = name_end(s, j);
        if (word_at(s, j, "DeleteMolecules")) {
            r->delete_molecules = 1;
            j = skip_ws(s, we);
            continue;
        }
        if (word_at(s, j, "include_reactants") || word_at(s, j, "exclude_reactants") ||
            word_at(s, j, "include_products") || word_at(s, j, "exclude_products")) {
            int rc = parse_condition(P, r, s, &j, we, &ccap);
            if (rc) return rc;
            continue;
        }
        if (word_at(s, j, "MatchOnce") || word_at(s, j, "MoveConnected") ||
            word_at(s, j, "TotalRate") || word_at(s, j, "priority"))
            return perr(P, j, "rule modifier '%.*s' is not supported", (int)(we - j), s + j);
        return perr(P, j, "unexpected '%.20s' after the rate law", s + j);
    }
    return 0;
}

/* "label: reactants -> products rate(s) modifiers" */
static int parse_rule(parser *P, const char *s, int *cap)
{
    ilnet_bngl_model *m = P->m;
    GROW(m->rules, m->n_rules, *cap);
    ilnet_bngl_rule *r = &m->rules[m->n_rules++];
    size_t i = skip_ws(s, 0);
    int col;
    r->line = loc_line(P->ll, i, &col);
    r->col = col;
    /* optional "label:" */
    size_t e = name_end(s, i);
    if (e > i && s[skip_ws(s, e)] == ':') {
        size_t c = skip_ws(s, e);
        r->name = dupn(s + i, e - i);
        if (!r->name) return ilnet_error_oom();
        i = skip_ws(s, c + 1);
    }
    int rc = parse_side(P, s, &i, &r->react, &r->nr, K_PATTERN);
    if (rc) return rc;
    i = skip_ws(s, i);
    if (!strncmp(s + i, "<->", 3)) {
        r->reversible = 1;
        i += 3;
    } else if (!strncmp(s + i, "->", 2)) {
        i += 2;
    } else {
        return perr(P, i, "expected '->' or '<->' in reaction rule%s%s", r->name ? " " : "",
                    r->name ? r->name : "");
    }
    if ((rc = parse_side(P, s, &i, &r->prod, &r->np, K_PRODUCT))) return rc;
    if (r->nr == 0 && r->np == 0) return perr(P, i, "a rule needs reactants or products");
    size_t rs = skip_ws(s, i);
    if (s[rs] && s[i] != ' ') return perr(P, i, "expected whitespace before the rate law");
    size_t end = strlen(s), rate_end = modifiers_start(s, rs, end);
    if ((rc = parse_rates(P, r, s, rs, rate_end))) return rc;
    return parse_modifiers(P, r, s, skip_ws(s, rate_end), end);
}

/* name(args) with args: {k=>v, ...} or positional values */
static int parse_action(parser *P, const char *s, int *cap)
{
    size_t i = skip_ws(s, 0), e = name_end(s, i);
    if (e == i) return perr(P, i, "expected an action name, found '%.20s'", s + i);
    size_t k = skip_ws(s, e);
    if (s[k] != '(') return perr(P, k, "expected '(' after action '%.*s'", (int)(e - i), s + i);
    ilnet_bngl_model *m = P->m;
    GROW(m->actions, m->n_actions, *cap);
    ilnet_bngl_action *a = &m->actions[m->n_actions++];
    a->name = dupn(s + i, e - i);
    int col;
    a->line = loc_line(P->ll, i, &col);
    a->col = col;
    if (!a->name) return ilnet_error_oom();
    /* find matching ')' */
    size_t open = k, close = 0;
    int depth = 0, inq = 0;
    for (size_t q = open; s[q]; q++) {
        if (s[q] == '"') inq = !inq;
        if (inq) continue;
        if (s[q] == '(') depth++;
        if (s[q] == ')' && --depth == 0) {
            close = q;
            break;
        }
    }
    if (!close) return perr(P, open, "unbalanced parentheses in action '%s'", a->name);
    size_t after = skip_ws(s, close + 1);
    if (s[after] == ';') after = skip_ws(s, after + 1);
    if (s[after]) return perr(P, after, "unexpected text after action '%s'", a->name);
    size_t b = skip_ws(s, open + 1), bend = close;
    while (bend > b && s[bend - 1] == ' ')
        bend--;
    int hash = 0;
    if (s[b] == '{') {
        if (s[bend - 1] != '}') return perr(P, b, "unbalanced braces in action '%s'", a->name);
        hash = 1;
        b++;
        bend--;
    }
    size_t st[64], en[64];
    int n = b < bend ? split_commas(s, b, bend, st, en, 64) : 0;
    if (n < 0) return perr(P, b, "too many arguments to action '%s'", a->name);
    a->keys = calloc((size_t)n + 1, sizeof *a->keys);
    a->vals = calloc((size_t)n + 1, sizeof *a->vals);
    if (!a->keys || !a->vals) return ilnet_error_oom();
    for (int q = 0; q < n; q++) {
        size_t x = st[q], y = en[q];
        while (x < y && s[x] == ' ')
            x++;
        while (y > x && s[y - 1] == ' ')
            y--;
        if (x == y) {
            if (q == n - 1 && hash) break; /* trailing comma */
            return perr(P, x, "empty argument in action '%s'", a->name);
        }
        a->n++;
        if (hash) {
            const char *arrow = NULL;
            for (size_t z = x; z + 1 < y; z++)
                if (s[z] == '=' && s[z + 1] == '>') {
                    arrow = s + z;
                    break;
                }
            if (!arrow) return perr(P, x, "expected key=>value in action '%s'", a->name);
            size_t ka = x, kb = (size_t)(arrow - s);
            while (kb > ka && s[kb - 1] == ' ')
                kb--;
            if (s[ka] == '"' && kb > ka + 1 && s[kb - 1] == '"') {
                ka++;
                kb--;
            }
            if (kb == ka) return perr(P, x, "expected a key before '=>' in action '%s'", a->name);
            a->keys[q] = dupn(s + ka, kb - ka);
            if (!a->keys[q]) return ilnet_error_oom();
            /* the value ends where the argument does (skip_ws would run past it) */
            x = (size_t)(arrow - s) + 2;
            while (x < y && s[x] == ' ')
                x++;
            if (x == y)
                return perr(P, x, "missing value after '%s=>' in action '%s'", a->keys[q], a->name);
        }
        if (s[x] == '"' && y > x + 1 && s[y - 1] == '"') {
            x++;
            y--;
        } else if (s[x] == '\'' && y > x + 1 && s[y - 1] == '\'') {
            x++;
            y--;
        }
        a->vals[q] = dupn(s + x, y - x);
        if (!a->vals[q] || (hash && !a->keys[q])) return ilnet_error_oom();
    }
    return 0;
}

/* ---- driver ---- */

enum blk { BL_NONE, BL_PARAMS, BL_TYPES, BL_SEEDS, BL_OBS, BL_FUNCS, BL_RULES, BL_ACTIONS };

static int block_kind(const char *s, size_t i, size_t *end)
{
    static const struct {
        const char *name;
        int kind;
    } tab[] = {{"parameters", BL_PARAMS},
               {"molecule types", BL_TYPES},
               {"molecule_types", BL_TYPES},
               {"seed species", BL_SEEDS},
               {"species", BL_SEEDS},
               {"observables", BL_OBS},
               {"functions", BL_FUNCS},
               {"reaction rules", BL_RULES},
               {"reaction_rules", BL_RULES},
               {"actions", BL_ACTIONS},
               {"model", -2},
               {"compartments", -3},
               {"energy patterns", -3},
               {"population types", -3},
               {"population maps", -3},
               {"reactions", -3},
               {"groups", -3}};
    for (size_t k = 0; k < sizeof tab / sizeof *tab; k++) {
        size_t n = strlen(tab[k].name);
        if (!strncmp(s + i, tab[k].name, n) && (s[i + n] == '\0' || s[i + n] == ' ')) {
            if (skip_ws(s, i + n) != strlen(s)) continue;
            *end = i + n;
            return tab[k].kind;
        }
    }
    return -1;
}

static const char *block_name(int k)
{
    switch (k) {
    case BL_PARAMS:
        return "parameters";
    case BL_TYPES:
        return "molecule types";
    case BL_SEEDS:
        return "seed species";
    case BL_OBS:
        return "observables";
    case BL_FUNCS:
        return "functions";
    case BL_RULES:
        return "reaction rules";
    case BL_ACTIONS:
        return "actions";
    default:
        return "model";
    }
}

/* Pass 1: the molecule types block, wherever it is, so that patterns anywhere can be
 * checked against it. *open_line: the line of a 'begin molecule types' never closed, or 0. */
static int read_moltypes(parser *P, lline *ls, int nl, int *open_line)
{
    int in_types = 0, types_line = 0, rc = 0;
    for (int l = 0; l < nl && !rc; l++) {
        P->ll = &ls[l];
        const char *s = ls[l].text;
        size_t i = skip_ws(s, 0), e;
        if (word_at(s, i, "begin") && block_kind(s, skip_ws(s, i + 5), &e) == BL_TYPES) {
            if (in_types)
                rc = perr(P, i, "second 'begin molecule types' inside the block opened on line %d",
                          types_line);
            in_types = 1;
            types_line = ls[l].seg_line[0];
            P->declared = 1;
        } else if (word_at(s, i, "end") && block_kind(s, skip_ws(s, i + 3), &e) == BL_TYPES) {
            in_types = 0;
        } else if (in_types && (word_at(s, i, "begin") || word_at(s, i, "end"))) {
            /* the block reader below would report this too, but only after this loop has
             * read the following lines as molecule types */
            rc = perr(P, i,
                      "'%s' inside the molecule types block opened on line %d (missing 'end "
                      "molecule types'?)",
                      s + i, types_line);
        } else if (in_types && s[i]) {
            rc = parse_moltype(P, s, i);
        }
    }
    *open_line = in_types ? types_line : 0;
    return rc;
}

/* Pass 2 state: the open block and the 'begin model' around it. */
typedef struct {
    int blk, blk_line; /* the open block (BL_NONE) and the line of its 'begin' */
    int in_model, model_line;
    int seen[BL_ACTIONS + 1]; /* line of each block kind's 'begin', 0 when not seen yet */
    int cap_par, cap_seed, cap_obs, cap_fn, cap_rule, cap_act; /* the model's arrays */
} blockstate;

/* "begin X" at s[i]: opens block X, or the model. Blocks do not nest (the model aside);
 * every kind but molecule types may come in several blocks. */
static int begin_block(parser *P, blockstate *B, const char *s, size_t i)
{
    size_t e, b = skip_ws(s, i + 5);
    int k = block_kind(s, b, &e), line = P->ll->seg_line[0];
    if (k == -1) return perr(P, b, "unknown block 'begin %s'", s + b);
    if (k == -3) return perr(P, b, "block 'begin %s' is not supported", s + b);
    if (B->blk != BL_NONE)
        return perr(P, i, "'begin %s' inside the %s block opened on line %d (missing 'end %s'?)",
                    s + b, block_name(B->blk), B->blk_line, block_name(B->blk));
    if (k == -2) {
        if (B->in_model) return perr(P, i, "nested 'begin model'");
        B->in_model = 1;
        B->model_line = line;
        return 0;
    }
    /* BioNetGen 2.9 reads a block kind again and appends (Zhang 2021 has five reaction
     * rules blocks); molecule types are read in a pass of their own, once */
    if (B->seen[k] && k == BL_TYPES)
        return perr(P, i, "second '%s' block (first on line %d)", block_name(k), B->seen[k]);
    B->seen[k] = line;
    B->blk = k;
    B->blk_line = line;
    return 0;
}

/* "end X" at s[i]: must close the open block, or the model when no block is open. */
static int end_block(parser *P, blockstate *B, const char *s, size_t i)
{
    size_t e, b = skip_ws(s, i + 3);
    int k = block_kind(s, b, &e);
    if (k == -2) {
        if (B->blk != BL_NONE)
            return perr(P, i, "'end model' inside the %s block opened on line %d",
                        block_name(B->blk), B->blk_line);
        if (!B->in_model) return perr(P, i, "'end model' without 'begin model'");
        B->in_model = 0;
        return 0;
    }
    if (k < 0 || k != B->blk)
        return B->blk == BL_NONE
                   ? perr(P, i, "'end %s' without a matching 'begin'", s + b)
                   : perr(P, i, "'end %s' does not close the %s block opened on line %d", s + b,
                          block_name(B->blk), B->blk_line);
    B->blk = BL_NONE;
    return 0;
}

/* Adds to *depth the parentheses of s that are outside double quotes (*inq carries the
 * quote state over from the previous line). */
static void paren_depth(const char *s, int *depth, int *inq)
{
    for (const char *q = s; *q; q++) {
        if (*q == '"') *inq = !*inq;
        if (!*inq && *q == '(') (*depth)++;
        if (!*inq && *q == ')') (*depth)--;
    }
}

/* Appends line b to line a after a space, keeping b's physical lines for error positions,
 * and empties b. */
static int join_line(lline *a, lline *b)
{
    size_t la = strlen(a->text), lb = strlen(b->text);
    char *t = realloc(a->text, la + lb + 2);
    int *so = realloc(a->seg_off, (size_t)(a->nseg + b->nseg) * sizeof *so);
    int *sl = so ? realloc(a->seg_line, (size_t)(a->nseg + b->nseg) * sizeof *sl) : NULL;
    if (!t || !so || !sl) {
        if (t) a->text = t;
        if (so) a->seg_off = so;
        return ilnet_error_oom();
    }
    a->text = t;
    a->seg_off = so;
    a->seg_line = sl;
    t[la] = ' ';
    memcpy(t + la + 1, b->text, lb + 1);
    for (int q = 0; q < b->nseg; q++) {
        so[a->nseg + q] = b->seg_off[q] + (int)la + 1;
        sl[a->nseg + q] = b->seg_line[q];
    }
    a->nseg += b->nseg;
    b->text[0] = '\0';
    return 0;
}

/* An action at line *l: it may span lines until its parentheses balance; the lines are
 * joined into its first one (keeping their positions for errors) and *l moves to its last. */
static int action_line(parser *P, lline *ls, int nl, int *l, int *cap)
{
    int depth = 0, inq = 0;
    lline *act = &ls[*l];
    paren_depth(act->text, &depth, &inq);
    while (depth > 0 && *l + 1 < nl) {
        paren_depth(ls[*l + 1].text, &depth, &inq);
        int rc = join_line(act, &ls[*l + 1]);
        if (rc) return rc;
        (*l)++;
    }
    P->ll = act;
    return parse_action(P, act->text, cap);
}

/* A line inside a block goes to that block's reader; outside any block it is an action
 * (which 'begin model' only allows in an actions block). */
static int block_line(parser *P, blockstate *B, lline *ls, int nl, int *l)
{
    const char *s = ls[*l].text;
    switch (B->blk) {
    case BL_PARAMS:
        return parse_parameter(P, s, &B->cap_par);
    case BL_TYPES:
        return 0; /* read in pass 1 */
    case BL_SEEDS:
        return parse_seed(P, s, &B->cap_seed);
    case BL_OBS:
        return parse_observable(P, s, &B->cap_obs);
    case BL_FUNCS:
        return parse_function(P, s, &B->cap_fn);
    case BL_RULES:
        return parse_rule(P, s, &B->cap_rule);
    default:
        break;
    }
    size_t i = skip_ws(s, 0);
    if (B->in_model && B->blk != BL_ACTIONS)
        return perr(P, i, "text outside any block: '%.30s'", s + i);
    return action_line(P, ls, nl, l, &B->cap_act);
}

/* Pass 2: the blocks other than molecule types, and the actions. */
static int read_blocks(parser *P, blockstate *B, lline *ls, int nl)
{
    int rc = 0;
    for (int l = 0; l < nl && !rc; l++) {
        P->ll = &ls[l];
        const char *s = ls[l].text;
        size_t i = skip_ws(s, 0);
        if (!s[i]) continue;
        if (word_at(s, i, "begin"))
            rc = begin_block(P, B, s, i);
        else if (word_at(s, i, "end"))
            rc = end_block(P, B, s, i);
        else
            rc = block_line(P, B, ls, nl, &l);
    }
    return rc;
}

/* At the end of the text: no block, model or molecule types block left open. */
static int check_closed(const char *path, const blockstate *B, int types_line)
{
    if (B->blk != BL_NONE)
        return ilnet_error_set(ILNET_EINPUT, "%s:%d: block '%s' is never closed (missing 'end %s')",
                               path, B->blk_line, block_name(B->blk), block_name(B->blk));
    if (B->in_model)
        return ilnet_error_set(ILNET_EINPUT,
                               "%s:%d: 'begin model' is never closed (missing 'end model')", path,
                               B->model_line);
    if (types_line)
        return ilnet_error_set(ILNET_EINPUT,
                               "%s:%d: block 'molecule types' is never closed (missing 'end "
                               "molecule types')",
                               path, types_line);
    return 0;
}

int ilnet_bngl_parse(ilnet_bngl_model **out, const char *path, const char *text)
{
    *out = NULL;
    ilnet_bngl_model *m = calloc(1, sizeof *m);
    if (!m || !(m->path = strdup(path)) || !(m->text = strdup(text))) {
        if (m) free(m->path);
        free(m);
        return ilnet_error_oom();
    }
    lline *ls = NULL;
    /* a UTF-8 byte-order mark (editors on Windows write one) is not part of the text */
    if (!strncmp(text, "\xEF\xBB\xBF", 3)) text += 3;
    int nl = 0, rc = split_lines(&ls, &nl, text);
    if (rc) {
        ilnet_bngl_free(m);
        return rc;
    }
    parser P = {path, m, NULL, 0, ILNET_STRMAP_INIT, ILNET_STRMAP_INIT};
    blockstate B = {.blk = BL_NONE};
    int types_open = 0;
    rc = read_moltypes(&P, ls, nl, &types_open);
    if (!rc) rc = read_blocks(&P, &B, ls, nl);
    if (!rc) rc = check_closed(path, &B, types_open);
    /* seeds list every site only now: undeclared types grow while rules are read */
    for (int k = 0; k < m->n_seeds && !rc; k++)
        rc = complete_species(&P, &m->seeds[k].g, m->seeds[k].line);
    free_lines(ls, nl);
    ilnet_strmap_free(&P.pnames);
    ilnet_strmap_free(&P.onames);
    if (rc) {
        ilnet_bngl_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int ilnet_bngl_read(ilnet_bngl_model **out, const char *path)
{
    char *text;
    size_t len;
    *out = NULL;
    int rc = ilnet_file_read(&text, &len, path);
    if (rc) return rc;
    rc = ilnet_bngl_parse(out, path, text);
    free(text);
    return rc;
}

int ilnet_bngl_parse_graph(ilnet_graph *out, ilnet_bngl_model *m, const char *text, int species)
{
    lline l = {0};
    int off = 0, line = 0;
    l.text = (char *)text;
    l.nseg = 1;
    l.seg_off = &off;
    l.seg_line = &line;
    /* only known molecule types: a string from an action cannot invent new ones */
    parser P = {"pattern", m, &l, 1, ILNET_STRMAP_INIT, ILNET_STRMAP_INIT};
    size_t pos = 0;
    int fixed = 0;
    int rc = parse_pattern(&P, text, &pos, out, species ? K_SPECIES : K_PATTERN,
                           species ? &fixed : NULL);
    if (rc) return rc;
    if (text[pos]) return perr(&P, pos, "unexpected text after pattern");
    if (species) {
        if (out->nmol == 0) return perr(&P, 0, "empty species");
        return complete_species(&P, out, 0);
    }
    return 0;
}

void ilnet_bngl_free(ilnet_bngl_model *m)
{
    if (!m) return;
    free(m->path);
    free(m->text);
    ilnet_moltypes_free(&m->mt);
    for (int i = 0; i < m->n_params; i++) {
        free(m->params[i].name);
        free(m->params[i].expr);
    }
    free(m->params);
    for (int i = 0; i < m->n_seeds; i++) {
        ilnet_graph_free(&m->seeds[i].g);
        free(m->seeds[i].amount);
    }
    free(m->seeds);
    for (int i = 0; i < m->n_obs; i++) {
        free(m->obs[i].name);
        free(m->obs[i].text);
        for (int k = 0; k < m->obs[i].n; k++)
            ilnet_graph_free(&m->obs[i].pat[k]);
        free(m->obs[i].pat);
        free(m->obs[i].quant_op);
        free(m->obs[i].quant_val);
    }
    free(m->obs);
    for (int i = 0; i < m->n_funcs; i++) {
        free(m->funcs[i].name);
        free(m->funcs[i].expr);
    }
    free(m->funcs);
    for (int i = 0; i < m->n_rules; i++) {
        ilnet_bngl_rule *r = &m->rules[i];
        free(r->name);
        for (int k = 0; k < r->nr; k++)
            ilnet_graph_free(&r->react[k]);
        for (int k = 0; k < r->np; k++)
            ilnet_graph_free(&r->prod[k]);
        free(r->react);
        free(r->prod);
        free(r->rate);
        free(r->rate_rev);
        for (int k = 0; k < r->n_cond; k++)
            ilnet_graph_free(&r->cond[k].pat);
        free(r->cond);
    }
    free(m->rules);
    for (int i = 0; i < m->n_actions; i++) {
        ilnet_bngl_action *a = &m->actions[i];
        free(a->name);
        for (int k = 0; k < a->n; k++) {
            if (a->keys) free(a->keys[k]);
            if (a->vals) free(a->vals[k]);
        }
        free(a->keys);
        free(a->vals);
    }
    free(m->actions);
    for (int i = 0; i < m->n_labels; i++)
        free(m->labels[i]);
    free(m->labels);
    free(m);
}

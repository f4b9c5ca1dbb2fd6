/* Unit tests of BNGL network generation against hand-derived BioNetGen 2.9 semantics
 * (../shared/specs/bngl-semantics.md): canonical labels, statistical factors, wildcard and
 * exclusion matching, observables, deletion, and the max_iter/max_agg/max_stoich limits.
 *
 * Every expected value below is derived by hand in the comment next to it; none was
 * copied from the library's output. Rate factors are checked as k(reaction) / k(parameter)
 * with the parameter set to a value other than 1, so a missing or extra factor shows. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include "common/error.h"
#include "model/bngl/bngl.h"
#include "model/network.h"

#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static ilnet_canon_ws *cws;

/* ---- helpers ---- */

static ilnet_bngl_model *load(const char *name, const char *text)
{
    ilnet_bngl_model *m = NULL;
    if (ilnet_bngl_parse(&m, name, text)) {
        CHECK(0, "%s: parse failed: %s", name, ilnet_error_last());
        return NULL;
    }
    return m;
}

static ilnet_network *generate(const ilnet_bngl_model *m, int max_iter, int max_agg,
                               ilnet_netgen_stats *st)
{
    ilnet_netgen_options o = ILNET_NETGEN_OPTIONS_INIT;
    o.max_iter = max_iter;
    o.max_agg = max_agg;
    ilnet_netgen_stats dummy;
    ilnet_network *net = NULL;
    if (ilnet_bngl_generate(&net, m, &o, st ? st : &dummy)) {
        CHECK(0, "%s: generate failed: %s", m->path, ilnet_error_last());
        return NULL;
    }
    return net;
}

/* Canonical label of a species string (malloc'd), or NULL after a failed CHECK. */
static char *canon(ilnet_bngl_model *m, const char *s)
{
    ilnet_graph g;
    ilnet_graph_init(&g);
    char *buf = NULL;
    size_t cap = 0;
    if (ilnet_bngl_parse_graph(&g, m, s, 1) || ilnet_graph_canonical(cws, &g, &m->mt, &buf, &cap)) {
        CHECK(0, "cannot canonicalise '%s': %s", s, ilnet_error_last());
        free(buf);
        buf = NULL;
    }
    ilnet_graph_free(&g);
    return buf;
}

/* canonical labels of a and b are equal (want_same) or differ; also checks that the
 * canonical label is a fixed point (canonicalising it again gives itself) */
static void check_canon(ilnet_bngl_model *m, const char *a, const char *b, int want_same)
{
    char *ca = canon(m, a), *cb = canon(m, b);
    if (ca && cb) {
        if (want_same)
            CHECK(!strcmp(ca, cb), "'%s' and '%s' are isomorphic but label as '%s' and '%s'", a, b,
                  ca, cb);
        else
            CHECK(strcmp(ca, cb), "'%s' and '%s' are not isomorphic but both label as '%s'", a, b,
                  ca);
        const char *both[2] = {ca, cb};
        for (int i = 0; i < 2; i++) {
            char *cc = canon(m, both[i]);
            CHECK(cc && !strcmp(cc, both[i]), "canonical label '%s' is not idempotent: '%s'",
                  both[i], cc ? cc : "(null)");
            free(cc);
        }
    }
    free(ca);
    free(cb);
}

/* index of the species (any spelling) in net, or -1 */
static int species_idx(ilnet_bngl_model *m, const ilnet_network *net, const char *s)
{
    char *c = canon(m, s);
    int i = c ? ilnet_network_find_species(net, c) : -1;
    free(c);
    return i;
}

static double param(const ilnet_network *net, const char *name)
{
    int i = ilnet_network_find_parameter(net, name);
    CHECK(i >= 0, "no parameter '%s'", name);
    return i >= 0 ? ilnet_network_parameter(net, (size_t)i)->value : NAN;
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* "S1 + S2" -> species indices (sorted); "" or "0" is the empty list. Returns the count,
 * or -1 when a species is not in the network. */
static int species_list(ilnet_bngl_model *m, const ilnet_network *net, const char *text, int *out,
                        int max)
{
    int n = 0;
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, "+", &save); tok; tok = strtok_r(NULL, "+", &save)) {
        while (*tok == ' ')
            tok++;
        size_t len = strlen(tok);
        while (len && tok[len - 1] == ' ')
            tok[--len] = '\0';
        if (!len || !strcmp(tok, "0")) continue;
        if (n == max) return -1;
        int i = species_idx(m, net, tok);
        if (i < 0) {
            fprintf(stderr, "  species '%s' is not in the network\n", tok);
            return -1;
        }
        out[n++] = i;
    }
    qsort(out, (size_t)n, sizeof *out, cmp_int);
    return n;
}

static int same_list(const int *a, int na, const int *b, int nb)
{
    if (na != nb) return 0;
    for (int i = 0; i < na; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

/* Number of reactions with exactly these reactants and products; *idx gets the last. */
static int find_rxn(ilnet_bngl_model *m, const ilnet_network *net, const char *reac,
                    const char *prod, int *idx)
{
    int r[16], p[16];
    int nr = species_list(m, net, reac, r, 16), np = species_list(m, net, prod, p, 16);
    *idx = -1;
    if (nr < 0 || np < 0) return 0;
    int n = 0;
    for (size_t i = 0; i < ilnet_network_reaction_count(net); i++) {
        const ilnet_reaction *x = ilnet_network_reaction(net, i);
        int a[64], b[64];
        if (x->n_reactants > 64 || x->n_products > 64) continue;
        memcpy(a, x->reactants, (size_t)x->n_reactants * sizeof *a);
        memcpy(b, x->products, (size_t)x->n_products * sizeof *b);
        qsort(a, (size_t)x->n_reactants, sizeof *a, cmp_int);
        qsort(b, (size_t)x->n_products, sizeof *b, cmp_int);
        if (same_list(a, x->n_reactants, r, nr) && same_list(b, x->n_products, p, np)) {
            n++;
            *idx = (int)i;
        }
    }
    return n;
}

/* Exactly one reaction reac -> prod, with k = factor * kname. */
static void expect_rxn(ilnet_bngl_model *m, const ilnet_network *net, const char *reac,
                       const char *prod, const char *kname, double factor)
{
    int idx, n = find_rxn(m, net, reac, prod, &idx);
    CHECK(n == 1, "%s: reaction '%s -> %s': found %d, want exactly 1", m->path, reac, prod, n);
    if (idx < 0) return;
    const ilnet_reaction *x = ilnet_network_reaction(net, (size_t)idx);
    double k = param(net, kname);
    CHECK(fabs(x->k - factor * k) <= 1e-12 * fabs(factor * k),
          "%s: reaction '%s -> %s': rate '%s' = %.17g, want %g*%s = %.17g", m->path, reac, prod,
          x->rate_text, x->k, factor, kname, factor * k);
}

/* reactions that consume species s */
static int n_rxn_consuming(ilnet_bngl_model *m, const ilnet_network *net, const char *s)
{
    int i = species_idx(m, net, s);
    CHECK(i >= 0, "%s: species '%s' is not in the network", m->path, s);
    int n = 0;
    for (size_t r = 0; r < ilnet_network_reaction_count(net); r++) {
        const ilnet_reaction *x = ilnet_network_reaction(net, r);
        for (int j = 0; j < x->n_reactants; j++)
            if (x->reactants[j] == i) {
                n++;
                break;
            }
    }
    return n;
}

static void expect_counts(const ilnet_bngl_model *m, const ilnet_network *net, size_t ns, size_t nr)
{
    size_t gs = ilnet_network_species_count(net), gr = ilnet_network_reaction_count(net);
    CHECK(gs == ns, "%s: %zu species, want %zu", m->path, gs, ns);
    CHECK(gr == nr, "%s: %zu reactions, want %zu", m->path, gr, nr);
    if (gs != ns || gr != nr) {
        for (size_t i = 0; i < gs; i++)
            fprintf(stderr, "    species %zu %s\n", i, ilnet_network_species(net, i)->name);
        for (size_t i = 0; i < gr; i++) {
            const ilnet_reaction *x = ilnet_network_reaction(net, i);
            fprintf(stderr, "    reaction %zu:", i);
            for (int j = 0; j < x->n_reactants; j++)
                fprintf(stderr, " %d", x->reactants[j]);
            fprintf(stderr, " ->");
            for (int j = 0; j < x->n_products; j++)
                fprintf(stderr, " %d", x->products[j]);
            fprintf(stderr, "  %s\n", x->rate_text);
        }
    }
}

/* weight of species s in observable name (0 when absent) */
static double obs_weight(ilnet_bngl_model *m, const ilnet_network *net, const char *name,
                         const char *s)
{
    int o = ilnet_network_find_observable(net, name);
    CHECK(o >= 0, "no observable '%s'", name);
    int i = species_idx(m, net, s);
    CHECK(i >= 0, "species '%s' is not in the network", s);
    if (o < 0 || i < 0) return NAN;
    const ilnet_observable *ob = ilnet_network_observable(net, (size_t)o);
    double w = 0;
    for (int t = 0; t < ob->n_terms; t++)
        if (ob->species[t] == i) w += ob->weights[t];
    return w;
}

static void done(ilnet_bngl_model *m, ilnet_network *net)
{
    ilnet_network_free(net);
    ilnet_bngl_free(m);
}

/* ---- site graphs written under arbitrary relabellings ---- */

typedef struct {
    const char *name;
    int ns;
    const char *site[5];
} mtype;

#define AGG_MAXM 64
#define AGG_MAXB 128

typedef struct {
    int n, nb;
    const mtype *t[AGG_MAXM];
    int used[AGG_MAXM]; /* sites already bonded (filled in order) */
    int e[AGG_MAXB][4]; /* mol, site, mol, site */
} agg;

static int agg_mol(agg *a, const mtype *t)
{
    a->t[a->n] = t;
    a->used[a->n] = 0;
    return a->n++;
}

/* bonds the next free site of m1 to the next free site of m2 (explicit sites when >= 0) */
static void agg_bond(agg *a, int m1, int s1, int m2, int s2)
{
    if (s1 < 0) s1 = a->used[m1]++;
    if (s2 < 0) s2 = a->used[m2]++;
    int *e = a->e[a->nb++];
    e[0] = m1;
    e[1] = s1;
    e[2] = m2;
    e[3] = s2;
}

/* BNGL string: molecules listed in the order perm (identity when NULL), bond i numbered
 * lab(i) = reverse ? 1000 - i : i + 1, and the sites of a molecule whose sites all share
 * one name listed starting at rot. Every choice describes the same graph. */
static char *agg_write(const agg *a, const int *perm, int reverse, int rot)
{
    size_t cap = 64 + (size_t)a->n * 128, len = 0;
    char *s = malloc(cap);
    s[0] = '\0';
    for (int k = 0; k < a->n; k++) {
        int mi = perm ? perm[k] : k;
        const mtype *t = a->t[mi];
        int uniform = 1;
        for (int j = 1; j < t->ns; j++)
            uniform &= !strcmp(t->site[j], t->site[0]);
        len += (size_t)sprintf(s + len, "%s%s(", k ? "." : "", t->name);
        for (int jj = 0; jj < t->ns; jj++) {
            int j = uniform ? (jj + rot) % t->ns : jj;
            len += (size_t)sprintf(s + len, "%s%s", jj ? "," : "", t->site[j]);
            for (int b = 0; b < a->nb; b++)
                if ((a->e[b][0] == mi && a->e[b][1] == j) || (a->e[b][2] == mi && a->e[b][3] == j))
                    len += (size_t)sprintf(s + len, "!%d", reverse ? 1000 - b : b + 1);
        }
        len += (size_t)sprintf(s + len, ")");
    }
    return s;
}

/* a fixed pseudo-random permutation of 0..n-1 */
static void shuffle(int *p, int n, unsigned seed)
{
    for (int i = 0; i < n; i++)
        p[i] = i;
    for (int i = n - 1; i > 0; i--) {
        seed = seed * 1103515245u + 12345u;
        int j = (int)((seed >> 8) % (unsigned)(i + 1));
        int t = p[i];
        p[i] = p[j];
        p[j] = t;
    }
}

static const mtype MT_T = {"T", 3, {"s", "s", "s"}};
static const mtype MT_U = {"U", 4, {"s", "s", "s", "s"}};
static const mtype MT_L = {"L", 2, {"r", "r"}};
static const mtype MT_BV = {"Bv", 2, {"l", "l"}};
static const mtype MT_X = {"X", 4, {"s", "s", "s", "s"}};
static const mtype MT_Y = {"Y", 4, {"a", "b", "b", "b"}};
static const mtype MT_Z = {"Z", 1, {"y"}};
static const mtype MT_D = {"D", 2, {"s", "s"}};
static const mtype MT_W = {"W", 5, {"a", "b", "b", "b", "b"}};

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* The same aggregate written three ways (identity; shuffled molecules, reversed bond
 * numbers, rotated sites; another shuffle) must give one label, quickly. The work runs in
 * a child process killed after LIMIT seconds, so a slow canonical labelling fails the
 * check instead of hanging the test. */
#define AGG_TIME_LIMIT 5.0

static void agg_invariant_work(ilnet_bngl_model *m, const agg *a)
{
    int perm[AGG_MAXM];
    char *s0 = agg_write(a, NULL, 0, 0);
    shuffle(perm, a->n, 12345u);
    char *s1 = agg_write(a, perm, 1, 1);
    shuffle(perm, a->n, 987u);
    char *s2 = agg_write(a, perm, 0, 2);
    check_canon(m, s0, s1, 1);
    check_canon(m, s0, s2, 1);
    free(s0);
    free(s1);
    free(s2);
}

static void check_agg_invariant(ilnet_bngl_model *m, const agg *a, const char *what)
{
    fflush(stdout);
    fflush(stderr);
    double t0 = now();
    pid_t pid = fork();
    if (pid < 0) {
        CHECK(0, "%s: fork failed", what);
        return;
    }
    if (pid == 0) {
        check_failures = 0; /* inherited from the parent */
        agg_invariant_work(m, a);
        fflush(stdout);
        fflush(stderr);
        _exit(check_failures ? 1 : 0);
    }
    int status = 0, killed = 0;
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0) {
            CHECK(0, "%s: waitpid failed", what);
            return;
        }
        if (now() - t0 > AGG_TIME_LIMIT) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            killed = 1;
            break;
        }
        nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    double dt = now() - t0;
    printf("  %s (%d molecules): %.3f s%s\n", what, a->n, dt, killed ? " (killed)" : "");
    CHECK(!killed, "%s (%d molecules): 8 canonical labels did not finish in %.0f s", what, a->n,
          AGG_TIME_LIMIT);
    if (!killed)
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
              "%s: relabelled copies disagree or failed (see above)", what);
}

static const char *CANON_MODEL = "begin model\n"
                                 "begin molecule types\n"
                                 "  A(b,s~u~p)\n"
                                 "  B(a)\n"
                                 "  R(l,r)\n"
                                 "  L(r,r)\n"
                                 "  M(l)\n"
                                 "  Bv(l,l)\n"
                                 "  DNA(p)\n"
                                 "  TF(d)\n"
                                 "  T(s,s,s)\n"
                                 "  U(s,s,s,s)\n"
                                 "  X(s,s,s,s)\n"
                                 "  Y(a,b,b,b)\n"
                                 "  Z(y)\n"
                                 "  W(a,b,b,b,b)\n"
                                 "  D(s,s)\n"
                                 "  P(s~u~p,s~u~p)\n"
                                 "  Q(p)\n"
                                 "end molecule types\n"
                                 "end model\n";

/* ---- 1. canonical labels ---- */

static void test_canon_homodimer_states(void)
{
    printf("test_canon_homodimer_states\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    /* the p:u dimer written with the molecules in either order and other bond numbers */
    check_canon(m, "A(b!1,s~p).A(b!1,s~u)", "A(b!2,s~u).A(b!2,s~p)", 1);
    check_canon(m, "A(b!1,s~p).A(b!1,s~u)", "A(b!77,s~u).A(b!77,s~p)", 1);
    /* p:u differs from p:p and u:u, and those two differ */
    check_canon(m, "A(b!1,s~p).A(b!1,s~u)", "A(b!1,s~p).A(b!1,s~p)", 0);
    check_canon(m, "A(b!1,s~p).A(b!1,s~u)", "A(b!1,s~u).A(b!1,s~u)", 0);
    check_canon(m, "A(b!1,s~p).A(b!1,s~p)", "A(b!1,s~u).A(b!1,s~u)", 0);
    /* documented order: molecules sorted by type name */
    char *c = canon(m, "B(a!1).A(b!1,s~u)");
    CHECK(c && !strcmp(c, "A(b!1,s~u).B(a!1)"), "canonical 'B(a!1).A(b!1,s~u)' is '%s'",
          c ? c : "(null)");
    free(c);
    ilnet_bngl_free(m);
}

static void test_canon_ring_vs_chain(void)
{
    printf("test_canon_ring_vs_chain\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    /* a directed ring of 4: r of each R bound to l of the next */
    const char *ring = "R(l!1,r!2).R(l!2,r!3).R(l!3,r!4).R(l!4,r!1)";
    /* the same ring, rotated, other bond numbers, sites listed r before l:
     * m1.r-m2.l (7), m2.r-m3.l (6), m3.r-m4.l (5), m4.r-m1.l (8) */
    check_canon(m, ring, "R(r!7,l!8).R(l!7,r!6).R(r!5,l!6).R(l!5,r!8)", 1);
    check_canon(m, ring, "R(l!4,r!1).R(l!1,r!2).R(l!2,r!3).R(l!3,r!4)", 1);
    /* a chain of 4 (one bond fewer) */
    check_canon(m, ring, "R(l,r!1).R(l!1,r!2).R(l!2,r!3).R(l!3,r)", 0);
    /* a ring of 4 with r-r and l-l bonds instead of r-l: same molecule graph, other sites */
    check_canon(m, ring, "R(l!1,r!2).R(l!3,r!2).R(l!3,r!4).R(l!1,r!4)", 0);
    /* a ring of 3 */
    check_canon(m, ring, "R(l!1,r!2).R(l!2,r!3).R(l!3,r!1)", 0);
    ilnet_bngl_free(m);
}

static void test_canon_identical_sites(void)
{
    printf("test_canon_identical_sites\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    /* which of the two r sites carries the bond does not matter */
    check_canon(m, "L(r!1,r).M(l!1)", "L(r,r!1).M(l!1)", 1);
    check_canon(m, "L(r!1,r).M(l!1)", "M(l!3).L(r,r!3)", 1);
    check_canon(m, "L(r!1,r).M(l!1)", "L(r!1,r!2).M(l!1).M(l!2)", 0);
    /* identical sites with states: which one is bound matters only through its state */
    check_canon(m, "P(s~p!1,s~u).Q(p!1)", "P(s~u,s~p!1).Q(p!1)", 1);
    check_canon(m, "P(s~p!1,s~u).Q(p!1)", "Q(p!4).P(s~u,s~p!4)", 1);
    check_canon(m, "P(s~p!1,s~u).Q(p!1)", "P(s~u!1,s~p).Q(p!1)", 0);
    check_canon(m, "P(s~p!1,s~p).Q(p!1)", "P(s~p,s~p!2).Q(p!2)", 1);
    /* rings of L(r,r): triangle written two ways, hexagon both orientations */
    const char *tri = "L(r!1,r!2).L(r!2,r!3).L(r!3,r!1)";
    check_canon(m, tri, "L(r!3,r!1).L(r!2,r!1).L(r!3,r!2)", 1);
    const char *hex = "L(r!1,r!2).L(r!2,r!3).L(r!3,r!4).L(r!4,r!5).L(r!5,r!6).L(r!6,r!1)";
    check_canon(m, hex,
                "L(r!16,r!11).L(r!15,r!16).L(r!15,r!14).L(r!13,r!14).L(r!12,r!13)."
                "L(r!11,r!12)",
                1);
    check_canon(m, hex, "L(r!1,r!2).L(r!3,r!4).L(r!5,r!6).L(r!2,r!3).L(r!4,r!5).L(r!6,r!1)", 1);
    check_canon(m, tri, hex, 0);
    /* a 6-chain of L is not the 6-ring */
    check_canon(m, hex, "L(r,r!1).L(r!1,r!2).L(r!2,r!3).L(r!3,r!4).L(r!4,r!5).L(r!5,r)", 0);
    ilnet_bngl_free(m);
}

static void test_canon_multibond_site(void)
{
    printf("test_canon_multibond_site\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    const char *a = "DNA(p!1!2).TF(d!1).TF(d!2)";
    check_canon(m, a, "DNA(p!2!1).TF(d!1).TF(d!2)", 1);
    check_canon(m, a, "TF(d!2).DNA(p!1!2).TF(d!1)", 1);
    check_canon(m, a, "TF(d!9).TF(d!4).DNA(p!9!4)", 1);
    check_canon(m, a, "DNA(p!1).TF(d!1)", 0);
    ilnet_bngl_free(m);
}

/* M(a!1,...,a!n).N(b!1,...,b!n): n interchangeable bonds between two molecules, n! automorphisms.
 * Every pairing of the a's with the b's is the same species; the search must not visit n!
 * leaves (32 bonds took more than 20 s before the search returned to the common ancestor
 * of two equivalent leaves). */
static void test_canon_many_parallel_bonds(void)
{
    printf("test_canon_many_parallel_bonds\n");
    enum { N = 32 };
    char *s[3];
    for (int v = 0; v < 3; v++) {
        char *b = malloc(16 * 2 * N + 64), *p = b;
        p += sprintf(p, "M(");
        for (int i = 1; i <= N; i++) /* v 2: the last a site free, the last b site too */
            p += v == 2 && i == N ? sprintf(p, ",a") : sprintf(p, "%sa!%d", i > 1 ? "," : "", i);
        p += sprintf(p, ").N(");
        for (int i = 1; i <= N; i++) {
            int lab = v == 1 ? N + 1 - i : i; /* v 1: reversed pairing */
            p += v == 2 && i == N ? sprintf(p, ",b") : sprintf(p, "%sb!%d", i > 1 ? "," : "", lab);
        }
        sprintf(p, ")");
        s[v] = b;
    }
    char *text = malloc(16 * 2 * N + 256);
    sprintf(text, "begin seed species\n  %s 1\nend seed species\n", s[0]);
    ilnet_bngl_model *m = load("bonds.bngl", text);
    free(text);
    if (m) {
        double t0 = now();
        check_canon(m, s[0], s[1], 1);
        check_canon(m, s[0], s[2], 0);
        double dt = now() - t0;
        CHECK(dt < 5, "%d parallel bonds: canonical labels took %.1f s", N, dt);
        ilnet_bngl_free(m);
    }
    for (int v = 0; v < 3; v++)
        free(s[v]);
}

/* 3-regular graphs on 6 and 8 vertices that colour refinement alone cannot tell apart */
static void test_canon_regular_graphs(void)
{
    printf("test_canon_regular_graphs\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    /* prism: triangles 123, 456, rungs 14 25 36; bonds 1=12 2=23 3=13 4=45 5=56 6=46
     * 7=14 8=25 9=36 */
    const char *prism = "T(s!1,s!3,s!7).T(s!1,s!2,s!8).T(s!2,s!3,s!9).T(s!4,s!6,s!7)."
                        "T(s!4,s!5,s!8).T(s!5,s!6,s!9)";
    /* the prism relabelled: triangles 135, 246, rungs 14 23 56; bonds 1=13 2=15 3=14
     * 4=26 5=24 6=23 7=35 8=46 9=56 */
    const char *prism2 = "T(s!3,s!1,s!2).T(s!6,s!4,s!5).T(s!7,s!6,s!1).T(s!8,s!3,s!5)."
                         "T(s!2,s!9,s!7).T(s!4,s!8,s!9)";
    /* K3,3 with parts 123 | 456, bond (i,j) = 3(i-1) + (j-3) */
    const char *k33 = "T(s!1,s!2,s!3).T(s!4,s!5,s!6).T(s!7,s!8,s!9).T(s!1,s!4,s!7)."
                      "T(s!2,s!5,s!8).T(s!3,s!6,s!9)";
    /* K3,3 with parts 145 | 236: 12=9 13=1 16=5 42=2 43=8 46=3 52=6 53=4 56=7 */
    const char *k33b = "T(s!9,s!1,s!5).T(s!2,s!6,s!9).T(s!8,s!4,s!1).T(s!2,s!8,s!3)."
                       "T(s!6,s!4,s!7).T(s!5,s!3,s!7)";
    check_canon(m, prism, prism2, 1);
    check_canon(m, k33, k33b, 1);
    check_canon(m, prism, k33, 0);
    check_canon(m, prism2, k33b, 0);

    /* cube Q3 vs the Wagner graph (8-cycle plus long diagonals): both cubic, vertex
     * transitive, on 8 vertices; Q3 is bipartite, Wagner is not */
    agg q3 = {0}, wag = {0};
    for (int i = 0; i < 8; i++) {
        agg_mol(&q3, &MT_T);
        agg_mol(&wag, &MT_T);
    }
    for (int i = 0; i < 8; i++)
        for (int k = 0; k < 3; k++)
            if (i < (i ^ (1 << k))) agg_bond(&q3, i, -1, i ^ (1 << k), -1);
    for (int i = 0; i < 8; i++)
        agg_bond(&wag, i, -1, (i + 1) % 8, -1);
    for (int i = 0; i < 4; i++)
        agg_bond(&wag, i, -1, i + 4, -1);
    char *sq = agg_write(&q3, NULL, 0, 0), *sw = agg_write(&wag, NULL, 0, 0);
    check_canon(m, sq, sw, 0);
    free(sq);
    free(sw);
    check_agg_invariant(m, &q3, "cube Q3");
    check_agg_invariant(m, &wag, "Wagner graph");
    ilnet_bngl_free(m);
}

/* brute-force multigraph isomorphism for aggregates of T(s,s,s) and D(s,s) (identical
 * sites, so a molecule's bonds are determined by its neighbours): a type-preserving
 * bijection of molecules preserving the number of bonds between every pair */
static int iso_rec(const agg *a, const agg *b, int (*ca)[AGG_MAXM], int (*cb)[AGG_MAXM], int *p,
                   int *used, int k)
{
    if (k == a->n) return 1;
    for (int j = 0; j < b->n; j++) {
        if (used[j] || a->t[k] != b->t[j]) continue;
        int ok = 1;
        for (int i = 0; i < k && ok; i++)
            ok = ca[k][i] == cb[j][p[i]];
        if (!ok || ca[k][k] != cb[j][j]) continue;
        p[k] = j;
        used[j] = 1;
        if (iso_rec(a, b, ca, cb, p, used, k + 1)) return 1;
        used[j] = 0;
    }
    return 0;
}

static int agg_isomorphic(const agg *a, const agg *b)
{
    if (a->n != b->n || a->nb != b->nb) return 0;
    static int ca[AGG_MAXM][AGG_MAXM], cb[AGG_MAXM][AGG_MAXM];
    memset(ca, 0, sizeof ca);
    memset(cb, 0, sizeof cb);
    for (int e = 0; e < a->nb; e++) {
        ca[a->e[e][0]][a->e[e][2]]++;
        ca[a->e[e][2]][a->e[e][0]]++;
    }
    for (int e = 0; e < b->nb; e++) {
        cb[b->e[e][0]][b->e[e][2]]++;
        cb[b->e[e][2]][b->e[e][0]]++;
    }
    int p[AGG_MAXM], used[AGG_MAXM] = {0};
    return iso_rec(a, b, ca, cb, p, used, 0);
}

static unsigned rng_next(unsigned *st)
{
    *st = *st * 1664525u + 1013904223u;
    return *st >> 8;
}

/* random connected aggregate of 3..6 T/D molecules, no self-bonds, multi-bonds allowed */
static void random_agg(agg *a, unsigned *st)
{
    memset(a, 0, sizeof *a);
    int n = 3 + (int)(rng_next(st) % 4);
    for (int i = 0; i < n; i++)
        agg_mol(a, rng_next(st) % 3 ? &MT_T : &MT_D);
    for (int i = 1; i < n; i++) {
        int cand[AGG_MAXM], nc = 0;
        for (int j = 0; j < i; j++)
            if (a->used[j] < a->t[j]->ns) cand[nc++] = j;
        agg_bond(a, i, -1, cand[rng_next(st) % (unsigned)nc], -1);
    }
    int extra = (int)(rng_next(st) % 4);
    for (int x = 0; x < extra * 4 && extra; x++) {
        int i = (int)(rng_next(st) % (unsigned)n), j = (int)(rng_next(st) % (unsigned)n);
        if (i == j || a->used[i] == a->t[i]->ns || a->used[j] == a->t[j]->ns) continue;
        agg_bond(a, i, -1, j, -1);
        extra--;
    }
}

static void test_canon_random_against_bruteforce(void)
{
    printf("test_canon_random_against_bruteforce\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    enum { NG = 300 };
    static agg g[NG];
    char *lab[NG];
    unsigned st = 2024u;
    int perm[AGG_MAXM], bad_same = 0, bad_diff = 0, iso_pairs = 0;
    for (int i = 0; i < NG; i++) {
        random_agg(&g[i], &st);
        char *s = agg_write(&g[i], NULL, 0, 0);
        lab[i] = canon(m, s);
        /* a relabelled copy labels the same */
        shuffle(perm, g[i].n, st);
        char *s2 = agg_write(&g[i], perm, 1, (int)(st % 3));
        char *l2 = canon(m, s2);
        if (lab[i] && l2 && strcmp(lab[i], l2) && bad_same++ < 5)
            fprintf(stderr, "  isomorphic '%s' and '%s' label differently\n", s, s2);
        free(l2);
        free(s);
        free(s2);
    }
    for (int i = 0; i < NG; i++)
        for (int j = i + 1; j < NG; j++) {
            if (!lab[i] || !lab[j]) continue;
            int iso = agg_isomorphic(&g[i], &g[j]), same = !strcmp(lab[i], lab[j]);
            iso_pairs += iso;
            if (iso != same && bad_diff++ < 5) {
                char *a = agg_write(&g[i], NULL, 0, 0), *b = agg_write(&g[j], NULL, 0, 0);
                fprintf(stderr, "  '%s' and '%s': isomorphic %d, same label %d\n", a, b, iso, same);
                free(a);
                free(b);
            }
        }
    printf("  %d graphs, %d isomorphic pairs\n", NG, iso_pairs);
    CHECK(bad_same == 0, "%d relabelled copies got another label", bad_same);
    CHECK(bad_diff == 0, "%d pairs where label equality disagrees with isomorphism", bad_diff);
    CHECK(iso_pairs > 0, "the sample should contain isomorphic pairs written differently");
    for (int i = 0; i < NG; i++)
        free(lab[i]);
    ilnet_bngl_free(m);
}

static void test_canon_large_symmetric(void)
{
    printf("test_canon_large_symmetric\n");
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    /* bivalent ligand / bivalent receptor rings L-Bv-L-Bv-... of 8 and 24 molecules */
    int sizes[] = {4, 12};
    for (int q = 0; q < 2; q++) {
        int n = sizes[q];
        agg a = {0};
        for (int i = 0; i < n; i++) {
            agg_mol(&a, &MT_L);
            agg_mol(&a, &MT_BV);
        }
        for (int i = 0; i < n; i++) {
            agg_bond(&a, 2 * i, 1, 2 * i + 1, 0);                 /* L_i.r#2 - Bv_i.l#1 */
            agg_bond(&a, 2 * i + 1, 1, (2 * i + 2) % (2 * n), 0); /* Bv_i.l#2 - L_i+1.r#1 */
        }
        char what[64];
        snprintf(what, sizeof what, "L/Bv ring of %d", 2 * n);
        check_agg_invariant(m, &a, what);
        if (q == 1) {
            /* the 24-ring vs the same molecules as an open chain: different */
            agg c = a;
            c.nb--;
            char *s0 = agg_write(&a, NULL, 0, 0), *s1 = agg_write(&c, NULL, 0, 0);
            check_canon(m, s0, s1, 0);
            free(s0);
            free(s1);
        }
    }
    /* a tree: X(s,s,s,s) with a Y(a,b,b,b) on each site and a Z(y) on every b:
     * 17 molecules, 4! * (3!)^4 = 31104 automorphisms */
    agg t = {0};
    int x = agg_mol(&t, &MT_X);
    for (int i = 0; i < 4; i++) {
        int y = agg_mol(&t, &MT_Y);
        agg_bond(&t, x, i, y, 0);
        for (int j = 1; j < 4; j++) {
            int z = agg_mol(&t, &MT_Z);
            agg_bond(&t, y, j, z, 0);
        }
    }
    check_agg_invariant(m, &t, "X/Y/Z tree");
    /* the same with W(a,b,b,b,b): 21 molecules, 4! * (4!)^4 = 7962624 automorphisms; a
     * labelling that prunes automorphisms needs milliseconds */
    agg w = {0};
    x = agg_mol(&w, &MT_X);
    for (int i = 0; i < 4; i++) {
        int y = agg_mol(&w, &MT_W);
        agg_bond(&w, x, i, y, 0);
        for (int j = 1; j < 5; j++) {
            int z = agg_mol(&w, &MT_Z);
            agg_bond(&w, y, j, z, 0);
        }
    }
    check_agg_invariant(m, &w, "X/W/Z tree");
    /* K4,4 and K5 of U(s,s,s,s) */
    agg k44 = {0}, k5 = {0};
    for (int i = 0; i < 8; i++)
        agg_mol(&k44, &MT_U);
    for (int i = 0; i < 4; i++)
        for (int j = 4; j < 8; j++)
            agg_bond(&k44, i, -1, j, -1);
    for (int i = 0; i < 5; i++)
        agg_mol(&k5, &MT_U);
    for (int i = 0; i < 5; i++)
        for (int j = i + 1; j < 5; j++)
            agg_bond(&k5, i, -1, j, -1);
    check_agg_invariant(m, &k44, "K4,4");
    check_agg_invariant(m, &k5, "K5");
    ilnet_bngl_free(m);
}

/* Chains of n molecules written in a shuffled order: kind 0 a directed chain of R(l,r)
 * (R_i.r - R_i+1.l), kind 1 an undirected chain of D(s,s), kind 2 a ring of D(s,s). */
static char *chain_write(int n, int kind, unsigned seed)
{
    int *perm = malloc((size_t)n * sizeof *perm), *at = malloc((size_t)n * sizeof *at);
    shuffle(perm, n, seed);
    for (int k = 0; k < n; k++)
        at[perm[k]] = k;
    size_t cap = (size_t)n * 32 + 1, len = 0;
    char *s = malloc(cap);
    for (int k = 0; k < n; k++) {
        int i = perm[k], left = i > 0 || kind == 2, right = i < n - 1 || kind == 2;
        /* bond i joins molecule i to i+1 (mod n); numbered by where molecule i is written */
        int bl = at[(i + n - 1) % n] + 1, br = at[i] + 1;
        const char *a = kind ? "s" : "l", *b = kind ? "s" : "r";
        len += (size_t)snprintf(s + len, cap - len, "%s%s(", k ? "." : "", kind ? "D" : "R");
        if (left)
            len += (size_t)snprintf(s + len, cap - len, "%s!%d,", a, bl);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s,", a);
        if (right)
            len += (size_t)snprintf(s + len, cap - len, "%s!%d)", b, br);
        else
            len += (size_t)snprintf(s + len, cap - len, "%s)", b);
    }
    free(perm);
    free(at);
    return s;
}

static void test_canon_long_chains(void)
{
    printf("test_canon_long_chains\n");
    /* Colour refinement needs about n/2 rounds on a chain; re-sorting every node each round
     * made one label of a 1000-mer cost seconds and network generation of polymers
     * O(n^4) (issue 21: a 100-mer chain took 43 s, 256 species 90 s). Refining only the
     * nodes next to a change keeps it near-linear. */
    ilnet_bngl_model *m = load("canon.bngl", CANON_MODEL);
    if (!m) return;
    const char *what[] = {"directed R chain", "D chain", "D ring"};
    /* the regression this guards against took minutes; AddressSanitizer makes this code
     * ~20x slower than Release (0.4 s), and a shared machine another few times */
#ifdef __SANITIZE_ADDRESS__
    const double limit = 90;
#else
    const double limit = 12;
#endif
    for (int kind = 0; kind < 3; kind++) {
        int n = 3000;
        char *a = chain_write(n, kind, 11u), *b = chain_write(n, kind, 4242u);
        double t0 = now();
        check_canon(m, a, b, 1);
        double dt = now() - t0;
        printf("  %s of %d: 6 labels in %.3f s\n", what[kind], n, dt);
        CHECK(dt < limit, "%s of %d molecules: 6 canonical labels took %.1f s (limit %g s)",
              what[kind], n, dt, limit);
        free(a);
        free(b);
    }
    /* a chain and a ring of the same molecules differ; so do chains of n and n+1 */
    char *c = chain_write(300, 1, 1u), *r = chain_write(300, 2, 1u), *c2 = chain_write(301, 1, 1u);
    check_canon(m, c, r, 0);
    check_canon(m, c, c2, 0);
    free(c);
    free(r);
    free(c2);
    ilnet_bngl_free(m);
}

/* ---- 2. statistical factors ---- */

static void test_factor_homodimerisation(void)
{
    printf("test_factor_homodimerisation\n");
    /* A(a) + A(a): the two reactant patterns are identical, so the rule has a swap
     * symmetry; on the single A species: 0.5*k. The reverse unbinds the symmetric
     * homodimer with the symmetric pattern A(a!1).A(a!1): kr, not 2*kr. */
    ilnet_bngl_model *m = load("homodimer.bngl", "begin model\n"
                                                 "begin parameters\n"
                                                 "  kf 2.5\n"
                                                 "  kr 0.7\n"
                                                 "end parameters\n"
                                                 "begin molecule types\n"
                                                 "  A(a)\n"
                                                 "end molecule types\n"
                                                 "begin seed species\n"
                                                 "  A(a) 1\n"
                                                 "end seed species\n"
                                                 "begin reaction rules\n"
                                                 "  A(a) + A(a) <-> A(a!1).A(a!1) kf, kr\n"
                                                 "end reaction rules\n"
                                                 "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 2, 2);
        expect_rxn(m, net, "A(a) + A(a)", "A(a!1).A(a!1)", "kf", 0.5);
        expect_rxn(m, net, "A(a!1).A(a!1)", "A(a) + A(a)", "kr", 1.0);
    }
    done(m, net);

    /* the irreversible unbinding alone, from a seeded dimer */
    m = load("unbind.bngl", "begin model\n"
                            "begin parameters\n"
                            "  k 3\n"
                            "end parameters\n"
                            "begin molecule types\n"
                            "  A(a)\n"
                            "end molecule types\n"
                            "begin seed species\n"
                            "  A(a!1).A(a!1) 1\n"
                            "end seed species\n"
                            "begin reaction rules\n"
                            "  A(a!1).A(a!1) -> A(a) + A(a) k\n"
                            "end reaction rules\n"
                            "end model\n");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 2, 1);
        expect_rxn(m, net, "A(a!1).A(a!1)", "A(a) + A(a)", "k", 1.0);
    }
    done(m, net);
}

static void test_factor_symmetric_rule_two_species(void)
{
    printf("test_factor_symmetric_rule_two_species\n");
    /* A(a) + A(a) on two different A species: per ordering the symmetric rule gives
     * 0.5*k and the two orderings (u first, p first) give the same reaction: k. On one
     * species there is one ordering: 0.5*k. */
    ilnet_bngl_model *m = load("sym2.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  k 2.5\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  A(a,s~u~p)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  A(a,s~u) 1\n"
                                            "  A(a,s~p) 1\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  A(a) + A(a) -> A(a!1).A(a!1) k\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 5, 3);
        expect_rxn(m, net, "A(a,s~u) + A(a,s~u)", "A(a!1,s~u).A(a!1,s~u)", "k", 0.5);
        expect_rxn(m, net, "A(a,s~u) + A(a,s~p)", "A(a!1,s~u).A(a!1,s~p)", "k", 1.0);
        expect_rxn(m, net, "A(a,s~p) + A(a,s~p)", "A(a!1,s~p).A(a!1,s~p)", "k", 0.5);
    }
    done(m, net);

    /* the symmetric pattern A(a!1).A(a!1) unbinding an asymmetric p:u dimer: 2 maps,
     * rule symmetry 2: k; and the symmetric p:p dimer: k */
    m = load("sym2u.bngl", "begin model\n"
                           "begin parameters\n"
                           "  k 2.5\n"
                           "end parameters\n"
                           "begin molecule types\n"
                           "  A(a,s~u~p)\n"
                           "end molecule types\n"
                           "begin seed species\n"
                           "  A(a!1,s~p).A(a!1,s~u) 1\n"
                           "  A(a!1,s~p).A(a!1,s~p) 1\n"
                           "end seed species\n"
                           "begin reaction rules\n"
                           "  A(a!1).A(a!1) -> A(a) + A(a) k\n"
                           "end reaction rules\n"
                           "end model\n");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 2);
        expect_rxn(m, net, "A(a!1,s~p).A(a!1,s~u)", "A(a,s~p) + A(a,s~u)", "k", 1.0);
        expect_rxn(m, net, "A(a!1,s~p).A(a!1,s~p)", "A(a,s~p) + A(a,s~p)", "k", 1.0);
    }
    done(m, net);
}

static void test_factor_asymmetric_pattern_on_symmetric_dimer(void)
{
    printf("test_factor_asymmetric_pattern_on_symmetric_dimer\n");
    /* A(a!1,s~p).A(a!1) matches the p:p dimer two ways, breaking the same bond into the
     * same products: 2*k. On the p:u dimer only the p molecule can be the first: k. The
     * u:u dimer does not match. */
    ilnet_bngl_model *m = load("asym.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  k 1.5\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  A(a,s~u~p)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  A(a!1,s~p).A(a!1,s~p) 1\n"
                                            "  A(a!1,s~p).A(a!1,s~u) 1\n"
                                            "  A(a!1,s~u).A(a!1,s~u) 1\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  A(a!1,s~p).A(a!1) -> A(a,s~p) + A(a) k\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 5, 2);
        expect_rxn(m, net, "A(a!1,s~p).A(a!1,s~p)", "A(a,s~p) + A(a,s~p)", "k", 2.0);
        expect_rxn(m, net, "A(a!1,s~p).A(a!1,s~u)", "A(a,s~p) + A(a,s~u)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "A(a!1,s~u).A(a!1,s~u)") == 0,
              "the u:u dimer must not react");
    }
    done(m, net);
}

static void test_factor_equivalent_sites(void)
{
    printf("test_factor_equivalent_sites\n");
    /* three identical sites: u,u,u -> p,u,u can happen at any of 3 sites (3*k), then
     * at either of the 2 remaining (2*k), then at the last one (k) */
    ilnet_bngl_model *m = load("phos3.bngl", "begin model\n"
                                             "begin parameters\n"
                                             "  kp 0.3\n"
                                             "end parameters\n"
                                             "begin molecule types\n"
                                             "  A(s~u~p,s~u~p,s~u~p)\n"
                                             "end molecule types\n"
                                             "begin seed species\n"
                                             "  A(s~u,s~u,s~u) 1\n"
                                             "end seed species\n"
                                             "begin reaction rules\n"
                                             "  A(s~u) -> A(s~p) kp\n"
                                             "end reaction rules\n"
                                             "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 3);
        expect_rxn(m, net, "A(s~u,s~u,s~u)", "A(s~p,s~u,s~u)", "kp", 3.0);
        expect_rxn(m, net, "A(s~u,s~p,s~u)", "A(s~u,s~p,s~p)", "kp", 2.0);
        expect_rxn(m, net, "A(s~p,s~u,s~p)", "A(s~p,s~p,s~p)", "kp", 1.0);
    }
    done(m, net);
}

static void test_factor_symmetric_star(void)
{
    printf("test_factor_symmetric_star\n");
    /* S = M(a!1..a!6).N(b!1)...N(b!6). Deleting the whole star: the reactant pattern is S
     * itself, it maps onto S in 6! = 720 ways, and the rule has the same 720 symmetries,
     * all acting on its centre (the deleted molecules): 720/720 = 1, rate kd. Breaking one
     * M-N bond: 6 equivalent bonds give the same products, 6*kr. (The rule symmetry used to
     * be counted by listing every automorphism: 8 identical leaves took seconds.) */
    ilnet_bngl_model *m = load(
        "star.bngl", "begin model\n"
                     "begin parameters\n"
                     "  kd 0.3\n"
                     "  kr 0.7\n"
                     "end parameters\n"
                     "begin molecule types\n"
                     "  M(a,a,a,a,a,a)\n"
                     "  N(b)\n"
                     "end molecule types\n"
                     "begin seed species\n"
                     "  M(a!1,a!2,a!3,a!4,a!5,a!6).N(b!1).N(b!2).N(b!3).N(b!4).N(b!5).N(b!6) 1\n"
                     "end seed species\n"
                     "begin reaction rules\n"
                     "  M(a!1,a!2,a!3,a!4,a!5,a!6).N(b!1).N(b!2).N(b!3).N(b!4).N(b!5).N(b!6)"
                     " -> 0 kd\n"
                     "  M(a!1).N(b!1) -> M(a) + N(b) kr\n"
                     "end reaction rules\n"
                     "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 1, 0, NULL);
    if (net) {
        const char *star = "M(a!1,a!2,a!3,a!4,a!5,a!6).N(b!1).N(b!2).N(b!3).N(b!4).N(b!5).N(b!6)";
        expect_rxn(m, net, star, "0", "kd", 1.0);
        expect_rxn(m, net, star,
                   "M(a!1,a!2,a!3,a!4,a!5,a).N(b!1).N(b!2).N(b!3).N(b!4).N(b!5) + N(b)", "kr", 6.0);
    }
    done(m, net);
}

static void test_factor_bivalent_ligand(void)
{
    printf("test_factor_bivalent_ligand\n");
    /* free L(r,r) + R(l): either L site can bind: 2*k. L(r!1,r).R(l!1) + R(l): one free
     * site left: k. The rule is bimolecular, so no ring closure inside a complex. */
    ilnet_bngl_model *m = load("biv.bngl", "begin model\n"
                                           "begin parameters\n"
                                           "  kon 4\n"
                                           "end parameters\n"
                                           "begin molecule types\n"
                                           "  L(r,r)\n"
                                           "  R(l)\n"
                                           "end molecule types\n"
                                           "begin seed species\n"
                                           "  L(r,r) 1\n"
                                           "  R(l) 1\n"
                                           "end seed species\n"
                                           "begin reaction rules\n"
                                           "  L(r) + R(l) -> L(r!1).R(l!1) kon\n"
                                           "end reaction rules\n"
                                           "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 2);
        expect_rxn(m, net, "L(r,r) + R(l)", "L(r!1,r).R(l!1)", "kon", 2.0);
        expect_rxn(m, net, "L(r!1,r).R(l!1) + R(l)", "L(r!1,r!2).R(l!1).R(l!2)", "kon", 1.0);
    }
    done(m, net);

    /* L(r,r) binding either receptor of a free receptor dimer: 2 ligand sites x 2
     * receptors, all giving the same product: 4*kon (first round only) */
    m = load("biv_dimer.bngl", "begin model\n"
                               "begin parameters\n"
                               "  kon 4\n"
                               "end parameters\n"
                               "begin molecule types\n"
                               "  L(r,r)\n"
                               "  R(l,d)\n"
                               "end molecule types\n"
                               "begin seed species\n"
                               "  L(r,r) 1\n"
                               "  R(l,d!1).R(l,d!1) 1\n"
                               "end seed species\n"
                               "begin reaction rules\n"
                               "  L(r) + R(l) -> L(r!1).R(l!1) kon\n"
                               "end reaction rules\n"
                               "end model\n");
    if (!m) return;
    net = generate(m, 1, 0, NULL);
    if (net) {
        expect_counts(m, net, 3, 1);
        expect_rxn(m, net, "L(r,r) + R(l,d!1).R(l,d!1)", "L(r!1,r).R(l!1,d!2).R(l,d!2)", "kon",
                   4.0);
    }
    done(m, net);
}

static void test_factor_context_molecules(void)
{
    printf("test_factor_context_molecules\n");
    /* R(y~0).R(): the second R is context. On a scaffold carrying three y~0 receptors
     * each of the 3 receptors can be the target (each has 2 possible contexts, which
     * must not multiply): 3*k, then 2*k, then k. A free receptor has no second R in its
     * complex and does not react. */
    ilnet_bngl_model *m =
        load("context.bngl", "begin model\n"
                             "begin parameters\n"
                             "  k 0.9\n"
                             "end parameters\n"
                             "begin molecule types\n"
                             "  S(r,r,r)\n"
                             "  R(s,y~0~1)\n"
                             "end molecule types\n"
                             "begin seed species\n"
                             "  S(r!1,r!2,r!3).R(s!1,y~0).R(s!2,y~0).R(s!3,y~0) 1\n"
                             "  R(s,y~0) 1\n"
                             "end seed species\n"
                             "begin reaction rules\n"
                             "  R(y~0).R() -> R(y~1).R() k\n"
                             "end reaction rules\n"
                             "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 5, 3);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~0).R(s!2,y~0).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~0).R(s!3,y~0)", "k", 3.0);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~0).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~0)", "k", 2.0);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~1)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "R(s,y~0)") == 0, "a free receptor must not react");
    }
    done(m, net);
}

static void test_factor_two_context_molecules(void)
{
    printf("test_factor_two_context_molecules\n");
    /* R(y~0).R().R(): two interchangeable context receptors. The pattern's automorphism
     * swapping them fixes the reaction centre, so it must not divide the rate, and the two
     * context orderings must count once: still 3*k, 2*k, k per distinct target. */
    ilnet_bngl_model *m =
        load("context2.bngl", "begin model\n"
                              "begin parameters\n"
                              "  k 0.9\n"
                              "end parameters\n"
                              "begin molecule types\n"
                              "  S(r,r,r)\n"
                              "  R(s,y~0~1)\n"
                              "end molecule types\n"
                              "begin seed species\n"
                              "  S(r!1,r!2,r!3).R(s!1,y~0).R(s!2,y~0).R(s!3,y~0) 1\n"
                              "end seed species\n"
                              "begin reaction rules\n"
                              "  R(y~0).R().R() -> R(y~1).R().R() k\n"
                              "end reaction rules\n"
                              "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 3);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~0).R(s!2,y~0).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~0).R(s!3,y~0)", "k", 3.0);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~0).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~0)", "k", 2.0);
        expect_rxn(m, net, "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~0)",
                   "S(r!1,r!2,r!3).R(s!1,y~1).R(s!2,y~1).R(s!3,y~1)", "k", 1.0);
    }
    done(m, net);
}

static void test_factor_context_component(void)
{
    printf("test_factor_context_component\n");
    /* A(s~u,s~p) -> A(s~p,s~p): the u site changes, the p site is context. On (u,u,p)
     * either u can change (2*k); on (u,p,p) the one u has two possible p contexts, which
     * count once (k). (u,u,u) has no p and would not react. */
    ilnet_bngl_model *m = load("ctxsite.bngl", "begin model\n"
                                               "begin parameters\n"
                                               "  k 0.4\n"
                                               "end parameters\n"
                                               "begin molecule types\n"
                                               "  A(s~u~p,s~u~p,s~u~p)\n"
                                               "end molecule types\n"
                                               "begin seed species\n"
                                               "  A(s~u,s~u,s~p) 1\n"
                                               "  A(s~u,s~u,s~u) 1\n"
                                               "end seed species\n"
                                               "begin reaction rules\n"
                                               "  A(s~u,s~p) -> A(s~p,s~p) k\n"
                                               "end reaction rules\n"
                                               "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 2);
        expect_rxn(m, net, "A(s~u,s~u,s~p)", "A(s~u,s~p,s~p)", "k", 2.0);
        expect_rxn(m, net, "A(s~u,s~p,s~p)", "A(s~p,s~p,s~p)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "A(s~u,s~u,s~u)") == 0, "(u,u,u) must not react");
    }
    done(m, net);
}

static void test_factor_symmetric_rule_bivalent(void)
{
    printf("test_factor_symmetric_rule_bivalent\n");
    /* L(r) + L(r) on L(r,r): symmetric rule (0.5 per ordering). L1 + L1: 2 x 2 site
     * pairs, one ordering: 4 * 0.5 = 2*k. L1 + L2 (the dimer has one free r on each L,
     * so 2 sites): 2 x 2 site pairs, two orderings: 8 * 0.5 = 4*k. max_agg 3 drops
     * L2 + L2 and L1 + L3. */
    ilnet_bngl_model *m = load("lsym.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  k 1.5\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  L(r,r)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  L(r,r) 1\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  L(r) + L(r) -> L(r!1).L(r!1) k\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 3, NULL);
    if (net) {
        expect_counts(m, net, 3, 2);
        expect_rxn(m, net, "L(r,r) + L(r,r)", "L(r,r!1).L(r!1,r)", "k", 2.0);
        expect_rxn(m, net, "L(r,r) + L(r,r!1).L(r!1,r)", "L(r,r!1).L(r!1,r!2).L(r!2,r)", "k", 4.0);
    }
    ilnet_network_free(net);
    /* max_agg 4: L2 + L2 -> L4, one ordering, 2 x 2 site pairs: 2*k; L1 + L3 (2 free
     * ends) -> L4: 2 x 2 x 2 orderings x 0.5 = 4*k */
    net = generate(m, 0, 4, NULL);
    if (net) {
        expect_counts(m, net, 4, 4);
        expect_rxn(m, net, "L(r,r!1).L(r!1,r) + L(r,r!1).L(r!1,r)",
                   "L(r,r!1).L(r!1,r!2).L(r!2,r!3).L(r!3,r)", "k", 2.0);
        expect_rxn(m, net, "L(r,r) + L(r,r!1).L(r!1,r!2).L(r!2,r)",
                   "L(r,r!1).L(r!1,r!2).L(r!2,r!3).L(r!3,r)", "k", 4.0);
    }
    done(m, net);
}

static void test_factor_zero_order_synthesis(void)
{
    printf("test_factor_zero_order_synthesis\n");
    /* 0 -> A(b): no reactants, one product, k */
    ilnet_bngl_model *m = load("zero.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  ksyn 7\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  A(b)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  A(b) 0\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  0 -> A(b) ksyn\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 1, 1);
        expect_rxn(m, net, "0", "A(b)", "ksyn", 1.0);
    }
    done(m, net);
}

static void test_factor_symmetric_pattern_one_change(void)
{
    printf("test_factor_symmetric_pattern_one_change\n");
    /* K(Y~U).K(Y~U) -> K(Y~U).K(Y~P): the reactant pattern is symmetric but the rule is
     * not (only the second K changes), so nothing is divided: in a U:U dimer either K can
     * be the target (2*k, as in toy-jim's reference 2*pK). On a scaffold with three U
     * kinases each of 3 targets has 2 possible U contexts, counted once: 3*k; then the two
     * remaining U targets, each with the other U as the only context: 2*k; a lone U
     * beside two P has no U context: no reaction. */
    ilnet_bngl_model *m = load("kk.bngl", "begin model\n"
                                          "begin parameters\n"
                                          "  pK 1.5\n"
                                          "end parameters\n"
                                          "begin molecule types\n"
                                          "  K(d,Y~U~P)\n"
                                          "  S(k,k,k)\n"
                                          "end molecule types\n"
                                          "begin seed species\n"
                                          "  K(d!1,Y~U).K(d!1,Y~U) 1\n"
                                          "  S(k!1,k!2,k!3).K(d!1,Y~U).K(d!2,Y~U).K(d!3,Y~U) 1\n"
                                          "end seed species\n"
                                          "begin reaction rules\n"
                                          "  K(Y~U).K(Y~U) -> K(Y~U).K(Y~P) pK\n"
                                          "end reaction rules\n"
                                          "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 5, 3);
        expect_rxn(m, net, "K(d!1,Y~U).K(d!1,Y~U)", "K(d!1,Y~U).K(d!1,Y~P)", "pK", 2.0);
        expect_rxn(m, net, "S(k!1,k!2,k!3).K(d!1,Y~U).K(d!2,Y~U).K(d!3,Y~U)",
                   "S(k!1,k!2,k!3).K(d!1,Y~P).K(d!2,Y~U).K(d!3,Y~U)", "pK", 3.0);
        expect_rxn(m, net, "S(k!1,k!2,k!3).K(d!1,Y~P).K(d!2,Y~U).K(d!3,Y~U)",
                   "S(k!1,k!2,k!3).K(d!1,Y~P).K(d!2,Y~P).K(d!3,Y~U)", "pK", 2.0);
        CHECK(n_rxn_consuming(m, net, "K(d!1,Y~U).K(d!1,Y~P)") == 0,
              "a U:P dimer has no second U and must not react");
        CHECK(n_rxn_consuming(m, net, "S(k!1,k!2,k!3).K(d!1,Y~P).K(d!2,Y~P).K(d!3,Y~U)") == 0,
              "a P,P,U scaffold has no second U and must not react");
    }
    done(m, net);
}

static void test_plus_reactants_are_separate_complexes(void)
{
    printf("test_plus_reactants_are_separate_complexes\n");
    /* X = A(b,x!1).B(a,y!1) has a free A.b and a free B.a. A(b) + B(a) joins two
     * different complexes only: X + X -> X2 (one ordering, rule not symmetric: k), never
     * an intra-complex ring. X + X2 (6 molecules) exceeds max_agg 4. */
    ilnet_bngl_model *m = load("plus.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  k 2.25\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  A(b,x)\n"
                                            "  B(a,y)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  A(b,x!1).B(a,y!1) 1\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  A(b) + B(a) -> A(b!1).B(a!1) k\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_netgen_stats st;
    ilnet_network *net = generate(m, 0, 4, &st);
    if (net) {
        expect_counts(m, net, 2, 1);
        expect_rxn(m, net, "A(b,x!1).B(a,y!1) + A(b,x!1).B(a,y!1)",
                   "B(a,y!1).A(b!2,x!1).B(a!2,y!3).A(b,x!3)", "k", 1.0);
        CHECK(st.truncated == 1, "X + X2 exceeds max_agg: truncated = %d", st.truncated);
    }
    ilnet_network_free(net);
    /* max_agg 6: X + X2 -> X3 either way round (X's A to X2's B, or X2's A to X's B):
     * the same linear chain, 2*k */
    net = generate(m, 0, 6, &st);
    if (net) {
        expect_counts(m, net, 3, 2);
        expect_rxn(m, net, "A(b,x!1).B(a,y!1) + B(a,y!1).A(b!2,x!1).B(a!2,y!3).A(b,x!3)",
                   "B(a,y!1).A(b!2,x!1).B(a!2,y!3).A(b!4,x!3).B(a!4,y!5).A(b,x!5)", "k", 2.0);
    }
    done(m, net);
}

static void test_factor_synthesis_catalysed_by_dimer(void)
{
    printf("test_factor_synthesis_catalysed_by_dimer\n");
    /* X() -> X() + I(): X is context, I is created. A monomer gives k; a dimer with two
     * X also gives k (the two maps differ only in the context molecule). */
    ilnet_bngl_model *m = load("synth.bngl", "begin model\n"
                                             "begin parameters\n"
                                             "  ks 1.75\n"
                                             "end parameters\n"
                                             "begin molecule types\n"
                                             "  X(d)\n"
                                             "  I()\n"
                                             "end molecule types\n"
                                             "begin seed species\n"
                                             "  X(d) 1\n"
                                             "  X(d!1).X(d!1) 1\n"
                                             "end seed species\n"
                                             "begin reaction rules\n"
                                             "  X() -> X() + I() ks\n"
                                             "end reaction rules\n"
                                             "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 3, 2);
        expect_rxn(m, net, "X(d)", "X(d) + I()", "ks", 1.0);
        expect_rxn(m, net, "X(d!1).X(d!1)", "X(d!1).X(d!1) + I()", "ks", 1.0);
    }
    done(m, net);
}

static void test_factor_heterodimerisation(void)
{
    printf("test_factor_heterodimerisation\n");
    /* A + B, different species and different patterns: k */
    ilnet_bngl_model *m = load("hetero.bngl", "begin model\n"
                                              "begin parameters\n"
                                              "  k 6\n"
                                              "end parameters\n"
                                              "begin molecule types\n"
                                              "  A(b)\n"
                                              "  B(a)\n"
                                              "end molecule types\n"
                                              "begin seed species\n"
                                              "  A(b) 1\n"
                                              "  B(a) 1\n"
                                              "end seed species\n"
                                              "begin reaction rules\n"
                                              "  A(b) + B(a) -> A(b!1).B(a!1) k\n"
                                              "end reaction rules\n"
                                              "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 3, 1);
        expect_rxn(m, net, "A(b) + B(a)", "A(b!1).B(a!1)", "k", 1.0);
    }
    done(m, net);
}

/* ---- 3. wildcards, exclusion, observables, product connectivity ---- */

static const char *OBS_MODEL = "begin model\n"
                               "begin molecule types\n"
                               "  A(b,s~u~p)\n"
                               "  B(a,c)\n"
                               "  C(b)\n"
                               "  L(r,r)\n"
                               "  M(l)\n"
                               "end molecule types\n"
                               "begin seed species\n"
                               "  A(b,s~u) 1\n"                     /* S1 */
                               "  A(b,s~p) 1\n"                     /* S2 */
                               "  A(b!1,s~u).B(a!1,c) 1\n"          /* S3 */
                               "  A(b!1,s~p).B(a!1,c!2).C(b!2) 1\n" /* S4 */
                               "  B(a,c) 1\n"                       /* S5 */
                               "  A(b!1,s~u).A(b!1,s~p) 1\n"        /* S6 */
                               "  A(b!1,s~p).A(b!1,s~p) 1\n"        /* S7 */
                               "  L(r,r) 1\n"                       /* S8 */
                               "  L(r!1,r).M(l!1) 1\n"              /* S9 */
                               "  L(r!1,r!2).M(l!1).M(l!2) 1\n"     /* S10 */
                               "  C(b) 1\n"                         /* S11 */
                               "end seed species\n"
                               "begin observables\n"
                               "  Molecules Abound A(b!+)\n"
                               "  Molecules Aany A(b!?)\n"
                               "  Molecules Afree A(b)\n"
                               "  Molecules Ap A(s~p)\n"
                               "  Molecules Awild A(s~?)\n"
                               "  Molecules Amol A\n"
                               "  Molecules AA A.A\n"
                               "  Species AAs A.A\n"
                               "  Species Asp A(s~p)\n"
                               "  Molecules AB A(b!1).B(a!1)\n"
                               "  Molecules Bc B(c!+)\n"
                               "  Molecules Bfree B(a!?,c)\n"
                               "  Molecules Lbound L(r!+)\n"
                               "  Molecules Lfree L(r)\n"
                               "  Molecules LM L(r!1).M(l!1)\n"
                               "  Species Lsp L(r!+)\n"
                               "  Molecules Lhalf L(r!+,r)\n"
                               "  Molecules AbB A(b!+).B()\n"
                               "  Molecules AdotC A.C\n"
                               "  Molecules Two A(s~p) B()\n"
                               "  Species STwo A(s~p) B()\n"
                               "end observables\n"
                               "end model\n";

static const char *OBS_SPECIES[] = {"A(b,s~u)",
                                    "A(b,s~p)",
                                    "A(b!1,s~u).B(a!1,c)",
                                    "A(b!1,s~p).B(a!1,c!2).C(b!2)",
                                    "B(a,c)",
                                    "A(b!1,s~u).A(b!1,s~p)",
                                    "A(b!1,s~p).A(b!1,s~p)",
                                    "L(r,r)",
                                    "L(r!1,r).M(l!1)",
                                    "L(r!1,r!2).M(l!1).M(l!2)",
                                    "C(b)"};

static void check_obs(ilnet_bngl_model *m, const ilnet_network *net, const char *name,
                      const double want[11])
{
    for (int s = 0; s < 11; s++) {
        double w = obs_weight(m, net, name, OBS_SPECIES[s]);
        CHECK(w == want[s], "observable %s on S%d %s: weight %g, want %g", name, s + 1,
              OBS_SPECIES[s], w, want[s]);
    }
}

static void test_observables_wildcards(void)
{
    printf("test_observables_wildcards\n");
    ilnet_bngl_model *m = load("obs.bngl", OBS_MODEL);
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 11, 0);
        /*                            S1 S2 S3 S4 S5 S6 S7 S8 S9 S10 S11 */
        /* b bound to anything: the A in S3, S4, both As in S6, S7 */
        check_obs(m, net, "Abound", (double[]){0, 0, 1, 1, 0, 2, 2, 0, 0, 0, 0});
        /* b bound or not: every A */
        check_obs(m, net, "Aany", (double[]){1, 1, 1, 1, 0, 2, 2, 0, 0, 0, 0});
        /* a listed site without a bond is free */
        check_obs(m, net, "Afree", (double[]){1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
        check_obs(m, net, "Ap", (double[]){0, 1, 0, 1, 0, 1, 2, 0, 0, 0, 0});
        /* any state, and a bare molecule name: every A */
        check_obs(m, net, "Awild", (double[]){1, 1, 1, 1, 0, 2, 2, 0, 0, 0, 0});
        check_obs(m, net, "Amol", (double[]){1, 1, 1, 1, 0, 2, 2, 0, 0, 0, 0});
        /* A.A: embeddings (2 per dimer, not divided by the pattern's symmetry) */
        check_obs(m, net, "AA", (double[]){0, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0});
        /* Species: each matching species once */
        check_obs(m, net, "AAs", (double[]){0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0});
        check_obs(m, net, "Asp", (double[]){0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0});
        check_obs(m, net, "AB", (double[]){0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0});
        check_obs(m, net, "Bc", (double[]){0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0});
        /* B with c free, a anything */
        check_obs(m, net, "Bfree", (double[]){0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0});
        /* L(r!+): bound r sites, 2 for the doubly bound L */
        check_obs(m, net, "Lbound", (double[]){0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0});
        /* L(r): free r sites, 2 for the free L */
        check_obs(m, net, "Lfree", (double[]){0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0});
        check_obs(m, net, "LM", (double[]){0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 0});
        check_obs(m, net, "Lsp", (double[]){0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0});
        /* L with one r bound and the other free: only the singly bound L, one way */
        check_obs(m, net, "Lhalf", (double[]){0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0});
        /* a bound A in a complex with a B */
        check_obs(m, net, "AbB", (double[]){0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0});
        /* '.' without a bond: A and C anywhere in one complex */
        check_obs(m, net, "AdotC", (double[]){0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0});
        /* two patterns: Molecules adds the embeddings of both */
        check_obs(m, net, "Two", (double[]){0, 1, 1, 2, 1, 1, 2, 0, 0, 0, 0});
        /* Species with two patterns: 1 per matching pattern (Observable.pm update():
         * n_match = 1 per pattern, summed over patterns), so S4 with a p-A and a B is 2 */
        check_obs(m, net, "STwo", (double[]){0, 1, 1, 2, 1, 1, 1, 0, 0, 0, 0});
    }
    done(m, net);
}

static void test_rule_bond_wildcard(void)
{
    printf("test_rule_bond_wildcard\n");
    /* A(b!+,s~u) -> A(b!+,s~p): only bound As. The u:u homodimer has two targets giving
     * the same product (2*k); the p:u dimer then one (k); the free A none. */
    ilnet_bngl_model *m = load("wild.bngl", "begin model\n"
                                            "begin parameters\n"
                                            "  k 0.25\n"
                                            "end parameters\n"
                                            "begin molecule types\n"
                                            "  A(b,s~u~p)\n"
                                            "  B(a)\n"
                                            "end molecule types\n"
                                            "begin seed species\n"
                                            "  A(b,s~u) 1\n"
                                            "  A(b!1,s~u).B(a!1) 1\n"
                                            "  A(b!1,s~u).A(b!1,s~u) 1\n"
                                            "end seed species\n"
                                            "begin reaction rules\n"
                                            "  A(b!+,s~u) -> A(b!+,s~p) k\n"
                                            "end reaction rules\n"
                                            "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 6, 3);
        expect_rxn(m, net, "A(b!1,s~u).B(a!1)", "A(b!1,s~p).B(a!1)", "k", 1.0);
        expect_rxn(m, net, "A(b!1,s~u).A(b!1,s~u)", "A(b!1,s~p).A(b!1,s~u)", "k", 2.0);
        expect_rxn(m, net, "A(b!1,s~p).A(b!1,s~u)", "A(b!1,s~p).A(b!1,s~p)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "A(b,s~u)") == 0, "a free A must not react");
    }
    done(m, net);
}

static void test_rule_intracomplex_binding(void)
{
    printf("test_rule_intracomplex_binding\n");
    /* L(r).R(l): one reactant pattern, both molecules in one complex. The L-R chain
     * closes into the 2-ring (one free r, one free l: k); the L-R-L-R chain closes its
     * ends into the 4-ring (k). Free L and R are separate complexes and do not react. */
    ilnet_bngl_model *m = load("close.bngl", "begin model\n"
                                             "begin parameters\n"
                                             "  kc 3.5\n"
                                             "end parameters\n"
                                             "begin molecule types\n"
                                             "  L(r,r)\n"
                                             "  R(l,l)\n"
                                             "end molecule types\n"
                                             "begin seed species\n"
                                             "  L(r,r) 1\n"
                                             "  R(l,l) 1\n"
                                             "  L(r!1,r).R(l!1,l) 1\n"
                                             "  L(r,r!1).R(l!1,l!2).L(r!2,r!3).R(l!3,l) 1\n"
                                             "end seed species\n"
                                             "begin reaction rules\n"
                                             "  L(r).R(l) -> L(r!1).R(l!1) kc\n"
                                             "end reaction rules\n"
                                             "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 6, 2);
        expect_rxn(m, net, "L(r!1,r).R(l!1,l)", "L(r!1,r!2).R(l!1,l!2)", "kc", 1.0);
        expect_rxn(m, net, "L(r,r!1).R(l!1,l!2).L(r!2,r!3).R(l!3,l)",
                   "L(r!4,r!1).R(l!1,l!2).L(r!2,r!3).R(l!3,l!4)", "kc", 1.0);
        CHECK(n_rxn_consuming(m, net, "L(r,r)") == 0, "a free L must not react");
        CHECK(n_rxn_consuming(m, net, "R(l,l)") == 0, "a free R must not react");
    }
    done(m, net);
}

static const char *INCL_MODEL_FMT = "begin model\n"
                                    "begin parameters\n"
                                    "  k 2\n"
                                    "end parameters\n"
                                    "begin molecule types\n"
                                    "  A(b)\n"
                                    "  B(a,c)\n"
                                    "  C(b)\n"
                                    "end molecule types\n"
                                    "begin seed species\n"
                                    "  A(b) 1\n"
                                    "  B(a,c) 1\n"
                                    "  B(a,c!1).C(b!1) 1\n"
                                    "end seed species\n"
                                    "begin reaction rules\n"
                                    "  A(b) + B(a) -> A(b!1).B(a!1) k %s\n"
                                    "end reaction rules\n"
                                    "end model\n";

static ilnet_bngl_model *load_fmt(const char *name, const char *fmt, const char *arg)
{
    char text[4096];
    snprintf(text, sizeof text, fmt, arg);
    return load(name, text);
}

static void test_include_exclude_reactants(void)
{
    printf("test_include_exclude_reactants\n");
    /* without conditions A binds both B species */
    ilnet_bngl_model *m = load_fmt("incl0.bngl", INCL_MODEL_FMT, "");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 5, 2);
        expect_rxn(m, net, "A(b) + B(a,c)", "A(b!1).B(a!1,c)", "k", 1.0);
        expect_rxn(m, net, "A(b) + B(a,c!1).C(b!1)", "A(b!1).B(a!1,c!2).C(b!2)", "k", 1.0);
    }
    done(m, net);

    /* exclude_reactants(2,C): the B.C complex is not a reactant 2 */
    m = load_fmt("excl.bngl", INCL_MODEL_FMT, "exclude_reactants(2,C)");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 1);
        expect_rxn(m, net, "A(b) + B(a,c)", "A(b!1).B(a!1,c)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "B(a,c!1).C(b!1)") == 0, "B.C must be excluded");
    }
    done(m, net);

    /* include_reactants(2,C): only the B.C complex */
    m = load_fmt("incl.bngl", INCL_MODEL_FMT, "include_reactants(2,C)");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 1);
        expect_rxn(m, net, "A(b) + B(a,c!1).C(b!1)", "A(b!1).B(a!1,c!2).C(b!2)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, "B(a,c)") == 0, "a free B must not react");
    }
    done(m, net);

    /* include_reactants(1,C): no A species contains C: nothing happens */
    m = load_fmt("incl1.bngl", INCL_MODEL_FMT, "include_reactants(1,C)");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) expect_counts(m, net, 3, 0);
    done(m, net);
}

static const char *RING_MODEL_FMT = "begin model\n"
                                    "begin parameters\n"
                                    "  k 1.25\n"
                                    "end parameters\n"
                                    "begin molecule types\n"
                                    "  R(l,r)\n"
                                    "end molecule types\n"
                                    "begin seed species\n"
                                    "  R(l!1,r!2).R(l!2,r!3).R(l!3,r!1) 1\n"
                                    "  R(l!1,r!2).R(l!2,r!1) 1\n"
                                    "  R(l,r!1).R(l!1,r) 1\n"
                                    "end seed species\n"
                                    "begin reaction rules\n"
                                    "  %s k\n"
                                    "end reaction rules\n"
                                    "end model\n";

static void test_product_connectivity(void)
{
    printf("test_product_connectivity\n");
    const char *ring3 = "R(l!1,r!2).R(l!2,r!3).R(l!3,r!1)";
    const char *ring2 = "R(l!1,r!2).R(l!2,r!1)";
    const char *dimer = "R(l,r!1).R(l!1,r)";
    const char *chain3 = "R(l,r!1).R(l!1,r!2).R(l!2,r)";
    /* '+' products: only a bond whose breaking splits the complex; in the rings no bond
     * does. The open dimer splits into two monomers (one map: k). */
    ilnet_bngl_model *m = load_fmt("split.bngl", RING_MODEL_FMT, "R(r!1).R(l!1) -> R(r) + R(l)");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 1);
        expect_rxn(m, net, dimer, "R(l,r) + R(l,r)", "k", 1.0);
        CHECK(n_rxn_consuming(m, net, ring3) == 0, "a '+' rule must not open the 3-ring");
        CHECK(n_rxn_consuming(m, net, ring2) == 0, "a '+' rule must not open the 2-ring");
    }
    done(m, net);

    /* '.' products: only when the complex stays connected. The 3-ring opens at any of
     * its 3 bonds into the same 3-chain (3*k); the 2-ring at either of its 2 bonds into
     * the open dimer (2*k); the dimer and the 3-chain would split: no reaction. */
    m = load_fmt("open.bngl", RING_MODEL_FMT, "R(r!1).R(l!1) -> R(r).R(l)");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 2);
        expect_rxn(m, net, ring3, chain3, "k", 3.0);
        expect_rxn(m, net, ring2, dimer, "k", 2.0);
        CHECK(n_rxn_consuming(m, net, dimer) == 0, "a '.' rule must not split the dimer");
        CHECK(n_rxn_consuming(m, net, chain3) == 0, "a '.' rule must not split the 3-chain");
    }
    done(m, net);
}

static void test_reversible_ring_opening(void)
{
    printf("test_reversible_ring_opening\n");
    /* R(r!1).R(l!1) <-> R(r).R(l): forward opens the 3-ring at any of 3 bonds (3*kf);
     * the reverse, with both reactant molecules in one complex, closes the 3-chain (its
     * one free r and one free l: kr). Neither direction applies to anything else. */
    ilnet_bngl_model *m = load("ringrev.bngl", "begin model\n"
                                               "begin parameters\n"
                                               "  kf 1.25\n"
                                               "  kr 0.75\n"
                                               "end parameters\n"
                                               "begin molecule types\n"
                                               "  R(l,r)\n"
                                               "end molecule types\n"
                                               "begin seed species\n"
                                               "  R(l!1,r!2).R(l!2,r!3).R(l!3,r!1) 1\n"
                                               "end seed species\n"
                                               "begin reaction rules\n"
                                               "  R(r!1).R(l!1) <-> R(r).R(l) kf, kr\n"
                                               "end reaction rules\n"
                                               "end model\n");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 2, 2);
        expect_rxn(m, net, "R(l!1,r!2).R(l!2,r!3).R(l!3,r!1)", "R(l,r!1).R(l!1,r!2).R(l!2,r)", "kf",
                   3.0);
        expect_rxn(m, net, "R(l,r!1).R(l!1,r!2).R(l!2,r)", "R(l!1,r!2).R(l!2,r!3).R(l!3,r!1)", "kr",
                   1.0);
    }
    done(m, net);
}

/* ---- 4. deletion ---- */

static const char *DEL_MODEL_FMT = "begin model\n"
                                   "begin parameters\n"
                                   "  kdeg 0.5\n"
                                   "end parameters\n"
                                   "begin molecule types\n"
                                   "  A(b,c)\n"
                                   "  B(a)\n"
                                   "  C(a)\n"
                                   "end molecule types\n"
                                   "begin seed species\n"
                                   "  A(b!1,c).B(a!1) 1\n"
                                   "  B(a!1).A(b!1,c!2).C(a!2) 1\n"
                                   "  A(b,c) 1\n"
                                   "  A(b!1,c).A(b!1,c) 1\n"
                                   "end seed species\n"
                                   "begin reaction rules\n"
                                   "  A() -> 0 kdeg%s\n"
                                   "end reaction rules\n"
                                   "end model\n";

static void test_delete_molecules(void)
{
    printf("test_delete_molecules\n");
    /* without DeleteMolecules the whole species containing A goes */
    ilnet_bngl_model *m = load_fmt("delspecies.bngl", DEL_MODEL_FMT, "");
    if (!m) return;
    ilnet_network *net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 4, 4);
        expect_rxn(m, net, "A(b!1,c).B(a!1)", "0", "kdeg", 1.0);
        expect_rxn(m, net, "B(a!1).A(b!1,c!2).C(a!2)", "0", "kdeg", 1.0);
        expect_rxn(m, net, "A(b,c)", "0", "kdeg", 1.0);
        /* either A of the dimer can be the one degraded (two reaction centres): 2*kdeg */
        expect_rxn(m, net, "A(b!1,c).A(b!1,c)", "0", "kdeg", 2.0);
    }
    done(m, net);

    /* with DeleteMolecules only A goes and its partners are released */
    m = load_fmt("delmol.bngl", DEL_MODEL_FMT, " DeleteMolecules");
    if (!m) return;
    net = generate(m, 0, 0, NULL);
    if (net) {
        expect_counts(m, net, 6, 4);
        expect_rxn(m, net, "A(b!1,c).B(a!1)", "B(a)", "kdeg", 1.0);
        expect_rxn(m, net, "B(a!1).A(b!1,c!2).C(a!2)", "B(a) + C(a)", "kdeg", 1.0);
        expect_rxn(m, net, "A(b,c)", "0", "kdeg", 1.0);
        /* deleting either A of the dimer leaves the other free: 2*kdeg */
        expect_rxn(m, net, "A(b!1,c).A(b!1,c)", "A(b,c)", "kdeg", 2.0);
    }
    done(m, net);
}

/* ---- 5. limits ---- */

static const char *POLY_MODEL_FMT = "begin model\n"
                                    "begin parameters\n"
                                    "  kp 0.5\n"
                                    "end parameters\n"
                                    "begin molecule types\n"
                                    "  A(l,r)\n"
                                    "end molecule types\n"
                                    "begin seed species\n"
                                    "  A(l,r) 1\n"
                                    "end seed species\n"
                                    "begin reaction rules\n"
                                    "  A(r) + A(l) -> A(r!1).A(l!1) kp\n"
                                    "end reaction rules\n"
                                    "end model\n"
                                    "%s\n";

/* linear chain of n A(l,r) */
static char *chain(int n)
{
    char *s = malloc((size_t)n * 32 + 8), *p = s;
    for (int i = 1; i <= n; i++) {
        p += sprintf(p, "%sA(l", i > 1 ? "." : "");
        if (i > 1) p += sprintf(p, "!%d", i - 1);
        p += sprintf(p, ",r");
        if (i < n) p += sprintf(p, "!%d", i);
        p += sprintf(p, ")");
    }
    return s;
}

/* chain n + chain m -> chain n+m: the free r of either may bind the free l of the other,
 * so 2*kp for n != m; for n == m the one species in both roles (the rule is not
 * symmetric, its patterns differ): kp */
static void expect_poly(ilnet_bngl_model *m, const ilnet_network *net, int a, int b)
{
    char *ca = chain(a), *cb = chain(b), *cab = chain(a + b);
    char reac[2048];
    snprintf(reac, sizeof reac, "%s + %s", ca, cb);
    expect_rxn(m, net, reac, cab, "kp", a == b ? 1.0 : 2.0);
    free(ca);
    free(cb);
    free(cab);
}

static void test_limits_polymer(void)
{
    printf("test_limits_polymer\n");
    ilnet_bngl_model *m = load_fmt("poly.bngl", POLY_MODEL_FMT, "");
    if (!m) return;
    ilnet_netgen_stats st;

    /* max_agg 5: chains 1..5; reactions a+b with a <= b, a+b <= 5: (1,1) (1,2) (1,3)
     * (1,4) (2,2) (2,3); longer products are dropped with their reactions */
    ilnet_network *net = generate(m, 0, 5, &st);
    if (net) {
        expect_counts(m, net, 5, 6);
        CHECK(st.truncated == 1, "max_agg dropped products: truncated = %d", st.truncated);
        expect_poly(m, net, 1, 1);
        expect_poly(m, net, 1, 2);
        expect_poly(m, net, 1, 3);
        expect_poly(m, net, 1, 4);
        expect_poly(m, net, 2, 2);
        expect_poly(m, net, 2, 3);
    }
    ilnet_network_free(net);

    /* max_iter 2: round 1 makes A2 from A1+A1; round 2 applies the rule to pairs with
     * A2: A1+A2 -> A3, A2+A2 -> A4. Species A1..A4, 3 reactions. */
    net = generate(m, 2, 0, &st);
    if (net) {
        expect_counts(m, net, 4, 3);
        CHECK(st.iterations == 2, "max_iter 2: %d rounds", st.iterations);
        expect_poly(m, net, 1, 1);
        expect_poly(m, net, 1, 2);
        expect_poly(m, net, 2, 2);
    }
    ilnet_network_free(net);

    /* max_iter 3: round 3 adds every pair with A3 or A4: (1,3) (1,4) (2,3) (2,4) (3,3)
     * (3,4) (4,4): species A1..A8, 3 + 7 = 10 reactions */
    net = generate(m, 3, 0, &st);
    if (net) {
        expect_counts(m, net, 8, 10);
        expect_poly(m, net, 3, 4);
        expect_poly(m, net, 4, 4);
    }
    ilnet_network_free(net);

    /* both: max_iter 3 and max_agg 5 -> A1..A5; reactions (1,1) (1,2) (2,2) from rounds
     * 1-2, then (1,3) (1,4) (2,3) in round 3 */
    net = generate(m, 3, 5, &st);
    if (net) expect_counts(m, net, 5, 6);
    ilnet_network_free(net);
    ilnet_bngl_free(m);

    /* the same limits read from the generate_network action */
    m = load_fmt("poly_act.bngl", POLY_MODEL_FMT,
                 "generate_network({overwrite=>1,max_agg=>5,max_iter=>10})");
    if (!m) return;
    ilnet_netgen_options o;
    if (ilnet_bngl_netgen_options(&o, m)) {
        CHECK(0, "generate_network options: %s", ilnet_error_last());
    } else {
        CHECK(o.max_agg == 5 && o.max_iter == 10, "options: max_agg %d, max_iter %d", o.max_agg,
              o.max_iter);
        net = NULL;
        if (ilnet_bngl_generate(&net, m, &o, &st))
            CHECK(0, "generate: %s", ilnet_error_last());
        else
            expect_counts(m, net, 5, 6);
        ilnet_network_free(net);
        ilnet_netgen_options_free(&o);
    }
    ilnet_bngl_free(m);

    /* max_stoich {A=>3}: chains 1..3, reactions (1,1) and (1,2) */
    m = load_fmt("poly_stoich.bngl", POLY_MODEL_FMT,
                 "generate_network({overwrite=>1,max_stoich=>{A=>3}})");
    if (!m) return;
    if (ilnet_bngl_netgen_options(&o, m)) {
        CHECK(0, "generate_network options: %s", ilnet_error_last());
    } else {
        net = NULL;
        if (ilnet_bngl_generate(&net, m, &o, &st)) {
            CHECK(0, "generate: %s", ilnet_error_last());
        } else {
            expect_counts(m, net, 3, 2);
            expect_poly(m, net, 1, 1);
            expect_poly(m, net, 1, 2);
        }
        ilnet_network_free(net);
        ilnet_netgen_options_free(&o);
    }
    ilnet_bngl_free(m);
}

int main(void)
{
    if (ilnet_canon_ws_new(&cws)) {
        fprintf(stderr, "%s\n", ilnet_error_last());
        return 1;
    }
    test_canon_homodimer_states();
    test_canon_ring_vs_chain();
    test_canon_identical_sites();
    test_canon_multibond_site();
    test_canon_regular_graphs();
    test_canon_random_against_bruteforce();
    test_canon_large_symmetric();
    test_canon_many_parallel_bonds();
    test_canon_long_chains();
    test_factor_homodimerisation();
    test_factor_symmetric_rule_two_species();
    test_factor_asymmetric_pattern_on_symmetric_dimer();
    test_factor_equivalent_sites();
    test_factor_symmetric_star();
    test_factor_bivalent_ligand();
    test_factor_context_molecules();
    test_factor_two_context_molecules();
    test_factor_context_component();
    test_factor_symmetric_rule_bivalent();
    test_factor_zero_order_synthesis();
    test_factor_symmetric_pattern_one_change();
    test_plus_reactants_are_separate_complexes();
    test_factor_synthesis_catalysed_by_dimer();
    test_factor_heterodimerisation();
    test_observables_wildcards();
    test_rule_bond_wildcard();
    test_rule_intracomplex_binding();
    test_include_exclude_reactants();
    test_product_connectivity();
    test_reversible_ring_opening();
    test_delete_molecules();
    test_limits_polymer();
    ilnet_canon_ws_free(cws);
    CHECK_DONE();
}

/* SBML reactions: kinetic laws that are pure mass action (a constant times the reactants'
 * concentrations, each to its stoichiometry) stay on the mass-action fast path with an
 * analytic Jacobian; any other law is a general rate expression. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ilnet_sbml_reader ctx;
typedef ilnet_sbml_sym sym;

/* ---- mass-action detection ---- */

/* Flattens a product into factors (children of nested times). */
static int factors(const ASTNode_t *n, const ASTNode_t **out, int max, int k)
{
    if (ASTNode_getType(n) == AST_TIMES) {
        for (unsigned i = 0; i < ASTNode_getNumChildren(n) && k >= 0; i++)
            k = factors(ASTNode_getChild(n, i), out, max, k);
        return k;
    }
    if (k >= max) return -1;
    out[k++] = n;
    return k;
}

static int constant_math(ctx *c, const ASTNode_t *n)
{
    ASTNodeType_t t = ASTNode_getType(n);
    if (t == AST_NAME) {
        sym *s = ilnet_sbml_lookup(c, ASTNode_getName(n));
        return s && s->kind != ILNET_SBML_SPECIES && !s->assigned && !s->rate_rule &&
               !s->event_target;
    }
    if (t == AST_NAME_TIME || t == AST_FUNCTION_DELAY || t == AST_FUNCTION_RATE_OF ||
        t == AST_FUNCTION_PIECEWISE)
        return 0;
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (!constant_math(c, ASTNode_getChild(n, i))) return 0;
    return 1;
}

/* the reactants a mass-action law must account for: their ids and stoichiometries */
typedef struct {
    unsigned n;
    const char *ids[64];
    double need[64]; /* stoichiometry not yet matched by a factor */
} reactant_need;

/* One factor of a candidate law: a reactant (to a whole power) takes that much of its
 * stoichiometry, anything else must be constant and goes into the rate constant b.
 * Returns 0 when the factor fits mass action. */
static int mass_action_factor(ctx *c, const ASTNode_t *f, reactant_need *rn, ilnet_strbuf *b)
{
    const ASTNode_t *x = f;
    double power = 1;
    if ((ASTNode_getType(x) == AST_POWER || ASTNode_getType(x) == AST_FUNCTION_POWER) &&
        ASTNode_getNumChildren(x) == 2 && ASTNode_getType(ASTNode_getChild(x, 0)) == AST_NAME &&
        (ASTNode_getType(ASTNode_getChild(x, 1)) == AST_INTEGER ||
         ASTNode_getType(ASTNode_getChild(x, 1)) == AST_REAL)) {
        power = ASTNode_getReal(ASTNode_getChild(x, 1));
        x = ASTNode_getChild(x, 0);
    }
    if (ASTNode_getType(x) == AST_NAME) {
        sym *s = ilnet_sbml_lookup(c, ASTNode_getName(x));
        if (s && s->kind == ILNET_SBML_SPECIES) {
            int hit = -1;
            for (unsigned j = 0; j < rn->n; j++)
                if (!strcmp(rn->ids[j], s->id)) hit = (int)j;
            if (hit < 0 || power != floor(power) || power < 1) return -1;
            rn->need[hit] -= power;
            /* [S] = n/V: the constant absorbs 1/V per factor */
            for (int p = 0; p < (int)power && s->conc; p++)
                ilnet_strbuf_printf(b, "/%s", s->comp);
            return 0;
        }
    }
    if (power != 1 || !constant_math(c, f)) return -1;
    char *t = ilnet_sbml_math_text(c, f, "a kinetic law");
    if (!t) return -1;
    ilnet_strbuf_append(b, "*(");
    ilnet_strbuf_append(b, t);
    ilnet_strbuf_append(b, ")");
    free(t);
    return 0;
}

/* If law = constant * product over reactants of [S]^stoich (or S^stoich for amount
 * species), writes the mass-action rate constant in amounts into *k and returns 1. */
static int mass_action(ctx *c, const ASTNode_t *law, Reaction_t *r, char **k)
{
    const ASTNode_t *f[64];
    int nf = factors(law, f, 64, 0);
    if (nf < 0) return 0;
    reactant_need rn;
    rn.n = Reaction_getNumReactants(r);
    if (rn.n > 64) return 0;
    for (unsigned i = 0; i < rn.n; i++) {
        SpeciesReference_t *sr = Reaction_getReactant(r, i);
        rn.ids[i] = SpeciesReference_getSpecies(sr);
        rn.need[i] = SpeciesReference_getStoichiometry(sr);
        sym *s = ilnet_sbml_lookup(c, rn.ids[i]);
        if (!s || s->assigned || s->net_species < 0 || rn.need[i] != floor(rn.need[i]) ||
            rn.need[i] < 0)
            return 0;
    }
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_strbuf_append(&b, "1");
    int ok = 1;
    for (int i = 0; i < nf && ok; i++)
        ok = !mass_action_factor(c, f[i], &rn, &b);
    for (unsigned i = 0; i < rn.n && ok; i++)
        ok = rn.need[i] == 0;
    if (!ok || b.failed) {
        /* not mass action (or no memory to say so): the law is a general rate */
        ilnet_strbuf_free(&b);
        ilnet_error_clear();
        return 0;
    }
    *k = ilnet_strbuf_detach(&b);
    return 1;
}

/* ---- reactions ---- */

/* the network species and stoichiometries of a reaction's reactants (0) and products (1);
 * converted: a conversion factor scaled some stoichiometry, or a boundary species was left
 * out (the law cannot stay on the mass-action path, whose reactant list is also the
 * consumption) */
typedef struct {
    int sp[2][256];
    double co[2][256];
    int ns[2];
    int converted;
    /* species whose stoichiometry can change (rules, events, initial assignments,
     * stoichiometryMath): their term of the reaction, stoich(t) * factor * law, goes into a
     * reaction of its own (vs_expr malloc'ed) */
    int nv, vs_sp[64], vs_side[64];
    char *vs_expr[64];
    double vs_f[64];
} sides;

static void sides_free(sides *x)
{
    for (int k = 0; k < x->nv; k++)
        free(x->vs_expr[k]);
    x->nv = 0;
}

/* A species' conversion factor (its own, else the model's), which multiplies the species'
 * stoichiometry in every reaction (SBML L3: the change of a species' amount is the factor
 * times the reaction's extent): a constant parameter's value in *f (1 without one), or the
 * id of a parameter that can change (rules, events, an initial assignment) in *var. */
int ilnet_sbml_conversion_factor(ctx *c, const char *species, double *f, const char **var)
{
    *f = 1;
    *var = NULL;
    Species_t *s = Model_getSpeciesById(c->m, species);
    const char *id = s && Species_isSetConversionFactor(s) ? Species_getConversionFactor(s)
                     : Model_isSetConversionFactor(c->m)   ? Model_getConversionFactor(c->m)
                                                           : NULL;
    if (!id) return 0;
    Parameter_t *p = Model_getParameterById(c->m, id);
    if (!p) return ilnet_sbml_unsupported(c, "conversion factor that is not a parameter", id);
    if (!Parameter_getConstant(p) || Model_getInitialAssignmentBySym(c->m, id))
        *var = id;
    else
        *f = Parameter_getValue(p);
    return 0;
}

/* The stoichiometry of sr as an expression (*expr malloc'ed) when it is not a constant
 * number: stoichiometryMath, or an id that rules, events or an initial assignment set;
 * *expr = NULL for a constant. */
static int variable_stoichiometry(ctx *c, SpeciesReference_t *sr, const char *rid, char **expr)
{
    *expr = NULL;
    char where[512];
    snprintf(where, sizeof where, "the stoichiometry of a species in reaction '%s'", rid);
    if (SpeciesReference_isSetStoichiometryMath(sr)) {
        const StoichiometryMath_t *sm = SpeciesReference_getStoichiometryMath(sr);
        if (!StoichiometryMath_getMath(sm)) return 0; /* no math: the stoichiometry stands */
        *expr = ilnet_sbml_math_text(c, StoichiometryMath_getMath(sm), where);
        return *expr ? 0 : ILNET_EINPUT;
    }
    const char *srid = SpeciesReference_getId(sr);
    sym *s = srid && *srid ? ilnet_sbml_lookup(c, srid) : NULL;
    int j = s ? ilnet_strmap_get(&c->init_assign, srid, (size_t)-1) : -1;
    if (!s || !(s->assigned || s->rate_rule || s->event_target || s->state_init || j >= 0))
        return 0;
    if (!(*expr = strdup(srid))) return ilnet_error_oom();
    return 0;
}

/* "(a)*(b)" (malloc'ed; a freed), or NULL out of memory */
static char *times_text(char *a, const char *b)
{
    ilnet_strbuf t = ILNET_STRBUF_INIT;
    ilnet_strbuf_printf(&t, "(%s)*(%s)", a, b);
    free(a);
    return ilnet_strbuf_detach(&t);
}

/* a term whose stoichiometry or conversion factor can change: a reaction of its own */
static int add_variable(ctx *c, sides *x, int sp, int side, double f, char *expr, const char *rid)
{
    if (x->nv == 64) {
        free(expr);
        return ilnet_sbml_unsupported(c, "more than 64 variable stoichiometries in reaction", rid);
    }
    x->vs_sp[x->nv] = sp;
    x->vs_side[x->nv] = side;
    x->vs_f[x->nv] = f;
    x->vs_expr[x->nv++] = expr;
    x->converted = 1; /* the law is no longer the whole consumption */
    return 0;
}

/* one species reference of a reaction into x */
static int add_reference(ctx *c, sides *x, SpeciesReference_t *sr, int side, const char *rid)
{
    const char *species = SpeciesReference_getSpecies(sr), *cf_var = NULL;
    sym *s = ilnet_sbml_lookup(c, species);
    if (!s || s->kind != ILNET_SBML_SPECIES)
        return ilnet_error_set(ILNET_EINPUT, "%s: reaction '%s' refers to unknown species '%s'",
                               c->path, rid, species);
    if (s->assigned) return 0; /* boundary species set by a rule */
    if (s->rate_rule && Species_getBoundaryCondition(Model_getSpeciesById(c->m, s->id))) {
        /* a boundary species with a rate rule is a state the reactions read but do not
         * change: left out of the sides, the law evaluated as written */
        x->converted = 1;
        return 0;
    }
    if (x->ns[side] == 256)
        return ilnet_sbml_unsupported(c, "more than 256 reactants or products in reaction", rid);
    double st = SpeciesReference_getStoichiometry(sr), f;
    if (isnan(st)) st = 1;
    int rc = ilnet_sbml_conversion_factor(c, species, &f, &cf_var);
    if (rc) return rc;
    if (f != 1) x->converted = 1;
    char *expr = NULL;
    if ((rc = variable_stoichiometry(c, sr, rid, &expr))) return rc;
    if (!expr && cf_var) { /* a constant stoichiometry times a varying factor */
        ilnet_strbuf t = ILNET_STRBUF_INIT;
        ilnet_sbml_put_number(&t, st);
        if (!(expr = ilnet_strbuf_detach(&t))) return ILNET_ENOMEM;
    }
    if (expr && cf_var && !(expr = times_text(expr, cf_var))) return ILNET_ENOMEM;
    if (expr) return add_variable(c, x, s->net_species, side, f, expr, rid);
    x->sp[side][x->ns[side]] = s->net_species;
    x->co[side][x->ns[side]++] = st * f;
    return 0;
}

static int reaction_sides(ctx *c, Reaction_t *r, sides *x)
{
    const char *rid = Reaction_getId(r);
    int rc = 0;
    x->ns[0] = x->ns[1] = x->converted = x->nv = 0;
    for (int side = 0; side < 2 && !rc; side++) {
        unsigned n = side ? Reaction_getNumProducts(r) : Reaction_getNumReactants(r);
        for (unsigned k = 0; k < n && !rc; k++)
            rc = add_reference(c, x, side ? Reaction_getProduct(r, k) : Reaction_getReactant(r, k),
                               side, rid);
    }
    return rc;
}

/* mass action multiplies each reactant once per unit of stoichiometry */
static int add_mass_action(ctx *c, ilnet_network *net, const sides *x, const char *k,
                           const char *rid)
{
    int ex[256], ne = 0;
    for (int q = 0; q < x->ns[0]; q++)
        for (int u = 0; u < (int)x->co[0][q]; u++) {
            if (ne == 256)
                return ilnet_sbml_unsupported(c, "stoichiometry above 256 in reaction", rid);
            ex[ne++] = x->sp[0][q];
        }
    return ilnet_network_add_reaction_ex(net, ex, NULL, ne, x->sp[1], x->co[1], x->ns[1], k, rid, 0,
                                         0);
}

/* each variable-stoichiometry species: a reaction of its own, consuming or producing one
 * unit at the rate stoich(t) * conversion factor * law */
static int add_variable_terms(ilnet_network *net, const sides *x, const char *law, const char *rid)
{
    int rc = 0;
    for (int v = 0; v < x->nv && !rc; v++) {
        ilnet_strbuf b = ILNET_STRBUF_INIT;
        ilnet_strbuf_printf(&b, "(%s)*", x->vs_expr[v]);
        ilnet_sbml_put_number(&b, x->vs_f[v]);
        ilnet_strbuf_printf(&b, "*(%s)", law);
        char *rate = ilnet_strbuf_detach(&b);
        if (!rate) return ilnet_error_oom();
        double one = 1;
        const int *sp = &x->vs_sp[v];
        int reactant = x->vs_side[v] == 0;
        rc = ilnet_network_add_reaction_ex(net, reactant ? sp : NULL, &one, reactant,
                                           reactant ? NULL : sp, &one, !reactant, rate, rid, 0, 1);
        free(rate);
    }
    return rc;
}

static int add_reaction(ctx *c, ilnet_network *net, Reaction_t *r)
{
    const char *rid = Reaction_getId(r);
    KineticLaw_t *kl = Reaction_getKineticLaw(r);
    if (!kl || !KineticLaw_getMath(kl))
        return ilnet_error_set(ILNET_EINPUT, "%s: reaction '%s' has no kinetic law", c->path, rid);
    sides x;
    int rc = reaction_sides(c, r, &x);
    if (rc) {
        sides_free(&x);
        return rc;
    }
    char where[512];
    snprintf(where, sizeof where, "the kinetic law of reaction '%s'", rid);
    char *k = NULL;
    int ma = !x.converted && mass_action(c, KineticLaw_getMath(kl), r, &k);
    if (!ma) k = ilnet_sbml_math_text(c, KineticLaw_getMath(kl), where);
    if (!k) {
        sides_free(&x);
        return ILNET_EINPUT;
    }
    if (ma)
        rc = add_mass_action(c, net, &x, k, rid);
    else
        rc = ilnet_network_add_reaction_ex(net, x.sp[0], x.co[0], x.ns[0], x.sp[1], x.co[1],
                                           x.ns[1], k, rid, 0, 1);
    if (!rc) rc = add_variable_terms(net, &x, k, rid);
    sides_free(&x);
    free(k);
    /* a reaction id in math means its rate: a function with the kinetic law */
    if (!rc && c->rate_refs) {
        char *law = ilnet_sbml_math_text(c, KineticLaw_getMath(kl), where);
        if (!law) return ILNET_EINPUT;
        rc = ilnet_network_add_function(net, rid, law, 0);
        free(law);
    }
    return rc;
}

int ilnet_sbml_add_reactions(ctx *c, ilnet_network *net)
{
    int rc = 0;
    for (unsigned i = 0; i < Model_getNumReactions(c->m) && !rc; i++)
        rc = add_reaction(c, net, Model_getReaction(c->m, i));
    return rc;
}

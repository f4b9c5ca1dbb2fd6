/* SBML Level 3 Version 2 export of any ilnet network (libsbml): species as amounts
 * (hasOnlySubstanceUnits) in one compartment of size 1, parameters with their expressions
 * as initial assignments, functions and observables as assignment rules, reactions with
 * mass-action or general kinetic laws. */
#include "sbml.h"

#include "../../common/error.h"
#include "../../common/strbuf.h"
#include "../../common/strmap.h"

#include <ctype.h>
#include <errno.h>
#include <sbml/SBMLTypes.h>
#include <sbml/math/L3Parser.h>
#include <sbml/math/L3ParserSettings.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const ilnet_network *net;
    const char *path;
    char **sid; /* species index -> SBML id */
    ilnet_strmap by_name;
    L3ParserSettings_t *ps;
} wctx;

static int valid_sid(const char *s)
{
    if (!isalpha((unsigned char)*s) && *s != '_') return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

/* ilnet expression constructs without an L3 formula equivalent, rewritten on the tree */
static int fix_tree(wctx *w, ASTNode_t *n, const char *what)
{
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (fix_tree(w, ASTNode_getChild(n, i), what)) return -1;
    ASTNodeType_t t = ASTNode_getType(n);
    if (t == AST_NAME) {
        const char *nm = ASTNode_getName(n);
        int i = ilnet_strmap_get(&w->by_name, nm, (size_t)-1);
        if (i >= 0)
            ASTNode_setName(n, w->sid[i]);
        else if (!strcmp(nm, "time") && ilnet_network_find_parameter(w->net, "time") < 0)
            ASTNode_setType(n, AST_NAME_TIME);
        else if (!strcmp(nm, "_pi"))
            ASTNode_setType(n, AST_CONSTANT_PI);
        else if (!strcmp(nm, "_e"))
            ASTNode_setType(n, AST_CONSTANT_E);
        return 0;
    }
    if (t != AST_FUNCTION) return 0;
    const char *f = ASTNode_getName(n);
    unsigned k = ASTNode_getNumChildren(n);
    if (k == 0 && !strcmp(f, "time")) {
        ASTNode_setType(n, AST_NAME_TIME);
        return 0;
    }
    if (k == 0 && ilnet_network_find_function(w->net, f) >= 0) {
        ASTNode_setType(n, AST_NAME); /* f(): the function's value, an assignment rule */
        return 0;
    }
    if (!strcmp(f, "if") && k == 3) {
        /* if(c, a, b) -> piecewise(a, c, b) */
        ASTNode_t *c = ASTNode_getChild(n, 0);
        ASTNode_t *a = ASTNode_getChild(n, 1);
        ASTNode_t *b = ASTNode_getChild(n, 2);
        ASTNode_t *nn = ASTNode_createWithType(AST_FUNCTION_PIECEWISE);
        ASTNode_addChild(nn, ASTNode_deepCopy(a));
        ASTNode_addChild(nn, ASTNode_deepCopy(c));
        ASTNode_addChild(nn, ASTNode_deepCopy(b));
        ASTNode_swapChildren(n, nn);
        ASTNode_setType(n, AST_FUNCTION_PIECEWISE);
        ASTNode_free(nn);
        return 0;
    }
    if (!strcmp(f, "log2") && k == 1) {
        ASTNode_t *two = ASTNode_createWithType(AST_INTEGER);
        ASTNode_setInteger(two, 2);
        ASTNode_prependChild(n, two); /* log with two children: (base, x) */
        ASTNode_setType(n, AST_FUNCTION_LOG);
        return 0;
    }
    return ilnet_error_set(ILNET_EINPUT, "%s: %s uses '%s', which SBML export does not support",
                           w->path, what, f);
}

static ASTNode_t *math(wctx *w, const char *text, const char *what)
{
    /* "**" is ilnet's alternative spelling of "^" */
    size_t n = strlen(text);
    char *t = malloc(n + 1);
    if (!t) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (text[i] == '*' && text[i + 1] == '*') {
            t[o++] = '^';
            i++;
        } else {
            t[o++] = text[i];
        }
    }
    t[o] = '\0';
    ASTNode_t *a = SBML_parseL3FormulaWithSettings(t, w->ps);
    free(t);
    if (!a) {
        char *err = SBML_getLastParseL3Error();
        ilnet_error_set(ILNET_EINPUT, "%s: %s: cannot express '%s' in SBML (%s)", w->path, what,
                        text, err ? err : "parse error");
        free(err);
        return NULL;
    }
    if (fix_tree(w, a, what)) {
        ASTNode_free(a);
        return NULL;
    }
    return a;
}

static int is_number(const char *s, double *v)
{
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    while (*e == ' ')
        e++;
    return e != s && !*e && !errno;
}

/* An initial assignment of symbol when text is not a plain number. */
static int initial_assignment(wctx *w, Model_t *m, const char *symbol, const char *text,
                              const char *what)
{
    double v;
    if (is_number(text, &v)) return 0;
    ASTNode_t *a = math(w, text, what);
    if (!a) return ILNET_EINPUT;
    InitialAssignment_t *ia = Model_createInitialAssignment(m);
    InitialAssignment_setSymbol(ia, symbol);
    InitialAssignment_setMath(ia, a);
    ASTNode_free(a);
    return 0;
}

static int add_parameters(wctx *w, Model_t *m)
{
    char buf[512];
    for (size_t i = 0; i < ilnet_network_parameter_count(w->net); i++) {
        const ilnet_parameter *p = ilnet_network_parameter(w->net, i);
        Parameter_t *q = Model_createParameter(m);
        Parameter_setId(q, p->name);
        Parameter_setConstant(q, 1);
        Parameter_setValue(q, p->value);
        snprintf(buf, sizeof buf, "parameter '%s'", p->name);
        if (initial_assignment(w, m, p->name, p->text, buf)) return ILNET_EINPUT;
    }
    return 0;
}

/* <ilnet:species name="NAME"/> in the species' annotation (ILNET_SBML_NS), the name
 * XML-escaped: read back as the species' label (build.c). */
static int annotate_name(Species_t *q, const char *name)
{
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_strbuf_printf(&b, "<annotation><ilnet:species xmlns:ilnet=\"%s\" name=\"", ILNET_SBML_NS);
    for (const char *c = name; *c; c++) {
        const char *e = *c == '&'   ? "&amp;"
                        : *c == '<' ? "&lt;"
                        : *c == '>' ? "&gt;"
                        : *c == '"' ? "&quot;"
                                    : NULL;
        if (e)
            ilnet_strbuf_append(&b, e);
        else
            ilnet_strbuf_printf(&b, "%c", *c);
    }
    ilnet_strbuf_append(&b, "\"/></annotation>");
    char *text = ilnet_strbuf_detach(&b);
    if (!text) return -1;
    int rc = SBase_setAnnotationString((SBase_t *)q, text) == LIBSBML_OPERATION_SUCCESS ? 0 : -1;
    free(text);
    return rc;
}

static int add_species(wctx *w, Model_t *m)
{
    char buf[512];
    for (size_t i = 0; i < ilnet_network_species_count(w->net); i++) {
        const ilnet_species *s = ilnet_network_species(w->net, i);
        Species_t *q = Model_createSpecies(m);
        Species_setId(q, w->sid[i]);
        const char *shown = ilnet_network_species_label(w->net, i);
        if (strcmp(w->sid[i], shown)) {
            /* the name as SBML's name, and for ilnet reading it back as the species' label */
            Species_setName(q, shown);
            if (annotate_name(q, shown)) return ilnet_error_oom();
        }
        Species_setCompartment(q, "cell");
        Species_setInitialAmount(q, s->initial);
        Species_setHasOnlySubstanceUnits(q, 1);
        Species_setBoundaryCondition(q, s->fixed);
        Species_setConstant(q, 0);
        snprintf(buf, sizeof buf, "species '%s'", s->name);
        if (initial_assignment(w, m, w->sid[i], s->amount_text, buf)) return ILNET_EINPUT;
    }
    return 0;
}

/* A parameter set by an assignment rule (takes a). */
static void add_assigned(Model_t *m, const char *name, ASTNode_t *a)
{
    Parameter_t *q = Model_createParameter(m);
    Parameter_setId(q, name);
    Parameter_setConstant(q, 0);
    Rule_t *r = Model_createAssignmentRule(m);
    Rule_setVariable(r, name);
    Rule_setMath(r, a);
    ASTNode_free(a);
}

/* observables and functions: parameters set by assignment rules */
static int add_observables_functions(wctx *w, Model_t *m)
{
    const ilnet_network *net = w->net;
    for (size_t k = 0; k < ilnet_network_observable_count(net); k++) {
        const ilnet_observable *o = ilnet_network_observable(net, k);
        ASTNode_t *sum = ASTNode_createWithType(AST_PLUS);
        if (!o->n_terms) {
            ASTNode_setType(sum, AST_INTEGER);
            ASTNode_setInteger(sum, 0);
        }
        for (int t = 0; t < o->n_terms; t++) {
            ASTNode_t *sp = ASTNode_createWithType(AST_NAME);
            ASTNode_setName(sp, w->sid[o->species[t]]);
            if (o->weights[t] == 1) {
                ASTNode_addChild(sum, sp);
            } else {
                ASTNode_t *pr = ASTNode_createWithType(AST_TIMES),
                          *c = ASTNode_createWithType(AST_REAL);
                ASTNode_setReal(c, o->weights[t]);
                ASTNode_addChild(pr, c);
                ASTNode_addChild(pr, sp);
                ASTNode_addChild(sum, pr);
            }
        }
        add_assigned(m, o->name, sum);
    }
    char buf[512];
    for (size_t k = 0; k < ilnet_network_function_count(net); k++) {
        const ilnet_function *f = ilnet_network_function(net, k);
        snprintf(buf, sizeof buf, "function '%s'", f->name);
        ASTNode_t *a = math(w, f->text, buf);
        if (!a) return ILNET_EINPUT;
        add_assigned(m, f->name, a);
    }
    return 0;
}

/* reactants and products, each species once with its summed stoichiometry */
static void add_species_refs(wctx *w, Reaction_t *r, const ilnet_reaction *rx)
{
    for (int side = 0; side < 2; side++) {
        int n = side ? rx->n_products : rx->n_reactants;
        const int *idx = side ? rx->products : rx->reactants;
        const double *co = side ? rx->pcoef : rx->rcoef;
        for (int a = 0; a < n; a++) {
            int seen = 0;
            for (int b = 0; b < a; b++)
                seen |= idx[b] == idx[a];
            if (seen) continue;
            double st = 0;
            for (int b = a; b < n; b++)
                if (idx[b] == idx[a]) st += co ? co[b] : 1;
            SpeciesReference_t *sr = side ? Reaction_createProduct(r) : Reaction_createReactant(r);
            SpeciesReference_setSpecies(sr, w->sid[idx[a]]);
            SpeciesReference_setStoichiometry(sr, st);
            SpeciesReference_setConstant(sr, 1);
        }
    }
}

/* species the rate law reads directly are modifiers (SBML requires them listed) */
static int add_modifiers(wctx *w, Reaction_t *r, size_t j)
{
    const ilnet_network *net = w->net;
    const ilnet_reaction *rx = ilnet_network_reaction(net, j);
    if (!ilnet_network_reaction_is_dynamic(net, j)) return 0;
    size_t ns = ilnet_network_species_count(net);
    int *in = malloc((ilnet_network_observable_count(net) + ns + 1) * sizeof *in);
    if (!in) return ilnet_error_oom();
    int k = ilnet_network_rate_inputs(net, j, in);
    size_t s0 = ilnet_network_species_var(net, 0);
    for (int q = 0; q < k; q++) {
        if ((size_t)in[q] < s0) continue;
        int sp = in[q] - (int)s0, listed = 0;
        for (int a = 0; a < rx->n_reactants; a++)
            listed |= rx->reactants[a] == sp;
        for (int a = 0; a < rx->n_products; a++)
            listed |= rx->products[a] == sp;
        if (!listed) SpeciesReference_setSpecies(Reaction_createModifier(r), w->sid[sp]);
    }
    free(in);
    return 0;
}

static int add_kinetic_law(wctx *w, Reaction_t *r, const ilnet_reaction *rx)
{
    /* mass action: rate law times every reactant amount */
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    ilnet_strbuf_printf(&b, "(%s)", rx->rate_text);
    for (int a = 0; a < rx->n_reactants && !rx->general; a++) {
        ilnet_strbuf_append(&b, "*");
        ilnet_strbuf_append(&b, w->sid[rx->reactants[a]]);
    }
    char *law = ilnet_strbuf_detach(&b);
    if (!law) return ILNET_ENOMEM;
    char buf[512];
    snprintf(buf, sizeof buf, "reaction %s", rx->name);
    /* species are already SBML ids here: map only names through fix_tree once */
    ASTNode_t *a = math(w, law, buf);
    free(law);
    if (!a) return ILNET_EINPUT;
    KineticLaw_t *kl = Reaction_createKineticLaw(r);
    KineticLaw_setMath(kl, a);
    ASTNode_free(a);
    return 0;
}

static int add_reactions(wctx *w, Model_t *m)
{
    char buf[64];
    for (size_t j = 0; j < ilnet_network_reaction_count(w->net); j++) {
        const ilnet_reaction *rx = ilnet_network_reaction(w->net, j);
        Reaction_t *r = Model_createReaction(m);
        snprintf(buf, sizeof buf, "R%zu", j + 1);
        Reaction_setId(r, buf);
        if (rx->label) Reaction_setName(r, rx->label);
        Reaction_setReversible(r, 0);
        add_species_refs(w, r, rx);
        int rc = add_modifiers(w, r, j);
        if (!rc) rc = add_kinetic_law(w, r, rx);
        if (rc) return rc;
    }
    return 0;
}

static int build(wctx *w, Model_t *m)
{
    Compartment_t *cp = Model_createCompartment(m);
    Compartment_setId(cp, "cell");
    Compartment_setSize(cp, 1);
    Compartment_setConstant(cp, 1);
    Compartment_setSpatialDimensionsAsDouble(cp, 3);
    int rc = add_parameters(w, m);
    if (!rc) rc = add_species(w, m);
    if (!rc) rc = add_observables_functions(w, m);
    if (!rc) rc = add_reactions(w, m);
    return rc;
}

/* species ids: the name when it is an SId nobody else uses, else S<n> */
static int species_ids(wctx *w)
{
    const ilnet_network *net = w->net;
    for (size_t i = 0; i < ilnet_network_species_count(net); i++) {
        const char *nm = ilnet_network_species(net, i)->name;
        char id[64];
        int own = valid_sid(nm) && ilnet_network_find_parameter(net, nm) < 0 &&
                  ilnet_network_find_observable(net, nm) < 0 &&
                  ilnet_network_find_function(net, nm) < 0 && strcmp(nm, "cell") &&
                  !(nm[0] == 'S' && isdigit((unsigned char)nm[1]));
        snprintf(id, sizeof id, "S%zu", i + 1);
        w->sid[i] = strdup(own ? nm : id);
        if (!w->sid[i] || ilnet_strmap_put(&w->by_name, nm, (int)i) < 0) return ilnet_error_oom();
    }
    return 0;
}

static int check(SBMLDocument_t *d, const char *path)
{
    /* libsbml's consistency checks: unit warnings are expected (no units declared) */
    SBMLDocument_setConsistencyChecks(d, LIBSBML_CAT_UNITS_CONSISTENCY, 0);
    SBMLDocument_checkConsistency(d);
    for (unsigned i = 0; i < SBMLDocument_getNumErrors(d); i++) {
        const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(d, i);
        if (XMLError_isError(e) || XMLError_isFatal(e))
            return ilnet_error_set(ILNET_EINTERNAL, "%s: exported SBML fails libsbml's checks: %s",
                                   path, XMLError_getMessage(e));
    }
    return 0;
}

/* written to PATH.tmp, then renamed */
static int save(SBMLDocument_t *d, const char *path)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) return ilnet_error_oom();
    snprintf(tmp, n, "%s.tmp", path);
    int rc = 0;
    if (!writeSBMLToFile(d, tmp) || rename(tmp, path) != 0) {
        rc = ilnet_error_set(ILNET_EIO, "%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return rc;
}

int ilnet_sbml_write(const ilnet_network *net, const char *path)
{
    if (ilnet_network_event_count(net))
        return ilnet_error_set(ILNET_EINPUT,
                               "%s: SBML export does not write events yet (event '%s')", path,
                               ilnet_network_event(net, 0)->name);
    size_t ns = ilnet_network_species_count(net);
    wctx w = {net, path, calloc(ns + 1, sizeof(char *)), ILNET_STRMAP_INIT,
              L3ParserSettings_create()};
    int rc = w.sid && w.ps ? 0 : ilnet_error_oom();
    if (!rc) L3ParserSettings_setParseLog(w.ps, L3P_PARSE_LOG_AS_LN);
    if (!rc) rc = species_ids(&w);
    SBMLDocument_t *d = rc ? NULL : SBMLDocument_createWithLevelAndVersion(3, 2);
    if (d) {
        Model_t *m = SBMLDocument_createModel(d);
        Model_setId(m, "ilnet_export");
        Model_setTimeUnits(m, "dimensionless");
        rc = build(&w, m);
        if (!rc) rc = check(d, path);
        if (!rc) rc = save(d, path);
        SBMLDocument_free(d);
    } else if (!rc) {
        rc = ilnet_error_oom();
    }
    for (size_t i = 0; i < ns && w.sid; i++)
        free(w.sid[i]);
    free(w.sid);
    ilnet_strmap_free(&w.by_name);
    if (w.ps) L3ParserSettings_free(w.ps);
    return rc;
}

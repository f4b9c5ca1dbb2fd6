/* MathML (libsbml's AST) -> ilnet expression text. Every operand is parenthesised, so the
 * text never depends on ilnet's precedence; calls of function definitions are expanded. */
#include "internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef ilnet_sbml_reader ctx;
typedef ilnet_sbml_frame frame;

static int emit(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where);

/* ---- operands and one-argument functions ---- */

/* Appends each child in parentheses, separated by sep. */
static int emit_args(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *sep,
                     const char *where)
{
    unsigned k = ASTNode_getNumChildren(n);
    for (unsigned i = 0; i < k; i++) {
        if (i) ilnet_strbuf_append(b, sep);
        ilnet_strbuf_append(b, "(");
        if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
        ilnet_strbuf_append(b, ")");
    }
    return 0;
}

/* pre child post */
static int emit_child(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, unsigned i, const char *pre,
                      const char *post, const char *where)
{
    ilnet_strbuf_append(b, pre);
    if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
    ilnet_strbuf_append(b, post);
    return 0;
}

/* pre child_i mid child_j post */
static int emit_pair(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *pre, unsigned i,
                     const char *mid, unsigned j, const char *post, const char *where)
{
    if (emit_child(c, b, n, i, pre, mid, where)) return -1;
    return emit_child(c, b, n, j, "", post, where);
}

static int emit_fn1(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *pre, const char *post,
                    const char *where)
{
    if (ASTNode_getNumChildren(n) != 1)
        return ilnet_sbml_unsupported(c, "function with a wrong argument count in", where);
    return emit_child(c, b, n, 0, pre, post, where);
}

static const struct {
    ASTNodeType_t t;
    const char *pre, *post;
} fn1[] = {
    {AST_FUNCTION_LN, "ln(", ")"},
    {AST_FUNCTION_EXP, "exp(", ")"},
    {AST_FUNCTION_ABS, "abs(", ")"},
    {AST_FUNCTION_FLOOR, "floor(", ")"},
    {AST_FUNCTION_CEILING, "ceil(", ")"},
    {AST_FUNCTION_FACTORIAL, "factorial(", ")"},
    {AST_FUNCTION_SIN, "sin(", ")"},
    {AST_FUNCTION_COS, "cos(", ")"},
    {AST_FUNCTION_TAN, "tan(", ")"},
    {AST_FUNCTION_SEC, "1/cos(", ")"},
    {AST_FUNCTION_CSC, "1/sin(", ")"},
    {AST_FUNCTION_COT, "1/tan(", ")"},
    {AST_FUNCTION_SINH, "sinh(", ")"},
    {AST_FUNCTION_COSH, "cosh(", ")"},
    {AST_FUNCTION_TANH, "tanh(", ")"},
    {AST_FUNCTION_SECH, "1/cosh(", ")"},
    {AST_FUNCTION_CSCH, "1/sinh(", ")"},
    {AST_FUNCTION_COTH, "1/tanh(", ")"},
    {AST_FUNCTION_ARCSIN, "asin(", ")"},
    {AST_FUNCTION_ARCCOS, "acos(", ")"},
    {AST_FUNCTION_ARCTAN, "atan(", ")"},
    {AST_FUNCTION_ARCSEC, "acos(1/(", "))"},
    {AST_FUNCTION_ARCCSC, "asin(1/(", "))"},
    {AST_FUNCTION_ARCCOT, "atan(1/(", "))"},
    {AST_FUNCTION_ARCSINH, "asinh(", ")"},
    {AST_FUNCTION_ARCCOSH, "acosh(", ")"},
    {AST_FUNCTION_ARCTANH, "atanh(", ")"},
    {AST_FUNCTION_ARCSECH, "acosh(1/(", "))"},
    {AST_FUNCTION_ARCCSCH, "asinh(1/(", "))"},
    {AST_FUNCTION_ARCCOTH, "atanh(1/(", "))"},
};

/* ---- numbers, constants and names ---- */

void ilnet_sbml_put_number(ilnet_strbuf *b, double v)
{
    if (isnan(v))
        ilnet_strbuf_append(b, "(0/0)");
    else if (isinf(v))
        ilnet_strbuf_append(b, v > 0 ? "(1/0)" : "(-1/0)");
    else
        ilnet_strbuf_printf(b, "%.17g", v);
}

/* Numbers and constants; 0 when n is neither. */
static int emit_constant(ilnet_strbuf *b, const ASTNode_t *n)
{
    switch (ASTNode_getType(n)) {
    case AST_INTEGER:
        ilnet_strbuf_printf(b, "%ld", ASTNode_getInteger(n));
        return 1;
    case AST_REAL:
    case AST_REAL_E:
    case AST_RATIONAL:
        ilnet_sbml_put_number(b, ASTNode_getReal(n));
        return 1;
    case AST_CONSTANT_E:
        ilnet_strbuf_append(b, "_e");
        return 1;
    case AST_CONSTANT_PI:
        ilnet_strbuf_append(b, "_pi");
        return 1;
    case AST_CONSTANT_TRUE:
        ilnet_strbuf_append(b, "1");
        return 1;
    case AST_CONSTANT_FALSE:
        ilnet_strbuf_append(b, "0");
        return 1;
    case AST_NAME_TIME:
        ilnet_strbuf_append(b, "time");
        return 1;
    case AST_NAME_AVOGADRO:
        /* SBML Level 3 defines it as 6.02214179e23 (CODATA 2006), not the 2019 SI value
         * 6.02214076e23: a model's numbers depend on which (SBML Test Suite 00960) */
        ilnet_strbuf_append(b, "6.02214179e23");
        return 1;
    default:
        return 0;
    }
}

/* 1 when id names a reactant's or product's speciesReference (its stoichiometry) */
static int emit_name(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    const char *id = ASTNode_getName(n);
    if (c->fr) {
        /* inside a function body only its arguments are visible (SBML: no free names) */
        for (unsigned i = 0; i < c->fr->nargs; i++)
            if (!strcmp(ASTNode_getName(ASTNode_getChild(c->fr->lambda, i)), id)) {
                ilnet_strbuf_append(b, "(");
                ilnet_strbuf_append(b, c->fr->args[i]);
                ilnet_strbuf_append(b, ")");
                return 0;
            }
    }
    ilnet_sbml_sym *s = ilnet_sbml_lookup(c, id);
    if (!s) {
        if (Model_getReactionById(c->m, id)) {
            /* its rate: a function of the same name, added with the reaction */
            ilnet_strbuf_append(b, id);
            c->rate_refs = 1;
            return 0;
        }
        return ilnet_error_set(ILNET_EINPUT, "%s: %s refers to unknown symbol '%s'", c->path, where,
                               id);
    }
    if (s->kind == ILNET_SBML_SPECIES && !s->assigned && s->conc)
        ilnet_strbuf_printf(b, "(%s/%s)", s->id, s->comp);
    else
        ilnet_strbuf_append(b, s->id);
    return 0;
}

/* ---- arithmetic ---- */

static int flatten(const ASTNode_t *n, ASTNodeType_t t, const ASTNode_t **out, int max, int k)
{
    for (unsigned i = 0; i < ASTNode_getNumChildren(n) && k >= 0; i++) {
        const ASTNode_t *ch = ASTNode_getChild(n, i);
        if (ASTNode_getType(ch) == t)
            k = flatten(ch, t, out, max, k);
        else if (k >= max)
            return -1;
        else
            out[k++] = ch;
    }
    return k;
}

static int emit_sum_product(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    /* flatten nested sums and products: BioNetGen writes long observable sums as binary
     * trees thousands deep */
    ASTNodeType_t t = ASTNode_getType(n);
    const ASTNode_t *ops[4096];
    int nops = flatten(n, t, ops, 4096, 0);
    if (nops < 0)
        return ilnet_sbml_unsupported(c, "a sum or product of more than 4096 terms in", where);
    if (!nops) {
        ilnet_strbuf_append(b, t == AST_PLUS ? "0" : "1");
        return 0;
    }
    for (int i = 0; i < nops; i++) {
        if (i) ilnet_strbuf_append(b, t == AST_PLUS ? "+" : "*");
        ilnet_strbuf_append(b, "(");
        if (emit(c, b, ops[i], where)) return -1;
        ilnet_strbuf_append(b, ")");
    }
    return 0;
}

/* minus, divide, power, root, log and quotient */
static int emit_arithmetic(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    unsigned k = ASTNode_getNumChildren(n);
    switch (ASTNode_getType(n)) {
    case AST_MINUS:
        if (k == 1) return emit_child(c, b, n, 0, "-(", ")", where);
        return emit_args(c, b, n, "-", where);
    case AST_DIVIDE:
        return emit_args(c, b, n, "/", where);
    case AST_FUNCTION_ROOT:
        if (k == 1) return emit_fn1(c, b, n, "sqrt(", ")", where);
        return emit_pair(c, b, n, "pow(", 1, ",1/(", 0, "))", where);
    case AST_FUNCTION_LOG:
        if (k == 1) return emit_fn1(c, b, n, "log10(", ")", where); /* MathML log: base 10 */
        return emit_pair(c, b, n, "ln(", 1, ")/ln(", 0, ")", where);
    case AST_FUNCTION_QUOTIENT:
        if (k != 2)
            return ilnet_sbml_unsupported(c, "quotient with a wrong argument count in", where);
        return emit_pair(c, b, n, "floor((", 0, ")/(", 1, "))", where);
    default: /* power */
        if (k != 2) return ilnet_sbml_unsupported(c, "power with a wrong argument count in", where);
        return emit_pair(c, b, n, "pow(", 0, ",", 1, ")", where);
    }
}

static int emit_min_max(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    unsigned k = ASTNode_getNumChildren(n);
    const char *f = ASTNode_getType(n) == AST_FUNCTION_MAX ? "max(" : "min(";
    if (!k) return ilnet_sbml_unsupported(c, "min/max without arguments in", where);
    for (unsigned i = 0; i + 1 < k; i++)
        ilnet_strbuf_append(b, f);
    if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
    for (unsigned i = 1; i < k; i++)
        if (emit_child(c, b, n, i, ",", ")", where)) return -1;
    return 0;
}

/* ---- relational and logical operators, piecewise ---- */

static int emit_relational(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    ASTNodeType_t t = ASTNode_getType(n);
    unsigned k = ASTNode_getNumChildren(n);
    const char *op = t == AST_RELATIONAL_EQ    ? "=="
                     : t == AST_RELATIONAL_GEQ ? ">="
                     : t == AST_RELATIONAL_GT  ? ">"
                     : t == AST_RELATIONAL_LEQ ? "<="
                     : t == AST_RELATIONAL_LT  ? "<"
                                               : "!=";
    if (k < 2) {
        ilnet_strbuf_append(b, "1");
        return 0;
    }
    /* a < b < c: every adjacent pair */
    ilnet_strbuf_append(b, "((");
    for (unsigned i = 0; i + 1 < k; i++) {
        if (i) ilnet_strbuf_append(b, ")*(");
        ilnet_strbuf_append(b, "(");
        if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
        ilnet_strbuf_printf(b, ")%s(", op);
        if (emit(c, b, ASTNode_getChild(n, i + 1), where)) return -1;
        ilnet_strbuf_append(b, ")");
    }
    ilnet_strbuf_append(b, "))");
    return 0;
}

static int emit_logical(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    ASTNodeType_t t = ASTNode_getType(n);
    unsigned k = ASTNode_getNumChildren(n);
    if (t == AST_LOGICAL_NOT) {
        if (k != 1) return ilnet_sbml_unsupported(c, "not with a wrong argument count in", where);
        return emit_fn1(c, b, n, "not(", ")", where);
    }
    /* and(a, and(b, c)): functions, not comparisons, so that the comparisons of a trigger
     * are exactly its relational operators */
    const char *f = t == AST_LOGICAL_AND ? "and(" : t == AST_LOGICAL_OR ? "or(" : "xor(";
    if (!k) {
        ilnet_strbuf_append(b, t == AST_LOGICAL_AND ? "1" : "0");
        return 0;
    }
    if (k == 1) return emit_fn1(c, b, n, "(not(not(", ")))", where);
    for (unsigned i = 0; i + 1 < k; i++)
        if (emit_child(c, b, n, i, f, ",", where)) return -1;
    if (emit(c, b, ASTNode_getChild(n, k - 1), where)) return -1;
    for (unsigned i = 0; i + 1 < k; i++)
        ilnet_strbuf_append(b, ")");
    return 0;
}

/* rem(a, b) (SBML L3V2): a - b * trunc(a / b), the sign of a, as C's fmod */
static int emit_rem(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    if (ASTNode_getNumChildren(n) != 2)
        return ilnet_sbml_unsupported(c, "rem with a wrong argument count in", where);
    char *x = ilnet_sbml_math_text(c, ASTNode_getChild(n, 0), where);
    char *y = x ? ilnet_sbml_math_text(c, ASTNode_getChild(n, 1), where) : NULL;
    if (y)
        ilnet_strbuf_printf(b, "((%s)-(%s)*sign((%s)/(%s))*floor(abs((%s)/(%s))))", x, y, x, y, x,
                            y);
    free(x);
    free(y);
    return y ? 0 : -1;
}

/* piecewise(v1, c1, v2, c2, ..., [otherwise]) -> nested if() */
static int emit_piecewise(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    unsigned k = ASTNode_getNumChildren(n), pairs = k / 2;
    for (unsigned i = 0; i < pairs; i++)
        if (emit_pair(c, b, n, "if(", 2 * i + 1, ",", 2 * i, ",", where)) return -1;
    if (k % 2) {
        if (emit(c, b, ASTNode_getChild(n, k - 1), where)) return -1;
    } else {
        ilnet_strbuf_append(b, "(0/0)"); /* no otherwise: undefined */
    }
    for (unsigned i = 0; i < pairs; i++)
        ilnet_strbuf_append(b, ")");
    return 0;
}

/* ---- calls of function definitions ---- */

static int emit_call(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    FunctionDefinition_t *fd = Model_getFunctionDefinitionById(c->m, ASTNode_getName(n));
    const ASTNode_t *lam = fd ? FunctionDefinition_getMath(fd) : NULL;
    if (!lam || ASTNode_getType(lam) != AST_LAMBDA)
        return ilnet_sbml_unsupported(c, "call of an undefined function in", where);
    const char *fname = ASTNode_getName(n);
    unsigned nc = ASTNode_getNumChildren(lam), k = ASTNode_getNumChildren(n);
    if (nc == 0)
        return ilnet_error_set(ILNET_EINPUT, "%s: function definition '%s' has no body", c->path,
                               fname);
    unsigned nb = nc - 1;
    /* every bvar must be a plain name: the body refers to its arguments by them */
    for (unsigned i = 0; i < nb; i++) {
        const ASTNode_t *v = ASTNode_getChild(lam, i);
        if (ASTNode_getType(v) != AST_NAME || !ASTNode_getName(v))
            return ilnet_error_set(ILNET_EINPUT,
                                   "%s: function definition '%s': argument %u (bvar) is not a "
                                   "name",
                                   c->path, fname, i + 1);
    }
    if (k != nb)
        return ilnet_error_set(ILNET_EINPUT, "%s: %s calls '%s' with %u arguments, it takes %u",
                               c->path, where, ASTNode_getName(n), k, nb);
    if (c->depth > 64)
        return ilnet_sbml_unsupported(
            c, "function definitions nested deeper than 64 (recursion?) in", where);
    /* arguments are written in the caller's scope, then substituted (no capture) */
    frame f = {lam, calloc(k + 1, sizeof(char *)), k, c->fr};
    int rc = f.args ? 0 : ilnet_error_oom();
    for (unsigned i = 0; i < k && !rc; i++)
        if (!(f.args[i] = ilnet_sbml_math_text(c, ASTNode_getChild(n, i), where))) rc = -1;
    if (!rc) {
        const frame *saved = c->fr;
        c->fr = &f;
        c->depth++;
        rc = emit_child(c, b, lam, nb, "(", ")", where);
        c->depth--;
        c->fr = saved;
    }
    for (unsigned i = 0; i < k && f.args; i++)
        free(f.args[i]);
    free(f.args);
    return rc;
}

/* ---- rateOf ---- */

static int emit(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where);

/* A species' net stoichiometry in reaction r (products minus reactants), appended as
 * "+(...)" terms: a number, or the species reference's id or stoichiometryMath where those
 * can change (reaction.c makes the same choice); returns how many terms */
static int net_stoichiometry(ctx *c, ilnet_strbuf *b, Reaction_t *r, const char *id,
                             const char *where, int *rc)
{
    int terms = 0;
    for (int side = 0; side < 2 && !*rc; side++) {
        unsigned n = side ? Reaction_getNumProducts(r) : Reaction_getNumReactants(r);
        for (unsigned k = 0; k < n && !*rc; k++) {
            SpeciesReference_t *sr = side ? Reaction_getProduct(r, k) : Reaction_getReactant(r, k);
            if (strcmp(SpeciesReference_getSpecies(sr), id)) continue;
            const char *srid = SpeciesReference_getId(sr);
            const ilnet_sbml_sym *q = srid && *srid ? ilnet_sbml_lookup(c, srid) : NULL;
            const StoichiometryMath_t *sm = SpeciesReference_isSetStoichiometryMath(sr)
                                                ? SpeciesReference_getStoichiometryMath(sr)
                                                : NULL;
            ilnet_strbuf_append(b, side ? "+(" : "-(");
            if (sm && StoichiometryMath_getMath(sm)) {
                *rc = emit(c, b, StoichiometryMath_getMath(sm), where);
            } else if (q && (q->assigned || q->rate_rule || q->event_target || q->state_init ||
                             ilnet_strmap_get(&c->init_assign, srid, (size_t)-1) >= 0)) {
                ilnet_strbuf_append(b, srid);
            } else {
                double st = SpeciesReference_getStoichiometry(sr);
                ilnet_sbml_put_number(b, isnan(st) ? 1 : st);
            }
            ilnet_strbuf_append(b, ")");
            terms++;
        }
    }
    return terms;
}

/* d/dt of a species changed by reactions: sum of factor * net stoichiometry * law, over its
 * compartment's size when its symbol is a concentration (the size must then be constant) */
static int emit_species_rate(ctx *c, ilnet_strbuf *b, const ilnet_sbml_sym *s, const char *where)
{
    Species_t *sp = Model_getSpeciesById(c->m, s->id);
    if (!sp || Species_getBoundaryCondition(sp) || Species_getConstant(sp)) {
        ilnet_strbuf_append(b, "0");
        return 0;
    }
    if (s->conc) {
        const ilnet_sbml_sym *cs = ilnet_sbml_lookup(c, s->comp);
        if (!cs || cs->assigned || cs->rate_rule || cs->event_target)
            return ilnet_sbml_unsupported(c,
                                          "rateOf() of a concentration in a compartment of "
                                          "varying size in",
                                          where);
    }
    double f;
    const char *cf_var = NULL;
    int rc = ilnet_sbml_conversion_factor(c, s->id, &f, &cf_var);
    ilnet_strbuf_append(b, "((0)");
    for (unsigned i = 0; !rc && i < Model_getNumReactions(c->m); i++) {
        Reaction_t *r = Model_getReaction(c->m, i);
        ilnet_strbuf net = ILNET_STRBUF_INIT;
        int terms = net_stoichiometry(c, &net, r, s->id, where, &rc);
        KineticLaw_t *kl = Reaction_getKineticLaw(r);
        if (!rc && terms && (!kl || !KineticLaw_getMath(kl)))
            rc = ilnet_sbml_unsupported(c, "rateOf() of a species in a reaction without a law in",
                                        where);
        if (!rc && terms) {
            char *text = ilnet_strbuf_detach(&net);
            if (!text) return ilnet_error_oom();
            ilnet_strbuf_append(b, "+(");
            if (cf_var)
                ilnet_strbuf_append(b, cf_var);
            else
                ilnet_sbml_put_number(b, f);
            ilnet_strbuf_printf(b, ")*(0%s)*(", text);
            free(text);
            rc = emit(c, b, KineticLaw_getMath(kl), where);
            ilnet_strbuf_append(b, ")");
        }
        ilnet_strbuf_free(&net);
    }
    ilnet_strbuf_append(b, ")");
    if (!rc && s->conc) ilnet_strbuf_printf(b, "/%s", s->comp);
    return rc;
}

/* rateOf(x) (SBML L3V2): the rate of change of x as the model defines it, written out: the
 * math of its rate rule, a species' reactions, or 0 for what nothing changes continuously.
 * What would need the derivative of math (an assignment rule) is refused. */
static int emit_rate_of(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    const ASTNode_t *x = ASTNode_getNumChildren(n) == 1 ? ASTNode_getChild(n, 0) : NULL;
    if (!x || ASTNode_getType(x) != AST_NAME || c->fr)
        return ilnet_sbml_unsupported(c, "rateOf() of anything but a model symbol in", where);
    ilnet_sbml_sym *s = ilnet_sbml_lookup(c, ASTNode_getName(x));
    if (!s) return ilnet_sbml_unsupported(c, "rateOf() of an unknown symbol in", where);
    Rule_t *r = Model_getRuleByVar(c->m, s->id);
    if (r && !Rule_getMath(r)) r = NULL; /* a rule without math is ignored */
    if (s->assigned || (r && Rule_isAssignment(r)))
        return ilnet_sbml_unsupported(c, "rateOf() of a symbol set by an assignment rule in",
                                      where);
    if (c->depth > 64) return ilnet_sbml_unsupported(c, "rateOf() nested too deep in", where);
    c->depth++;
    int rc = 0;
    if (r && Rule_isRate(r)) {
        ilnet_strbuf_append(b, "(");
        rc = emit(c, b, Rule_getMath(r), where);
        ilnet_strbuf_append(b, ")");
    } else if (s->kind == ILNET_SBML_SPECIES) {
        rc = emit_species_rate(c, b, s, where);
    } else {
        ilnet_strbuf_append(b, "0");
    }
    c->depth--;
    return rc;
}

/* ---- any node ---- */

static int emit(ctx *c, ilnet_strbuf *b, const ASTNode_t *n, const char *where)
{
    if (!n) return ilnet_sbml_unsupported(c, "missing math in", where);
    if (emit_constant(b, n)) return 0;
    ASTNodeType_t t = ASTNode_getType(n);
    switch (t) {
    case AST_NAME:
        return emit_name(c, b, n, where);
    case AST_PLUS:
    case AST_TIMES:
        return emit_sum_product(c, b, n, where);
    case AST_MINUS:
    case AST_DIVIDE:
    case AST_POWER:
    case AST_FUNCTION_POWER:
    case AST_FUNCTION_ROOT:
    case AST_FUNCTION_LOG:
    case AST_FUNCTION_QUOTIENT:
        return emit_arithmetic(c, b, n, where);
    case AST_FUNCTION_MAX:
    case AST_FUNCTION_MIN:
        return emit_min_max(c, b, n, where);
    case AST_FUNCTION_PIECEWISE:
        return emit_piecewise(c, b, n, where);
    case AST_LOGICAL_AND:
    case AST_LOGICAL_OR:
    case AST_LOGICAL_XOR:
    case AST_LOGICAL_NOT:
        return emit_logical(c, b, n, where);
    case AST_LOGICAL_IMPLIES: /* a implies b: not(a) or b */
        if (ASTNode_getNumChildren(n) != 2)
            return ilnet_sbml_unsupported(c, "implies with a wrong argument count in", where);
        return emit_pair(c, b, n, "or(not(", 0, "),", 1, ")", where);
    case AST_FUNCTION_REM:
        return emit_rem(c, b, n, where);
    case AST_RELATIONAL_EQ:
    case AST_RELATIONAL_GEQ:
    case AST_RELATIONAL_GT:
    case AST_RELATIONAL_LEQ:
    case AST_RELATIONAL_LT:
    case AST_RELATIONAL_NEQ:
        return emit_relational(c, b, n, where);
    case AST_FUNCTION_DELAY:
        return ilnet_sbml_unsupported(c, "delay() in", where);
    case AST_FUNCTION_RATE_OF:
        return emit_rate_of(c, b, n, where);
    case AST_FUNCTION:
        return emit_call(c, b, n, where);
    case AST_LAMBDA:
        return ilnet_sbml_unsupported(c, "lambda outside a function definition in", where);
    default:
        for (size_t i = 0; i < sizeof fn1 / sizeof fn1[0]; i++)
            if (fn1[i].t == t) return emit_fn1(c, b, n, fn1[i].pre, fn1[i].post, where);
        return ilnet_sbml_unsupported(c, "MathML element in", where);
    }
}

char *ilnet_sbml_math_text(ctx *c, const ASTNode_t *n, const char *where)
{
    ilnet_strbuf b = ILNET_STRBUF_INIT;
    if (emit(c, &b, n, where)) {
        ilnet_strbuf_free(&b);
        return NULL;
    }
    return ilnet_strbuf_detach(&b);
}

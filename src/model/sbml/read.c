#include "sbml.h"

#include "../../common/error.h"
#include "../../common/strmap.h"

#include <math.h>
#include <sbml/SBMLTypes.h>
#include <sbml/conversion/ConversionProperties.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a growable string ---- */

typedef struct {
    char *s;
    size_t n, cap;
    int oom;
} str;

static void put(str *b, const char *t)
{
    size_t k = strlen(t);
    if (b->n + k + 1 > b->cap) {
        size_t c = b->cap ? b->cap * 2 : 128;
        while (c < b->n + k + 1)
            c *= 2;
        char *p = realloc(b->s, c);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = c;
    }
    memcpy(b->s + b->n, t, k + 1);
    b->n += k;
}

static void putf(str *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(str *b, const char *fmt, ...)
{
    char t[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t, sizeof t, fmt, ap);
    va_end(ap);
    put(b, t);
}

/* ---- the model as the importer sees it ---- */

enum { K_SPECIES, K_PARAM, K_COMP };

typedef struct {
    const char *id;
    int kind;
    int conc;         /* species: symbol means concentration */
    const char *comp; /* species: compartment id */
    int assigned;     /* has an assignment rule (becomes a function) */
    int rate_rule;    /* has a rate rule */
    int event_target; /* parameter or compartment an event assigns: a fixed species */
    int state_init;   /* parameter whose initial assignment uses the state: a fixed species */
    int net_species;  /* index in the network (species or parameter state), or -1 */
} sym;

/* a call of a function definition: its argument names bound to the argument texts */
typedef struct frame {
    const ASTNode_t *lambda;
    char **args;
    unsigned nargs;
    const struct frame *up;
} frame;

typedef struct {
    const char *path;
    Model_t *m;
    const frame *fr; /* innermost function call being expanded */
    int depth;
    sym *syms;
    int nsyms;
    ilnet_strmap map;
    int rate_refs; /* some math uses a reaction id (its rate) */
    char err[600];
} ctx;

static sym *lookup(ctx *c, const char *id)
{
    int i = ilnet_strmap_get(&c->map, id, (size_t)-1);
    return i >= 0 ? &c->syms[i] : NULL;
}

static int unsupported(ctx *c, const char *what, const char *id)
{
    return ilnet_error_set(ILNET_EINPUT, "%s: unsupported SBML construct: %s%s%s%s", c->path, what,
                           id ? " ('" : "", id ? id : "", id ? "')" : "");
}

/* ---- math ---- */

static int emit(ctx *c, str *b, const ASTNode_t *n, const char *where);

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

static int emit_args(ctx *c, str *b, const ASTNode_t *n, const char *sep, const char *where)
{
    unsigned k = ASTNode_getNumChildren(n);
    for (unsigned i = 0; i < k; i++) {
        if (i) put(b, sep);
        put(b, "(");
        if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
        put(b, ")");
    }
    return 0;
}

static int emit_fn1(ctx *c, str *b, const ASTNode_t *n, const char *pre, const char *post,
                    const char *where)
{
    if (ASTNode_getNumChildren(n) != 1)
        return unsupported(c, "function with a wrong argument count in", where);
    put(b, pre);
    if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
    put(b, post);
    return 0;
}

static int emit_call(ctx *c, str *b, const ASTNode_t *n, const char *where)
{
    FunctionDefinition_t *fd = Model_getFunctionDefinitionById(c->m, ASTNode_getName(n));
    const ASTNode_t *lam = fd ? FunctionDefinition_getMath(fd) : NULL;
    if (!lam || ASTNode_getType(lam) != AST_LAMBDA)
        return unsupported(c, "call of an undefined function in", where);
    unsigned nb = ASTNode_getNumChildren(lam) - 1, k = ASTNode_getNumChildren(n);
    if (k != nb)
        return ilnet_error_set(ILNET_EINPUT, "%s: %s calls '%s' with %u arguments, it takes %u",
                               c->path, where, ASTNode_getName(n), k, nb);
    if (c->depth > 64)
        return unsupported(c, "function definitions nested deeper than 64 (recursion?) in", where);
    /* arguments are written in the caller's scope, then substituted (no capture) */
    frame f = {lam, calloc(k + 1, sizeof(char *)), k, c->fr};
    int rc = f.args ? 0 : ilnet_error_set(ILNET_ENOMEM, "out of memory");
    for (unsigned i = 0; i < k && !rc; i++) {
        str a = {0};
        put(&a, "");
        rc = emit(c, &a, ASTNode_getChild(n, i), where);
        if (a.oom && !rc) rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
        f.args[i] = a.s;
    }
    if (!rc) {
        const frame *saved = c->fr;
        c->fr = &f;
        c->depth++;
        put(b, "(");
        rc = emit(c, b, ASTNode_getChild(lam, nb), where);
        put(b, ")");
        c->depth--;
        c->fr = saved;
    }
    for (unsigned i = 0; i < k && f.args; i++)
        free(f.args[i]);
    free(f.args);
    return rc;
}

static int emit(ctx *c, str *b, const ASTNode_t *n, const char *where)
{
    if (!n) return unsupported(c, "missing math in", where);
    ASTNodeType_t t = ASTNode_getType(n);
    unsigned k = ASTNode_getNumChildren(n);
    switch (t) {
    case AST_INTEGER:
        putf(b, "%ld", ASTNode_getInteger(n));
        return 0;
    case AST_REAL:
    case AST_REAL_E:
    case AST_RATIONAL: {
        double v = ASTNode_getReal(n);
        if (isnan(v))
            put(b, "(0/0)");
        else if (isinf(v))
            put(b, v > 0 ? "(1/0)" : "(-1/0)");
        else
            putf(b, "%.17g", v);
        return 0;
    }
    case AST_CONSTANT_E:
        put(b, "_e");
        return 0;
    case AST_CONSTANT_PI:
        put(b, "_pi");
        return 0;
    case AST_CONSTANT_TRUE:
        put(b, "1");
        return 0;
    case AST_CONSTANT_FALSE:
        put(b, "0");
        return 0;
    case AST_NAME_TIME:
        put(b, "time");
        return 0;
    case AST_NAME_AVOGADRO:
        put(b, "6.02214076e23");
        return 0;
    case AST_NAME: {
        const char *id = ASTNode_getName(n);
        if (c->fr) {
            /* inside a function body only its arguments are visible (SBML: no free names) */
            for (unsigned i = 0; i < c->fr->nargs; i++)
                if (!strcmp(ASTNode_getName(ASTNode_getChild(c->fr->lambda, i)), id)) {
                    put(b, "(");
                    put(b, c->fr->args[i]);
                    put(b, ")");
                    return 0;
                }
        }
        sym *s = lookup(c, id);
        if (!s) {
            if (Model_getReactionById(c->m, id)) {
                put(b, id); /* its rate: a function of the same name, added with the reaction */
                c->rate_refs = 1;
                return 0;
            }
            return ilnet_error_set(ILNET_EINPUT, "%s: %s refers to unknown symbol '%s'", c->path,
                                   where, id);
        }
        if (s->kind == K_SPECIES && !s->assigned && s->conc)
            putf(b, "(%s/%s)", s->id, s->comp);
        else
            put(b, s->id);
        return 0;
    }
    case AST_PLUS:
    case AST_TIMES: {
        /* flatten nested sums and products: BioNetGen writes long observable sums as
         * binary trees thousands deep */
        const ASTNode_t *ops[4096];
        int nops = flatten(n, t, ops, 4096, 0);
        if (nops < 0) return unsupported(c, "a sum or product of more than 4096 terms in", where);
        if (!nops) {
            put(b, t == AST_PLUS ? "0" : "1");
            return 0;
        }
        for (int i = 0; i < nops; i++) {
            if (i) put(b, t == AST_PLUS ? "+" : "*");
            put(b, "(");
            if (emit(c, b, ops[i], where)) return -1;
            put(b, ")");
        }
        return 0;
    }
    case AST_MINUS:
        if (k == 1) {
            put(b, "-(");
            if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
            put(b, ")");
            return 0;
        }
        return emit_args(c, b, n, "-", where);
    case AST_DIVIDE:
        return emit_args(c, b, n, "/", where);
    case AST_POWER:
    case AST_FUNCTION_POWER:
        if (k != 2) return unsupported(c, "power with a wrong argument count in", where);
        put(b, "pow(");
        if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
        put(b, ",");
        if (emit(c, b, ASTNode_getChild(n, 1), where)) return -1;
        put(b, ")");
        return 0;
    case AST_FUNCTION_ROOT:
        if (k == 1) return emit_fn1(c, b, n, "sqrt(", ")", where);
        put(b, "pow(");
        if (emit(c, b, ASTNode_getChild(n, 1), where)) return -1;
        put(b, ",1/(");
        if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
        put(b, "))");
        return 0;
    case AST_FUNCTION_LOG:
        if (k == 1) return emit_fn1(c, b, n, "log10(", ")", where); /* MathML log: base 10 */
        put(b, "ln(");
        if (emit(c, b, ASTNode_getChild(n, 1), where)) return -1;
        put(b, ")/ln(");
        if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
        put(b, ")");
        return 0;
    case AST_FUNCTION_LN:
        return emit_fn1(c, b, n, "ln(", ")", where);
    case AST_FUNCTION_EXP:
        return emit_fn1(c, b, n, "exp(", ")", where);
    case AST_FUNCTION_ABS:
        return emit_fn1(c, b, n, "abs(", ")", where);
    case AST_FUNCTION_FLOOR:
        return emit_fn1(c, b, n, "floor(", ")", where);
    case AST_FUNCTION_CEILING:
        return emit_fn1(c, b, n, "ceil(", ")", where);
    case AST_FUNCTION_FACTORIAL:
        return emit_fn1(c, b, n, "factorial(", ")", where);
    case AST_FUNCTION_SIN:
        return emit_fn1(c, b, n, "sin(", ")", where);
    case AST_FUNCTION_COS:
        return emit_fn1(c, b, n, "cos(", ")", where);
    case AST_FUNCTION_TAN:
        return emit_fn1(c, b, n, "tan(", ")", where);
    case AST_FUNCTION_SEC:
        return emit_fn1(c, b, n, "1/cos(", ")", where);
    case AST_FUNCTION_CSC:
        return emit_fn1(c, b, n, "1/sin(", ")", where);
    case AST_FUNCTION_COT:
        return emit_fn1(c, b, n, "1/tan(", ")", where);
    case AST_FUNCTION_SINH:
        return emit_fn1(c, b, n, "sinh(", ")", where);
    case AST_FUNCTION_COSH:
        return emit_fn1(c, b, n, "cosh(", ")", where);
    case AST_FUNCTION_TANH:
        return emit_fn1(c, b, n, "tanh(", ")", where);
    case AST_FUNCTION_SECH:
        return emit_fn1(c, b, n, "1/cosh(", ")", where);
    case AST_FUNCTION_CSCH:
        return emit_fn1(c, b, n, "1/sinh(", ")", where);
    case AST_FUNCTION_COTH:
        return emit_fn1(c, b, n, "1/tanh(", ")", where);
    case AST_FUNCTION_ARCSIN:
        return emit_fn1(c, b, n, "asin(", ")", where);
    case AST_FUNCTION_ARCCOS:
        return emit_fn1(c, b, n, "acos(", ")", where);
    case AST_FUNCTION_ARCTAN:
        return emit_fn1(c, b, n, "atan(", ")", where);
    case AST_FUNCTION_ARCSEC:
        return emit_fn1(c, b, n, "acos(1/(", "))", where);
    case AST_FUNCTION_ARCCSC:
        return emit_fn1(c, b, n, "asin(1/(", "))", where);
    case AST_FUNCTION_ARCCOT:
        return emit_fn1(c, b, n, "atan(1/(", "))", where);
    case AST_FUNCTION_ARCSINH:
        return emit_fn1(c, b, n, "asinh(", ")", where);
    case AST_FUNCTION_ARCCOSH:
        return emit_fn1(c, b, n, "acosh(", ")", where);
    case AST_FUNCTION_ARCTANH:
        return emit_fn1(c, b, n, "atanh(", ")", where);
    case AST_FUNCTION_ARCSECH:
        return emit_fn1(c, b, n, "acosh(1/(", "))", where);
    case AST_FUNCTION_ARCCSCH:
        return emit_fn1(c, b, n, "asinh(1/(", "))", where);
    case AST_FUNCTION_ARCCOTH:
        return emit_fn1(c, b, n, "atanh(1/(", "))", where);
    case AST_FUNCTION_MAX:
    case AST_FUNCTION_MIN: {
        const char *f = t == AST_FUNCTION_MAX ? "max(" : "min(";
        if (!k) return unsupported(c, "min/max without arguments in", where);
        for (unsigned i = 0; i + 1 < k; i++)
            put(b, f);
        if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
        for (unsigned i = 1; i < k; i++) {
            put(b, ",");
            if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
            put(b, ")");
        }
        return 0;
    }
    case AST_FUNCTION_QUOTIENT:
        if (k != 2) return unsupported(c, "quotient with a wrong argument count in", where);
        put(b, "floor((");
        if (emit(c, b, ASTNode_getChild(n, 0), where)) return -1;
        put(b, ")/(");
        if (emit(c, b, ASTNode_getChild(n, 1), where)) return -1;
        put(b, "))");
        return 0;
    case AST_FUNCTION_PIECEWISE: {
        /* piecewise(v1, c1, v2, c2, ..., [otherwise]) -> nested if() */
        unsigned pairs = k / 2;
        for (unsigned i = 0; i < pairs; i++) {
            put(b, "if(");
            if (emit(c, b, ASTNode_getChild(n, 2 * i + 1), where)) return -1;
            put(b, ",");
            if (emit(c, b, ASTNode_getChild(n, 2 * i), where)) return -1;
            put(b, ",");
        }
        if (k % 2) {
            if (emit(c, b, ASTNode_getChild(n, k - 1), where)) return -1;
        } else {
            put(b, "(0/0)"); /* no otherwise: undefined */
        }
        for (unsigned i = 0; i < pairs; i++)
            put(b, ")");
        return 0;
    }
    case AST_LOGICAL_AND:
    case AST_LOGICAL_OR:
    case AST_LOGICAL_XOR: {
        /* and(a, and(b, c)): functions, not comparisons, so that the comparisons of a
         * trigger are exactly its relational operators */
        const char *f = t == AST_LOGICAL_AND ? "and(" : t == AST_LOGICAL_OR ? "or(" : "xor(";
        if (!k) {
            put(b, t == AST_LOGICAL_AND ? "1" : "0");
            return 0;
        }
        if (k == 1) return emit_fn1(c, b, n, "(not(not(", ")))", where);
        for (unsigned i = 0; i + 1 < k; i++) {
            put(b, f);
            if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
            put(b, ",");
        }
        if (emit(c, b, ASTNode_getChild(n, k - 1), where)) return -1;
        for (unsigned i = 0; i + 1 < k; i++)
            put(b, ")");
        return 0;
    }
    case AST_LOGICAL_NOT:
        if (k != 1) return unsupported(c, "not with a wrong argument count in", where);
        return emit_fn1(c, b, n, "not(", ")", where);
    case AST_RELATIONAL_EQ:
    case AST_RELATIONAL_GEQ:
    case AST_RELATIONAL_GT:
    case AST_RELATIONAL_LEQ:
    case AST_RELATIONAL_LT:
    case AST_RELATIONAL_NEQ: {
        const char *op = t == AST_RELATIONAL_EQ    ? "=="
                         : t == AST_RELATIONAL_GEQ ? ">="
                         : t == AST_RELATIONAL_GT  ? ">"
                         : t == AST_RELATIONAL_LEQ ? "<="
                         : t == AST_RELATIONAL_LT  ? "<"
                                                   : "!=";
        if (k < 2) {
            put(b, "1");
            return 0;
        }
        /* a < b < c: every adjacent pair */
        put(b, "((");
        for (unsigned i = 0; i + 1 < k; i++) {
            if (i) put(b, ")*(");
            put(b, "(");
            if (emit(c, b, ASTNode_getChild(n, i), where)) return -1;
            putf(b, ")%s(", op);
            if (emit(c, b, ASTNode_getChild(n, i + 1), where)) return -1;
            put(b, ")");
        }
        put(b, "))");
        return 0;
    }
    case AST_FUNCTION_DELAY:
        return unsupported(c, "delay() in", where);
    case AST_FUNCTION_RATE_OF:
        return unsupported(c, "rateOf() in", where);
    case AST_FUNCTION:
        return emit_call(c, b, n, where);
    case AST_LAMBDA:
        return unsupported(c, "lambda outside a function definition in", where);
    default:
        return unsupported(c, "MathML element in", where);
    }
}

static char *math_text(ctx *c, const ASTNode_t *n, const char *where)
{
    str b = {0};
    put(&b, "");
    if (emit(c, &b, n, where)) {
        free(b.s);
        return NULL;
    }
    if (b.oom) {
        free(b.s);
        ilnet_error_set(ILNET_ENOMEM, "out of memory");
        return NULL;
    }
    return b.s;
}

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
        sym *s = lookup(c, ASTNode_getName(n));
        return s && s->kind != K_SPECIES && !s->assigned && !s->rate_rule && !s->event_target;
    }
    if (t == AST_NAME_TIME || t == AST_FUNCTION_DELAY || t == AST_FUNCTION_RATE_OF ||
        t == AST_FUNCTION_PIECEWISE)
        return 0;
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (!constant_math(c, ASTNode_getChild(n, i))) return 0;
    return 1;
}

/* If law = constant * product over reactants of [S]^stoich (or S^stoich for amount
 * species), writes the mass-action rate constant in amounts into *k and returns 1. */
static int mass_action(ctx *c, const ASTNode_t *law, Reaction_t *r, char **k)
{
    const ASTNode_t *f[64];
    int nf = factors(law, f, 64, 0);
    if (nf < 0) return 0;
    unsigned nr = Reaction_getNumReactants(r);
    double need[64];
    const char *ids[64];
    if (nr > 64) return 0;
    for (unsigned i = 0; i < nr; i++) {
        SpeciesReference_t *sr = Reaction_getReactant(r, i);
        ids[i] = SpeciesReference_getSpecies(sr);
        need[i] = SpeciesReference_getStoichiometry(sr);
        sym *s = lookup(c, ids[i]);
        if (!s || s->assigned || s->net_species < 0 || need[i] != floor(need[i]) || need[i] < 0)
            return 0;
    }
    str b = {0};
    put(&b, "1");
    for (int i = 0; i < nf; i++) {
        const ASTNode_t *x = f[i];
        double power = 1;
        if ((ASTNode_getType(x) == AST_POWER || ASTNode_getType(x) == AST_FUNCTION_POWER) &&
            ASTNode_getNumChildren(x) == 2 && ASTNode_getType(ASTNode_getChild(x, 0)) == AST_NAME &&
            (ASTNode_getType(ASTNode_getChild(x, 1)) == AST_INTEGER ||
             ASTNode_getType(ASTNode_getChild(x, 1)) == AST_REAL)) {
            power = ASTNode_getReal(ASTNode_getChild(x, 1));
            x = ASTNode_getChild(x, 0);
        }
        if (ASTNode_getType(x) == AST_NAME) {
            sym *s = lookup(c, ASTNode_getName(x));
            if (s && s->kind == K_SPECIES) {
                int hit = -1;
                for (unsigned j = 0; j < nr; j++)
                    if (!strcmp(ids[j], s->id)) hit = (int)j;
                if (hit < 0 || power != floor(power) || power < 1) goto no;
                need[hit] -= power;
                /* [S] = n/V: the constant absorbs 1/V per factor */
                for (int p = 0; p < (int)power && s->conc; p++)
                    putf(&b, "/%s", s->comp);
                continue;
            }
        }
        if (power != 1 || !constant_math(c, f[i])) goto no;
        char *t = math_text(c, f[i], "a kinetic law");
        if (!t) goto no;
        put(&b, "*(");
        put(&b, t);
        put(&b, ")");
        free(t);
    }
    for (unsigned i = 0; i < nr; i++)
        if (need[i] != 0) goto no;
    if (b.oom) goto no;
    *k = b.s;
    return 1;
no:
    free(b.s);
    ilnet_error_clear();
    return 0;
}

/* ---- import ---- */

static int add_sym(ctx *c, const char *id, int kind)
{
    if (ilnet_strmap_get(&c->map, id, (size_t)-1) >= 0)
        return ilnet_error_set(ILNET_EINPUT, "%s: id '%s' used twice", c->path, id);
    sym *s = realloc(c->syms, (size_t)(c->nsyms + 1) * sizeof *s);
    if (!s) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    c->syms = s;
    memset(&s[c->nsyms], 0, sizeof *s);
    s[c->nsyms].id = id;
    s[c->nsyms].kind = kind;
    s[c->nsyms].net_species = -1;
    c->nsyms++;
    return 0;
}

static int convert(SBMLDocument_t *d, const char *key, const char *path)
{
    ConversionProperties_t *cp = ConversionProperties_create();
    ConversionProperties_addOptionWithKey(cp, key);
    int rc = SBMLDocument_convert(d, cp);
    ConversionProperties_free(cp);
    if (rc != LIBSBML_OPERATION_SUCCESS)
        return ilnet_error_set(ILNET_EINPUT, "%s: libsbml converter '%s' failed (%d)", path, key,
                               rc);
    return 0;
}

static int sym_out(ilnet_sbml_symbols *o, const char *id, const char *amount, const char *conc,
                   int species, int amount_default)
{
    int *fl = realloc(o->species, (size_t)(o->n + 1) * sizeof *fl);
    if (fl) o->species = fl;
    int *ad = realloc(o->amount_default, (size_t)(o->n + 1) * sizeof *ad);
    if (ad) o->amount_default = ad;
    if (!fl || !ad) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    o->species[o->n] = species;
    o->amount_default[o->n] = amount_default;
    char **a = realloc(o->id, (size_t)(o->n + 1) * sizeof *a);
    if (a) o->id = a;
    char **b = realloc(o->amount, (size_t)(o->n + 1) * sizeof *b);
    if (b) o->amount = b;
    char **cc = realloc(o->conc, (size_t)(o->n + 1) * sizeof *cc);
    if (cc) o->conc = cc;
    if (!a || !b || !cc) return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    o->id[o->n] = strdup(id);
    o->amount[o->n] = strdup(amount);
    o->conc[o->n] = strdup(conc);
    if (!o->id[o->n] || !o->amount[o->n] || !o->conc[o->n])
        return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    o->n++;
    return 0;
}

static int uses_reaction_id(const Model_t *m, const ASTNode_t *n)
{
    if (!n) return 0;
    if (ASTNode_getType(n) == AST_NAME && Model_getReactionById((Model_t *)m, ASTNode_getName(n)))
        return 1;
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (uses_reaction_id(m, ASTNode_getChild(n, i))) return 1;
    return 0;
}

/* 1 when math refers to something that is not a constant parameter */
static int uses_state(ctx *c, const ASTNode_t *n)
{
    if (!n) return 0;
    ASTNodeType_t t = ASTNode_getType(n);
    if (t == AST_NAME_TIME) return 1;
    if (t == AST_NAME) {
        sym *s = lookup(c, ASTNode_getName(n));
        if (!s) return Model_getReactionById(c->m, ASTNode_getName(n)) != NULL;
        return s->kind == K_SPECIES || s->assigned || s->rate_rule || s->state_init ||
               s->event_target;
    }
    for (unsigned i = 0; i < ASTNode_getNumChildren(n); i++)
        if (uses_state(c, ASTNode_getChild(n, i))) return 1;
    return 0;
}

/* an SBML event: trigger, delay and priority as expressions; a species in concentration
 * semantics receives value * its compartment's size at execution (before the event's own
 * assignments: SBML test 01779) */
static int add_event(ctx *c, ilnet_network *net, Event_t *ev, unsigned index)
{
    char name[300], where[400];
    const char *id = Event_getId(ev);
    if (id && *id)
        snprintf(name, sizeof name, "%s", id);
    else
        snprintf(name, sizeof name, "event%u", index + 1);
    const Trigger_t *tr = Event_getTrigger(ev);
    if (!tr || !Trigger_getMath(tr)) return unsupported(c, "event without a trigger", name);
    unsigned na = Event_getNumEventAssignments(ev);
    ilnet_event def = {0};
    def.name = name;
    def.n_assign = (int)na;
    def.assign = calloc(na + 1, sizeof *def.assign);
    int rc = def.assign ? 0 : ilnet_error_set(ILNET_ENOMEM, "out of memory");
    int l3 = SBase_getLevel((const SBase_t *)c->m) >= 3;
    /* Level 2: initialValue and persistent do not exist and behave as true */
    def.initial_value = l3 ? Trigger_getInitialValue(tr) : 1;
    def.persistent = l3 ? Trigger_getPersistent(tr) : 1;
    def.use_trigger_values =
        Event_isSetUseValuesFromTriggerTime(ev) ? Event_getUseValuesFromTriggerTime(ev) : 1;
    if (!rc) {
        snprintf(where, sizeof where, "the trigger of event '%s'", name);
        if (!(def.trigger = math_text(c, Trigger_getMath(tr), where))) rc = ILNET_EINPUT;
    }
    const Delay_t *dl = Event_getDelay(ev);
    if (!rc && dl && Delay_getMath(dl)) {
        snprintf(where, sizeof where, "the delay of event '%s'", name);
        if (!(def.delay = math_text(c, Delay_getMath(dl), where))) rc = ILNET_EINPUT;
    }
    const Priority_t *pr = Event_getPriority(ev);
    if (!rc && pr && Priority_getMath(pr)) {
        snprintf(where, sizeof where, "the priority of event '%s'", name);
        if (!(def.priority = math_text(c, Priority_getMath(pr), where))) rc = ILNET_EINPUT;
    }
    for (unsigned a = 0; a < na && !rc; a++) {
        EventAssignment_t *ea = Event_getEventAssignment(ev, a);
        sym *s = lookup(c, EventAssignment_getVariable(ea));
        snprintf(where, sizeof where, "the assignment to '%s' of event '%s'", s->id, name);
        def.assign[a].target = (char *)s->id;
        if (!(def.assign[a].value = math_text(c, EventAssignment_getMath(ea), where)))
            rc = ILNET_EINPUT;
        if (s->kind == K_SPECIES && s->conc) def.assign[a].scale = (char *)s->comp;
    }
    if (!rc) rc = ilnet_network_add_event(net, &def);
    free(def.trigger);
    free(def.delay);
    free(def.priority);
    for (unsigned a = 0; a < na && def.assign; a++)
        free(def.assign[a].value);
    free(def.assign);
    return rc;
}

static int import(ctx *c, ilnet_network *net, ilnet_sbml_symbols *out)
{
    Model_t *m = c->m;
    int rc;
    char buf[512];
    if (Model_isSetConversionFactor(m))
        return unsupported(c, "conversion factors", Model_getConversionFactor(m));
    /* symbols */
    for (unsigned i = 0; i < Model_getNumCompartments(m); i++)
        if ((rc = add_sym(c, Compartment_getId(Model_getCompartment(m, i)), K_COMP))) return rc;
    for (unsigned i = 0; i < Model_getNumParameters(m); i++)
        if ((rc = add_sym(c, Parameter_getId(Model_getParameter(m, i)), K_PARAM))) return rc;
    for (unsigned i = 0; i < Model_getNumSpecies(m); i++) {
        Species_t *s = Model_getSpecies(m, i);
        if ((rc = add_sym(c, Species_getId(s), K_SPECIES))) return rc;
        sym *y = &c->syms[c->nsyms - 1];
        y->comp = Species_getCompartment(s);
        Compartment_t *cp = Model_getCompartmentById(m, y->comp);
        if (!cp)
            return ilnet_error_set(ILNET_EINPUT, "%s: species '%s' is in unknown compartment '%s'",
                                   c->path, y->id, y->comp);
        y->conc = !Species_getHasOnlySubstanceUnits(s) &&
                  Compartment_getSpatialDimensionsAsDouble(cp) != 0;
        if (Species_isSetConversionFactor(s))
            return unsupported(c, "conversion factor on species", y->id);
    }
    for (int i = 0; i < c->nsyms; i++)
        if (ilnet_strmap_put(&c->map, c->syms[i].id, i) < 0)
            return ilnet_error_set(ILNET_ENOMEM, "out of memory");
    for (unsigned i = 0; i < Model_getNumRules(m); i++) {
        Rule_t *r = Model_getRule(m, i);
        if (Rule_isAlgebraic(r)) return unsupported(c, "algebraic rule", NULL);
        sym *s = lookup(c, Rule_getVariable(r));
        if (!s)
            return ilnet_error_set(ILNET_EINPUT, "%s: rule for unknown symbol '%s'", c->path,
                                   Rule_getVariable(r));
        if (Rule_isAssignment(r))
            s->assigned = 1;
        else
            s->rate_rule = 1;
        if (s->kind == K_COMP && s->rate_rule)
            return unsupported(c, "rate rule on a compartment", s->id);
    }
    /* parameters and compartments that events change become state variables */
    for (unsigned i = 0; i < Model_getNumEvents(m); i++) {
        Event_t *ev = Model_getEvent(m, i);
        for (unsigned a = 0; a < Event_getNumEventAssignments(ev); a++) {
            const char *v = EventAssignment_getVariable(Event_getEventAssignment(ev, a));
            sym *s = lookup(c, v);
            if (!s)
                return unsupported(c, "event assignment to a species reference (stoichiometry)", v);
            if (s->assigned)
                return ilnet_error_set(
                    ILNET_EINPUT, "%s: event '%s' assigns to '%s', which has an assignment rule",
                    c->path, Event_getId(ev), v);
            if (s->kind != K_SPECIES) s->event_target = 1;
        }
    }
    /* a concentration with a rate rule in a varying compartment would need dV/dt terms */
    for (int k = 0; k < c->nsyms; k++) {
        sym *y = &c->syms[k];
        if (y->kind != K_SPECIES || !y->conc || !y->rate_rule) continue;
        sym *cp = lookup(c, y->comp);
        if (cp && cp->assigned)
            return unsupported(c, "rate rule on a concentration in a varying compartment", y->id);
    }
    for (unsigned i = 0; i < Model_getNumReactions(m); i++) {
        Reaction_t *r = Model_getReaction(m, i);
        if (Reaction_isSetFast(r) && Reaction_getFast(r))
            return unsupported(c, "fast reaction", Reaction_getId(r));
    }
    /* a reaction id used in math stands for its rate */
    for (unsigned i = 0; i < Model_getNumRules(m); i++)
        c->rate_refs |= uses_reaction_id(m, Rule_getMath(Model_getRule(m, i)));
    for (unsigned i = 0; i < Model_getNumReactions(m); i++) {
        KineticLaw_t *kl = Reaction_getKineticLaw(Model_getReaction(m, i));
        if (kl) c->rate_refs |= uses_reaction_id(m, KineticLaw_getMath(kl));
    }
    for (unsigned i = 0; i < Model_getNumEvents(m); i++) {
        Event_t *ev = Model_getEvent(m, i);
        const Trigger_t *tr = Event_getTrigger(ev);
        const Delay_t *dl = Event_getDelay(ev);
        const Priority_t *pr = Event_getPriority(ev);
        c->rate_refs |= (tr && uses_reaction_id(m, Trigger_getMath(tr))) ||
                        (dl && uses_reaction_id(m, Delay_getMath(dl))) ||
                        (pr && uses_reaction_id(m, Priority_getMath(pr)));
        for (unsigned a = 0; a < Event_getNumEventAssignments(ev); a++)
            c->rate_refs |=
                uses_reaction_id(m, EventAssignment_getMath(Event_getEventAssignment(ev, a)));
    }
    /* initial assignments by symbol */
    ilnet_strmap ia = ILNET_STRMAP_INIT;
    for (unsigned i = 0; i < Model_getNumInitialAssignments(m); i++)
        if (ilnet_strmap_put(&ia, InitialAssignment_getSymbol(Model_getInitialAssignment(m, i)),
                             (int)i) < 0) {
            ilnet_strmap_free(&ia);
            return ilnet_error_set(ILNET_ENOMEM, "out of memory");
        }
    rc = 0;
    /* initial assignments that use the state (species, rules, time, rates) are evaluated
     * at t0 with it: such parameters become fixed species */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < c->nsyms; i++) {
            sym *s = &c->syms[i];
            if (s->kind == K_SPECIES || s->assigned || s->rate_rule || s->state_init ||
                s->event_target)
                continue;
            int j = ilnet_strmap_get(&ia, s->id, (size_t)-1);
            if (j < 0) continue;
            if (uses_state(c,
                           InitialAssignment_getMath(Model_getInitialAssignment(m, (unsigned)j)))) {
                s->state_init = 1;
                changed = 1;
            }
        }
    }
    /* compartments and parameters: constant ones are network parameters */
    for (int i = 0; i < c->nsyms && !rc; i++) {
        sym *s = &c->syms[i];
        if (s->kind == K_SPECIES || s->assigned) continue;
        int j = ilnet_strmap_get(&ia, s->id, (size_t)-1);
        char *text = NULL;
        if (j >= 0) {
            snprintf(buf, sizeof buf, "the initial assignment of '%s'", s->id);
            text = math_text(
                c, InitialAssignment_getMath(Model_getInitialAssignment(m, (unsigned)j)), buf);
            if (!text) rc = ILNET_EINPUT;
        } else {
            double v;
            int set;
            if (s->kind == K_COMP) {
                Compartment_t *cp = Model_getCompartmentById(m, s->id);
                set = Compartment_isSetSize(cp) || Compartment_isSetVolume(cp);
                v = Compartment_getSize(cp);
                if (!set && Compartment_getSpatialDimensionsAsDouble(cp) == 0) set = 1, v = 1;
                if (!set && SBase_getLevel((const SBase_t *)m) < 3) set = 1, v = 1;
            } else {
                Parameter_t *p = Model_getParameterById(m, s->id);
                set = Parameter_isSetValue(p);
                v = Parameter_getValue(p);
            }
            if (!set)
                rc =
                    ilnet_error_set(ILNET_EINPUT, "%s: '%s' has no value and no initial assignment",
                                    c->path, s->id);
            else {
                if (isnan(v))
                    snprintf(buf, sizeof buf, "(0/0)");
                else if (isinf(v))
                    snprintf(buf, sizeof buf, v > 0 ? "(1/0)" : "(-1/0)");
                else
                    snprintf(buf, sizeof buf, "%.17g", v);
                text = strdup(buf);
            }
        }
        if (rc) break;
        /* an initial value may use species (their initial amounts): not supported */
        if (s->rate_rule || s->state_init || s->event_target) {
            /* a parameter with a rate rule is a state variable; one whose initial value
             * depends on the state, or that events change, is a fixed species (constant
             * between events) */
            rc = ilnet_network_add_species(net, s->id, text, !s->rate_rule, 0);
            s->net_species = (int)ilnet_network_species_count(net) - 1;
        } else {
            rc = ilnet_network_add_parameter(net, s->id, text, 0);
        }
        free(text);
    }
    /* species */
    for (int i = 0; i < c->nsyms && !rc; i++) {
        sym *s = &c->syms[i];
        if (s->kind != K_SPECIES || s->assigned) continue;
        Species_t *sp = Model_getSpeciesById(m, s->id);
        int j = ilnet_strmap_get(&ia, s->id, (size_t)-1);
        char *text = NULL;
        if (j >= 0) {
            snprintf(buf, sizeof buf, "the initial assignment of '%s'", s->id);
            char *v = math_text(
                c, InitialAssignment_getMath(Model_getInitialAssignment(m, (unsigned)j)), buf);
            if (!v) {
                rc = ILNET_EINPUT;
                break;
            }
            size_t n = strlen(v) + strlen(s->comp) + 8;
            text = malloc(n);
            if (text) snprintf(text, n, s->conc ? "(%s)*%s" : "%s", v, s->comp);
            free(v);
        } else if (Species_isSetInitialAmount(sp)) {
            snprintf(buf, sizeof buf, "%.17g", Species_getInitialAmount(sp));
            text = strdup(buf);
        } else if (Species_isSetInitialConcentration(sp)) {
            snprintf(buf, sizeof buf, "%.17g*%s", Species_getInitialConcentration(sp), s->comp);
            text = strdup(buf);
        } else {
            rc = ilnet_error_set(ILNET_EINPUT, "%s: species '%s' has no initial amount", c->path,
                                 s->id);
            break;
        }
        if (!text) {
            rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            break;
        }
        int fixed = (Species_getBoundaryCondition(sp) || Species_getConstant(sp)) && !s->rate_rule;
        rc = ilnet_network_add_species(net, s->id, text, fixed, 0);
        s->net_species = (int)ilnet_network_species_count(net) - 1;
        free(text);
    }
    ilnet_strmap_free(&ia);
    /* assignment rules: functions; rate rules: general reactions making the variable */
    for (unsigned i = 0; i < Model_getNumRules(m) && !rc; i++) {
        Rule_t *r = Model_getRule(m, i);
        sym *s = lookup(c, Rule_getVariable(r));
        snprintf(buf, sizeof buf, "the rule for '%s'", s->id);
        char *text = math_text(c, Rule_getMath(r), buf);
        if (!text) {
            rc = ILNET_EINPUT;
            break;
        }
        if (Rule_isAssignment(r)) {
            rc = ilnet_network_add_function(net, s->id, text, 0);
        } else {
            size_t n = strlen(text) + 64;
            char *rate = malloc(n);
            if (!rate)
                rc = ilnet_error_set(ILNET_ENOMEM, "out of memory");
            else {
                /* d[S]/dt = f means dn/dt = f*V for a concentration species */
                snprintf(rate, n, s->kind == K_SPECIES && s->conc ? "(%s)*%s" : "%s", text,
                         s->kind == K_SPECIES ? s->comp : "");
                int prod = s->net_species;
                snprintf(buf, sizeof buf, "rate_rule_%s", s->id);
                rc = ilnet_network_add_reaction_ex(net, NULL, NULL, 0, &prod, NULL, 1, rate, buf, 0,
                                                   1);
                free(rate);
            }
        }
        free(text);
    }
    /* reactions */
    for (unsigned i = 0; i < Model_getNumReactions(m) && !rc; i++) {
        Reaction_t *r = Model_getReaction(m, i);
        const char *rid = Reaction_getId(r);
        KineticLaw_t *kl = Reaction_getKineticLaw(r);
        if (!kl || !KineticLaw_getMath(kl)) {
            rc =
                ilnet_error_set(ILNET_EINPUT, "%s: reaction '%s' has no kinetic law", c->path, rid);
            break;
        }
        int sp[2][256];
        double co[2][256];
        int ns[2] = {0, 0};
        for (int side = 0; side < 2 && !rc; side++) {
            unsigned n = side ? Reaction_getNumProducts(r) : Reaction_getNumReactants(r);
            for (unsigned k = 0; k < n && !rc; k++) {
                SpeciesReference_t *sr =
                    side ? Reaction_getProduct(r, k) : Reaction_getReactant(r, k);
                if (SpeciesReference_isSetStoichiometryMath(sr)) {
                    rc = unsupported(c, "stoichiometryMath in reaction", rid);
                    break;
                }
                const char *srid = SpeciesReference_getId(sr);
                if (srid && *srid && lookup(c, srid) == NULL) {
                    /* a species reference id is a symbol other math may change */
                    for (unsigned q = 0; q < Model_getNumRules(m); q++)
                        if (!strcmp(Rule_getVariable(Model_getRule(m, q)), srid))
                            rc = unsupported(c, "variable stoichiometry in reaction", rid);
                    for (unsigned q = 0; q < Model_getNumInitialAssignments(m); q++)
                        if (!strcmp(InitialAssignment_getSymbol(Model_getInitialAssignment(m, q)),
                                    srid))
                            rc = unsupported(c, "variable stoichiometry in reaction", rid);
                    if (rc) break;
                }
                sym *s = lookup(c, SpeciesReference_getSpecies(sr));
                if (!s || s->kind != K_SPECIES) {
                    rc = ilnet_error_set(ILNET_EINPUT,
                                         "%s: reaction '%s' refers to unknown species '%s'",
                                         c->path, rid, SpeciesReference_getSpecies(sr));
                    break;
                }
                if (s->assigned) continue; /* boundary species set by a rule */
                if (ns[side] == 256) {
                    rc = unsupported(c, "more than 256 reactants or products in reaction", rid);
                    break;
                }
                double st = SpeciesReference_getStoichiometry(sr);
                if (isnan(st)) st = 1;
                sp[side][ns[side]] = s->net_species;
                co[side][ns[side]++] = st;
            }
        }
        if (rc) break;
        snprintf(buf, sizeof buf, "the kinetic law of reaction '%s'", rid);
        char *k = NULL;
        int ma = mass_action(c, KineticLaw_getMath(kl), r, &k);
        if (!ma) k = math_text(c, KineticLaw_getMath(kl), buf);
        if (!k) {
            rc = ILNET_EINPUT;
            break;
        }
        if (ma) {
            /* mass action multiplies each reactant once per unit of stoichiometry */
            int ex[256], ne = 0;
            for (int q = 0; q < ns[0] && !rc; q++)
                for (int u = 0; u < (int)co[0][q]; u++) {
                    if (ne == 256)
                        rc = unsupported(c, "stoichiometry above 256 in reaction", rid);
                    else
                        ex[ne++] = sp[0][q];
                }
            if (!rc)
                rc = ilnet_network_add_reaction_ex(net, ex, NULL, ne, sp[1], co[1], ns[1], k, rid,
                                                   0, 0);
        } else {
            rc = ilnet_network_add_reaction_ex(net, sp[0], co[0], ns[0], sp[1], co[1], ns[1], k,
                                               rid, 0, 1);
        }
        free(k);
        /* a reaction id in math means its rate: a function with the kinetic law */
        if (!rc && c->rate_refs) {
            char *law = math_text(c, KineticLaw_getMath(kl), buf);
            if (!law)
                rc = ILNET_EINPUT;
            else
                rc = ilnet_network_add_function(net, rid, law, 0);
            free(law);
        }
    }
    for (unsigned i = 0; i < Model_getNumEvents(m) && !rc; i++)
        rc = add_event(c, net, Model_getEvent(m, i), i);
    /* output symbols: amount and concentration of species, value of the rest */
    for (int i = 0; i < c->nsyms && !rc && out; i++) {
        sym *s = &c->syms[i];
        char a[600], q[600];
        if (s->kind == K_SPECIES && s->assigned) {
            snprintf(a, sizeof a, s->conc ? "%s*%s" : "%s", s->id, s->comp);
            snprintf(q, sizeof q, s->conc ? "%s" : "%s/%s", s->id, s->comp);
        } else if (s->kind == K_SPECIES) {
            snprintf(a, sizeof a, "%s", s->id);
            snprintf(q, sizeof q, "%s/%s", s->id, s->comp);
        } else {
            snprintf(a, sizeof a, "%s", s->id);
            snprintf(q, sizeof q, "%s", s->id);
        }
        rc = sym_out(out, s->id, a, q, s->kind == K_SPECIES, !(s->kind == K_SPECIES && s->conc));
    }
    return rc;
}

int ilnet_sbml_read(ilnet_network **out, ilnet_sbml_symbols *symbols, const char *path,
                    const ilnet_notify *notify)
{
    *out = NULL;
    if (symbols) memset(symbols, 0, sizeof *symbols);
    FILE *f = fopen(path, "rb");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot open", path);
    fclose(f);
    SBMLDocument_t *d = readSBMLFromFile(path);
    if (!d) return ilnet_error_set(ILNET_ENOMEM, "%s: libsbml could not read the file", path);
    int rc = 0;
    for (unsigned i = 0; i < SBMLDocument_getNumErrors(d); i++) {
        const XMLError_t *e = (const XMLError_t *)SBMLDocument_getError(d, i);
        if (XMLError_isError(e) || XMLError_isFatal(e)) {
            char msg[400];
            snprintf(msg, sizeof msg, "%s", XMLError_getMessage(e));
            for (char *p = msg; *p; p++)
                if (*p == '\n' || *p == '\r') *p = ' ';
            unsigned code = XMLError_getErrorId(e);
            /* errors that do not touch the mathematics, both produced by BioNetGen's
             * writeSBML: a model id not in SId syntax, an empty listOf container */
            if (!XMLError_isFatal(e) &&
                (code == 10310 || code == 20103 || code == 20104 || code == 20203)) {
                ilnet_notify_send(notify, ILNET_MESSAGE_WARNING, "%s:%u: SBML %u: %s (ignored)",
                                  path, XMLError_getLine(e), code, msg);
                continue;
            }
            rc = ilnet_error_set(ILNET_EINPUT, "%s:%u: invalid SBML (libsbml error %u): %s", path,
                                 XMLError_getLine(e), code, msg);
            break;
        }
    }
    Model_t *m = rc ? NULL : SBMLDocument_getModel(d);
    if (!rc && !m) rc = ilnet_error_set(ILNET_EINPUT, "%s: no model in the SBML document", path);
    if (!rc) rc = convert(d, "promoteLocalParameters", path);
    ilnet_network *net = NULL;
    ctx c = {path, NULL, NULL, 0, NULL, 0, ILNET_STRMAP_INIT, 0, ""};
    if (!rc) {
        c.m = SBMLDocument_getModel(d);
        rc = ilnet_network_new(&net);
        if (!rc) rc = ilnet_network_set_source(net, path, NULL);
        if (!rc) ilnet_network_allow_nonfinite(net, 1);
        if (!rc) rc = import(&c, net, symbols);
        if (!rc) rc = ilnet_network_compile(net);
    }
    free(c.syms);
    ilnet_strmap_free(&c.map);
    SBMLDocument_free(d);
    if (rc) {
        ilnet_network_free(net);
        if (symbols) ilnet_sbml_symbols_free(symbols);
        return rc;
    }
    *out = net;
    return 0;
}

void ilnet_sbml_symbols_free(ilnet_sbml_symbols *s)
{
    for (int i = 0; i < s->n; i++) {
        free(s->id[i]);
        free(s->amount[i]);
        free(s->conc[i]);
    }
    free(s->id);
    free(s->amount);
    free(s->conc);
    free(s->species);
    free(s->amount_default);
    memset(s, 0, sizeof *s);
}

int ilnet_sbml_symbol_find(const ilnet_sbml_symbols *s, const char *id)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->id[i], id)) return i;
    return -1;
}

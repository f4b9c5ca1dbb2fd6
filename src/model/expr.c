#include "expr.h"

#include "../common/error.h"

#include <ctype.h>
#include <gsl/gsl_sf_psi.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

enum op {
    OP_CONST,
    OP_VAR,
    OP_NEG,
    OP_ADD,
    OP_SUB,
    OP_MUL,
    OP_DIV,
    OP_POW,
    OP_LT,
    OP_GT,
    OP_LE,
    OP_GE,
    OP_EQ,
    OP_NE,
    OP_FN1,
    OP_FN2,
    OP_IF
};

struct instr {
    enum op op;
    int arg; /* variable index or function id */
    double value;
};

struct ilnet_expr {
    struct instr *code;
    size_t n, cap;
    int *vars;
    size_t n_vars;
    size_t n_rel; /* comparison instructions */
};

typedef double (*fn1_t)(double);
typedef double (*fn2_t)(double, double);

static double fn_sign(double x)
{
    return (x > 0) - (x < 0);
}

static double fn_min(double a, double b)
{
    return a < b ? a : b;
}

static double fn_max(double a, double b)
{
    return a > b ? a : b;
}

static double fn_factorial(double x)
{
    return tgamma(x + 1);
}

/* logical operators on truth values (nonzero is true, NaN included) */
static double fn_not(double x)
{
    return x == 0;
}

static double fn_and(double a, double b)
{
    return a != 0 && b != 0;
}

static double fn_or(double a, double b)
{
    return a != 0 || b != 0;
}

static double fn_xor(double a, double b)
{
    return (a != 0) != (b != 0);
}

static const struct {
    const char *name;
    fn1_t f;
} fn1_table[] = {{"factorial", fn_factorial},
                 {"exp", exp},
                 {"ln", log},
                 {"log", log},
                 {"log10", log10},
                 {"log2", log2},
                 {"sqrt", sqrt},
                 {"abs", fabs},
                 {"sin", sin},
                 {"cos", cos},
                 {"tan", tan},
                 {"asin", asin},
                 {"acos", acos},
                 {"atan", atan},
                 {"sinh", sinh},
                 {"cosh", cosh},
                 {"tanh", tanh},
                 {"asinh", asinh},
                 {"acosh", acosh},
                 {"atanh", atanh},
                 {"floor", floor},
                 {"ceil", ceil},
                 {"rint", rint},
                 {"sign", fn_sign},
                 {"not", fn_not}};

static const struct {
    const char *name;
    fn2_t f;
} fn2_table[] = {{"min", fn_min}, {"max", fn_max}, {"pow", pow},
                 {"and", fn_and}, {"or", fn_or},   {"xor", fn_xor}};

#define N_FN1 (sizeof fn1_table / sizeof fn1_table[0])
#define N_FN2 (sizeof fn2_table / sizeof fn2_table[0])

struct parser {
    const char *text, *p;
    ilnet_expr_resolve_fn resolve;
    void *ctx;
    ilnet_expr *e;
    int depth, max_depth; /* stack depth tracking for the compiled program */
    int nest;
    int failed;
    size_t err_pos;
};

static int fail(struct parser *ps, const char *at, const char *what)
{
    if (ps->failed) return -1;
    ps->failed = 1;
    ps->err_pos = (size_t)(at - ps->text);
    int len = 0;
    while (at[len] && !isspace((unsigned char)at[len]) && len < 40)
        len++;
    if (len == 0)
        ilnet_error_set(ILNET_EINPUT, "%s at end of expression '%s'", what, ps->text);
    else
        ilnet_error_set(ILNET_EINPUT, "%s at '%.*s' in expression '%s'", what, len, at, ps->text);
    return -1;
}

static int emit(struct parser *ps, enum op op, int arg, double value, int stack_effect)
{
    ilnet_expr *e = ps->e;
    if (e->n == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 16;
        struct instr *c = realloc(e->code, cap * sizeof *c);
        if (!c) {
            ps->failed = 1;
            return ilnet_error_set(ILNET_ENOMEM, "out of memory compiling expression");
        }
        e->code = c;
        e->cap = cap;
    }
    e->code[e->n++] = (struct instr){op, arg, value};
    ps->depth += stack_effect;
    if (ps->depth > ps->max_depth) ps->max_depth = ps->depth;
    return 0;
}

static void skip_ws(struct parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

static int parse_expr(struct parser *ps);
static int parse_unary(struct parser *ps);

static int add_var(ilnet_expr *e, int idx)
{
    for (size_t i = 0; i < e->n_vars; i++)
        if (e->vars[i] == idx) return 0;
    int *v = realloc(e->vars, (e->n_vars + 1) * sizeof *v);
    if (!v) return ilnet_error_set(ILNET_ENOMEM, "out of memory compiling expression");
    e->vars = v;
    e->vars[e->n_vars++] = idx;
    return 0;
}

static int parse_number(struct parser *ps)
{
    const char *s = ps->p, *q = s;
    while (isdigit((unsigned char)*q))
        q++;
    if (*q == '.') {
        q++;
        while (isdigit((unsigned char)*q))
            q++;
    }
    if (q == s || (q == s + 1 && *s == '.')) return fail(ps, s, "malformed number");
    if (*q == 'e' || *q == 'E') {
        const char *r = q + 1;
        if (*r == '+' || *r == '-') r++;
        if (!isdigit((unsigned char)*r)) return fail(ps, s, "malformed number");
        while (isdigit((unsigned char)*r))
            r++;
        q = r;
    }
    if (isalpha((unsigned char)*q) || *q == '_') return fail(ps, s, "malformed number");
    char buf[64];
    size_t len = (size_t)(q - s);
    if (len >= sizeof buf) return fail(ps, s, "number too long");
    memcpy(buf, s, len);
    buf[len] = '\0';
    ps->p = q;
    return emit(ps, OP_CONST, 0, strtod(buf, NULL), 1);
}

static int parse_call(struct parser *ps, const char *name, size_t len, const char *at)
{
    int nargs = 0;
    ps->p++; /* '(' */
    skip_ws(ps);
    if (*ps->p != ')') {
        for (;;) {
            if (parse_expr(ps)) return -1;
            nargs++;
            skip_ws(ps);
            if (*ps->p == ',') {
                ps->p++;
                continue;
            }
            break;
        }
    }
    if (*ps->p != ')') return fail(ps, ps->p, "expected ')' closing function call");
    ps->p++;
    for (size_t i = 0; i < N_FN1; i++)
        if (strlen(fn1_table[i].name) == len && !memcmp(fn1_table[i].name, name, len)) {
            if (nargs != 1) return fail(ps, at, "function takes 1 argument");
            return emit(ps, OP_FN1, (int)i, 0, 0);
        }
    for (size_t i = 0; i < N_FN2; i++)
        if (strlen(fn2_table[i].name) == len && !memcmp(fn2_table[i].name, name, len)) {
            if (nargs != 2) return fail(ps, at, "function takes 2 arguments");
            return emit(ps, OP_FN2, (int)i, 0, -1);
        }
    if (len == 2 && !memcmp(name, "if", 2)) {
        if (nargs != 3) return fail(ps, at, "if() takes 3 arguments");
        return emit(ps, OP_IF, 0, 0, -2);
    }
    return fail(ps, at, "unknown function");
}

static int parse_primary(struct parser *ps)
{
    skip_ws(ps);
    const char *s = ps->p;
    if (isdigit((unsigned char)*s) || *s == '.') return parse_number(ps);
    if (*s == '(') {
        ps->p++;
        if (parse_expr(ps)) return -1;
        skip_ws(ps);
        if (*ps->p != ')') return fail(ps, ps->p, "expected ')'");
        ps->p++;
        return 0;
    }
    if (isalpha((unsigned char)*s) || *s == '_') {
        const char *q = s;
        while (isalnum((unsigned char)*q) || *q == '_')
            q++;
        size_t len = (size_t)(q - s);
        ps->p = q;
        skip_ws(ps);
        if (*ps->p == '(') return parse_call(ps, s, len, s);
        int idx = ps->resolve ? ps->resolve(ps->ctx, s, len) : -1;
        if (idx >= 0) {
            if (add_var(ps->e, idx)) {
                ps->failed = 1;
                return -1;
            }
            return emit(ps, OP_VAR, idx, 0, 1);
        }
        if (len == 3 && !memcmp(s, "_pi", 3)) return emit(ps, OP_CONST, 0, M_PI, 1);
        if (len == 2 && !memcmp(s, "_e", 2)) return emit(ps, OP_CONST, 0, M_E, 1);
        return fail(ps, s, "undefined name");
    }
    if (!*s) return fail(ps, s, "unexpected end");
    return fail(ps, s, "unexpected character");
}

static int parse_pow(struct parser *ps)
{
    if (parse_primary(ps)) return -1;
    skip_ws(ps);
    if (*ps->p == '^' || (ps->p[0] == '*' && ps->p[1] == '*')) {
        ps->p += *ps->p == '^' ? 1 : 2;
        if (++ps->nest > MAX_DEPTH) return fail(ps, ps->p, "expression nested too deeply");
        if (parse_unary(ps)) return -1; /* right associative, allows 2^-1 */
        ps->nest--;
        return emit(ps, OP_POW, 0, 0, -1);
    }
    return 0;
}

static int parse_unary(struct parser *ps)
{
    skip_ws(ps);
    if (*ps->p == '-' || *ps->p == '+') {
        int neg = *ps->p == '-';
        if (++ps->nest > MAX_DEPTH) return fail(ps, ps->p, "expression nested too deeply");
        ps->p++;
        if (parse_unary(ps)) return -1;
        ps->nest--;
        return neg ? emit(ps, OP_NEG, 0, 0, 0) : 0;
    }
    return parse_pow(ps);
}

static int parse_mul(struct parser *ps)
{
    if (parse_unary(ps)) return -1;
    for (;;) {
        skip_ws(ps);
        char c = *ps->p;
        if ((c != '*' && c != '/') || ps->p[1] == '*') return 0;
        ps->p++;
        if (parse_unary(ps)) return -1;
        if (emit(ps, c == '*' ? OP_MUL : OP_DIV, 0, 0, -1)) return -1;
    }
}

static int parse_add(struct parser *ps)
{
    if (parse_mul(ps)) return -1;
    for (;;) {
        skip_ws(ps);
        char c = *ps->p;
        if (c != '+' && c != '-') return 0;
        ps->p++;
        if (parse_mul(ps)) return -1;
        if (emit(ps, c == '+' ? OP_ADD : OP_SUB, 0, 0, -1)) return -1;
    }
}

static int parse_compare(struct parser *ps)
{
    if (++ps->nest > MAX_DEPTH) return fail(ps, ps->p, "expression nested too deeply");
    if (parse_add(ps)) return -1;
    skip_ws(ps);
    static const struct {
        const char *tok;
        enum op op;
    } cmps[] = {{"<=", OP_LE}, {">=", OP_GE}, {"==", OP_EQ},
                {"!=", OP_NE}, {"<", OP_LT},  {">", OP_GT}};
    for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++) {
        size_t l = strlen(cmps[i].tok);
        if (!strncmp(ps->p, cmps[i].tok, l)) {
            ps->p += l;
            if (parse_add(ps)) return -1;
            if (emit(ps, cmps[i].op, (int)ps->e->n_rel++, 0, -1)) return -1;
            break;
        }
    }
    ps->nest--;
    return 0;
}

/* a && b and a || b: BioNetGen's logical operators, below the comparisons, one level read
 * left to right as BNG2.pl 2.9 reads them (1 || 0 && 0 is (1 || 0) && 0 = 0); the
 * and()/or() functions, 1 or 0 */
static int parse_logical(struct parser *ps)
{
    if (parse_compare(ps)) return -1;
    for (;;) {
        skip_ws(ps);
        int fn = !strncmp(ps->p, "&&", 2) ? 3 : !strncmp(ps->p, "||", 2) ? 4 : -1;
        if (fn < 0) return 0; /* fn2_table: 3 and, 4 or */
        ps->p += 2;
        if (parse_compare(ps) || emit(ps, OP_FN2, fn, 0, -1)) return -1;
    }
}

static int parse_expr(struct parser *ps)
{
    return parse_logical(ps);
}

void ilnet_expr_free(ilnet_expr *e)
{
    if (!e) return;
    free(e->code);
    free(e->vars);
    free(e);
}

int ilnet_expr_parse(ilnet_expr **out, const char *text, ilnet_expr_resolve_fn resolve, void *ctx,
                     size_t *err_pos)
{
    *out = NULL;
    ilnet_expr *e = calloc(1, sizeof *e);
    if (!e) return ilnet_error_set(ILNET_ENOMEM, "out of memory compiling expression");
    struct parser ps = {text, text, resolve, ctx, e, 0, 0, 0, 0, 0};
    skip_ws(&ps);
    if (!*ps.p)
        fail(&ps, ps.p, "empty expression");
    else if (parse_expr(&ps) == 0) {
        skip_ws(&ps);
        if (*ps.p)
            fail(&ps, ps.p, "unexpected text");
        else if (ps.max_depth > MAX_DEPTH)
            fail(&ps, text, "expression too complex");
    }
    if (ps.failed) {
        if (err_pos) *err_pos = ps.err_pos;
        ilnet_expr_free(e);
        return ilnet_error_code() ? ilnet_error_code() : ILNET_EINPUT;
    }
    *out = e;
    return 0;
}

static double eval_compare(enum op op, double a, double b)
{
    switch (op) {
    case OP_LT:
        return a < b;
    case OP_GT:
        return a > b;
    case OP_LE:
        return a <= b;
    case OP_GE:
        return a >= b;
    case OP_EQ:
        return a == b;
    default:
        return a != b;
    }
}

/* diff (may be NULL) receives lhs - rhs of every comparison; force (may be NULL) overrides
 * the result of comparison i with force[i] when that is 0 or 1 */
static inline double eval_core(const ilnet_expr *e, const double *vars, double *diff,
                               const signed char *force)
{
    double st[MAX_DEPTH + 1];
    int sp = -1;
    for (size_t i = 0; i < e->n; i++) {
        const struct instr *in = &e->code[i];
        switch (in->op) {
        case OP_CONST:
            st[++sp] = in->value;
            break;
        case OP_VAR:
            st[++sp] = vars[in->arg];
            break;
        case OP_NEG:
            st[sp] = -st[sp];
            break;
        case OP_ADD:
            sp--;
            st[sp] += st[sp + 1];
            break;
        case OP_SUB:
            sp--;
            st[sp] -= st[sp + 1];
            break;
        case OP_MUL:
            sp--;
            st[sp] *= st[sp + 1];
            break;
        case OP_DIV:
            sp--;
            st[sp] /= st[sp + 1];
            break;
        case OP_POW:
            sp--;
            st[sp] = pow(st[sp], st[sp + 1]);
            break;
        case OP_LT:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] < st[sp + 1];
            break;
        case OP_GT:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] > st[sp + 1];
            break;
        case OP_LE:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] <= st[sp + 1];
            break;
        case OP_GE:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] >= st[sp + 1];
            break;
        case OP_EQ:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] == st[sp + 1];
            break;
        case OP_NE:
            sp--;
            if (diff) diff[in->arg] = st[sp] - st[sp + 1];
            st[sp] = force && force[in->arg] >= 0 ? force[in->arg] : st[sp] != st[sp + 1];
            break;
        case OP_FN1:
            st[sp] = fn1_table[in->arg].f(st[sp]);
            break;
        case OP_FN2:
            sp--;
            st[sp] = fn2_table[in->arg].f(st[sp], st[sp + 1]);
            break;
        case OP_IF:
            sp -= 2;
            st[sp] = st[sp] != 0 ? st[sp + 1] : st[sp + 2];
            break;
        }
    }
    return st[0];
}

/* d f(x) / dx for the one-argument functions (fx = f(x)) */
static double fn1_deriv(int id, double x, double fx)
{
    fn1_t f = fn1_table[id].f;
    if (f == exp) return fx;
    if (f == log) return 1 / x;
    if (f == log10) return 1 / (x * 2.302585092994045684);
    if (f == log2) return 1 / (x * 0.693147180559945309);
    if (f == sqrt) return 0.5 / fx;
    if (f == fabs) return (x > 0) - (x < 0);
    if (f == sin) return cos(x);
    if (f == cos) return -sin(x);
    if (f == tan) return 1 + fx * fx;
    if (f == asin) return 1 / sqrt(1 - x * x);
    if (f == acos) return -1 / sqrt(1 - x * x);
    if (f == atan) return 1 / (1 + x * x);
    if (f == sinh) return cosh(x);
    if (f == cosh) return sinh(x);
    if (f == tanh) return 1 - fx * fx;
    if (f == asinh) return 1 / sqrt(x * x + 1);
    if (f == acosh) return 1 / sqrt(x * x - 1);
    if (f == atanh) return 1 / (1 - x * x);
    if (f == fn_factorial) return fx * gsl_sf_psi(x + 1); /* Gamma'(x+1) */
    return 0; /* floor ceil rint sign not: piecewise constant */
}

/* d a^b = b a^(b-1) da + a^b ln(a) db; the second term only when b varies (a^b with a <= 0
 * is then undefined anyway; at a = 0 the term is 0, not 0 * -inf) */
static double pow_deriv(double a, double b, double da, double db, double ab)
{
    double d = da != 0 ? (b == 0 ? 0 : b * pow(a, b - 1) * da) : 0;
    if (db != 0 && ab != 0) d += ab * log(a) * db;
    return d;
}

double ilnet_expr_eval_dual(const ilnet_expr *e, const double *vars, const double *dvars,
                            double *dout)
{
    double st[MAX_DEPTH + 1], ds[MAX_DEPTH + 1];
    int sp = -1;
    for (size_t i = 0; i < e->n; i++) {
        const struct instr *in = &e->code[i];
        double a, b, da, db;
        switch (in->op) {
        case OP_CONST:
            st[++sp] = in->value;
            ds[sp] = 0;
            break;
        case OP_VAR:
            st[++sp] = vars[in->arg];
            ds[sp] = dvars[in->arg];
            break;
        case OP_NEG:
            st[sp] = -st[sp];
            ds[sp] = -ds[sp];
            break;
        case OP_FN1:
            a = st[sp];
            st[sp] = fn1_table[in->arg].f(a);
            ds[sp] = ds[sp] != 0 ? fn1_deriv(in->arg, a, st[sp]) * ds[sp] : 0;
            break;
        case OP_IF:
            sp -= 2;
            ds[sp] = st[sp] != 0 ? ds[sp + 1] : ds[sp + 2];
            st[sp] = st[sp] != 0 ? st[sp + 1] : st[sp + 2];
            break;
        default: /* binary */
            sp--;
            a = st[sp], b = st[sp + 1], da = ds[sp], db = ds[sp + 1];
            switch (in->op) {
            case OP_ADD:
                st[sp] = a + b, ds[sp] = da + db;
                break;
            case OP_SUB:
                st[sp] = a - b, ds[sp] = da - db;
                break;
            case OP_MUL:
                st[sp] = a * b, ds[sp] = da * b + a * db;
                break;
            case OP_DIV:
                st[sp] = a / b, ds[sp] = (da - st[sp] * db) / b;
                break;
            case OP_POW:
                st[sp] = pow(a, b), ds[sp] = pow_deriv(a, b, da, db, st[sp]);
                break;
            case OP_FN2:
                st[sp] = fn2_table[in->arg].f(a, b);
                if (fn2_table[in->arg].f == pow)
                    ds[sp] = pow_deriv(a, b, da, db, st[sp]);
                else if (fn2_table[in->arg].f == fn_min)
                    ds[sp] = a <= b ? da : db;
                else if (fn2_table[in->arg].f == fn_max)
                    ds[sp] = a >= b ? da : db;
                else
                    ds[sp] = 0;
                break;
            default: /* comparisons */
                st[sp] = eval_compare(in->op, a, b), ds[sp] = 0;
                break;
            }
        }
    }
    *dout = ds[0];
    return st[0];
}

double ilnet_expr_eval(const ilnet_expr *e, const double *vars)
{
    return eval_core(e, vars, NULL, NULL);
}

double ilnet_expr_eval_relations(const ilnet_expr *e, const double *vars, double *diff,
                                 const signed char *force)
{
    return eval_core(e, vars, diff, force);
}

size_t ilnet_expr_relation_count(const ilnet_expr *e)
{
    return e->n_rel;
}

char ilnet_expr_relation_kind(const ilnet_expr *e, size_t i)
{
    for (size_t k = 0; k < e->n; k++) {
        const struct instr *in = &e->code[k];
        if (in->op < OP_LT || in->op > OP_NE || (size_t)in->arg != i) continue;
        switch (in->op) {
        case OP_LT:
        case OP_LE:
            return '<';
        case OP_GT:
        case OP_GE:
            return '>';
        case OP_EQ:
            return '=';
        default:
            return '!';
        }
    }
    return 0;
}

size_t ilnet_expr_var_count(const ilnet_expr *e)
{
    return e->n_vars;
}

int ilnet_expr_var(const ilnet_expr *e, size_t i)
{
    return e->vars[i];
}

int ilnet_expr_is_constant(const ilnet_expr *e, double *value)
{
    if (e->n != 1 || e->code[0].op != OP_CONST) return 0;
    if (value) *value = e->code[0].value;
    return 1;
}

int ilnet_expr_is_variable(const ilnet_expr *e, int *index)
{
    if (e->n != 1 || e->code[0].op != OP_VAR) return 0;
    if (index) *index = e->code[0].arg;
    return 1;
}

/* Expression parser and evaluator: precedence, associativity, functions, errors. */
#include "check.h"

#include "common/error.h"
#include "model/expr.h"

#include <string.h>

static const char *names[] = {"a", "b", "kab", "c6"};
static const double values[] = {2.0, 3.0, 0.5, 10.0};

static int resolve(void *ctx, const char *name, size_t len)
{
    (void)ctx;
    for (int i = 0; i < 4; i++)
        if (strlen(names[i]) == len && !memcmp(names[i], name, len)) return i;
    return -1;
}

static void ok(const char *text, double want)
{
    ilnet_expr *e;
    int rc = ilnet_expr_parse(&e, text, resolve, NULL, NULL);
    CHECK(rc == 0, "'%s' rejected: %s", text, ilnet_error_last());
    if (rc) return;
    double got = ilnet_expr_eval(e, values);
    CHECK(fabs(got - want) <= 1e-14 * fabs(want) + 1e-300 || (isnan(want) && isnan(got)),
          "'%s' = %.17g, want %.17g", text, got, want);
    ilnet_expr_free(e);
}

static void bad(const char *text, const char *token)
{
    ilnet_expr *e = NULL;
    size_t pos = 0;
    int rc = ilnet_expr_parse(&e, text, resolve, NULL, &pos);
    CHECK(rc == ILNET_EINPUT && !e, "'%s' accepted", text);
    CHECK(strstr(ilnet_error_last(), token) != NULL, "'%s': message '%s' does not name '%s'", text,
          ilnet_error_last(), token);
    ilnet_expr_free(e);
}

/* comparisons as root functions: lhs - rhs of each, and forced results */
static void relations(void)
{
    ilnet_expr *e;
    int rc = ilnet_expr_parse(&e, "or(a > b, and(not(c6 <= 10), kab == 0.5))", resolve, NULL, NULL);
    CHECK(rc == 0, "%s", ilnet_error_last());
    if (rc) return;
    CHECK(ilnet_expr_relation_count(e) == 3, "%zu relations", ilnet_expr_relation_count(e));
    CHECK(ilnet_expr_relation_kind(e, 0) == '>' && ilnet_expr_relation_kind(e, 1) == '<' &&
              ilnet_expr_relation_kind(e, 2) == '=',
          "kinds");
    double diff[3];
    CHECK(ilnet_expr_eval_relations(e, values, diff, NULL) == 0, "value");
    CHECK(diff[0] == -1 && diff[1] == 0 && diff[2] == 0, "diffs %g %g %g", diff[0], diff[1],
          diff[2]);
    signed char force[3] = {-1, 0, -1}; /* c6 <= 10 forced false: not() makes it true */
    CHECK(ilnet_expr_eval_relations(e, values, NULL, force) == 1, "forced value");
    force[0] = 1;
    force[1] = -1;
    CHECK(ilnet_expr_eval_relations(e, values, NULL, force) == 1, "forced a > b");
    ilnet_expr_free(e);
}

/* d(text)/d(var v) by ilnet_expr_eval_dual against the derivative written out by hand */
static void deriv(const char *text, int v, double want)
{
    ilnet_expr *e;
    int rc = ilnet_expr_parse(&e, text, resolve, NULL, NULL);
    CHECK(rc == 0, "'%s' rejected: %s", text, ilnet_error_last());
    if (rc) return;
    double dv[4] = {0, 0, 0, 0}, d = -1;
    dv[v] = 1;
    double val = ilnet_expr_eval_dual(e, values, dv, &d);
    CHECK(val == ilnet_expr_eval(e, values) || (isnan(val) && isnan(ilnet_expr_eval(e, values))),
          "'%s': dual value %.17g differs from the plain value", text, val);
    CHECK(fabs(d - want) <= 1e-13 * fabs(want) + 1e-300 || (isnan(want) && isnan(d)),
          "d('%s')/d%s = %.17g, want %.17g", text, names[v], d, want);
    ilnet_expr_free(e);
}

/* a = 2, b = 3, kab = 0.5, c6 = 10 */
static void derivatives(void)
{
    deriv("a", 0, 1);
    deriv("a", 1, 0);
    deriv("7", 0, 0);
    deriv("a*b", 0, 3);
    deriv("a*b", 1, 2);
    deriv("a/b", 1, -2.0 / 9);
    deriv("-a + 2*b - c6", 0, -1);
    deriv("a^3", 0, 12);
    deriv("a**b", 1, 8 * log(2));
    deriv("pow(a, b)", 0, 12);
    deriv("b^2", 1, 6);
    deriv("0^b", 1, 0);
    deriv("exp(kab*a)", 2, 2 * exp(1));
    deriv("ln(a)", 0, 0.5);
    deriv("log(a*b)", 1, 1.0 / 3);
    deriv("log10(c6)", 3, 1 / (10 * log(10)));
    deriv("log2(a)", 0, 1 / (2 * log(2)));
    deriv("sqrt(c6)", 3, 0.5 / sqrt(10));
    deriv("abs(kab - a)", 0, 1);
    deriv("sin(a)", 0, cos(2));
    deriv("cos(a)", 0, -sin(2));
    deriv("tan(kab)", 2, 1 / (cos(0.5) * cos(0.5)));
    deriv("asin(kab)", 2, 1 / sqrt(0.75));
    deriv("acos(kab)", 2, -1 / sqrt(0.75));
    deriv("atan(a)", 0, 0.2);
    deriv("sinh(a)", 0, cosh(2));
    deriv("cosh(a)", 0, sinh(2));
    deriv("tanh(kab)", 2, 1 - tanh(0.5) * tanh(0.5));
    deriv("asinh(a)", 0, 1 / sqrt(5));
    deriv("acosh(a)", 0, 1 / sqrt(3));
    deriv("atanh(kab)", 2, 1 / 0.75);
    deriv("factorial(b)", 1, 6 * (1.0 + 0.5 + 1.0 / 3 - 0.57721566490153286)); /* 3!·psi(4) */
    deriv("floor(a*b) + sign(a) + rint(b)", 0, 0);
    deriv("min(a, b)", 0, 1);
    deriv("min(a, b)", 1, 0);
    deriv("max(a*a, b)", 0, 4);
    deriv("if(a < b, a*c6, b)", 0, 10);
    deriv("if(a > b, a*c6, b*b)", 1, 6);
    deriv("a > b", 0, 0);
    deriv("and(a, b) + not(c6)", 0, 0);
    /* Michaelis-Menten and Hill: the rate laws sensitivities go through */
    deriv("c6*a/(kab + a)", 2, -10 * 2 / (2.5 * 2.5));
    deriv("c6*a^b/(kab^b + a^b)", 1,
          10 * (8 * log(2) * (0.125 + 8) - 8 * (0.125 * log(0.5) + 8 * log(2))) / (8.125 * 8.125));
}

int main(void)
{
    derivatives();
    relations();
    ok("and(1, 2)", 1);
    ok("and(a, 0)", 0);
    ok("or(0, 0)", 0);
    ok("or(0, -3)", 1);
    ok("xor(1, 1)", 0);
    ok("xor(0, b)", 1);
    ok("not(0)", 1);
    ok("not(a)", 0);
    /* BioNetGen's && and ||: below the comparisons, one level, left to right (BNG2.pl 2.9
     * writes 1||0&&0 as (1||0)&&0) */
    ok("a < b && b < c6", 1);
    ok("a > b && b < c6", 0);
    ok("a > b || b < c6", 1);
    ok("1 || 0 && 0", 0);
    ok("0 && 1 || 1", 1);
    ok("1 || (0 && 0)", 1);
    ok("if(a <= 15 && c6 < 1, 0.5, 0)", 0);
    ok("if(a <= 15 && c6 > 1, 0.5, 0)", 0.5);
    ok("1", 1);
    ok("0.5*kab", 0.25);
    ok("a+b*c6", 32);
    ok("(a+b)*c6", 50);
    ok("a-b-c6", -11);
    ok("c6/a/b", 10.0 / 6.0);
    ok("2^3^2", 512);
    ok("a**b", 8);
    ok("-2^2", -4);
    ok("2^-1", 0.5);
    ok("--a", 2);
    ok("+a", 2);
    ok("ln(2)/120", log(2) / 120);
    ok("log(_e)", 1);
    ok("log10(1000)", 3);
    ok("exp(1)", M_E);
    ok("sqrt(16)+abs(-3)", 7);
    ok("min(a,b)*max(a,b)", 6);
    ok("pow(2,10)", 1024);
    ok("if(a<b, 1, 2)", 1);
    ok("if(a>=b, 1, 2)", 2);
    ok("a==2", 1);
    ok("6.022e23", 6.022e23);
    ok("1e-4", 1e-4);
    ok(".5", 0.5);
    ok("5.", 5);
    ok("((((a))))", 2);
    ok("  a  *  b ", 6);
    ok("_pi", M_PI);
    ok("(((c6/6.022e23)/1.4e-15)*1e-4)/1000", (((10 / 6.022e23) / 1.4e-15) * 1e-4) / 1000);

    bad("kx", "kx");
    bad("a*kx+1", "kx");
    bad("(a+b", "')'");
    bad("a+b)", "unexpected text");
    bad("1.2.3", "1.2.3");
    bad("", "empty");
    bad("a+", "end");
    bad("foo(1)", "foo");
    bad("sqrt(1,2)", "sqrt");
    bad("1e", "1e");
    bad("0x10", "0x10");
    bad("nan", "nan");
    bad("inf", "inf");
    bad("a $ b", "$ b");

    /* nesting limits are errors, not stack overflows */
    char deep[4096];
    memset(deep, '(', 2000);
    strcpy(deep + 2000, "1");
    bad(deep, "nested");
    memset(deep, '-', 3000);
    strcpy(deep + 3000, "1");
    bad(deep, "nested");

    /* variables referenced, once each */
    ilnet_expr *e;
    CHECK(ilnet_expr_parse(&e, "a*b+a*kab", resolve, NULL, NULL) == 0, "parse");
    CHECK(ilnet_expr_var_count(e) == 3, "var count %zu", ilnet_expr_var_count(e));
    ilnet_expr_free(e);
    double v;
    int idx;
    CHECK(ilnet_expr_parse(&e, "42", resolve, NULL, NULL) == 0, "parse");
    CHECK(ilnet_expr_is_constant(e, &v) && v == 42, "constant");
    ilnet_expr_free(e);
    CHECK(ilnet_expr_parse(&e, "kab", resolve, NULL, NULL) == 0, "parse");
    CHECK(ilnet_expr_is_variable(e, &idx) && idx == 2, "variable");
    ilnet_expr_free(e);
    CHECK_DONE();
}

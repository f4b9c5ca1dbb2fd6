/* Splitting dose-response readouts that aggregate over doses (experiment/series_expr.h):
 * operands, skeletons, numbers and constants left alone, and the values the skeleton gives. */
#include "check.h"

#include "common/error.h"
#include "experiment/series_expr.h"

#include <string.h>

/* text splits into these operands (in order), and the skeleton evaluated with operand
 * values 2, 3, 5, ... then aggregate values 7, 11, ... gives want */
static void split(const char *text, const char *const *operands, int n_aggs, double want)
{
    static const double values[] = {2, 3, 5, 7, 11, 13};
    ilnet_series_expr s;
    int rc = ilnet_series_expr_split(&s, text);
    CHECK(rc == 0, "'%s' refused: %s", text, ilnet_error_last());
    if (rc) return;
    int n = 0;
    while (operands[n])
        n++;
    CHECK(s.n_operands == n && s.n_aggs == n_aggs, "'%s': %d operands, %d aggregates (%s)", text,
          s.n_operands, s.n_aggs, s.skeleton);
    for (int j = 0; j < n && j < s.n_operands; j++)
        CHECK(!strcmp(s.operands[j], operands[j]), "'%s': operand %d is '%s', want '%s'", text, j,
              s.operands[j], operands[j]);
    double vars[6];
    for (int j = 0; j < s.n_operands + s.n_aggs && j < 6; j++)
        vars[j] = j < s.n_operands ? values[j] : values[3 + j - s.n_operands];
    ilnet_expr *f = NULL;
    rc = ilnet_series_expr_compile(&f, &s);
    CHECK(rc == 0, "'%s': skeleton '%s' refused: %s", text, s.skeleton, ilnet_error_last());
    if (!rc) CHECK_CLOSE(ilnet_expr_eval(f, vars), want, 1e-15, 0);
    ilnet_expr_free(f);
    ilnet_series_expr_free(&s);
}

static void refused(const char *text, const char *what)
{
    ilnet_series_expr s;
    int rc = ilnet_series_expr_split(&s, text);
    CHECK(rc == ILNET_EINPUT && strstr(ilnet_error_last(), what), "'%s': rc %d, '%s'", text, rc,
          ilnet_error_last());
    if (!rc) ilnet_series_expr_free(&s);
}

int main(void)
{
    CHECK(ilnet_series_expr_uses("x / max_over_doses(x)") && !ilnet_series_expr_uses("max(x, 1)") &&
              ilnet_series_expr_uses("min_over_doses (x)") &&
              !ilnet_series_expr_uses("pmax_over_doses(x)") &&
              !ilnet_series_expr_uses("max_over_doses_x + 1"),
          "uses");
    /* time() and f() are operands, written as calls */
    split("Ctot * time() / max_over_doses(f( ))",
          (const char *const[]){"Ctot", "time()", "f( )", NULL}, 1, 2.0 * 3 / 7);
    /* one operand, its aggregate: 100 * 2 / 7 */
    split("100 * x / max_over_doses(x)", (const char *const[]){"x", NULL}, 1, 100.0 * 2 / 7);
    /* numbers with exponents, _pi, a function and readout calls with nested parentheses */
    split("1.5e-3 * exp(A_1) + _pi * species(\"R(l!1).L(r!1)\") / min_over_doses( 2*B )",
          (const char *const[]){"A_1", "species(\"R(l!1).L(r!1)\")", "2*B", NULL}, 1,
          1.5e-3 * exp(2) + M_PI * 3 / 7);
    /* the same argument twice is one operand; min and max are two aggregates */
    split("(x - min_over_doses(x)) / (max_over_doses(x) - min_over_doses(x))",
          (const char *const[]){"x", NULL}, 3, (2.0 - 7) / (11 - 13));
    /* a call's name need not touch its parenthesis; E notation without sign */
    split("max_over_doses (y) * 2E2 + if(y > 1, 1, 0)", (const char *const[]){"y", NULL}, 1,
          7 * 200.0 + 1);
    refused("max_over_doses(x / min_over_doses(x))", "cannot hold another aggregate");
    refused("x / max_over_doses(  )", "needs an argument");
    refused("x / max_over_doses(x", "is not closed");
    refused("species(\"A(b\" / max_over_doses(x)", "is not closed");
    CHECK_DONE();
}

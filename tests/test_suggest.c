/* "Did you mean": the closest name wins; case-only differences, one typo, a transposition
 * and a missing letter are suggested; names unlike any candidate, the name itself and
 * over-long names are not. */
#include "check.h"

#include "common/suggest.h"

#include <string.h>

static const char *const names[] = {"L2_nM",        "L7_nM",    "R_A", "R_B",
                                    "kon_dock_eff", "f_gc_IL2", NULL,  "pSTAT5_total"};

static const char *at(const void *ctx, size_t i)
{
    return ((const char *const *)ctx)[i];
}

static void expect(const char *name, const char *want)
{
    const char *got = ilnet_suggest(name, at, names, sizeof names / sizeof *names);
    CHECK(want ? got && !strcmp(got, want) : !got, "%s: got %s, want %s", name,
          got ? got : "nothing", want ? want : "nothing");
}

int main(void)
{
    expect("l2_nm", "L2_nM");              /* case only */
    expect("L2_mM", "L2_nM");              /* one letter */
    expect("L2_Mn", "L2_nM");              /* transposition */
    expect("kon_dok_eff", "kon_dock_eff"); /* a missing letter */
    expect("pSTAT5_totl", "pSTAT5_total");
    expect("L7_nm", "L7_nM"); /* the closer of two similar names */
    expect("R_C", "R_A");     /* ties: the first */
    expect("zzzz", NULL);
    expect("f_gc_IL7_xyz", NULL);     /* five edits: too far for 12 letters */
    expect("f_gc_IL7_x", "f_gc_IL2"); /* three edits: within a third of 10 letters */
    expect("L2_nM", "L7_nM");         /* the name itself is skipped */
    expect("", NULL);
    char longname[300];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    expect(longname, NULL);
    char buf[64];
    CHECK(!strcmp(ilnet_did_you_mean(buf, sizeof buf, "L2_mM", at, names, 8),
                  " (did you mean 'L2_nM'?)"),
          "did_you_mean: %s", buf);
    CHECK(!strcmp(ilnet_did_you_mean(buf, sizeof buf, "zzzz", at, names, 8), ""), "got %s", buf);
    CHECK_DONE();
}

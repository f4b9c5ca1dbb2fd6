/* Network core: names, duplicate detection, parameter dependency order and cycles,
 * stoichiometry, set_parameter propagation, observables. */
#include "check.h"

#include "common/error.h"
#include "model/netfile.h"
#include "model/network.h"

#include <string.h>

static ilnet_network *parse(const char *text, int expect_ok)
{
    ilnet_network *net = NULL;
    int rc = ilnet_netfile_parse(&net, text, strlen(text), "t.net");
    if (expect_ok)
        CHECK(rc == 0, "parse failed: %s", ilnet_error_last());
    else
        CHECK(rc == ILNET_EINPUT && !net, "parse should fail");
    return net;
}

static void expect_error(const char *text, const char *fragment)
{
    ilnet_network *net = parse(text, 0);
    ilnet_network_free(net);
    CHECK(strstr(ilnet_error_last(), fragment) != NULL, "message '%s' lacks '%s'",
          ilnet_error_last(), fragment);
}

int main(void)
{
    /* parameters out of dependency order, derived values, catalysis */
    const char *text = "begin parameters\n"
                       " 1 kd   koff/kon   # derived before its inputs\n"
                       " 2 kon  2\n"
                       " 3 koff 4*kon\n"
                       " 4 E0   10\n"
                       "end parameters\n"
                       "begin species\n 1 E E0\n 2 S 100\n 3 P 0\n 4 $F 1\nend species\n"
                       "begin reactions\n"
                       " 1 1,2 1,3 kon #cat\n" /* E + S -> E + P: E has net 0 */
                       " 2 3,4 2,4 2*kd\n"     /* P + F -> S + F: F fixed, left out */
                       "end reactions\n"
                       "begin groups\n 1 Total 2,3\n 2 Twice 2*1\nend groups\n";
    ilnet_network *net = parse(text, 1);
    if (!net) CHECK_DONE();
    CHECK(ilnet_network_parameter_count(net) == 4, "params");
    CHECK(ilnet_network_parameter(net, ilnet_network_find_parameter(net, "kd"))->value == 4, "kd");
    CHECK(ilnet_network_reaction(net, 1)->k == 8, "rate 2*kd = %g",
          ilnet_network_reaction(net, 1)->k);
    CHECK(ilnet_network_find_species(net, "F") == 3 && ilnet_network_species(net, 3)->fixed,
          "fixed species F");
    CHECK(ilnet_network_find_species(net, "nope") == -1, "unknown species");
    CHECK(ilnet_network_find_reaction(net, "R2") == 1, "reaction by name");
    CHECK(!strcmp(ilnet_network_reaction(net, 0)->label, "cat"), "label");
    CHECK(ilnet_network_find_observable(net, "Twice") == 1, "observable by name");

    const ilnet_stoich *st = ilnet_network_stoichiometry(net);
    /* reaction 1: S -1, P +1 (E cancels); reaction 2: P -1, S +1 (F fixed) */
    CHECK(st->col_ptr[1] - st->col_ptr[0] == 2, "column 1 nnz %d", st->col_ptr[1]);
    CHECK(st->col_ptr[2] - st->col_ptr[1] == 2, "column 2 nnz %d", st->col_ptr[2] - st->col_ptr[1]);
    for (int p = 0; p < st->col_ptr[2]; p++) {
        CHECK(st->row[p] == 1 || st->row[p] == 2, "row %d", st->row[p]);
        CHECK(fabs(st->val[p]) == 1, "val %g", st->val[p]);
    }
    double y[4] = {10, 100, 5, 1}, obs[2];
    ilnet_network_observables_eval(net, y, obs);
    CHECK(obs[0] == 105 && obs[1] == 20, "observables %g %g", obs[0], obs[1]);

    /* setting a base parameter updates derived parameters, rates and amounts */
    CHECK(ilnet_network_set_parameter(net, "kon", 3) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_network_reaction(net, 0)->k == 3, "rate after set");
    CHECK(ilnet_network_reaction(net, 1)->k == 8, "kd = koff/kon, koff = 4*kon: still 4");
    CHECK(ilnet_network_set_parameter(net, "E0", 7) == 0, "%s", ilnet_error_last());
    CHECK(ilnet_network_species(net, 0)->initial == 7, "amount after set");
    CHECK(ilnet_network_set_parameter(net, "zzz", 1) == ILNET_EINPUT, "unknown parameter");
    CHECK(strstr(ilnet_error_last(), "zzz") != NULL, "names zzz");
    ilnet_network_free(net);

    /* errors name the file, line and element */
    expect_error("begin parameters\n 1 a b\n 2 b a\nend parameters\n"
                 "begin species\nend species\nbegin reactions\nend reactions\n",
                 "depends on itself");
    expect_error("begin parameters\n 1 a 1\n 2 a 2\nend parameters\n",
                 "t.net:3: parameter 'a' defined twice");
    expect_error("begin species\n 1 A 1\n 2 A 2\nend species\n",
                 "t.net:3: species 'A' defined twice");
    expect_error("begin species\n 1 A -1\nend species\nbegin reactions\nend reactions\n",
                 "t.net:2: species 'A' has initial amount -1");
    expect_error("begin species\n 1 A 1\nend species\nbegin reactions\n 1 1 1 kx\nend reactions\n",
                 "t.net:5: reaction 'R1': undefined name at 'kx'");
    expect_error("begin parameters\n 1 k -2\nend parameters\nbegin species\n 1 A 1\nend species\n"
                 "begin reactions\n 1 1 0 k\nend reactions\n",
                 "t.net:8: reaction R1 has rate constant -2");
    expect_error("begin parameters\n 1 k 1/0\nend parameters\nbegin species\nend species\n"
                 "begin reactions\nend reactions\n",
                 "t.net:2: parameter 'k' evaluates to inf");
    expect_error("begin species\n 1 A 1\nend species\nbegin reactions\n 1 1 3 k\nend reactions\n",
                 "t.net:5: unknown species index '3'");
    expect_error("begin species\n 1 A 1\n", "t.net:1: block 'species' is never closed");
    expect_error("begin species\n 1 A 1\nend species\n", "no reactions block");
    expect_error("begin species\n 3 A 1\nend species\n", "t.net:2: species index 3, expected 1");
    expect_error("begin compartments\nend compartments\n",
                 "t.net:1: unsupported block 'begin compartments'");
    expect_error("hello\n", "t.net:1: text outside any block: 'hello'");
    CHECK_DONE();
}

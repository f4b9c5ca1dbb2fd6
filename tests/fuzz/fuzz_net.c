/* libFuzzer: BioNetGen .net text -> read and compile -> a short CVODE run (bounded steps)
 * on networks small enough to integrate quickly. */
#include "../../src/model/netfile.h"
#include "../../src/solver/solver.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init_once();
    char *text = fuzz_text(data, size);
    if (!text) return 0;
    ilnet_network *net = NULL;
    if (ilnet_netfile_parse(&net, text, size, "fuzz.net") == 0 &&
        ilnet_network_species_count(net) <= 200 && ilnet_network_reaction_count(net) <= 2000) {
        ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
        so.max_steps = 2000;
        ilnet_solver *s = NULL;
        ilnet_result res = {0};
        if (ilnet_solver_new(&s, net, &so) == 0 && ilnet_result_init(&res, net, 5) == 0) {
            ilnet_result_linear_times(&res, 0, 10);
            ilnet_solver_run(s, &res, NULL);
        }
        ilnet_result_free(&res);
        ilnet_solver_free(s);
    }
    ilnet_network_free(net);
    free(text);
    return 0;
}

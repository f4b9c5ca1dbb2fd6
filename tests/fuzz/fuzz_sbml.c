/* libFuzzer: an SBML document -> libsbml (exceptions caught in guard.cpp) -> the importer
 * -> a short simulation of small models. */
#include "../../src/model/sbml/sbml.h"
#include "../../src/solver/solver.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init_once();
    const char *path = fuzz_file(data, size, ".xml");
    if (!path) return 0;
    ilnet_network *net = NULL;
    if (ilnet_sbml_read(&net, NULL, path, NULL) == 0 && ilnet_network_species_count(net) <= 100) {
        ilnet_solver_options so = ILNET_SOLVER_OPTIONS_INIT;
        so.max_steps = 2000;
        ilnet_solver *s = NULL;
        ilnet_result res = {0};
        if (ilnet_solver_new(&s, net, &so) == 0 && ilnet_result_init(&res, net, 3) == 0) {
            ilnet_result_linear_times(&res, 0, 1);
            ilnet_solver_run(s, &res, NULL);
        }
        ilnet_result_free(&res);
        ilnet_solver_free(s);
    }
    ilnet_network_free(net);
    return 0;
}

/* libFuzzer: BNGL text -> parse -> network generation with small limits (a hostile model
 * must not make the fuzzer wait) -> compile. Any outcome but a crash, leak or hang is fine:
 * errors are the expected answer to most inputs. */
#include "../../src/model/bngl/bngl.h"
#include "../../src/model/network.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init_once();
    char *text = fuzz_text(data, size);
    if (!text) return 0;
    ilnet_bngl_model *m = NULL;
    if (ilnet_bngl_parse(&m, "fuzz.bngl", text) == 0) {
        ilnet_netgen_options o;
        if (ilnet_bngl_netgen_options(&o, m) == 0) {
            o.max_iter = o.max_iter > 0 && o.max_iter < 4 ? o.max_iter : 4;
            o.max_agg = o.max_agg > 0 && o.max_agg < 6 ? o.max_agg : 6;
            o.max_species = 300;
            o.max_reactions = 3000;
            ilnet_network *net = NULL;
            ilnet_bngl_generate(&net, m, &o, NULL);
            ilnet_network_free(net);
            ilnet_netgen_options_free(&o);
        }
    }
    ilnet_bngl_free(m);
    free(text);
    return 0;
}

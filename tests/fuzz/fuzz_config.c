/* libFuzzer: a study config -> the YAML reader and schema -> the name checks against the
 * built-in model (loaded once) -> the designs it asks for, within a size bound. The
 * model path in the input is ignored in favour of the built-in one. */
#include "../../src/experiment/config.h"
#include "../../src/experiment/design.h"
#include "../../src/model/load.h"
#include "fuzz_common.h"

#include <errno.h>
#include <sys/stat.h>

static ilnet_network *model(void)
{
    static ilnet_network *net;
    static int tried;
    if (!tried) {
        tried = 1;
        const char *p = getenv("ILNET_FUZZ_MODEL");
        if (ilnet_network_load(&net, p ? p : "models/il2_il7.bngl", NULL)) net = NULL;
    }
    return net;
}

/* The input as DIR/configs/fuzz.yaml with DIR/models -> the repository's models, so that
 * the seeds' "model: ../models/il2_il7.bngl" resolves and the schema is reached. */
static const char *config_file(const uint8_t *data, size_t size)
{
    static char dir[200], path[300];
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/ilnet_fuzz_config_%ld", base, (long)getpid());
        char sub[260], link[260];
        snprintf(sub, sizeof sub, "%s/configs", dir);
        snprintf(link, sizeof link, "%s/models", dir);
        const char *models = getenv("ILNET_FUZZ_MODELS");
        if (mkdir(dir, 0777) && errno != EEXIST) return NULL;
        if (mkdir(sub, 0777) && errno != EEXIST) return NULL;
        if (models && symlink(models, link) && errno != EEXIST) return NULL;
    }
    snprintf(path, sizeof path, "%s/configs/fuzz.yaml", dir);
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    size_t w = fwrite(data, 1, size, f);
    return fclose(f) || w != size ? NULL : path;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init_once();
    const char *path = config_file(data, size);
    if (!path) return 0;
    ilnet_config c;
    if (ilnet_config_read(&c, path) != 0) return 0;
    if (model() && ilnet_config_check_names(&c, model(), NULL) == 0) {
        for (int k = 0; k < c.n_experiments; k++) {
            if (ilnet_design_count(&c.experiments[k]) > 1e5) continue;
            ilnet_design_points d;
            if (ilnet_design_expand(&d, &c.experiments[k]) == 0) ilnet_design_free(&d);
        }
    }
    ilnet_config_free(&c);
    return 0;
}

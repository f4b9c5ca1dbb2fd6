/* libFuzzer: a PEtab problem -> the YAML and table readers and checks -> the evaluation
 * (simulations, preequilibration, likelihood) when the problem is small. The input holds
 * the problem's files as sections, each starting with a line "=== NAME" (yaml, parameters,
 * observables, conditions, measurements, model); a missing section keeps the file of a valid
 * problem (PEtab test case 0001 under $ILNET_FUZZ_PETAB, which run.sh sets). */
#include "../../src/experiment/petab.h"
#include "fuzz_common.h"

#include <errno.h>
#include <math.h>
#include <sys/stat.h>

static const char *names[] = {"yaml",       "parameters",   "observables",
                              "conditions", "measurements", "model"};
static const char *files[] = {"problem.yaml",   "parameters.tsv",   "observables.tsv",
                              "conditions.tsv", "measurements.tsv", "model.xml"};
static const char *base_files[] = {"_0001.yaml",      "_parameters.tsv",   "_observables.tsv",
                                   "_conditions.tsv", "_measurements.tsv", "_model.xml"};

static const char *workdir(void)
{
    static char dir[200];
    if (!dir[0]) {
        const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
        snprintf(dir, sizeof dir, "%s/ilnet_fuzz_petab_%ld", base, (long)getpid());
        if (mkdir(dir, 0777) && errno != EEXIST) return NULL;
    }
    return dir;
}

static int write_file(const char *dir, const char *name, const char *text, size_t n)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t w = fwrite(text, 1, n, f);
    return fclose(f) || w != n ? -1 : 0;
}

/* the valid problem's file k, with the YAML pointing at this directory's names */
static int write_default(const char *dir, int k)
{
    if (k == 0) {
        static const char y[] = "format_version: 1\nparameter_file: parameters.tsv\nproblems:\n"
                                "- condition_files: [conditions.tsv]\n"
                                "  measurement_files: [measurements.tsv]\n"
                                "  observable_files: [observables.tsv]\n"
                                "  sbml_files: [model.xml]\n";
        return write_file(dir, files[0], y, sizeof y - 1);
    }
    const char *src = getenv("ILNET_FUZZ_PETAB");
    char path[400];
    snprintf(path, sizeof path, "%s/%s", src ? src : ".", base_files[k]);
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return write_file(dir, files[k], buf, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_init_once();
    char *text = fuzz_text(data, size);
    const char *dir = workdir();
    if (!text || !dir) {
        free(text);
        return 0;
    }
    int have[6] = {0};
    for (char *p = text; p && *p;) {
        char *next = strstr(p, "=== ");
        if (next != p) {
            p = next;
            continue;
        }
        char *eol = strchr(p, '\n');
        if (!eol) break;
        char *body = eol + 1, *end = strstr(body, "\n=== ");
        size_t n = end ? (size_t)(end - body) + 1 : strlen(body);
        for (int k = 0; k < 6; k++)
            if ((size_t)(eol - p - 4) == strlen(names[k]) &&
                !strncmp(p + 4, names[k], strlen(names[k])) && !write_file(dir, files[k], body, n))
                have[k] = 1;
        p = end ? end + 1 : NULL;
    }
    for (int k = 0; k < 6; k++)
        if (!have[k]) write_default(dir, k);
    char yaml[300];
    snprintf(yaml, sizeof yaml, "%s/%s", dir, files[0]);
    ilnet_petab *p = NULL;
    if (ilnet_petab_read(&p, yaml) == 0) {
        int small = p->n_meas <= 64 && p->n_cond <= 16;
        for (size_t i = 0; small && i < p->n_meas; i++)
            small = !(p->meas[i].time > 1e4) || isinf(p->meas[i].time);
        if (small) {
            ilnet_petab_result r;
            ilnet_petab_evaluate(&r, p, NULL, 1e-8, 1e-6, size % 2);
            ilnet_petab_result_free(&r);
        }
        ilnet_petab_free(p);
    }
    free(text);
    return 0;
}

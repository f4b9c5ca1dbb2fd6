/* Named parameter presets for a model, read from YAML:
 *
 *   presets:
 *     human_treg:
 *       description: "..."
 *       parameters: {R_A: 3476, R_B: 657}
 *       free_fixed: true        # optional: the model's fixed species become dynamic
 *
 * Errors name the file, line, column and key. Applying a preset sets its parameters (the
 * network re-evaluates everything derived from them) in file order. */
#ifndef ILNET_PRESETS_H
#define ILNET_PRESETS_H

#include "network.h"

typedef struct {
    char *name, *description;
    int n;
    char **params;
    double *values;
    int *lines;
    int free_fixed;
    int line;
} ilnet_preset;

typedef struct {
    char *path;
    int n;
    ilnet_preset *p;
} ilnet_presets;

int ilnet_presets_read(ilnet_presets *out, const char *path);
void ilnet_presets_free(ilnet_presets *ps);
const ilnet_preset *ilnet_presets_find(const ilnet_presets *ps, const char *name);
/* Sets the preset's parameters on a compiled network; unknown names are errors. */
int ilnet_preset_apply(ilnet_network *net, const ilnet_presets *ps, const ilnet_preset *p);
/* "MODEL.presets.yaml" beside a model file "MODEL.<ext>" (caller frees), or NULL. */
char *ilnet_presets_default_path(const char *model_path);

#endif

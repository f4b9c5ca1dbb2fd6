/* The public model handle (<ilnet/model.h>): a compiled network with its presets and the
 * caller's initial amounts. The solver layer keeps its solver in it between simulations. */
#ifndef ILNET_API_MODEL_H
#define ILNET_API_MODEL_H

#include <ilnet/model.h>

#include "../common/notify.h"
#include "network.h"
#include "presets.h"

struct ilnet_model {
    char *path;         /* the file read */
    char *presets_path; /* the presets file given in the options (NULL: the default) */
    ilnet_network *net;
    ilnet_presets presets;
    int have_presets;
    unsigned char *init_set; /* per species: initial amount set by the caller */
    double *init_value;
    ilnet_notify notify;
    /* the solver layer's state, freed with the model */
    void *solver_cache;
    void (*solver_cache_free)(void *);
};

/* The state a simulation starts from: every species' initial amount (y: species count). */
void ilnet_model_initial_state(const ilnet_model *m, double *y);

#endif

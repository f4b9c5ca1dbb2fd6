/* Models: a reaction network compiled from a BioNetGen .bngl rule file, read from a
 * BioNetGen .net file or imported from SBML, or one of ilnet's built-in pathway models by
 * name ("il2_il7"). Parameters, species and observables are reached by name or index.
 * A model is not safe to use from two threads at once; ilnet_model_copy gives each thread
 * its own. */
#ifndef INCLUDE_ILNET_MODEL_H
#define INCLUDE_ILNET_MODEL_H

#include "common.h"

#include <stddef.h>

ILNET_BEGIN_DECL

typedef struct ilnet_model ilnet_model;

#define ILNET_MODEL_OPTIONS_VERSION 1

typedef struct {
    unsigned int version;     /* ILNET_MODEL_OPTIONS_VERSION */
    const char *presets_file; /* NULL: MODEL.presets.yaml beside the model, when there is one */
    ilnet_message_cb message; /* warnings while reading (may be NULL) */
    void *payload;
} ilnet_model_options;

#ifdef __cplusplus
#define ILNET_MODEL_OPTIONS_INIT                                                                   \
    {                                                                                              \
        ILNET_MODEL_OPTIONS_VERSION, 0, 0, 0                                                       \
    }
#else
#define ILNET_MODEL_OPTIONS_INIT                                                                   \
    {                                                                                              \
        .version = ILNET_MODEL_OPTIONS_VERSION                                                     \
    }
#endif

/* Loads a model file (.bngl, .net, .xml/.sbml, chosen by extension) or a built-in model
 * name (no '/' and no extension; see ilnet_data_dir). opts may be NULL. */
ILNET_EXTERN(int)
ilnet_model_load(ilnet_model **out, const char *path_or_name, const ilnet_model_options *opts);
/* An independent model in the same state (parameters, initial amounts): the file is read
 * again. */
ILNET_EXTERN(int) ilnet_model_copy(ilnet_model **out, const ilnet_model *m);
ILNET_EXTERN(void) ilnet_model_free(ilnet_model *m);
/* The file the model was read from. */
ILNET_EXTERN(const char *) ilnet_model_path(const ilnet_model *m);
/* The directory of the built-in models' data (caller frees with free()), or NULL with the
 * error set. Found beside the library or program, or from $ILNET_DATA_DIR. */
ILNET_EXTERN(char *) ilnet_data_dir(void);

/* Parameters. Setting one re-evaluates everything derived from it (derived parameters,
 * rate constants, initial amounts that are not set explicitly); reset makes it follow its
 * defining expression again. Lookups return -1 when there is no such name. */
ILNET_EXTERN(size_t) ilnet_model_parameter_count(const ilnet_model *m);
ILNET_EXTERN(const char *) ilnet_model_parameter_name(const ilnet_model *m, size_t i);
/* The defining expression as written ("kf * 2", "1e-3"). */
ILNET_EXTERN(const char *) ilnet_model_parameter_expression(const ilnet_model *m, size_t i);
ILNET_EXTERN(double) ilnet_model_parameter_value(const ilnet_model *m, size_t i);
ILNET_EXTERN(int) ilnet_model_parameter_find(const ilnet_model *m, const char *name);
ILNET_EXTERN(int) ilnet_model_get_parameter(double *value, const ilnet_model *m, const char *name);
ILNET_EXTERN(int) ilnet_model_set_parameter(ilnet_model *m, const char *name, double value);
ILNET_EXTERN(int) ilnet_model_reset_parameter(ilnet_model *m, const char *name);

/* Species, with their initial amounts (the state a simulation starts from). */
ILNET_EXTERN(size_t) ilnet_model_species_count(const ilnet_model *m);
ILNET_EXTERN(const char *) ilnet_model_species_name(const ilnet_model *m, size_t i);
ILNET_EXTERN(int) ilnet_model_species_find(const ilnet_model *m, const char *name);
/* 1 when the species is held constant ($ in BioNetGen, boundary species in SBML). */
ILNET_EXTERN(int) ilnet_model_species_fixed(const ilnet_model *m, size_t i);
ILNET_EXTERN(double) ilnet_model_species_initial(const ilnet_model *m, size_t i);
/* Sets a species' initial amount (it no longer follows its expression); reset undoes it. */
ILNET_EXTERN(int) ilnet_model_set_initial(ilnet_model *m, const char *species, double amount);
ILNET_EXTERN(int) ilnet_model_reset_initial(ilnet_model *m, const char *species);

/* Observables: weighted sums of species (BioNetGen's observables/groups). */
ILNET_EXTERN(size_t) ilnet_model_observable_count(const ilnet_model *m);
ILNET_EXTERN(const char *) ilnet_model_observable_name(const ilnet_model *m, size_t i);
ILNET_EXTERN(int) ilnet_model_observable_find(const ilnet_model *m, const char *name);

ILNET_EXTERN(size_t) ilnet_model_reaction_count(const ilnet_model *m);

/* Named parameter presets (MODEL.presets.yaml, e.g. cell types of the built-in model). */
ILNET_EXTERN(size_t) ilnet_model_preset_count(const ilnet_model *m);
ILNET_EXTERN(const char *) ilnet_model_preset_name(const ilnet_model *m, size_t i);
ILNET_EXTERN(const char *) ilnet_model_preset_description(const ilnet_model *m, size_t i);
/* Sets the preset's parameters, in the order the presets file gives them. */
ILNET_EXTERN(int) ilnet_model_apply_preset(ilnet_model *m, const char *name);

ILNET_END_DECL

#endif

/* The public model API over the network, the readers and the presets. */
#include "api_model.h"

#include "../common/error.h"
#include "../common/paths.h"
#include "load.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int read_presets(ilnet_model *m)
{
    char *def = NULL;
    const char *pf =
        m->presets_path ? m->presets_path : (def = ilnet_presets_default_path(m->path));
    int rc = 0;
    if (pf) {
        rc = ilnet_presets_read(&m->presets, pf);
        m->have_presets = !rc;
    }
    free(def);
    return rc;
}

int ilnet_model_load(ilnet_model **out, const char *path_or_name, const ilnet_model_options *opts)
{
    ilnet_model_options defaults = ILNET_MODEL_OPTIONS_INIT;
    if (!opts) opts = &defaults;
    *out = NULL;
    if (opts->version != ILNET_MODEL_OPTIONS_VERSION)
        return ilnet_error_set(ILNET_EINPUT, "ilnet_model_options: version %u, this library has %d",
                               opts->version, ILNET_MODEL_OPTIONS_VERSION);
    if (!path_or_name) return ilnet_error_set(ILNET_EINPUT, "no model given");
    ilnet_model *m = calloc(1, sizeof *m);
    if (!m) return ilnet_error_oom();
    m->notify.fn = opts->message;
    m->notify.payload = opts->payload;
    int rc = 0;
    if (ilnet_is_builtin_name(path_or_name)) {
        if (!(m->path = ilnet_builtin_model(path_or_name))) rc = ilnet_error_code();
    } else if (!(m->path = strdup(path_or_name))) {
        rc = ilnet_error_oom();
    }
    if (!rc && opts->presets_file && !(m->presets_path = strdup(opts->presets_file)))
        rc = ilnet_error_oom();
    if (!rc) rc = ilnet_network_load(&m->net, m->path, &m->notify);
    if (!rc) rc = read_presets(m);
    size_t ns = m->net ? ilnet_network_species_count(m->net) : 0;
    if (!rc) {
        m->init_set = calloc(ns + 1, 1);
        m->init_value = calloc(ns + 1, sizeof *m->init_value);
        if (!m->init_set || !m->init_value) rc = ilnet_error_oom();
    }
    if (rc) {
        ilnet_model_free(m);
        return rc ? rc : ILNET_EINTERNAL;
    }
    *out = m;
    return 0;
}

int ilnet_model_copy(ilnet_model **out, const ilnet_model *m)
{
    ilnet_model_options o = ILNET_MODEL_OPTIONS_INIT;
    o.presets_file = m->presets_path;
    o.message = m->notify.fn;
    o.payload = m->notify.payload;
    *out = NULL;
    ilnet_model *c;
    int rc = ilnet_model_load(&c, m->path, &o);
    if (rc) return rc;
    /* the parameters the caller set, in index order: base values, derived ones follow */
    for (size_t i = 0; !rc && i < ilnet_network_parameter_count(m->net); i++)
        if (ilnet_network_parameter_is_set(m->net, i)) {
            const ilnet_parameter *p = ilnet_network_parameter(m->net, i);
            rc = ilnet_network_set_parameter(c->net, p->name, p->value);
        }
    size_t ns = ilnet_network_species_count(m->net);
    memcpy(c->init_set, m->init_set, ns);
    memcpy(c->init_value, m->init_value, ns * sizeof *c->init_value);
    if (rc) {
        ilnet_model_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

void ilnet_model_free(ilnet_model *m)
{
    if (!m) return;
    if (m->solver_cache_free) m->solver_cache_free(m->solver_cache);
    ilnet_network_free(m->net);
    if (m->have_presets) ilnet_presets_free(&m->presets);
    free(m->init_set);
    free(m->init_value);
    free(m->path);
    free(m->presets_path);
    free(m);
}

const char *ilnet_model_path(const ilnet_model *m)
{
    return m->path;
}

size_t ilnet_model_parameter_count(const ilnet_model *m)
{
    return ilnet_network_parameter_count(m->net);
}

const char *ilnet_model_parameter_name(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_parameter_count(m->net) ? ilnet_network_parameter(m->net, i)->name
                                                     : NULL;
}

const char *ilnet_model_parameter_expression(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_parameter_count(m->net) ? ilnet_network_parameter(m->net, i)->text
                                                     : NULL;
}

double ilnet_model_parameter_value(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_parameter_count(m->net) ? ilnet_network_parameter(m->net, i)->value
                                                     : 0.0;
}

int ilnet_model_parameter_find(const ilnet_model *m, const char *name)
{
    return ilnet_network_find_parameter(m->net, name);
}

int ilnet_model_get_parameter(double *value, const ilnet_model *m, const char *name)
{
    int i = ilnet_network_find_parameter(m->net, name);
    char dym[300];
    if (i < 0)
        return ilnet_error_set(
            ILNET_EINPUT, "%s: no parameter '%s'%s", m->path, name,
            ilnet_network_did_you_mean(m->net, ILNET_NAME_PARAMETER, name, dym, sizeof dym));
    *value = ilnet_network_parameter(m->net, (size_t)i)->value;
    return 0;
}

int ilnet_model_set_parameter(ilnet_model *m, const char *name, double value)
{
    return ilnet_network_set_parameter(m->net, name, value);
}

int ilnet_model_reset_parameter(ilnet_model *m, const char *name)
{
    return ilnet_network_unset_parameter(m->net, name);
}

size_t ilnet_model_species_count(const ilnet_model *m)
{
    return ilnet_network_species_count(m->net);
}

const char *ilnet_model_species_name(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_species_count(m->net) ? ilnet_network_species(m->net, i)->name : NULL;
}

int ilnet_model_species_find(const ilnet_model *m, const char *name)
{
    return ilnet_network_find_species_any_order(m->net, name);
}

int ilnet_model_species_fixed(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_species_count(m->net) ? ilnet_network_species(m->net, i)->fixed : 0;
}

double ilnet_model_species_initial(const ilnet_model *m, size_t i)
{
    if (i >= ilnet_network_species_count(m->net)) return 0.0;
    return m->init_set[i] ? m->init_value[i] : ilnet_network_species(m->net, i)->initial;
}

void ilnet_model_initial_state(const ilnet_model *m, double *y)
{
    for (size_t i = 0; i < ilnet_network_species_count(m->net); i++)
        y[i] = ilnet_model_species_initial(m, i);
}

static int species_index(const ilnet_model *m, const char *name)
{
    int i = ilnet_network_find_species_any_order(m->net, name);
    char dym[300];
    if (i < 0)
        ilnet_error_set(
            ILNET_EINPUT, "%s: no species '%s'%s", m->path, name,
            ilnet_network_did_you_mean(m->net, ILNET_NAME_SPECIES, name, dym, sizeof dym));
    return i;
}

int ilnet_model_set_initial(ilnet_model *m, const char *species, double amount)
{
    int i = species_index(m, species);
    if (i < 0) return ILNET_EINPUT;
    if (!(amount >= 0) || !isfinite(amount))
        return ilnet_error_set(ILNET_EINPUT,
                               "species '%s': initial amount %g (must be finite and >= 0)", species,
                               amount);
    m->init_set[i] = 1;
    m->init_value[i] = amount;
    return 0;
}

int ilnet_model_reset_initial(ilnet_model *m, const char *species)
{
    int i = species_index(m, species);
    if (i < 0) return ILNET_EINPUT;
    m->init_set[i] = 0;
    return 0;
}

size_t ilnet_model_observable_count(const ilnet_model *m)
{
    return ilnet_network_observable_count(m->net);
}

const char *ilnet_model_observable_name(const ilnet_model *m, size_t i)
{
    return i < ilnet_network_observable_count(m->net) ? ilnet_network_observable(m->net, i)->name
                                                      : NULL;
}

int ilnet_model_observable_find(const ilnet_model *m, const char *name)
{
    return ilnet_network_find_observable(m->net, name);
}

size_t ilnet_model_reaction_count(const ilnet_model *m)
{
    return ilnet_network_reaction_count(m->net);
}

size_t ilnet_model_preset_count(const ilnet_model *m)
{
    return m->have_presets ? (size_t)m->presets.n : 0;
}

const char *ilnet_model_preset_name(const ilnet_model *m, size_t i)
{
    return i < ilnet_model_preset_count(m) ? m->presets.p[i].name : NULL;
}

const char *ilnet_model_preset_description(const ilnet_model *m, size_t i)
{
    return i < ilnet_model_preset_count(m) ? m->presets.p[i].description : NULL;
}

int ilnet_model_apply_preset(ilnet_model *m, const char *name)
{
    const ilnet_preset *p = m->have_presets ? ilnet_presets_find(&m->presets, name) : NULL;
    if (!p)
        return ilnet_error_set(ILNET_EINPUT, "%s: no preset '%s'%s", m->path, name,
                               m->have_presets ? "" : " (the model has no presets file)");
    /* a preset may free the fixed species: a solver made before would not see it */
    if (m->solver_cache_free) m->solver_cache_free(m->solver_cache);
    m->solver_cache = NULL;
    m->solver_cache_free = NULL;
    return ilnet_preset_apply(m->net, &m->presets, p);
}

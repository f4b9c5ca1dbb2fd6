/* Study config names against the compiled model: parameters, species (in any component
 * order, rewritten to the network's spelling), observables and presets. */
#include "config.h"

#include "../common/error.h"
#include "../model/expr.h"
#include "../model/readout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x)                                                                                     \
    do {                                                                                           \
        int rc_ = (x);                                                                             \
        if (rc_) return rc_;                                                                       \
    } while (0)

/* Index of species name in net, also when its components are written in another order
 * (ilnet_network_find_species_any_order); -1 when
 * absent. */
static int find_species(const ilnet_network *net, const char *name)
{
    return ilnet_network_find_species_any_order(net, name);
}

/* Replaces a config species name by the network's spelling of it. */
static int respell(char **name, const ilnet_network *net, int i)
{
    if (!strcmp(*name, ilnet_network_species(net, i)->name)) return 0;
    char *s = strdup(ilnet_network_species(net, i)->name);
    if (!s) return ilnet_error_oom();
    free(*name);
    *name = s;
    return 0;
}

static int need_param(const ilnet_config *c, const ilnet_network *net, const char *name,
                      ilnet_config_pos pos, const char *path)
{
    if (ilnet_network_find_parameter(net, name) >= 0) return 0;
    char dym[300];
    return ilnet_config_error(
        c, pos, path, "the model has no parameter '%s'%s", name,
        ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, name, dym, sizeof dym));
}

static int need_species(const ilnet_config *c, const ilnet_network *net, char **name,
                        ilnet_config_pos pos, const char *path)
{
    int i = find_species(net, *name);
    if (i >= 0) return respell(name, net, i);
    char dym[300];
    if (*ilnet_network_did_you_mean(net, ILNET_NAME_SPECIES, *name, dym, sizeof dym))
        return ilnet_config_error(c, pos, path, "the model has no species '%s'%s", *name, dym);
    return ilnet_config_error(
        c, pos, path,
        "the model has no species '%s' (species are named as in the "
        "network, e.g. '%s'; see ilnet info MODEL --only species)",
        *name, ilnet_network_species_count(net) ? ilnet_network_species(net, 0)->name : "none");
}

/* {step: NAME}: a named step of the experiment's protocol, at absolute times inside the
 * simulated interval (factors are checked once resolved) */
static int need_step(const ilnet_config *c, const ilnet_network *net,
                     const ilnet_config_experiment *e, ilnet_config_sweep_param *sp)
{
    const ilnet_config_protocol *pr = &e->protocol;
    sp->step_index = -1;
    for (int k = 0; k < pr->n_steps; k++)
        if (pr->steps[k].name && !strcmp(pr->steps[k].name, sp->name)) sp->step_index = k;
    if (sp->step_index < 0) {
        char names[400] = "";
        size_t o = 0;
        for (int k = 0; k < pr->n_steps && o < sizeof names - 80; k++)
            if (pr->steps[k].name)
                o += (size_t)snprintf(names + o, sizeof names - o, "%s'%s'", o ? ", " : "",
                                      pr->steps[k].name);
        return ilnet_config_error(
            c, sp->pos, sp->path, "the experiment's protocol has no step named '%s' (%s%s)",
            sp->name, o ? "named steps: " : "give the step name: NAME", names);
    }
    if (ilnet_network_find_parameter(net, sp->name) >= 0)
        return ilnet_config_error(c, sp->pos, sp->path,
                                  "step name '%s' is a parameter of the model; name the step "
                                  "differently",
                                  sp->name);
    double t0 = c->times[0], t1 = c->times[c->n_times - 1];
    for (int i = 0; !sp->relative && i < sp->n_values; i++)
        if (sp->values[i] < t0 || sp->values[i] > t1)
            return ilnet_config_error(c, sp->pos, sp->path,
                                      "step time %g is outside the simulated interval [%g, %g]",
                                      sp->values[i], t0, t1);
    if (!sp->relative && !sp->n_values && (sp->min < t0 || sp->max > t1))
        return ilnet_config_error(c, sp->pos, sp->path,
                                  "step times %g..%g reach outside the simulated interval "
                                  "[%g, %g]",
                                  sp->min, sp->max, t0, t1);
    return 0;
}

static int need_obs(const ilnet_config *c, const ilnet_network *net, const char *name,
                    ilnet_config_pos pos, const char *path)
{
    if (ilnet_network_find_observable(net, name) >= 0) return 0;
    char dym[300];
    return ilnet_config_error(
        c, pos, path, "the model has no observable '%s'%s", name,
        ilnet_network_did_you_mean(net, ILNET_NAME_OBSERVABLE, name, dym, sizeof dym));
}

static int need_presets(const ilnet_config *c, const ilnet_presets *ps, char **names, int n,
                        const ilnet_config_pos *pos, const char *path)
{
    for (int i = 0; i < n; i++)
        if (!ps || !ilnet_presets_find(ps, names[i])) {
            char ip[600];
            snprintf(ip, sizeof ip, n > 1 ? "%s[%d]" : "%s", path, i);
            return ilnet_config_error(c, pos[i], ip, "no preset '%s'%s%s", names[i],
                                      ps ? " in " : " (the model has no presets file)",
                                      ps ? ps->path : "");
        }
    return 0;
}

/* Parameters, or (protocol steps) parameters and species. */
static int need_assign(const ilnet_config *c, const ilnet_network *net,
                       const ilnet_config_assign *a, int species_too, int species_only)
{
    for (int i = 0; i < a->n; i++) {
        int sp = species_too || species_only ? find_species(net, a->names[i]) : -1;
        if (sp >= 0) TRY(respell(&a->names[i], net, sp));
        if (species_only) {
            TRY(need_species(c, net, &a->names[i], a->pos[i], a->paths[i]));
        } else if (!(species_too && sp >= 0)) {
            char dym[300];
            if (ilnet_network_find_parameter(net, a->names[i]) < 0)
                return ilnet_config_error(c, a->pos[i], a->paths[i], "the model has no %s '%s'%s",
                                          species_too ? "parameter or species" : "parameter",
                                          a->names[i],
                                          ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER,
                                                                     a->names[i], dym, sizeof dym));
        }
        if (species_only && a->values[i] < 0)
            return ilnet_config_error(c, a->pos[i], a->paths[i], "amount %g is negative",
                                      a->values[i]);
    }
    return 0;
}

/* whether assignment a sets parameter name */
static int assigns(const ilnet_config_assign *a, const char *name)
{
    for (int i = 0; i < a->n; i++)
        if (!strcmp(a->names[i], name)) return 1;
    return 0;
}

/* output.sensitivities: parameters or species; not a parameter a protocol sets (from then
 * on it is a constant, not the parameter differentiated), nor a dose given after a
 * pre-equilibration (the pre-equilibration ran without it) */
static int need_sens(ilnet_config *c, const ilnet_network *net, int i)
{
    const char *path = "output.sensitivities";
    int sp = find_species(net, c->sens[i]);
    if (sp >= 0) return respell(&c->sens[i], net, sp);
    char dym[300];
    if (ilnet_network_find_parameter(net, c->sens[i]) < 0)
        return ilnet_config_error(
            c, c->sens_pos[i], path, "the model has no parameter or species '%s'%s", c->sens[i],
            ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, c->sens[i], dym, sizeof dym));
    for (int x = 0; x < c->n_experiments; x++) {
        const ilnet_config_experiment *e = &c->experiments[x];
        const ilnet_config_protocol *pr = &e->protocol;
        int set = assigns(&pr->preeq_set, c->sens[i]);
        for (int k = 0; k < pr->n_steps; k++)
            set |= assigns(&pr->steps[k].set, c->sens[i]);
        if (set)
            return ilnet_config_error(
                c, c->sens_pos[i], path,
                "'%s' is set by the protocol of experiment '%s': sensitivities "
                "with respect to a parameter a protocol changes are not "
                "supported",
                c->sens[i], e->name);
        if (e->type == ILNET_EXP_DOSE && !e->dose_is_species && pr->has_preeq &&
            !strcmp(e->dose_name, c->sens[i]))
            return ilnet_config_error(c, c->sens_pos[i], path,
                                      "'%s' is the dose of experiment '%s', given after its "
                                      "pre-equilibration: sensitivities with respect to it are not "
                                      "supported",
                                      c->sens[i], e->name);
    }
    return 0;
}

static int expression_index(const ilnet_config *c, const char *name)
{
    for (int i = 0; i < c->n_expr; i++)
        if (!strcmp(c->expr_names[i], name)) return i;
    return -1;
}

/* Output expressions compile against the model and do not take an observable's name (they
 * are stored beside the observables). */
static int need_expressions(const ilnet_config *c, const ilnet_network *net)
{
    for (int i = 0; i < c->n_expr; i++) {
        const char *kp = c->expr_paths[i];
        if (ilnet_network_find_observable(net, c->expr_names[i]) >= 0)
            return ilnet_config_error(c, c->expr_pos[i], kp,
                                      "'%s' is an observable of the model; name the expression "
                                      "differently",
                                      c->expr_names[i]);
        ilnet_readout *e = NULL;
        if (ilnet_readout_compile(&e, net, c->expr_texts[i])) {
            char msg[400];
            snprintf(msg, sizeof msg, "%s", ilnet_error_last());
            return ilnet_config_error(c, c->expr_pos[i], kp, "%s", msg);
        }
        ilnet_readout_free(e);
    }
    return 0;
}

/* A dose response's readouts name observables or output expressions. */
static int need_readouts(const ilnet_config *c, const ilnet_network *net,
                         const ilnet_config_experiment *e)
{
    for (int r = 0; r < e->n_readouts; r++) {
        const ilnet_config_readout *o = &e->readouts[r];
        if (o->series || expression_index(c, o->column) >= 0) continue;
        char kp[600];
        if (e->n_readouts > 1)
            snprintf(kp, sizeof kp, "%s.readout[%d].observable", e->path, r);
        else
            snprintf(kp, sizeof kp, "%s.readout.observable", e->path);
        TRY(need_obs(c, net, o->column, o->pos, kp));
    }
    return 0;
}

/* units name observables, output expressions or parameters */
static int need_units(const ilnet_config *c, const ilnet_network *net)
{
    for (int i = 0; i < c->n_units; i++) {
        const char *nm = c->unit_names[i];
        if (ilnet_network_find_observable(net, nm) >= 0 || expression_index(c, nm) >= 0 ||
            ilnet_network_find_parameter(net, nm) >= 0)
            continue;
        char kp[600], dym[300];
        snprintf(kp, sizeof kp, "units.%s", nm);
        ilnet_network_did_you_mean(net, ILNET_NAME_OBSERVABLE, nm, dym, sizeof dym);
        if (!*dym) ilnet_network_did_you_mean(net, ILNET_NAME_PARAMETER, nm, dym, sizeof dym);
        return ilnet_config_error(c, c->unit_pos[i], kp,
                                  "'%s' is not an observable, output expression or parameter of "
                                  "the model%s",
                                  nm, dym);
    }
    return 0;
}

int ilnet_config_check_names(ilnet_config *c, const ilnet_network *net, const ilnet_presets *ps)
{
    TRY(need_expressions(c, net));
    TRY(need_units(c, net));
    TRY(need_presets(c, ps, c->presets, c->n_presets, c->preset_pos, "preset"));
    TRY(need_assign(c, net, &c->params, 0, 0));
    TRY(need_assign(c, net, &c->initial, 0, 1));
    for (int i = 0; i < c->n_observables; i++)
        TRY(need_obs(c, net, c->observables[i], c->observable_pos[i], "output.observables"));
    for (int i = 0; i < c->n_species; i++)
        TRY(need_species(c, net, &c->species[i], c->species_pos[i], "output.species"));
    for (int i = 0; i < c->n_sens; i++)
        TRY(need_sens(c, net, i));
    for (int x = 0; x < c->n_experiments; x++) {
        ilnet_config_experiment *e = &c->experiments[x];
        char kp[600];
        snprintf(kp, sizeof kp, "%s.preset", e->path);
        TRY(need_presets(c, ps, e->presets, e->n_presets, e->preset_pos, kp));
        TRY(need_assign(c, net, &e->params, 0, 0));
        TRY(need_assign(c, net, &e->protocol.preeq_set, 1, 0));
        for (int k = 0; k < e->protocol.n_steps; k++) {
            TRY(need_assign(c, net, &e->protocol.steps[k].set, 1, 0));
            TRY(need_assign(c, net, &e->protocol.steps[k].add, 0, 1));
        }
        for (int k = 0; k < e->n_sweep; k++) {
            ilnet_config_sweep_param *sp = &e->sweep[k];
            if (sp->is_step)
                TRY(need_step(c, net, e, sp));
            else if (sp->is_species)
                TRY(need_species(c, net, &sp->name, sp->pos, sp->path));
            else
                TRY(need_param(c, net, sp->name, sp->pos, sp->path));
        }
        if (e->type == ILNET_EXP_DOSE) {
            snprintf(kp, sizeof kp, "%s.dose.%s", e->path,
                     e->dose_is_species ? "species" : "parameter");
            if (e->dose_is_species)
                TRY(need_species(c, net, &e->dose_name, e->dose_pos, kp));
            else
                TRY(need_param(c, net, e->dose_name, e->dose_pos, kp));
            TRY(need_readouts(c, net, e));
            for (int s = 0; s < e->n_series; s++) {
                snprintf(kp, sizeof kp, "%s.series[%d].preset", e->path, s);
                TRY(need_presets(c, ps, e->series[s].presets, e->series[s].n_presets,
                                 e->series[s].preset_pos, kp));
                TRY(need_assign(c, net, &e->series[s].params, 0, 0));
            }
        }
    }
    return 0;
}

/* The plan of a study: everything checked and derived before a point runs. */
#include "study_internal.h"

#include "../common/error.h"
#include "../common/file.h"
#include "../model/load.h"
#include "point.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void exp_free(ilnet_study_exp *x)
{
    ilnet_design_free(&x->pts);
    free(x->times);
    for (int i = 0; i < x->n_readouts; i++)
        free(x->readout_names[i]);
    free(x->readout_names);
    free(x->readout_row);
    free(x->readout_kind);
    free(x->readout_col);
    free(x->readout_spec);
    free(x->status);
}

/* A dose response's readouts, readout by readout: each time, then peak and integral,
 * named "COL@T", "COL:peak", "COL:integral". */
static int exp_readouts(ilnet_study_exp *x, const ilnet_config_experiment *e)
{
    int nr = 0;
    for (int q = 0; q < e->n_readouts; q++)
        nr += e->readouts[q].n_times + e->readouts[q].peak + e->readouts[q].integral;
    x->readout_names = calloc(nr, sizeof *x->readout_names);
    x->readout_row = calloc(nr, sizeof *x->readout_row);
    x->readout_kind = calloc(nr, sizeof *x->readout_kind);
    x->readout_col = calloc(nr, sizeof *x->readout_col);
    x->readout_spec = calloc(nr, sizeof *x->readout_spec);
    if (!x->readout_names || !x->readout_row || !x->readout_kind || !x->readout_col ||
        !x->readout_spec)
        return ilnet_error_oom();
    int i = 0;
    for (int q = 0; q < e->n_readouts; q++) {
        const ilnet_config_readout *o = &e->readouts[q];
        for (int k = 0; k < o->n_times + o->peak + o->integral; k++, i++) {
            char buf[512];
            x->readout_spec[i] = q;
            if (k < o->n_times) {
                x->readout_kind[i] = ILNET_READOUT_AT;
                snprintf(buf, sizeof buf, "%s@%g", o->column, o->times[k]);
                for (size_t r = 0; r < x->n_times; r++)
                    if (x->times[r] == o->times[k]) x->readout_row[i] = r;
            } else {
                int peak = k == o->n_times && o->peak;
                x->readout_kind[i] = peak ? ILNET_READOUT_PEAK : ILNET_READOUT_INTEGRAL;
                snprintf(buf, sizeof buf, "%s:%s", o->column, peak ? "peak" : "integral");
            }
            /* a normalised readout says so: "COL@T/max", "COL:peak/range" */
            if (o->normalise)
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "/%s",
                         o->normalise == ILNET_NORMALISE_MAX ? "max" : "range");
            if (!(x->readout_names[i] = strdup(buf))) return ilnet_error_oom();
            x->n_readouts = i + 1;
        }
    }
    return 0;
}

static size_t readout_time_count(const ilnet_config_experiment *e)
{
    size_t n = 0;
    for (int q = 0; e->type == ILNET_EXP_DOSE && q < e->n_readouts; q++)
        n += (size_t)e->readouts[q].n_times;
    return n;
}

/* Points, the output grid (the simulation grid plus readout times) and readout names. */
static int exp_init(ilnet_study_exp *x, const ilnet_config *c, const ilnet_config_experiment *e)
{
    memset(x, 0, sizeof *x);
    x->e = e;
    int rc = ilnet_design_expand(&x->pts, e);
    if (rc) return rc;
    size_t extra = readout_time_count(e);
    x->times = malloc((c->n_times + extra) * sizeof *x->times);
    x->status = calloc(x->pts.n_points + 1, 1);
    if (!x->times || !x->status) return ilnet_error_oom();
    memcpy(x->times, c->times, c->n_times * sizeof *x->times);
    size_t n = c->n_times;
    for (int q = 0; extra && q < e->n_readouts; q++)
        for (int i = 0; i < e->readouts[q].n_times; i++)
            x->times[n++] = e->readouts[q].times[i];
    qsort(x->times, n, sizeof *x->times, cmp_double);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (!m || x->times[i] != x->times[m - 1]) x->times[m++] = x->times[i];
    x->n_times = m;
    return e->type == ILNET_EXP_DOSE ? exp_readouts(x, e) : 0;
}

/* The output replaces whatever is at its path: never one of the study's inputs. */
static int output_not_an_input(const ilnet_study *S)
{
    const ilnet_config *c = &S->c;
    const char *inputs[] = {c->path, c->model, S->presets ? S->presets->path : NULL};
    const char *what[] = {"the study config", "the model", "the presets file"};
    for (int i = 0; i < 3; i++)
        if (inputs[i] && ilnet_file_same(c->output, inputs[i]))
            return ilnet_error_set(ILNET_EINPUT,
                                   "%s: the output file is %s (%s); refusing to overwrite an "
                                   "input (choose another output.file or -o)",
                                   c->output, what[i], inputs[i]);
    return 0;
}

/* The options' NAME=VALUE overrides into the config's top-level parameters (checked
 * against the model with the rest), and their text for the file. */
static int apply_sets(ilnet_study *S)
{
    size_t len = 1;
    for (int i = 0; i < S->o->n_set; i++)
        len += strlen(S->o->set[i]) + 1;
    if (!(S->set_text = calloc(len, 1))) return ilnet_error_oom();
    for (int i = 0; i < S->o->n_set; i++) {
        const char *a = S->o->set[i], *eq = strchr(a, '=');
        char path[300];
        snprintf(path, sizeof path, "--set %.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
        char *end = NULL;
        double v = eq ? strtod(eq + 1, &end) : NAN;
        if (!eq || eq == a || end == eq + 1 || *end || !isfinite(v))
            return ilnet_error_set(ILNET_EINPUT,
                                   "--set %s: expected NAME=VALUE with a finite "
                                   "number",
                                   a);
        char name[256];
        if ((size_t)(eq - a) >= sizeof name)
            return ilnet_error_set(ILNET_EINPUT, "--set %.40s...: the name is too long", a);
        snprintf(name, sizeof name, "%.*s", (int)(eq - a), a);
        int rc = ilnet_config_assign_put(&S->c.params, name, v, path);
        if (rc) return rc;
        if (i) strcat(S->set_text, " ");
        strcat(S->set_text, a);
    }
    return 0;
}

/* The config, the model, its presets, and every name in the config. */
static int load(ilnet_study *S, const char *config_path)
{
    ilnet_config *c = &S->c;
    int rc = ilnet_config_read(c, config_path);
    if (rc) return rc;
    S->have_config = 1;
    if ((rc = apply_sets(S))) return rc;
    if (S->o->output) {
        free(c->output);
        if (!(c->output = strdup(S->o->output))) return ilnet_error_oom();
    }
    if ((rc = ilnet_network_load(&S->net, c->model, &S->notify))) {
        ilnet_error_prefix("%s:%d:%d: model", c->path, c->model_pos.line, c->model_pos.col);
        return rc;
    }
    const char *pf = c->presets_file ? c->presets_file
                                     : (S->default_presets = ilnet_presets_default_path(c->model));
    if (pf) {
        if ((rc = ilnet_presets_read(&S->presets_store, pf))) return rc;
        S->presets = &S->presets_store;
    }
    if ((rc = ilnet_config_check_names(c, S->net, S->presets))) return rc;
    if ((rc = output_not_an_input(S))) return rc;
    /* provenance: the model file's text as it was when the study ran */
    rc = ilnet_file_read(&S->model_text, NULL, c->model);
    if (rc == ILNET_ENOMEM) return rc;
    ilnet_error_clear();
    return 0;
}

/* Each readout's stored column: its observable must be stored. */
static int readout_columns(ilnet_study *S, int k)
{
    const ilnet_config *c = &S->c;
    const ilnet_config_experiment *e = &c->experiments[k];
    ilnet_study_exp *x = &S->x[k];
    for (int i = 0; i < x->n_readouts; i++) {
        const ilnet_config_readout *o = &e->readouts[x->readout_spec[i]];
        x->readout_col[i] = -1;
        if (o->series) continue; /* from its operands' columns, after the last point */
        for (int j = 0; j < S->n_obs && x->readout_col[i] < 0; j++)
            if (!strcmp(S->obs_names[j], o->column)) x->readout_col[i] = j;
        if (x->readout_col[i] < 0) {
            char kp[600];
            if (e->n_readouts > 1)
                snprintf(kp, sizeof kp, "%s.readout[%d].observable", e->path, x->readout_spec[i]);
            else
                snprintf(kp, sizeof kp, "%s.readout.observable", e->path);
            return ilnet_config_error(c, o->pos, kp,
                                      "'%s' is not among output.observables (it must be stored)",
                                      o->column);
        }
    }
    return 0;
}

/* The declared unit of name (config units:), or "". */
static const char *unit_of(const ilnet_config *c, const char *name)
{
    for (int i = 0; i < c->n_units; i++)
        if (!strcmp(c->unit_names[i], name)) return c->unit_texts[i];
    return "";
}

/* The stored columns: observables, then output expressions. */
static int columns(ilnet_study *S)
{
    const ilnet_config *c = &S->c;
    S->net_obs = ilnet_network_observable_count(S->net);
    S->net_sp = ilnet_network_species_count(S->net);
    /* the stored columns: the observables, then the output expressions */
    int n_plain = c->all_observables ? (int)S->net_obs : c->n_observables;
    S->n_obs = n_plain + c->n_expr;
    S->n_sp = c->species_mode == 1 ? (int)S->net_sp : c->species_mode == 2 ? c->n_species : 0;
    S->obs_names = calloc(S->n_obs + 1, sizeof *S->obs_names);
    S->obs_idx = calloc(S->n_obs + 1, sizeof *S->obs_idx);
    S->sp_names = calloc(S->n_sp + 1, sizeof *S->sp_names);
    S->sp_idx = calloc(S->n_sp + 1, sizeof *S->sp_idx);
    if (!S->obs_names || !S->obs_idx || !S->sp_names || !S->sp_idx) return ilnet_error_oom();
    for (int i = 0; i < n_plain; i++) {
        S->obs_idx[i] =
            c->all_observables ? i : ilnet_network_find_observable(S->net, c->observables[i]);
        S->obs_names[i] = ilnet_network_observable(S->net, S->obs_idx[i])->name;
    }
    for (int j = 0; j < c->n_expr; j++) {
        S->obs_idx[n_plain + j] = -1 - j; /* expression j, not a network observable */
        S->obs_names[n_plain + j] = c->expr_names[j];
    }
    if (c->n_units) {
        if (!(S->obs_units = calloc((size_t)S->n_obs + 1, sizeof *S->obs_units)))
            return ilnet_error_oom();
        for (int i = 0; i < S->n_obs; i++)
            S->obs_units[i] = unit_of(c, S->obs_names[i]);
    }
    for (int i = 0; i < S->n_sp; i++) {
        S->sp_idx[i] = c->species_mode == 1 ? i : ilnet_network_find_species(S->net, c->species[i]);
        S->sp_names[i] = ilnet_network_species_label(S->net, (size_t)S->sp_idx[i]);
    }
    return 0;
}

/* A dry run of the setup: every override and the first point's values must apply. */
/* factor: sweeps: the swept values are factors of the value the parameter (or species'
 * initial amount) has before the point, in the unit u built for the experiment; they become
 * absolute values here, in the points and a grid's axis alike. */
static int resolve_factors(ilnet_study *S, int k, const ilnet_point_unit *u)
{
    ilnet_config_experiment *e = &S->c.experiments[k];
    ilnet_study_exp *x = &S->x[k];
    for (int j = 0; e->type == ILNET_EXP_SWEEP && j < e->n_sweep; j++) {
        ilnet_config_sweep_param *sp = &e->sweep[j];
        if (!sp->relative) continue;
        double base = sp->is_step ? e->protocol.steps[sp->step_index].at
                      : u->var_param[j] >= 0
                          ? ilnet_network_parameter(u->net, u->var_param[j])->value
                          : ilnet_network_species(u->net, u->var_species[j])->initial;
        for (int i = 0; sp->is_species && i < S->c.initial.n; i++)
            if (!strcmp(S->c.initial.names[i], sp->name)) base = S->c.initial.values[i];
        if (!(base != 0) || !isfinite(base))
            return ilnet_config_error(&S->c, sp->pos, sp->path,
                                      "factor: '%s' is %g before the sweep; a factor of it is "
                                      "meaningless (give values instead)",
                                      sp->name, base);
        for (size_t p = 0; p < x->pts.n_points; p++)
            x->pts.values[p * (size_t)x->pts.n_vars + (size_t)j] *= base;
        for (int i = 0; i < sp->n_values; i++)
            sp->values[i] *= base;
        for (size_t p = 0; sp->is_step && p < x->pts.n_points; p++) {
            double t = x->pts.values[p * (size_t)x->pts.n_vars + (size_t)j];
            if (t < x->times[0] || t > x->times[x->n_times - 1])
                return ilnet_config_error(&S->c, sp->pos, sp->path,
                                          "factor: step time %g (point %zu) is outside the "
                                          "simulated interval [%g, %g]",
                                          t, p, x->times[0], x->times[x->n_times - 1]);
        }
    }
    return 0;
}

static int dry_run(ilnet_study *S, int k)
{
    const ilnet_config_experiment *e = &S->c.experiments[k];
    const ilnet_study_exp *x = &S->x[k];
    int rc = 0;
    for (int s = 0; s < (e->type == ILNET_EXP_DOSE ? e->n_series : 1); s++) {
        ilnet_point_unit *u;
        if ((rc = ilnet_point_unit_new(&u, &S->c, e, s, S->presets, x->times, x->n_times,
                                       x->pts.names, x->pts.n_vars)))
            return rc;
        if ((rc = resolve_factors(S, k, u))) {
            ilnet_point_unit_free(u);
            return rc;
        }
        for (int j = 0; j < x->pts.n_vars && x->pts.n_points && !rc; j++)
            if (u->var_param[j] >= 0 &&
                ilnet_network_set_parameter(u->net, x->pts.names[j], x->pts.values[j])) {
                int dose = e->type == ILNET_EXP_DOSE;
                rc =
                    ilnet_config_error(&S->c, dose ? e->dose_pos : e->sweep[j].pos,
                                       dose ? e->path : e->sweep[j].path, "%s", ilnet_error_last());
            }
        ilnet_point_unit_free(u);
        if (rc) return rc;
    }
    return 0;
}

/* The experiment's shape as stored. */
static int group(ilnet_study *S, int k)
{
    static const char *const design_names[] = {"grid", "zip", "lhs", "sobol", "saltelli", "file"};
    const ilnet_config_experiment *e = &S->c.experiments[k];
    const ilnet_study_exp *x = &S->x[k];
    ilnet_study_group *G = &S->groups[k];
    G->name = e->name;
    G->type = e->type == ILNET_EXP_TIMECOURSE ? "timecourse"
              : e->type == ILNET_EXP_SWEEP    ? "sweep"
                                              : "dose_response";
    G->design = e->type == ILNET_EXP_SWEEP ? design_names[e->design] : NULL;
    G->has_seed = e->type == ILNET_EXP_SWEEP &&
                  (e->design == ILNET_DESIGN_LHS || e->design == ILNET_DESIGN_SALTELLI);
    G->seed = e->seed;
    G->n_points = x->pts.n_points;
    G->n_vars = x->pts.n_vars;
    G->var_names = x->pts.names;
    G->var_values = x->pts.values;
    G->n_times = x->n_times;
    G->times = x->times;
    G->n_obs = S->n_obs;
    G->obs_names = S->obs_names;
    G->time_units = S->c.time_units;
    G->obs_units = S->obs_units;
    if (S->c.n_units && x->pts.n_vars) {
        const char **vu = calloc((size_t)x->pts.n_vars, sizeof *vu);
        if (!vu) return ilnet_error_oom();
        for (int j = 0; j < x->pts.n_vars; j++) {
            int step = e->type == ILNET_EXP_SWEEP && e->sweep[j].is_step;
            const char *tu = S->c.time_units ? S->c.time_units : "";
            vu[j] = step ? tu : unit_of(&S->c, x->pts.names[j]); /* a step's time */
        }
        G->var_units = vu;
    }
    G->n_species = S->n_sp;
    G->species_names = S->sp_names;
    G->n_stats = ILNET_STAT_COUNT;
    G->stat_names = ilnet_stat_names;
    G->n_sens = S->c.n_sens;
    G->sens_names = (const char *const *)S->c.sens;
    if (e->type == ILNET_EXP_SWEEP && e->design == ILNET_DESIGN_GRID) {
        int *gs = calloc((size_t)e->n_sweep + 1, sizeof *gs);
        const double **gv = calloc((size_t)e->n_sweep + 1, sizeof *gv);
        if (!gs || !gv) {
            free(gs);
            free(gv);
            return ilnet_error_oom();
        }
        for (int j = 0; j < e->n_sweep; j++)
            gs[j] = e->sweep[j].n_values, gv[j] = e->sweep[j].values;
        G->n_grid = e->n_sweep;
        G->grid_sizes = gs;
        G->grid_values = gv;
    }
    if (e->type != ILNET_EXP_DOSE) return 0;
    G->n_series = e->n_series;
    G->n_doses = e->n_doses;
    G->n_readouts = x->n_readouts;
    G->doses = e->doses;
    G->readout_names = (const char *const *)x->readout_names;
    const char **sn = calloc(e->n_series, sizeof *sn);
    if (!sn) return ilnet_error_oom();
    for (int s = 0; s < e->n_series; s++)
        sn[s] = e->series[s].name;
    G->series_names = sn;
    return 0;
}

/* The study file's size, from the config alone (before any point is expanded: a design
 * of 10^8 points would take minutes and gigabytes just to list), against the limit. */
static int planned_size(ilnet_study *S)
{
    const ilnet_config *c = &S->c;
    double limit = S->o->max_output_bytes ? S->o->max_output_bytes : ILNET_STUDY_DEFAULT_MAX_BYTES;
    int big = -1;
    double biggest = 0, points = 0;
    S->planned_bytes = 0;
    for (int k = 0; k < c->n_experiments; k++) {
        const ilnet_config_experiment *e = &c->experiments[k];
        double n = ilnet_design_count(e);
        int nv = e->type == ILNET_EXP_SWEEP ? e->n_sweep : e->type == ILNET_EXP_DOSE ? 1 : 0;
        double nt = (double)c->n_times + (double)readout_time_count(e);
        double b = ilnet_study_bytes(n, nt, S->n_obs, S->n_sp, ILNET_STAT_COUNT, nv, c->n_sens);
        S->planned_bytes += b;
        points += n;
        if (b > biggest) biggest = b, big = k;
    }
    if (limit < 0 || S->planned_bytes <= limit || big < 0) return 0;
    const ilnet_config_experiment *e = &c->experiments[big];
    return ilnet_config_error(c, e->pos, e->path,
                              "the study file would take about %.3g GB (%.3g points, this "
                              "experiment %.3g GB), over the limit of %.3g GB (ilnet run "
                              "--max-size GB)",
                              S->planned_bytes / 1e9, points, biggest / 1e9, limit / 1e9);
}

int ilnet_study_plan(ilnet_study *S, const char *config_path)
{
    int rc = load(S, config_path);
    if (!rc) rc = columns(S);
    if (!rc) rc = planned_size(S);
    if (rc) return rc;
    const ilnet_config *c = &S->c;
    S->x = calloc(c->n_experiments + 1, sizeof *S->x);
    S->groups = calloc(c->n_experiments + 1, sizeof *S->groups);
    if (!S->x || !S->groups) return ilnet_error_oom();
    for (int k = 0; k < c->n_experiments; k++) {
        if ((rc = exp_init(&S->x[k], c, &c->experiments[k]))) return rc;
        if (c->experiments[k].type == ILNET_EXP_DOSE && (rc = readout_columns(S, k))) return rc;
        if (S->x[k].n_times > S->max_times) S->max_times = S->x[k].n_times;
        S->total += S->x[k].pts.n_points;
        if ((rc = dry_run(S, k)) || (rc = group(S, k))) return rc;
    }
    return 0;
}

void ilnet_study_plan_free(ilnet_study *S)
{
    int n = S->have_config ? S->c.n_experiments : 0;
    for (int k = 0; S->groups && k < n; k++) {
        free((void *)S->groups[k].series_names);
        free((void *)S->groups[k].var_units);
        free((void *)S->groups[k].grid_sizes);
        free((void *)S->groups[k].grid_values);
    }
    free(S->groups);
    for (int k = 0; S->x && k < n; k++)
        exp_free(&S->x[k]);
    free(S->x);
    free(S->obs_names);
    free(S->obs_units);
    free(S->obs_idx);
    free(S->sp_names);
    free(S->sp_idx);
    free(S->model_text);
    free(S->set_text);
    free(S->default_presets);
    if (S->presets) ilnet_presets_free(S->presets);
    ilnet_network_free(S->net);
    if (S->have_config) ilnet_config_free(&S->c);
}

/* Fit experiments of a study (study_fits.h). */
#include "study_fits.h"

#include "../common/clock.h"
#include "../common/error.h"
#include "../common/notify.h"
#include "../experiment/config.h"
#include "../experiment/dispatch.h"
#include "../experiment/fit.h"
#include <ilnet/fit.h>

#include "h5util.h"

#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct {
    const ilnet_study_options *o;
    const ilnet_config_fit *f;
    ilnet_notify notify;
    double t0;
    volatile sig_atomic_t stop; /* the progress callback asked to stop */
} fit_view;

/* What a fit file at path holds: 0 none, 1 an unfinished fit, 2 a finished one. Rank 0
 * looks; every rank gets its answer. */
static int fit_file_state(const char *path)
{
    int rank = 0, size = 1, state = 0;
    ilnet_dispatch_world(&rank, &size);
    if (rank == 0 && access(path, F_OK) == 0) {
        state = 1;
        hid_t h = -1;
        H5E_BEGIN_TRY
        {
            h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
        }
        H5E_END_TRY;
        char *st =
            h >= 0 && H5Aexists(h, "status") > 0 ? ilnet_h5_read_attr_string(h, "status") : NULL;
        if (st && !strcmp(st, "complete")) state = 2;
        free(st);
        if (h >= 0) H5Fclose(h);
    }
    if (size > 1) ilnet_dispatch_bcast(&state, sizeof state);
    return state;
}

/* STUDY.h5 -> STUDY.NAME.h5 (caller frees) */
static char *fit_file(const char *study, const char *name)
{
    size_t n = strlen(study);
    if (n > 3 && !strcmp(study + n - 3, ".h5")) n -= 3;
    char *s = malloc(n + strlen(name) + 5);
    if (s) sprintf(s, "%.*s.%s.h5", (int)n, study, name);
    return s;
}

static int on_start(const ilnet_fit_start_info *s, void *payload)
{
    fit_view *v = payload;
    ilnet_notify_send(&v->notify, ILNET_MESSAGE_INFO,
                      "fit %s: start %zu (%zu of %zu): llh %.10g, %s; best %.10g", v->f->name,
                      s->index, s->done, s->total, s->llh, s->status, s->best_llh);
    if (!v->o || !v->o->progress) return 0;
    ilnet_study_progress p = {
        s->done, s->total, ilnet_clock_now() - v->t0, 0, s->done == s->total, v->f->name};
    int stop = v->o->progress(&p, v->o->payload);
    if (stop) v->stop = 1; /* also abandons the starts in flight */
    return stop;
}

/* the fit's messages, to the study's callback with the study's payload */
static void on_message(ilnet_message_level level, const char *msg, void *payload)
{
    const fit_view *v = payload;
    if (!strncmp(msg, "ilnet fit: ", 11)) msg += 11;
    ilnet_notify_send(&v->notify, level, "fit %s: %s", v->f->name, msg);
}

static void options(ilnet_fit_run_options *u, const ilnet_config_fit *f,
                    const ilnet_study_options *o)
{
    u->starts = (size_t)f->starts;
    u->seed = (unsigned long)f->seed;
    u->threads = o ? o->threads : 0;
    u->optimizer = f->optimizer;
    u->gradient = f->gradient;
    u->max_iter = f->max_iter;
    u->atol = f->atol;
    u->rtol = f->rtol;
    u->hierarchical = f->hierarchical;
    u->include_nominal = f->include_nominal;
    u->profile = f->profile;
    u->profile_points = (size_t)f->profile_points;
    u->command_line = o ? o->command_line : NULL;
}

/* The study file's group NAME: an external link to the fit file's root (by its name
 * alone: HDF5 looks beside the study file first). */
static int link_fit(const char *study, const char *name, const char *fit)
{
    const char *base = strrchr(fit, '/') ? strrchr(fit, '/') + 1 : fit;
    hid_t h = -1;
    H5E_BEGIN_TRY
    {
        h = H5Fopen(study, H5F_ACC_RDWR, H5P_DEFAULT);
        if (h >= 0 && H5Lexists(h, name, H5P_DEFAULT) > 0) H5Ldelete(h, name, H5P_DEFAULT);
    }
    H5E_END_TRY;
    int rc = h < 0 || H5Lcreate_external(base, "/", h, name, H5P_DEFAULT, H5P_DEFAULT) < 0;
    if (h >= 0 && H5Fclose(h) < 0) rc = 1;
    return rc ? ilnet_error_set(ILNET_EIO, "%s: cannot link the fit '%s' (%s) into the study file",
                                study, name, fit)
              : 0;
}

/* each id of a profile list is an estimated parameter */
static int check_profile(const ilnet_fit *fit, const char *list)
{
    if (!list || !strcmp(list, "all")) return 0;
    for (const char *s = list; *s;) {
        size_t n = strcspn(s, ","), j = 0;
        while (j < fit->n_par && (strlen(fit->ids[j]) != n || strncmp(fit->ids[j], s, n)))
            j++;
        if (j == fit->n_par)
            return ilnet_error_set(ILNET_EINPUT, "profile: '%.*s' is not an estimated parameter",
                                   (int)n, s);
        if (fit->hierarchical && fit->inner[j])
            return ilnet_error_set(ILNET_EINPUT,
                                   "profile: '%.*s' is computed in closed form (parameterType); "
                                   "profile it with hierarchical: false",
                                   (int)n, s);
        s += n + (s[n] == ',');
    }
    return 0;
}

/* --check: the problem reads and can be fitted */
static int check_one(const ilnet_config_fit *f)
{
    ilnet_fit fit;
    ilnet_fit_options o = ILNET_FIT_OPTIONS_INIT;
    o.n_starts = 1;
    o.hierarchical = f->hierarchical == 0 ? -1 : f->hierarchical > 0 ? 1 : 0;
    int rc = ilnet_fit_prepare(&fit, f->problem, &o);
    if (rc) return rc;
    rc = check_profile(&fit, f->profile);
    ilnet_fit_free(&fit);
    return rc;
}

/* A fit that is already in its file: --resume leaves a finished one as it is (linked); an
 * unfinished one is continued only with --resume and replaced only with --overwrite.
 * Returns 1 when there is nothing to run (*rc: 0, or why not). */
static int settled(const ilnet_study_options *o, const char *out, ilnet_fit_run_options *u, int *rc)
{
    int state = fit_file_state(out), resume = o && o->resume;
    u->resume = resume && state > 0;
    *rc = 0;
    if (state == 1 && !resume && !(o && o->overwrite)) {
        *rc = ilnet_error_set(ILNET_EINPUT,
                              "%s: an unfinished fit (--resume continues it, --overwrite "
                              "replaces it)",
                              out);
        return 1;
    }
    return state == 2 && resume;
}

static int run_one(const ilnet_config_fit *f, const ilnet_study_options *o, const char *study)
{
    fit_view v = {o, f, {o ? o->message : NULL, o ? o->payload : NULL}, ilnet_clock_now(), 0};
    ilnet_fit_run_options u = ILNET_FIT_RUN_OPTIONS_INIT;
    options(&u, f, o);
    u.on_start = on_start;
    u.message = on_message;
    u.payload = &v; /* both callbacks pass it on to the study's */
    u.cancel = o && o->version >= 2 && o->cancel ? o->cancel : &v.stop;
    char *out = fit_file(study, f->name);
    if (!out) return ilnet_error_oom();
    u.output = out;
    int rank = 0, size = 1, rc;
    ilnet_dispatch_world(&rank, &size);
    if (settled(o, out, &u, &rc)) {
        if (!rc && rank == 0 && !(rc = link_fit(study, f->name, out)))
            ilnet_notify_send(&v.notify, ILNET_MESSAGE_INFO,
                              "fit %s: already finished in %s (linked as %s/%s)", f->name, out,
                              study, f->name);
        free(out);
        return rc;
    }
    ilnet_fit_result *r = NULL;
    rc = ilnet_fit_problem(&r, f->problem, &u);
    if (rank == 0 && r && (!rc || rc == ILNET_ESOLVER)) {
        size_t b = ilnet_fit_result_best(r);
        double llh = NAN;
        ilnet_fit_result_start(&llh, NULL, NULL, NULL, NULL, NULL, NULL, NULL, r, b);
        int lrc = link_fit(study, f->name, out);
        if (!lrc)
            ilnet_notify_send(&v.notify, ILNET_MESSAGE_INFO,
                              "fit %s: best llh %.10g (start %zu) in %s, linked as %s/%s", f->name,
                              llh, b, out, study, f->name);
        if (!rc) rc = lrc;
    }
    ilnet_fit_result_free(r);
    free(out);
    return rc;
}

int ilnet_study_fits_run(const char *config_path, const ilnet_study_options *opts)
{
    ilnet_config c;
    int rc = ilnet_config_read(&c, config_path);
    if (rc) return rc;
    const char *study = opts && opts->output ? opts->output : c.output;
    for (int i = 0; (!rc || rc == ILNET_ESOLVER) && i < c.n_fits; i++) {
        const ilnet_config_fit *f = &c.fits[i];
        int frc = opts && opts->check_only ? check_one(f) : run_one(f, opts, study);
        if (frc && frc != ILNET_ENOMEM && frc != ILNET_ECANCELLED)
            ilnet_error_prefix("%s:%d:%d: %s (fit %s)", c.path, f->pos.line, f->pos.col, f->path,
                               f->name);
        if (frc) rc = frc;
        /* MPI: every rank goes on to the next fit, or none does (a failure only rank 0 can
         * have -- linking, writing, a stop -- would leave the others waiting in the next) */
        int bad = rc && rc != ILNET_ESOLVER;
        if (!(opts && opts->check_only) && !ilnet_dispatch_max(&bad, 1) && bad && !rc) {
            rc = ilnet_error_set(ILNET_EIO, "another MPI rank stopped the fits (it says why)");
            ilnet_dispatch_mark_relayed();
        }
    }
    ilnet_config_free(&c);
    return rc;
}

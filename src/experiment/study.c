/* The study runner's sequence: plan (every check before anything runs), open the store
 * (rank 0 creates or reopens it and tells the others what is done), run the pending
 * points, then rank 0 finishes (fits, final store). See study_internal.h for the parts. */
#include "study_internal.h"

#include "../common/error.h"
#include "../common/file.h"
#include "../solver/solver.h"
#include "dispatch.h"
#include "point.h"

#include <stdlib.h>
#include <string.h>

/* Rank 0 creates the store or reopens it (resume) and reads what is done; every rank
 * learns the outcome. */
static int open_store(ilnet_study *S, int *finished)
{
    const ilnet_config *c = &S->c;
    const ilnet_study_options *o = S->o;
    int rc = 0;
    *finished = 0;
    if (S->rank == 0) rc = ilnet_file_make_parents(c->output, 0);
    if (S->rank == 0 && !rc && S->store->lock) rc = S->store->lock(&S->lock, c->output);
    if (S->rank == 0 && !rc) {
        char *fs = S->store->file_status(c->output);
        if (fs && !strcmp(fs, "unreadable") && !o->overwrite) {
            /* e.g. another program holds it open for writing (HDF5 file locking) */
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "%s: busy or unreadable: it cannot be opened (another program "
                                 "may be writing it); refusing to replace it (--overwrite "
                                 "replaces it)",
                                 c->output);
        } else if (o->resume && fs) {
            rc = S->store->open(&S->h, finished, c->output, &S->meta, S->groups, c->n_experiments);
        } else if (fs && !strcmp(fs, "running") && !o->overwrite) {
            rc = ilnet_error_set(ILNET_EINPUT,
                                 "%s: holds an unfinished study; use --resume to continue it or "
                                 "--overwrite to start again",
                                 c->output);
        } else {
            rc = S->store->create(&S->h, c->output, &S->meta, S->groups, c->n_experiments);
        }
        free(fs);
        for (int k = 0; !rc && !*finished && k < c->n_experiments; k++)
            rc = S->store->read_status(S->h, k, S->x[k].status);
    }
    int st[3] = {rc, *finished, ilnet_error_code()}, bad;
    if ((bad = ilnet_dispatch_bcast(st, sizeof st))) return bad;
    if (st[0] && !rc) {
        rc = ilnet_error_set(st[0], "rank 0 could not open the output (it says why)");
        ilnet_dispatch_mark_relayed();
    }
    *finished = st[1];
    return rc;
}

/* A store that was already final: nothing to run; the same outcome as the run that
 * finished it. */
static int already_finished(ilnet_study *S)
{
    char *fs = S->rank == 0 ? S->store->file_status(S->c.output) : NULL;
    int had_failures = fs && !strcmp(fs, "failed_points");
    free(fs);
    ilnet_dispatch_bcast(&had_failures, sizeof had_failures);
    if (had_failures)
        return ilnet_error_set(ILNET_ESOLVER,
                               "%s: already finished, with failed points (see the status and "
                               "message datasets)",
                               S->c.output);
    if (S->rank == 0)
        ilnet_notify_send(&S->notify, ILNET_MESSAGE_INFO, "%s: already finished; nothing to do",
                          S->c.output);
    return 0;
}

/* Every rank learns which points are done; in an MPI run every rank then reopens the
 * store to write its own points (MPI-IO). */
static int share_status(ilnet_study *S)
{
    int rc;
    S->pending = 0;
    for (int k = 0; k < S->c.n_experiments; k++) {
        if ((rc = ilnet_dispatch_bcast(S->x[k].status, S->x[k].pts.n_points))) return rc;
        for (size_t p = 0; p < S->x[k].pts.n_points; p++)
            S->pending += S->x[k].status[p] == ILNET_POINT_PENDING;
    }
    if (S->n_ranks == 1) return 0;
    if (S->h) S->store->close(S->h);
    S->h = NULL;
    if (!S->store->open_ranks)
        return ilnet_error_set(ILNET_EINTERNAL, "this store cannot be shared by MPI ranks");
    return S->store->open_ranks(&S->h, S->c.output, &S->meta, S->groups, S->c.n_experiments);
}

/* MPI: the ranks close their shared store; rank 0 alone reopens it to finish. Returns 1
 * on the ranks that are done (they wait for rank 0's verdict), 0 on rank 0, or an error. */
static int hand_to_rank0(ilnet_study *S)
{
    int finished, rc = 0;
    if (S->h) S->store->close(S->h); /* collective */
    S->h = NULL;
    if (S->rank == 0) {
        rc = S->store->open(&S->h, &finished, S->c.output, &S->meta, S->groups, S->c.n_experiments);
        for (int k = 0; !rc && k < S->c.n_experiments; k++)
            rc = S->store->read_status(S->h, k, S->x[k].status);
    }
    int st[2] = {rc, ilnet_error_code()};
    ilnet_dispatch_bcast(st, sizeof st);
    if (rc) return rc;
    if (st[0]) {
        rc = ilnet_error_set(st[0], "rank 0 could not reopen the output");
        ilnet_dispatch_mark_relayed();
        return rc;
    }
    if (S->rank == 0) return 0;
    int verdict[2];
    ilnet_dispatch_bcast(verdict, sizeof verdict);
    if (verdict[0]) {
        rc = ilnet_error_set(verdict[0], "rank 0 reported the study's outcome");
        ilnet_dispatch_mark_relayed();
        return rc;
    }
    return 1;
}

/* The points and what follows them; *own_error says whether a failure is this rank's. */
static int run_points(ilnet_study *S, int *own_error)
{
    size_t done;
    int interrupted;
    int rc = ilnet_study_pool_run(S, &done, &interrupted);
    *own_error = rc != 0;
    if (rc) return rc;
    if (interrupted || done < S->pending) {
        rc = ilnet_error_set(ILNET_ECANCELLED,
                             "interrupted after %zu of %zu points; %s keeps the finished ones "
                             "(run again with --resume)",
                             done, S->pending, S->c.output);
        if (S->rank != 0) ilnet_dispatch_mark_relayed(); /* rank 0 says it */
        return rc;
    }
    if (S->n_ranks > 1) {
        int r = hand_to_rank0(S);
        if (r) return r > 0 ? 0 : r;
    }
    rc = ilnet_study_finish(S);
    if (S->n_ranks > 1) {
        int verdict[2] = {rc, 0};
        ilnet_dispatch_bcast(verdict, sizeof verdict);
    }
    return rc;
}

static int run(ilnet_study *S, const char *config_path, int *own_error)
{
    int rc = ilnet_study_plan(S, config_path);
    if (rc) return rc;
    if (S->o->check_only) {
        /* the output's directory: there, or creatable, and writable */
        if (S->rank == 0 && (rc = ilnet_file_make_parents(S->c.output, 1))) return rc;
        if (S->rank == 0)
            ilnet_notify_send(&S->notify, ILNET_MESSAGE_INFO,
                              "%s: valid: %d experiment%s, %zu point%s%s%.0d%s; the study file "
                              "takes about %.3g MB while it runs",
                              S->c.path, S->c.n_experiments, S->c.n_experiments == 1 ? "" : "s",
                              S->total, S->total == 1 ? "" : "s", S->c.n_fits ? ", " : "",
                              S->c.n_fits,
                              !S->c.n_fits       ? ""
                              : S->c.n_fits == 1 ? " fit"
                                                 : " fits",
                              S->planned_bytes / 1e6);
        return 0;
    }
    /* which linear solver the model gets, for the provenance */
    ilnet_solver *probe = NULL;
    if ((rc = ilnet_solver_new(&probe, S->net, &S->c.solver))) return rc;
    ilnet_study_meta meta = {S->c.path,
                             S->c.text,
                             S->c.model,
                             S->model_text ? S->model_text : "",
                             S->o->command_line ? S->o->command_line : "",
                             &S->c.solver,
                             ilnet_solver_linsol_name(probe),
                             S->set_text ? S->set_text : ""};
    S->meta = meta;
    ilnet_solver_free(probe);
    int finished;
    if ((rc = open_store(S, &finished))) return rc;
    if (finished) return already_finished(S);
    if ((rc = share_status(S))) return rc;
    return run_points(S, own_error);
}

int ilnet_study_execute(const char *config_path, const ilnet_study_options *opts,
                        const ilnet_study_store *store)
{
    ilnet_study_options defaults = ILNET_STUDY_OPTIONS_INIT;
    ilnet_study S;
    memset(&S, 0, sizeof S);
    S.o = opts ? opts : &defaults;
    S.store = store;
    S.notify.fn = S.o->message;
    S.notify.payload = S.o->payload;
    if (S.o->version < 1 || S.o->version > ILNET_STUDY_OPTIONS_VERSION)
        return ilnet_error_set(ILNET_EINPUT, "ilnet_study_options: version %u, this library has %d",
                               S.o->version, ILNET_STUDY_OPTIONS_VERSION);
    ilnet_dispatch_world(&S.rank, &S.n_ranks);
    int own_error = 0; /* an error only this rank has (others print what every rank knows) */
    int rc = run(&S, config_path, &own_error);
    if (rc && S.rank != 0 && !own_error) ilnet_dispatch_mark_relayed();
    if (S.h) store->close(S.h);
    if (S.lock) store->unlock(S.lock);
    ilnet_study_plan_free(&S);
    return rc;
}

#include "dispatch.h"

#include "../common/error.h"

#include <stdlib.h>
#include <string.h>

#ifdef ILNET_MPI
#include <mpi.h>

enum { TAG_REQ = 7101, TAG_REPLY = 7102, TAG_DATA = 7103 };

static int mpi_up(void)
{
    int up = 0, down = 0;
    MPI_Initialized(&up);
    MPI_Finalized(&down);
    return up && !down;
}

static int mpi_check(int rc, const char *what)
{
    if (rc == MPI_SUCCESS) return 0;
    char msg[MPI_MAX_ERROR_STRING];
    int len = 0;
    MPI_Error_string(rc, msg, &len);
    return ilnet_error_set(ILNET_EIO, "MPI failed at %s: %s", what, msg);
}
#endif

/* per thread, like the error message it qualifies; set by the thread that ran the study */
static _Thread_local int g_relayed;
void ilnet_dispatch_mark_relayed(void)
{
    g_relayed = 1;
}
int ilnet_dispatch_error_relayed(void)
{
    return g_relayed;
}

int ilnet_dispatch_world(int *rank, int *size)
{
    *rank = 0;
    *size = 1;
#ifdef ILNET_MPI
    if (mpi_up()) {
        MPI_Comm_rank(MPI_COMM_WORLD, rank);
        MPI_Comm_size(MPI_COMM_WORLD, size);
    }
#endif
    return 0;
}

int ilnet_dispatch_init(ilnet_dispatch *d, size_t total, int threads)
{
    memset(d, 0, sizeof *d);
    ilnet_dispatch_world(&d->rank, &d->size);
    d->total = total;
    d->threads = threads > 0 ? threads : 1;
#ifdef ILNET_MPI
    if (d->size > 1 && d->rank > 0 && !(d->req = malloc(sizeof(MPI_Request))))
        return ilnet_error_oom();
#endif
    return 0;
}

void ilnet_dispatch_free(ilnet_dispatch *d)
{
    free(d->req);
    d->req = NULL;
}

/* The next range for one requester: a share of what is left, 1..256 points. */
static size_t grab(ilnet_dispatch *d, size_t *start)
{
    size_t left = d->stopping ? 0 : d->total - d->next;
    size_t n = left / (size_t)(4 * d->size * d->threads);
    if (n < 1) n = left ? 1 : 0;
    if (n > 256) n = 256;
    *start = d->next;
    d->next += n;
    return n;
}

int ilnet_dispatch_serve(ilnet_dispatch *d)
{
#ifdef ILNET_MPI
    if (d->size < 2 || d->rank != 0) return 0;
    for (;;) {
        int flag = 0;
        MPI_Status st;
        int rc = mpi_check(MPI_Iprobe(MPI_ANY_SOURCE, TAG_REQ, MPI_COMM_WORLD, &flag, &st),
                           "MPI_Iprobe");
        if (rc || !flag) return rc;
        int quit = 0;
        if ((rc = mpi_check(MPI_Recv(&quit, 1, MPI_INT, st.MPI_SOURCE, TAG_REQ, MPI_COMM_WORLD,
                                     MPI_STATUS_IGNORE),
                            "MPI_Recv")))
            return rc;
        if (quit) {
            d->ranks_done++;
            continue;
        }
        size_t start;
        long long r[2];
        r[1] = (long long)grab(d, &start);
        r[0] = (long long)start;
        if (r[1] == 0) d->ranks_done++;
        if ((rc = mpi_check(MPI_Send(r, 2, MPI_LONG_LONG, st.MPI_SOURCE, TAG_REPLY, MPI_COMM_WORLD),
                            "MPI_Send")))
            return rc;
    }
#else
    (void)d;
    return 0;
#endif
}

int ilnet_dispatch_take(ilnet_dispatch *d, size_t *start, size_t *count)
{
    if (d->exhausted) return -1;
    if (d->size < 2) {
        /* one process: everything at once */
        *start = 0;
        *count = d->stopping ? 0 : d->total;
        d->exhausted = 1;
        return *count ? 1 : -1;
    }
    if (d->rank == 0) {
        *count = grab(d, start);
        if (!*count) d->exhausted = 1;
        return *count ? 1 : -1;
    }
#ifdef ILNET_MPI
    MPI_Request *req = d->req;
    int rc;
    if (!d->waiting) {
        int quit = 0;
        if ((rc = mpi_check(MPI_Send(&quit, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD), "MPI_Send")))
            return rc;
        if ((rc =
                 mpi_check(MPI_Irecv(d->reply, 2, MPI_LONG_LONG, 0, TAG_REPLY, MPI_COMM_WORLD, req),
                           "MPI_Irecv")))
            return rc;
        d->waiting = 1;
    }
    int flag = 0;
    if ((rc = mpi_check(MPI_Test(req, &flag, MPI_STATUS_IGNORE), "MPI_Test"))) return rc;
    if (!flag) return 0;
    d->waiting = 0;
    *start = (size_t)d->reply[0];
    *count = (size_t)d->reply[1];
    if (!*count) d->exhausted = 1;
    return *count ? 1 : -1;
#else
    return -1;
#endif
}

int ilnet_dispatch_stop(ilnet_dispatch *d)
{
    if (d->rank == 0 || d->size < 2) {
        d->stopping = 1;
        return 0;
    }
#ifdef ILNET_MPI
    if (d->exhausted) return 0;
    int rc;
    if (d->waiting) {
        /* the reply to the request in flight: its jobs stay unfinished (pending) */
        if ((rc = mpi_check(MPI_Wait(d->req, MPI_STATUS_IGNORE), "MPI_Wait"))) return rc;
        d->waiting = 0;
        if (d->reply[1] == 0) {
            d->exhausted = 1;
            return 0;
        }
    }
    int quit = 1;
    d->exhausted = 1;
    return mpi_check(MPI_Send(&quit, 1, MPI_INT, 0, TAG_REQ, MPI_COMM_WORLD), "MPI_Send");
#else
    return 0;
#endif
}

int ilnet_dispatch_send_data(const void *buf, size_t bytes)
{
#ifdef ILNET_MPI
    if (mpi_up())
        return mpi_check(MPI_Send(buf, (int)bytes, MPI_BYTE, 0, TAG_DATA, MPI_COMM_WORLD),
                         "MPI_Send");
#endif
    (void)buf;
    (void)bytes;
    return 0;
}

int ilnet_dispatch_recv_data(void *buf, size_t cap, int *got)
{
    *got = 0;
#ifdef ILNET_MPI
    if (!mpi_up()) return 0;
    int flag = 0, n = 0;
    MPI_Status st;
    int rc =
        mpi_check(MPI_Iprobe(MPI_ANY_SOURCE, TAG_DATA, MPI_COMM_WORLD, &flag, &st), "MPI_Iprobe");
    if (rc || !flag) return rc;
    MPI_Get_count(&st, MPI_BYTE, &n);
    if ((size_t)n > cap)
        return ilnet_error_set(ILNET_EINTERNAL, "MPI: a %d-byte message for a %zu-byte buffer", n,
                               cap);
    rc = mpi_check(
        MPI_Recv(buf, n, MPI_BYTE, st.MPI_SOURCE, TAG_DATA, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
    if (!rc) *got = 1;
    return rc;
#else
    (void)buf;
    (void)cap;
    return 0;
#endif
}

int ilnet_dispatch_others_done(const ilnet_dispatch *d)
{
    return d->rank != 0 || d->ranks_done >= d->size - 1;
}

int ilnet_dispatch_sum(long long *v, int n)
{
#ifdef ILNET_MPI
    if (mpi_up())
        return mpi_check(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD),
                         "MPI_Allreduce");
#endif
    (void)v;
    (void)n;
    return 0;
}

int ilnet_dispatch_max(int *v, int n)
{
#ifdef ILNET_MPI
    if (mpi_up())
        return mpi_check(MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_INT, MPI_MAX, MPI_COMM_WORLD),
                         "MPI_Allreduce");
#endif
    (void)v;
    (void)n;
    return 0;
}

int ilnet_dispatch_bcast(void *buf, size_t bytes)
{
#ifdef ILNET_MPI
    if (mpi_up()) {
        /* in pieces: MPI counts are ints */
        for (size_t off = 0; off < bytes;) {
            size_t n = bytes - off > (1u << 30) ? (1u << 30) : bytes - off;
            int rc = mpi_check(MPI_Bcast((char *)buf + off, (int)n, MPI_BYTE, 0, MPI_COMM_WORLD),
                               "MPI_Bcast");
            if (rc) return rc;
            off += n;
        }
    }
#endif
    (void)buf;
    (void)bytes;
    return 0;
}

int ilnet_dispatch_barrier(void)
{
#ifdef ILNET_MPI
    if (mpi_up()) return mpi_check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
#endif
    return 0;
}

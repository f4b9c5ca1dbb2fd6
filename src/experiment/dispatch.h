/* Hands a study's pending points (global job indices 0..total-1) to the ranks of an MPI
 * run in shrinking ranges (guided self-scheduling: points differ in cost by orders of
 * magnitude), rank 0 serving the others' requests without blocking. Without MPI, or with
 * one rank, the single process takes everything at once. Only the calling thread (the
 * study's writer) talks MPI. */
#ifndef ILNET_DISPATCH_H
#define ILNET_DISPATCH_H

#include <stddef.h>

typedef struct {
    int rank, size;
    size_t total, next; /* rank 0: the next job not yet handed out */
    int ranks_done;     /* rank 0: other ranks told that nothing is left (or that quit) */
    int stopping;       /* rank 0: hand out nothing more */
    int waiting;        /* rank > 0: a request is out */
    int exhausted;      /* this rank will get no more jobs */
    int threads;        /* workers per rank, for the range sizes */
    long long reply[2];
    void *req; /* the MPI request of an outstanding reply (rank > 0) */
} ilnet_dispatch;

/* rank and size from the world communicator (0 and 1 without MPI). */
int ilnet_dispatch_world(int *rank, int *size);
int ilnet_dispatch_init(ilnet_dispatch *d, size_t total, int threads);
/* Rank 0: answers the requests that have arrived. Others: nothing. */
int ilnet_dispatch_serve(ilnet_dispatch *d);
/* Asks for jobs without blocking: 1 with [*start, *start + *count) for this rank, 0 when
 * none has arrived yet, -1 when there will be no more. */
int ilnet_dispatch_take(ilnet_dispatch *d, size_t *start, size_t *count);
/* Stop handing out jobs (rank 0) / tell rank 0 this rank takes no more (others). */
int ilnet_dispatch_stop(ilnet_dispatch *d);
/* Results travelling to rank 0 (blocking send from another rank; rank 0 polls without
 * blocking: *got = 1 with one message in buf). Messages of one rank arrive in order. */
int ilnet_dispatch_send_data(const void *buf, size_t bytes);
int ilnet_dispatch_recv_data(void *buf, size_t cap, int *got);
/* Rank 0: every other rank has been told there is nothing left. Others: 1. */
int ilnet_dispatch_others_done(const ilnet_dispatch *d);
void ilnet_dispatch_free(ilnet_dispatch *d);

/* The current error message only repeats what rank 0 reports (printed there, not here). */
void ilnet_dispatch_mark_relayed(void);
int ilnet_dispatch_error_relayed(void);

/* Collective helpers (identity without MPI). */
int ilnet_dispatch_sum(long long *v, int n);       /* in place, over ranks */
int ilnet_dispatch_max(int *v, int n);             /* in place, over ranks */
int ilnet_dispatch_bcast(void *buf, size_t bytes); /* from rank 0 */
int ilnet_dispatch_barrier(void);

#endif

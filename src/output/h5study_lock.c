/* The lock that makes one run the only writer of a study file: PATH.lock, with an fcntl
 * write lock (which NFS's lock manager honours too) and the holder's PID inside, removed
 * when the run ends. Removing it is safe because a taker checks, once it holds the lock,
 * that PATH.lock is still the file it locked (a run that opened it just before it was
 * removed would otherwise hold a lock on a deleted file while another locks a new one). */
#include "h5study.h"

#include "../common/error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct ilnet_h5study_lock {
    int fd;
    char path[4200];
};

/* 1 when fd is still the file at path. */
static int still_there(int fd, const char *path)
{
    struct stat a, b;
    return !fstat(fd, &a) && !stat(path, &b) && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static int holder_pid(int fd)
{
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) return (int)fl.l_pid;
    return 0;
}

int ilnet_h5study_lock_take(ilnet_h5study_lock **out, const char *path)
{
    *out = NULL;
    char lp[4200];
    if (snprintf(lp, sizeof lp, "%s.lock", path) >= (int)sizeof lp)
        return ilnet_error_set(ILNET_EINPUT, "output path too long: %s", path);
    int fd = -1;
    for (int attempt = 0; attempt < 20; attempt++) {
        fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return ilnet_error_set(ILNET_EIO, "%s: cannot create: %s", path, strerror(errno));
        struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        if (fcntl(fd, F_SETLK, &fl) != 0) {
            int e = errno, pid = holder_pid(fd);
            close(fd);
            if (e == EACCES || e == EAGAIN) {
                if (pid > 0)
                    return ilnet_error_set(ILNET_EINPUT,
                                           "%s: busy: another ilnet run (pid %d) is writing it",
                                           path, pid);
                return ilnet_error_set(ILNET_EINPUT, "%s: busy: another ilnet run is writing it",
                                       path);
            }
            return ilnet_error_set(ILNET_EIO, "%s: cannot lock %s: %s", path, lp, strerror(e));
        }
        if (still_there(fd, lp)) break;
        close(fd); /* the holder removed it between our open and our lock: again */
        fd = -1;
    }
    if (fd < 0) return ilnet_error_set(ILNET_EIO, "%s: cannot lock %s", path, lp);
    ilnet_h5study_lock *lk = malloc(sizeof *lk);
    if (!lk) {
        close(fd);
        return ilnet_error_oom();
    }
    lk->fd = fd;
    snprintf(lk->path, sizeof lk->path, "%s", lp);
    /* the holder, for people looking at the file (the lock itself says it to ilnet) */
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) == 0 && write(fd, pid, (size_t)n) < 0) {
        /* only informative */
    }
    *out = lk;
    return 0;
}

void ilnet_h5study_lock_release(ilnet_h5study_lock *lk)
{
    if (!lk) return;
    unlink(lk->path); /* while still holding the lock: see the top of the file */
    close(lk->fd);    /* releases the lock */
    free(lk);
}

#include "file.h"

#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

int ilnet_file_read(char **out, size_t *len, const char *path)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return ilnet_error_set(ILNET_EIO, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        n += fread(buf + n, 1, cap - n - 1, f);
        if (n < cap - 1) break;
        char *b = realloc(buf, cap * 2);
        if (!b) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = b;
        cap *= 2;
    }
    int err = ferror(f);
    fclose(f);
    if (!buf) return ilnet_error_set(ILNET_ENOMEM, "%s: out of memory reading", path);
    if (err) {
        free(buf);
        return ilnet_error_set(ILNET_EIO, "%s: read error", path);
    }
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) {
        free(buf);
        return ilnet_error_set(ILNET_EINPUT, "%s: binary file (contains a NUL byte)", path);
    }
    *out = buf;
    if (len) *len = n;
    return 0;
}

int ilnet_file_readable(const char *path)
{
    struct stat st;
    if (stat(path, &st) || !S_ISREG(st.st_mode)) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fclose(f);
    return 1;
}

int ilnet_file_same(const char *a, const char *b)
{
    struct stat sa, sb;
    if (!a || !b || stat(a, &sa) || stat(b, &sb)) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

void ilnet_file_dirname(char *out, size_t n, const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        snprintf(out, n, ".");
    else
        snprintf(out, n, "%.*s", (int)(slash - path + (slash == path)), path);
}

static void host_name(char *h, size_t n)
{
    if (gethostname(h, n)) snprintf(h, n, "localhost");
    h[n - 1] = '\0';
    for (char *p = h; *p; p++)
        if (*p == '/') *p = '_';
}

int ilnet_file_temp_name(char *out, size_t n, const char *path, const char *kind)
{
    char host[256];
    host_name(host, sizeof host);
    int k = snprintf(out, n, "%s.%s.%s.%ld", path, kind, host, (long)getpid());
    if (k < 0 || (size_t)k >= n)
        return ilnet_error_set(ILNET_EINPUT, "output path too long: %s", path);
    return 0;
}

/* The PID at the end of name when it is "BASE.KIND.HOST.<digits>" for a known kind, else 0. */
static long temp_pid(const char *name, const char *base, const char *host)
{
    static const char *const kinds[] = {"tmp", "new", "final"};
    size_t lb = strlen(base), lh = strlen(host);
    if (strncmp(name, base, lb) || name[lb] != '.') return 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        size_t lk = strlen(kinds[k]);
        const char *p = name + lb + 1;
        if (strncmp(p, kinds[k], lk) || p[lk] != '.') continue;
        p += lk + 1;
        if (strncmp(p, host, lh) || p[lh] != '.') continue;
        p += lh + 1;
        char *end;
        long pid = strtol(p, &end, 10);
        return *p && !*end && pid > 0 ? pid : 0;
    }
    return 0;
}

int ilnet_file_remove_stale_temps(const char *path)
{
    char dir[4096], host[256];
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    ilnet_file_dirname(dir, sizeof dir, path);
    host_name(host, sizeof host);
    DIR *d = opendir(dir);
    if (!d) return 0;
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        long pid = temp_pid(e->d_name, base, host);
        /* kill(pid, 0) fails with ESRCH only when no such process exists */
        if (pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, e->d_name);
        removed += unlink(full) == 0;
    }
    closedir(d);
    return removed;
}

const char *ilnet_file_io_reason(int e)
{
    switch (e) {
    case ENOSPC:
    case EDQUOT:
    case EROFS:
    case EACCES:
    case EPERM:
    case EIO:
    case EFBIG:
        return strerror(e);
    default:
        return "";
    }
}

int ilnet_file_probe_create(const char *path, const char *shown)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0) return ilnet_error_set(ILNET_EIO, "%s: cannot create: %s", shown, strerror(errno));
    close(fd);
    return 0;
}

int ilnet_file_make_parents(const char *path, int dry_run)
{
    char dir[4096];
    ilnet_file_dirname(dir, sizeof dir, path);
    struct stat st;
    if (stat(dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode))
            return ilnet_error_set(ILNET_EIO, "%s: cannot create: %s is not a directory", path,
                                   dir);
        if (dry_run && access(dir, W_OK) != 0)
            return ilnet_error_set(ILNET_EIO, "%s: cannot create: %s: %s", path, dir,
                                   strerror(errno));
        return 0;
    }
    if (errno != ENOENT)
        return ilnet_error_set(ILNET_EIO, "%s: cannot create: %s: %s", path, dir, strerror(errno));
    int rc = ilnet_file_make_parents(dir, dry_run); /* the directory's own parents first */
    if (rc || dry_run) return rc;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return ilnet_error_set(ILNET_EIO, "%s: cannot create directory %s: %s", path, dir,
                               strerror(errno));
    return 0;
}

const char *ilnet_file_non_hdf5_extension(const char *path)
{
    static const char *const ext[] = {".csv", ".tsv", ".txt", ".gdat", ".cdat", ".scan", ".json"};
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return NULL;
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++)
        if (!strcasecmp(dot, ext[i])) return ext[i];
    return NULL;
}

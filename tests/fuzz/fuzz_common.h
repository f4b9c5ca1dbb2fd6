/* Shared by the libFuzzer harnesses: inputs as NUL-terminated text, and as files for the
 * readers that take a path (written to a per-process file in /dev/shm, or TMPDIR). */
#ifndef ILNET_FUZZ_COMMON_H
#define ILNET_FUZZ_COMMON_H

#include <gsl/gsl_errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A copy of the input with a terminating NUL (the parsers take C strings); NULL for inputs
 * holding a NUL byte, which every reader rejects up front anyway. */
static inline char *fuzz_text(const uint8_t *data, size_t size)
{
    if (memchr(data, 0, size)) return NULL;
    char *t = malloc(size + 1);
    if (!t) return NULL;
    memcpy(t, data, size);
    t[size] = '\0';
    return t;
}

/* Writes the input to a file named after this process and suffix; its path, or NULL. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix)
{
    static char path[256];
    const char *dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/ilnet_fuzz_%ld%s", dir, (long)getpid(), suffix);
    FILE *f = fopen(path, "wb");
    if (!f) return NULL;
    size_t w = fwrite(data, 1, size, f);
    if (fclose(f) || w != size) return NULL;
    return path;
}

static inline void fuzz_init_once(void)
{
    static int done;
    if (!done) gsl_set_error_handler_off();
    done = 1;
}

#endif

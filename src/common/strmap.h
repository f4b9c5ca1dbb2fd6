/* A string -> int map (open addressing); keys are borrowed, not copied. */
#ifndef ILNET_STRMAP_H
#define ILNET_STRMAP_H

#include <stddef.h>

typedef struct {
    const char **keys;
    int *values;
    size_t cap, count;
} ilnet_strmap;

#define ILNET_STRMAP_INIT                                                                          \
    {                                                                                              \
        NULL, NULL, 0, 0                                                                           \
    }

/* Returns 0, 1 when the key already existed (value unchanged), or ILNET_ENOMEM. */
int ilnet_strmap_put(ilnet_strmap *m, const char *key, int value);
/* Returns the value, or -1 when absent. len may be (size_t)-1 for NUL-terminated keys. */
int ilnet_strmap_get(const ilnet_strmap *m, const char *key, size_t len);
void ilnet_strmap_free(ilnet_strmap *m);

#endif

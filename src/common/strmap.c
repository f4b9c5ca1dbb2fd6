#include "strmap.h"

#include "error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint64_t hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static int key_eq(const char *key, const char *s, size_t len)
{
    return strncmp(key, s, len) == 0 && key[len] == '\0';
}

static int grow(ilnet_strmap *m)
{
    size_t cap = m->cap ? 2 * m->cap : 64;
    const char **keys = calloc(cap, sizeof *keys);
    int *values = malloc(cap * sizeof *values);
    if (!keys || !values) {
        free(keys);
        free(values);
        return ilnet_error_set(ILNET_ENOMEM, "out of memory growing a name table");
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i]) continue;
        size_t j = hash(m->keys[i], strlen(m->keys[i])) & (cap - 1);
        while (keys[j])
            j = (j + 1) & (cap - 1);
        keys[j] = m->keys[i];
        values[j] = m->values[i];
    }
    free(m->keys);
    free(m->values);
    m->keys = keys;
    m->values = values;
    m->cap = cap;
    return 0;
}

int ilnet_strmap_put(ilnet_strmap *m, const char *key, int value)
{
    if (2 * (m->count + 1) > m->cap && grow(m)) return ILNET_ENOMEM;
    size_t len = strlen(key);
    size_t j = hash(key, len) & (m->cap - 1);
    while (m->keys[j]) {
        if (key_eq(m->keys[j], key, len)) return 1;
        j = (j + 1) & (m->cap - 1);
    }
    m->keys[j] = key;
    m->values[j] = value;
    m->count++;
    return 0;
}

int ilnet_strmap_get(const ilnet_strmap *m, const char *key, size_t len)
{
    if (!m->cap) return -1;
    if (len == (size_t)-1) len = strlen(key);
    size_t j = hash(key, len) & (m->cap - 1);
    while (m->keys[j]) {
        if (key_eq(m->keys[j], key, len)) return m->values[j];
        j = (j + 1) & (m->cap - 1);
    }
    return -1;
}

void ilnet_strmap_free(ilnet_strmap *m)
{
    free(m->keys);
    free(m->values);
    *m = (ilnet_strmap)ILNET_STRMAP_INIT;
}

/* A growable NUL-terminated string. Appends after an allocation failure do nothing and
 * leave `failed` set, so a builder checks once at the end. */
#ifndef ILNET_STRBUF_H
#define ILNET_STRBUF_H

#include <stddef.h>

typedef struct {
    char *s; /* NULL until the first append */
    size_t len, cap;
    int failed;
} ilnet_strbuf;

#define ILNET_STRBUF_INIT                                                                          \
    {                                                                                              \
        NULL, 0, 0, 0                                                                              \
    }

void ilnet_strbuf_append(ilnet_strbuf *b, const char *text);
void ilnet_strbuf_appendn(ilnet_strbuf *b, const char *text, size_t n);
void ilnet_strbuf_printf(ilnet_strbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Hands the string to the caller ("" when nothing was appended; NULL after a failure, with
 * the out-of-memory error set) and empties b. */
char *ilnet_strbuf_detach(ilnet_strbuf *b);
void ilnet_strbuf_free(ilnet_strbuf *b);

#endif

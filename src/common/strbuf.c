#include "strbuf.h"

#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(ilnet_strbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra + 1 <= b->cap) return 0;
    size_t c = b->cap ? b->cap : 128;
    while (c < b->len + extra + 1)
        c *= 2;
    char *p = realloc(b->s, c);
    if (!p) {
        b->failed = 1;
        return -1;
    }
    b->s = p;
    b->cap = c;
    return 0;
}

void ilnet_strbuf_appendn(ilnet_strbuf *b, const char *text, size_t n)
{
    if (grow(b, n)) return;
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ilnet_strbuf_append(ilnet_strbuf *b, const char *text)
{
    ilnet_strbuf_appendn(b, text, strlen(text));
}

void ilnet_strbuf_printf(ilnet_strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *ilnet_strbuf_detach(ilnet_strbuf *b)
{
    if (!b->failed && !b->s) ilnet_strbuf_appendn(b, "", 0);
    if (b->failed) {
        ilnet_strbuf_free(b);
        ilnet_error_oom();
        return NULL;
    }
    char *s = b->s;
    b->s = NULL;
    b->len = b->cap = 0;
    return s;
}

void ilnet_strbuf_free(ilnet_strbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
    b->failed = 0;
}

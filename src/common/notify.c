#include "notify.h"

#include <stdarg.h>
#include <stdio.h>

void ilnet_notify_send(const ilnet_notify *n, ilnet_message_level level, const char *fmt, ...)
{
    if (!n || !n->fn) return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    n->fn(level, msg, n->payload);
}

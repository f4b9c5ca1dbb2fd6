/* The library never prints: messages go to the caller's callback (ilnet_message_cb) with
 * its payload. A NULL notify or callback drops them. */
#ifndef ILNET_NOTIFY_H
#define ILNET_NOTIFY_H

#include <ilnet/common.h>

typedef struct {
    ilnet_message_cb fn;
    void *payload;
} ilnet_notify;

#define ILNET_NOTIFY_NONE                                                                          \
    {                                                                                              \
        NULL, NULL                                                                                 \
    }

void ilnet_notify_send(const ilnet_notify *n, ilnet_message_level level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

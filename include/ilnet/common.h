/* Declarations shared by every public ilnet header: linkage and visibility macros, return
 * codes, and the message callback. */
#ifndef INCLUDE_ILNET_COMMON_H
#define INCLUDE_ILNET_COMMON_H

#ifdef __cplusplus
#define ILNET_BEGIN_DECL extern "C" {
#define ILNET_END_DECL }
#else
#define ILNET_BEGIN_DECL
#define ILNET_END_DECL
#endif

/* Marks the functions the shared library exports; everything else in it is hidden. */
#if defined(__GNUC__) && __GNUC__ >= 4
#define ILNET_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define ILNET_EXTERN(type) extern type
#endif

ILNET_BEGIN_DECL

/* Every ilnet function that can fail returns 0 or one of these negative codes, and sets a
 * thread-local message (ilnet_error_last) naming the file, line and element at fault. */
enum {
    ILNET_OK = 0,
    ILNET_EINPUT = -1,    /* bad input: a model, config or data file, a name, an option */
    ILNET_ENOMEM = -2,    /* allocation failed */
    ILNET_EIO = -3,       /* the file system or HDF5 failed */
    ILNET_ESOLVER = -4,   /* the integrator failed, or some study points failed */
    ILNET_EINTERNAL = -5, /* a bug in ilnet */
    ILNET_ECANCELLED = -6 /* a callback asked to stop */
};

typedef enum {
    ILNET_MESSAGE_INFO = 0,    /* what was done ("generate_network: 104 species ...") */
    ILNET_MESSAGE_WARNING = 1, /* something the caller should know; the work went on */
    ILNET_MESSAGE_POINT = 2    /* one study point's outcome (failed points) */
} ilnet_message_level;

/* Receives the library's messages: ilnet never prints. The text is one line without a
 * trailing newline, valid only during the call. */
typedef void (*ilnet_message_cb)(ilnet_message_level level, const char *message, void *payload);

ILNET_END_DECL

#endif

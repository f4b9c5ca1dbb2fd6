/* "Did you mean ...?" for a name that is not there: the closest candidate by edit
 * distance, when it is close enough to be a plausible misspelling. */
#ifndef ILNET_SUGGEST_H
#define ILNET_SUGGEST_H

#include <stddef.h>

/* The i-th candidate name (NULL to skip it). */
typedef const char *(*ilnet_name_at)(const void *ctx, size_t i);

/* The candidate among n closest to name: optimal-string-alignment distance where a letter
 * that differs only in case costs half, accepted when at most a third of name's length
 * (at least 1) and the candidate is not name itself; NULL when none is. Names longer than
 * 127 characters get no suggestion. */
const char *ilnet_suggest(const char *name, ilnet_name_at at, const void *ctx, size_t n);

/* " (did you mean 'X'?)" into buf for the suggestion, or "" without one; returns buf. */
const char *ilnet_did_you_mean(char *buf, size_t size, const char *name, ilnet_name_at at,
                               const void *ctx, size_t n);

#endif

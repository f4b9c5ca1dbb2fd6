/* Minimal test harness: CHECK records a failure and continues; a test exits 1 on any. */
#ifndef ILNET_TEST_CHECK_H
#define ILNET_TEST_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            check_failures++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond);               \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* |got - want| <= rel * |want| + abs */
#define CHECK_CLOSE(got, want, rel, abs_)                                                          \
    CHECK(fabs((got) - (want)) <= (rel)*fabs(want) + (abs_), "got %.17g want %.17g",               \
          (double)(got), (double)(want))

#define CHECK_DONE()                                                                               \
    do {                                                                                           \
        if (check_failures) fprintf(stderr, "%d check(s) failed\n", check_failures);               \
        return check_failures ? 1 : 0;                                                             \
    } while (0)

#endif

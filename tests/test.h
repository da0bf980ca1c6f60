/* A tiny test harness: TEST(name) { ... } registers a case; CHECK* record a
 * failure with file:line and end the case. main() (test_main.c) runs every
 * case, or only those named on the command line, and prints one line each
 * plus "N passed, N failed". */
#ifndef SIX_TEST_H
#define SIX_TEST_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef void (*six_test_fn)(void);
void six_test_register(const char *name, six_test_fn fn);
void six_test_fail(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
/* Runs after every case (when set): e.g. a check that pools are full again. */
extern void (*six_test_after_each)(void);

#define TEST(name)                                                          \
    static void name(void);                                                 \
    __attribute__((constructor)) static void name##_register(void) {        \
        six_test_register(#name, name);                                     \
    }                                                                       \
    static void name(void)

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (!(cond))                                                        \
            six_test_fail(__FILE__, __LINE__, "CHECK(%s)", #cond);          \
    } while (0)

#define CHECK_EQ(a, b)                                                      \
    do {                                                                    \
        long long _a = (long long)(a), _b = (long long)(b);                 \
        if (_a != _b)                                                       \
            six_test_fail(__FILE__, __LINE__, "%s == %s: %lld != %lld", #a, \
                          #b, _a, _b);                                      \
    } while (0)

#define CHECK_MEM(a, b, n)                                                  \
    do {                                                                    \
        if (memcmp((a), (b), (n)) != 0)                                     \
            six_test_fail(__FILE__, __LINE__, "memcmp(%s, %s, %s) != 0",    \
                          #a, #b, #n);                                      \
    } while (0)

/* Checks that a -1/errno style call failed with the given errno. */
#define CHECK_ERRNO(call, err)                                              \
    do {                                                                    \
        errno = 0;                                                          \
        long long _r = (long long)(call);                                   \
        int _e = errno;                                                     \
        if (_r != -1 || _e != (err))                                        \
            six_test_fail(__FILE__, __LINE__,                               \
                          "%s: want -1/%s, got %lld/%s", #call, #err, _r,   \
                          strerror(_e));                                    \
    } while (0)

/* Checks that a -1/errno style call succeeded; yields its value. */
#define CHECK_OK(call)                                                      \
    ({                                                                      \
        errno = 0;                                                          \
        long long _r = (long long)(call);                                   \
        if (_r < 0)                                                         \
            six_test_fail(__FILE__, __LINE__, "%s failed: %s", #call,       \
                          strerror(errno));                                 \
        _r;                                                                 \
    })

#endif

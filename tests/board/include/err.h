/* BSD's err() and errx() for the board's programs (picolibc has no
 * <err.h>): the message and errno's text on stderr, then exit. */
#ifndef SIX_BOARD_ERR_H
#define SIX_BOARD_ERR_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline void six_board_verr(int code, int with_errno, const char *fmt, va_list ap) {
    int e = errno;
    vfprintf(stderr, fmt, ap);
    if (with_errno)
        fprintf(stderr, ": %s", strerror(e));
    fputc('\n', stderr);
    exit(code);
}

__attribute__((noreturn, format(printf, 2, 3))) static inline void err(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    six_board_verr(code, 1, fmt, ap);
    va_end(ap);
    exit(code);
}

__attribute__((noreturn, format(printf, 2, 3))) static inline void errx(int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    six_board_verr(code, 0, fmt, ap);
    va_end(ap);
    exit(code);
}

#endif

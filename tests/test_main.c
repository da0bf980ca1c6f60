#include "test.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>

#define MAX_TESTS 512

static struct {
    const char *name;
    six_test_fn fn;
} tests[MAX_TESTS];
static int ntests;
static jmp_buf on_fail;
void (*six_test_after_each)(void);

void six_test_register(const char *name, six_test_fn fn) {
    if (ntests == MAX_TESTS) {
        fprintf(stderr, "too many tests\n");
        abort();
    }
    tests[ntests].name = name;
    tests[ntests].fn = fn;
    ntests++;
}

void six_test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "  %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    longjmp(on_fail, 1);
}

/* Cases named on the command line run, or every case when none is named;
 * "-NAME" leaves a case out (the board's builds leave out what they lack). */
static int selected(const char *name, int argc, char **argv) {
    int named = 0;

    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && strcmp(argv[i] + 1, name) == 0)
            return 0;
        if (argv[i][0] != '-') {
            named = 1;
            if (strcmp(argv[i], name) == 0)
                return 1;
        }
    }
    return !named;
}

int main(int argc, char **argv) {
    volatile int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (volatile int i = 0; i < ntests; i++) {
        if (!selected(tests[i].name, argc, argv))
            continue;
        if (setjmp(on_fail) == 0) {
            tests[i].fn();
            if (six_test_after_each)
                six_test_after_each();
            printf("ok   %s\n", tests[i].name);
            passed++;
        } else {
            printf("FAIL %s\n", tests[i].name);
            failed++;
        }
    }
    printf("%d passed, %d failed\n", passed, failed);
    return failed || passed == 0 ? 1 : 0;
}

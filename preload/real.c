/* The C library's calls behind the interposers (see real.h). */
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "real.h"

struct preload_real real;

static void *find(const char *name) {
    void *f = dlsym(RTLD_NEXT, name);
    if (!f) {
        /* Nothing can work without it; say so where the user looks. */
        static const char msg[] = "libsixstack-preload: a C library call is missing\n";
        if (write(2, msg, sizeof(msg) - 1) < 0)
            abort();
        abort();
    }
    return f;
}

void preload_real_init(void) {
    if (real.fcntl)
        return;
#define PRELOAD_FIND(ret, name, params, args) real.name = (ret(*) params)find(#name);
    PRELOAD_FIXED_CALLS(PRELOAD_FIND)
#undef PRELOAD_FIND
    real.ioctl = (int (*)(int, unsigned long, ...))find("ioctl");
    real.getifaddrs = (int (*)(struct ifaddrs **))find("getifaddrs");
    real.freeifaddrs = (void (*)(struct ifaddrs *))find("freeifaddrs");
    real.fcntl = (int (*)(int, int, ...))find("fcntl");
}

/* Before any other constructor of this library. */
__attribute__((constructor(101))) static void real_ctor(void) {
    preload_real_init();
}

#define PRELOAD_SYS_DEF(ret, name, params, args) \
    ret six__sys_##name params {                 \
        preload_real_init();                     \
        return real.name args;                   \
    }
PRELOAD_FIXED_CALLS(PRELOAD_SYS_DEF)
#undef PRELOAD_SYS_DEF

/* fcntl's third argument is an int or a pointer; a long carries either. */
int six__sys_fcntl(int fd, int cmd, ...) {
    va_list ap;
    long arg;

    va_start(ap, cmd);
    arg = va_arg(ap, long);
    va_end(ap);
    preload_real_init();
    return real.fcntl(fd, cmd, arg);
}

int six__sys_fcntl64(int fd, int cmd, ...) {
    va_list ap;
    long arg;

    va_start(ap, cmd);
    arg = va_arg(ap, long);
    va_end(ap);
    return six__sys_fcntl(fd, cmd, arg);
}

int six__sys_ioctl(int fd, unsigned long req, ...) {
    va_list ap;
    void *arg;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    preload_real_init();
    return real.ioctl(fd, req, arg);
}

/* The configuration (environment variables set by sixstack-run) and the
 * process's one stack.
 *
 * The stack starts on first use (the first AF_INET6 socket, interface
 * lookup or getifaddrs), or before main with SIXSTACK_START=early: a shell
 * or a wrapper such as timeout(1) started by sixstack-run then never takes
 * the device from the program it runs.
 *
 * fork: the child is a copy of the process without the stack's thread, and
 * shares the device and every socket's eventfd with the parent. So that it
 * can never disturb the parent's stack, the child never enters it: its
 * inherited sixstack descriptors can only be closed (anything else is
 * EBADF), and new AF_INET6 sockets fail with EAFNOSUPPORT. A program that
 * execs afterwards starts a stack of its own on first use (which needs a
 * device the parent does not hold). */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "preload.h"
#include "real.h"

int preload_log_level = PLOG_ERRORS;
int preload_forked;

static struct six_stack *stack;
static int stack_errno;
static unsigned dev_ifindex;
static pthread_once_t start_once = PTHREAD_ONCE_INIT;

void preload_log(int level, const char *fmt, ...) {
    char line[512];
    va_list ap;
    int n;

    if (level > preload_log_level)
        return;
    n = snprintf(line, sizeof(line), "sixstack[%d]: ", (int)getpid());
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    n = (int)strlen(line);
    line[n++] = '\n';
    /* Straight to the descriptor: no stdio buffer shared with the program. */
    if (real.write(2, line, (size_t)n) < 0)
        return;
}

static void stack_log(void *ctx, const char *line) {
    (void)ctx;
    preload_log(PLOG_STACK, "%s", line);
}

static const char *env(const char *name) {
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* "ADDR/PLEN" into a and *plen (128 without /PLEN). */
static int parse_prefix(const char *s, size_t n, struct in6_addr *a, unsigned *plen) {
    char buf[INET6_ADDRSTRLEN + 8], *slash, *end;

    if (n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = 0;
    *plen = 128;
    if ((slash = strchr(buf, '/'))) {
        *slash = 0;
        *plen = (unsigned)strtoul(slash + 1, &end, 10);
        if (*end || end == slash + 1)
            return -1;
    }
    return inet_pton(AF_INET6, buf, a) == 1 && *plen <= 128 ? 0 : -1;
}

/* Calls fn on each word of a space-separated list; stops at a failure. */
static int each_word(const char *list, int (*fn)(struct six_stack *, const char *, size_t)) {
    while (list && *list) {
        size_t n;
        list += strspn(list, " \t");
        n = strcspn(list, " \t");
        if (n && fn(stack, list, n) < 0)
            return -1;
        list += n;
    }
    return 0;
}

static int add_addr(struct six_stack *st, const char *w, size_t n) {
    struct in6_addr a;
    unsigned plen;

    if (parse_prefix(w, n, &a, &plen) < 0) {
        preload_log(PLOG_ERRORS, "SIXSTACK_ADDRS: malformed %.*s", (int)n, w);
        errno = EINVAL;
        return -1;
    }
    if (six_addr_add(st, dev_ifindex, &a, plen, SIX_ADDR_NODAD) < 0) {
        preload_log(PLOG_ERRORS, "address %.*s: %s", (int)n, w, strerror(errno));
        return -1;
    }
    preload_log(PLOG_STACK, "address %.*s", (int)n, w);
    return 0;
}

/* "PREFIX/PLEN[,GATEWAY]" */
static int add_route(struct six_stack *st, const char *w, size_t n) {
    const char *comma = memchr(w, ',', n);
    size_t plen_n = comma ? (size_t)(comma - w) : n;
    struct in6_addr p, g;
    char gw[INET6_ADDRSTRLEN];
    unsigned plen;
    size_t gn = comma ? n - plen_n - 1 : 0;

    if (parse_prefix(w, plen_n, &p, &plen) < 0 || gn >= sizeof(gw)) {
        preload_log(PLOG_ERRORS, "SIXSTACK_ROUTES: malformed %.*s", (int)n, w);
        errno = EINVAL;
        return -1;
    }
    if (comma) {
        memcpy(gw, comma + 1, gn);
        gw[gn] = 0;
        if (inet_pton(AF_INET6, gw, &g) != 1) {
            preload_log(PLOG_ERRORS, "SIXSTACK_ROUTES: malformed gateway in %.*s", (int)n, w);
            errno = EINVAL;
            return -1;
        }
    }
    if (six_route_add(st, &p, plen, comma ? &g : NULL, dev_ifindex) < 0) {
        preload_log(PLOG_ERRORS, "route %.*s: %s", (int)n, w, strerror(errno));
        return -1;
    }
    preload_log(PLOG_STACK, "route %.*s", (int)n, w);
    return 0;
}

static int parse_mac(const char *s, uint8_t mac[6]) {
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
        return -1;
    for (int i = 0; i < 6; i++) {
        if (v[i] > 255)
            return -1;
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

/* With SIXSTACK_AUTOCONF, the program starts once the device has a
 * global address (from a Router Advertisement), or after SIXSTACK_WAIT
 * seconds (default 5). */
static void wait_autoconf(void) {
    const char *w = env("SIXSTACK_WAIT");
    double left = w ? atof(w) : 5;

    for (; left > 0; left -= 0.05) {
        struct six_addr_info a[16];
        int n = six_addr_list(stack, dev_ifindex, a, 16);
        for (int i = 0; i < n && i < 16; i++)
            if (!IN6_IS_ADDR_LINKLOCAL(&a[i].addr) && !(a[i].flags & SIX_ADDR_TENTATIVE))
                return;
        nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
    }
    preload_log(PLOG_ERRORS, "no address from autoconfiguration yet");
}

static int attach_device(const char *dev) {
    struct six_tap_config tap = {0};
    const char *v;
    int ifx;

    if ((v = env("SIXSTACK_MTU")))
        tap.mtu = (unsigned)atoi(v);
    if ((v = env("SIXSTACK_MAC"))) {
        if (parse_mac(v, tap.mac) < 0) {
            preload_log(PLOG_ERRORS, "SIXSTACK_MAC: malformed %s", v);
            errno = EINVAL;
            return -1;
        }
        tap.set_mac = 1;
    }
    ifx = env("SIXSTACK_TUN") ? six_if_add_tun(stack, dev, &tap) : six_if_add_tap(stack, dev, &tap);
    if (ifx < 0) {
        preload_log(PLOG_ERRORS, "device %s: %s", dev, strerror(errno));
        return -1;
    }
    dev_ifindex = (unsigned)ifx;
    if ((v = env("SIXSTACK_CAPTURE")) && six_if_capture(stack, dev_ifindex, v) < 0) {
        preload_log(PLOG_ERRORS, "capture %s: %s", v, strerror(errno));
        return -1;
    }
    if (each_word(env("SIXSTACK_ADDRS"), add_addr) < 0 ||
        each_word(env("SIXSTACK_ROUTES"), add_route) < 0)
        return -1;
    return 0;
}

static void start(void) {
    struct six_stack_config cfg;
    const char *dev = env("SIXSTACK_DEV"), *v;

    six_stack_config_init(&cfg);
    /* Addresses given by hand are usable at once, like Linux's nodad. */
    cfg.dad_transmits = 0;
    cfg.autoconf = env("SIXSTACK_AUTOCONF") != NULL;
    cfg.linklocal = env("SIXSTACK_NO_LINKLOCAL") == NULL;
    if ((v = env("SIXSTACK_SEED")))
        cfg.seed = strtoull(v, NULL, 0);
    if (!(stack = six_stack_new(&cfg))) {
        stack_errno = errno;
        preload_log(PLOG_ERRORS, "no stack: %s", strerror(errno));
        return;
    }
    six_stack_set_log(stack, stack_log, NULL);
    if ((dev && attach_device(dev) < 0) || six_stack_start(stack) < 0) {
        stack_errno = errno ? errno : ENETDOWN;
        six_stack_free(stack);
        stack = NULL;
        return;
    }
    six_use_stack(stack);
    if (dev && cfg.autoconf)
        wait_autoconf();
    preload_log(PLOG_STACK, "stack up%s%s", dev ? " on " : " (loopback only)", dev ? dev : "");
}

struct six_stack *preload_stack(void) {
    if (preload_forked) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    pthread_once(&start_once, start);
    if (!stack)
        errno = stack_errno;
    return stack;
}

static void in_child(void) {
    if (stack)
        preload_forked = 1;
}

__attribute__((constructor(102))) static void preload_init(void) {
    const char *v;

    if ((v = env("SIXSTACK_LOG")))
        preload_log_level = atoi(v);
    pthread_atfork(NULL, NULL, in_child);
    if ((v = env("SIXSTACK_START")) && strcmp(v, "early") == 0)
        preload_stack();
}

/* The capture file gets its last frames. Only the process that started
 * the stack stops it; a forked child's copy is left alone. */
__attribute__((destructor)) static void preload_fini(void) {
    if (stack && !preload_forked) {
        if (env("SIXSTACK_CAPTURE"))
            six_if_capture(stack, dev_ifindex, NULL);
        if (preload_log_level >= PLOG_STACK)
            six_stats_print(stack, stderr);
    }
}

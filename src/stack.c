/* The stack: owns the core, the IPv6 and ICMPv6 layers and the sockets,
 * wires them together, and runs them (driven by six_stack_poll or in a
 * thread of its own). Also the default stack behind <sixstack/compat.h>.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sixstack/ipsec.h>
#include <sixstack/sixstack.h>
#include <sixstack/socket.h>

#include "core/core.h"
#include "icmp6/addrconf.h"
#include "icmp6/icmp6.h"
#include "icmp6/mld.h"
#include "icmp6/nd.h"
#include "ip6/ip6.h"
#include "ipsec/ipsec.h"
#include "link/link.h"
#include "sock/sock.h"
#include "sock/tcp6.h"
#include "stack.h"
#include "wire/ipv6.h"

/* Frames processed per interface per round of the run loop. */
#define RX_BUDGET 64

struct six_stack {
    struct six_core core;
    struct six_ip6 ip6;
    struct six_icmp6 icmp6;
    struct six_mld mld;
    struct six_nd nd;
    struct six_ac ac;
    struct six_socks socks;
    struct six_ipsec *ipsec;
    struct six_stack_config cfg;

    int wake_fd;               /* a signal: frames arrived or clock moved */
    six_port_thread thread;
    int running;
    int stop;
};

void six_stack_config_init(struct six_stack_config *cfg) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->clock = SIX_CLOCK_MONOTONIC;
    cfg->pkt_small_max = 1024;
    cfg->pkt_large_max = 64;
    cfg->max_sockets = 1024;
    cfg->default_hop_limit = 64;
    cfg->icmp6_rate = 100;
    cfg->icmp6_burst = 10;
    cfg->rcvbuf = 212992;
    /* The ephemeral port ranges of FreeBSD's sysctls
     * net.inet.ip.portrange.{first,last,hifirst,hilast,lowfirst,lowlast}. */
    cfg->port_first = 10000;
    cfg->port_last = 65535;
    cfg->port_hifirst = 49152;
    cfg->port_hilast = 65535;
    cfg->port_lowfirst = 600;
    cfg->port_lowlast = 1023;
    /* RFC 8201 section 4 recommends 10 minutes before trying a larger
     * path MTU again. */
    cfg->pmtu_cache_max = 256;
    cfg->pmtu_expire_s = 600;
    cfg->nd_cache_max = 256;
    cfg->nd_queue_len = 3;
    cfg->linklocal = 1;
    cfg->reass_max_datagrams = 256;
    cfg->reass_max_per_source = 32;
    cfg->reass_max_frags = 64;
    cfg->reass_max_bytes = 1u << 20;
    /* RFC 4862 5.1: DupAddrDetectTransmits defaults to 1; RFC 4861 10:
     * MAX_RTR_SOLICITATIONS is 3; RFC 8064: stable identifiers. */
    cfg->dad_transmits = 1;
    cfg->autoconf = 1;
    cfg->rtr_solicits = 3;
    cfg->addr_gen_mode = SIX_ADDR_GEN_STABLE;
    cfg->ra_max_routers = 8;
    cfg->ra_max_prefixes = 16;
    cfg->slaac_max_addrs = 16;
    cfg->redirect_max = 64;
    cfg->tcp_max_half_open = 1024;
    cfg->tcp_max_time_wait = 16384;
    cfg->tcp_mem_max = (size_t)256 << 20;
    cfg->tcp_challenge_ack_limit = 1000;
    cfg->tcp_invalid_ratelimit_ms = 500;
}

/* Whether [first, last] is a usable port range. */
static int range_ok(unsigned first, unsigned last) {
    return first >= 1 && first <= last && last <= 65535;
}

static int config_ok(const struct six_stack_config *cfg) {
    return range_ok(cfg->port_first, cfg->port_last) &&
           range_ok(cfg->port_hifirst, cfg->port_hilast) &&
           range_ok(cfg->port_lowfirst, cfg->port_lowlast);
}

static long ret(long rc) {
    if (rc < 0) {
        errno = (int)-rc;
        return -1;
    }
    return rc;
}

static void lock(struct six_stack *st) { six__core_lock(&st->core); }
static void unlock(struct six_stack *st) { six__core_unlock(&st->core); }

/* Wakes the stack's thread; safe from any thread, lock or not. */
static void kick(void *ctx) {
    struct six_stack *st = ctx;
    /* A failure means the signal is raised already: the thread will wake. */
    (void)six_port_signal_raise(st->wake_fd);
}

/* TCP as the config says, its tables not made yet (they come with the
 * first stream socket). Lock held. Returns 0 or a negative errno. */
static int tcp_setup(struct six_stack *st) {
    const struct six_stack_config *cfg = &st->cfg;
    int rc = six__tcp6_init(&st->socks, cfg->tcp_max_half_open, cfg->tcp_max_time_wait,
                            cfg->tcp_mem_max);

    st->socks.tcp.challenge_ack_limit = cfg->tcp_challenge_ack_limit;
    st->socks.tcp.oow_ack_gap_us = (uint64_t)cfg->tcp_invalid_ratelimit_ms * 1000;
    return rc;
}

/* Adds a new interface on st, driven by init. Returns its index. */
static int add_if(struct six_stack *st, const char *name,
                  int (*init)(struct six_if *ifp, void *arg), void *arg) {
    struct six_if *ifp;
    int rc;

    if (!name || !*name || strlen(name) >= IF_NAMESIZE)
        return -EINVAL;
    if (six__ip6_if_byname(&st->ip6, name))
        return -EEXIST;
    if (!(ifp = calloc(1, sizeof(*ifp))))
        return -ENOMEM;
    snprintf(ifp->name, sizeof(ifp->name), "%s", name);
    ifp->core = &st->core;
    ifp->notify = kick;
    ifp->notify_ctx = st;
    if ((rc = init(ifp, arg)) < 0) {
        free(ifp);
        return rc;
    }
    if ((rc = six__ip6_if_add(&st->ip6, ifp)) < 0) {
        six__if_destroy(ifp);
        free(ifp);
        return rc;
    }
    {
        int ac = six__ac_if_up(&st->ac, ifp);
        if (ac < 0) {
            six__ip6_if_remove(&st->ip6, (unsigned)rc);
            return ac;
        }
    }
    return rc;
}

static int loopback_init(struct six_if *ifp, void *arg) {
    (void)arg;
    return six__loopback_init(ifp);
}

static int setup_loopback(struct six_stack *st) {
    struct in6_addr lo = IN6ADDR_LOOPBACK_INIT;
    int idx = add_if(st, "lo", loopback_init, NULL);
    if (idx < 0)
        return idx;
    return six__ip6_addr_add(&st->ip6, (unsigned)idx, &lo, 128, 0);
}

struct six_stack *six_stack_new(const struct six_stack_config *cfg) {
    struct six_stack_config defaults;
    struct six_stack *st;
    int rc;

    if (!cfg) {
        six_stack_config_init(&defaults);
        cfg = &defaults;
    }
    if (!config_ok(cfg)) {
        errno = EINVAL;
        return NULL;
    }
    if (!(st = calloc(1, sizeof(*st)))) {
        errno = ENOMEM;
        return NULL;
    }
    st->cfg = *cfg;
    st->wake_fd = six_port_signal_open();
    if (st->wake_fd < 0 || six__core_init(&st->core, cfg) < 0) {
        if (st->wake_fd >= 0)
            six_port_signal_close(st->wake_fd);
        free(st);
        errno = ENOMEM;
        return NULL;
    }
    six__ip6_init(&st->ip6, &st->core, cfg->default_hop_limit);
    six__icmp6_init(&st->icmp6, &st->ip6, cfg->icmp6_rate, cfg->icmp6_burst);
    six__mld_init(&st->mld, &st->ip6);
    st->icmp6.mld = &st->mld;
    six__socks_init(&st->socks, &st->core, &st->ip6, &st->icmp6, cfg->max_sockets, cfg->rcvbuf);
    const struct six_portrange ranges[3] = {
        [IPV6_PORTRANGE_DEFAULT] = {cfg->port_first, cfg->port_last},
        [IPV6_PORTRANGE_HIGH] = {cfg->port_hifirst, cfg->port_hilast},
        [IPV6_PORTRANGE_LOW] = {cfg->port_lowfirst, cfg->port_lowlast},
    };
    lock(st);
    rc = six__udp6_init(&st->socks, ranges);
    if (rc == 0)
        rc = tcp_setup(st);
    if (rc == 0)
        rc = six__pmtu_init(&st->ip6, cfg->pmtu_cache_max,
                            (uint64_t)cfg->pmtu_expire_s * 1000000);
    if (rc == 0)
        rc = six__nd_init(&st->nd, &st->icmp6, cfg->nd_cache_max, cfg->nd_queue_len);
    st->nd.router_flag = cfg->nd_router_flag != 0;
    if (rc == 0)
        rc = six__ac_init(&st->ac, &st->nd, cfg);
    if (rc == 0)
        rc = six__reass_init(&st->ip6.reass, &st->ip6, cfg);
    if (rc == 0 && !(st->ipsec = six__ipsec_new(&st->core, &st->ip6)))
        rc = -ENOMEM;
    if (rc == 0)
        rc = setup_loopback(st);
    unlock(st);
    if (rc < 0) {
        six_stack_free(st);
        errno = -rc;
        return NULL;
    }
    return st;
}

/* Whether every armed timer is a TCP connection's (dropped with TCP's
 * state by a rewind). Lock held. */
static int only_tcp_timers(const struct six_core *c) {
    for (unsigned i = 0; i < c->heap_len; i++)
        if (c->heap[i]->fn != six__tcp_timer)
            return 0;
    return 1;
}

int six__stack_rewind(struct six_stack *st, uint64_t now_us) {
    struct six_core *c = &st->core;
    struct six_sock *retired = NULL;
    int rc = 0;

    lock(st);
    if (c->clock_mode != SIX_CLOCK_MANUAL || !c->seeded || st->running)
        rc = -EINVAL;
    else if (st->socks.all || st->socks.nsocks || !only_tcp_timers(c) ||
             six__pools_in_use(&c->pools))
        rc = -EBUSY;
    if (rc == 0) {
        c->manual_now = now_us;
        six__rand_seed(c, st->cfg.seed);
        memset(&c->stats, 0, sizeof(c->stats));
        /* Buffers come from malloc again, as in a new stack: nothing an
         * input left in one can reach the next. */
        six__pools_fini(&c->pools);
        six__pools_init(&c->pools, st->cfg.pkt_small_max, st->cfg.pkt_large_max);
        /* TCP's secrets, TIME-WAIT table, counters and budgets, and the
         * connections still retrying with no socket (their timers go with
         * them): made anew with the next stream socket, from the reseeded
         * generator. */
        six__tcp6_fini(&st->socks);
        rc = tcp_setup(st);
        st->socks.ping_next_id = 0;
        six__icmp6_rate_reset(&st->icmp6);
        six__nd_flush(&st->nd);
        six__frag_ident_forget(&st->ip6);
        six__pmtu_fini(&st->ip6);
        if (rc == 0)
            rc = six__pmtu_init(&st->ip6, st->cfg.pmtu_cache_max,
                                (uint64_t)st->cfg.pmtu_expire_s * 1000000);
        /* Closed sockets' memory too (it would go in a later batch), so
         * that what a run allocated is freed by its end. */
        retired = six__socks_take_retired(&st->socks);
    }
    unlock(st);
    six__socks_free_retired(retired);
    return rc;
}

uint64_t six__stack_sent(struct six_stack *st) {
    uint64_t n;

    lock(st);
    n = st->core.stats.ip6_out_requests;
    unlock(st);
    return n;
}

void six_stack_free(struct six_stack *st) {
    if (!st)
        return;
    six_stack_stop(st);
    six__socks_fini(&st->socks);
    lock(st);
    six__ac_fini(&st->ac);
    six__nd_fini(&st->nd);
    six__ipsec_free(st->ipsec);
    six__ip6_fini(&st->ip6);
    six__mld_fini(&st->mld);
    unlock(st);
    six__core_fini(&st->core);
    six_port_signal_close(st->wake_fd);
    free(st);
}

int six_stack_set_portrange(struct six_stack *st, int range, unsigned first, unsigned last) {
    if (range < IPV6_PORTRANGE_DEFAULT || range > IPV6_PORTRANGE_LOW || !range_ok(first, last))
        return (int)ret(-EINVAL);
    lock(st);
    st->socks.ports[range] = (struct six_portrange){(uint16_t)first, (uint16_t)last};
    unlock(st);
    return 0;
}

int six_stack_get_portrange(struct six_stack *st, int range, unsigned *first, unsigned *last) {
    if (range < IPV6_PORTRANGE_DEFAULT || range > IPV6_PORTRANGE_LOW || !first || !last)
        return (int)ret(-EINVAL);
    lock(st);
    *first = st->socks.ports[range].first;
    *last = st->socks.ports[range].last;
    unlock(st);
    return 0;
}

/* One round: every link's frames, then every due timer. Lock held. */
/* The clock is read once per batch of frames (six__core_hold_now). */
static uint64_t run_once(struct six_stack *st) {
    uint64_t next;

    do
        six__core_hold_now(&st->core);
    while (six__ip6_poll_links(&st->ip6, RX_BUDGET) > 0);
    next = six__timers_run(&st->core);
    six__core_drop_now(&st->core);
    return next;
}

uint64_t six_stack_poll(struct six_stack *st, uint64_t now_us) {
    uint64_t next;

    lock(st);
    six__clock_set(&st->core, now_us);
    next = run_once(st);
    unlock(st);
    return next;
}

uint64_t six_stack_now(struct six_stack *st) {
    uint64_t now;
    lock(st);
    now = six__now(&st->core);
    unlock(st);
    return now;
}

int six_stack_set_time(struct six_stack *st, uint64_t now_us) {
    if (st->core.clock_mode != SIX_CLOCK_MANUAL) {
        errno = EINVAL;
        return -1;
    }
    lock(st);
    six__clock_set(&st->core, now_us);
    unlock(st);
    kick(st);
    return 0;
}

/* The descriptors the thread sleeps on: the wake signal first, then
 * every driver's (TAP, TUN). Lock held. Returns how many. */
static nfds_t poll_set(struct six_stack *st, struct pollfd *pfd) {
    nfds_t n = 0;

    pfd[n++] = (struct pollfd){.fd = st->wake_fd, .events = POLLIN};
    for (unsigned i = 1; i <= SIX_MAX_IFS; i++) {
        struct six_if *ifp = st->ip6.ifs[i];
        int fd = ifp && ifp->ops && ifp->ops->fd ? ifp->ops->fd(ifp) : -1;
        if (fd >= 0)
            pfd[n++] = (struct pollfd){.fd = fd, .events = POLLIN};
    }
    return n;
}

/* The stack's thread: process, then sleep until a frame arrives, the clock
 * moves, or the next timer is due. */
static void *stack_thread(void *arg) {
    struct six_stack *st = arg;

    lock(st);
    while (!st->stop) {
        uint64_t next = run_once(st), now = six__now(&st->core);
        struct pollfd pfd[SIX_MAX_IFS + 1];
        nfds_t npfd = poll_set(st, pfd);
        int timeout = -1;

        if (next != SIX_NEVER && st->core.clock_mode == SIX_CLOCK_MONOTONIC)
            timeout = next <= now ? 0
                      : next - now > (uint64_t)INT_MAX * 1000 ? INT_MAX
                                                              : (int)((next - now + 999) / 1000);
        unlock(st);
        /* Errors (EINTR) only make another round; a signal that was not
         * raised (woken by the timeout or a driver) has nothing to lower. */
        (void)six_port_poll(pfd, npfd, timeout);
        (void)six_port_signal_lower(st->wake_fd);
        lock(st);
    }
    unlock(st);
    return NULL;
}

int six_stack_start(struct six_stack *st) {
    int rc;

    lock(st);
    if (st->running) {
        unlock(st);
        return (int)ret(-EALREADY);
    }
    st->stop = 0;
    /* -ENOTSUP where there are no threads (bare): six_stack_poll then. */
    rc = six_port_thread_start(&st->thread, stack_thread, st);
    if (rc == 0)
        st->running = 1;
    unlock(st);
    return (int)ret(rc);
}

int six_stack_stop(struct six_stack *st) {
    lock(st);
    if (!st->running) {
        unlock(st);
        return 0;
    }
    st->stop = 1;
    unlock(st);
    kick(st);
    six_port_thread_join(&st->thread);
    lock(st);
    st->running = 0;
    unlock(st);
    return 0;
}

/* ---- interfaces ---- */

unsigned six_if_nametoindex(struct six_stack *st, const char *name) {
    struct six_if *ifp;
    unsigned idx;

    lock(st);
    ifp = name ? six__ip6_if_byname(&st->ip6, name) : NULL;
    idx = ifp ? ifp->index : 0;
    unlock(st);
    return idx;
}

char *six_if_indextoname(struct six_stack *st, unsigned ifindex, char *buf) {
    struct six_if *ifp;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    if (ifp)
        memcpy(buf, ifp->name, IF_NAMESIZE);
    unlock(st);
    if (!ifp) {
        errno = ENXIO;
        return NULL;
    }
    return buf;
}

int six_if_mtu(struct six_stack *st, unsigned ifindex) {
    struct six_if *ifp;
    int mtu;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    mtu = ifp ? (int)ifp->mtu : -ENXIO;
    unlock(st);
    return (int)ret(mtu);
}

int six_if_set_mtu(struct six_stack *st, unsigned ifindex, unsigned mtu) {
    struct six_if *ifp;
    int rc = 0;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    if (!ifp)
        rc = -ENXIO;
    else if (mtu < SIX_IP6_MIN_MTU || mtu > 65535)
        rc = -EINVAL;   /* RFC 8200 5: every link carries 1280 */
    else
        ifp->mtu = mtu;
    unlock(st);
    return (int)ret(rc);
}

int six_if_hwaddr(struct six_stack *st, unsigned ifindex, uint8_t mac[6]) {
    struct six_if *ifp;
    int rc = 0;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    if (!ifp)
        rc = -ENXIO;
    else if (!(ifp->flags & SIX_IFF_ETHERNET))
        rc = -EOPNOTSUPP;
    else
        memcpy(mac, ifp->hwaddr, SIX_ETH_ALEN);
    unlock(st);
    return (int)ret(rc);
}

int six_neigh_get(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr,
                  uint8_t mac[6]) {
    const struct six_neigh *n;
    int rc;

    lock(st);
    if (!six__ip6_if(&st->ip6, ifindex)) {
        rc = -ENXIO;
    } else if (!(n = six__nd_lookup(&st->nd, ifindex, addr))) {
        rc = -ENOENT;
    } else {
        rc = (int)n->state;
        if (mac && n->state != SIX_NUD_INCOMPLETE)
            memcpy(mac, n->mac, SIX_ETH_ALEN);
    }
    unlock(st);
    return (int)ret(rc);
}

void six_stack_set_log(struct six_stack *st, six_log_fn fn, void *ctx) {
    lock(st);
    st->core.log_fn = fn;
    st->core.log_ctx = ctx;
    unlock(st);
}

int six_if_capture(struct six_stack *st, unsigned ifindex, const char *path) {
    struct six_if *ifp;
    int rc = 0;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    if (!ifp)
        rc = -ENXIO;
    else if (path)
        rc = six__capture_open(ifp, path);
    else
        six__capture_close(ifp);
    unlock(st);
    return (int)ret(rc);
}

int six_if_set_fault(struct six_stack *st, unsigned ifindex, const struct six_fault *f) {
    struct six_if *ifp;
    int rc;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    rc = ifp ? six__fault_set(ifp, f) : -ENXIO;
    unlock(st);
    return (int)ret(rc);
}

int six_if_inject(struct six_stack *st, unsigned ifindex, const void *frame, size_t len) {
    struct six_if *ifp;
    struct six_pkt *pkt = NULL;
    int rc = 0;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    if (!ifp)
        rc = -ENXIO;
    else if (len > SIX_PKT_LARGE - SIX_PKT_HEADROOM)
        rc = -EMSGSIZE;
    else if (!(pkt = six__pkt_alloc(&st->core.pools, SIX_PKT_HEADROOM, len)))
        rc = -ENOBUFS;
    if (pkt) {
        memcpy(pkt->data, frame, len);
        six__if_deliver(ifp, pkt);
        run_once(st);
    }
    unlock(st);
    return (int)ret(rc);
}

/* One replayed record into interface ifindex (looked up again for each:
 * the lock is let go between records). Lock held. */
static int replay_one(struct six_stack *st, unsigned ifindex, const uint8_t *data, uint32_t len) {
    struct six_if *ifp = six__ip6_if(&st->ip6, ifindex);
    struct six_pkt *pkt;

    if (!ifp)
        return -ENXIO;
    if (len > SIX_PKT_LARGE - SIX_PKT_HEADROOM) {
        SIX_STAT(&st->core, link_rx_too_long);
        return 0;
    }
    /* No buffer: dropped and counted, as a driver does (tap_rx). */
    if (!(pkt = six__pkt_alloc(&st->core.pools, SIX_PKT_HEADROOM, len))) {
        SIX_STAT(&st->core, ip6_in_nobufs);
        return 0;
    }
    memcpy(pkt->data, data, len);
    six__if_deliver(ifp, pkt);
    run_once(st);
    return 0;
}

int six_if_replay(struct six_stack *st, unsigned ifindex, const char *path, const char *filter) {
    struct six_replay *r;
    struct six_if *ifp;
    const uint8_t *data;
    uint32_t len;
    int ethernet, rc, n = 0;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    ethernet = ifp && (ifp->flags & SIX_IFF_ETHERNET);
    unlock(st);
    if (!ifp)
        return (int)ret(-ENXIO);
    if (!path)
        return (int)ret(-EINVAL);
    /* The file is read without the lock: only the handing in takes it. */
    if ((rc = six__replay_open(&r, path, ethernet, filter)) < 0)
        return (int)ret(rc);
    while ((rc = six__replay_next(r, &data, &len)) > 0) {
        lock(st);
        rc = replay_one(st, ifindex, data, len);
        unlock(st);
        if (rc < 0)
            break;
        n++;
    }
    six__replay_close(r);
    return rc < 0 ? (int)ret(rc) : n;
}

/* ---- TAP and TUN ---- */

struct tap_args {
    const char *dev;
    int tap;
    const struct six_tap_config *cfg;
};

static int tap_init(struct six_if *ifp, void *arg) {
    const struct tap_args *a = arg;
    unsigned mtu = a->cfg && a->cfg->mtu ? a->cfg->mtu : 1500;
    return six__tap_open(ifp, a->dev, a->tap, a->cfg && a->cfg->set_mac ? a->cfg->mac : NULL,
                         mtu);
}

static int add_tuntap(struct six_stack *st, const char *dev, int tap,
                      const struct six_tap_config *cfg) {
    struct tap_args a = {dev, tap, cfg};
    int rc;

    if (cfg && cfg->mtu && (cfg->mtu < SIX_IP6_MIN_MTU || cfg->mtu > 65535))
        return (int)ret(-EINVAL);
    if (cfg && cfg->set_mac && (six_eth_is_group(cfg->mac) || six_eth_is_zero(cfg->mac)))
        return (int)ret(-EINVAL);
    lock(st);
    rc = add_if(st, dev, tap_init, &a);
    unlock(st);
    kick(st);   /* the thread, if any, polls the new descriptor */
    return (int)ret(rc);
}

int six_if_add_tap(struct six_stack *st, const char *dev, const struct six_tap_config *cfg) {
    return add_tuntap(st, dev, 1, cfg);
}

int six_if_add_tun(struct six_stack *st, const char *dev, const struct six_tap_config *cfg) {
    return add_tuntap(st, dev, 0, cfg);
}

static int netdev_init(struct six_if *ifp, void *arg) {
    return six__netdev_init(ifp, arg);
}

int six_if_add_netdev(struct six_stack *st, const char *name, const struct six_netdev *dev) {
    int rc;

    if (!dev)
        return (int)ret(-EINVAL);
    lock(st);
    rc = add_if(st, name, netdev_init, (void *)dev);
    unlock(st);
    return (int)ret(rc);
}

/* ---- in-memory links ---- */

static void memwire_defaults(const struct six_memwire_config *in, struct six_memwire_config *out) {
    out->mtu = in && in->mtu ? in->mtu : 1500;
    out->queue_len = in && in->queue_len ? in->queue_len : 256;
    out->ethernet = in ? in->ethernet != 0 : 0;
}

static int wire_init(struct six_if *ifp, void *arg) {
    return six__wire_attach(arg, ifp);
}

static int attach_wire(struct six_wire *w, struct six_stack *st, const char *name) {
    int rc;
    lock(st);
    rc = add_if(st, name, wire_init, w);
    unlock(st);
    return rc;
}

int six_memwire_pair(struct six_stack *a, const char *name_a, struct six_stack *b,
                     const char *name_b, const struct six_memwire_config *cfg, unsigned *ifa,
                     unsigned *ifb) {
    struct six_memwire_config c;
    struct six_wire *w;
    int ia, ib;

    memwire_defaults(cfg, &c);
    if (c.mtu < SIX_IP6_MIN_MTU || c.mtu > 65535 || a == b)
        return (int)ret(-EINVAL);
    if (!(w = six__wire_new(c.mtu, c.queue_len, 1, c.ethernet)))
        return (int)ret(-ENOMEM);
    ia = attach_wire(w, a, name_a);
    ib = ia < 0 ? ia : attach_wire(w, b, name_b);
    if (ib < 0 && ia >= 0) {
        lock(a);
        six__ip6_if_remove(&a->ip6, (unsigned)ia);
        unlock(a);
    }
    six__wire_put(w);
    if (ib < 0)
        return (int)ret(ib);
    if (ifa)
        *ifa = (unsigned)ia;
    if (ifb)
        *ifb = (unsigned)ib;
    return 0;
}

struct six_segment {
    struct six_wire *wire;
};

struct six_segment *six_segment_new(const struct six_memwire_config *cfg) {
    struct six_memwire_config c;
    struct six_segment *seg;

    memwire_defaults(cfg, &c);
    if (c.mtu < SIX_IP6_MIN_MTU || c.mtu > 65535) {
        errno = EINVAL;
        return NULL;
    }
    if (!(seg = calloc(1, sizeof(*seg))) || !(seg->wire = six__wire_new(c.mtu, c.queue_len, 0, c.ethernet))) {
        free(seg);
        errno = ENOMEM;
        return NULL;
    }
    return seg;
}

int six_segment_attach(struct six_segment *seg, struct six_stack *st, const char *name) {
    return (int)ret(attach_wire(seg->wire, st, name));
}

void six_segment_free(struct six_segment *seg) {
    if (!seg)
        return;
    six__wire_put(seg->wire);
    free(seg);
}

/* ---- addresses and routes ---- */

int six_addr_add(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr,
                 unsigned prefix_len, unsigned flags) {
    int rc;

    /* The state flags are the stack's to set. */
    if (flags & ~(unsigned)(SIX_ADDR_DEPRECATED | SIX_ADDR_ANYCAST | SIX_ADDR_NODAD))
        return (int)ret(-EINVAL);
    lock(st);
    rc = six__ip6_addr_add(&st->ip6, ifindex, addr, prefix_len, flags);
    unlock(st);
    return (int)ret(rc);
}

/* Seconds from now to deadline, rounded up (SIX_NEVER: infinite). */
static uint32_t seconds_left(uint64_t deadline, uint64_t now) {
    if (deadline == SIX_NEVER)
        return SIX_LIFETIME_INFINITE;
    if (deadline <= now)
        return 0;
    return (uint32_t)((deadline - now + 999999) / 1000000);
}

int six_addr_list(struct six_stack *st, unsigned ifindex, struct six_addr_info *out,
                  unsigned max) {
    unsigned n = 0;
    uint64_t now;

    lock(st);
    now = six__now(&st->core);
    for (unsigned i = 0; i < st->ip6.naddrs; i++) {
        const struct six_addr_entry *e = &st->ip6.addrs[i];
        if (ifindex && e->ifindex != ifindex)
            continue;
        if (n < max && out)
            out[n] = (struct six_addr_info){
                .addr = e->addr,
                .prefix_len = e->plen,
                .ifindex = e->ifindex,
                .flags = e->flags & 0xffffu,
                .valid_s = seconds_left(e->valid_until, now),
                .preferred_s = seconds_left(e->preferred_until, now),
            };
        n++;
    }
    unlock(st);
    return (int)n;
}

int six_if_set_autoconf(struct six_stack *st, unsigned ifindex, int on) {
    struct six_if *ifp;
    int rc;

    lock(st);
    ifp = six__ip6_if(&st->ip6, ifindex);
    rc = ifp ? six__ac_set_autoconf(&st->ac, ifp, on != 0) : -ENXIO;
    unlock(st);
    kick(st);
    return (int)ret(rc);
}

int six_router_list(struct six_stack *st, struct six_router_info *out, unsigned max) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;
    const struct six_route *def;
    unsigned n;
    uint64_t now;

    lock(st);
    now = six__now(&st->core);
    def = six__ip6_route_find(&st->ip6, &any, 0);
    n = st->ac.nrouters;
    for (unsigned i = 0; i < n && i < max && out; i++) {
        const struct six_ac_router *r = &st->ac.routers[i];
        out[i] = (struct six_router_info){
            .addr = r->addr,
            .ifindex = r->ifindex,
            .lifetime_s = seconds_left(r->expires, now),
            .selected = def && (def->flags & SIX_RT_ROUTER) && def->ifindex == r->ifindex &&
                        IN6_ARE_ADDR_EQUAL(&def->gateway, &r->addr),
        };
    }
    unlock(st);
    return (int)n;
}

int six_prefix_list(struct six_stack *st, struct six_prefix_info *out, unsigned max) {
    unsigned n;
    uint64_t now;

    lock(st);
    now = six__now(&st->core);
    n = st->ac.nprefixes;
    for (unsigned i = 0; i < n && i < max && out; i++) {
        const struct six_ac_prefix *x = &st->ac.prefixes[i];
        out[i] = (struct six_prefix_info){
            .prefix = x->prefix,
            .prefix_len = x->plen,
            .ifindex = x->ifindex,
            .valid_s = seconds_left(x->expires, now),
        };
    }
    unlock(st);
    return (int)n;
}

int six_addr_del(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr) {
    int rc;
    lock(st);
    rc = six__ip6_addr_del(&st->ip6, ifindex, addr);
    unlock(st);
    return (int)ret(rc);
}

int six_route_add(struct six_stack *st, const struct in6_addr *prefix, unsigned prefix_len,
                  const struct in6_addr *gateway, unsigned ifindex) {
    int rc;
    lock(st);
    rc = six__ip6_route_add(&st->ip6, prefix, prefix_len, gateway, ifindex, 0);
    unlock(st);
    return (int)ret(rc);
}

int six_route_del(struct six_stack *st, const struct in6_addr *prefix, unsigned prefix_len) {
    int rc;
    lock(st);
    rc = six__ip6_route_del(&st->ip6, prefix, prefix_len);
    unlock(st);
    return (int)ret(rc);
}

int six_select_source(struct six_stack *st, const struct in6_addr *dst, unsigned ifindex,
                      struct in6_addr *src) {
    int rc;
    lock(st);
    rc = six__ip6_select_src(&st->ip6, dst, ifindex, src);
    unlock(st);
    return (int)ret(rc);
}

/* ---- statistics and faults ---- */

void six_stack_stats(struct six_stack *st, struct six_stats *out) {
    lock(st);
    *out = st->core.stats;
    unlock(st);
}

static const struct {
    const char *name, *doc;
} stat_names[] = {
#define SIX_STATS_X(name, doc) {#name, doc},
    SIX_STATS_FIELDS(SIX_STATS_X)
#undef SIX_STATS_X
};

const char *six_stats_name(unsigned i, const char **doc) {
    if (i >= sizeof(stat_names) / sizeof(stat_names[0]))
        return NULL;
    if (doc)
        *doc = stat_names[i].doc;
    return stat_names[i].name;
}

void six_stats_print(struct six_stack *st, void *f) {
    struct six_stats s;
    const uint64_t *v = (const uint64_t *)&s;

    six_stack_stats(st, &s);
    for (unsigned i = 0; i < sizeof(s) / sizeof(uint64_t); i++)
        if (v[i])
            fprintf(f, "%-26s %llu\n", stat_names[i].name, (unsigned long long)v[i]);
}

void six_stack_fail_alloc(struct six_stack *st, unsigned nth) {
    lock(st);
    st->core.pools.fail_nth = nth;
    unlock(st);
}

unsigned six_stack_pkts_in_use(struct six_stack *st) {
    unsigned n;
    lock(st);
    n = six__pools_in_use(&st->core.pools);
    unlock(st);
    return n;
}

/* ---- sockets on a stack, and the default stack ---- */

static SIX_PORT_THREAD_LOCAL struct six_stack *thread_stack;
static six_port_once_flag default_once = SIX_PORT_ONCE_INIT;
static struct six_stack *default_stack;

static void make_default_stack(void) {
    struct six_stack *st = six_stack_new(NULL);
    /* Without threads (bare) the application drives it (six_stack_poll). */
    if (st && six_stack_start(st) < 0 && errno != ENOTSUP) {
        six_stack_free(st);
        st = NULL;
    }
    default_stack = st;
}

struct six_stack *six_default_stack(void) {
    six_port_once(&default_once, make_default_stack);
    return default_stack;
}

void six_use_stack(struct six_stack *st) {
    thread_stack = st;
}

int six_socket_on(struct six_stack *st, int domain, int type, int protocol) {
    if (!st)
        return (int)ret(-ENETDOWN);
    return (int)ret(six__sock_create(&st->socks, domain, type, protocol));
}

int six_socket(int domain, int type, int protocol) {
    struct six_stack *st = thread_stack;

    /* Only IPv6 is sixstack's: other families stay the system's. */
    if (domain != AF_INET6)
        return SIX_PORT_SOCKET(domain, type, protocol);
    if (!st)
        st = six_default_stack();
    return six_socket_on(st, domain, type, protocol);
}

/* ---- IPsec: the SAD and SPD (ipsec/) ---- */

int six_sa_add(struct six_stack *st, const struct six_sa *sa) {
    lock(st);
    long rc = six__ipsec_sa_add(st->ipsec, sa);
    unlock(st);
    return (int)ret(rc);
}

int six_sa_del(struct six_stack *st, const struct in6_addr *src, const struct in6_addr *dst,
               uint8_t proto, uint32_t spi) {
    lock(st);
    long rc = six__ipsec_sa_del(st->ipsec, src, dst, proto, spi);
    unlock(st);
    return (int)ret(rc);
}

int six_sa_flush(struct six_stack *st) {
    lock(st);
    long rc = six__ipsec_sa_flush(st->ipsec);
    unlock(st);
    return (int)ret(rc);
}

int six_sa_get_stats(struct six_stack *st, const struct in6_addr *dst, uint8_t proto,
                     uint32_t spi, struct six_sa_stats *out) {
    lock(st);
    long rc = six__ipsec_sa_stats(st->ipsec, dst, proto, spi, out);
    unlock(st);
    return (int)ret(rc);
}

int six_sp_add(struct six_stack *st, const struct six_sp *sp) {
    lock(st);
    long rc = six__ipsec_sp_add(st->ipsec, sp);
    unlock(st);
    return (int)ret(rc);
}

int six_sp_del(struct six_stack *st, const struct six_sp *sp) {
    lock(st);
    long rc = six__ipsec_sp_del(st->ipsec, sp);
    unlock(st);
    return (int)ret(rc);
}

int six_sp_flush(struct six_stack *st) {
    lock(st);
    long rc = six__ipsec_sp_flush(st->ipsec);
    unlock(st);
    return (int)ret(rc);
}

int six_setkey_apply(struct six_stack *st, const char *text, char *err, size_t errlen) {
    lock(st);
    long rc = six__setkey_apply(st->ipsec, text, err, errlen);
    unlock(st);
    return (int)ret(rc);
}

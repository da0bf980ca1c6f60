/* MLD listener: see mld.h.
 *
 * State per group and interface (struct mld_group, hung on the ip6
 * membership entry): the filter state last reported, the State Change
 * Report retransmissions still due (RFC 3810 6.1), and a pending answer
 * to a group-specific or group-and-source-specific query (6.2). Per
 * interface: the pending answer to a General Query, the Host
 * Compatibility Mode and its Older Version Querier Present timer (8.2).
 *
 * Choices where the RFCs leave room:
 * - A State Change Report is sent [Robustness Variable] times in all: at
 *   once, then at random intervals in (0, Unsolicited Report Interval].
 *   While a filter mode change is still being retransmitted, reports
 *   carry only its TO_IN/TO_EX record with the current sources, and a
 *   source change then restarts that record's count instead of adding
 *   ALLOW/BLOCK records.
 * - In MLDv1 mode a listener is a member when its state is not
 *   INCLUDE {}; source lists are not reported. Reports are repeated like
 *   State Change Reports; a Done goes out only when this node sent the
 *   last Report for the group (RFC 2710 4).
 * - Queries and reports must come from a link-local source with hop
 *   limit 1 and a Router Alert option; anything else is counted in
 *   mld_in_invalid and ignored (raw sockets still see it).
 */
#include "icmp6/mld.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "wire/bytes.h"
#include "wire/cksum.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/mld.h"

/* A source in the retransmission lists of RFC 3810 6.1. */
struct mld_rsrc {
    struct in6_addr addr;
    uint8_t allow;       /* 1: in the ALLOW record, 0: in the BLOCK record */
    uint8_t left;        /* reports still to carry it */
};

struct mld_group {
    struct six_mld *mld;
    struct six_mcast_entry *e;   /* NULL once the group was left */
    struct mld_group *next;      /* in mld->leaving */
    struct in6_addr group;
    unsigned ifindex;
    /* The state last reported. */
    int mode;
    struct in6_addr *srcs;
    unsigned nsrcs;
    /* State Change Report retransmissions (MLDv1: repeated Reports). */
    uint8_t mode_left;
    struct mld_rsrc *rx;
    unsigned nrx;
    struct six_timer retx;
    /* A pending answer to a query for this group. */
    struct six_timer resp;
    int resp_all;                /* the whole state (group-specific) */
    struct in6_addr *qsrcs;      /* else these sources */
    unsigned nqsrcs;
    int v1_last_reporter;
};

static const struct in6_addr all_mldv2_routers = {
    {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16}}};
static const struct in6_addr all_routers = {
    {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02}}};

static struct six_core *core_of(const struct six_mld *mld) { return mld->ip6->core; }

static struct six_mld_if *mif(struct six_mld *mld, unsigned ifindex) {
    return &mld->ifs[ifindex];
}

static uint64_t now(const struct six_mld *mld) { return six__now(core_of(mld)); }

/* Uniform in [0, max_us]. */
static uint64_t rand_us(struct six_mld *mld, uint64_t max_us) {
    return six__rand64(core_of(mld)) % (max_us + 1);
}

static int arm(struct six_mld *mld, struct six_timer *t, uint64_t when) {
    int rc = six__timer_arm(core_of(mld), t, when);
    if (rc < 0)
        SIX_STAT(core_of(mld), mld_out_errors);
    return rc;
}

static int same_addr(const struct in6_addr *a, const struct in6_addr *b) {
    return memcmp(a, b, sizeof(*a)) == 0;
}

static int in_list(const struct in6_addr *list, unsigned n, const struct in6_addr *a) {
    for (unsigned i = 0; i < n; i++)
        if (same_addr(&list[i], a))
            return 1;
    return 0;
}

/* Whether MLD runs on the interface: not loopback, and multicast. */
static int mld_link(const struct six_ip6 *ip6, unsigned ifindex) {
    const struct six_if *ifp = six__ip6_if(ip6, ifindex);
    return ifp && !(ifp->flags & SIX_IFF_LOOPBACK) && (ifp->flags & SIX_IFF_MULTICAST);
}

/* RFC 3810 6: no messages for the link-scope all-nodes address, nor for
 * scopes 0 (reserved) and 1 (interface-local). The unspecified "every
 * group" is no group. */
static int reportable(const struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    static const struct in6_addr all_nodes = {
        {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}}};

    if (!mld_link(ip6, ifindex))
        return 0;
    if (!six_addr_is_multicast(g) || six_addr_scope(g) <= 1)
        return 0;
    return !same_addr(g, &all_nodes);
}

/* ---- sending ---- */

/* RFC 3810 5 / RFC 2710 3: a link-local source; RFC 3590: the
 * unspecified address while the interface has none. */
static struct in6_addr report_source(const struct six_ip6 *ip6, unsigned ifindex) {
    struct in6_addr any = IN6ADDR_ANY_INIT;

    for (unsigned i = 0; i < ip6->naddrs; i++) {
        const struct six_addr_entry *a = &ip6->addrs[i];
        if (a->ifindex == ifindex && six_addr_is_linklocal(&a->addr) &&
            !(a->flags & SIX_ADDR_ANYCAST) && six__addr_usable(a))
            return a->addr;
    }
    return any;
}

/* Sends an MLD message (pkt consumed, data at the message) out of ifp to
 * dst: hop limit 1, Router Alert in a hop-by-hop header, never looped
 * back to this node. */
static int mld_send(struct six_mld *mld, struct six_if *ifp, const struct in6_addr *dst,
                    struct six_pkt *pkt) {
    struct six_ip6_out o = {
        .dst = *dst,
        .nexthop = *dst,
        .ifindex = ifp->index,
        .nxt = SIX_NH_ICMPV6,
        .hlim = 1,
        .hbh = six_mld_hbh,
        .hbh_len = SIX_MLD_HBH_LEN,
        /* RFC 3810 5.2.15: reports fill the link MTU (the path is one
         * link) and are never fragmented. */
        .minmtu = SIX_MINMTU_NEVER,
        .dontfrag = 1,
    };

    o.src = report_source(mld->ip6, ifp->index);
    six_put16(pkt->data + SIX_ICMP6_OFF_CKSUM,
              six_cksum_ip6(&o.src, &o.dst, SIX_NH_ICMPV6, pkt->data, pkt->len));
    SIX_STAT(core_of(mld), icmp6_out_msgs);
    return six__ip6_send(mld->ip6, pkt, &o, ifp);
}

static struct six_pkt *msg_alloc(struct six_mld *mld, size_t len) {
    struct six_pkt *pkt = six__pkt_alloc(&core_of(mld)->pools, SIX_PKT_HEADROOM, len);
    if (!pkt) {
        SIX_STAT(core_of(mld), ip6_out_nobufs);
        SIX_STAT(core_of(mld), mld_out_errors);
    }
    return pkt;
}

/* An MLDv1 Report (to the group) or Done (to all routers), RFC 2710 3. */
static void send_v1(struct six_mld *mld, unsigned ifindex, uint8_t type,
                    const struct in6_addr *g) {
    struct six_if *ifp = six__ip6_if(mld->ip6, ifindex);
    struct six_mld1_repr r = {.type = type, .group = *g};
    struct six_pkt *pkt;

    if (!ifp || !(pkt = msg_alloc(mld, SIX_MLD1_LEN)))
        return;
    six_mld1_emit(&r, pkt->data);
    if (mld_send(mld, ifp, type == SIX_ICMP6_MLD_DONE ? &all_routers : g, pkt) < 0)
        return;
    if (type == SIX_ICMP6_MLD_DONE)
        SIX_STAT(core_of(mld), mld_out_v1_dones);
    else
        SIX_STAT(core_of(mld), mld_out_v1_reports);
}

/* Builds MLDv2 Reports record by record, starting a new one whenever the
 * next record would not fit the link MTU (RFC 3810 5.2.15). */
struct rb {
    struct six_mld *mld;
    struct six_if *ifp;
    struct six_pkt *pkt;
    size_t len;       /* bytes of the report so far */
    uint16_t nrec;
    size_t cap;       /* most bytes one report may have */
};

static int rb_init(struct rb *b, struct six_mld *mld, unsigned ifindex) {
    memset(b, 0, sizeof(*b));
    b->mld = mld;
    b->ifp = six__ip6_if(mld->ip6, ifindex);
    if (!b->ifp || b->ifp->mtu < SIX_IP6_MIN_MTU)
        return -ENXIO;
    b->cap = b->ifp->mtu - SIX_IP6_HDR_LEN - SIX_MLD_HBH_LEN;
    return 0;
}

static void rb_flush(struct rb *b) {
    struct six_pkt *pkt = b->pkt;

    if (!pkt)
        return;
    b->pkt = NULL;
    pkt->len = (uint32_t)b->len;
    six_mld2_report_emit_header(b->nrec, pkt->data);
    if (mld_send(b->mld, b->ifp, &all_mldv2_routers, pkt) == 0) {
        SIX_STAT(core_of(b->mld), mld_out_reports);
        core_of(b->mld)->stats.mld_out_records += b->nrec;
    }
}

/* Room for one record of n sources: in this report, or a new one. */
static int rb_room(struct rb *b, unsigned n) {
    if (b->pkt && b->len + six_mld2_record_len(n) <= b->cap)
        return 0;
    rb_flush(b);
    if (!(b->pkt = msg_alloc(b->mld, b->cap)))
        return -ENOBUFS;
    b->len = SIX_MLD2_REPORT_HDR;
    b->nrec = 0;
    return 0;
}

/* Adds a record of type for g with n sources. RFC 3810 5.2.15: what does
 * not fit one report is split into records of the same type, except
 * that an EXCLUDE-type record keeps only the sources that fit. */
static void rb_record(struct rb *b, uint8_t type, const struct in6_addr *g,
                      const struct in6_addr *srcs, unsigned n) {
    unsigned most = (unsigned)((b->cap - SIX_MLD2_REPORT_HDR - SIX_MLD2_RECORD_MIN) / 16);
    unsigned at = 0;

    if ((type == SIX_MLD2_IS_EX || type == SIX_MLD2_TO_EX) && n > most)
        n = most;
    do {
        unsigned k = n - at < most ? n - at : most;
        if (rb_room(b, k) < 0)
            return;
        b->len += six_mld2_record_emit(type, g, k ? srcs + at : NULL, (uint16_t)k,
                                       b->pkt->data + b->len);
        b->nrec++;
        at += k;
    } while (at < n);
}

/* ---- group state ---- */

static void retx_fire(struct six_timer *t, void *arg);
static void resp_fire(struct six_timer *t, void *arg);

static struct mld_group *group_new(struct six_mld *mld, unsigned ifindex,
                                   const struct in6_addr *g) {
    struct mld_group *mg = calloc(1, sizeof(*mg));

    if (!mg) {
        SIX_STAT(core_of(mld), mld_out_errors);
        return NULL;
    }
    mg->mld = mld;
    mg->group = *g;
    mg->ifindex = ifindex;
    mg->mode = MCAST_INCLUDE;
    six__timer_init(&mg->retx, retx_fire, mg);
    six__timer_init(&mg->resp, resp_fire, mg);
    return mg;
}

static void clear_query(struct mld_group *mg) {
    six__timer_cancel(core_of(mg->mld), &mg->resp);
    free(mg->qsrcs);
    mg->qsrcs = NULL;
    mg->nqsrcs = 0;
    mg->resp_all = 0;
}

static void clear_retx(struct mld_group *mg) {
    six__timer_cancel(core_of(mg->mld), &mg->retx);
    free(mg->rx);
    mg->rx = NULL;
    mg->nrx = 0;
    mg->mode_left = 0;
}

static void group_free(struct mld_group *mg) {
    clear_query(mg);
    clear_retx(mg);
    free(mg->srcs);
    free(mg);
}

static void unlink_leaving(struct mld_group *mg) {
    for (struct mld_group **pp = &mg->mld->leaving; *pp; pp = &(*pp)->next) {
        if (*pp == mg) {
            *pp = mg->next;
            return;
        }
    }
}

/* A group left and done retransmitting goes. */
static void maybe_release(struct mld_group *mg) {
    if (mg->e || six__timer_armed(&mg->retx))
        return;
    unlink_leaving(mg);
    group_free(mg);
}

static int is_member(int mode, unsigned nsrcs) { return mode == MCAST_EXCLUDE || nsrcs > 0; }

/* ---- State Change Reports (RFC 3810 6.1) ---- */

/* Puts a in the retransmission lists as allowed or blocked, replacing any
 * earlier entry for it. */
static int rx_set(struct mld_group *mg, const struct in6_addr *a, int allow, uint8_t count) {
    struct mld_rsrc *n;

    for (unsigned i = 0; i < mg->nrx; i++) {
        if (same_addr(&mg->rx[i].addr, a)) {
            mg->rx[i].allow = (uint8_t)allow;
            mg->rx[i].left = count;
            return 0;
        }
    }
    if (!(n = realloc(mg->rx, (mg->nrx + 1) * sizeof(*n))))
        return -ENOBUFS;
    mg->rx = n;
    mg->rx[mg->nrx++] = (struct mld_rsrc){.addr = *a, .allow = (uint8_t)allow, .left = count};
    return 0;
}

/* Sources in a but not b go to the lists as allow (or block). */
static void rx_diff(struct mld_group *mg, const struct in6_addr *a, unsigned na,
                    const struct in6_addr *b, unsigned nb, int allow, uint8_t count) {
    for (unsigned i = 0; i < na; i++)
        if (!in_list(b, nb, &a[i]) && rx_set(mg, &a[i], allow, count) < 0)
            SIX_STAT(core_of(mg->mld), mld_out_errors);
}

/* Adds the retransmission list's records of kind allow to b. */
static void rx_record(struct rb *b, struct mld_group *mg, int allow) {
    struct in6_addr *list = malloc((mg->nrx ? mg->nrx : 1) * sizeof(*list));
    unsigned n = 0;

    if (!list) {
        SIX_STAT(core_of(mg->mld), mld_out_errors);
        return;
    }
    for (unsigned i = 0; i < mg->nrx; i++)
        if (mg->rx[i].allow == allow && mg->rx[i].left > 0)
            list[n++] = mg->rx[i].addr;
    if (n)
        rb_record(b, allow ? SIX_MLD2_ALLOW : SIX_MLD2_BLOCK, &mg->group, list, n);
    free(list);
}

/* One State Change Report: the filter mode change record while one is
 * due, else the source list changes; every counter goes down by one. */
static void send_change(struct mld_group *mg) {
    struct rb b;

    if (rb_init(&b, mg->mld, mg->ifindex) < 0)
        return;
    if (mg->mode_left > 0) {
        rb_record(&b, mg->mode == MCAST_INCLUDE ? SIX_MLD2_TO_IN : SIX_MLD2_TO_EX, &mg->group,
                  mg->srcs, mg->nsrcs);
        mg->mode_left--;
    } else {
        rx_record(&b, mg, 1);
        rx_record(&b, mg, 0);
        for (unsigned i = 0; i < mg->nrx;)
            if (--mg->rx[i].left == 0)
                mg->rx[i] = mg->rx[--mg->nrx];
            else
                i++;
    }
    rb_flush(&b);
}

static int retx_due(const struct mld_group *mg) { return mg->mode_left > 0 || mg->nrx > 0; }

/* The next retransmission, in (0, Unsolicited Report Interval]. */
static void retx_schedule(struct mld_group *mg) {
    if (retx_due(mg))
        arm(mg->mld, &mg->retx, now(mg->mld) + 1 + rand_us(mg->mld, SIX_MLD_URI_MS * 1000 - 1));
    else
        six__timer_cancel(core_of(mg->mld), &mg->retx);
}

static uint8_t robustness(const struct six_mld_if *i) {
    return i->qrv ? i->qrv : SIX_MLD_ROBUSTNESS;
}

/* MLDv1 compatibility (RFC 3810 8.2.1, RFC 2710 4): only membership
 * counts; a join is a Report repeated, a leave a Done. */
static void change_v1(struct mld_group *mg, int was, int now_member) {
    struct six_mld_if *i = mif(mg->mld, mg->ifindex);

    if (!was && now_member) {
        send_v1(mg->mld, mg->ifindex, SIX_ICMP6_MLD_REPORT, &mg->group);
        mg->v1_last_reporter = 1;
        mg->mode_left = (uint8_t)(robustness(i) - 1);
        retx_schedule(mg);
    } else if (was && !now_member) {
        clear_retx(mg);
        clear_query(mg);
        if (mg->v1_last_reporter)
            send_v1(mg->mld, mg->ifindex, SIX_ICMP6_MLD_DONE, &mg->group);
    }
}

/* The group's state goes from what was last reported to (mode, srcs, n);
 * srcs is taken over. RFC 3810 6.1: a changed filter mode is reported as
 * TO_IN/TO_EX with the new sources, a changed source list as ALLOW and
 * BLOCK records; then retransmitted. */
static void state_change(struct mld_group *mg, int mode, struct in6_addr *srcs, unsigned n) {
    struct six_mld_if *i = mif(mg->mld, mg->ifindex);
    uint8_t qrv = robustness(i);
    int was = is_member(mg->mode, mg->nsrcs);

    if (mode == mg->mode && n == mg->nsrcs) {
        unsigned k = 0;
        while (k < n && in_list(mg->srcs, mg->nsrcs, &srcs[k]))
            k++;
        if (k == n) {
            free(srcs);
            return;
        }
    }
    if (i->v1) {
        free(mg->srcs);
        mg->srcs = srcs;
        mg->nsrcs = n;
        mg->mode = mode;
        change_v1(mg, was, is_member(mode, n));
        return;
    }
    if (mode != mg->mode || mg->mode_left > 0) {
        /* A filter mode change, or a source change while one is still
         * being retransmitted: its TO_IN/TO_EX record carries the whole
         * new list, sent [Robustness Variable] times from now. */
        clear_retx(mg);
        mg->mode_left = qrv;
    } else {
        int inc = mode == MCAST_INCLUDE;
        rx_diff(mg, srcs, n, mg->srcs, mg->nsrcs, inc, qrv);
        rx_diff(mg, mg->srcs, mg->nsrcs, srcs, n, !inc, qrv);
    }
    free(mg->srcs);
    mg->srcs = srcs;
    mg->nsrcs = n;
    mg->mode = mode;
    send_change(mg);
    retx_schedule(mg);
}

static void retx_fire(struct six_timer *t, void *arg) {
    struct mld_group *mg = arg;
    (void)t;

    if (!six__ip6_if(mg->mld->ip6, mg->ifindex)) {
        clear_retx(mg);
    } else if (mif(mg->mld, mg->ifindex)->v1) {
        if (mg->mode_left > 0) {
            mg->mode_left--;
            send_v1(mg->mld, mg->ifindex, SIX_ICMP6_MLD_REPORT, &mg->group);
            mg->v1_last_reporter = 1;
        }
        retx_schedule(mg);
    } else {
        send_change(mg);
        retx_schedule(mg);
    }
    maybe_release(mg);
}

/* ---- what ip6 tells us ---- */

/* The merged state of e, in a new array (NULL with 0 sources). Returns
 * the number of sources, or -ENOBUFS. */
static int merged_state(struct six_mcast_entry *e, int *mode, struct in6_addr **out) {
    unsigned n = six__ip6_mcast_state(e, mode, NULL, 0);

    *out = NULL;
    if (n == 0)
        return 0;
    if (!(*out = malloc(n * sizeof(**out))))
        return -ENOBUFS;
    return (int)six__ip6_mcast_state(e, mode, *out, n);
}

/* The group state for e, made (or taken back from the leaving list) on
 * first need. */
static struct mld_group *group_of(struct six_mld *mld, struct six_mcast_entry *e) {
    struct mld_group *mg;

    if (e->mld)
        return e->mld;
    for (mg = mld->leaving; mg; mg = mg->next)
        if (mg->ifindex == e->ifindex && same_addr(&mg->group, &e->group))
            break;
    if (mg)
        unlink_leaving(mg);
    else if (!(mg = group_new(mld, e->ifindex, &e->group)))
        return NULL;
    mg->e = e;
    e->mld = mg;
    return mg;
}

/* A group left: its state is INCLUDE {}; it stays on the leaving list
 * while the change is retransmitted. */
static void group_left(struct six_mld *mld, struct six_mcast_entry *e) {
    struct mld_group *mg = e->mld;

    if (!mg)
        return;
    e->mld = NULL;
    mg->e = NULL;
    mg->next = mld->leaving;
    mld->leaving = mg;
    clear_query(mg);
    state_change(mg, MCAST_INCLUDE, NULL, 0);
    maybe_release(mg);
}

static void notify(void *ctx, struct six_mcast_entry *e, int what) {
    struct six_mld *mld = ctx;
    struct mld_group *mg;
    struct in6_addr *srcs;
    int mode, n;

    if (what == SIX_MC_FORGET) {
        if (e->mld)
            group_free(e->mld);
        e->mld = NULL;
        return;
    }
    if (!reportable(mld->ip6, e->ifindex, &e->group))
        return;
    if (what == SIX_MC_LEFT) {
        group_left(mld, e);
        return;
    }
    if (!(mg = group_of(mld, e)))
        return;
    if ((n = merged_state(e, &mode, &srcs)) < 0) {
        SIX_STAT(core_of(mld), mld_out_errors);
        return;
    }
    state_change(mg, mode, srcs, (unsigned)n);
}

/* ---- queries (RFC 3810 6.2, 6.3) ---- */

/* Current State Record(s) for mg into b: all of its state (sources NULL),
 * or for a group-and-source-specific query the queried sources it
 * listens to (6.3). Nothing for a group it does not listen to. */
static void current_record(struct rb *b, struct mld_group *mg, const struct in6_addr *q,
                           unsigned nq) {
    struct in6_addr *list;
    unsigned n = 0;

    if (!q) {
        if (is_member(mg->mode, mg->nsrcs))
            rb_record(b, mg->mode == MCAST_INCLUDE ? SIX_MLD2_IS_IN : SIX_MLD2_IS_EX,
                      &mg->group, mg->srcs, mg->nsrcs);
        return;
    }
    if (!(list = malloc((nq ? nq : 1) * sizeof(*list)))) {
        SIX_STAT(core_of(mg->mld), mld_out_errors);
        return;
    }
    /* INCLUDE: the queried sources it includes; EXCLUDE: those it does
     * not exclude. Either way reported as IS_IN. */
    for (unsigned i = 0; i < nq; i++)
        if (in_list(mg->srcs, mg->nsrcs, &q[i]) == (mg->mode == MCAST_INCLUDE))
            list[n++] = q[i];
    if (n)
        rb_record(b, SIX_MLD2_IS_IN, &mg->group, list, n);
    free(list);
}

static void resp_fire(struct six_timer *t, void *arg) {
    struct mld_group *mg = arg;
    struct rb b;
    (void)t;

    if (mif(mg->mld, mg->ifindex)->v1) {
        if (is_member(mg->mode, mg->nsrcs)) {
            send_v1(mg->mld, mg->ifindex, SIX_ICMP6_MLD_REPORT, &mg->group);
            mg->v1_last_reporter = 1;
        }
    } else if (rb_init(&b, mg->mld, mg->ifindex) == 0) {
        current_record(&b, mg, mg->resp_all ? NULL : mg->qsrcs, mg->nqsrcs);
        rb_flush(&b);
    }
    clear_query(mg);
}

static void general_entry(void *arg, struct six_mcast_entry *e) {
    struct rb *b = arg;
    if (e->mld)
        current_record(b, e->mld, NULL, 0);
}

/* The answer to a General Query: one Current State Report (split by the
 * MTU) with a record for every group this interface listens to. */
static void general_fire(struct six_timer *t, void *arg) {
    struct six_mld_if *i = arg;
    struct rb b;
    (void)t;

    if (i->v1 || rb_init(&b, i->mld, i->ifindex) < 0)
        return;
    six__ip6_mcast_foreach(i->mld->ip6, i->ifindex, general_entry, &b);
    rb_flush(&b);
}

/* Adds the query's sources to mg's pending list (a union, 6.2 rule 4);
 * past the limit the answer becomes the whole state. */
static void query_sources(struct mld_group *mg, const struct six_mld_query_repr *q) {
    struct in6_addr *n;
    unsigned k = 0;

    if (mg->nqsrcs + q->nsrc > SIX_MCAST_ENTRY_MAX_SRCS ||
        !(n = realloc(mg->qsrcs, (mg->nqsrcs + q->nsrc) * sizeof(*n)))) {
        free(mg->qsrcs);
        mg->qsrcs = NULL;
        mg->nqsrcs = 0;
        mg->resp_all = 1;
        return;
    }
    mg->qsrcs = n;
    for (unsigned i = 0; i < q->nsrc; i++) {
        struct in6_addr a;
        memcpy(&a, q->srcs + (size_t)i * 16, 16);
        if (!in_list(mg->qsrcs, mg->nqsrcs + k, &a))
            mg->qsrcs[mg->nqsrcs + k++] = a;
    }
    mg->nqsrcs += k;
}

/* A query for one group, to be answered at `when` (RFC 3810 6.2 rules 3
 * and 4; RFC 2710 4 for MLDv1: the earlier of the two delays). */
static void query_group(struct six_mld *mld, struct six_mld_if *i,
                        const struct six_mld_query_repr *q, uint64_t when) {
    struct six_mcast_entry *e = six__ip6_mcast_find(mld->ip6, i->ifindex, &q->group);
    struct mld_group *mg = e ? e->mld : NULL;

    if (!mg || !is_member(mg->mode, mg->nsrcs))
        return;
    if (!six__timer_armed(&mg->resp)) {
        mg->resp_all = q->nsrc == 0;
        if (!mg->resp_all)
            query_sources(mg, q);
        arm(mld, &mg->resp, when);
        return;
    }
    if (mg->resp_all || q->nsrc == 0) {
        free(mg->qsrcs);
        mg->qsrcs = NULL;
        mg->nqsrcs = 0;
        mg->resp_all = 1;
    } else {
        query_sources(mg, q);
    }
    if (when < mg->resp.when)
        arm(mld, &mg->resp, when);
}

struct v1_general {
    struct six_mld *mld;
    uint64_t max_us;
};

/* RFC 2710 4: every group gets its own random delay; a pending Report
 * due sooner stays. */
static void v1_query_entry(void *arg, struct six_mcast_entry *e) {
    struct v1_general *v = arg;
    struct mld_group *mg = e->mld;
    uint64_t when;

    if (!mg || !is_member(mg->mode, mg->nsrcs))
        return;
    when = now(v->mld) + rand_us(v->mld, v->max_us);
    if (!six__timer_armed(&mg->resp) || when < mg->resp.when) {
        mg->resp_all = 1;
        arm(v->mld, &mg->resp, when);
    }
}

/* A General Query: MLDv2 answers once per interface (6.2 rules 1-2),
 * MLDv1 once per group. */
static void query_general(struct six_mld *mld, struct six_mld_if *i,
                          const struct six_mld_query_repr *q) {
    uint64_t max_us = (uint64_t)q->max_resp_ms * 1000, when;

    if (i->v1) {
        struct v1_general v = {mld, max_us};
        six__ip6_mcast_foreach(mld->ip6, i->ifindex, v1_query_entry, &v);
        return;
    }
    when = now(mld) + rand_us(mld, max_us);
    if (six__timer_armed(&i->general) && i->general.when <= when)
        return;
    arm(mld, &i->general, when);
}

static void cancel_group(void *arg, struct six_mcast_entry *e) {
    (void)arg;
    if (e->mld) {
        clear_query(e->mld);
        clear_retx(e->mld);
    }
}

/* RFC 3810 8.2.1: an MLDv1 query puts the interface in MLDv1 mode for
 * the Older Version Querier Present Timeout (9.12: robustness times the
 * query interval, plus the query response interval); moving to it
 * cancels every pending MLDv2 answer and retransmission. */
static void enter_v1(struct six_mld *mld, struct six_mld_if *i) {
    uint64_t timeout = (uint64_t)robustness(i) *
                           (i->qi_s ? i->qi_s : SIX_MLD_QUERY_INTERVAL_S) * 1000000u +
                       (uint64_t)SIX_MLD_QRI_MS * 1000u;

    if (!i->v1) {
        six__timer_cancel(core_of(mld), &i->general);
        six__ip6_mcast_foreach(mld->ip6, i->ifindex, cancel_group, NULL);
        for (struct mld_group **pp = &mld->leaving; *pp;) {
            struct mld_group *mg = *pp;
            if (mg->ifindex == i->ifindex) {
                *pp = mg->next;
                group_free(mg);
            } else {
                pp = &mg->next;
            }
        }
        i->v1 = 1;
    }
    arm(mld, &i->v1_timer, now(mld) + timeout);
}

static void v1_timer_fire(struct six_timer *t, void *arg) {
    struct six_mld_if *i = arg;
    (void)t;
    i->v1 = 0;
    SIX_STAT(core_of(i->mld), mld_v2_mode_resumed);
}

static void query_input(struct six_mld *mld, struct six_pkt *pkt, const uint8_t *msg,
                        size_t len) {
    struct six_mld_if *i = mif(mld, pkt->ifindex);
    struct six_mld_query_repr q;

    if (six_mld_query_parse(msg, len, &q) < 0) {
        SIX_STAT(core_of(mld), mld_in_truncated);
        return;
    }
    if (!six_addr_is_unspecified(&q.group) && !six_addr_is_multicast(&q.group)) {
        SIX_STAT(core_of(mld), mld_in_invalid);
        return;
    }
    SIX_STAT(core_of(mld), mld_in_queries);
    if (!q.v2) {
        SIX_STAT(core_of(mld), mld_in_v1_queries);
        enter_v1(mld, i);
    } else {
        /* RFC 3810 9.1, 9.2: a querier's values replace the defaults;
         * zero means it sent none. */
        if (q.qrv)
            i->qrv = q.qrv;
        if (q.qqi_s)
            i->qi_s = q.qqi_s;
    }
    if (six_addr_is_unspecified(&q.group)) {
        query_general(mld, i, &q);
        return;
    }
    /* 6.2 rule 1: a pending General Query answer due sooner covers it. */
    uint64_t when = now(mld) + rand_us(mld, (uint64_t)q.max_resp_ms * 1000);
    if (!i->v1 && six__timer_armed(&i->general) && i->general.when <= when)
        return;
    query_group(mld, i, &q, when);
}

/* RFC 2710 4: in MLDv1 mode, another node's Report for a group we were
 * about to report makes ours unnecessary. */
static void report_input(struct six_mld *mld, struct six_pkt *pkt, const uint8_t *msg,
                         size_t len) {
    struct six_mld1_repr r;
    struct six_mcast_entry *e;

    SIX_STAT(core_of(mld), mld_in_reports);
    if (msg[0] != SIX_ICMP6_MLD_REPORT || !mif(mld, pkt->ifindex)->v1 ||
        six_mld1_parse(msg, len, &r) < 0)
        return;
    e = six__ip6_mcast_find(mld->ip6, pkt->ifindex, &r.group);
    if (e && e->mld && six__timer_armed(&((struct mld_group *)e->mld)->resp)) {
        clear_query(e->mld);
        ((struct mld_group *)e->mld)->v1_last_reporter = 0;
    }
}

/* ---- input ---- */

/* Whether the packet's hop-by-hop header holds Router Alert with value 0
 * (RFC 2711: MLD). */
static int has_router_alert(const struct six_pkt *pkt) {
    const struct six_pkt_meta *m = &pkt->meta;
    struct six_opt_iter it;
    struct six_opt opt;

    if (!m->hbh_off)
        return 0;
    six_opt_iter_init(&it, pkt->data + m->hbh_off, m->hbh_len);
    while (six_opt_iter_next(&it, &opt) > 0)
        if (opt.type == SIX_OPT_ROUTER_ALERT && opt.len == 2 && six_get16(opt.data) == 0)
            return 1;
    return 0;
}

/* RFC 3810 5.1.14 and 5.2.13 (link-local source; a Report may come from
 * :: per RFC 3590), and the hop limit 1 and Router Alert every MLD
 * message is sent with (RFC 3810 5, RFC 2710 3). */
static int valid(const struct six_pkt *pkt, const struct six_ip6_repr *h, uint8_t type) {
    int src_ok = six_addr_is_linklocal(&h->src) ||
                 (type != SIX_ICMP6_MLD_QUERY && six_addr_is_unspecified(&h->src));
    return src_ok && h->hlim == 1 && has_router_alert(pkt);
}

/* Borrows pkt. */
void six__mld_input(struct six_mld *mld, struct six_pkt *pkt, const struct six_ip6_repr *h) {
    const uint8_t *msg = pkt->data + pkt->meta.l4_off;
    size_t len = pkt->len - pkt->meta.l4_off;

    if (pkt->ifindex > SIX_MAX_IFS || !mld_link(mld->ip6, pkt->ifindex))
        return;
    if (!valid(pkt, h, msg[0])) {
        SIX_STAT(core_of(mld), mld_in_invalid);
        return;
    }
    if (msg[0] == SIX_ICMP6_MLD_QUERY)
        query_input(mld, pkt, msg, len);
    else
        report_input(mld, pkt, msg, len);
}

void six__mld_init(struct six_mld *mld, struct six_ip6 *ip6) {
    memset(mld, 0, sizeof(*mld));
    mld->ip6 = ip6;
    for (unsigned k = 0; k <= SIX_MAX_IFS; k++) {
        struct six_mld_if *i = &mld->ifs[k];
        i->mld = mld;
        i->ifindex = k;
        six__timer_init(&i->general, general_fire, i);
        six__timer_init(&i->v1_timer, v1_timer_fire, i);
    }
    ip6->mcast_notify = notify;
    ip6->mcast_ctx = mld;
}

void six__mld_fini(struct six_mld *mld) {
    while (mld->leaving) {
        struct mld_group *mg = mld->leaving;
        mld->leaving = mg->next;
        group_free(mg);
    }
    for (unsigned k = 0; k <= SIX_MAX_IFS; k++) {
        six__timer_cancel(core_of(mld), &mld->ifs[k].general);
        six__timer_cancel(core_of(mld), &mld->ifs[k].v1_timer);
    }
    mld->ip6->mcast_notify = NULL;
}

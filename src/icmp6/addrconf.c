/* Address autoconfiguration: see addrconf.h. RFCs: RFC 4862 (5.3
 * link-local, 5.4 DAD, 5.5.3 SLAAC), RFC 7217 (stable identifiers), RFC
 * 8064 (stable by default), RFC 5453 (reserved identifiers), RFC 4291
 * appendix A and RFC 2464 4 (EUI-64).
 *
 * Addresses keep their lifetimes and DAD progress in their ip6 entry;
 * this file drives them from one timer. */
#include "icmp6/addrconf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "icmp6/nd.h"
#include "wire/bytes.h"
#include "wire/ether.h"
#include "wire/icmp6.h"

static void ac_timer(struct six_timer *t, void *arg);
static void addr_event(void *ctx, const struct six_addr_entry *a, int added);

static void *table(unsigned n, size_t elem) { return calloc(n ? n : 1, elem); }

int six__ac_init(struct six_ac *ac, struct six_nd *nd, const struct six_stack_config *cfg) {
    static const uint8_t zero[16];

    memset(ac, 0, sizeof(*ac));
    ac->ip6 = nd->ip6;
    ac->nd = nd;
    ac->dad_transmits = cfg->dad_transmits;
    ac->rtr_solicits = cfg->rtr_solicits;
    ac->autoconf = cfg->autoconf != 0;
    ac->gen_mode = cfg->addr_gen_mode;
    ac->linklocal = cfg->linklocal != 0;
    ac->max_routers = cfg->ra_max_routers;
    ac->max_prefixes = cfg->ra_max_prefixes;
    ac->max_redirects = cfg->redirect_max;
    ac->max_slaac = cfg->slaac_max_addrs;
    /* RFC 7217 5: the secret is the config's, else random (from the seed
     * when one is set, so that tests repeat). */
    if (memcmp(cfg->stable_secret, zero, sizeof(zero)) != 0)
        memcpy(&ac->secret, cfg->stable_secret, sizeof(ac->secret));
    else
        six__rand_key(ac->ip6->core, &ac->secret, sizeof(ac->secret));
    six__timer_init(&ac->timer, ac_timer, ac);
    for (unsigned i = 0; i <= SIX_MAX_IFS; i++)
        ac->ifs[i].rs_next = SIX_NEVER;
    ac->routers = table(ac->max_routers, sizeof(*ac->routers));
    ac->prefixes = table(ac->max_prefixes, sizeof(*ac->prefixes));
    ac->redirects = table(ac->max_redirects, sizeof(*ac->redirects));
    if (!ac->routers || !ac->prefixes || !ac->redirects) {
        six__ac_fini(ac);
        return -ENOMEM;
    }
    ac->ip6->addr_event = addr_event;
    ac->ip6->addr_event_ctx = ac;
    nd->ac = ac;
    return 0;
}

void six__ac_fini(struct six_ac *ac) {
    if (ac->ip6) {
        six__timer_cancel(ac->ip6->core, &ac->timer);
        ac->ip6->addr_event = NULL;
    }
    if (ac->nd)
        ac->nd->ac = NULL;
    free(ac->routers);
    free(ac->prefixes);
    free(ac->redirects);
    ac->routers = NULL;
    ac->prefixes = NULL;
    ac->redirects = NULL;
}

uint64_t six__ac_deadline(const struct six_ac *ac, uint32_t seconds) {
    if (seconds == 0xffffffffu)
        return SIX_NEVER;
    return six__now(ac->ip6->core) + (uint64_t)seconds * 1000000u;
}

static void log_addr(struct six_ac *ac, const struct six_addr_entry *e, const char *what) {
    struct six_if *ifp = six__ip6_if(ac->ip6, e->ifindex);
    char a[INET6_ADDRSTRLEN];

    inet_ntop(AF_INET6, &e->addr, a, sizeof(a));
    six__log(ac->ip6->core, "addrconf: %s: %s %s", ifp ? ifp->name : "?", a, what);
}

/* ---- interface identifiers ---- */

/* RFC 5453: identifiers no address may use (all zero, the reserved
 * 0200:5eff:fe00:0000-0200:5eff:feff:ffff range, subnet anycast). */
static int iid_reserved(const uint8_t iid[8]) {
    static const uint8_t zero[8], ieee[5] = {0x02, 0x00, 0x5e, 0xff, 0xfe};
    static const uint8_t anycast[7] = {0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

    return memcmp(iid, zero, 8) == 0 || memcmp(iid, ieee, 5) == 0 ||
           (memcmp(iid, anycast, 7) == 0 && iid[7] >= 0x80);
}

/* RFC 7217 5: RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter,
 * secret_key), F being SipHash-2-4 (a keyed PRF whose 64-bit output is
 * the identifier). Net_Iface is the interface's name (stable across
 * restarts, unlike an index); there is no Network_ID. */
static void stable_iid(const struct six_ac *ac, const struct six_if *ifp,
                       const struct in6_addr *prefix, unsigned counter, uint8_t iid[8]) {
    uint8_t in[8 + IF_NAMESIZE + 1];

    memcpy(in, prefix->s6_addr, 8);
    memset(in + 8, 0, IF_NAMESIZE);
    memcpy(in + 8, ifp->name, strnlen(ifp->name, IF_NAMESIZE));
    in[8 + IF_NAMESIZE] = (uint8_t)counter;
    uint64_t h = six__siphash(&ac->secret, in, sizeof(in));
    six_put32(iid, (uint32_t)(h >> 32));
    six_put32(iid + 4, (uint32_t)h);
}

/* The address for prefix (its first 64 bits) on ifp, with the DAD
 * counter *counter; a reserved identifier moves the counter on (RFC 7217
 * 5). Returns 0, or -EADDRNOTAVAIL past IDGEN_RETRIES. */
static int make_addr(const struct six_ac *ac, const struct six_if *ifp,
                     const struct in6_addr *prefix, unsigned *counter, struct in6_addr *out) {
    *out = *prefix;
    /* A link without a MAC has no EUI-64: a stable identifier there. */
    if (ac->gen_mode == SIX_ADDR_GEN_EUI64 && (ifp->flags & SIX_IFF_ETHERNET)) {
        six_eth_eui64(ifp->hwaddr, out->s6_addr + 8);
        return 0;
    }
    for (; *counter <= SIX_AC_IDGEN_RETRIES; (*counter)++) {
        stable_iid(ac, ifp, prefix, *counter, out->s6_addr + 8);
        if (!iid_reserved(out->s6_addr + 8))
            return 0;
    }
    return -EADDRNOTAVAIL;
}

/* ---- duplicate address detection (RFC 4862 5.4) ---- */

/* ip6 tells us about every new address: unicast addresses on Ethernet
 * start tentative (5.4: "before assigning it to an interface"), unless
 * DAD is off or the caller said SIX_ADDR_NODAD. Anycast addresses skip
 * it (5.4: "MUST NOT be performed on anycast addresses"). */
static void addr_event(void *ctx, const struct six_addr_entry *a, int added) {
    struct six_ac *ac = ctx;
    struct six_addr_entry *e = added ? six__ip6_addr_get(ac->ip6, a->ifindex, &a->addr) : NULL;
    struct six_if *ifp = six__ip6_if(ac->ip6, a->ifindex);
    int nodad;

    if (!e || !ifp)
        return;
    nodad = (e->flags & SIX_ADDR_NODAD) != 0;
    e->flags &= ~(unsigned)SIX_ADDR_NODAD;   /* addr_add told route caches */
    if (nodad || !(ifp->flags & SIX_IFF_ETHERNET) || !ac->dad_transmits ||
        (e->flags & SIX_ADDR_ANYCAST))
        return;
    e->flags |= SIX_ADDR_TENTATIVE;
    e->dad_left = (uint8_t)(ac->dad_transmits > 255 ? 255 : ac->dad_transmits);
    /* The first probe goes on the next run of the timers, after the
     * solicited-node join (and its MLD report) addr_add just made. */
    e->dad_next = six__now(ac->ip6->core);
    six__ac_schedule(ac);
}

/* 5.4.2: a solicitation from ::, to the target's solicited-node group,
 * without a Source Link-Layer Address option. */
static void send_dad_ns(struct six_ac *ac, const struct six_addr_entry *e) {
    struct six_if *ifp = six__ip6_if(ac->ip6, e->ifindex);
    struct six_nd_repr r = {.type = SIX_ICMP6_NEIGHBOR_SOLICIT, .target = e->addr};
    struct in6_addr any = IN6ADDR_ANY_INIT, sn;
    uint8_t msg[SIX_ND_NS_LEN];
    int len = six_nd_emit(&r, NULL, 0, msg, sizeof(msg));

    six_addr_solicited_node(&e->addr, &sn);
    if (ifp && len > 0 && six__nd_send(ac->nd, ifp, msg, (size_t)len, &any, &sn) == 0)
        SIX_STAT(ac->ip6->core, nd_out_dad_ns);
}

/* One DAD step for a tentative address that is due: the next probe, or
 * after the last one and RetransTimer of silence, the address is ours. */
static void dad_step(struct six_ac *ac, struct six_addr_entry *e, uint64_t now) {
    uint32_t retrans = ac->nd->ifs[e->ifindex].retrans_ms;

    if (e->dad_left > 0) {
        e->dad_left--;
        e->dad_next = now + (uint64_t)retrans * 1000;
        send_dad_ns(ac, e);
        return;
    }
    e->flags &= ~(unsigned)SIX_ADDR_TENTATIVE;
    six__ip6_routing_changed(ac->ip6);   /* a new source */
    SIX_STAT(ac->ip6->core, nd_dad_ok);
    log_addr(ac, e, (e->flags & SIX_ADDR_DEPRECATED) ? "is assigned (deprecated)"
                                                     : "is assigned (preferred)");
}

/* RFC 7217 6: a stable address that collided comes back with the next
 * DAD_Counter, its lifetimes and flags kept. Returns 0 when a new one
 * was added. */
static int retry_stable(struct six_ac *ac, const struct six_addr_entry *old) {
    struct six_if *ifp = six__ip6_if(ac->ip6, old->ifindex);
    unsigned counter = old->dad_counter + 1u;
    struct six_addr_entry *e;
    struct in6_addr a;

    if (!ifp || ac->gen_mode != SIX_ADDR_GEN_STABLE || counter > SIX_AC_IDGEN_RETRIES ||
        make_addr(ac, ifp, &old->addr, &counter, &a) < 0 ||
        six__ip6_addr_add(ac->ip6, old->ifindex, &a, old->plen,
                          old->flags & ~(unsigned)SIX_ADDR_TENTATIVE) < 0 ||
        !(e = six__ip6_addr_get(ac->ip6, old->ifindex, &a)))
        return -EADDRNOTAVAIL;
    e->dad_counter = (uint8_t)counter;
    e->valid_until = old->valid_until;
    e->preferred_until = old->preferred_until;
    log_addr(ac, e, "tried instead (RFC 7217 DAD counter)");
    return 0;
}

/* RFC 4862 5.4.5: the address is not ours. A stable autoconfigured
 * address is tried again with the next counter; otherwise it stays,
 * marked duplicated and unused, and when it was the interface's
 * link-local address autoconfiguration stops there. */
void six__ac_dad_duplicate(struct six_ac *ac, struct six_addr_entry *e) {
    struct six_addr_entry old = *e;

    SIX_STAT(ac->ip6->core, nd_dad_duplicates);
    log_addr(ac, e, "is a duplicate: another node uses it");
    if ((old.flags & (SIX_ADDR_AUTOCONF | SIX_ADDR_LL_AUTO)) &&
        ac->gen_mode == SIX_ADDR_GEN_STABLE && old.dad_counter < SIX_AC_IDGEN_RETRIES) {
        six__ip6_addr_del(ac->ip6, old.ifindex, &old.addr);
        if (retry_stable(ac, &old) == 0)
            return;
        six__ip6_addr_add(ac->ip6, old.ifindex, &old.addr, old.plen, SIX_ADDR_NODAD);
        e = six__ip6_addr_get(ac->ip6, old.ifindex, &old.addr);
        if (!e)
            return;
        e->flags = old.flags;
        e->valid_until = old.valid_until;
        e->preferred_until = old.preferred_until;
        e->dad_counter = old.dad_counter;
    }
    e->flags = (e->flags & ~(unsigned)SIX_ADDR_TENTATIVE) | SIX_ADDR_DUPLICATED;
    e->dad_left = 0;
    if ((old.flags & SIX_ADDR_LL_AUTO) && old.ifindex <= SIX_MAX_IFS) {
        struct six_if *ifp = six__ip6_if(ac->ip6, old.ifindex);
        ac->ifs[old.ifindex].stopped = 1;
        ac->ifs[old.ifindex].on = 0;
        if (ifp)
            six__rd_solicit(ac, ifp, 0);
        six__log(ac->ip6->core, "addrconf: %s: link-local address duplicated: "
                 "autoconfiguration stopped", ifp ? ifp->name : "?");
    }
    six__ac_schedule(ac);
}

/* ---- link-local addresses (RFC 4862 5.3) and interfaces ---- */

static int add_linklocal(struct six_ac *ac, struct six_if *ifp) {
    struct in6_addr ll, fe80 = {{{0xfe, 0x80}}};
    unsigned counter = 0;
    struct six_addr_entry *e;
    char a[INET6_ADDRSTRLEN];
    int rc;

    if ((rc = make_addr(ac, ifp, &fe80, &counter, &ll)) < 0)
        return rc;
    if ((rc = six__ip6_addr_add(ac->ip6, ifp->index, &ll, 64, SIX_ADDR_LL_AUTO)) < 0)
        return rc;
    if ((e = six__ip6_addr_get(ac->ip6, ifp->index, &ll)))
        e->dad_counter = (uint8_t)counter;
    inet_ntop(AF_INET6, &ll, a, sizeof(a));
    six__log(ac->ip6->core, "addrconf: %s: link-local address %s", ifp->name, a);
    return 0;
}

int six__ac_if_up(struct six_ac *ac, struct six_if *ifp) {
    int rc;

    if ((ifp->flags & SIX_IFF_LOOPBACK) || ifp->index > SIX_MAX_IFS)
        return 0;
    /* RFC 4291 2.1: every interface has a link-local address, bare IPv6
     * links (memwire, TUN) too; they have no neighbour discovery, hence no
     * DAD (addr_event) and no autoconfiguration. */
    if (!(ifp->flags & SIX_IFF_ETHERNET))
        return ac->linklocal ? add_linklocal(ac, ifp) : 0;
    memset(&ac->ifs[ifp->index], 0, sizeof(ac->ifs[ifp->index]));
    ac->ifs[ifp->index].rs_next = SIX_NEVER;
    ac->ifs[ifp->index].mtu_max = ifp->mtu;
    if (ac->linklocal && (rc = add_linklocal(ac, ifp)) < 0)
        return rc;
    return six__ac_set_autoconf(ac, ifp, ac->autoconf);
}

int six__ac_set_autoconf(struct six_ac *ac, struct six_if *ifp, int on) {
    struct six_ac_if *ai;

    if (!(ifp->flags & SIX_IFF_ETHERNET) || ifp->index > SIX_MAX_IFS)
        return -EOPNOTSUPP;
    ai = &ac->ifs[ifp->index];
    on = on && !ai->stopped;
    if (ai->on == on)
        return 0;
    ai->on = (uint8_t)on;
    six__rd_solicit(ac, ifp, on);
    six__ac_schedule(ac);
    return 0;
}

/* ---- SLAAC (RFC 4862 5.5.3) ---- */

/* The autoconfigured address of ifindex in prefix (/64), or NULL. */
static struct six_addr_entry *slaac_find(struct six_ac *ac, unsigned ifindex,
                                         const struct in6_addr *prefix, unsigned *count) {
    struct six_addr_entry *found = NULL;

    *count = 0;
    for (unsigned i = 0; i < ac->ip6->naddrs; i++) {
        struct six_addr_entry *e = &ac->ip6->addrs[i];
        if (e->ifindex != ifindex || !(e->flags & SIX_ADDR_AUTOCONF))
            continue;
        (*count)++;
        if (six_addr_prefix_match(&e->addr, prefix, 64))
            found = e;
    }
    return found;
}

static void set_preferred(struct six_ac *ac, struct six_addr_entry *e, uint64_t until,
                          uint64_t now) {
    six__ip6_routing_changed(ac->ip6);   /* RFC 6724 rule 3 may choose anew */
    e->preferred_until = until < e->valid_until ? until : e->valid_until;
    if (e->preferred_until <= now)
        e->flags |= SIX_ADDR_DEPRECATED;
    else
        e->flags &= ~(unsigned)SIX_ADDR_DEPRECATED;
}

/* 5.5.3 (e): the valid lifetime of an address we already have, with the
 * two-hour rule that keeps a forged option from cutting it short. */
static void update_valid(struct six_ac *ac, struct six_addr_entry *e, uint32_t valid_s,
                         uint64_t now) {
    uint64_t two_hours = now + (uint64_t)SIX_AC_TWO_HOURS_S * 1000000u;
    uint64_t received = six__ac_deadline(ac, valid_s);

    if (valid_s > SIX_AC_TWO_HOURS_S || received > e->valid_until)
        e->valid_until = received;           /* 1 */
    else if (e->valid_until <= two_hours)
        return;                              /* 2: ignored */
    else
        e->valid_until = two_hours;          /* 3 */
}

/* 5.5.3 (d): a new address from the prefix. */
static void slaac_new(struct six_ac *ac, struct six_if *ifp, const struct six_nd_prefix *pi) {
    unsigned counter = 0;
    struct six_addr_entry *e;
    struct in6_addr a;
    uint64_t now = six__now(ac->ip6->core);

    if (make_addr(ac, ifp, &pi->prefix, &counter, &a) < 0 ||
        six__ip6_addr_add(ac->ip6, ifp->index, &a, 64,
                          SIX_ADDR_AUTOCONF | SIX_ADDR_NOPREFIXROUTE) < 0 ||
        !(e = six__ip6_addr_get(ac->ip6, ifp->index, &a)))
        return;
    SIX_STAT(ac->ip6->core, nd_slaac_addrs);
    e->dad_counter = (uint8_t)counter;
    e->valid_until = six__ac_deadline(ac, pi->valid);
    set_preferred(ac, e, six__ac_deadline(ac, pi->preferred), now);
    log_addr(ac, e, "made by SLAAC");
}

void six__ac_slaac(struct six_ac *ac, struct six_if *ifp, const struct six_nd_prefix *pi) {
    uint64_t now = six__now(ac->ip6->core);
    struct six_addr_entry *e;
    unsigned count;

    /* (b) link-local prefixes and (c) preferred over valid: ignored;
     * and 5.5.3: a prefix that does not leave 64 bits for our
     * identifiers cannot be used. */
    if (six_addr_is_linklocal(&pi->prefix) || pi->preferred > pi->valid || pi->plen != 64) {
        SIX_STAT(ac->ip6->core, nd_in_ra_bad_prefix);
        return;
    }
    e = slaac_find(ac, ifp->index, &pi->prefix, &count);
    if (!e) {
        if (pi->valid == 0)
            return;
        if (count >= ac->max_slaac) {
            SIX_STAT(ac->ip6->core, nd_ra_table_full);
            return;
        }
        slaac_new(ac, ifp, pi);
    } else {
        update_valid(ac, e, pi->valid, now);
        set_preferred(ac, e, six__ac_deadline(ac, pi->preferred), now);
    }
    six__ac_schedule(ac);
}

/* ---- lifetimes and the timer ---- */

/* Serves one address at now: DAD, deprecation, expiry. Returns 1 when the
 * address was removed (the array moved under the caller). */
static int addr_tick(struct six_ac *ac, struct six_addr_entry *e, uint64_t now) {
    if (e->valid_until <= now) {
        struct six_addr_entry gone = *e;
        SIX_STAT(ac->ip6->core, nd_addrs_expired);
        six__ip6_addr_del(ac->ip6, gone.ifindex, &gone.addr);
        log_addr(ac, &gone, "removed: valid lifetime ended");
        return 1;
    }
    if ((e->flags & SIX_ADDR_TENTATIVE) && e->dad_next <= now)
        dad_step(ac, e, now);
    if (e->preferred_until <= now && !(e->flags & SIX_ADDR_DEPRECATED)) {
        e->flags |= SIX_ADDR_DEPRECATED;
        six__ip6_routing_changed(ac->ip6);
        SIX_STAT(ac->ip6->core, nd_addrs_deprecated);
        log_addr(ac, e, "deprecated: preferred lifetime ended");
    }
    return 0;
}

static uint64_t addr_next(const struct six_addr_entry *e) {
    uint64_t next = e->valid_until;

    if ((e->flags & SIX_ADDR_TENTATIVE) && e->dad_next < next)
        next = e->dad_next;
    if (!(e->flags & SIX_ADDR_DEPRECATED) && e->preferred_until < next)
        next = e->preferred_until;
    return next;
}

static void ac_timer(struct six_timer *t, void *arg) {
    struct six_ac *ac = arg;
    uint64_t now = six__now(ac->ip6->core);

    (void)t;
    for (unsigned i = 0; i < ac->ip6->naddrs;)
        if (!addr_tick(ac, &ac->ip6->addrs[i], now))
            i++;
    six__rd_tick(ac, now);
    six__ac_schedule(ac);
}

void six__ac_schedule(struct six_ac *ac) {
    uint64_t next = six__rd_next(ac);

    for (unsigned i = 0; i < ac->ip6->naddrs; i++) {
        uint64_t n = addr_next(&ac->ip6->addrs[i]);
        if (n < next)
            next = n;
    }
    if (next == SIX_NEVER) {
        six__timer_cancel(ac->ip6->core, &ac->timer);
        return;
    }
    /* A failed arm (no memory for the heap) is retried at the next
     * change; nothing is lost but time. */
    (void)six__timer_arm(ac->ip6->core, &ac->timer, next);
}

/* Address autoconfiguration and router discovery for a host.
 *
 * addrconf.c (RFC 4862, RFC 7217): link-local addresses, duplicate
 * address detection, SLAAC addresses from advertised prefixes with their
 * lifetimes, stable interface identifiers, and the one timer every
 * deadline below runs on.
 * router.c (RFC 4861 6 and 8): Router Solicitations, Router
 * Advertisement validation and processing (default router list and
 * selection, prefix list and on-link routes, MTU, hop limit, ND timers),
 * Redirects.
 *
 * RFCs to read before editing: RFC 4862 (5.3-5.5), RFC 7217 (5, 6), RFC
 * 8064, RFC 5453 (reserved identifiers), RFC 4861 (6.1.2, 6.3, 8, 10),
 * RFC 5942 (on-link), RFC 6724 rule 3.
 *
 * State is in bounded arrays sized from the config when the stack is
 * made; lifetimes and retransmissions are deadlines on the stack clock,
 * served by one core timer armed for the earliest of them.
 */
#ifndef SIX_ICMP6_ADDRCONF_H
#define SIX_ICMP6_ADDRCONF_H

#include <netinet/in.h>
#include <stdint.h>

#include "core/hash.h"
#include "ip6/ip6.h"
#include "wire/ipv6.h"
#include "wire/nd.h"

struct six_nd;

/* RFC 4861 10 (host constants, milliseconds) and RFC 7217 6. */
#define SIX_AC_MAX_RTR_SOLICITATION_DELAY 1000u
#define SIX_AC_RTR_SOLICITATION_INTERVAL 4000u
#define SIX_AC_IDGEN_RETRIES 3
/* RFC 4862 5.5.3 (e): the two hours a forged prefix option cannot cut a
 * valid lifetime below. */
#define SIX_AC_TWO_HOURS_S 7200u
/* Bounds on what a Router Advertisement may set: RFC 4861 6.2.1 caps
 * AdvReachableTime at one hour; the RFC sets none on RetransTimer, and we
 * ignore one over a minute (packets wait three of them for resolution). */
#define SIX_AC_MAX_REACHABLE_MS 3600000u
#define SIX_AC_MAX_RETRANS_MS 60000u

/* Internal address flag: the link-local address addrconf made. */
#define SIX_ADDR_LL_AUTO (1u << 17)

struct six_ac_router {
    unsigned ifindex;
    struct in6_addr addr;
    uint64_t expires;
};

struct six_ac_prefix {
    unsigned ifindex;
    struct in6_addr prefix;
    unsigned plen;
    uint64_t expires;          /* SIX_NEVER: infinite */
    int own_route;             /* the on-link route is ours to remove */
};

struct six_ac_redirect {
    unsigned ifindex;
    struct in6_addr dst;       /* the host route dst/128 */
    struct in6_addr router;    /* who redirected: the route goes with it */
};

struct six_ac_if {
    uint8_t on;                /* autoconfiguration */
    uint8_t stopped;           /* its link-local address was a duplicate */
    uint8_t rs_left;           /* Router Solicitations still to send */
    uint64_t rs_next;          /* SIX_NEVER when none */
    unsigned mtu_max;          /* the link's MTU when added: RAs stay below */
};

struct six_ac {
    struct six_ip6 *ip6;
    struct six_nd *nd;
    struct six_timer timer;
    struct six_hash_key secret; /* RFC 7217 secret_key */
    unsigned dad_transmits;
    unsigned rtr_solicits;
    int autoconf;              /* the default for new interfaces */
    int gen_mode;              /* SIX_ADDR_GEN_* */
    int linklocal;             /* make link-local addresses */
    struct six_ac_router *routers;  /* in preference order */
    unsigned nrouters, max_routers;
    struct six_ac_prefix *prefixes;
    unsigned nprefixes, max_prefixes;
    struct six_ac_redirect *redirects;
    unsigned nredirects, max_redirects;
    unsigned max_slaac;        /* SLAAC addresses per interface */
    struct six_ac_if ifs[SIX_MAX_IFS + 1];
};

/* ---- addrconf.c ---- */
/* Sets up from the config, allocates the tables, hooks ip6's address
 * events (to start DAD) and tells nd where to find us. Returns 0 or
 * -ENOMEM. */
int six__ac_init(struct six_ac *ac, struct six_nd *nd, const struct six_stack_config *cfg);
void six__ac_fini(struct six_ac *ac);
/* A new interface: on Ethernet, its link-local address (when the config
 * says so) and, with autoconfiguration, its Router Solicitations. Returns
 * 0 or a negative errno. */
int six__ac_if_up(struct six_ac *ac, struct six_if *ifp);
/* six_if_set_autoconf. Returns 0, -EOPNOTSUPP (not Ethernet). */
int six__ac_set_autoconf(struct six_ac *ac, struct six_if *ifp, int on);
/* An NS (from_ns 1; unspecified source) or NA (0) about target, which is
 * a tentative address e of the receiving interface: RFC 4862 5.4.3 and
 * 5.4.4 make it a duplicate. e may be gone when this returns. */
void six__ac_dad_duplicate(struct six_ac *ac, struct six_addr_entry *e);
/* RFC 4862 5.5.3: the SLAAC part of a Prefix Information option (A set)
 * received in a valid advertisement on ifp. */
void six__ac_slaac(struct six_ac *ac, struct six_if *ifp, const struct six_nd_prefix *pi);
/* Arms the timer for the earliest deadline (after any change). */
void six__ac_schedule(struct six_ac *ac);
/* A lifetime in seconds (0xffffffff: infinite) as a deadline. */
uint64_t six__ac_deadline(const struct six_ac *ac, uint32_t seconds);

/* ---- router.c ---- */
/* A Router Advertisement or Redirect on ifp that passed nd's common
 * checks (hop limit, code, length, options); r was parsed from pkt,
 * which is borrowed. */
void six__rd_ra_input(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                      const struct six_nd_repr *r);
void six__rd_redirect_input(struct six_ac *ac, struct six_if *ifp, const struct six_ip6_repr *h,
                            const struct six_nd_repr *r);
/* Starts (rs 1) or stops (0) the solicitations of an interface. */
void six__rd_solicit(struct six_ac *ac, struct six_if *ifp, int rs);
/* The neighbour addr on ifindex stopped answering (nd gave up on it):
 * a router that did goes to the end of the list (RFC 4861 6.3.6). */
void six__rd_neigh_lost(struct six_ac *ac, unsigned ifindex, const struct in6_addr *addr);
/* RFC 4861 7.2.5: a neighbour that was a router advertised itself with
 * the Router flag clear: it leaves the default router list (and its
 * redirects with it). */
void six__rd_not_router(struct six_ac *ac, unsigned ifindex, const struct in6_addr *addr);
/* Serves what is due at now (solicitations, expiries). */
void six__rd_tick(struct six_ac *ac, uint64_t now);
/* The next deadline of router.c, or SIX_NEVER. */
uint64_t six__rd_next(const struct six_ac *ac);
/* Recomputes the default route (after the router list changed). */
void six__rd_select(struct six_ac *ac);

#endif

/* Multicast memberships of a stack: which groups it accepts on which
 * interface, each counted by its users (sockets, and the stack itself for
 * solicited-node groups). Input asks for every multicast packet, so the
 * table is a hash keyed by (group, interface) with a per-stack random key:
 * the cost of a lookup does not grow with the number of groups joined.
 *
 * RFCs: RFC 4291 2.7 (groups, all-nodes), ip6(4) (the unspecified group
 * accepts every group).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/ipv6.h"

#define MC_HASH_MIN 16

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static unsigned slot(const struct six_ip6 *ip6, unsigned mask, unsigned ifindex,
                     const struct in6_addr *g) {
    uint64_t w[2];
    memcpy(w, g->s6_addr, sizeof(w));
    return (unsigned)(mix(w[0] ^ ip6->mc_key) ^ mix(w[1] + ifindex)) & mask;
}

static int table_init(struct six_ip6 *ip6) {
    if (ip6->mc_hash)
        return 0;
    ip6->mc_hash = calloc(MC_HASH_MIN, sizeof(*ip6->mc_hash));
    if (!ip6->mc_hash)
        return -ENOBUFS;
    ip6->mc_mask = MC_HASH_MIN - 1;
    ip6->mc_key = six__rand64(ip6->core);
    return 0;
}

/* Doubles the table past one entry per bucket; if that fails the chains
 * just get longer. */
static void table_grow(struct six_ip6 *ip6) {
    unsigned n = (ip6->mc_mask + 1) * 2;
    struct six_mcast_entry **t;

    if (ip6->mc_count <= ip6->mc_mask + 1 || !(t = calloc(n, sizeof(*t))))
        return;
    for (unsigned i = 0; i <= ip6->mc_mask; i++) {
        struct six_mcast_entry *e = ip6->mc_hash[i], *next;
        for (; e; e = next) {
            unsigned k = slot(ip6, n - 1, e->ifindex, &e->group);
            next = e->next;
            e->next = t[k];
            t[k] = e;
        }
    }
    free(ip6->mc_hash);
    ip6->mc_hash = t;
    ip6->mc_mask = n - 1;
}

struct six_mcast_entry *six__ip6_mcast_find(const struct six_ip6 *ip6, unsigned ifindex,
                                            const struct in6_addr *g) {
    if (!ip6->mc_hash)
        return NULL;
    for (struct six_mcast_entry *e = ip6->mc_hash[slot(ip6, ip6->mc_mask, ifindex, g)]; e;
         e = e->next)
        if (e->ifindex == ifindex && IN6_ARE_ADDR_EQUAL(&e->group, g))
            return e;
    return NULL;
}

int six__ip6_mcast_join(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    struct six_mcast_entry *e;
    unsigned k;

    if (!six_addr_is_multicast(g) && !six_addr_is_unspecified(g))
        return -EINVAL;
    if (!six__ip6_if(ip6, ifindex))
        return -ENODEV;
    if (table_init(ip6) < 0)
        return -ENOBUFS;
    if ((e = six__ip6_mcast_find(ip6, ifindex, g))) {
        e->refs++;
        return 0;
    }
    if (!(e = calloc(1, sizeof(*e))))
        return -ENOBUFS;
    e->group = *g;
    e->ifindex = ifindex;
    e->refs = 1;
    k = slot(ip6, ip6->mc_mask, ifindex, g);
    e->next = ip6->mc_hash[k];
    ip6->mc_hash[k] = e;
    ip6->mc_count++;
    table_grow(ip6);
    if (ip6->mcast_notify)
        ip6->mcast_notify(ip6->mcast_ctx, e, 1);
    return 0;
}

static void unlink_entry(struct six_ip6 *ip6, struct six_mcast_entry *e) {
    struct six_mcast_entry **pp = &ip6->mc_hash[slot(ip6, ip6->mc_mask, e->ifindex, &e->group)];
    for (; *pp; pp = &(*pp)->next) {
        if (*pp == e) {
            *pp = e->next;
            ip6->mc_count--;
            return;
        }
    }
}

int six__ip6_mcast_leave(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    struct six_mcast_entry *e = six__ip6_mcast_find(ip6, ifindex, g);

    if (!e)
        return -EADDRNOTAVAIL;
    if (--e->refs > 0)
        return 0;
    if (ip6->mcast_notify)
        ip6->mcast_notify(ip6->mcast_ctx, e, 0);
    unlink_entry(ip6, e);
    free(e);
    return 0;
}

int six__ip6_mcast_member(const struct six_ip6 *ip6, unsigned ifindex,
                          const struct in6_addr *g) {
    /* All-nodes (ff01::1 and ff02::1) is joined on every interface
     * (RFC 4291 2.7.1); byte 0 must be ff, or 2001::1 would match. */
    static const uint8_t all_nodes_tail[14] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const struct in6_addr any = IN6ADDR_ANY_INIT;

    if (g->s6_addr[0] == 0xff && (g->s6_addr[1] == 0x01 || g->s6_addr[1] == 0x02) &&
        memcmp(&g->s6_addr[2], all_nodes_tail, sizeof(all_nodes_tail)) == 0)
        return 1;
    if (six__ip6_mcast_find(ip6, ifindex, g))
        return 1;
    /* ip6(4): a join of the unspecified group accepts every group. */
    return six_addr_is_multicast(g) && six__ip6_mcast_find(ip6, ifindex, &any) != NULL;
}

void six__ip6_mcast_foreach(struct six_ip6 *ip6, unsigned ifindex,
                            void (*fn)(void *arg, struct six_mcast_entry *e), void *arg) {
    if (!ip6->mc_hash)
        return;
    for (unsigned i = 0; i <= ip6->mc_mask; i++) {
        struct six_mcast_entry *e = ip6->mc_hash[i], *next;
        for (; e; e = next) {
            next = e->next;   /* fn may not free e, but be safe to move on */
            if (!ifindex || e->ifindex == ifindex)
                fn(arg, e);
        }
    }
}

/* Frees an entry whose interface or stack is going: MLD drops its state
 * without sending anything. */
static void forget(struct six_ip6 *ip6, struct six_mcast_entry *e) {
    if (ip6->mcast_notify)
        ip6->mcast_notify(ip6->mcast_ctx, e, -1);
    free(e);
}

void six__ip6_mcast_remove_if(struct six_ip6 *ip6, unsigned ifindex) {
    if (!ip6->mc_hash)
        return;
    for (unsigned i = 0; i <= ip6->mc_mask; i++) {
        struct six_mcast_entry **pp = &ip6->mc_hash[i];
        while (*pp) {
            struct six_mcast_entry *e = *pp;
            if (e->ifindex == ifindex) {
                *pp = e->next;
                ip6->mc_count--;
                forget(ip6, e);
            } else {
                pp = &e->next;
            }
        }
    }
}

void six__ip6_mcast_fini(struct six_ip6 *ip6) {
    if (!ip6->mc_hash)
        return;
    for (unsigned i = 0; i <= ip6->mc_mask; i++) {
        struct six_mcast_entry *e = ip6->mc_hash[i], *next;
        for (; e; e = next) {
            next = e->next;
            forget(ip6, e);
        }
    }
    free(ip6->mc_hash);
    ip6->mc_hash = NULL;
    ip6->mc_count = 0;
    six__pktq_purge(&ip6->mloop);
}

/* Multicast memberships of a stack: which groups it accepts on which
 * interface, each counted by its users (sockets, and the stack itself for
 * solicited-node groups). Input asks for every multicast packet, so the
 * table is a hash keyed by (group, interface) with a per-stack random key:
 * the cost of a lookup does not grow with the number of groups joined.
 *
 * Each user holds a filter (RFC 3678's source filters: INCLUDE or
 * EXCLUDE a list of sources); an entry counts, per source, the users
 * including and excluding it, and merges them into the interface state
 * MLDv2 reports.
 *
 * RFCs: RFC 4291 2.7 (groups, all-nodes), ip6(4) (the unspecified group
 * accepts every group), RFC 3810 4.2 (merging the filters).
 */
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ip6/ip6.h"
#include "wire/ipv6.h"

/* Open addressing with linear probing, kept half empty: a lookup reads a
 * slot, or a few neighbouring ones, of a dense array, and the slot holds
 * what input needs (ip6.h). The chained table this replaces read every
 * entry it passed over and then the one it found, each a cache miss once
 * thousands of groups take turns, in a loop whose exit the branch
 * predictor could not learn. */
#define MC_SLOTS_MIN 4

static uint64_t mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

static uint32_t hash(const struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    uint64_t w[2];
    memcpy(w, g->s6_addr, sizeof(w));
    return (uint32_t)(mix(w[0] ^ ip6->mc_key) ^ mix(w[1] + ifindex));
}

static struct six_mcast_slot *slots_new(unsigned n) {
    size_t bytes = n * sizeof(struct six_mcast_slot);
    struct six_mcast_slot *t = aligned_alloc(_Alignof(struct six_mcast_slot), bytes);

    if (t)
        memset(t, 0, bytes);
    return t;
}

static int table_init(struct six_ip6 *ip6) {
    if (ip6->mc_slots)
        return 0;
    if (!(ip6->mc_slots = slots_new(MC_SLOTS_MIN)))
        return -ENOBUFS;
    ip6->mc_mask = MC_SLOTS_MIN - 1;
    ip6->mc_key = six__rand64(ip6->core);
    return 0;
}

/* Puts slot s in the first empty slot of t from its home. */
static void slot_put(struct six_mcast_slot *t, unsigned mask, const struct six_mcast_slot *s) {
    unsigned i = s->lo & mask;

    while (t[i].e)
        i = (i + 1) & mask;
    t[i] = *s;
}

/* Doubles the table; 0 or -ENOBUFS (the table is unchanged). */
static int table_grow(struct six_ip6 *ip6) {
    unsigned n = (ip6->mc_mask + 1) * 2;
    struct six_mcast_slot *t = slots_new(n);

    if (!t)
        return -ENOBUFS;
    for (unsigned i = 0; i <= ip6->mc_mask; i++)
        if (ip6->mc_slots[i].e)
            slot_put(t, n - 1, &ip6->mc_slots[i]);
    free(ip6->mc_slots);
    ip6->mc_slots = t;
    ip6->mc_mask = n - 1;
    return 0;
}

/* Room for one more entry. The table stays at most half full, so that
 * runs of linear probing stay short; a small one (a microcontroller's
 * handful of groups) may fill to three quarters, as may any table that
 * cannot grow. */
static int table_room(struct six_ip6 *ip6) {
    unsigned slots = ip6->mc_mask + 1, n = ip6->mc_count + 1;
    int fits = 4 * n <= 3 * slots;

    if (slots <= 8 ? fits : 2 * n <= slots)
        return 0;
    return table_grow(ip6) == 0 || fits ? 0 : -ENOBUFS;
}

/* The index of g's slot on ifindex, or -1. */
static long slot_index(const struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    const struct six_mcast_slot *t = ip6->mc_slots;

    if (!t)
        return -1;
    for (unsigned i = hash(ip6, ifindex, g) & ip6->mc_mask; t[i].e; i = (i + 1) & ip6->mc_mask)
        if (t[i].ifindex == ifindex && IN6_ARE_ADDR_EQUAL(&t[i].group, g))
            return i;
    return -1;
}

const struct six_mcast_slot *six__ip6_mcast_lookup(const struct six_ip6 *ip6, unsigned ifindex,
                                                   const struct in6_addr *g) {
    long i = slot_index(ip6, ifindex, g);
    return i < 0 ? NULL : &ip6->mc_slots[i];
}

struct six_mcast_entry *six__ip6_mcast_find(const struct six_ip6 *ip6, unsigned ifindex,
                                            const struct in6_addr *g) {
    long i = slot_index(ip6, ifindex, g);
    return i < 0 ? NULL : ip6->mc_slots[i].e;
}

/* Takes the entry in slot i out, moving later entries of its run back so
 * that every entry stays reachable from its home (no tombstones). */
static void slot_clear(struct six_ip6 *ip6, unsigned i) {
    struct six_mcast_slot *t = ip6->mc_slots;
    unsigned mask = ip6->mc_mask;

    for (unsigned j = (i + 1) & mask; t[j].e; j = (j + 1) & mask) {
        unsigned home = t[j].lo & mask;
        /* t[j] may move to i unless its home lies cyclically in (i, j]. */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            t[i] = t[j];
            i = j;
        }
    }
    memset(&t[i], 0, sizeof(t[i]));
    ip6->mc_count--;
}

/* ---- users' filters and their merge (RFC 3810 4.2) ---- */

static struct six_mcast_src *src_find(const struct six_mcast_entry *e,
                                      const struct in6_addr *a) {
    for (unsigned i = 0; i < e->nsrcs; i++)
        if (IN6_ARE_ADDR_EQUAL(&e->srcs[i].addr, a))
            return &e->srcs[i];
    return NULL;
}

/* Makes room in e for every source of f it does not hold yet, so that
 * applying f cannot fail halfway. */
static int src_reserve(struct six_mcast_entry *e, const struct six_mcast_filter *f) {
    unsigned extra = 0;

    for (unsigned i = 0; f && i < f->nsrc; i++)
        if (!src_find(e, &f->srcs[i]))
            extra++;
    return six__grow_array((void **)&e->srcs, &e->srcs_cap, e->nsrcs + extra, 8,
                           SIX_MCAST_ENTRY_MAX_SRCS, sizeof(*e->srcs));
}

/* Adds (sign 1) or takes away (-1) one user's filter from e's counts;
 * room was reserved before. */
static void apply(struct six_mcast_entry *e, const struct six_mcast_filter *f, int sign) {
    int ex = f->mode == MCAST_EXCLUDE;

    e->refs += (unsigned)sign;
    e->nex += ex ? (unsigned)sign : 0;
    for (unsigned i = 0; i < f->nsrc; i++) {
        struct six_mcast_src *src = src_find(e, &f->srcs[i]);
        if (!src) {
            src = &e->srcs[e->nsrcs++];
            *src = (struct six_mcast_src){.addr = f->srcs[i]};
        }
        if (ex)
            src->ex += (unsigned)sign;
        else
            src->in += (unsigned)sign;
    }
}

/* Drops sources no user names any more. */
static void src_prune(struct six_mcast_entry *e) {
    for (unsigned i = 0; i < e->nsrcs;)
        if (e->srcs[i].in == 0 && e->srcs[i].ex == 0)
            e->srcs[i] = e->srcs[--e->nsrcs];
        else
            i++;
}

unsigned six__ip6_mcast_state(const struct six_mcast_entry *e, int *mode, struct in6_addr *out,
                              unsigned max) {
    unsigned n = 0;

    /* RFC 3810 4.2: any EXCLUDE user makes the interface EXCLUDE, with
     * the intersection of the exclude lists minus every include list;
     * otherwise INCLUDE with the union of the include lists. */
    *mode = e->nex > 0 ? MCAST_EXCLUDE : MCAST_INCLUDE;
    for (unsigned i = 0; i < e->nsrcs; i++) {
        const struct six_mcast_src *src = &e->srcs[i];
        int keep = e->nex > 0 ? src->ex == e->nex && src->in == 0 : src->in > 0;
        if (!keep)
            continue;
        if (n < max)
            out[n] = src->addr;
        n++;
    }
    return n;
}

/* A new entry for g on ifindex, linked in and the link's filter opened;
 * NULL with *rc set on failure. */
static struct six_mcast_entry *entry_new(struct six_ip6 *ip6, unsigned ifindex,
                                         const struct in6_addr *g,
                                         const struct six_mcast_filter *f, int *rc) {
    struct six_mcast_entry *e;

    if ((*rc = table_init(ip6)) < 0 || (*rc = table_room(ip6)) < 0)
        return NULL;
    if (!(e = calloc(1, sizeof(*e)))) {
        *rc = -ENOBUFS;
        return NULL;
    }
    e->group = *g;
    e->ifindex = ifindex;
    if ((*rc = src_reserve(e, f)) < 0 ||
        (*rc = six__if_mcast_filter(six__ip6_if(ip6, ifindex), g, 1)) < 0) {
        free(e->srcs);
        free(e);
        return NULL;
    }
    slot_put(ip6->mc_slots, ip6->mc_mask,
             &(struct six_mcast_slot){.group = *g, .ifindex = ifindex, .lo = hash(ip6, ifindex, g),
                                      .e = e});
    ip6->mc_count++;
    ip6->mc_all_count += six_addr_is_unspecified(g);
    return e;
}

static void unlink_entry(struct six_ip6 *ip6, struct six_mcast_entry *e) {
    ip6->mc_all_count -= six_addr_is_unspecified(&e->group);
    slot_clear(ip6, (unsigned)slot_index(ip6, e->ifindex, &e->group));
}

static void entry_free(struct six_mcast_entry *e) {
    free(e->srcs);
    free(e);
}

static void notify(struct six_ip6 *ip6, struct six_mcast_entry *e, int what) {
    if (ip6->mcast_notify)
        ip6->mcast_notify(ip6->mcast_ctx, e, what);
}

int six__ip6_mcast_update(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g,
                          const struct six_mcast_filter *old,
                          const struct six_mcast_filter *new_) {
    struct six_mcast_entry *e = six__ip6_mcast_find(ip6, ifindex, g);
    int rc = 0;

    if (!six_addr_is_multicast(g) && !six_addr_is_unspecified(g))
        return -EINVAL;
    if (old && (!e || e->refs == 0))
        return -EADDRNOTAVAIL;
    if (!e) {
        if (!new_)
            return -EADDRNOTAVAIL;
        if (!six__ip6_if(ip6, ifindex))
            return -ENODEV;
        if (!(e = entry_new(ip6, ifindex, g, new_, &rc)))
            return rc;
    } else if ((rc = src_reserve(e, new_)) < 0) {
        return rc;
    }
    if (old)
        apply(e, old, -1);
    if (new_)
        apply(e, new_, 1);
    src_prune(e);
    if (!old) {
        notify(ip6, e, e->refs == 1 ? SIX_MC_JOINED : SIX_MC_CHANGED);
        return 0;
    }
    if (e->refs > 0) {
        notify(ip6, e, SIX_MC_CHANGED);
        return 0;
    }
    notify(ip6, e, SIX_MC_LEFT);
    six__if_mcast_filter(six__ip6_if(ip6, ifindex), g, 0);
    unlink_entry(ip6, e);
    entry_free(e);
    return 0;
}

void six__ip6_mcast_owner(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g,
                          const void *owner, int op, int any) {
    long k = slot_index(ip6, ifindex, g);
    struct six_mcast_slot *s;
    int at = -1, empty = -1;

    if (k < 0)
        return;
    s = &ip6->mc_slots[k];
    for (int i = SIX_MC_OWNERS - 1; i >= 0; i--) {
        if (s->owner[i] == owner)
            at = i;
        if (!s->owner[i])
            empty = i;
    }
    if (op == SIX_MC_OWNER_ADD) {
        s->nowners++;
        at = empty;
    } else if (op == SIX_MC_OWNER_DEL) {
        s->nowners--;
        if (at >= 0) {
            s->owner[at] = NULL;
            s->nlisted--;
        }
        return;
    }
    if (at < 0)
        return;
    s->nlisted += !s->owner[at];
    s->owner[at] = owner;
    s->owner_any[at] = (uint8_t)(any != 0);
}

static const struct six_mcast_filter any_source = {.mode = MCAST_EXCLUDE};

int six__ip6_mcast_join(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    return six__ip6_mcast_update(ip6, ifindex, g, NULL, &any_source);
}

int six__ip6_mcast_leave(struct six_ip6 *ip6, unsigned ifindex, const struct in6_addr *g) {
    return six__ip6_mcast_update(ip6, ifindex, g, &any_source, NULL);
}

/* All-nodes, ff01::1 or ff02::1 (RFC 4291 2.7.1), in two words: a 14-byte
 * memcmp was a library call on every multicast packet. */
static int is_all_nodes(const struct in6_addr *g) {
    uint64_t hi, lo;

    memcpy(&hi, g->s6_addr, 8);
    memcpy(&lo, g->s6_addr + 8, 8);
    return (hi == htobe64(0xff01000000000000ull) || hi == htobe64(0xff02000000000000ull)) &&
           lo == htobe64(1);
}

int six__ip6_mcast_member(const struct six_ip6 *ip6, unsigned ifindex,
                          const struct in6_addr *g) {
    static const struct in6_addr any = IN6ADDR_ANY_INIT;

    /* All-nodes is joined on every interface. */
    if (is_all_nodes(g))
        return 1;
    if (six__ip6_mcast_find(ip6, ifindex, g))
        return 1;
    /* ip6(4): a join of the unspecified group accepts every group. */
    return ip6->mc_all_count > 0 && six_addr_is_multicast(g) &&
           six__ip6_mcast_find(ip6, ifindex, &any) != NULL;
}

void six__ip6_mcast_foreach(struct six_ip6 *ip6, unsigned ifindex,
                            void (*fn)(void *arg, struct six_mcast_entry *e), void *arg) {
    if (!ip6->mc_slots)
        return;
    /* fn may not add or free entries. */
    for (unsigned i = 0; i <= ip6->mc_mask; i++) {
        struct six_mcast_entry *e = ip6->mc_slots[i].e;
        if (e && (!ifindex || e->ifindex == ifindex))
            fn(arg, e);
    }
}

/* Frees an entry whose interface or stack is going: MLD drops its state
 * without sending anything. */
static void forget(struct six_ip6 *ip6, struct six_mcast_entry *e) {
    notify(ip6, e, SIX_MC_FORGET);
    entry_free(e);
}

void six__ip6_mcast_remove_if(struct six_ip6 *ip6, unsigned ifindex) {
    if (!ip6->mc_slots)
        return;
    /* Clearing slot i may move a later entry into it: look at i again.
     * An entry moved from the table's start to its end (a run that wraps)
     * is only looked at twice. */
    for (unsigned i = 0; i <= ip6->mc_mask;) {
        struct six_mcast_entry *e = ip6->mc_slots[i].e;
        if (e && e->ifindex == ifindex) {
            ip6->mc_all_count -= six_addr_is_unspecified(&e->group);
            slot_clear(ip6, i);
            forget(ip6, e);
        } else {
            i++;
        }
    }
}

void six__ip6_mcast_fini(struct six_ip6 *ip6) {
    if (!ip6->mc_slots)
        return;
    for (unsigned i = 0; i <= ip6->mc_mask; i++)
        if (ip6->mc_slots[i].e)
            forget(ip6, ip6->mc_slots[i].e);
    free(ip6->mc_slots);
    ip6->mc_slots = NULL;
    ip6->mc_count = 0;
    ip6->mc_all_count = 0;
    six__pktq_purge(&ip6->mloop);
}

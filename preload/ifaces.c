/* The process's view of interfaces: sixstack's. if_nametoindex and its
 * family name the stack's interfaces (the indexes a program puts in
 * sin6_scope_id or IPV6_MULTICAST_IF are the stack's); getifaddrs keeps the
 * kernel's entries of other families and gives sixstack's IPv6 addresses
 * in place of the kernel's. */
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <sixstack/sixstack.h>

#include "ifaces.h"
#include "preload.h"
#include "real.h"

/* Interface indexes looked at when listing (a process has lo and one
 * device; indexes are never reused beyond a few). */
#define MAX_IFINDEX 64

unsigned if_nametoindex(const char *name) {
    struct six_stack *st = preload_stack();
    unsigned i;

    if (!st)
        return 0;
    if (!(i = six_if_nametoindex(st, name)))
        errno = ENODEV;
    return i;
}

char *if_indextoname(unsigned ifindex, char buf[IF_NAMESIZE]) {
    struct six_stack *st = preload_stack();

    if (!st)
        return NULL;
    return six_if_indextoname(st, ifindex, buf);
}

struct if_nameindex *if_nameindex(void) {
    struct six_stack *st = preload_stack();
    struct if_nameindex *v;
    unsigned n = 0;
    char name[IF_NAMESIZE];

    if (!st)
        return NULL;
    if (!(v = calloc(MAX_IFINDEX + 1, sizeof(*v))))
        return NULL;
    for (unsigned i = 1; i <= MAX_IFINDEX; i++) {
        if (!six_if_indextoname(st, i, name))
            continue;
        v[n].if_index = i;
        if (!(v[n].if_name = strdup(name))) {
            if_freenameindex(v);
            errno = ENOMEM;
            return NULL;
        }
        n++;
    }
    return v;
}

void if_freenameindex(struct if_nameindex *v) {
    if (!v)
        return;
    for (struct if_nameindex *p = v; p->if_index; p++)
        free(p->if_name);
    free(v);
}

/* ---- getifaddrs ---- */

/* One sixstack address, with everything it points at. */
struct six_ifa {
    struct ifaddrs ifa;
    struct sockaddr_in6 addr, mask;
    char name[IF_NAMESIZE];
};

/* The lists handed out, so that freeifaddrs knows its own. */
struct list_hdr {
    struct list_hdr *next;
    struct ifaddrs *head;     /* what the program got */
    struct ifaddrs *kernel;   /* the kernel's list, whose entries it shares */
    struct ifaddrs *copies;   /* copies of the kernel's kept entries */
    struct six_ifa *six;
};
static struct list_hdr *lists;
static pthread_mutex_t lists_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned if_flags(struct six_stack *st, unsigned ifindex) {
    unsigned f = IFF_UP | IFF_RUNNING;
    uint8_t mac[6];

    if (ifindex == 1)
        return f | IFF_LOOPBACK;
    f |= IFF_MULTICAST;
    if (six_if_hwaddr(st, ifindex, mac) == 0)
        f |= IFF_BROADCAST;
    else
        f |= IFF_POINTOPOINT;
    return f;
}

static void fill_six(struct six_stack *st, const struct six_addr_info *a, struct six_ifa *e) {
    memset(e, 0, sizeof(*e));
    e->addr.sin6_family = AF_INET6;
    e->addr.sin6_addr = a->addr;
    if (IN6_IS_ADDR_LINKLOCAL(&a->addr))
        e->addr.sin6_scope_id = a->ifindex;
    e->mask.sin6_family = AF_INET6;
    for (unsigned b = 0; b < a->prefix_len; b++)
        e->mask.sin6_addr.s6_addr[b / 8] |= (uint8_t)(0x80 >> (b % 8));
    if (!six_if_indextoname(st, a->ifindex, e->name))
        strcpy(e->name, "?");
    e->ifa.ifa_name = e->name;
    e->ifa.ifa_flags = if_flags(st, a->ifindex);
    e->ifa.ifa_addr = (struct sockaddr *)&e->addr;
    e->ifa.ifa_netmask = (struct sockaddr *)&e->mask;
}

int getifaddrs(struct ifaddrs **out) {
    struct six_stack *st = preload_stack();
    struct six_addr_info addrs[64];
    struct ifaddrs *k = NULL, **tail;
    struct list_hdr *h;
    int nk = 0, ns, i;

    if (!st)
        return real.getifaddrs(out);
    if (real.getifaddrs(&k) < 0)
        k = NULL;
    for (struct ifaddrs *p = k; p; p = p->ifa_next)
        nk++;
    ns = six_addr_list(st, 0, addrs, 64);
    if (ns > 64)
        ns = 64;
    h = calloc(1, sizeof(*h));
    if (!h || (nk && !(h->copies = calloc((size_t)nk, sizeof(*h->copies)))) ||
        (ns && !(h->six = calloc((size_t)ns, sizeof(*h->six))))) {
        if (h) {
            free(h->copies);
            free(h);
        }
        if (k)
            real.freeifaddrs(k);
        errno = ENOMEM;
        return -1;
    }
    h->kernel = k;
    tail = &h->head;
    i = 0;
    for (struct ifaddrs *p = k; p; p = p->ifa_next) {
        if (p->ifa_addr && p->ifa_addr->sa_family == AF_INET6)
            continue;   /* the IPv6 view is sixstack's */
        h->copies[i] = *p;
        *tail = &h->copies[i++];
        tail = &(*tail)->ifa_next;
    }
    for (i = 0; i < ns; i++) {
        fill_six(st, &addrs[i], &h->six[i]);
        *tail = &h->six[i].ifa;
        tail = &(*tail)->ifa_next;
    }
    *tail = NULL;
    pthread_mutex_lock(&lists_lock);
    h->next = lists;
    lists = h;
    pthread_mutex_unlock(&lists_lock);
    *out = h->head;
    return 0;
}

void freeifaddrs(struct ifaddrs *ifa) {
    struct list_hdr **pp, *h = NULL;

    pthread_mutex_lock(&lists_lock);
    for (pp = &lists; *pp; pp = &(*pp)->next)
        if ((*pp)->head == ifa) {
            h = *pp;
            *pp = h->next;
            break;
        }
    pthread_mutex_unlock(&lists_lock);
    if (!h) {
        real.freeifaddrs(ifa);
        return;
    }
    if (h->kernel)
        real.freeifaddrs(h->kernel);
    free(h->copies);
    free(h->six);
    free(h);
}

/* ---- ioctl ---- */

int preload_if_ioctl(unsigned long req, void *arg) {
    struct six_stack *st;
    struct ifreq *r = arg;
    unsigned ifx;
    int mtu;

    if (req != SIOCGIFINDEX && req != SIOCGIFNAME && req != SIOCGIFMTU &&
        req != SIOCGIFFLAGS && req != SIOCGIFHWADDR)
        return -2;
    if (!(st = preload_stack()))
        return -1;
    if (req == SIOCGIFNAME)
        return six_if_indextoname(st, (unsigned)r->ifr_ifindex, r->ifr_name) ? 0 : -1;
    r->ifr_name[IF_NAMESIZE - 1] = 0;
    if (!(ifx = six_if_nametoindex(st, r->ifr_name))) {
        errno = ENODEV;
        return -1;
    }
    switch (req) {
    case SIOCGIFINDEX:
        r->ifr_ifindex = (int)ifx;
        return 0;
    case SIOCGIFMTU:
        if ((mtu = six_if_mtu(st, ifx)) < 0)
            return -1;
        r->ifr_mtu = mtu;
        return 0;
    case SIOCGIFFLAGS:
        r->ifr_flags = (short)if_flags(st, ifx);
        return 0;
    default: /* SIOCGIFHWADDR */
        memset(&r->ifr_hwaddr, 0, sizeof(r->ifr_hwaddr));
        if (six_if_hwaddr(st, ifx, (uint8_t *)r->ifr_hwaddr.sa_data) == 0) {
            r->ifr_hwaddr.sa_family = ARPHRD_ETHER;
        } else {
            r->ifr_hwaddr.sa_family = ifx == 1 ? ARPHRD_LOOPBACK : ARPHRD_NONE;
        }
        return 0;
    }
}

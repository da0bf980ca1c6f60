/* TAP and TUN drivers: a kernel network interface whose other side is a
 * file descriptor (/dev/net/tun, Linux's Documentation/networking/
 * tuntap.rst). TAP carries Ethernet frames, so the interface is Ethernet
 * and resolves neighbours; TUN carries bare IP packets (no link layer,
 * no neighbour discovery). Both are opened without the packet-information
 * prefix (IFF_NO_PI) and non-blocking: rx reads until the descriptor is
 * empty or the budget is spent, and the threaded run loop polls the
 * descriptor (the fd op) to wake when frames arrive.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "link/link.h"

struct tap {
    int fd;
    unsigned frame_max;   /* mtu plus the link header */
};

/* Consumes pkt. A full kernel queue (EAGAIN) is the link's drop, as on a
 * NIC; anything else is an error the driver counts. */
static int tap_tx(struct six_if *ifp, struct six_pkt *pkt) {
    struct tap *t = ifp->priv;
    ssize_t n = write(t->fd, pkt->data, pkt->len);
    int rc = 0;

    if (n < 0) {
        rc = errno == EAGAIN || errno == ENOBUFS ? -ENOBUFS : -errno;
        if (rc != -ENOBUFS)
            SIX_STAT(ifp->core, link_tx_errors);
    }
    six__pkt_free(pkt);
    return rc;
}

/* Reads one waiting frame and discards it (no buffer to put it in).
 * Returns 1 when there was one. */
static int tap_discard(struct tap *t) {
    uint8_t scratch[2048];
    return read(t->fd, scratch, sizeof(scratch)) >= 0;
}

static unsigned tap_rx(struct six_if *ifp, unsigned budget) {
    struct tap *t = ifp->priv;
    unsigned n = 0;

    while (n < budget) {
        struct six_pkt *pkt = six__pkt_alloc(&ifp->core->pools, SIX_PKT_HEADROOM, t->frame_max);
        ssize_t got;

        if (!pkt) {
            if (!tap_discard(t))
                break;
            SIX_STAT(ifp->core, ip6_in_nobufs);
            n++;
            continue;
        }
        got = read(t->fd, pkt->data, t->frame_max);
        if (got <= 0) {
            six__pkt_free(pkt);
            break;
        }
        pkt->len = (uint32_t)got;
        six__if_deliver(ifp, pkt);
        n++;
    }
    return n;
}

static void tap_destroy(struct six_if *ifp) {
    struct tap *t = ifp->priv;
    close(t->fd);
    free(t);
}

static int tap_fd(const struct six_if *ifp) {
    const struct tap *t = ifp->priv;
    return t->fd;
}

static const struct six_link_ops tap_ops = {
    .tx = tap_tx,
    .rx = tap_rx,
    .destroy = tap_destroy,
    .fd = tap_fd,
};

/* Attaches to (creating if needed) the kernel interface dev. */
static int tun_open(const char *dev, short flags) {
    struct ifreq ifr;
    int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

    if (fd < 0)
        return -errno;
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = (short)(flags | IFF_NO_PI);
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        int e = errno;
        close(fd);
        return -e;
    }
    return fd;
}

int six__tap_open(struct six_if *ifp, const char *dev, int tap, const uint8_t *mac,
                  unsigned mtu) {
    struct tap *t = calloc(1, sizeof(*t));
    int fd;

    if (!t)
        return -ENOMEM;
    if ((fd = tun_open(dev, tap ? IFF_TAP : IFF_TUN)) < 0) {
        free(t);
        return fd;
    }
    t->fd = fd;
    t->frame_max = mtu + (tap ? SIX_ETH_HDR_LEN : 0);
    ifp->ops = &tap_ops;
    ifp->priv = t;
    ifp->mtu = mtu;
    if (tap) {
        uint8_t m[SIX_ETH_ALEN];
        if (mac)
            memcpy(m, mac, SIX_ETH_ALEN);
        else
            six__ether_random_mac(ifp->core, m);
        six__ether_setup(ifp, m);
    } else {
        ifp->flags = SIX_IFF_POINTTOPOINT | SIX_IFF_MULTICAST;
    }
    return 0;
}

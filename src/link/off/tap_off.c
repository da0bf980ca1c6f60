/* Built instead of tap.c when SIX_TAP=OFF (a system without Linux's TUN
 * driver, or a program that never opens one): TAP and TUN interfaces are
 * not available and say so with EOPNOTSUPP. */
#include <errno.h>

#include "link/link.h"

int six__tap_open(struct six_if *ifp, const char *dev, int tap, const uint8_t *mac,
                  unsigned mtu) {
    (void)ifp;
    (void)dev;
    (void)tap;
    (void)mac;
    (void)mtu;
    return -EOPNOTSUPP;
}

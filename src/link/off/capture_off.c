/* Built instead of capture.c when SIX_PCAP=OFF (no libpcap): capture and
 * replay are not available and say so with EOPNOTSUPP. Nothing else of the
 * stack depends on them. */
#include <errno.h>

#include "link/link.h"

int six__capture_open(struct six_if *ifp, const char *path) {
    (void)ifp;
    (void)path;
    return -EOPNOTSUPP;
}

/* Nothing is ever open. */
void six__capture_close(struct six_if *ifp) { (void)ifp; }

void six__capture_write(struct six_if *ifp, const uint8_t *data, uint32_t len) {
    (void)ifp;
    (void)data;
    (void)len;
}

int six__replay_open(struct six_replay **out, const char *path, int ethernet,
                     const char *filter) {
    (void)out;
    (void)path;
    (void)ethernet;
    (void)filter;
    return -EOPNOTSUPP;
}

int six__replay_next(struct six_replay *r, const uint8_t **data, uint32_t *len) {
    (void)r;
    (void)data;
    (void)len;
    return 0;
}

void six__replay_close(struct six_replay *r) { (void)r; }

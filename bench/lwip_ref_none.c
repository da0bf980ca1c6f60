/* The lwIP reference when CMake did not find Debian's liblwip-dev: every
 * figure is missing, and lwip_ref_missing() says why. */
#include "lwip_ref.h"

#include <string.h>

const char *lwip_ref_missing(void) {
    return "liblwip-dev not installed";
}

int lwip_ref_init(void) {
    return -1;
}

double lwip_ref_raw_pps(size_t size, long iters) {
    (void)size;
    (void)iters;
    return -1;
}

double lwip_ref_udp_pps(size_t size, long iters) {
    (void)size;
    (void)iters;
    return -1;
}

int lwip_ref_memory(struct lwip_ref_memory *m, int count) {
    (void)count;
    memset(m, 0, sizeof(*m));
    return -1;
}

double lwip_ref_tcp_bulk(size_t total, size_t write_size) {
    (void)total;
    (void)write_size;
    return -1;
}

double lwip_ref_tcp_rr(size_t size, long iters, int nconns) {
    (void)size;
    (void)iters;
    (void)nconns;
    return -1;
}

double lwip_ref_tcp_cps(long iters) {
    (void)iters;
    return -1;
}

double lwip_ref_tcp_conn_bytes(int count) {
    (void)count;
    return -1;
}

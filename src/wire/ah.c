/* The Authentication Header's fixed part (RFC 4302 2). */
#include <errno.h>
#include <string.h>

#include "wire/ah.h"
#include "wire/bytes.h"

int six_ah_parse(const uint8_t *buf, size_t avail, struct six_ah_repr *r) {
    if (avail < SIX_AH_FIXED_LEN)
        return -EMSGSIZE;
    r->nxt = buf[0];
    r->len = ((size_t)buf[1] + 2) * 4;
    r->spi = six_get32(buf + 4);
    r->seq = six_get32(buf + 8);
    if (r->len < SIX_AH_FIXED_LEN || r->len % 8)
        return -EBADMSG;
    if (r->len > avail)
        return -EMSGSIZE;
    return 0;
}

void six_ah_emit(const struct six_ah_repr *r, uint8_t *buf) {
    buf[0] = r->nxt;
    buf[1] = (uint8_t)(r->len / 4 - 2);
    buf[2] = buf[3] = 0;
    six_put32(buf + 4, r->spi);
    six_put32(buf + 8, r->seq);
    memset(buf + SIX_AH_FIXED_LEN, 0, r->len - SIX_AH_FIXED_LEN);
}

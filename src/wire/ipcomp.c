/* The IPComp header (RFC 3173 2.2). */
#include <errno.h>

#include "wire/bytes.h"
#include "wire/ipcomp.h"

int six_ipcomp_parse(const uint8_t *buf, size_t avail, struct six_ipcomp_repr *r) {
    if (avail < SIX_IPCOMP_HDR_LEN)
        return -EMSGSIZE;
    if (buf[1] != 0)
        return -EBADMSG;
    r->nxt = buf[0];
    r->cpi = six_get16(buf + 2);
    return 0;
}

void six_ipcomp_emit(const struct six_ipcomp_repr *r, uint8_t *buf) {
    buf[0] = r->nxt;
    buf[1] = 0;
    six_put16(buf + 2, r->cpi);
}

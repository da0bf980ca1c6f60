/* The compression table on zlib: raw DEFLATE streams (RFC 2394: no zlib
 * header or checksum), compressed with a 2 KiB window as Linux does (its
 * inflate uses no more: a larger one could not be read there), inflated
 * with any window. One stream each way per SA, set up once; each packet
 * is compressed or inflated on its own (RFC 3173 2.1: no history across
 * packets), after a reset that allocates nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "ipsec/crypto.h"

struct six_comp {
    z_stream def, inf;
};

static void zlib_free(struct six_comp *c) {
    if (!c)
        return;
    deflateEnd(&c->def);
    inflateEnd(&c->inf);
    free(c);
}

static struct six_comp *zlib_new(void) {
    struct six_comp *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    if (deflateInit2(&c->def, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -11, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        free(c);
        return NULL;
    }
    if (inflateInit2(&c->inf, -15) != Z_OK) {
        deflateEnd(&c->def);
        free(c);
        return NULL;
    }
    return c;
}

static long zlib_compress(struct six_comp *c, const uint8_t *in, size_t len, uint8_t *out,
                          size_t cap) {
    if (deflateReset(&c->def) != Z_OK)
        return -EIO;
    c->def.next_in = (Bytef *)in;
    c->def.avail_in = (uInt)len;
    c->def.next_out = out;
    c->def.avail_out = (uInt)cap;
    /* Z_STREAM_END only when all of it fit in cap. */
    if (deflate(&c->def, Z_FINISH) != Z_STREAM_END)
        return -EMSGSIZE;
    return (long)(cap - c->def.avail_out);
}

static long zlib_decompress(struct six_comp *c, const uint8_t *in, size_t len, uint8_t *out,
                            size_t cap) {
    int rc;

    if (inflateReset(&c->inf) != Z_OK)
        return -EIO;
    c->inf.next_in = (Bytef *)in;
    c->inf.avail_in = (uInt)len;
    c->inf.next_out = out;
    c->inf.avail_out = (uInt)cap;
    rc = inflate(&c->inf, Z_FINISH);
    if (rc == Z_BUF_ERROR && c->inf.avail_out == 0)
        return -EMSGSIZE;   /* more than cap: refused, not truncated */
    if (rc != Z_STREAM_END || c->inf.avail_in != 0)
        return -EBADMSG;
    return (long)(cap - c->inf.avail_out);
}

const struct six_comp_ops six__comp_zlib = {
    .comp_new = zlib_new,
    .comp_free = zlib_free,
    .compress = zlib_compress,
    .decompress = zlib_decompress,
};

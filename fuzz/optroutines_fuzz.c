/* libFuzzer harness for the RFC 2292 and RFC 3542 option routines
 * (<sixstack/opt.h>), the ones applications run on headers they received:
 *
 *   byte 0 % 4 == 0  the rest is an options header: walk it with
 *                    six_inet6_opt_next and _find, read values with _get_val
 *   byte 0 % 4 == 1  the rest is a routing header: segments, getaddr,
 *                    reverse (in place and into another buffer)
 *   byte 0 % 4 == 2  the rest is the data of an IPV6_HOPOPTS cmsghdr: walk
 *                    it with six_inet6_option_next and _find (RFC 2292)
 *   byte 0 % 4 == 3  the rest is a script of options to build with
 *                    six_inet6_opt_init/append/finish; what was built is
 *                    walked back and must hold exactly what was appended
 *
 * Every buffer is an exact-size heap copy, so ASan sees any access past
 * what the caller handed over; the harness also checks that every pointer
 * the routines return lies inside the buffer.
 */
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sixstack/opt.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_inside(const void *p, size_t n, const void *buf, size_t len) {
    const uint8_t *b = buf, *q = p;
    if (q < b || q + n > b + len) {
        fprintf(stderr, "optroutines_fuzz: pointer outside the buffer\n");
        abort();
    }
}

static void walk_options(const uint8_t *data, size_t size) {
    uint8_t *buf = malloc(size ? size : 1);
    int off = 0;
    uint8_t type;
    socklen_t len;
    void *db;

    memcpy(buf, data, size);
    while ((off = six_inet6_opt_next(buf, (socklen_t)size, off, &type, &len, &db)) > 0) {
        check_inside(db, len, buf, size);
        /* Read the data in the widest pieces it holds. */
        uint8_t val[8];
        int at = 0;
        while ((socklen_t)at + sizeof(val) <= len)
            at = six_inet6_opt_get_val(db, at, val, sizeof(val));
        if ((socklen_t)at < len)
            six_inet6_opt_get_val(db, at, val, len - (socklen_t)at);
    }
    if (size > 2) {
        off = 0;
        while ((off = six_inet6_opt_find(buf, (socklen_t)size, off, data[2], &len, &db)) > 0)
            check_inside(db, len, buf, size);
    }
    free(buf);
}

static void walk_routing(const uint8_t *data, size_t size) {
    size_t hlen;
    uint8_t *in, *out;
    int n;

    /* The routines trust the header's own length: hand over that much. */
    if (size < 8 || size < (hlen = ((size_t)data[1] + 1) * 8))
        return;
    in = malloc(hlen);
    out = malloc(hlen);
    memcpy(in, data, hlen);
    n = six_inet6_rth_segments(in);
    for (int i = -1; i <= n; i++) {
        struct in6_addr *a = six_inet6_rth_getaddr(in, i);
        if (a)
            check_inside(a, sizeof(*a), in, hlen);
        else if (i >= 0 && i < n)
            abort();
    }
    if (six_inet6_rth_reverse(in, out) == 0) {
        /* Reversing twice gives the addresses back in their order. */
        if (six_inet6_rth_segments(out) != n || six_inet6_rth_reverse(out, out) != 0)
            abort();
        for (int i = 0; i < n; i++)
            if (memcmp(six_inet6_rth_getaddr(out, i), six_inet6_rth_getaddr(in, i), 16) != 0)
                abort();
    } else if (n >= 0) {
        abort();   /* a header with a segment count must reverse */
    }
    free(in);
    free(out);
}

/* An option the RFC 2292 walk returned lies whole inside the data: one
 * byte for Pad1 (which the walk returns too), type, length and data for
 * the others. */
static void check_option(const uint8_t *t, const void *buf, size_t len) {
    check_inside(t, 1, buf, len);
    if (t[0] != 0) {
        check_inside(t, 2, buf, len);
        check_inside(t, 2 + (size_t)t[1], buf, len);
    }
}

static void walk_cmsg(const uint8_t *data, size_t size) {
    size_t space = CMSG_LEN(size);
    struct cmsghdr *cm = malloc(space);
    uint8_t *t = NULL;

    cm->cmsg_len = space;
    cm->cmsg_level = IPPROTO_IPV6;
    cm->cmsg_type = IPV6_HOPOPTS;
    memcpy(CMSG_DATA(cm), data, size);
    while (six_inet6_option_next(cm, &t) == 0)
        check_option(t, CMSG_DATA(cm), size);
    if (size > 2) {
        t = NULL;
        while (six_inet6_option_find(cm, &t, data[2]) == 0)
            check_option(t, CMSG_DATA(cm), size);
    }
    free(cm);
}

/* The script: byte 0 the buffer length in 8-byte units, then triples
 * (type, len % 32, align code). */
static void build(const uint8_t *data, size_t size) {
    static const uint8_t aligns[4] = {1, 2, 4, 8};
    struct {
        uint8_t type;
        socklen_t len;
    } want[64];
    int nwant = 0, off;

    if (size < 1)
        return;
    socklen_t extlen = (socklen_t)(((data[0] % 32) + 1) * 8);
    uint8_t *buf = malloc(extlen);
    if ((off = six_inet6_opt_init(buf, extlen)) < 0)
        abort();
    for (size_t i = 1; i + 3 <= size && nwant < 64; i += 3) {
        uint8_t type = data[i], align = aligns[data[i + 2] % 4];
        socklen_t len = data[i + 1] % 32;
        void *db;
        int sized = six_inet6_opt_append(NULL, 0, off, type, len, align, NULL);
        int next = six_inet6_opt_append(buf, extlen, off, type, len, align, &db);
        /* Measuring and building agree, unless only the buffer is short. */
        if (next >= 0 && next != sized)
            abort();
        if (next < 0)
            continue;
        check_inside(db, len, buf, extlen);
        memset(db, 0xee, len);
        want[nwant].type = type;
        want[nwant].len = len;
        nwant++;
        off = next;
    }
    if ((off = six_inet6_opt_finish(buf, extlen, off)) < 0)
        goto out;
    /* Walking back finds exactly what was appended (finish pads with
     * Pad1/PadN, which the walk skips). */
    int at = 0, k = 0;
    uint8_t type;
    socklen_t len;
    void *db;
    while ((at = six_inet6_opt_next(buf, (socklen_t)off, at, &type, &len, &db)) > 0) {
        if (k >= nwant || want[k].type != type || want[k].len != len)
            abort();
        k++;
    }
    if (k != nwant)
        abort();
out:
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    switch (data[0] % 4) {
    case 0:
        walk_options(data + 1, size - 1);
        break;
    case 1:
        walk_routing(data + 1, size - 1);
        break;
    case 2:
        walk_cmsg(data + 1, size - 1);
        break;
    default:
        build(data + 1, size - 1);
        break;
    }
    return 0;
}

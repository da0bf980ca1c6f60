/* libFuzzer harness for the pure parsers of src/wire: every one runs on
 * the input, and each result is checked against what its header promises
 * (lengths inside the buffer, emit(parse(x)) giving x back, the fast
 * checksum equal to the byte-pair reference at any alignment and split).
 * libFuzzer hands over an exact-size heap copy, so ASan sees any read one
 * byte past it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire/cksum.h"
#include "wire/ether.h"
#include "wire/ext.h"
#include "wire/icmp6.h"
#include "wire/ipv6.h"
#include "wire/mld.h"
#include "wire/nd.h"
#include "wire/udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)      \
    do {                   \
        if (!(cond))       \
            abort();       \
    } while (0)

static int inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t size) {
    return p >= buf && p <= buf + size && n <= (size_t)(buf + size - p);
}

static void fuzz_ip6(const uint8_t *data, size_t size) {
    struct six_ip6_repr r, q;
    uint8_t out[SIX_IP6_HDR_LEN];
    int rc, rq;

    /* Zeroed first so that the padding compares equal too. */
    memset(&r, 0, sizeof(r));
    memset(&q, 0, sizeof(q));
    rc = six_ip6_parse(data, size, &r);
    rq = six_ip6_parse_quoted(data, size, &q);

    if (rc == 0) {
        REQUIRE(size >= SIX_IP6_HDR_LEN && r.plen <= size - SIX_IP6_HDR_LEN);
        REQUIRE(rq == 0 && memcmp(&r, &q, sizeof(r)) == 0);
        six_ip6_emit(&r, out);
        REQUIRE(memcmp(out, data, SIX_IP6_HDR_LEN) == 0);
        REQUIRE(six_addr_scope(&r.src) <= 0xf && six_addr_scope(&r.dst) <= 0xf);
        REQUIRE(six_addr_common_prefix(&r.src, &r.dst) <= 128);
        /* Verifying needs the pseudo-header; it must only not crash. */
        (void)six_cksum_ip6_ok(&r.src, &r.dst, r.nxt, data + SIX_IP6_HDR_LEN, r.plen);
    } else {
        REQUIRE(rc == -EMSGSIZE || rc == -EPROTONOSUPPORT);
        REQUIRE(rq != 0 || (size >= SIX_IP6_HDR_LEN && rc == -EMSGSIZE));
    }
}

/* The options of one hop-by-hop or destination options header, to the end
 * or the first error; an error repeats (the iterator does not move). */
static void fuzz_options(const uint8_t *hdr, size_t len) {
    struct six_opt_iter it;
    struct six_opt opt;
    int rc, n = 0;

    six_opt_iter_init(&it, hdr, len);
    while ((rc = six_opt_iter_next(&it, &opt)) > 0) {
        REQUIRE(opt.off >= 2 && opt.off < len);
        if (opt.type == SIX_OPT_PAD1)
            REQUIRE(opt.len == 0 && opt.data == NULL);
        else
            REQUIRE(opt.data == hdr + opt.off + 2 && inside(opt.data, opt.len, hdr, len));
        (void)six_opt_action(opt.type);
        (void)six_opt_may_change(opt.type);
        REQUIRE(++n <= (int)len);
    }
    if (rc < 0) {
        struct six_opt again;
        REQUIRE(rc == -EMSGSIZE);
        REQUIRE(six_opt_iter_next(&it, &again) == rc && again.off == opt.off);
    }
}

/* A chain of generic extension headers from off, as far as it parses. */
static void fuzz_ext_chain(const uint8_t *data, size_t size, size_t off) {
    for (int n = 0; n < 64 && off < size; n++) {
        struct six_ext_repr e;
        if (six_ext_parse(data + off, size - off, &e) < 0)
            return;
        REQUIRE(e.len >= 8 && e.len % 8 == 0 && e.len <= size - off);
        REQUIRE(e.nxt == data[off]);
        fuzz_options(data + off, e.len);
        (void)six_nh_is_ext(e.nxt);
        off += e.len;
    }
}

static void fuzz_rthdr(const uint8_t *data, size_t size) {
    struct six_rthdr_repr r;
    int n;

    if (six_rthdr_parse(data, size, &r) < 0) {
        REQUIRE(size < 8 || ((size_t)data[1] + 1) * 8 > size);
        return;
    }
    REQUIRE(r.len >= 8 && r.len <= size && r.data == data + 4 && r.data_len == r.len - 4);
    n = six_rthdr0_naddr(&r);
    if (n < 0) {
        struct in6_addr a;
        REQUIRE(n == -EINVAL && six_rthdr0_addr(&r, 0, &a) == -EINVAL);
        return;
    }
    REQUIRE(r.type == SIX_RTHDR_TYPE0 && 4 + (size_t)n * 16 <= r.data_len);
    for (int i = -1; i <= n; i++) {
        struct in6_addr a;
        int rc = six_rthdr0_addr(&r, i, &a);
        if (i < 0 || i == n)
            REQUIRE(rc == -EINVAL);
        else
            REQUIRE(rc == 0 && memcmp(&a, r.data + 4 + (size_t)i * 16, 16) == 0);
    }
}

static void fuzz_frag(const uint8_t *data, size_t size) {
    struct six_frag_repr f, g;
    uint8_t out[SIX_FRAG_HDR_LEN];

    if (six_frag_parse(data, size, &f) < 0) {
        REQUIRE(size < SIX_FRAG_HDR_LEN);
        return;
    }
    REQUIRE(f.offset % 8 == 0 && (f.more == 0 || f.more == 1));
    six_frag_emit(&f, out);
    REQUIRE(six_frag_parse(out, sizeof(out), &g) == 0);
    REQUIRE(g.nxt == f.nxt && g.offset == f.offset && g.more == f.more && g.ident == f.ident);
}

static void fuzz_icmp6(const uint8_t *data, size_t size) {
    struct six_icmp6_repr m;

    if (six_icmp6_parse(data, size, &m) < 0) {
        REQUIRE(size < SIX_ICMP6_HDR_LEN);
        return;
    }
    REQUIRE(m.type == data[0] && m.code == data[1]);
    REQUIRE(m.body == data + SIX_ICMP6_HDR_LEN && m.body_len == size - SIX_ICMP6_HDR_LEN);
}

static void fuzz_udp(const uint8_t *data, size_t size) {
    struct six_udp_repr u;
    uint8_t out[SIX_UDP_HDR_LEN];

    if (six_udp_parse(data, size, &u) < 0)
        return;
    REQUIRE(u.len >= SIX_UDP_HDR_LEN && u.len <= size);
    six_udp_emit(&u, out);
    REQUIRE(memcmp(out, data, SIX_UDP_HDR_LEN) == 0);
}

static void fuzz_ether(const uint8_t *data, size_t size) {
    struct six_eth_repr e;
    uint8_t out[SIX_ETH_HDR_LEN];

    if (six_eth_parse(data, size, &e) < 0) {
        REQUIRE(size < SIX_ETH_HDR_LEN);
        return;
    }
    six_eth_emit(&e, out);
    REQUIRE(memcmp(out, data, SIX_ETH_HDR_LEN) == 0);
}

/* Every ND message as the first byte says; options found lie inside. */
static void fuzz_nd(const uint8_t *data, size_t size) {
    struct six_nd_repr r;
    struct six_nd_prefix p;
    size_t pos = 0;
    int n = 0;

    if (six_nd_parse(data, size, &r) < 0)
        return;
    REQUIRE(r.type == data[0] && r.type >= 133 && r.type <= 137);
    REQUIRE(inside(r.opts, r.opts_len, data, size));
    if (r.lladdr)
        REQUIRE(inside(r.lladdr, r.lladdr_len, data, size));
    while (six_nd_prefix_next(&r, &pos, &p) > 0)
        REQUIRE(++n <= (int)size);
}

/* The folded one's-complement sum: equal sums fold equal, whatever the
 * width each implementation carries them in. */
static uint16_t folded(uint64_t sum) { return (uint16_t)~six_cksum_finish(sum); }

static void fuzz_cksum(const uint8_t *data, size_t size) {
    static const int impls[] = {SIX__CKSUM_SCALAR, SIX__CKSUM_SSE2, SIX__CKSUM_AVX2};
    uint64_t start = size ? data[0] * 0x10001ull : 0;
    uint16_t want = folded(six_cksum_add_ref(start, data, size));

    REQUIRE(folded(six_cksum_add(start, data, size)) == want);
    for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++)
        if (six__cksum_impl_available(impls[i]))
            REQUIRE(folded(six__cksum_add_impl(impls[i], start, data, size)) == want);
    /* An odd address. */
    if (size > 1)
        REQUIRE(folded(six_cksum_add(0, data + 1, size - 1)) ==
                folded(six_cksum_add_ref(0, data + 1, size - 1)));
    /* Chained at an even split the input chooses. */
    if (size > 2) {
        size_t k = (data[size - 1] * size / 256) & ~(size_t)1;
        REQUIRE(folded(six_cksum_add(six_cksum_add(start, data, k), data + k, size - k)) == want);
    }
}

/* MLD: a query parses to what emit gives back; a report's walk stays
 * inside the message; the codes decode monotonically. */
static void fuzz_mld(const uint8_t *data, size_t size) {
    struct six_mld_query_repr q;
    struct six_mld2_iter it;
    struct six_mld2_record rec;
    struct six_mld1_repr r1;
    static uint8_t out[65536];
    int rc, n = 0;

    if (six_mld_query_parse(data, size, &q) == 0) {
        size_t len = six_mld_query_emit(&q, out);
        REQUIRE(len == (q.v2 ? 28 + (size_t)q.nsrc * 16 : 24) && len <= size);
        REQUIRE(memcmp(out + 4, data + 4, 2) == 0 && memcmp(out + 8, data + 8, 16) == 0);
        if (q.v2)
            REQUIRE(memcmp(out + 25, data + 25, len - 25) == 0 && inside(q.srcs, (size_t)q.nsrc * 16, data, size));
    }
    if (six_mld1_parse(data, size, &r1) == 0) {
        six_mld1_emit(&r1, out);
        REQUIRE(out[0] == data[0] && memcmp(out + 8, data + 8, 16) == 0);
    }
    if (six_mld2_report_parse(data, size, &it) >= 0) {
        while ((rc = six_mld2_next(&it, &rec)) == 1) {
            REQUIRE(inside(rec.srcs, (size_t)rec.nsrc * 16, data, size));
            REQUIRE(inside(rec.aux, (size_t)rec.aux_words * 4, data, size));
            REQUIRE(++n <= 65535);
        }
        REQUIRE(rc == 0 || rc == -EMSGSIZE);
    }
    if (size >= 2) {
        uint16_t code = (uint16_t)(data[0] << 8 | data[1]);
        uint32_t ms = six_mld_mrc_decode(code);
        REQUIRE(six_mld_mrc_decode(six_mld_mrc_encode(ms)) == ms);
        REQUIRE(six_mld_qqic_decode(six_mld_qqic_encode(six_mld_qqic_decode(data[0]))) ==
                six_mld_qqic_decode(data[0]));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_ip6(data, size);
    fuzz_ext_chain(data, size, 0);
    if (size > SIX_IP6_HDR_LEN)
        fuzz_ext_chain(data, size, SIX_IP6_HDR_LEN);
    fuzz_options(data, size);
    fuzz_rthdr(data, size);
    fuzz_frag(data, size);
    fuzz_icmp6(data, size);
    fuzz_udp(data, size);
    fuzz_mld(data, size);
    fuzz_ether(data, size);
    fuzz_nd(data, size);
    fuzz_cksum(data, size);
    return 0;
}

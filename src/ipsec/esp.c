/* ESP (RFC 4303) over one packet and one SA: output builds the header,
 * pads (2.4), encrypts and appends the ICV; input checks the sequence
 * number against the window, verifies the ICV, decrypts, checks the
 * padding and removes what ESP added.
 *
 * Algorithms: AES-GCM-16 (RFC 4106) and ChaCha20-Poly1305 (RFC 7634),
 * whose 8-byte IV is the 64-bit sequence number (unique per key, as both
 * require; RFC 4106 3.1 allows a counter) and whose AAD is the SPI and
 * the sequence number (both halves with ESN: RFC 4106 5); AES-CBC (RFC
 * 3602) with an IV the key makes from the sequence number, unpredictable
 * to anyone without the key; NULL (RFC 2410). Integrity for CBC and NULL:
 * HMAC-SHA-256-128 (RFC 4868) over header, IV and ciphertext, with the
 * high half of an ESN after them (RFC 4303 2.2.1).
 */
#include <errno.h>
#include <string.h>

#include "ipsec/ipsec.h"
#include "wire/bytes.h"
#include "wire/esp.h"
#include "wire/ext.h"
#include "wire/ipv6.h"

static int is_aead(const struct six__sa *sa) {
    return sa->cfg.enc == SIX_ENC_AES_GCM_16 || sa->cfg.enc == SIX_ENC_CHACHA20_POLY1305;
}

/* Padding to the SA's block (4 or 16, a power of two: a mask, not two
 * divisions per packet). */
static size_t pad_len(const struct six__sa *sa, size_t len) {
    return (0 - (len + SIX_ESP_TRAILER_LEN)) & (sa->block - 1u);
}

size_t six__esp_head_len(const struct six__sa *sa) { return SIX_ESP_HDR_LEN + sa->iv_len; }

size_t six__esp_tail_len(const struct six__sa *sa, size_t len) {
    return pad_len(sa, len) + SIX_ESP_TRAILER_LEN + sa->icv_len;
}

/* The AAD of an AEAD: SPI and sequence number, 8 bytes, or 12 with ESN. */
static size_t aead_aad(const struct six__sa *sa, uint64_t seq, uint8_t aad[12]) {
    six_put32(aad, sa->cfg.spi);
    if (!sa->cfg.esn) {
        six_put32(aad + 4, (uint32_t)seq);
        return 8;
    }
    six_put32(aad + 4, (uint32_t)(seq >> 32));
    six_put32(aad + 8, (uint32_t)seq);
    return 12;
}

/* The ICV of a non-AEAD SA over esp[0..len), with the ESN's high half. */
static int mac(struct six_ipsec *ips, const struct six__sa *sa, const uint8_t *esp,
               size_t len, uint64_t seq, uint8_t out[16]) {
    uint8_t hi[4];
    struct six_crypto_iov v[2] = {{esp, len}, {hi, sa->cfg.esn ? 4 : 0}};

    six_put32(hi, (uint32_t)(seq >> 32));
    return ips->crypto->mac(sa->crypto, v, 2, out);
}

static void put64(uint8_t *p, uint64_t v) {
    six_put32(p, (uint32_t)(v >> 32));
    six_put32(p + 4, (uint32_t)v);
}

/* Encrypts and authenticates: esp points at the header, body at the
 * plaintext to encrypt (len bytes, trailer included); the ICV goes after
 * it. */
static int seal(struct six_ipsec *ips, struct six__sa *sa, uint8_t *esp, uint8_t *body,
                size_t len, uint64_t seq) {
    const struct six_crypto_ops *c = ips->crypto;
    uint8_t *iv = esp + SIX_ESP_HDR_LEN, aad[12];
    int rc = 0;

    if (is_aead(sa)) {
        put64(iv, seq);
        return c->aead_seal(sa->crypto, iv, aad, aead_aad(sa, seq, aad), body, len, body + len);
    }
    if (sa->cfg.enc == SIX_ENC_AES_CBC &&
        ((rc = c->cbc_iv(sa->crypto, seq, iv)) < 0 || (rc = c->cbc_encrypt(sa->crypto, iv, body, len)) < 0))
        return rc;
    if (sa->icv_len)
        rc = mac(ips, sa, esp, (size_t)(body + len - esp), seq, body + len);
    return rc;
}

int six__esp_output(struct six_ipsec *ips, struct six__sa *sa, struct six_pkt *pkt,
                    size_t off, size_t nxt_off) {
    size_t plen = pkt->len - off, pad = pad_len(sa, plen), head = six__esp_head_len(sa);
    size_t body_len = plen + pad + SIX_ESP_TRAILER_LEN;
    uint8_t inner = pkt->data[nxt_off], *esp, *tail;
    uint64_t seq;

    /* RFC 4303 3.3.3: a 32-bit counter must not cycle; the SA is used up
     * (a 64-bit one never is). */
    if (!sa->cfg.esn && sa->seq_out >= UINT32_MAX) {
        SIX_STAT(ips->core, ipsec_out_seq_overflow);
        return -EOVERFLOW;
    }
    seq = ++sa->seq_out;
    six__ipsec_open_gap(pkt, off, head);
    esp = pkt->data + off;
    six_esp_emit(&(struct six_esp_repr){.spi = sa->cfg.spi, .seq = (uint32_t)seq}, esp);
    tail = esp + head + plen;
    six_esp_pad_emit(tail, pad);
    tail[pad] = (uint8_t)pad;
    tail[pad + 1] = inner;
    pkt->len += (uint32_t)(body_len - plen + sa->icv_len);
    six__ipsec_adjust_plen(pkt, (long)(body_len - plen + sa->icv_len));
    pkt->data[nxt_off] = SIX_NH_ESP;
    if (seal(ips, sa, esp, esp + head, body_len, seq) < 0) {
        SIX_STAT(ips->core, ipsec_crypto_errors);
        return -EIO;
    }
    SIX_STAT(ips->core, ipsec_out_esp);
    return 0;
}

/* Verifies and decrypts body[0..len) (ICV after it). Returns 0, or -1
 * after counting why. */
static int open_body(struct six_ipsec *ips, struct six__sa *sa, uint8_t *esp, uint8_t *body,
                     size_t len, uint64_t seq) {
    const struct six_crypto_ops *c = ips->crypto;
    uint8_t *iv = esp + SIX_ESP_HDR_LEN, aad[12], icv[16];
    int rc = 0;

    if (is_aead(sa)) {
        rc = c->aead_open(sa->crypto, iv, aad, aead_aad(sa, seq, aad), body, len, body + len);
    } else if (sa->icv_len) {
        rc = mac(ips, sa, esp, (size_t)(body + len - esp), seq, icv);
        if (rc == 0 && six__crypto_memneq(icv, body + len, sa->icv_len))
            rc = -EBADMSG;
    }
    if (rc == 0 && sa->cfg.enc == SIX_ENC_AES_CBC)
        rc = c->cbc_decrypt(sa->crypto, iv, body, len);
    if (rc == -EBADMSG)
        SIX_STAT(ips->core, ipsec_in_auth_failed);
    else if (rc < 0)
        SIX_STAT(ips->core, ipsec_crypto_errors);
    return rc < 0 ? -1 : 0;
}

/* Checks the trailer of the decrypted body[0..len): Pad Length within the
 * body and the padding RFC 4303 2.4's default makes. Returns the padding
 * length or -1 (counted). */
static long trailer(struct six_ipsec *ips, const uint8_t *body, size_t len) {
    size_t pad = body[len - 2];

    if (pad + SIX_ESP_TRAILER_LEN > len || !six_esp_pad_ok(body + len - 2 - pad, pad)) {
        SIX_STAT(ips->core, ipsec_in_bad_padding);
        return -1;
    }
    return (long)pad;
}

int six__esp_input(struct six_ipsec *ips, struct six_pkt *pkt, size_t off, size_t nxt_off,
                   uint8_t *nxt, struct six__sa **sa_out) {
    struct six_esp_repr r;
    struct six__sa *sa;
    size_t head, body_len;
    uint8_t *esp, *body;
    uint64_t seq;
    long pad;

    if (six_esp_parse(pkt->data + off, pkt->len - off, &r) < 0) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    if (!(sa = six__sad_find_in(ips, pkt, SIX_IPSEC_PROTO_ESP, r.spi)))
        return -1;
    head = six__esp_head_len(sa);
    if (pkt->len - off < head + SIX_ESP_TRAILER_LEN + sa->icv_len) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    body_len = pkt->len - off - head - sa->icv_len;
    if (body_len & (sa->block - 1u)) {
        SIX_STAT(ips->core, ipsec_in_malformed);
        return -1;
    }
    if (six__sad_seq_in(ips, sa, r.seq, &seq) < 0)
        return -1;
    esp = pkt->data + off;
    body = esp + head;
    if (open_body(ips, sa, esp, body, body_len, seq) < 0)
        return -1;
    /* Authentic: it moves the window (RFC 4303 3.4.3), padding or not. */
    six__replay_update(&sa->replay, seq);
    if ((pad = trailer(ips, body, body_len)) < 0)
        return -1;
    *nxt = body[body_len - 1];
    if (six__sad_charge(ips, sa, body_len) < 0)
        return -1;
    /* Drop the trailer and ICV, then the header and IV. */
    size_t cut = (size_t)pad + SIX_ESP_TRAILER_LEN + sa->icv_len;
    pkt->len -= (uint32_t)cut;
    six__ipsec_adjust_plen(pkt, -(long)cut);
    six__ipsec_close_gap(pkt, off, head);
    pkt->data[nxt_off] = *nxt;
    *sa_out = sa;
    SIX_STAT(ips->core, ipsec_in_esp);
    return 0;
}

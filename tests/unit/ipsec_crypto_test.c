/* The crypto table against published known answers: AES-GCM (the GCM
 * specification's test case 2, as RFC 4106 uses GCM), ChaCha20-Poly1305
 * (RFC 8439 2.8.2, with RFC 7634's salt || IV nonce), AES-CBC (RFC 3602
 * case 1) and HMAC-SHA-256-128 (RFC 4868 2.7.2.1, AUTH256-1). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipsec/crypto.h"
#include "test.h"

static void hex(const char *s, uint8_t *out, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        CHECK(sscanf(s + 2 * i, "%2x", &v) == 1);
        out[i] = (uint8_t)v;
    }
}

static const struct six_crypto_ops *ops = &six__crypto_openssl;

TEST(gcm_known_answer_and_tamper) {
    uint8_t key[20] = {0}, iv[8] = {0}, buf[16] = {0}, tag[16], want[16], want_tag[16];
    struct six_crypto_sa *c = ops->sa_new(SIX_ENC_AES_GCM_16, key, 20, SIX_AUTH_NONE, NULL, 0);

    CHECK(c != NULL);
    hex("0388dace60b6a392f328c2b971b2fe78", want, 16);
    hex("ab6e47d42cec13bdf53a67b21257bddf", want_tag, 16);
    CHECK_EQ(ops->aead_seal(c, iv, NULL, 0, buf, 16, tag), 0);
    CHECK_MEM(buf, want, 16);
    CHECK_MEM(tag, want_tag, 16);
    CHECK_EQ(ops->aead_open(c, iv, NULL, 0, buf, 16, tag), 0);
    CHECK_MEM(buf, (uint8_t[16]){0}, 16);
    /* One bit off anywhere: refused. */
    memcpy(buf, want, 16);
    buf[3] ^= 1;
    CHECK_EQ(ops->aead_open(c, iv, NULL, 0, buf, 16, tag), -EBADMSG);
    ops->sa_free(c);
}

TEST(chacha20_poly1305_known_answer) {
    static const char text[] = "Ladies and Gentlemen of the class of '99: If I could offer you "
                               "only one tip for the future, sunscreen would be it.";
    uint8_t key[36], iv[8], aad[12], buf[sizeof(text) - 1], tag[16], want[16], want_tag[16];
    struct six_crypto_sa *c;

    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)(0x80 + i);
    hex("07000000", key + 32, 4);   /* the nonce's first 4 bytes: the salt */
    hex("4041424344454647", iv, 8);
    hex("50515253c0c1c2c3c4c5c6c7", aad, 12);
    hex("d31a8d34648e60db7b86afbc53ef7ec2", want, 16);
    hex("1ae10b594f09e26a7e902ecbd0600691", want_tag, 16);
    memcpy(buf, text, sizeof(buf));
    CHECK(sizeof(buf) == 114);
    c = ops->sa_new(SIX_ENC_CHACHA20_POLY1305, key, 36, SIX_AUTH_NONE, NULL, 0);
    CHECK(c != NULL);
    CHECK_EQ(ops->aead_seal(c, iv, aad, 12, buf, sizeof(buf), tag), 0);
    CHECK_MEM(buf, want, 16);
    CHECK_MEM(tag, want_tag, 16);
    uint8_t sealed[sizeof(buf)];
    memcpy(sealed, buf, sizeof(buf));
    aad[0] ^= 1;   /* the AAD is covered too */
    CHECK_EQ(ops->aead_open(c, iv, aad, 12, buf, sizeof(buf), tag), -EBADMSG);
    aad[0] ^= 1;
    memcpy(buf, sealed, sizeof(buf));   /* a failed open leaves no promise about buf */
    CHECK_EQ(ops->aead_open(c, iv, aad, 12, buf, sizeof(buf), tag), 0);
    CHECK_MEM(buf, text, sizeof(buf));
    ops->sa_free(c);
}

TEST(cbc_known_answer) {
    uint8_t key[16], iv[16], buf[16], want[16];
    struct six_crypto_sa *c;

    hex("06a9214036b8a15b512e03d534120006", key, 16);
    hex("3dafba429d9eb430b422da802c9fac41", iv, 16);
    hex("e353779c1079aeb82708942dbe77181a", want, 16);
    memcpy(buf, "Single block msg", 16);
    c = ops->sa_new(SIX_ENC_AES_CBC, key, 16, SIX_AUTH_NONE, NULL, 0);
    CHECK(c != NULL);
    CHECK_EQ(ops->cbc_encrypt(c, iv, buf, 16), 0);
    CHECK_MEM(buf, want, 16);
    CHECK_EQ(ops->cbc_decrypt(c, iv, buf, 16), 0);
    CHECK_MEM(buf, "Single block msg", 16);
    /* IVs from sequence numbers: different for each, same for one. */
    uint8_t a[16], b[16], a2[16];
    CHECK_EQ(ops->cbc_iv(c, 1, a), 0);
    CHECK_EQ(ops->cbc_iv(c, 2, b), 0);
    CHECK_EQ(ops->cbc_iv(c, 1, a2), 0);
    CHECK(memcmp(a, b, 16) != 0);
    CHECK_MEM(a, a2, 16);
    ops->sa_free(c);
}

TEST(hmac_sha256_128_known_answer) {
    uint8_t key[32], out[16], want[16];
    struct six_crypto_sa *c;

    memset(key, 0x0b, sizeof(key));
    hex("198a607eb44bfbc69903a0f1cf2bbdc5", want, 16);
    c = ops->sa_new(SIX_ENC_NULL, NULL, 0, SIX_AUTH_HMAC_SHA256_128, key, 32);
    CHECK(c != NULL);
    struct six_crypto_iov whole = {(const uint8_t *)"Hi There", 8};
    CHECK_EQ(ops->mac(c, &whole, 1, out), 0);
    CHECK_MEM(out, want, 16);
    /* Split input gives the same, and a second call starts afresh. */
    struct six_crypto_iov split[3] = {{(const uint8_t *)"Hi T", 4}, {NULL, 0},
                                      {(const uint8_t *)"here", 4}};
    CHECK_EQ(ops->mac(c, split, 3, out), 0);
    CHECK_MEM(out, want, 16);
    ops->sa_free(c);
}

TEST(bad_key_lengths_refused) {
    uint8_t key[64] = {0};
    CHECK(ops->sa_new(SIX_ENC_AES_GCM_16, key, 17, SIX_AUTH_NONE, NULL, 0) == NULL);
    CHECK(ops->sa_new(SIX_ENC_CHACHA20_POLY1305, key, 32, SIX_AUTH_NONE, NULL, 0) == NULL);
    CHECK(ops->sa_new(SIX_ENC_AES_CBC, key, 20, SIX_AUTH_NONE, NULL, 0) == NULL);
    CHECK(ops->sa_new(SIX_ENC_NULL, NULL, 0, SIX_AUTH_HMAC_SHA256_128, key, 20) == NULL);
}

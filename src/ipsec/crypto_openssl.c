/* The crypto table on OpenSSL's libcrypto (EVP): AES-GCM, ChaCha20-
 * Poly1305, AES-CBC and HMAC-SHA-256, each context keyed once per SA.
 *
 * RFCs: 4106 (GCM in ESP: the nonce is the 4-byte salt from the end of
 * the key material then the 8-byte IV), 7634 (ChaCha20-Poly1305 in ESP,
 * the same layout), 3602 (AES-CBC), 4868 (HMAC-SHA-256-128).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "ipsec/crypto.h"

struct six_crypto_sa {
    enum six_ipsec_enc enc;
    EVP_CIPHER_CTX *enc_ctx, *dec_ctx, *ecb_ctx;
    EVP_MAC_CTX *mac_ctx;
    uint8_t salt[SIX_CRYPTO_SALT_LEN];
};

static const EVP_CIPHER *aead_cipher(enum six_ipsec_enc enc, unsigned keylen) {
    if (enc == SIX_ENC_CHACHA20_POLY1305)
        return keylen == 32 ? EVP_chacha20_poly1305() : NULL;
    switch (keylen) {
    case 16: return EVP_aes_128_gcm();
    case 24: return EVP_aes_192_gcm();
    case 32: return EVP_aes_256_gcm();
    default: return NULL;
    }
}

static const EVP_CIPHER *cbc_cipher(unsigned keylen, int ecb) {
    switch (keylen) {
    case 16: return ecb ? EVP_aes_128_ecb() : EVP_aes_128_cbc();
    case 24: return ecb ? EVP_aes_192_ecb() : EVP_aes_192_cbc();
    case 32: return ecb ? EVP_aes_256_ecb() : EVP_aes_256_cbc();
    default: return NULL;
    }
}

static void ossl_sa_free(struct six_crypto_sa *c) {
    if (!c)
        return;
    EVP_CIPHER_CTX_free(c->enc_ctx);
    EVP_CIPHER_CTX_free(c->dec_ctx);
    EVP_CIPHER_CTX_free(c->ecb_ctx);
    EVP_MAC_CTX_free(c->mac_ctx);
    OPENSSL_cleanse(c, sizeof(*c));
    free(c);
}

/* Keys the two AEAD contexts (the nonce comes per packet). */
static int aead_setup(struct six_crypto_sa *c, const uint8_t *key, unsigned len) {
    const EVP_CIPHER *cipher;

    if (len < SIX_CRYPTO_SALT_LEN ||
        !(cipher = aead_cipher(c->enc, len - SIX_CRYPTO_SALT_LEN)))
        return -EINVAL;
    memcpy(c->salt, key + len - SIX_CRYPTO_SALT_LEN, SIX_CRYPTO_SALT_LEN);
    if (!EVP_EncryptInit_ex(c->enc_ctx, cipher, NULL, NULL, NULL) ||
        !EVP_CIPHER_CTX_ctrl(c->enc_ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
        !EVP_EncryptInit_ex(c->enc_ctx, NULL, NULL, key, NULL) ||
        !EVP_DecryptInit_ex(c->dec_ctx, cipher, NULL, NULL, NULL) ||
        !EVP_CIPHER_CTX_ctrl(c->dec_ctx, EVP_CTRL_AEAD_SET_IVLEN, 12, NULL) ||
        !EVP_DecryptInit_ex(c->dec_ctx, NULL, NULL, key, NULL))
        return -EIO;
    return 0;
}

/* Keys CBC both ways, and ECB for making IVs; no padding (ESP pads). */
static int cbc_setup(struct six_crypto_sa *c, const uint8_t *key, unsigned len) {
    const EVP_CIPHER *cbc = cbc_cipher(len, 0), *ecb = cbc_cipher(len, 1);

    if (!cbc)
        return -EINVAL;
    if (!(c->ecb_ctx = EVP_CIPHER_CTX_new()) ||
        !EVP_EncryptInit_ex(c->enc_ctx, cbc, NULL, key, NULL) ||
        !EVP_DecryptInit_ex(c->dec_ctx, cbc, NULL, key, NULL) ||
        !EVP_EncryptInit_ex(c->ecb_ctx, ecb, NULL, key, NULL))
        return -EIO;
    EVP_CIPHER_CTX_set_padding(c->enc_ctx, 0);
    EVP_CIPHER_CTX_set_padding(c->dec_ctx, 0);
    EVP_CIPHER_CTX_set_padding(c->ecb_ctx, 0);
    return 0;
}

static int mac_setup(struct six_crypto_sa *c, const uint8_t *key, unsigned len) {
    EVP_MAC *mac;
    OSSL_PARAM params[2];

    if (len != 32)   /* RFC 4868 2.1.1: the key is the output's size */
        return -EINVAL;
    if (!(mac = EVP_MAC_fetch(NULL, "HMAC", NULL)))
        return -EIO;
    c->mac_ctx = EVP_MAC_CTX_new(mac);
    EVP_MAC_free(mac);
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    if (!c->mac_ctx || !EVP_MAC_init(c->mac_ctx, key, len, params))
        return -EIO;
    return 0;
}

static struct six_crypto_sa *ossl_sa_new(enum six_ipsec_enc enc, const uint8_t *ekey,
                                         unsigned eklen, enum six_ipsec_auth auth,
                                         const uint8_t *akey, unsigned aklen) {
    struct six_crypto_sa *c = calloc(1, sizeof(*c));
    int rc = 0;

    if (!c)
        return NULL;
    c->enc = enc;
    if (!(c->enc_ctx = EVP_CIPHER_CTX_new()) || !(c->dec_ctx = EVP_CIPHER_CTX_new()))
        rc = -ENOMEM;
    else if (enc == SIX_ENC_AES_GCM_16 || enc == SIX_ENC_CHACHA20_POLY1305)
        rc = aead_setup(c, ekey, eklen);
    else if (enc == SIX_ENC_AES_CBC)
        rc = cbc_setup(c, ekey, eklen);
    if (rc == 0 && auth == SIX_AUTH_HMAC_SHA256_128)
        rc = mac_setup(c, akey, aklen);
    if (rc < 0) {
        ossl_sa_free(c);
        return NULL;
    }
    return c;
}

static void nonce(const struct six_crypto_sa *c, const uint8_t iv[8], uint8_t out[12]) {
    memcpy(out, c->salt, SIX_CRYPTO_SALT_LEN);
    memcpy(out + SIX_CRYPTO_SALT_LEN, iv, 8);
}

static int ossl_aead_seal(struct six_crypto_sa *c, const uint8_t iv[8], const uint8_t *aad,
                          size_t aadlen, uint8_t *buf, size_t len, uint8_t tag[16]) {
    uint8_t n[12];
    int out;

    nonce(c, iv, n);
    if (!EVP_EncryptInit_ex(c->enc_ctx, NULL, NULL, NULL, n) ||
        !EVP_EncryptUpdate(c->enc_ctx, NULL, &out, aad, (int)aadlen) ||
        !EVP_EncryptUpdate(c->enc_ctx, buf, &out, buf, (int)len) ||
        !EVP_EncryptFinal_ex(c->enc_ctx, buf + out, &out) ||
        !EVP_CIPHER_CTX_ctrl(c->enc_ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag))
        return -EIO;
    return 0;
}

static int ossl_aead_open(struct six_crypto_sa *c, const uint8_t iv[8], const uint8_t *aad,
                          size_t aadlen, uint8_t *buf, size_t len, const uint8_t tag[16]) {
    uint8_t n[12];
    int out;

    nonce(c, iv, n);
    if (!EVP_DecryptInit_ex(c->dec_ctx, NULL, NULL, NULL, n) ||
        !EVP_DecryptUpdate(c->dec_ctx, NULL, &out, aad, (int)aadlen) ||
        !EVP_DecryptUpdate(c->dec_ctx, buf, &out, buf, (int)len) ||
        !EVP_CIPHER_CTX_ctrl(c->dec_ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag))
        return -EIO;
    /* The tag is checked here: on a mismatch buf holds plaintext nobody
     * may use (the caller drops the packet). */
    if (EVP_DecryptFinal_ex(c->dec_ctx, buf + out, &out) <= 0)
        return -EBADMSG;
    return 0;
}

static int ossl_cbc_iv(struct six_crypto_sa *c, uint64_t seq, uint8_t iv[16]) {
    uint8_t block[16] = {0};
    int out;

    for (int i = 0; i < 8; i++)
        block[8 + i] = (uint8_t)(seq >> (56 - 8 * i));
    if (!EVP_EncryptUpdate(c->ecb_ctx, iv, &out, block, 16) || out != 16)
        return -EIO;
    return 0;
}

static int cbc_run(EVP_CIPHER_CTX *ctx, int enc, const uint8_t iv[16], uint8_t *buf,
                   size_t len) {
    int out, fin;

    if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, iv, enc) ||
        !EVP_CipherUpdate(ctx, buf, &out, buf, (int)len) ||
        !EVP_CipherFinal_ex(ctx, buf + out, &fin) || (size_t)(out + fin) != len)
        return -EIO;
    return 0;
}

static int ossl_cbc_encrypt(struct six_crypto_sa *c, const uint8_t iv[16], uint8_t *buf,
                            size_t len) {
    return cbc_run(c->enc_ctx, 1, iv, buf, len);
}

static int ossl_cbc_decrypt(struct six_crypto_sa *c, const uint8_t iv[16], uint8_t *buf,
                            size_t len) {
    return cbc_run(c->dec_ctx, 0, iv, buf, len);
}

static int ossl_mac(struct six_crypto_sa *c, const struct six_crypto_iov *v, unsigned nv,
                    uint8_t out[16]) {
    uint8_t full[32];
    size_t n;

    /* A NULL key re-initialises with the key given at setup. */
    if (!EVP_MAC_init(c->mac_ctx, NULL, 0, NULL))
        return -EIO;
    for (unsigned i = 0; i < nv; i++)
        if (v[i].len && !EVP_MAC_update(c->mac_ctx, v[i].p, v[i].len))
            return -EIO;
    if (!EVP_MAC_final(c->mac_ctx, full, &n, sizeof(full)) || n != 32)
        return -EIO;
    memcpy(out, full, 16);
    return 0;
}

const struct six_crypto_ops six__crypto_openssl = {
    .sa_new = ossl_sa_new,
    .sa_free = ossl_sa_free,
    .aead_seal = ossl_aead_seal,
    .aead_open = ossl_aead_open,
    .cbc_iv = ossl_cbc_iv,
    .cbc_encrypt = ossl_cbc_encrypt,
    .cbc_decrypt = ossl_cbc_decrypt,
    .mac = ossl_mac,
};

int six__crypto_memneq(const uint8_t *a, const uint8_t *b, size_t n) {
    return CRYPTO_memcmp(a, b, n) != 0;
}

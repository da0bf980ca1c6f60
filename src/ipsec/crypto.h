/* The crypto IPsec's transforms call, behind a small table so the library
 * behind it (OpenSSL's libcrypto, crypto_openssl.c) is one file: a port
 * to another library, or a hardware engine, replaces that file only.
 *
 * One context per SA holds its keyed cipher and MAC state, set up once
 * when the SA is added, so a packet costs no allocation and no key
 * schedule. Every call works in place.
 */
#ifndef SIX_IPSEC_CRYPTO_H
#define SIX_IPSEC_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include <sixstack/ipsec.h>

#define SIX_CRYPTO_TAG_LEN 16   /* AEAD tags and HMAC-SHA-256-128 */
#define SIX_CRYPTO_SALT_LEN 4   /* RFC 4106 8.1, RFC 7634 2 */

struct six_crypto_sa;

/* One piece of the bytes a MAC covers. */
struct six_crypto_iov {
    const uint8_t *p;
    size_t len;
};

struct six_crypto_ops {
    /* A context for enc (with its key, an AEAD's salt last) and auth.
     * NULL when the library refuses or memory is short. */
    struct six_crypto_sa *(*sa_new)(enum six_ipsec_enc enc, const uint8_t *ekey,
                                    unsigned eklen, enum six_ipsec_auth auth,
                                    const uint8_t *akey, unsigned aklen);
    void (*sa_free)(struct six_crypto_sa *c);
    /* AEAD (aes-gcm-16, chacha20-poly1305), nonce salt || iv: encrypts
     * buf[0..len) and writes the tag; open checks the tag, then decrypts.
     * Return 0, or -EBADMSG (tag) / -EIO (library). */
    int (*aead_seal)(struct six_crypto_sa *c, const uint8_t iv[8], const uint8_t *aad,
                     size_t aadlen, uint8_t *buf, size_t len, uint8_t tag[16]);
    int (*aead_open)(struct six_crypto_sa *c, const uint8_t iv[8], const uint8_t *aad,
                     size_t aadlen, uint8_t *buf, size_t len, const uint8_t tag[16]);
    /* AES-CBC: iv_for makes an unpredictable IV for sequence number seq
     * (the key encrypting a block that holds seq); encrypt and decrypt
     * whole blocks. Return 0 or -EIO. */
    int (*cbc_iv)(struct six_crypto_sa *c, uint64_t seq, uint8_t iv[16]);
    int (*cbc_encrypt)(struct six_crypto_sa *c, const uint8_t iv[16], uint8_t *buf, size_t len);
    int (*cbc_decrypt)(struct six_crypto_sa *c, const uint8_t iv[16], uint8_t *buf, size_t len);
    /* HMAC-SHA-256 of the n pieces one after the other, truncated to 16
     * bytes (RFC 4868). Returns 0 or -EIO. */
    int (*mac)(struct six_crypto_sa *c, const struct six_crypto_iov *v, unsigned n,
               uint8_t out[16]);
};

/* The table of this build's library. */
extern const struct six_crypto_ops six__crypto_openssl;

/* Compression (IPComp), the same way: one context per SA. */
struct six_comp;
struct six_comp_ops {
    struct six_comp *(*comp_new)(void);
    void (*comp_free)(struct six_comp *c);
    /* Compress or inflate len bytes of in into out (cap bytes): the
     * length written, or -EMSGSIZE (does not fit in cap), -EBADMSG (not a
     * stream), -EIO. */
    long (*compress)(struct six_comp *c, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap);
    long (*decompress)(struct six_comp *c, const uint8_t *in, size_t len, uint8_t *out,
                       size_t cap);
};

/* DEFLATE (RFC 2394) on zlib (comp_zlib.c). */
extern const struct six_comp_ops six__comp_zlib;

/* Constant-time comparison of n bytes: 0 when equal. */
int six__crypto_memneq(const uint8_t *a, const uint8_t *b, size_t n);

#endif

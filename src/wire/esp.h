/* The ESP header (RFC 4303 2): what precedes the (encrypted) payload.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Security Parameters Index (SPI)                 |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                      Sequence Number                          |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  IV (per algorithm), payload, padding, Pad Length, Next Header, ICV
 *
 * The trailer (padding, Pad Length, Next Header) is inside the encryption
 * and is read by the transform after decryption.
 */
#ifndef SIX_WIRE_ESP_H
#define SIX_WIRE_ESP_H

#include <stddef.h>
#include <stdint.h>

#define SIX_ESP_HDR_LEN 8
#define SIX_ESP_OFF_SPI 0
#define SIX_ESP_OFF_SEQ 4
#define SIX_ESP_TRAILER_LEN 2   /* Pad Length, Next Header */

struct six_esp_repr {
    uint32_t spi;
    uint32_t seq;
};

/* Parses the ESP header at buf[0..len). Returns 0 or -EMSGSIZE. */
int six_esp_parse(const uint8_t *buf, size_t len, struct six_esp_repr *r);
/* Writes the 8 header bytes. */
void six_esp_emit(const struct six_esp_repr *r, uint8_t *buf);

/* The padding RFC 4303 2.4 asks for by default: bytes 1, 2, 3, ... */
void six_esp_pad_emit(uint8_t *buf, size_t n);
/* Whether buf[0..n) is that padding. */
int six_esp_pad_ok(const uint8_t *buf, size_t n);

#endif

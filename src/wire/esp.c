/* ESP header and padding bytes (RFC 4303 2, 2.4). */
#include <errno.h>

#include "wire/bytes.h"
#include "wire/esp.h"

int six_esp_parse(const uint8_t *buf, size_t len, struct six_esp_repr *r) {
    if (len < SIX_ESP_HDR_LEN)
        return -EMSGSIZE;
    r->spi = six_get32(buf + SIX_ESP_OFF_SPI);
    r->seq = six_get32(buf + SIX_ESP_OFF_SEQ);
    return 0;
}

void six_esp_emit(const struct six_esp_repr *r, uint8_t *buf) {
    six_put32(buf + SIX_ESP_OFF_SPI, r->spi);
    six_put32(buf + SIX_ESP_OFF_SEQ, r->seq);
}

void six_esp_pad_emit(uint8_t *buf, size_t n) {
    for (size_t i = 0; i < n; i++)
        buf[i] = (uint8_t)(i + 1);
}

int six_esp_pad_ok(const uint8_t *buf, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (buf[i] != (uint8_t)(i + 1))
            return 0;
    return 1;
}

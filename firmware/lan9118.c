/* LAN9118 driver (lan9118.h). Register offsets and bits from SMSC's
 * LAN9118 datasheet; only what a polled driver needs. */
#include "lan9118.h"

#include <string.h>

enum {
    RX_DATA_FIFO = 0x00,
    TX_DATA_FIFO = 0x20,
    RX_STATUS_FIFO = 0x40,
    TX_STATUS_FIFO = 0x48,
    BYTE_TEST = 0x64,
    TX_CFG = 0x70,
    HW_CFG = 0x74,
    RX_DP_CTRL = 0x78,
    RX_FIFO_INF = 0x7c,
    TX_FIFO_INF = 0x80,
    FREE_RUN = 0x9c,
    MAC_CSR_CMD = 0xa4,
    MAC_CSR_DATA = 0xa8,
};

/* MAC registers, reached through MAC_CSR_CMD/DATA. */
enum { MAC_CR = 1, MAC_ADDRH = 2, MAC_ADDRL = 3 };

#define BYTE_TEST_VALUE 0x87654321u
#define HW_CFG_SRST 0x1u
#define TX_CFG_TX_ON 0x2u
#define CSR_BUSY 0x80000000u
#define CSR_READ 0x40000000u
#define MAC_CR_MCPAS 0x00080000u   /* pass every multicast frame */
#define MAC_CR_TXEN 0x8u
#define MAC_CR_RXEN 0x4u
#define TXA_FIRST 0x2000u
#define TXA_LAST 0x1000u
#define RXS_ERROR 0x8000u
#define RX_DP_FFWD 0x80000000u
#define FRAME_MAX 1518u

static inline volatile uint32_t *reg(uintptr_t base, unsigned off) {
    return (volatile uint32_t *)(base + off);
}
static inline uint32_t rd(uintptr_t base, unsigned off) { return *reg(base, off); }
static inline void wr(uintptr_t base, unsigned off, uint32_t v) { *reg(base, off) = v; }

static int mac_wait(uintptr_t base) {
    for (int i = 0; i < 100000; i++)
        if (!(rd(base, MAC_CSR_CMD) & CSR_BUSY))
            return 0;
    return -1;
}

static uint32_t mac_read(uintptr_t base, unsigned r) {
    wr(base, MAC_CSR_CMD, CSR_BUSY | CSR_READ | r);
    mac_wait(base);
    return rd(base, MAC_CSR_DATA);
}

static void mac_write(uintptr_t base, unsigned r, uint32_t v) {
    wr(base, MAC_CSR_DATA, v);
    wr(base, MAC_CSR_CMD, CSR_BUSY | r);
    mac_wait(base);
}

int lan9118_init(uintptr_t base, uint8_t mac[6]) {
    uint32_t lo, hi;

    if (rd(base, BYTE_TEST) != BYTE_TEST_VALUE)
        return -1;
    wr(base, HW_CFG, HW_CFG_SRST);
    for (int i = 0; i < 100000 && (rd(base, HW_CFG) & HW_CFG_SRST); i++) {
    }
    lo = mac_read(base, MAC_ADDRL);
    hi = mac_read(base, MAC_ADDRH);
    for (int i = 0; i < 4; i++)
        mac[i] = (uint8_t)(lo >> (8 * i));
    mac[4] = (uint8_t)hi;
    mac[5] = (uint8_t)(hi >> 8);
    mac_write(base, MAC_CR, MAC_CR_MCPAS | MAC_CR_TXEN | MAC_CR_RXEN);
    wr(base, TX_CFG, TX_CFG_TX_ON);
    return 0;
}

int lan9118_transmit(uintptr_t base, const void *frame, size_t len) {
    const uint8_t *p = frame;
    uint32_t free_bytes = rd(base, TX_FIFO_INF) & 0xffffu;

    if (len == 0 || len > FRAME_MAX || free_bytes < len + 8)
        return -1;
    /* Command A: one segment holding the whole frame; B: tag and length. */
    wr(base, TX_DATA_FIFO, TXA_FIRST | TXA_LAST | (uint32_t)len);
    wr(base, TX_DATA_FIFO, ((uint32_t)len << 16) | (uint32_t)len);
    for (size_t i = 0; i < len; i += 4) {
        uint32_t w = 0;
        memcpy(&w, p + i, len - i < 4 ? len - i : 4);
        wr(base, TX_DATA_FIFO, w);   /* the FIFO takes bytes little-endian */
    }
    /* Statuses are not looked at: drain them so the FIFO never fills. */
    while ((rd(base, TX_FIFO_INF) >> 16) & 0xffu)
        (void)rd(base, TX_STATUS_FIFO);
    return 0;
}

unsigned lan9118_poll(uintptr_t base, uint8_t *buf, size_t size,
                      void (*rx)(void *ctx, const uint8_t *frame, size_t len), void *ctx) {
    unsigned n = 0;

    while ((rd(base, RX_FIFO_INF) >> 16) & 0xffu) {
        uint32_t status = rd(base, RX_STATUS_FIFO);
        size_t len = (status >> 16) & 0x3fffu;   /* with the 4-byte FCS */
        size_t words = (len + 3) / 4;

        if ((status & RXS_ERROR) || len < 18 || len - 4 > size) {
            wr(base, RX_DP_CTRL, RX_DP_FFWD);   /* skip it */
            continue;
        }
        for (size_t i = 0; i < words; i++) {
            uint32_t w = rd(base, RX_DATA_FIFO);
            size_t at = i * 4;
            if (at < len - 4)
                memcpy(buf + at, &w, len - 4 - at < 4 ? len - 4 - at : 4);
        }
        rx(ctx, buf, len - 4);
        n++;
    }
    return n;
}

uint32_t lan9118_ticks(uintptr_t base) { return rd(base, FREE_RUN); }

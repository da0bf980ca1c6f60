/* A driver for SMSC's LAN9118 Ethernet controller (the one on ARM's MPS2
 * boards, and in QEMU's mps2-an385 at 0x40200000), polled: no interrupts.
 * It is two calls, as sixstack's six_if_add_netdev wants: one sends a
 * frame, one hands every received frame to a callback. */
#ifndef SIX_FIRMWARE_LAN9118_H
#define SIX_FIRMWARE_LAN9118_H

#include <stddef.h>
#include <stdint.h>

#define LAN9118_BASE 0x40200000u

/* Resets the controller and turns transmit and receive on, passing every
 * multicast frame (sixstack filters groups itself). Reads the MAC the
 * board (or QEMU's -nic macaddr=) gave it into mac. Returns 0, or -1 when
 * no LAN9118 answers at base. */
int lan9118_init(uintptr_t base, uint8_t mac[6]);

/* Queues one Ethernet frame (without FCS) for sending; returns 0, or -1
 * when it does not fit in the transmit FIFO now or is too long. */
int lan9118_transmit(uintptr_t base, const void *frame, size_t len);

/* Hands every frame waiting in the receive FIFO (without FCS; frames with
 * errors are skipped) to rx, with buf (of size bytes) as scratch space.
 * Returns how many were handed over. */
unsigned lan9118_poll(uintptr_t base, uint8_t *buf, size_t size,
                      void (*rx)(void *ctx, const uint8_t *frame, size_t len), void *ctx);

/* The controller's free-running counter: 25 MHz, wrapping at 2^32. */
uint32_t lan9118_ticks(uintptr_t base);

#endif

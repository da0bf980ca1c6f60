/* What the board's test programs give the bare port (<sixstack/bare.h>):
 * random bytes. mps2-an385 has no generator, so this is a stand-in: a
 * xorshift generator of its own, which is what the port's contract asks
 * (bytes that are not the stack's own generator's), not unpredictability. */
#include <stddef.h>
#include <stdint.h>

#include <sixstack/bare.h>

static uint64_t state = 0x9e3779b97f4a7c15ull;

static int fill(void *out, size_t len) {
    uint8_t *p = out;

    for (size_t i = 0; i < len; i++) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        p[i] = (uint8_t)state;
    }
    return 0;
}

__attribute__((constructor)) static void board_support(void) { six_bare_set_random(fill); }

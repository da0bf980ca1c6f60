#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/optroutines_fuzz.c: byte 0 picks the mode
(0 options header, 1 routing header, 2 RFC 2292 cmsg data, 3 build script),
the rest is its input."""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "optroutines_fuzz")

# RFC 3542 section 22's example layout: X (len 12, align 8), Y (len 7, align 4).
opts = bytes([59, 2, 1, 4, 0, 0, 0, 0,  # next hdr, len 2 (24 bytes), PadN 4
              0x1e, 12]) + bytes(range(12)) + bytes([1, 0])
rth = bytes([59, 4, 0, 2]) + bytes(4) + bytes(range(16)) + bytes(range(16, 32))
SEEDS = {
    "opts_two_options": bytes([0]) + opts,
    "opts_running_past": bytes([0, 59, 0, 0x3e, 40, 1, 2]),
    "rth0_two_segments": bytes([1]) + rth,
    "rth0_odd_length": bytes([1, 59, 3, 0, 0]) + bytes(28),
    "cmsg_router_alert": bytes([2, 5, 2, 0, 0, 1, 0]),
    "build_x_and_y": bytes([3, 2, 0x1e, 12, 3, 0x1f, 7, 2]),
    "build_too_small": bytes([3, 0, 0x1e, 30, 3, 0x1f, 31, 3, 0x20, 5, 0]),
}

os.makedirs(HERE, exist_ok=True)
for name, blob in SEEDS.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(blob)
print(f"{HERE}: {len(SEEDS)} files")

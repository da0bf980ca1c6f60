#!/usr/bin/python3
"""Seeds for ipsec_fuzz: the payloads (after the harness's IPv6 header,
with a first byte choosing ESP 0, AH 1 or IPComp 2) of packets that reach
each path: ESP NULL to the UDP socket in transport and tunnel mode, with
good and bad padding; IPComp with a DEFLATE stream, transport and tunnel;
AES-GCM, AES-CBC and AH packets whose ICV is wrong.

    make-ipsec-corpus.py DIR
"""
import os
import struct
import sys
import zlib

A = bytes.fromhex("20010db8000000000000000000000001")
B = bytes.fromhex("20010db8000000000000000000000002")


def cksum(src, dst, nxt, data):
    s = sum(struct.unpack(">8H", src)) + sum(struct.unpack(">8H", dst))
    s += len(data) + nxt
    if len(data) % 2:
        data += b"\0"
    s += sum(struct.unpack(">%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def udp(payload, dport=7):
    u = struct.pack(">HHHH", 4000, dport, 8 + len(payload), 0) + payload
    c = cksum(A, B, 17, u)
    return u[:6] + struct.pack(">H", c) + u[8:]


def esp_null(spi, seq, inner, nxt, pad_ok=True):
    pad = (4 - (len(inner) + 2) % 4) % 4
    padding = bytes(range(1, pad + 1)) if pad_ok else bytes([9] * pad)
    return struct.pack(">II", spi, seq) + inner + padding + bytes([pad, nxt])


def ip6(src, dst, nxt, payload):
    return struct.pack(">IHBB", 0x60000000, len(payload), nxt, 64) + src + dst + payload


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -11)
    return c.compress(data) + c.flush()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    seeds = {
        "esp-null-udp": b"\0" + esp_null(0x100, 1, udp(b"hello"), 17),
        "esp-null-badpad": b"\0" + esp_null(0x100, 2, udp(b"hi!"), 17, pad_ok=False),
        "esp-null-tunnel": b"\0" + esp_null(0x101, 1, ip6(A, B, 17, udp(b"inner")), 41),
        "esp-null-nonext": b"\0" + esp_null(0x100, 3, b"", 59),
        "esp-gcm": b"\0" + struct.pack(">II", 0x102, 1) + bytes(8 + 24 + 16),
        "esp-cbc-esn": b"\0" + struct.pack(">II", 0x103, 1) + bytes(16 + 32 + 16),
        "ah": b"\1" + bytes([17, 6, 0, 0]) + struct.pack(">II", 0x200, 1) + bytes(20)
              + udp(b"x"),
        "ipcomp": b"\2" + bytes([17, 0, 3, 0]) + deflate(udp(b"z" * 200)),
        "ipcomp-tunnel": b"\2" + bytes([41, 0, 3, 1]) + deflate(ip6(A, B, 17, udp(b"y" * 300))),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()

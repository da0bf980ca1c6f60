#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/sockopt_fuzz.c (x86-64 Linux layouts):
byte 0 picks the option (byte 0 % NOPTS) and the socket (byte 0 // NOPTS
% 3: raw 253, raw ICMPv6, UDP), byte 1 the value length, then the value,
then sendmsg control data (cmsghdr series)."""
import os
import struct

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "sockopt_fuzz")
IPPROTO_IPV6 = 41
NOPTS = 30          # entries of opts[] in sockopt_fuzz.c
UDP = 2 * NOPTS     # add to an option index for a UDP socket
JOIN = 26
MDNS = bytes([0xff, 0x02] + [0] * 13 + [0xfb])


def cmsg(ctype, data):
    length = 16 + len(data)
    pad = (8 - length % 8) % 8
    return struct.pack("<QiI", length, IPPROTO_IPV6, ctype) + data + b"\0" * pad


SEEDS = {
    "hops": bytes([0, 4]) + struct.pack("<i", 7),
    "tclass_cmsg": bytes([4, 4]) + struct.pack("<i", 0x20) + cmsg(67, struct.pack("<i", 0x40)),
    "hbh_sticky": bytes([10, 8]) + bytes([0, 0, 1, 4, 0, 0, 0, 0]),
    "pktoptions": bytes([14, 24]) + cmsg(52, struct.pack("<i", 9)) + cmsg(67, struct.pack("<i", 3))[:8],
    "rthdr": bytes([12, 24]) + bytes([0, 2, 0, 0, 0, 0, 0, 0]) + bytes(16),
    "pktinfo": bytes([6, 20]) + bytes(15) + b"\x01" + struct.pack("<I", 1),
    "lying_cmsg": bytes([0, 0]) + struct.pack("<QiI", 4096, IPPROTO_IPV6, 54),
    "udp_hops_cmsg": bytes([UDP, 4]) + struct.pack("<i", 7) + cmsg(52, struct.pack("<i", 3)),
    "udp_join_mdns": bytes([UDP + JOIN, 20]) + MDNS + struct.pack("<I", 0),
    "raw_join_mdns": bytes([JOIN, 20]) + MDNS + struct.pack("<I", 0),
}

os.makedirs(HERE, exist_ok=True)
for name, blob in SEEDS.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(blob)

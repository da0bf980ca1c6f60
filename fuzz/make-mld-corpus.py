#!/usr/bin/env python3
"""Writes the seed corpus of mld_fuzz (and a few MLD messages for
wire_fuzz): byte 0 flags, byte 1 a membership operation, then an ICMPv6
message (see fuzz/mld_fuzz.c). Python standard library only.

    python3 fuzz/make-mld-corpus.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def addr(last, first=b"\xff\x1e"):
    return first + b"\x00" * 13 + bytes([last])


ANY = b"\x00" * 16
SRC1 = b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01"
SRC2 = b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x02"


def v2_query(group, mrc, srcs=(), qrv=2, qqic=125):
    return (struct.pack("!BBHHH", 130, 0, 0, mrc, 0) + group +
            struct.pack("!BBH", qrv, qqic, len(srcs)) + b"".join(srcs))


def v1(type_, group, delay=0):
    return struct.pack("!BBHHH", type_, 0, 0, delay, 0) + group


def record(rtype, group, srcs=(), aux=b""):
    return struct.pack("!BBH", rtype, len(aux) // 4, len(srcs)) + group + b"".join(srcs) + aux


def v2_report(*records):
    return struct.pack("!BBHHH", 143, 0, 0, 0, len(records)) + b"".join(records)


# (name, flags, op, message). flags: bit 0 to all-nodes, bits 4-7 clock step.
# op 0: MCAST_JOIN_GROUP on socket 0, group 0; op 6: MCAST_JOIN_SOURCE_GROUP.
SEEDS = [
    ("general_v2", 0x51, 0x00, v2_query(ANY, 1000)),
    ("general_v2_zero_delay", 0x11, 0x00, v2_query(ANY, 0)),
    ("group_specific_v2", 0x50, 0x00, v2_query(addr(1), 2000)),
    ("group_source_v2", 0x51, 0x06, v2_query(addr(1), 0x9c40, [SRC1, SRC2], qrv=3, qqic=0x96)),
    ("general_v1", 0x91, 0x00, v1(130, ANY, 1000)),
    ("group_v1", 0x90, 0x00, v1(130, addr(1), 500)),
    ("report_v1", 0x90, 0x00, v1(131, addr(1))),
    ("done_v1", 0x91, 0x03, v1(132, addr(1))),
    ("report_v2", 0x21, 0x0c, v2_report(record(4, addr(1)), record(5, addr(3, b"\xff\x3e"), [SRC1], b"\xde\xad\xbe\xef"))),
    ("bad_length_26", 0x51, 0x00, v2_query(ANY, 1000)[:26]),
    ("bad_sources_overrun", 0x51, 0x00, v2_query(ANY, 1000)[:27] + b"\x05"),
    ("bad_group_unicast", 0x51, 0x00, v2_query(SRC1, 1000)),
    ("bad_hop_limit", 0x55, 0x00, v2_query(ANY, 1000)),
    ("long_wait", 0xf1, 0x15, v2_query(ANY, 65535)),
]


def main():
    out = os.path.join(HERE, "corpus", "mld_fuzz")
    wire = os.path.join(HERE, "corpus", "wire_fuzz")
    os.makedirs(out, exist_ok=True)
    for name, flags, op, msg in SEEDS:
        with open(os.path.join(out, name), "wb") as f:
            f.write(bytes([flags, op]) + msg)
        if name in ("group_source_v2", "report_v2", "general_v1", "bad_sources_overrun"):
            with open(os.path.join(wire, "mld_" + name), "wb") as f:
                f.write(msg)


if __name__ == "__main__":
    main()

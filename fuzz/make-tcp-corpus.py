#!/usr/bin/env python3
"""Seeds for tcp_input_fuzz: records of (ctl, len, TCP segment); see the
harness's header comment for what ctl's bits do."""
import hashlib, os, struct, sys

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "tcp_input_fuzz")
os.makedirs(out, exist_ok=True)

FIN, SYN, RST, PSH, ACK = 1, 2, 4, 8, 16
EST = 0x0F          # established, relative seq/ack, checksum filled

def seg(flags, seq=0, ack=0, win=65535, opts=b"", data=b""):
    while len(opts) % 4:
        opts += b"\x01"
    off = (20 + len(opts)) // 4
    return struct.pack("!HHIIBBHHH", 0, 0, seq, ack, off << 4, flags, win, 0, 0) + opts + data

def rec(ctl, s):
    return bytes([ctl, len(s)]) + s

MSS = b"\x02\x04\x05\xa0"
SACKOK_TS = b"\x04\x02\x08\x0a" + struct.pack("!II", 100, 0)
WS = b"\x01\x03\x03\x07"
def sack(*blocks):
    return b"\x01\x01\x05" + bytes([2 + 8 * len(blocks)]) + b"".join(struct.pack("!II", l, r) for l, r in blocks)

seeds = {
    "data": rec(EST, seg(ACK | PSH, data=b"hello world")),
    "syn_options": rec(0x08, seg(SYN, seq=5000, opts=MSS + SACKOK_TS + WS)),
    "handshake": rec(0x08, seg(SYN, seq=5000, opts=MSS)) + rec(0x08, seg(ACK, seq=5001, ack=1)),
    "rst_in_window": rec(EST, seg(RST, seq=5)) + rec(EST, seg(RST)),
    "fin": rec(EST | 0x80, seg(FIN | ACK)) + rec(EST | 0x20, seg(ACK, seq=1)),
    "out_of_order": rec(EST, seg(ACK, seq=100, data=b"x" * 50)) + rec(EST, seg(ACK, data=b"y" * 100)),
    "send_and_sack": rec(EST | 0x40, seg(ACK)) + rec(EST, seg(ACK, opts=sack((1000, 2000)))) +
                     rec(EST, seg(ACK)) + rec(EST | 0x10, seg(ACK, ack=3000)),
    "zero_window": rec(EST | 0x40, seg(ACK, win=0)) + rec(EST | 0x20, seg(ACK, win=0)) +
                   rec(EST, seg(ACK, win=1000)),
    "syn_on_established": rec(EST, seg(SYN)),
    "flood": b"".join(rec(0x08, seg(SYN, seq=i * 7919, opts=MSS)) for i in range(8)),
}
for name, data in seeds.items():
    with open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}")

#!/usr/bin/env python3
"""Seeds for nd_fuzz (the record format is in fuzz/nd_fuzz.c)."""
import os, struct, sys

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "nd_fuzz")
os.makedirs(out, exist_ok=True)

def rec(ctl, msg):
    return bytes([ctl, len(msg)]) + msg

def prefix(p3, plen=64, flags=0xc0, valid=3600, pref=1800):
    pfx = bytes([0x20, 0x01, 0x0d, 0xb8, 0, p3]) + bytes(10)
    return bytes([3, 4, plen, flags]) + struct.pack(">III", valid, pref, 0) + pfx

def ra(lifetime=1800, opts=b"", hlim=64, reach=0, retrans=0):
    return bytes([1, 0, 0, 0, hlim, 0]) + struct.pack(">HII", lifetime, reach, retrans) + opts

slla = bytes([1, 1, 2, 0xaa, 0, 0, 0, 1])
mtu = bytes([5, 1, 0, 0]) + struct.pack(">I", 1400)
ll2 = bytes([0xfe, 0x80]) + bytes(13) + bytes([2])
dst = bytes([0x20, 0x01, 0x0d, 0xb8, 0, 0x99]) + bytes(9) + bytes([5])
seeds = {
    "ra_prefix_mtu": rec(0x04, ra(opts=slla + mtu + prefix(1))),
    "ra_two_prefixes_expire": rec(0x04, ra(60, prefix(1, valid=30, pref=10) + prefix(2))) +
                              rec(0x3c, ra(0)),
    "ra_two_hour_rule": rec(0x04, ra(opts=prefix(1, valid=20000))) +
                        rec(0x0c, ra(opts=prefix(1, valid=5, pref=5))),
    "ra_timers": rec(0x04, ra(opts=b"", reach=2000, retrans=300)),
    "ra_bad_src": rec(0x07, ra(opts=prefix(1))),
    "redirect": rec(0x04, ra(opts=slla)) +
                rec(0x00, bytes([4, 0, 0, 0, 0, 0, 0, 0]) + ll2 + dst + bytes([2, 1, 2, 0xaa, 0, 0, 0, 2])),
    "dad_ns_for_slaac": rec(0x04, ra(opts=prefix(1))) +
                        rec(0x06, bytes([2, 0, 0, 0, 0, 0, 0, 0]) + dst),
    "rs": rec(0x04, bytes([0, 0, 0, 0, 0, 0, 0, 0]) + slla),
    "zero_length_option": rec(0x04, ra(opts=bytes([3, 0, 0, 0, 0, 0, 0, 0]))),
}
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
print(f"{len(seeds)} seeds in {out}", file=sys.stderr)

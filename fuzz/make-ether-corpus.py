#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/ether_input_fuzz.c: records of
[length (2 bytes), clock step, Ethernet frame]. A destination MAC starting
with 00 is replaced by the stack's own by the harness."""
import importlib.util
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("mc", os.path.join(HERE, "make-corpus.py"))
mc = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mc)

US, PEER = mc.addr("2001:db8::2"), mc.addr("2001:db8::1")
PEER_LL, ALL_NODES = mc.addr("fe80::1"), mc.ALL_NODES
PEER_MAC = bytes([2, 0, 0, 0, 0, 1])
OURS = bytes(6)  # the harness puts the stack's MAC here


def mcast_mac(a):
    return bytes([0x33, 0x33]) + a[12:]


def eth(dst_mac, packet):
    return dst_mac + PEER_MAC + b"\x86\xdd" + packet


def rec(frame, step=0):
    return struct.pack("!HB", len(frame), step) + frame


def opt_lla(typ, mac):
    return bytes([typ, 1]) + mac


def seeds():
    s = {}
    sn = mc.addr("ff02::1:ff00:2")
    ns = mc.icmp6(PEER, sn, 135, 0, 0, US + opt_lla(1, PEER_MAC))
    s["ns_for_us"] = rec(eth(mcast_mac(sn), mc.ip6(PEER, sn, 58, ns, hlim=255)))
    na = mc.icmp6(PEER, US, 136, 0, 0x60000000, PEER + opt_lla(2, PEER_MAC))
    echo = mc.ip6(PEER, US, 58, mc.echo(PEER, US))
    s["echo_then_na"] = rec(eth(OURS, echo)) + rec(eth(OURS, mc.ip6(PEER, US, 58, na, hlim=255)), 1)
    prefix = bytes([3, 4, 64, 0xc0]) + struct.pack("!III", 86400, 14400, 0) + mc.addr("2001:db8:1::")
    ra = mc.icmp6(PEER_LL, ALL_NODES, 134, 0, 0x40000708, struct.pack("!II", 30000, 1000) +
                  opt_lla(1, PEER_MAC) + bytes([5, 1, 0, 0]) + struct.pack("!I", 1400) + prefix)
    s["ra_prefix_mtu"] = rec(eth(mcast_mac(ALL_NODES), mc.ip6(PEER_LL, ALL_NODES, 58, ra, hlim=255)), 5)
    query = mc.icmp6(PEER_LL, ALL_NODES, 130, 0, 1000 << 16, bytes(16) + bytes([2, 125, 0, 0]))
    hbh = mc.ext(58, bytes([5, 2, 0, 0]))
    s["mld_general_query"] = rec(eth(mcast_mac(ALL_NODES), mc.ip6(PEER_LL, ALL_NODES, 0, hbh + query, hlim=1)), 20)
    mdns = mc.addr("ff02::fb")
    udp = mc.upper(PEER_LL, mdns, 17, struct.pack("!HHHH", 5353, 7, 12, 0) + b"ping", 6)
    s["udp_mdns"] = rec(eth(mcast_mac(mdns), mc.ip6(PEER_LL, mdns, 17, udp)))
    s["bad_short_frame"] = rec(b"\x00" * 10)
    return s


out = os.path.join(HERE, "corpus", "ether_input_fuzz")
os.makedirs(out, exist_ok=True)
for name, blob in seeds().items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(blob)
print(f"{out}: {len(seeds())} files")

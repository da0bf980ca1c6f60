#!/usr/bin/python3
"""Linux's side of netns_hostile.sh: hostile packets crafted with scapy,
sent on the TAP device DEV to sixstack (MAC SIX_MAC, address SIX_ADDR)
from LINUX_ADDR, and what sixstack answers, checked against the RFCs.

hostile.py DEV SIX_MAC SIX_ADDR LINUX_ADDR UDP_ECHO_PORT

Every case's packet carries its case number as its flow label, so that
an ICMPv6 error is matched to the packet it quotes. After each case an
echo request (id 0xbeef, seq = the case number) goes out as a barrier:
once its reply is back, sixstack has processed the case's packet, and
whatever it sent about it has come. Prints one line per case; exits 0
when every case went as expected.
"""
import select
import time
import sys

from scapy.all import (ICMPv6DestUnreach, ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6ND_NA,
                       ICMPv6ND_NS, ICMPv6NDOptDstLLAddr,
                       ICMPv6NDOptSrcLLAddr, ICMPv6ParamProblem, IPerror6,
                       IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, UDP, Ether,
                       HBHOptUnknown, PadN, Raw, conf, get_if_hwaddr, raw)

BARRIER_ID = 0xBEEF
dev, six_mac, six, linux, echo_port = sys.argv[1:6]
echo_port = int(echo_port)
linux_mac = get_if_hwaddr(dev)
sock = conf.L2socket(iface=dev)
failures = 0


def eth(dst_mac=None):
    return Ether(src=linux_mac, dst=dst_mac or six_mac)


def recv_from_six(timeout):
    """The next frame sixstack sent, or None after timeout seconds."""
    r, _, _ = select.select([sock], [], [], timeout)
    if not r:
        return None
    p = sock.recv()
    if p is None or Ether not in p or p[Ether].src.lower() != six_mac.lower():
        return False   # ours, or the kernel's: not an answer
    return p


def run(case, frames):
    """Sends frames, then the barrier; returns what sixstack sent until
    the barrier's reply (None when it never came)."""
    for f in frames:
        sock.send(f)
    sock.send(eth() / IPv6(src=linux, dst=six) / ICMPv6EchoRequest(id=BARRIER_ID, seq=case))
    got = []
    for _ in range(200):
        p = recv_from_six(2)
        if p is None:
            return None
        if p is False:
            continue
        if ICMPv6EchoReply in p and p[ICMPv6EchoReply].id == BARRIER_ID:
            if p[ICMPv6EchoReply].seq == case:
                return got
            continue
        got.append(p)
    return None


def quotes(p, case):
    """p is an ICMPv6 error about this case's packet."""
    return IPerror6 in p and p[IPerror6].fl == case


def report(case, name, ok, detail):
    global failures
    print(f"{'ok' if ok else 'FAIL'}: {case:2d} {name}: {detail}", flush=True)
    if not ok:
        failures += 1


def expect_pp(case, name, frames, code, ptr):
    got = run(case, frames)
    if got is None:
        return report(case, name, False, "sixstack did not answer the barrier")
    pps = [p for p in got if ICMPv6ParamProblem in p and quotes(p, case)]
    if len(pps) != 1:
        return report(case, name, False, f"{len(pps)} Parameter Problems, want 1")
    pp = pps[0][ICMPv6ParamProblem]
    report(case, name, (pp.code, pp.ptr) == (code, ptr),
           f"Parameter Problem code {pp.code} pointer {pp.ptr} (want {code}, {ptr})")


def expect_du(case, name, frames, code):
    got = run(case, frames)
    if got is None:
        return report(case, name, False, "sixstack did not answer the barrier")
    dus = [p for p in got if ICMPv6DestUnreach in p and quotes(p, case)]
    if len(dus) != 1:
        return report(case, name, False, f"{len(dus)} Destination Unreachables, want 1")
    report(case, name, dus[0][ICMPv6DestUnreach].code == code,
           f"Destination Unreachable code {dus[0][ICMPv6DestUnreach].code} (want {code})")


def expect_nothing(case, name, frames, what):
    """No ICMPv6 error quoting the case, and nothing that what(p) flags."""
    got = run(case, frames)
    if got is None:
        return report(case, name, False, "sixstack did not answer the barrier")
    bad = [p for p in got if quotes(p, case) or what(p)]
    report(case, name, not bad,
           "dropped silently" if not bad else f"answered: {bad[0].summary()}")


def expect_answer(case, name, frames, what, desc):
    got = run(case, frames)
    if got is None:
        return report(case, name, False, "sixstack did not answer the barrier")
    # An answer from an application (the host's UDP echo runs in its own
    # thread) may come after the stack's own barrier reply: wait a little.
    deadline = time.monotonic() + 3
    while not any(what(p) for p in got) and time.monotonic() < deadline:
        p = recv_from_six(max(0.0, deadline - time.monotonic()))
        if p is None:
            break
        if p is not False:
            got.append(p)
    report(case, name, any(what(p) for p in got), desc if any(what(p) for p in got)
           else f"no {desc}")


def ip(case, **kw):
    kw.setdefault("src", linux)
    kw.setdefault("dst", six)
    return IPv6(fl=case, **kw)


def is_na(p):
    return ICMPv6ND_NA in p


def echo_reply(ident):
    return lambda p: ICMPv6EchoReply in p and p[ICMPv6EchoReply].id == ident


def udp_echo(p):
    return UDP in p and p[UDP].sport == echo_port


def frags(case, ident, pieces, nh=58):
    """Fragments of one datagram: pieces are (offset in 8-octet units, M,
    bytes)."""
    return [eth() / ip(case, nh=44) /
            IPv6ExtHdrFragment(nh=nh, offset=off, m=m, id=ident) / Raw(data)
            for off, m, data in pieces]


def echo_bytes(ident, data):
    """An echo request with its checksum, as bytes (for cutting up)."""
    p = IPv6(src=linux, dst=six) / ICMPv6EchoRequest(id=ident, seq=1, data=data)
    return raw(p)[40:]


# ---- neighbour discovery (RFC 4861 7.1) ----
ns = ICMPv6ND_NS(tgt=six) / ICMPv6NDOptSrcLLAddr(lladdr=linux_mac)
expect_answer(1, "NS, valid (the control)", [eth() / ip(1, hlim=255) / ns], is_na,
              "Neighbor Advertisement")
expect_nothing(2, "NS with hop limit 64", [eth() / ip(2, hlim=64) / ns], is_na)
expect_nothing(3, "NS with a multicast target",
               [eth() / ip(3, hlim=255) / ICMPv6ND_NS(tgt="ff02::1") /
                ICMPv6NDOptSrcLLAddr(lladdr=linux_mac)], is_na)
expect_nothing(4, "NA with an option of length 0",
               [eth() / ip(4, hlim=255) / ICMPv6ND_NA(tgt=linux, R=0, S=0, O=1) /
                ICMPv6NDOptDstLLAddr(len=0, lladdr=linux_mac)], is_na)

# ---- extension headers (RFC 8200 4) ----
echo = ICMPv6EchoRequest(id=0x1000, seq=1, data=b"hostile")
# Unknown option type 0x87: its top two bits 10, discard and send
# Parameter Problem code 2 pointing at the option type: 40 + 2.
unk10 = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0x87, optdata=b"\0\0\0\0")])
unk11 = IPv6ExtHdrDestOpt(options=[HBHOptUnknown(otype=0xC7, optdata=b"\0\0\0\0")])
expect_pp(5, "unknown option, action 10", [eth() / ip(5) / unk10 / echo], 2, 42)
# 10 answers even a multicast destination; 11 does not (RFC 8200 4.2).
expect_pp(6, "unknown option, action 10, to ff02::1",
          [eth("33:33:00:00:00:01") / ip(6, dst="ff02::1") / unk10 / echo], 2, 42)
expect_nothing(7, "unknown option, action 11, to ff02::1",
               [eth("33:33:00:00:00:01") / ip(7, dst="ff02::1") / unk11 / echo],
               echo_reply(0x1000))
# Hop-by-hop after a destination options header: code 1 at the Next
# Header byte that names it (the destination options header's, 40).
expect_pp(8, "hop-by-hop not first",
          [eth() / ip(8) / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")]) /
           IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\0\0\0\0")]) / echo], 1, 40)
# RH0 with segments left (RFC 5095): code 0 at the Routing Type, 40 + 2.
expect_pp(9, "RH0 with segments left 1",
          [eth() / ip(9) / IPv6ExtHdrRouting(type=0, segleft=1, addresses=["2001:db8:6::99"]) /
           echo], 0, 42)
expect_answer(10, "RH0 with segments left 0 (ignored: the echo is answered)",
              [eth() / ip(10) / IPv6ExtHdrRouting(type=0, segleft=0,
                                                  addresses=["2001:db8:6::99"]) / echo],
              echo_reply(0x1000), "echo reply")
expect_nothing(11, "destination options running past the packet",
               [eth() / ip(11, nh=60, plen=16) /
                Raw(bytes([58, 12]) + b"\x01\x04\0\0\0\0" + raw(echo)[:8])],
               echo_reply(0x1000))
# An unknown upper layer: code 1 at the IPv6 header's Next Header (6).
expect_pp(12, "unknown next header 253", [eth() / ip(12, nh=253) / Raw(b"\0" * 8)], 1, 6)

# ---- fragments (RFC 5722, RFC 7112) ----
whole = echo_bytes(0x2000, b"0123456789abcdef")     # 24 bytes
# +--------+--------+            first: octets 0-15, M
#          +--------+--------+   second: octets 8-23, overlapping 8-15
expect_nothing(13, "overlapping fragments",
               frags(13, 0x13, [(0, 1, whole[:16]), (1, 0, whole[8:])]),
               echo_reply(0x2000))
expect_answer(14, "the same fragments without the overlap (the control)",
              frags(14, 0x14, [(0, 1, whole[:16]), (2, 0, whole[16:])]),
              echo_reply(0x2000), "echo reply")
# The first fragment holds a 16-byte destination options header and no
# UDP header: RFC 7112, code 3, pointer 0.
dopt16 = raw(IPv6ExtHdrDestOpt(nh=17, options=[PadN(optdata=b"\0" * 12)]))
udp = raw(UDP(sport=5555, dport=echo_port, chksum=0) / Raw(b"x" * 8))
expect_pp(15, "first fragment without the UDP header",
          frags(15, 0x15, [(0, 1, dopt16), (2, 0, udp)], nh=60), 3, 0)

# ---- UDP (RFC 8200 8.1: a zero checksum is invalid over IPv6) ----
expect_nothing(16, "UDP with a zero checksum",
               [eth() / ip(16) / UDP(sport=5555, dport=echo_port, chksum=0) / Raw(b"zero")],
               udp_echo)
expect_answer(17, "the same datagram with its checksum (the control)",
              [eth() / ip(17) / UDP(sport=5555, dport=echo_port) / Raw(b"zero")],
              udp_echo, "UDP echo")

expect_du(18, "UDP to a closed port", [eth() / ip(18) / UDP(sport=5555, dport=9) / Raw(b"x")], 4)

# ---- more of the same, in combinations ----
# Twenty destination options headers: past the chain limit (16), dropped.
chain = ip(19)
for _ in range(20):
    chain = chain / IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\0\0\0\0")])
expect_nothing(19, "twenty destination options headers", [eth() / chain / echo],
               echo_reply(0x1000))
# An atomic fragment (offset 0, M clear) is a whole datagram (RFC 6946).
expect_answer(20, "atomic fragment", frags(20, 0x20, [(0, 0, whole)]),
              echo_reply(0x2000), "echo reply")
# A Neighbor Solicitation in fragments (RFC 6980 5): dropped.
nsb = raw(IPv6(src=linux, dst=six, hlim=255) / ns)[40:]      # 32 bytes
expect_nothing(21, "NS in two fragments",
               [eth() / ip(21, nh=44, hlim=255) /
                IPv6ExtHdrFragment(nh=58, offset=o, m=m, id=0x21) / Raw(d)
                for o, m, d in [(0, 1, nsb[:8]), (1, 0, nsb[8:])]], is_na)
# From :: (duplicate address detection), to the solicited-node group:
# with a source link-layer address option it is invalid (RFC 4861
# 7.1.1); without, sixstack defends its address with an NA to all-nodes.
snm, snmac = "ff02::1:ff00:2", "33:33:ff:00:00:02"
expect_nothing(22, "DAD NS with a source link-layer address",
               [eth(snmac) / ip(22, src="::", dst=snm, hlim=255) / ns], is_na)
expect_answer(23, "DAD NS (the control)",
              [eth(snmac) / ip(23, src="::", dst=snm, hlim=255) / ICMPv6ND_NS(tgt=six)],
              lambda p: is_na(p) and p[IPv6].dst == "ff02::1", "NA to ff02::1")
expect_nothing(24, "NS with ICMP code 1",
               [eth() / ip(24, hlim=255) / ICMPv6ND_NS(code=1, tgt=six) /
                ICMPv6NDOptSrcLLAddr(lladdr=linux_mac)], is_na)

print(f"{failures} failures", flush=True)
sys.exit(1 if failures else 0)

#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz harnesses: a handful of small valid
and malformed IPv6 packets as binary files.

    python3 fuzz/make-corpus.py            # into fuzz/corpus/<harness>/

ip6_input_fuzz gets whole packets addressed to the harness's stack
(2001:db8::2 and fe80::2 on the fuzzed interface, peer 2001:db8::1);
wire_fuzz gets the same packets plus bare headers for each parser.
Python standard library only; the output is the same on every run.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

ICMPV6, UDP, HOPOPTS, ROUTING, FRAGMENT, NONE, DSTOPTS = 58, 17, 0, 43, 44, 59, 60


def addr(text):
    """An IPv6 address in the few forms used here, without the socket module
    (so that the script runs anywhere)."""
    head, _, tail = text.partition("::")
    h = [int(x, 16) for x in head.split(":") if x]
    t = [int(x, 16) for x in tail.split(":") if x]
    words = h + [0] * (8 - len(h) - len(t)) + t if "::" in text else h
    return struct.pack("!8H", *words)


US, US_LL, PEER, PEER_LL = addr("2001:db8::2"), addr("fe80::2"), addr("2001:db8::1"), addr("fe80::1")
ALL_NODES = addr("ff02::1")


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def upper(src, dst, nxt, payload, ck_off):
    """payload with its checksum (at ck_off) filled in over the pseudo-header."""
    ph = src + dst + struct.pack("!IxxxB", len(payload), nxt)
    c = cksum(ph + payload) or 0xFFFF
    return payload[:ck_off] + struct.pack("!H", c) + payload[ck_off + 2:]


def ip6(src, dst, nxt, payload, hlim=64, tclass=0, flow=0, plen=None):
    word0 = 6 << 28 | tclass << 20 | flow
    if plen is None:
        plen = len(payload)
    return struct.pack("!IHBB", word0, plen, nxt, hlim) + src + dst + payload


def icmp6(src, dst, typ, code, word, body=b""):
    return upper(src, dst, ICMPV6, struct.pack("!BBHI", typ, code, 0, word) + body, 2)


def ext(nxt, body):
    """A generic extension header: body padded to a multiple of 8 with the
    2-byte preamble."""
    raw = body
    pad = (-(len(raw) + 2)) % 8
    if pad == 1:
        raw += b"\0"                          # Pad1
    elif pad:
        raw += bytes([1, pad - 2]) + b"\0" * (pad - 2)   # PadN
    return bytes([nxt, (len(raw) + 2) // 8 - 1]) + raw


def rthdr0(nxt, segleft, addrs):
    body = bytes([0, segleft]) + b"\0" * 4 + b"".join(addrs)
    return bytes([nxt, len(addrs) * 2]) + body


def frag(nxt, offset, more, ident):
    return struct.pack("!BBHI", nxt, 0, offset | more, ident)


def echo(src, dst, ident=0x1234, seq=1, data=b"sixstack"):
    return icmp6(src, dst, 128, 0, ident << 16 | seq, data)


def packets():
    p = {}
    p["echo_request"] = ip6(PEER, US, ICMPV6, echo(PEER, US))
    p["echo_request_link_local"] = ip6(PEER_LL, US_LL, ICMPV6, echo(PEER_LL, US_LL), hlim=255)
    p["echo_request_all_nodes"] = ip6(PEER_LL, ALL_NODES, ICMPV6, echo(PEER_LL, ALL_NODES))
    p["echo_reply"] = ip6(PEER, US, ICMPV6, icmp6(PEER, US, 129, 0, 0x12340001, b"data"),
                          tclass=0xb8, flow=0x12345)
    p["proto_253"] = ip6(PEER, US, 253, b"experimental payload")
    p["udp_closed_port"] = ip6(PEER, US, UDP,
                               upper(PEER, US, UDP, struct.pack("!HHHH", 4000, 9, 12, 0) + b"ping", 6))
    udp_hdr = lambda sport, dport, n: struct.pack("!HHHH", sport, dport, 8 + n, 0)
    p["udp_echo_port"] = ip6(PEER, US, UDP, upper(PEER, US, UDP, udp_hdr(4000, 7, 4) + b"ping", 6))
    mdns = addr("ff02::fb")
    p["udp_mdns_two_members"] = ip6(PEER_LL, mdns, UDP,
                                    upper(PEER_LL, mdns, UDP, udp_hdr(5353, 5353, 5) + b"query", 6),
                                    hlim=255)
    p["udp_connected_peer"] = ip6(PEER, US, UDP,
                                  upper(PEER, US, UDP, udp_hdr(4001, 9000, 2) + b"hi", 6))
    p["udp_zero_checksum"] = ip6(PEER, US, UDP, udp_hdr(4000, 7, 4) + b"ping")
    p["udp_length_past_packet"] = ip6(PEER, US, UDP, struct.pack("!HHHH", 4000, 7, 64, 1) + b"ping")
    req = echo(PEER, US)
    p["hbh_router_alert"] = ip6(PEER, US, HOPOPTS, ext(ICMPV6, bytes([5, 2, 0, 0])) + req)
    p["hbh_unknown_option_icmp"] = ip6(PEER, US, HOPOPTS, ext(ICMPV6, bytes([0x9e, 2, 0, 0])) + req)
    p["dstopts_unknown_option_skip"] = ip6(PEER, US, DSTOPTS, ext(ICMPV6, bytes([0x1e, 1, 7])) + req)
    p["all_ext_headers"] = ip6(
        PEER, US, HOPOPTS,
        ext(DSTOPTS, bytes([1, 0])) + ext(ROUTING, bytes([0x1e, 0])) +
        rthdr0(DSTOPTS, 0, [PEER]) + ext(ICMPV6, bytes([1, 2, 0, 0])) + req)
    p["rthdr0_segments_left"] = ip6(PEER, US, ROUTING, rthdr0(ICMPV6, 1, [PEER]) + req)
    p["atomic_fragment"] = ip6(PEER, US, FRAGMENT, frag(ICMPV6, 0, 0, 0xabcdef01) + req)
    p["first_fragment"] = ip6(PEER, US, FRAGMENT, frag(ICMPV6, 0, 1, 7) + req)
    if_local = addr("ff01::1")
    p["bad_interface_local_multicast"] = ip6(PEER_LL, if_local, ICMPV6, echo(PEER_LL, if_local))
    p["no_next_header"] = ip6(PEER, US, NONE, b"")
    p["unknown_next_header"] = ip6(PEER, US, 200, b"\0" * 8)
    quoted = ip6(US, PEER, UDP, struct.pack("!HHHH", 9, 4000, 8, 0x1234))
    p["icmp_error_port_unreachable"] = ip6(PEER, US, ICMPV6, icmp6(PEER, US, 1, 4, 0, quoted))
    p["icmp_packet_too_big"] = ip6(PEER, US, ICMPV6, icmp6(PEER, US, 2, 0, 1280, quoted))
    p["link_padding"] = ip6(PEER, US, ICMPV6, echo(PEER, US, data=b"")) + b"\0" * 14
    # Malformed.
    p["bad_truncated_header"] = p["echo_request"][:20]
    p["bad_payload_length"] = ip6(PEER, US, ICMPV6, echo(PEER, US), plen=200)
    p["bad_version_4"] = b"\x45" + p["echo_request"][1:]
    p["bad_multicast_source"] = ip6(ALL_NODES, US, ICMPV6, echo(ALL_NODES, US))
    bad = bytearray(p["echo_request"])
    bad[-1] ^= 0xFF
    p["bad_checksum"] = bytes(bad)
    p["bad_option_overruns_header"] = ip6(PEER, US, DSTOPTS,
                                          bytes([ICMPV6, 0, 0x1e, 9, 0, 0, 0, 0]) + req)
    p["bad_ext_length_overruns_packet"] = ip6(PEER, US, DSTOPTS, bytes([ICMPV6, 4, 1, 0, 0, 0, 0, 0]))
    p["bad_hbh_not_first"] = ip6(PEER, US, DSTOPTS, ext(HOPOPTS, b"") + ext(ICMPV6, b"") + req)
    p["bad_icmp_truncated"] = ip6(PEER, US, ICMPV6, b"\x80\0\0")
    p["bad_loopback_destination"] = ip6(PEER, addr("::1"), ICMPV6, echo(PEER, addr("::1")))
    p["bad_long_ext_chain"] = ip6(PEER, US, DSTOPTS, ext(DSTOPTS, b"") * 20 + ext(ICMPV6, b"") + req)
    # Fault injection (see fuzz/ip6_input_fuzz.c): link padding ending in
    # 0xa5 fails allocation 1 + (byte before % 4); here the second, which
    # is the reply, the error, or the copy for a second raw socket.
    p["fault_echo_reply_alloc"] = p["echo_request"] + b"\x01\xa5"
    p["fault_error_alloc"] = p["udp_closed_port"] + b"\x01\xa5"
    p["fault_raw_copy_alloc"] = p["echo_reply"] + b"\x01\xa5"
    p["fault_udp_mcast_copy_alloc"] = p["udp_mdns_two_members"] + b"\x01\xa5"
    return p


def headers():
    """Bare headers for wire_fuzz's parsers."""
    h = {}
    h["hdr_rthdr0_two_addresses"] = rthdr0(ICMPV6, 2, [PEER, US])
    h["hdr_rthdr0_odd_length"] = bytes([ICMPV6, 1, 0, 0]) + b"\0" * 12
    h["hdr_rthdr_type2"] = bytes([ICMPV6, 2, 2, 1]) + b"\0" * 4 + US
    h["hdr_fragment"] = frag(UDP, 1448, 1, 0xdeadbeef)
    h["hdr_udp"] = struct.pack("!HHHH", 53, 5353, 12, 0xabcd) + b"data"
    h["hdr_udp_short_length"] = struct.pack("!HHHH", 53, 5353, 4, 0)
    h["hdr_icmp6_echo"] = echo(PEER, US)
    h["hdr_options_pad1_padn_jumbo"] = ext(NONE, bytes([0, 1, 1, 0, 0xc2, 4, 0, 1, 0, 0]))
    h["hdr_options_truncated"] = bytes([NONE, 0, 0xc2, 4, 0, 0, 0, 0])
    h["hdr_odd_length_checksum"] = bytes(range(1, 0x30, 2))
    return h


def write(dirname, items):
    d = os.path.join(HERE, "corpus", dirname)
    os.makedirs(d, exist_ok=True)
    for name, data in sorted(items.items()):
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("%s: %d files" % (d, len(items)))


def main():
    pk = packets()
    write("ip6_input_fuzz", pk)
    wire = dict(pk)
    wire.update(headers())
    write("wire_fuzz", wire)
    return 0


if __name__ == "__main__":
    sys.exit(main())

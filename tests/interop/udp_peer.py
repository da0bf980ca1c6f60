#!/usr/bin/python3
"""Linux's side of netns_udp.sh: plain kernel UDP sockets (no scapy).

udp_peer.py send ADDR PORT SIZE COUNT [IFNAME [SECONDS]]
    Sends COUNT datagrams of SIZE bytes to ADDR PORT (out of IFNAME when
    ADDR is multicast, or link-local without %IFNAME) and waits up to
    SECONDS (default 2) for each to come back unchanged. One line per echo; exits 0 when every
    datagram came back, 1 otherwise.

udp_peer.py echo PORT IFNAME [GROUP]...
    Echoes every datagram on [::]:PORT to its sender, a member of each
    GROUP on IFNAME; prints "listening" when bound, then one line per
    datagram ("N bytes from ADDR port P to DST"). Runs until killed.
"""
import socket
import struct
import sys


def send(addr, port, size, count, ifname=None, wait=2.0):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(wait)
    scope = 0
    if ifname:
        scope = socket.if_nametoindex(ifname)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, scope)
    got = 0
    for i in range(count):
        data = bytes((k * 3 + i) & 0xFF for k in range(size))
        s.sendto(data, (addr, port, 0, scope))
        try:
            while True:
                back, frm = s.recvfrom(65536)
                if back == data:
                    print(f"echo {len(back)} bytes from {frm[0]} port {frm[1]}", flush=True)
                    got += 1
                    break
        except socket.timeout:
            print(f"no echo for datagram {i + 1} ({size} bytes)", flush=True)
    print(f"{count} sent, {got} echoed", flush=True)
    return 0 if got == count else 1


def echo(port, ifname, groups):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
    s.bind(("::", port))
    ifindex = socket.if_nametoindex(ifname)
    for g in groups:
        mreq = socket.inet_pton(socket.AF_INET6, g) + struct.pack("@I", ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    print("listening", flush=True)
    while True:
        data, anc, _flags, frm = s.recvmsg(65536, socket.CMSG_SPACE(20))
        dst = "?"
        for level, typ, val in anc:
            if level == socket.IPPROTO_IPV6 and typ == socket.IPV6_PKTINFO:
                dst = socket.inet_ntop(socket.AF_INET6, val[:16])
        s.sendto(data, frm)
        print(f"{len(data)} bytes from {frm[0]} port {frm[1]} to {dst}", flush=True)


def main(argv):
    if len(argv) >= 5 and argv[0] == "send":
        return send(argv[1], int(argv[2]), int(argv[3]), int(argv[4]),
                    argv[5] if len(argv) > 5 else None,
                    float(argv[6]) if len(argv) > 6 else 2.0)
    if len(argv) >= 3 and argv[0] == "echo":
        echo(int(argv[1]), argv[2], argv[3:])
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

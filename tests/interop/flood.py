#!/usr/bin/python3
"""Linux's side of netns_flood.sh: echo requests to sixstack (MAC SIX_MAC,
address SIX_ADDR) from NSRC different on-link sources (PREFIX::/64, a
made-up MAC), as fast as the TAP delivers them, for SECONDS.

flood.py DEV SIX_MAC SIX_ADDR PREFIX SECONDS NSRC

A TAP gives no back pressure: what its reader does not take in time is
dropped on the kernel's side, the legitimate neighbour's frames among the
flood's, which would test the kernel's queue rather than sixstack. So the
flood keeps at most WINDOW frames in flight: sixstack answers each with a
Neighbor Solicitation (it must resolve the source to reply), which the
device counts as received (rx_packets); the flood waits while it is more
than WINDOW ahead of them. That is the fastest rate sixstack takes.
The frames are built once (checksums included) and sent in turn. Prints
"flood: N frames in T s (R frames/s), D dropped by the kernel".
"""
import socket
import struct
import sys
import time

dev, six_mac, six, prefix, seconds, nsrc = sys.argv[1:7]
seconds, nsrc = float(seconds), int(nsrc)
fake_mac = bytes.fromhex("02f100d00001")
dst_mac = bytes.fromhex(six_mac.replace(":", ""))
six_addr = socket.inet_pton(socket.AF_INET6, six)
base = socket.inet_pton(socket.AF_INET6, prefix)


def cksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(i):
    src = base[:12] + struct.pack("!I", 0x10000 + i)
    icmp = struct.pack("!BBHHH", 128, 0, 0, 0xF100, i & 0xFFFF) + b"flood-payload"
    pseudo = src + six_addr + struct.pack("!IxxxB", len(icmp), 58)
    icmp = icmp[:2] + struct.pack("!H", cksum(pseudo + icmp)) + icmp[4:]
    ip6 = struct.pack("!IHBB", 0x60000000, len(icmp), 58, 64) + src + six_addr
    return dst_mac + fake_mac + b"\x86\xdd" + ip6 + icmp


frames = [frame(i) for i in range(nsrc)]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((dev, 0))
send = s.send
counters = {k: open("/sys/class/net/%s/statistics/%s" % (dev, k))
            for k in ("tx_dropped", "rx_packets")}


def counter(k):
    f = counters[k]
    f.seek(0)
    return int(f.read())


BURST = 64
WINDOW = 450
n = 0
drops0, rx0 = counter("tx_dropped"), counter("rx_packets")
start = time.monotonic()
end = start + seconds
while time.monotonic() < end:
    for i in range(0, len(frames), BURST):
        while n - (counter("rx_packets") - rx0) > WINDOW:
            if time.monotonic() >= end:
                break
        for f in frames[i:i + BURST]:
            try:
                send(f)
                n += 1
            except OSError:
                pass
t = time.monotonic() - start
print("flood: %d frames in %.2f s (%d frames/s), %d dropped by the kernel"
      % (n, t, n / t, counter("tx_dropped") - drops0))

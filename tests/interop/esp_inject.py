#!/usr/bin/python3
"""Linux's side of netns_ipsec.sh's replay and tamper cases: resends an
ESP frame a capture holds, from the kernel's side of a TAP device, as an
attacker on the link would.

esp_inject.py replay|tamper PCAP IFNAME SRC
    Takes the first Ethernet frame in PCAP carrying IPv6 ESP from SRC and
    sends it out of IFNAME again: as it was (replay), or with a sequence
    number never used and one bit of its ciphertext flipped (tamper).
    Exits 1 when the capture has no such frame.
"""
import socket
import struct
import sys


def frames(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        order = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            _, _, incl, _ = struct.unpack(order + "IIII", rec)
            yield f.read(incl)


def main():
    mode, path, ifname, src = sys.argv[1:5]
    want = socket.inet_pton(socket.AF_INET6, src)
    for fr in frames(path):
        # Ethernet (14), IPv6 (40): Next Header 50, source SRC.
        if len(fr) > 14 + 40 + 24 and fr[12:14] == b"\x86\xdd" and fr[14 + 6] == 50 \
                and fr[14 + 8:14 + 24] == want:
            fr = bytearray(fr)
            if mode == "tamper":
                fr[14 + 40 + 4:14 + 40 + 8] = struct.pack(">I", 0x7FFF0000)
                fr[14 + 40 + 20] ^= 0x10
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
            s.bind((ifname, 0))
            s.send(bytes(fr))
            print("%s: sent %d bytes" % (mode, len(fr)))
            return 0
    print("no ESP frame from %s in %s" % (src, path))
    return 1


if __name__ == "__main__":
    sys.exit(main())

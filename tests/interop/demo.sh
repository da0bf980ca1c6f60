#!/usr/bin/env bash
# make demo's main job: runs sixstack-demo, checks what it printed, and has
# tshark read its capture without a malformed packet.
# Usage: demo.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$build/tools/sixstack-demo" -o "$tmp/demo.pcap" -t 33 -c 3 >"$tmp/out" 2>&1 || { cat "$tmp/out"; exit 1; }
cat "$tmp/out"
grep -qx "hop limit: 33" "$tmp/out" || { echo "no 'hop limit: 33'"; exit 1; }
grep -q "3 packets transmitted, 3 received" "$tmp/out" || { echo "ping lost packets"; exit 1; }
grep -q "Connection refused" "$tmp/out" || { echo "no ICMPv6 error reported"; exit 1; }
[ "$(grep -c 'alice: echo from bob: "datagram' "$tmp/out")" -eq 3 ] || { echo "UDP echoes missing"; exit 1; }
grep -q 'bob: "hello, group" to ff1e::42 from 2001:db8::a' "$tmp/out" || { echo "no multicast"; exit 1; }
if ! command -v tshark >/dev/null; then echo "SKIP capture check: no tshark"; exit 77; fi
# MLD reports of bob's join (from ::: bob has no link-local address,
# RFC 3590) come and go with the demo's timing: counted apart.
n=$(tshark -r "$tmp/demo.pcap" -Y '!(icmpv6.type == 143)' 2>/dev/null | wc -l)
[ "$(tshark -r "$tmp/demo.pcap" -Y 'icmpv6.type == 143 && icmpv6.mldr.mar.multicast_address == ff1e::42' 2>/dev/null | wc -l)" -ge 1 ] \
  || { echo "bob's join of ff1e::42 was not reported (MLD)"; exit 1; }
bad=$(tshark -r "$tmp/demo.pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"' 2>/dev/null | wc -l)
echo "tshark: $n packets, $bad malformed"
[ "$n" -eq 16 ] || { echo "want 16 packets (1 raw, 3 echo pairs, 1 unknown proto + 1 PP, 3 UDP pairs, 1 multicast)"; tshark -r "$tmp/demo.pcap"; exit 1; }
[ "$(tshark -r "$tmp/demo.pcap" -Y 'udp.port == 7' 2>/dev/null | wc -l)" -eq 7 ] || { echo "want 7 UDP datagrams"; exit 1; }
[ "$bad" -eq 0 ] || exit 1
# The Parameter Problem points at the Next Header byte (offset 6).
tshark -r "$tmp/demo.pcap" -Y 'icmpv6.type == 4 && icmpv6.code == 1 && icmpv6.pointer == 6' 2>/dev/null | grep -q . \
  || { echo "Parameter Problem pointer wrong"; exit 1; }

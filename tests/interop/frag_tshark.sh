#!/usr/bin/env bash
# Fragments sixstack sends, judged by another implementation: tshark must
# reassemble every packet of frag_out_test's capture_for_tshark case
# (plain, with every extension header, UDP, at 1280), find every checksum
# good and no packet malformed.
# Usage: frag_tshark.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
SIX_FRAG_PCAP="$tmp/frag.pcap" "$build/tests/frag_out_test" capture_for_tshark || exit 1
ts() { tshark -r "$tmp/frag.pcap" -o udp.check_checksum:TRUE "$@" 2>/dev/null; }
ts
# One line per reassembled packet: its length and protocol.
ts -Y ipv6.fragments -T fields -e ipv6.reassembled.length -e _ws.col.Protocol >"$tmp/re"
cat "$tmp/re"
# A's four packets, then B's echo replies (B reassembles the requests and
# answers in fragments of its own; the UDP datagrams get port unreachable).
printf '3000\tICMPv6\n2508\tICMPv6\n5008\tUDP\n3341\tUDP\n3000\tICMPv6\n2500\tICMPv6\n' >"$tmp/want"
diff -u "$tmp/want" "$tmp/re" || { echo "tshark did not reassemble what was sent"; exit 1; }
bad=$(ts -Y '_ws.malformed || _ws.expert.severity >= "error"' | wc -l)
good=$(ts -V | grep -c 'Checksum Status: Good')
echo "tshark: $bad malformed or in error, $good good checksums"
[ "$bad" -eq 0 ] || exit 1
[ "$good" -eq 8 ] || { echo "want 8 good checksums (A's 4, B's 2 replies and 2 errors)"; exit 1; }

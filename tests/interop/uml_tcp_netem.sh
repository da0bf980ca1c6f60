#!/usr/bin/env bash
# TCP between sixstack and the Linux kernel through `tc netem` on Linux's
# side of the link (netns_tcp_loss.sh does the same through sixstack's own
# wrapper): on the TAP, netem delays every frame 10 ms, loses 2 % and
# reorders 2 % in both directions (egress on the TAP; ingress redirected
# through an ifb device), so 20 ms more round trip. A Linux client sends
# SIX_TCP_NETEM_BYTES (default 2 MiB) to sixstack's echo port and gets the
# same bytes back; sixstack's capture shows SACK blocks from both sides,
# fast retransmissions by both, and nothing malformed.
# Runs on the host when its kernel has netem, else in a User-mode Linux
# guest (uml-lib.bash): the guest is slow, so the transfer stays small.
# Skips (exit 77) when not root, or when neither can run netem, or for
# an ASan build that would have to run in the guest.
# Usage: uml_tcp_netem.sh BUILD_DIR SOURCE_DIR
#        uml_tcp_netem.sh --part BUILD_DIR OUT_DIR   (the network part)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/uml-lib.bash"

if [ "${1:-}" = --part ]; then
  out=$3
  . "$here/netns-lib.bash"
  netns_init "$2" python3 tc
  netns_up tap
  linux=2001:db8:6::1 six=2001:db8:6::2
  ifb=ifb$$
  netem="delay 10ms loss 2% reorder 2%"
  start_host -a $six/64 -T 7 -w "$tmp/netem.pcap"
  in_ns ip link add $ifb type ifb || fail "no ifb device"
  in_ns ip link set $ifb up
  in_ns tc qdisc add dev "$dev" root netem $netem || fail "netem on $dev"
  in_ns tc qdisc add dev "$dev" handle ffff: ingress || fail "ingress on $dev"
  in_ns tc filter add dev "$dev" parent ffff: matchall action mirred egress redirect dev $ifb ||
    fail "redirect to $ifb"
  in_ns tc qdisc add dev $ifb root netem $netem || fail "netem on $ifb"
  in_ns timeout 600 python3 "$here/tcp_peer.py" client $six 7 "${SIX_TCP_NETEM_BYTES:-2097152}" \
    >"$tmp/client.out" 2>&1 || fail "client: $(cat "$tmp/client.out")"
  cat "$tmp/client.out"
  grep -q "same bytes" "$tmp/client.out" || fail "the echo differs"
  in_ns tc -s qdisc show dev "$dev" | grep -A1 netem
  in_ns tc -s qdisc show dev $ifb | grep -A1 netem
  stop_host
  cp "$tmp/netem.pcap" "$out/"
  echo "part done"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v tshark >/dev/null || { echo "SKIP: no tshark"; exit 77; }
build=$(cd "$1" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
where=$(uml_where tc qdisc add dev lo root netem delay 1ms)
echo "netem: on the $where"
[ "$where" != none ] || { echo "SKIP: no netem on the host and no guest: $(uml_missing)"; exit 77; }
if [ "$where" = guest ] && grep -q '^SIX_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  echo "SKIP: an ASan build cannot run in the UML guest (its shadow memory does not map there)"
  exit 77
fi
uml_part "$where" "$0" --part "$build" "$out" >"$out/part.log" 2>&1
rc=$?
grep -v '^sixstack-host\[' "$out/part.log"
[ "$rc" -eq 0 ] && grep -q "part done" "$out/part.log" || { echo "FAIL: the part failed ($rc)"; exit 1; }
pcap=$out/netem.pcap
count() { tshark -r "$pcap" -Y "$1" 2>/dev/null | wc -l; }
for who in 2001:db8:6::1 2001:db8:6::2; do
  fr=$(count "tcp.analysis.fast_retransmission && ipv6.src == $who")
  sack=$(count "tcp.options.sack_le && ipv6.src == $who")
  echo "$who: $fr fast retransmissions, $sack ACKs with SACK blocks"
  [ "$fr" -ge 1 ] && [ "$sack" -ge 1 ] || { echo "FAIL: no fast retransmit or SACK from $who"; exit 1; }
done
bad=$(tshark -r "$pcap" -o tcp.check_checksum:TRUE \
  -Y '_ws.malformed || _ws.expert.severity >= "error" || tcp.checksum.status == "Bad"' 2>/dev/null | wc -l)
echo "tshark: $(tshark -r "$pcap" 2>/dev/null | wc -l) frames, $bad malformed or in error"
[ "$bad" -eq 0 ] || { echo "FAIL: malformed frames"; exit 1; }
echo "ok"

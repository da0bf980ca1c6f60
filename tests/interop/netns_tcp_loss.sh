#!/usr/bin/env bash
# TCP between sixstack and the Linux kernel over a bad link: sixstack-host's
# link wrapper (-F, six_if_set_fault) drops 1 % of the frames, reorders 1 %
# and delays each by 10 ms, both ways (so 20 ms more round trip), seeded.
#   - a Linux client sends SIX_TCP_LOSS_BYTES (default 2 MiB) to sixstack's
#     echo port and gets the same bytes back;
#   - sixstack's client does the same against a Linux echo server;
#   - in sixstack's captures (taken above the wrapper: what it sent, and
#     what reached it), both sides send SACK blocks and both make fast
#     retransmissions (tshark's analysis), and the wrapper's counters show
#     it dropped and reordered frames;
#   - tshark reads both captures with no malformed segment.
# The netem version of the same, impairing Linux's side of the link, is
# uml_tcp_netem.sh. Skips (exit 77) when not root, without /dev/net/tun or
# network namespaces, or without ip, python3 or tshark.
# Usage: netns_tcp_loss.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" python3
netns_up tap
bytes=${SIX_TCP_LOSS_BYTES:-2097152}
peer=$(dirname "$0")/tcp_peer.py
tmo=${SIX_TCP_TIMEOUT:-300}
linux=2001:db8:6::1 six=2001:db8:6::2
fault=drop=1,reorder=1,delay=10,gap=3,seed=12

count() { tshark -r "$1" -Y "$2" 2>/dev/null | wc -l; }

# Both ends SACK and fast-retransmit in capture $1 (the data went from
# $2 to $3, the ACKs back).
recovery_seen() {
  local fr sack_back
  fr=$(count "$1" "tcp.analysis.fast_retransmission && ipv6.src == $2")
  sack_back=$(count "$1" "tcp.options.sack_le && ipv6.src == $3")
  echo "$(basename "$1"): $fr fast retransmissions by $2, $sack_back ACKs with SACK blocks from $3"
  [ "$fr" -ge 1 ] || fail "no fast retransmission by $2 in $1"
  [ "$sack_back" -ge 1 ] || fail "no SACK from $3 in $1"
}

# ---- Linux sends, sixstack echoes ----
start_host -a $six/64 -T 7 -F $fault -w "$tmp/serve.pcap"
in_ns timeout "$tmo" python3 "$peer" client $six 7 "$bytes" >"$tmp/client1.out" 2>&1 ||
  fail "Linux client to sixstack: $(cat "$tmp/client1.out")"
cat "$tmp/client1.out"
grep -q "same bytes" "$tmp/client1.out" || fail "the echo differs"
stop_host
echo "wrapper: $(counter link_fault_dropped) dropped, $(counter link_fault_reordered) reordered" \
  "of $(counter link_fault_frames) frames"
[ "$(counter link_fault_dropped)" -ge 1 ] && [ "$(counter link_fault_reordered)" -ge 1 ] ||
  fail "the wrapper neither dropped nor reordered"
recovery_seen "$tmp/serve.pcap" $linux $six
recovery_seen "$tmp/serve.pcap" $six $linux
tshark_clean "$tmp/serve.pcap" 100
echo "ok: Linux to sixstack and back through loss, reordering and delay"

# ---- sixstack sends, Linux echoes ----
bg ip netns exec "$ns" python3 "$peer" server 7007 "$tmp/server.ready"
for _ in $(seq 50); do [ -e "$tmp/server.ready" ] && break; sleep 0.1; done
in_ns timeout "$tmo" "$host" -i "$dev" -S 8 -a $six/64 -F $fault -C $linux,7007 -b "$bytes" \
  -w "$tmp/client.pcap" >"$tmp/client2.out" 2>"$tmp/client2.log" ||
  fail "sixstack client: $(cat "$tmp/client2.out")"
cat "$tmp/client2.out"
grep -q "same bytes" "$tmp/client2.out" || fail "the echo differs"
[ "$(counter link_fault_dropped "$tmp/client2.log")" -ge 1 ] || fail "the wrapper dropped nothing"
recovery_seen "$tmp/client.pcap" $six $linux
tshark_clean "$tmp/client.pcap" 100
echo "ok: sixstack to Linux and back through loss, reordering and delay"
echo "ok"

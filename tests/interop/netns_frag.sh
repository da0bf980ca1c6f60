#!/usr/bin/env bash
# Fragmentation both ways between the Linux kernel and sixstack, over a TAP
# in a network namespace the test creates:
#   - Linux pings sixstack with 4000 and 20000 bytes of data: sixstack
#     reassembles the requests and answers in fragments that Linux
#     reassembles (ping checks the data);
#   - sixstack-host pings Linux with 4000 bytes (-s 4000): the kernel
#     reassembles and answers in fragments sixstack reassembles;
#   - sixstack's counters agree (datagrams reassembled, sent in fragments);
#   - tshark reads both captures: fragments in both directions, none
#     malformed, every datagram reassembled.
# Skips (exit 77) when not root, without /dev/net/tun, ip, ping or tshark.
# Cleans up on any exit.
# Usage: netns_frag.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" ping
netns_up tap

# ---- Linux pings sixstack with large payloads ----
start_host -a 2001:db8:6::2/64 -w "$tmp/serve.pcap"
for size in 4000 20000; do
  in_ns ping -6 -c 2 -i 0.2 -W 2 -s "$size" 2001:db8:6::2 >"$tmp/ping$size.log" ||
    fail "ping -6 -s $size 2001:db8:6::2"
  grep -q "2 received" "$tmp/ping$size.log" || fail "ping -s $size lost replies"
  echo "ok: Linux pings sixstack with $size bytes (fragments both ways)"
done
stop_host
# Each request reassembled and each reply sent in fragments: 2 of each size.
[ "$(counter reass_ok)" -eq 4 ] || fail "sixstack reassembled $(counter reass_ok) datagrams, want 4"
[ "$(counter frag_out_datagrams)" -eq 4 ] || fail "sixstack fragmented $(counter frag_out_datagrams) replies, want 4"
[ "$(counter icmp6_out_echo_replies)" -eq 4 ] || fail "want 4 echo replies"
echo "ok: sixstack reassembled 4 requests and fragmented 4 replies"

# ---- sixstack pings Linux with a large payload ----
in_ns timeout 20 "$host" -i "$dev" -S 8 -a 2001:db8:6::2/64 -p 2001:db8:6::1 -c 2 -s 4000 \
  -w "$tmp/ping.pcap" >"$tmp/sixping.out" 2>"$tmp/sixping.log" || fail "sixstack-host -p -s 4000"
grep -q "2 packets transmitted, 2 received" "$tmp/sixping.out" || fail "sixstack lost large pings"
grep -q "^4008 bytes from 2001:db8:6::1" "$tmp/sixping.out" || fail "no 4008-byte reply"
c() { counter "$1" "$tmp/sixping.log"; }
[ "$(c frag_out_datagrams)" -eq 2 ] || fail "sixstack sent $(c frag_out_datagrams) requests in fragments, want 2"
[ "$(c reass_ok)" -eq 2 ] || fail "sixstack reassembled $(c reass_ok) replies, want 2"
echo "ok: sixstack pings Linux with 4000 bytes"

# ---- the captures ----
tshark_clean "$tmp/serve.pcap" 20
tshark_clean "$tmp/ping.pcap" 6
# Reassembled by tshark: echo requests and replies of 4008 and 20008 bytes
# (ICMPv6 header + data), each way.
lens() { tshark -r "$1" -Y "ipv6.reassembled.length && icmpv6.type == $2" \
  -T fields -e ipv6.reassembled.length 2>/dev/null | sort -n | tr '\n' ' '; }
[ "$(lens "$tmp/serve.pcap" 128)" = "4008 4008 20008 20008 " ] || fail "requests in serve.pcap: $(lens "$tmp/serve.pcap" 128)"
[ "$(lens "$tmp/serve.pcap" 129)" = "4008 4008 20008 20008 " ] || fail "replies in serve.pcap: $(lens "$tmp/serve.pcap" 129)"
[ "$(lens "$tmp/ping.pcap" 128)" = "4008 4008 " ] || fail "requests in ping.pcap: $(lens "$tmp/ping.pcap" 128)"
[ "$(lens "$tmp/ping.pcap" 129)" = "4008 4008 " ] || fail "replies in ping.pcap: $(lens "$tmp/ping.pcap" 129)"
# Fragments from sixstack's MAC: 1448 bytes of data each at MTU 1500,
# so 3 for each 4008-byte reply and 14 for each 20008-byte one.
mac=$(awk '/^ready:/{print $6}' "$tmp/host.out")
n=$(tshark -r "$tmp/serve.pcap" -Y "ipv6.fraghdr.ident && eth.src == $mac" 2>/dev/null | wc -l)
[ "$n" -eq 34 ] || fail "$n fragments from sixstack in serve.pcap, want 34"
echo "ok: tshark reassembles every datagram both ways ($n fragments from sixstack)"
echo "ok"

#!/usr/bin/env bash
# A Packet Too Big from the Linux kernel shrinks the segments of a live
# sixstack TCP connection (RFC 8201, RFC 9293 3.7.3):
#
#   sixstack --TAP-- Linux router (ns $ns) --veth, IPv6 MTU 1280-- Linux client (ns C)
#   2001:db8:6::2    2001:db8:6::1 | 2001:db8:7::1          2001:db8:7::2 (MTU 1500)
#
# The client's end of the veth has MTU 1500, so it offers an MSS of 1440
# and sixstack's echo (-T) starts with full-size segments; the router
# cannot forward them towards the client (its IPv6 MTU there is 1280) and
# answers with Packet Too Big (MTU 1280). Checked: the transfer completes with the same bytes, the
# capture shows sixstack sending segments over 1280 bytes before the first
# Packet Too Big and none after it, and tshark reads it cleanly.
# Skips (exit 77) when not root, without /dev/net/tun or network
# namespaces, or without ip, python3 or tshark.
# Usage: netns_tcp_pmtu.sh BUILD_DIR SOURCE_DIR

. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" python3
netns_up tap
peer=$(dirname "$0")/tcp_peer.py
cns=sixc$$
trap 'ip netns del $cns 2>/dev/null; netns_cleanup' EXIT
ip netns add $cns || skip "cannot create a second namespace"
ip -n $cns link set lo up
ip netns exec $cns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
in_ns sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
in_ns ip link add vr$$ type veth peer name vc$$ netns $cns
in_ns ip link set vr$$ mtu 1280 up
ip -n $cns link set vc$$ mtu 1500 up
in_ns ip addr add 2001:db8:7::1/64 dev vr$$ nodad
ip -n $cns addr add 2001:db8:7::2/64 dev vc$$ nodad
# The client offers an MSS of 1440 but sends packets of at most 1280 bytes
# itself: the router's 1280-byte end of the veth drops anything larger,
# with no ICMPv6, and the client's retransmissions (single segments, not
# GSO batches as its first sends) would vanish there and stall the echo.
ip -n $cns route add default via 2001:db8:7::1 mtu lock 1280 advmss 1440

start_host -a 2001:db8:6::2/64 -r 2001:db8:7::/64,2001:db8:6::1 -T 7 -w "$tmp/pmtu.pcap"
ip netns exec $cns timeout 120 python3 "$peer" client 2001:db8:6::2 7 1048576 >"$tmp/client.out" 2>&1 ||
  fail "client through the router: $(cat "$tmp/client.out")"
cat "$tmp/client.out"
grep -q "same bytes" "$tmp/client.out" || fail "the echo differs"
stop_host

big='ipv6.src == 2001:db8:6::2 && tcp && frame.len > 1294'
ptb=$(tshark -r "$tmp/pmtu.pcap" -Y 'icmpv6.type == 2 && icmpv6.mtu == 1280' -T fields \
  -e frame.number 2>/dev/null | head -1)
[ -n "$ptb" ] || fail "no Packet Too Big (MTU 1280) reached sixstack"
before=$(tshark -r "$tmp/pmtu.pcap" -Y "$big && frame.number < $ptb" 2>/dev/null | wc -l)
after=$(tshark -r "$tmp/pmtu.pcap" -Y "$big && frame.number > $ptb" 2>/dev/null | wc -l)
small=$(tshark -r "$tmp/pmtu.pcap" -Y "ipv6.src == 2001:db8:6::2 && tcp.len > 1000 && frame.number > $ptb" \
  2>/dev/null | wc -l)
echo "Packet Too Big in frame $ptb; sixstack's segments over 1280 bytes: $before before, $after after;" \
  "$small full segments after"
[ "$before" -ge 1 ] || fail "sixstack never sent a segment over 1280 bytes"
[ "$after" -eq 0 ] || fail "sixstack kept sending segments over 1280 bytes after Packet Too Big"
[ "$small" -ge 100 ] || fail "too few segments after Packet Too Big"
tshark_clean "$tmp/pmtu.pcap" 100
echo "ok"

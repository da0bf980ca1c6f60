#!/usr/bin/env bash
# sixstack-host on a TUN device (-t: bare IPv6, no link layer, no
# neighbour discovery) in a network namespace the test creates:
#   - Linux pings it, with 56 and 4000 bytes (fragmented both ways);
#   - Linux's UDP datagrams to its echo port come back;
#   - it pings Linux;
#   - no neighbour discovery on the link (counters and capture);
#   - the capture is LINKTYPE_RAW, tshark reads it without a malformed
#     packet, and replayed (-R) into a fresh host on the TUN it brings
#     the same echo requests in; a missing file or a capture of another
#     link type ends the host with status 1 and the reason.
# Skips (exit 77) when not root, without /dev/net/tun, ip, ping, tshark or
# /usr/bin/python3. Cleans up on any exit.
# Usage: netns_tun.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" ping
[ -x /usr/bin/python3 ] || skip "/usr/bin/python3 not found"
peer="/usr/bin/python3 $(cd "$(dirname "$0")" && pwd)/udp_peer.py"
netns_up tun

start_host -t -a 2001:db8:6::2/64 -u 7777 -w "$tmp/tun.pcap"
grep -q "^ready: $dev index [0-9]* (tun) mtu 1500" "$tmp/host.out" || fail "not a TUN interface"
in_ns ping -6 -c 3 -i 0.2 -W 2 2001:db8:6::2 >"$tmp/ping.log" || fail "ping -6 over the TUN"
echo "ok: Linux pings sixstack over the TUN"
in_ns ping -6 -c 2 -i 0.2 -W 2 -s 4000 2001:db8:6::2 >"$tmp/ping-large.log" || fail "ping -6 -s 4000 over the TUN"
echo "ok: with 4000 bytes (fragmented both ways)"
in_ns $peer send 2001:db8:6::2 7777 500 2 >"$tmp/udp.log" 2>&1 || fail "UDP echo over the TUN"
echo "ok: Linux's UDP datagrams to sixstack's echo port come back"
stop_host
[ "$(counter icmp6_out_echo_replies)" -eq 5 ] || fail "want 5 echo replies"
[ "$(counter reass_ok)" -eq 2 ] || fail "want 2 reassembled requests"
[ "$(counter udp_in_delivered)" -eq 2 ] || fail "want 2 UDP datagrams"
[ "$(counter nd_out_ns)" -eq 0 ] && [ "$(counter nd_out_na)" -eq 0 ] || fail "neighbour discovery on a TUN"
echo "ok: no neighbour discovery from sixstack"

in_ns timeout 20 "$host" -i "$dev" -t -S 8 -q -a 2001:db8:6::2/64 -p 2001:db8:6::1 -c 3 \
  >"$tmp/sixping.out" 2>&1 || fail "sixstack-host -t -p 2001:db8:6::1"
grep -q "3 packets transmitted, 3 received" "$tmp/sixping.out" || fail "sixstack lost pings over the TUN"
echo "ok: sixstack pings Linux over the TUN"

tshark_clean "$tmp/tun.pcap" 15
tshark -r "$tmp/tun.pcap" -V -c 1 2>/dev/null | grep -q "Encapsulation type: Raw IP" ||
  fail "the TUN capture is not LINKTYPE_RAW"
# Neighbour solicitations and advertisements from either side (the
# kernel does send a Router Solicitation on its TUN).
n=$(tshark -r "$tmp/tun.pcap" -Y 'icmpv6.type == 135 || icmpv6.type == 136' 2>/dev/null | wc -l)
[ "$n" -eq 0 ] || fail "$n neighbour solicitations or advertisements on the TUN"
echo "ok: the capture is bare IPv6 without neighbour discovery"

requests=$(tshark -r "$tmp/tun.pcap" -Y 'icmpv6.type == 128' 2>/dev/null | wc -l)
start_host -t -a 2001:db8:6::2/64 -R "$tmp/tun.pcap"
stop_host
[ "$(counter icmp6_in_echo_requests)" -eq "$requests" ] ||
  fail "replay: $(counter icmp6_in_echo_requests) echo requests, want $requests"
echo "ok: the capture replayed (-R) brings the $requests echo requests in"
# Replay errors end the host with status 1 and say why: a missing file,
# and this bare IPv6 capture into a TAP (Ethernet) device, which the host
# creates in the namespace.
in_ns "$host" -i "$dev" -t -R "$tmp/missing.pcap" >/dev/null 2>"$tmp/replay-err.log"
[ $? -eq 1 ] && grep -q "replay $tmp/missing.pcap: No such file" "$tmp/replay-err.log" ||
  fail "-R of a missing file"
in_ns "$host" -i "t$dev" -R "$tmp/tun.pcap" >/dev/null 2>"$tmp/replay-err.log"
[ $? -eq 1 ] && grep -q "replay $tmp/tun.pcap: Wrong medium type" "$tmp/replay-err.log" ||
  fail "-R of a bare IPv6 capture into a TAP"
echo "ok: -R of a missing file or a capture of another link type fails and says why"
echo "ok"

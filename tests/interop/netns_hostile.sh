#!/usr/bin/env bash
# Hostile packets crafted with scapy (hostile.py) from Linux's side of a
# TAP in a network namespace the test creates, to sixstack-host, and what
# sixstack answers (each case has a control that shows the observation
# works):
#   - bad ND (RFC 4861 7.1): NS with hop limit 64, NS with a multicast
#     target, NA with an option of length 0: dropped, no advertisement;
#   - bad extension headers (RFC 8200 4): an unknown option with action
#     10 -> Parameter Problem code 2 at the option (to a unicast address
#     and to ff02::1), action 11 to ff02::1 -> nothing; hop-by-hop not
#     first -> code 1 at the Next Header naming it; a header running past
#     the packet -> dropped; unknown next header -> code 1, pointer 6;
#   - RH0 with segments left (RFC 5095) -> code 0 at the Routing Type;
#     with segments left 0 -> ignored, the echo answered;
#   - overlapping fragments (RFC 5722) -> dropped silently; a first
#     fragment without the UDP header (RFC 7112) -> code 3, pointer 0;
#   - a zero UDP checksum (RFC 8200 8.1) -> dropped, not echoed; to a
#     closed port -> Destination Unreachable code 4;
#   - twenty extension headers -> dropped (sixstack's chain limit, 16);
#     an atomic fragment (RFC 6946) -> answered; an NS in fragments (RFC
#     6980) -> dropped; a DAD NS with a source link-layer address option
#     and an NS with code 1 -> dropped (a DAD NS without -> NA to
#     ff02::1);
# then: sixstack still answers Linux's ping, its counters show each drop,
# and tshark reads the capture without a malformed packet sixstack sent.
# Skips (exit 77) when not root, without /dev/net/tun, ip, ping, tshark
# or /usr/bin/python3 with scapy (Debian: python3-scapy). Cleans up on
# any exit.
# Usage: netns_hostile.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" ping
/usr/bin/python3 -c 'import scapy.all' 2>/dev/null ||
  skip "/usr/bin/python3 cannot import scapy (Debian package python3-scapy)"
here=$(cd "$(dirname "$0")" && pwd)
netns_up tap

start_host -a 2001:db8:6::2/64 -u 7777 -w "$tmp/host.pcap"
mac=$(awk '/^ready:/{print $6}' "$tmp/host.out")
in_ns ping -6 -c 1 -W 2 2001:db8:6::2 >/dev/null || fail "sixstack does not answer before the test"
in_ns timeout 60 /usr/bin/python3 "$here/hostile.py" "$dev" "$mac" 2001:db8:6::2 2001:db8:6::1 7777 \
  >"$tmp/hostile.out" 2>"$tmp/scapy.log"
rc=$?
cat "$tmp/hostile.out"
[ "$rc" -eq 0 ] || fail "hostile.py: exit $rc"

in_ns ping -6 -c 2 -i 0.2 -W 2 2001:db8:6::2 >"$tmp/ping.log" || fail "sixstack stopped answering"
echo "ok: sixstack answers Linux's ping after the hostile packets"
kill -0 "$pid" || fail "sixstack-host died"
stop_host

# Every drop where it belongs.
check() {
  local v
  v=$(counter "$1")
  [ "$v" -eq "$2" ] || fail "counter $1 is $v, want $2"
  echo "ok: $1 $v"
}
check nd_in_bad_hlim 1         # case 2
check nd_in_bad_target 1       # case 3
check nd_in_bad_option 1       # case 4
check nd_in_bad_dad_ns 1       # case 22
check nd_in_bad_code 1         # case 24
check ip6_in_bad_option 3      # cases 5, 6, 7
check ip6_in_hbh_not_first 1   # case 8
check ip6_in_rthdr_bad 1       # case 9
check ip6_in_bad_ext 1         # case 11
check ip6_in_unknown_proto 1   # case 12
check reass_overlap 1          # case 13
check reass_ok 2               # cases 14, 21
check reass_first_short 1      # case 15
check reass_nd 1               # case 21
check reass_atomic 1           # case 20
check udp_in_zero_checksum 1   # case 16
check udp_in_delivered 1       # case 17
check udp_in_no_port 1         # case 18
check ip6_in_too_many_ext 1    # case 19

# Wireshark flags the hostile packets themselves (that is their point):
# only what sixstack sent must be clean, and of that the Parameter
# Problem about case 8 quotes a hop-by-hop header that is not first,
# which Wireshark reports as an error in the quoted packet.
tshark_clean_from() {
  local bad quoted='_ws.expert.message contains "Hop-by-Hop extension header must appear"'
  bad=$(tshark -r "$1" -o udp.check_checksum:TRUE \
    -Y "eth.src == $2 && (_ws.malformed || (_ws.expert.severity >= \"error\" && !($quoted)))" \
    2>/dev/null | wc -l)
  echo "tshark: $(basename "$1"): $bad malformed or in error from $2"
  [ "$bad" -eq 0 ] || fail "sixstack sent malformed frames"
}
tshark_clean_from "$tmp/host.pcap" "$mac"
n=$(tshark -r "$tmp/host.pcap" -Y "eth.src == $mac && icmpv6.type == 4" 2>/dev/null | wc -l)
[ "$n" -eq 6 ] || fail "$n Parameter Problems in the capture, want 6"
echo "ok"

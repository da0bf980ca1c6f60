#!/usr/bin/env bash
# sixstack on a TAP interface in a network namespace the test creates, with
# the Linux kernel on the other side of the TAP:
#   - Linux pings sixstack's global and link-local addresses (ping -6,
#     resolving it by neighbour discovery), and a large echo (1400 bytes);
#   - ndisc6 resolves sixstack's address;
#   - sixstack (sixstack-host -p) pings Linux's global and link-local
#     addresses, resolving Linux;
#   - sixstack-host exits cleanly on SIGINT;
#   - tshark reads both captures without a malformed packet.
# Skips (exit 77) when not root, without /dev/net/tun or network
# namespaces, or without ip, ping or tshark. Cleans up on any exit.
# Usage: netns_ping.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1" ping
netns_up tap

# ---- Linux pings sixstack ----
start_host -a 2001:db8:6::2/64 -w "$tmp/serve.pcap"
cat "$tmp/host.out"
# The kernel gives the TAP its link-local address once the carrier is up,
# that is once sixstack-host has attached.
linux_ll=$(linux_ll) || fail "the kernel has no link-local address on $dev"
mac=$(awk '/^ready:/{print $6}' "$tmp/host.out")
six_ll=$(awk '/link-local address/{print $NF}' "$tmp/host.log")
[ -n "$six_ll" ] || fail "no link-local address logged"
echo "sixstack: mac $mac, link-local $six_ll; linux: link-local $linux_ll"
in_ns ping -6 -c 3 -i 0.2 -W 2 2001:db8:6::2 >"$tmp/ping1.log" || fail "ping -6 2001:db8:6::2"
echo "ok: Linux pings sixstack's global address"
in_ns ping -6 -c 3 -i 0.2 -W 2 "$six_ll%$dev" >"$tmp/ping2.log" || fail "ping -6 $six_ll%$dev"
echo "ok: Linux pings sixstack's link-local address"
in_ns ping -6 -c 2 -i 0.2 -W 2 -s 1400 2001:db8:6::2 >"$tmp/ping3.log" || fail "ping -6 -s 1400"
echo "ok: Linux pings sixstack with 1400 bytes"
in_ns ip -6 neigh show dev "$dev" | grep -qi "2001:db8:6::2 lladdr $mac" || {
  in_ns ip -6 neigh show dev "$dev"; fail "the kernel did not resolve sixstack to $mac"; }
echo "ok: the kernel resolved sixstack to $mac"
if command -v ndisc6 >/dev/null; then
  in_ns ndisc6 -1 -r 2 -w 1000 2001:db8:6::2 "$dev" >"$tmp/ndisc6.log" 2>&1 || fail "ndisc6"
  grep -qi "Target link-layer address: $mac" "$tmp/ndisc6.log" || fail "ndisc6 got another MAC"
  echo "ok: ndisc6 resolves sixstack"
else
  echo "note: ndisc6 not found, its check skipped (Debian package ndisc6)"
fi
stop_host
echo "ok: sixstack-host stops cleanly on SIGINT"

# ---- sixstack pings Linux ----
for target in 2001:db8:6::1 "$linux_ll%$dev"; do
  in_ns timeout 20 "$host" -i "$dev" -S 8 -q -a 2001:db8:6::2/64 -p "$target" -c 3 -s 1000 \
    -w "$tmp/ping.pcap" >"$tmp/sixping.log" 2>&1 || fail "sixstack-host -p $target"
  grep -q "3 packets transmitted, 3 received" "$tmp/sixping.log" || fail "sixstack lost pings to $target"
  echo "ok: sixstack pings Linux at $target"
done

# ---- the captures ----
tshark_clean "$tmp/serve.pcap" 6
tshark_clean "$tmp/ping.pcap" 6
n=$(tshark -r "$tmp/serve.pcap" -Y 'icmpv6.type == 136 && icmpv6.nd.na.flag.s == 1' 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || fail "no solicited neighbour advertisement from sixstack in the capture"
echo "ok"

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
set -u
build=$(cd "$1" && pwd)
host=$build/tools/sixstack-host

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and a TAP device); run make test as root"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
for t in ip ping tshark; do
  command -v "$t" >/dev/null || skip "$t not found (make deps installs it)"
done
[ -x "$host" ] || { echo "FAIL: $host not built"; exit 1; }

ns=sixns$$
tap=six$$
tmp=$(mktemp -d)
pid=
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  ip netns del "$ns" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; for f in "$tmp"/*.log; do [ -e "$f" ] && { echo "== $f"; cat "$f"; }; done; exit 1; }
in_ns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
# No duplicate address detection on the kernel side: its addresses are
# usable at once, which keeps the test fast.
in_ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
in_ns ip link set lo up
in_ns ip tuntap add dev "$tap" mode tap || skip "cannot create a TAP device"
in_ns ip link set "$tap" up
in_ns ip addr add 2001:db8:6::1/64 dev "$tap" nodad

# Waits for "ready" from the host started in the background.
start_host() {
  # Not through in_ns: a function in the background is a subshell, and
  # the signals below must reach sixstack-host itself.
  ip netns exec "$ns" "$host" -i "$tap" -S 7 "$@" >"$tmp/host.out" 2>"$tmp/host.log" &
  pid=$!
  for _ in $(seq 50); do
    grep -q '^ready:' "$tmp/host.out" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "sixstack-host did not get ready"
}

# ---- Linux pings sixstack ----
start_host -a 2001:db8:6::2/64 -w "$tmp/serve.pcap"
cat "$tmp/host.out"
# The kernel gives the TAP its link-local address once the carrier is up,
# that is once sixstack-host has attached.
for _ in $(seq 50); do
  linux_ll=$(in_ns ip -6 addr show dev "$tap" scope link | awk '/inet6/{sub("/.*","",$2); print $2}')
  [ -n "$linux_ll" ] && break
  sleep 0.1
done
[ -n "$linux_ll" ] || fail "the kernel has no link-local address on $tap"
mac=$(awk '/^ready:/{print $6}' "$tmp/host.out")
six_ll=$(awk '/link-local address/{print $NF}' "$tmp/host.log")
[ -n "$six_ll" ] || fail "no link-local address logged"
echo "sixstack: mac $mac, link-local $six_ll; linux: link-local $linux_ll"
in_ns ping -6 -c 3 -i 0.2 -W 2 2001:db8:6::2 >"$tmp/ping1.log" || fail "ping -6 2001:db8:6::2"
echo "ok: Linux pings sixstack's global address"
in_ns ping -6 -c 3 -i 0.2 -W 2 "$six_ll%$tap" >"$tmp/ping2.log" || fail "ping -6 $six_ll%$tap"
echo "ok: Linux pings sixstack's link-local address"
in_ns ping -6 -c 2 -i 0.2 -W 2 -s 1400 2001:db8:6::2 >"$tmp/ping3.log" || fail "ping -6 -s 1400"
echo "ok: Linux pings sixstack with 1400 bytes"
in_ns ip -6 neigh show dev "$tap" | grep -qi "2001:db8:6::2 lladdr $mac" || {
  in_ns ip -6 neigh show dev "$tap"; fail "the kernel did not resolve sixstack to $mac"; }
echo "ok: the kernel resolved sixstack to $mac"
if command -v ndisc6 >/dev/null; then
  in_ns ndisc6 -1 -r 2 -w 1000 2001:db8:6::2 "$tap" >"$tmp/ndisc6.log" 2>&1 || fail "ndisc6"
  grep -qi "Target link-layer address: $mac" "$tmp/ndisc6.log" || fail "ndisc6 got another MAC"
  echo "ok: ndisc6 resolves sixstack"
else
  echo "note: ndisc6 not found, its check skipped (Debian package ndisc6)"
fi
kill -INT "$pid"
wait "$pid"; rc=$?; pid=
[ "$rc" -eq 0 ] || fail "sixstack-host exited with $rc on SIGINT"
grep -q "SIGINT: stopping" "$tmp/host.log" || fail "no clean stop logged"
echo "ok: sixstack-host stops cleanly on SIGINT"

# ---- sixstack pings Linux ----
for target in 2001:db8:6::1 "$linux_ll%$tap"; do
  in_ns timeout 20 "$host" -i "$tap" -S 8 -q -a 2001:db8:6::2/64 -p "$target" -c 3 -s 1000 \
    -w "$tmp/ping.pcap" >"$tmp/sixping.log" 2>&1 || fail "sixstack-host -p $target"
  grep -q "3 packets transmitted, 3 received" "$tmp/sixping.log" || fail "sixstack lost pings to $target"
  echo "ok: sixstack pings Linux at $target"
done

# ---- the captures ----
for cap in serve ping; do
  n=$(tshark -r "$tmp/$cap.pcap" 2>/dev/null | wc -l)
  bad=$(tshark -r "$tmp/$cap.pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"' 2>/dev/null | wc -l)
  echo "tshark: $cap.pcap: $n frames, $bad malformed"
  [ "$n" -gt 5 ] || fail "too few frames captured in $cap.pcap"
  [ "$bad" -eq 0 ] || { tshark -r "$tmp/$cap.pcap" -Y '_ws.malformed || _ws.expert.severity >= "error"'; fail "malformed frames"; }
done
n=$(tshark -r "$tmp/serve.pcap" -Y 'icmpv6.type == 136 && icmpv6.nd.na.flag.s == 1' 2>/dev/null | wc -l)
[ "$n" -ge 1 ] || fail "no solicited neighbour advertisement from sixstack in the capture"
echo "ok"

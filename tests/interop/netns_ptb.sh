#!/usr/bin/env bash
# A real Packet Too Big from a Linux router (RFC 8201): sixstack-host on a
# TAP in namespace R, which forwards to namespace P over a veth whose MTU
# is 1300 (the far link; the TAP's is 1500):
#
#   sixstack 2001:db8:6::2 --TAP-- R 2001:db8:6::1 | 2001:db8:7::1 --veth mtu 1300-- P 2001:db8:7::2
#
#   - raw socket (sixstack-host -p, ICMPv6 echo of 1400 data bytes): the
#     first request is too big for the far link, R answers Packet Too Big
#     (MTU 1300); sixstack lowers its estimate and sends the next ones in
#     fragments of at most 1300 bytes, which P answers;
#   - UDP socket (sixstack-host -U to a Linux echo socket in P, 1400
#     bytes): the same, through a fresh host (no estimate yet);
#   - sixstack's counters: a PTB received, an estimate lowered, fragments
#     sent; the captures show the PTB from R and fragments no larger than
#     1300 bytes.
#   - TCP socket (ptb_tcp.c, built here against the library: a stack on
#     the same TAP connects to a Linux listener in P, whose own end of the
#     far link is then put back to 1500 so that it announces an MSS R
#     cannot carry, and sends 200,000 bytes): segments too big for the
#     far link draw the PTB, later ones fit, and every byte arrives (the
#     listener answers with the count).
# Skips (exit 77) when not root, without /dev/net/tun, ip, tshark or
# /usr/bin/python3. Cleans up on any exit.
# Usage: netns_ptb.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/netns-lib.bash"
netns_init "$1"
[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
command -v cc >/dev/null || skip "no C compiler"
peer="/usr/bin/python3 $(cd "$(dirname "$0")" && pwd)/udp_peer.py"
netns_up tap
pns=sixp$$
cleanup_p() { ip netns del "$pns" 2>/dev/null; netns_cleanup; }
trap cleanup_p EXIT
ip netns add "$pns" || skip "cannot create a second namespace"
in_p() { ip netns exec "$pns" "$@"; }
in_ns ip link add "r$$" type veth peer name "p$$" || skip "cannot create a veth pair"
in_ns ip link set "p$$" netns "$pns"
in_ns sysctl -qw net.ipv6.conf.all.forwarding=1
in_ns ip link set "r$$" mtu 1300 up
in_ns ip addr add 2001:db8:7::1/64 dev "r$$" nodad
in_p sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
in_p ip link set lo up
in_p ip link set "p$$" mtu 1300 up
in_p ip addr add 2001:db8:7::2/64 dev "p$$" nodad
in_p ip -6 route add default via 2001:db8:7::1
# The router answers as fast as asked (its PTB rate limit is per second).
in_ns sysctl -qw net.ipv6.icmp.ratelimit=0

host_run() {   # host_run NAME ARGS...: a one-shot sixstack-host; output in $tmp/NAME.*
  local name=$1; shift
  in_ns timeout 30 "$host" -i "$dev" -S 9 -a 2001:db8:6::2/64 -r ::/0,2001:db8:6::1 \
    -w "$tmp/$name.pcap" "$@" >"$tmp/$name.out" 2>"$tmp/$name.log"
}
check_ptb() {  # check_ptb NAME: counters and capture of that run
  local name=$1 n
  [ "$(counter pmtu_ptb_received "$tmp/$name.log")" -ge 1 ] || fail "$name: no Packet Too Big received"
  [ "$(counter pmtu_updates "$tmp/$name.log")" -ge 1 ] || fail "$name: no path MTU estimate lowered"
  [ "$(counter frag_out_datagrams "$tmp/$name.log")" -ge 2 ] || fail "$name: nothing sent in fragments"
  n=$(tshark -r "$tmp/$name.pcap" -Y 'icmpv6.type == 2 && icmpv6.mtu == 1300 && ipv6.src == 2001:db8:6::1' 2>/dev/null | wc -l)
  [ "$n" -ge 1 ] || fail "$name: no PTB (MTU 1300) from the router in the capture"
  n=$(tshark -r "$tmp/$name.pcap" -Y 'ipv6.src == 2001:db8:6::2 && frame.len > 1314' 2>/dev/null | wc -l)
  # The first packet (1448 or 1448-byte IPv6) went whole, before the PTB.
  [ "$n" -le 1 ] || fail "$name: $n packets over 1300 bytes after the PTB"
  tshark_clean "$tmp/$name.pcap" 4
}

# ---- raw socket: ping ----
host_run ping -p 2001:db8:7::2 -c 3 -s 1400 -I 0.3
grep -q "3 packets transmitted, [23] received" "$tmp/ping.out" ||
  fail "raw: $(tail -n 1 "$tmp/ping.out")"
check_ptb ping
echo "ok: raw socket: PTB from the router, then echoes of 1400 bytes in fragments answered ($(tail -n 1 "$tmp/ping.out"))"

# ---- UDP socket ----
bg in_p $peer echo 9999 "p$$" >"$tmp/echo.out" 2>&1
for _ in $(seq 50); do grep -q listening "$tmp/echo.out" && break; sleep 0.1; done
host_run udp -U 2001:db8:7::2,9999 -c 3 -s 1400 -I 0.3
grep -c "1400 bytes" "$tmp/echo.out" | grep -q '^[23]$' || fail "udp: P did not get 2 or 3 datagrams"
check_ptb udp
echo "ok: UDP socket: PTB from the router, then 1400-byte datagrams in fragments echoed"

# ---- TCP socket ----
# P's end of the far link back to 1500: P then announces an MSS that
# R's 1300 cannot carry (only sixstack's data is large; P sends acks).
in_p ip link set "p$$" mtu 1500
src=$(cd "$2" && pwd)
# The sanitizer build's library needs its runtimes (and its compiler).
ccmd=cc san=
if grep -q '^SIX_SANITIZE:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null; then
  ccmd=clang san=-fsanitize=address,undefined
fi
$ccmd -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE $san -I "$src/include" \
  "$src/tests/interop/ptb_tcp.c" "$build/libsixstack.a" -lpthread -lpcap -lcrypto -lz \
  -o "$tmp/ptb_tcp" 2>"$tmp/cc.log" ||
  fail "ptb_tcp.c does not build"
bg in_p /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", 9998)); s.listen(1)
print("listening", flush=True)
c, _ = s.accept()
n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    n += len(b)
c.sendall(b"received %d\n" % n)
c.close()
' >"$tmp/tcp-peer.out" 2>&1
for _ in $(seq 50); do grep -q listening "$tmp/tcp-peer.out" && break; sleep 0.1; done
in_ns timeout 60 "$tmp/ptb_tcp" "$dev" 2001:db8:7::2 9998 200000 >"$tmp/tcp.out" 2>"$tmp/tcp.log" ||
  fail "ptb_tcp failed"
grep -q "^received 200000$" "$tmp/tcp.out" || fail "TCP: the peer did not get 200000 bytes: $(cat "$tmp/tcp.out")"
[ "$(counter pmtu_ptb_received "$tmp/tcp.out")" -ge 1 ] || fail "TCP: no Packet Too Big received"
[ "$(counter pmtu_updates "$tmp/tcp.out")" -ge 1 ] || fail "TCP: no path MTU estimate lowered"
echo "ok: TCP socket: PTB from the router, 200000 bytes delivered after it"

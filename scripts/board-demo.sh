#!/usr/bin/env bash
# The board demo: the firmware (firmware/main.c) on QEMU's mps2-an385,
# its LAN9118 on a TAP in a network namespace of its own, and Linux in that
# namespace talking to it: ping (also 3000 bytes, fragmented both ways),
# ndisc6, and the UDP echo port, to the board's address and to its group.
# Needs root (network namespaces).
#
#   board-demo.sh FIRMWARE_ELF [--check]
# --check: exit 1 on the first thing that does not work (the interop test).
set -euo pipefail
fw=$1
check=${2:-}
ns=sixboard$$
tap=sixtap$$
linux=fd00:6::1
board=fd00:6::2
group=ff02::6:1
log=$(mktemp /tmp/sixboard.XXXXXX)
qemu_pid=

cleanup() {
    [ -n "$qemu_pid" ] && kill "$qemu_pid" 2>/dev/null && wait "$qemu_pid" 2>/dev/null
    ip netns del "$ns" 2>/dev/null || true
    rm -f "$log"
}
trap cleanup EXIT
fail() { echo "board-demo: FAILED: $*"; echo "== the board's output"; cat "$log"; exit 1; }
step() { echo; echo "== $*"; }

ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" tuntap add "$tap" mode tap
ip -n "$ns" link set "$tap" up
ip -n "$ns" addr add "$linux/64" dev "$tap" nodad

ip netns exec "$ns" qemu-system-arm -M mps2-an385 -nographic -monitor none -serial none \
  -semihosting-config enable=on,target=native,arg= -kernel "$fw" \
  -nic "tap,ifname=$tap,script=no,downscript=no" >"$log" 2>&1 &
qemu_pid=$!
for _ in $(seq 100); do grep -q 'board up' "$log" && break; sleep 0.1; done
grep -q 'board up' "$log" || fail "the firmware did not come up"
step "the board says"
cat "$log"

run() { ip netns exec "$ns" "$@"; }
ok=1
try() { if ! "$@"; then ok=0; [ "$check" = --check ] && fail "$*"; fi; return 0; }

step "ping -6 $board"
try run ping -6 -c 3 -i 0.2 -W 2 "$board"
step "ping -6 -s 3000 $board (fragmented both ways)"
try run ping -6 -c 2 -i 0.2 -W 2 -s 3000 "$board"
ll=$(sed -n 's/.*link-local address \(fe80:[0-9a-f:]*\).*/\1/p' "$log" | head -n 1)
step "ping -6 $ll%$tap (the board's link-local address, an RFC 7217 stable identifier)"
try run ping -6 -c 2 -i 0.2 -W 2 "$ll%$tap"
step "ndisc6 $board $tap"
try run ndisc6 -r 3 -w 1000 "$board" "$tap"
step "UDP echo on [$board]:7 and on [$group%$tap]:7"
try run python3 - "$board" "$group%$tap" <<'PY'
import socket, sys
for dest in sys.argv[1:]:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.settimeout(2)
    host, _, scope = dest.partition('%')
    addr = (host, 7, 0, socket.if_nametoindex(scope) if scope else 0)
    msg = ("echo via " + dest).encode()
    s.sendto(msg, addr)
    data, peer = s.recvfrom(2048)
    print("sent %r to %s, got %r back from %s" % (msg, dest, data, peer[0]))
    if data != msg:
        sys.exit(1)
PY
step "the board's log"
cat "$log"
[ $ok -eq 1 ] && echo "board-demo: everything answered" || { echo "board-demo: something did not answer"; exit 1; }

# Sourced by the tests/interop/netns_*.sh scripts (not a test itself: ctest
# runs *.sh only). A network namespace with a TAP (or TUN) device in it:
# the Linux kernel on one side, sixstack-host on the other.
#
#   netns_init BUILD_DIR TOOL...   skip (exit 77, saying why) unless root,
#                                  /dev/net/tun and every TOOL are there
#   netns_up tap|tun               the namespace, the device, 2001:db8:6::1/64
#                                  on Linux's side; removed on any exit
#   start_host ARGS...             sixstack-host -i DEV -S 7 ARGS in the
#                                  background, waits for its "ready" line
#   stop_host                      SIGINT, waits, checks a clean exit; its
#                                  counters are then in $tmp/host.log
#   counter NAME [LOG]             a counter from LOG (default $tmp/host.log;
#                                  0 when absent)
#   linux_ll                       waits for the kernel's link-local address
#   tshark_clean FILE MIN          tshark reads FILE: at least MIN frames,
#                                  none malformed or in error (checksums
#                                  checked)
#   bg CMD...                      a helper in the background, killed on exit
# Every process is killed by its PID; nothing is matched by name.
set -u

skip() { echo "SKIP: $*"; exit 77; }
fail() {
  echo "FAIL: $*"
  for f in "$tmp"/*.log "$tmp"/*.out; do [ -e "$f" ] && { echo "== $f"; cat "$f"; }; done
  exit 1
}

netns_init() {
  build=$(cd "$1" && pwd)
  shift
  host=$build/tools/sixstack-host
  [ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and a TAP device); run make test as root"
  [ -c /dev/net/tun ] || skip "no /dev/net/tun"
  for t in ip tshark "$@"; do
    command -v "$t" >/dev/null || skip "$t not found (make deps installs it)"
  done
  [ -x "$host" ] || { echo "FAIL: $host not built"; exit 1; }
  ns=sixns$$
  dev=six$$
  tmp=$(mktemp -d)
  pid=
  bgpids=
  trap netns_cleanup EXIT
}

netns_cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  # A helper started through a shell function (bg in_ns CMD) is a subshell
  # whose child is the program: its children go first, or they outlive
  # the test (and hold whatever descriptors it inherited).
  for p in $bgpids; do
    pkill -P "$p" 2>/dev/null
    kill "$p" 2>/dev/null && wait "$p" 2>/dev/null
  done
  ip netns del "$ns" 2>/dev/null
  [ -n "${KEEP_TMP:-}" ] && echo "kept $tmp" || rm -rf "$tmp"
}

in_ns() { ip netns exec "$ns" "$@"; }

netns_up() {
  ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"
  # No duplicate address detection on the kernel's side: its addresses
  # are usable at once.
  in_ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  in_ns ip link set lo up
  in_ns ip tuntap add dev "$dev" mode "$1" || skip "cannot create a $1 device"
  in_ns ip link set "$dev" up
  in_ns ip addr add 2001:db8:6::1/64 dev "$dev" nodad
}

start_host() {
  # Not through in_ns or a function in the background (a subshell): the
  # signals stop_host sends must reach sixstack-host itself.
  # The files are emptied here, not by the redirection below: that runs in
  # the child, which a loaded machine may schedule after the loop has read
  # the previous run's "ready:" (netns_ipsec then pinged a host still in DAD).
  : >"$tmp/host.out"
  : >"$tmp/host.log"
  ip netns exec "$ns" "$host" -i "$dev" -S 7 "$@" >"$tmp/host.out" 2>"$tmp/host.log" &
  pid=$!
  for _ in $(seq 50); do
    grep -q '^ready:' "$tmp/host.out" && return 0
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "sixstack-host did not get ready"
}

stop_host() {
  local rc
  kill -INT "$pid"
  wait "$pid"; rc=$?; pid=
  [ "$rc" -eq 0 ] || fail "sixstack-host exited with $rc on SIGINT"
  grep -q "SIGINT: stopping" "$tmp/host.log" || fail "no clean stop logged"
}

counter() {
  awk -v n="$1" '$1 == n {v = $2} END {print v + 0}' "${2:-$tmp/host.log}"
}

linux_ll() {
  local a
  for _ in $(seq 50); do
    a=$(in_ns ip -6 addr show dev "$dev" scope link | awk '/inet6/{sub("/.*","",$2); print $2}')
    [ -n "$a" ] && { echo "$a"; return 0; }
    sleep 0.1
  done
  fail "the kernel has no link-local address on $dev"
}

# UDP checksums are checked too (tshark leaves them alone by default);
# ICMPv6 ones always are.
# The tests' TCP and UDP payloads are test bytes, not an application
# protocol: tshark's heuristic dissectors that guess one from the bytes
# (Thrift once took a random TCP payload for itself and called it
# malformed) are turned off, each one this tshark has.
tshark_no_heuristics() {
  local all bad
  all=$(tshark -G heuristic-decodes 2>/dev/null |
    awk '($1 == "tcp" || $1 == "udp") && $3 == "T" {print $2 "_" $1}')
  # Some are registered under another short name: tshark names those.
  bad=$(printf -- '--disable-heuristic %s\n' $all | xargs tshark -r /dev/null 2>&1 |
    sed -n 's/.*No such protocol \([^,]*\), can.t disable.*/\1/p')
  for h in $all; do
    case " $(echo $bad) " in *" $h "*) ;; *) printf -- '--disable-heuristic %s ' "$h" ;; esac
  done
}

tshark_clean() {
  local n bad f='_ws.malformed || _ws.expert.severity >= "error"'
  [ -n "${tshark_opts+set}" ] || tshark_opts=$(tshark_no_heuristics)
  n=$(tshark -r "$1" 2>/dev/null | wc -l)
  # shellcheck disable=SC2086
  bad=$(tshark -r "$1" $tshark_opts -o udp.check_checksum:TRUE -Y "$f" 2>/dev/null | wc -l)
  echo "tshark: $(basename "$1"): $n frames, $bad malformed or in error"
  [ "$n" -ge "$2" ] || fail "too few frames in $1 ($n, want $2 or more)"
  [ "$bad" -eq 0 ] || {
    # shellcheck disable=SC2086
    tshark -r "$1" $tshark_opts -o udp.check_checksum:TRUE -Y "$f"
    fail "malformed frames in $1"
  }
}

bg() {
  "$@" &
  bgpids="$bgpids $!"
}

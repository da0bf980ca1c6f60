# Sourced by the tests/interop/run_*.sh scripts (not a test itself): a
# real Debian program run on sixstack with sixstack-run, and the same
# program on the Linux kernel, each against Linux; the test compares what
# the two printed.
#
#   sixstack side: namespace $ns, TAP $dev; Linux 2001:db8:6::1/64 on it,
#                  the program's stack 2001:db8:6::2/64
#   kernel side:   namespace $kpeer (2001:db8:6::1/64) and $kns
#                  (2001:db8:6::2/64), joined by a veth pair
#
#   run_init BUILD_DIR TOOL...   netns_init, and skip unless the preload
#                                library was built (not in sanitizer builds)
#   run_up                       both sides
#   run_far MTU                  a second hop on both sides: Linux's side
#                                routes to 2001:db8:7::/64, where
#                                2001:db8:7::2 is, over a link of MTU bytes
#                                (sixstack's default route: RUN_OPTS)
#   on_six CMD...                CMD with sixstack-run in $ns (RUN_OPTS: more
#                                sixstack-run options)
#   on_kernel CMD...             CMD in $kns, on the kernel
#   peer_six / peer_kernel CMD   CMD on Linux's side (in $ns / $kpeer)
#   bg_on_six, bg_on_kernel, bg_peer_six, bg_peer_kernel CMD...
#                                the same in the background, killed on exit
#                                (by the PID of CMD itself)
#   bg_stop                      kills them now (a program on sixstack
#                                frees the TAP for the next)
#   same_output NAME FILTER      $tmp/NAME.six and $tmp/NAME.kernel, each
#                                through the sed FILTER, must be the same
. "$(dirname "${BASH_SOURCE[0]}")/netns-lib.bash"

run_init() {
  netns_init "$@"
  run=$build/tools/sixstack-run
  [ -e "$build/preload/libsixstack-preload.so" ] ||
    skip "no preload library in this build (sanitizer builds have none)"
  kpeer=sixkp$$
  kns=sixkn$$
  far=sixfa$$
  kfar=sixkf$$
  trap run_cleanup EXIT
}

run_cleanup() {
  ip netns del "$kpeer" 2>/dev/null
  ip netns del "$kns" 2>/dev/null
  ip netns del "$far" 2>/dev/null
  ip netns del "$kfar" 2>/dev/null
  netns_cleanup
}

run_up() {
  netns_up tap
  ip netns add "$kpeer" && ip netns add "$kns" || skip "cannot create network namespaces"
  for n in "$kpeer" "$kns"; do
    ip netns exec "$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip netns exec "$n" ip link set lo up
  done
  ip link add "k$$a" netns "$kpeer" type veth peer name "k$$b" netns "$kns" ||
    skip "cannot create a veth pair"
  ip netns exec "$kpeer" ip link set "k$$a" up
  ip netns exec "$kns" ip link set "k$$b" up
  ip netns exec "$kpeer" ip addr add 2001:db8:6::1/64 dev "k$$a" nodad
  ip netns exec "$kns" ip addr add 2001:db8:6::2/64 dev "k$$b" nodad
}

# Router ROUTER_NS gets a link to a new namespace FAR_NS of mtu MTU.
far_link() {
  local router=$1 farns=$2 mtu=$3 a=$4 b=$5
  ip netns add "$farns" || skip "cannot create a network namespace"
  ip netns exec "$farns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
  ip netns exec "$farns" ip link set lo up
  ip link add "$a" netns "$router" mtu "$mtu" type veth peer name "$b" netns "$farns" mtu "$mtu" ||
    skip "cannot create a veth pair"
  # Errors at once, not one a second (the kernel's default rate limit).
  for n in "$router" "$farns"; do ip netns exec "$n" sysctl -qw net.ipv6.icmp.ratelimit=0; done
  ip netns exec "$router" sysctl -qw net.ipv6.conf.all.forwarding=1
  ip netns exec "$router" ip link set "$a" up
  ip netns exec "$farns" ip link set "$b" up
  ip netns exec "$router" ip addr add 2001:db8:7::1/64 dev "$a" nodad
  ip netns exec "$farns" ip addr add 2001:db8:7::2/64 dev "$b" nodad
  ip netns exec "$farns" ip -6 route add default via 2001:db8:7::1
}

run_far() {
  far_link "$ns" "$far" "$1" "f$$a" "f$$b"
  far_link "$kpeer" "$kfar" "$1" "g$$a" "g$$b"
  ip netns exec "$kns" ip -6 route add default via 2001:db8:6::1
}

on_six() { ip netns exec "$ns" "$run" -i "$dev" -a 2001:db8:6::2/64 ${RUN_OPTS:-} -- "$@"; }
on_kernel() { ip netns exec "$kns" "$@"; }
peer_six() { ip netns exec "$ns" "$@"; }
peer_kernel() { ip netns exec "$kpeer" "$@"; }
# Not through the functions above: bg must get the program's own PID.
bg_on_six() { bg ip netns exec "$ns" "$run" -i "$dev" -a 2001:db8:6::2/64 ${RUN_OPTS:-} -- "$@"; }
bg_on_kernel() { bg ip netns exec "$kns" "$@"; }
bg_peer_six() { bg ip netns exec "$ns" "$@"; }
bg_peer_kernel() { bg ip netns exec "$kpeer" "$@"; }

bg_stop() {
  for p in $bgpids; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  bgpids=
}

same_output() {
  local name=$1 filter=$2
  sed -E "$filter" "$tmp/$name.six" >"$tmp/$name.six.cmp"
  sed -E "$filter" "$tmp/$name.kernel" >"$tmp/$name.kernel.cmp"
  if ! diff -u "$tmp/$name.kernel.cmp" "$tmp/$name.six.cmp"; then
    echo "== $name on sixstack"; cat "$tmp/$name.six"
    echo "== $name on the kernel"; cat "$tmp/$name.kernel"
    fail "$name: sixstack's output differs from the kernel's"
  fi
  echo "ok: $name prints on sixstack what it prints on the kernel ($(wc -l <"$tmp/$name.six.cmp") lines)"
}

#!/usr/bin/env bash
# uml-lib.bash, the runner for Linux-side parts the host kernel cannot do:
#   - `tc qdisc ... netem` runs on the host when its kernel has netem,
#     else in a User-mode Linux guest: two namespaces joined by a veth,
#     netem delaying one side by 30 ms: ping's round trips are 30 ms or
#     more and netem counts the packets; then netem losing everything:
#     ping gets nothing back (a guest under load has no upper bound on its
#     round trips, so a loss is the check that netem, not the load, acts);
#   - in the same place, IPv6 ESP with an AEAD (rfc4106(gcm(aes))) and
#     IPComp states go into `ip xfrm` (the modules the IPsec tests need);
#   - the part's exit status and output come back from the guest.
# Skips (exit 77) when not root, or when the host lacks netem and no
# guest can be booted (user-mode-linux, kmod and cc; make deps installs
# them). Takes a few seconds (one guest boot).
# Usage: uml_netem.sh BUILD_DIR SOURCE_DIR
#        uml_netem.sh --part DIR   (the Linux-side part, host or guest)
set -u
. "$(dirname "$0")/uml-lib.bash"

if [ "${1:-}" = --part ]; then
  dir=$2
  a=umla$$ b=umlb$$
  trap 'ip netns del $a 2>/dev/null; ip netns del $b 2>/dev/null' EXIT
  ip netns add $a && ip netns add $b || exit 1
  ip link add va netns $a type veth peer name vb netns $b || exit 1
  for n in $a $b; do
    ip netns exec $n sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    ip netns exec $n ip link set lo up
  done
  ip -n $a addr add 2001:db8:77::1/64 dev va nodad
  ip -n $b addr add 2001:db8:77::2/64 dev vb nodad
  ip -n $a link set va up
  ip -n $b link set vb up
  ip netns exec $a ping -6 -c 3 -i 0.2 -W 2 2001:db8:77::2 >"$dir/before.log" || exit 2
  ip netns exec $a tc qdisc add dev va root netem delay 30ms || exit 3
  ip netns exec $a ping -6 -c 3 -i 0.2 -W 2 2001:db8:77::2 >"$dir/after.log" || exit 4
  ip netns exec $a tc -s qdisc show dev va | tee "$dir/qdisc.log"
  ip netns exec $a tc qdisc change dev va root netem loss 100% || exit 7
  ip netns exec $a ping -6 -c 2 -i 0.2 -W 1 2001:db8:77::2 >"$dir/lost.log" && exit 8
  ip netns exec $a ip xfrm state add src 2001:db8:77::1 dst 2001:db8:77::2 proto esp \
    spi 0x100 mode transport aead 'rfc4106(gcm(aes))' 0x0102030405060708090a0b0c0d0e0f1011121314 128 ||
    exit 5
  ip netns exec $a ip xfrm state add src 2001:db8:77::1 dst 2001:db8:77::2 proto comp \
    spi 0x200 mode transport comp deflate || exit 6
  ip netns exec $a ip xfrm state list | grep -c '^src' >"$dir/xfrm.count"
  echo "part done in $(uname -r)"
  exit 0
fi

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces)"; exit 77; }
for t in ip tc ping; do
  command -v $t >/dev/null || { echo "SKIP: $t not found"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
where=$(uml_where tc qdisc add dev lo root netem delay 1ms)
echo "netem: on the $where"
[ "$where" != none ] || { echo "SKIP: no netem on the host and no guest: $(uml_missing)"; exit 77; }
start=$(date +%s.%N)
uml_part "$where" "$0" --part "$tmp" >"$tmp/part.log" 2>&1
rc=$?
end=$(date +%s.%N)
cat "$tmp/part.log"
echo "the part took $(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.1f", b - a}') s"
[ "$rc" -eq 0 ] || { echo "FAIL: the part exited $rc"; exit 1; }
grep -q "part done" "$tmp/part.log" || { echo "FAIL: no output back from the part"; exit 1; }
if [ "$where" = guest ]; then
  grep -q "part done in $(uname -r)\$" "$tmp/part.log" && { echo "FAIL: the part ran on the host"; exit 1; }
fi
rtt() { awk -F'[/ =]+' '/^rtt/{print $'"$2"'}' "$1"; }
before=$(rtt "$tmp/before.log" 6) after=$(rtt "$tmp/after.log" 6)
echo "ping min before netem $before ms, min with netem delay 30ms $after ms"
awk -v a="$after" 'BEGIN{exit !(a >= 30)}' || { echo "FAIL: netem did not delay"; exit 1; }
sent=$(awk '/Sent/{print $4; exit}' "$tmp/qdisc.log")
[ "${sent:-0}" -ge 3 ] || { echo "FAIL: netem counted ${sent:-no} packets"; exit 1; }
grep -q " 0 received" "$tmp/lost.log" || { echo "FAIL: netem loss 100% let a ping through"; exit 1; }
echo "ok: netem loss 100%: $(grep -o '[0-9]* packets transmitted, 0 received' "$tmp/lost.log")"
[ "$(cat "$tmp/xfrm.count")" -eq 2 ] || { echo "FAIL: xfrm states missing"; exit 1; }
echo "ok"

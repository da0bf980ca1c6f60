#!/usr/bin/env bash
# socat, unmodified, with UDP6 on sixstack (sixstack-run over a TAP) and on
# the kernel (over a veth), against socat on Linux; what it prints must be
# the kernel's:
#   - socat on sixstack as the echo server (UDP6-LISTEN ... PIPE), Linux's
#     socat sends two lines and prints the echo;
#   - socat on sixstack as the client of a Linux echo server, a line of
#     100 bytes and one of 3000 (fragmented both ways).
# Usage: run_socat.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" socat
run_up

lines() { printf 'hello sixstack\nsecond line\n'; }
long() { head -c 100 /dev/zero | tr '\0' a; echo; head -c 3000 /dev/zero | tr '\0' b; echo; }

# Echo server on sixstack / on the kernel; the client on Linux's side.
serve_and_ask() {
  local side=$1 out=$2
  if [ "$side" = six ]; then
    bg_on_six socat -T 3 UDP6-LISTEN:7000 PIPE
  else
    bg_on_kernel socat -T 3 UDP6-LISTEN:7000 PIPE
  fi
  # The server may not be listening yet on a loaded machine: UDP is lost
  # then, so the question is asked again (an echo is harmless twice).
  for _ in 1 2 3; do
    sleep 0.5
    lines | "peer_$side" socat -T 1 -t 1 - UDP6:[2001:db8:6::2]:7000 >"$out" 2>&1
    [ -s "$out" ] && break
  done
}
serve_and_ask six "$tmp/server.six"
serve_and_ask kernel "$tmp/server.kernel"
same_output server ''
grep -q "hello sixstack" "$tmp/server.six" || fail "no echo from socat on sixstack"

# Echo server on Linux; the client on sixstack / the kernel.
bg_peer_six socat -T 5 UDP6-LISTEN:7001,bind=[2001:db8:6::1] PIPE
bg_peer_kernel socat -T 5 UDP6-LISTEN:7001,bind=[2001:db8:6::1] PIPE
for side in six kernel; do
  for _ in 1 2 3; do
    sleep 0.5
    long | "on_$side" socat -T 1 -t 1 -b 8192 - UDP6:[2001:db8:6::1]:7001 >"$tmp/client.$side" 2>&1
    [ -s "$tmp/client.$side" ] && break
  done
done
same_output client ''
[ "$(wc -c <"$tmp/client.six")" -ge 3000 ] || fail "socat on sixstack: the 3000-byte line did not come back"

#!/usr/bin/env bash
# iputils ping, unmodified, on sixstack (sixstack-run over a TAP) and on
# the kernel (over a veth), against Linux; each run's output (times taken
# out) must be the kernel's:
#   - ping -6 from sixstack to Linux: 56 bytes, and 4000 (fragmented
#     both ways);
#   - ping -6 -M do -s 4000: refused locally with the MTU (IPV6_RECVERR's
#     error queue, IPV6_MTU_DISCOVER);
#   - Linux's ping -6 to a program on sixstack (its stack answers), 56 and
#     4000 bytes;
#   - the program ran without a warning on stderr.
# Usage: run_ping.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" ping
run_up

times='s/time=[0-9.]+ ms/time=T ms/; s/time [0-9]+ms/time Tms/; /^rtt /d'
both() {
  local name=$1
  shift
  on_six "$@" >"$tmp/$name.six" 2>"$tmp/$name.six.err"
  on_kernel "$@" >"$tmp/$name.kernel" 2>"$tmp/$name.kernel.err"
  cat "$tmp/$name.six.err" >>"$tmp/$name.six"
  cat "$tmp/$name.kernel.err" >>"$tmp/$name.kernel"
  same_output "$name" "$times"
}

both ping ping -6 -c 3 -i 0.2 2001:db8:6::1
both ping4000 ping -6 -c 2 -i 0.2 -s 4000 2001:db8:6::1
both pingdo ping -6 -c 2 -i 0.2 -M do -s 4000 2001:db8:6::1
grep -q "local error: message too long, mtu: 1500" "$tmp/pingdo.six" ||
  fail "ping -M do: no local error with the MTU"

# Linux pings a program on sixstack: its stack, started before main (-e),
# answers while the program sleeps.
RUN_OPTS=-e bg_on_six sleep 5
sleep 0.5
peer_six ping -6 -c 3 -i 0.2 2001:db8:6::2 >"$tmp/linux-ping.six" 2>&1
peer_six ping -6 -c 2 -i 0.2 -s 4000 2001:db8:6::2 >>"$tmp/linux-ping.six" 2>&1
peer_kernel ping -6 -c 3 -i 0.2 2001:db8:6::2 >"$tmp/linux-ping.kernel" 2>&1
peer_kernel ping -6 -c 2 -i 0.2 -s 4000 2001:db8:6::2 >>"$tmp/linux-ping.kernel" 2>&1
same_output linux-ping "$times"

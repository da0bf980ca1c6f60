#!/usr/bin/env bash
# iputils tracepath, unmodified, on sixstack (sixstack-run over a TAP) and
# on the kernel (over a veth), through a Linux router to a host behind a
# link of MTU 1400: both print the same path (times taken out), the first
# hop's Time Exceeded and the router's Packet Too Big read from the error
# queue (IPV6_RECVERR, IPV6_MTU_DISCOVER), so both report pmtu 1400.
# Usage: run_tracepath.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" tracepath
run_up
run_far 1400
export RUN_OPTS="-r ::/0,2001:db8:6::1"

on_six tracepath -6 -n 2001:db8:7::2 >"$tmp/tracepath.six" 2>&1 || fail "tracepath on sixstack failed"
on_kernel tracepath -6 -n 2001:db8:7::2 >"$tmp/tracepath.kernel" 2>&1 || fail "tracepath on the kernel failed"
same_output tracepath 's/[0-9]+\.[0-9]+ms/Tms/g; s/ +/ /g'
grep -q "Resume: pmtu 1400" "$tmp/tracepath.six" || fail "tracepath on sixstack did not find pmtu 1400"

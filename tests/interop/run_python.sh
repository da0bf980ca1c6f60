#!/usr/bin/env bash
# A Python 3 program using the socket module (run_python_prog.py: UDP,
# select, poll, epoll, timeouts, non-blocking, dup, recvmsg with ancillary
# data, interface names), run unchanged on sixstack (sixstack-run over a
# TAP) and on the kernel (over a veth) against a Linux echo server: the two
# runs must print the same, and nothing on stderr.
# Usage: run_python.sh BUILD_DIR SOURCE_DIR
. "$(dirname "$0")/run-lib.bash"
run_init "$1" python3 socat
run_up
prog=$(cd "$(dirname "$0")" && pwd)/run_python_prog.py

bg_peer_six socat -T 10 UDP6-RECVFROM:7002,bind=[2001:db8:6::1],fork PIPE
bg_peer_kernel socat -T 10 UDP6-RECVFROM:7002,bind=[2001:db8:6::1],fork PIPE
sleep 0.5
on_six python3 "$prog" >"$tmp/python.six" 2>&1 || fail "the program failed on sixstack"
on_kernel python3 "$prog" >"$tmp/python.kernel" 2>&1 || fail "the program failed on the kernel"
same_output python ''

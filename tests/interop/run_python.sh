#!/usr/bin/env bash
# A Python 3 program using the socket module (run_python_prog.py: UDP,
# select, poll, epoll, timeouts, EINTR, non-blocking, dup, recvmsg with
# ancillary data, interface names), run unchanged on sixstack (sixstack-run over a
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

# fork (sixstack only: the model differs from the kernel's on purpose): the
# child cannot use the sockets it inherited (EBADF) nor make new IPv6 ones
# (EAFNOSUPPORT), closes its copy, and the parent's socket and stack go on.
on_six python3 - >"$tmp/fork.six" 2>&1 <<'PY' || fail "the fork program failed"
import errno, os, socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.connect(("2001:db8:6::1", 7002))
pid = os.fork()
if pid == 0:
    for what, call in (("send", lambda: s.send(b"x")),
                       ("socket", lambda: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM))):
        try:
            call()
            print("child", what, "ok", flush=True)
        except OSError as e:
            print("child", what, errno.errorcode[e.errno], flush=True)
    s.close()
    os._exit(0)
os.waitpid(pid, 0)
s.send(b"parent")
print("parent", s.recv(100))
PY
printf '%s\n' "child send EBADF" "child socket EAFNOSUPPORT" "parent b'parent'" >"$tmp/fork.want"
diff -u "$tmp/fork.want" "$tmp/fork.six" || fail "fork: not the documented model"
echo "ok: a forked child cannot touch its parent's stack, which goes on"

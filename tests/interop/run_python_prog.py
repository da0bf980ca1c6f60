# A Python 3 program using the socket module over IPv6 (and a signal), run unchanged on
# sixstack and on the kernel by run_python.sh: it prints what it sees, and
# the two runs must print the same. Linux's side echoes UDP on port 7002.
import os
import select
import signal
import socket
import sys

PEER = ("2001:db8:6::1", 7002)

s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.bind(("::", 0))
s.connect(PEER)
print("local", s.getsockname()[0], "peer", s.getpeername()[:2])
s.send(b"one")
r, _, _ = select.select([s], [], [], 3)
print("select", len(r), s.recv(100))

# poll and epoll on the same descriptor
s.send(b"two")
p = select.poll()
p.register(s, select.POLLIN)
print("poll", [ev & select.POLLIN for _, ev in p.poll(3000)], s.recv(100))
s.send(b"three")
e = select.epoll()
e.register(s.fileno(), select.EPOLLIN)
print("epoll", len(e.poll(3)), s.recv(100))
e.close()

# a timeout, then non-blocking
s.settimeout(0.3)
try:
    s.recv(100)
except socket.timeout:
    print("timeout")
s.setblocking(False)
try:
    s.recv(100)
except BlockingIOError:
    print("would block")
s.setblocking(True)

# a signal interrupts a blocking receive (the handler raises)
def on_alarm(sig, frame):
    raise InterruptedError("alarm")


signal.signal(signal.SIGALRM, on_alarm)
signal.setitimer(signal.ITIMER_REAL, 0.2)
try:
    s.recv(100)
except InterruptedError:
    print("interrupted")

# a dup of the socket, used after the original is closed
d = s.dup()
s.close()
d.send(b"four")
print("dup", d.recv(100))

# ancillary data: the destination of a datagram and its hop limit
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVPKTINFO, 1)
u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
u.bind(("::", 0))
u.sendto(b"five", PEER)
data, anc, flags, addr = u.recvmsg(100, 256)
kinds = sorted(t for lvl, t, _ in anc if lvl == socket.IPPROTO_IPV6)
pktinfo = [c for lvl, t, c in anc if t == socket.IPV6_PKTINFO][0]
print("recvmsg", data, addr[:2], kinds, socket.inet_ntop(socket.AF_INET6, pktinfo[:16]))
print("hoplimit", [int.from_bytes(c, sys.byteorder) for _, t, c in anc if t == socket.IPV6_HOPLIMIT])

# interfaces: loopback is index 1 on both
print("if lo", socket.if_nametoindex("lo"), socket.if_indextoname(1))
print("names", "lo" in [n for _, n in socket.if_nameindex()])
u.close()
d.close()
print("done", os.path.basename(sys.argv[0]))

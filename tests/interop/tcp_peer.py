#!/usr/bin/env python3
"""Linux's side of the TCP interop tests: plain kernel sockets.

  tcp_peer.py client ADDR PORT BYTES   sends BYTES (each MiB starts with its
                                       number, the rest random), half-closes,
                                       reads the echo until the server
                                       closes, compares; prints one line;
                                       exit 0 when every byte came back
  tcp_peer.py server PORT [READY]      echoes every connection on [::]:PORT
                                       (a thread each) until killed; writes
                                       READY once listening
  tcp_peer.py refused ADDR PORT        exit 0 when connect() gets
                                       ECONNREFUSED
  tcp_peer.py reset ADDR PORT          connects, sends a little, aborts
                                       (SO_LINGER 0: RST)
  tcp_peer.py keepalive ADDR PORT SECS connects with keepalive probes every
                                       second after 1 s idle, stays idle SECS,
                                       then checks the connection still
                                       echoes
  tcp_peer.py abort-server PORT READY  accepts one connection, reads a
                                       little, aborts it (RST)
"""
import os
import socket
import struct
import sys
import threading
import time

MIB = 1 << 20


def chunk(block, k):
    return struct.pack(">Q", k) + block[8:]


def client(addr, port, total):
    block = os.urandom(MIB)
    s = socket.create_connection((addr, port), timeout=30)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    t0 = time.monotonic()
    err = []

    def send():
        try:
            sent, k = 0, 0
            while sent < total:
                c = chunk(block, k)[: total - sent]
                s.sendall(c)
                sent += len(c)
                k += 1
            s.shutdown(socket.SHUT_WR)
        except OSError as e:
            err.append(e)

    th = threading.Thread(target=send)
    th.start()
    got, bad, buf, k = 0, None, b"", 0
    while True:
        try:
            d = s.recv(1 << 18)
        except OSError as e:
            err.append(e)
            break
        if not d:
            break
        buf += d
        while len(buf) >= MIB or (buf and got + len(buf) == total):
            n = min(MIB, len(buf))
            if bad is None and buf[:n] != chunk(block, k)[:n]:
                bad = got
            got += n
            buf = buf[n:]
            k += 1
    th.join()
    got += len(buf)
    t = time.monotonic() - t0
    what = "same bytes" if bad is None and got == total and not err else (
        "DIFFERENT in the MiB at %d" % bad if bad is not None else "short: %s" % err)
    print("tcp client: %d bytes sent, %d back, %s, %.3f s, %.1f Mbit/s each way"
          % (total, got, what, t, total * 8 / t / 1e6))
    s.close()
    return 0 if what == "same bytes" else 1


def echo(conn):
    try:
        while True:
            d = conn.recv(1 << 18)
            if not d:
                break
            conn.sendall(d)
        conn.shutdown(socket.SHUT_WR)
    except OSError as e:
        print("tcp server: %s" % e, flush=True)
    conn.close()


def listener(port):
    l = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    l.bind(("::", port))
    l.listen(16)
    return l


def ready(path):
    if path:
        with open(path, "w") as f:
            f.write("ready\n")


def server(port, ready_path=None):
    l = listener(port)
    ready(ready_path)
    while True:
        c, a = l.accept()
        print("tcp server: connection from [%s]:%d" % a[:2], flush=True)
        threading.Thread(target=echo, args=(c,), daemon=True).start()


def refused(addr, port):
    try:
        socket.create_connection((addr, port), timeout=10)
    except ConnectionRefusedError:
        print("tcp refused: ECONNREFUSED")
        return 0
    except OSError as e:
        print("tcp refused: got %s" % e)
        return 1
    print("tcp refused: the connection was accepted")
    return 1


def abort(s):
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()


def reset(addr, port):
    s = socket.create_connection((addr, port), timeout=10)
    s.sendall(b"x" * 1000)
    s.recv(1000)
    abort(s)
    print("tcp reset: sent RST")
    return 0


def keepalive(addr, port, secs):
    s = socket.create_connection((addr, port), timeout=10)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, 1)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT, 3)
    s.sendall(b"before")
    s.recv(100)
    time.sleep(secs)
    s.sendall(b"after")
    d = s.recv(100)
    s.close()
    print("tcp keepalive: %s after %d s idle" % ("echoed" if d == b"after" else "LOST", secs))
    return 0 if d == b"after" else 1


def abort_server(port, ready_path):
    l = listener(port)
    ready(ready_path)
    c, _ = l.accept()
    c.recv(1000)
    abort(c)
    print("tcp abort-server: sent RST")
    return 0


def main(a):
    if a[0] == "client":
        return client(a[1], int(a[2]), int(a[3]))
    if a[0] == "server":
        return server(int(a[1]), a[2] if len(a) > 2 else None)
    if a[0] == "refused":
        return refused(a[1], int(a[2]))
    if a[0] == "reset":
        return reset(a[1], int(a[2]))
    if a[0] == "keepalive":
        return keepalive(a[1], int(a[2]), int(a[3]))
    if a[0] == "abort-server":
        return abort_server(int(a[1]), a[2])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

/* Descriptor calls: read and write, close, the dup family, fcntl, ioctl. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <unistd.h>

#include <sixstack/socket.h>

#include "calls.h"
#include "ifaces.h"
#include "preload.h"
#include "real.h"

_Noreturn void preload_chk_fail(void) {
    static const char msg[] = "*** buffer overflow detected ***: terminated\n";
    if (real.write(2, msg, sizeof(msg) - 1) < 0)
        abort();
    abort();
}

ssize_t readv(int fd, const struct iovec *v, int n) {
    struct msghdr m = {.msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n};
    ON_SIX(fd, p, real.readv(fd, v, n));
    return preload_recvmsg(p, &m, 0);
}

ssize_t read(int fd, void *b, size_t n) {
    struct iovec iov = {.iov_base = b, .iov_len = n};
    ON_SIX(fd, p, real.read(fd, b, n));
    return readv(fd, &iov, 1);
}

ssize_t __read_chk(int fd, void *b, size_t n, size_t buflen);
ssize_t __read_chk(int fd, void *b, size_t n, size_t buflen) {
    if (n > buflen)
        preload_chk_fail();
    return read(fd, b, n);
}

ssize_t writev(int fd, const struct iovec *v, int n) {
    struct msghdr m = {.msg_iov = (struct iovec *)v, .msg_iovlen = (size_t)n};
    ON_SIX(fd, p, real.writev(fd, v, n));
    return preload_sent(p, six_sendmsg(p, &m, 0), 1);
}

ssize_t write(int fd, const void *b, size_t n) {
    struct iovec iov = {.iov_base = (void *)b, .iov_len = n};
    ON_SIX(fd, p, real.write(fd, b, n));
    return writev(fd, &iov, 1);
}

int close(int fd) {
    int hidden, last;

    preload_epoll_forget(fd);
    if (preload_primary(fd) < 0)
        return real.close(fd);
    last = preload_map_drop(fd, &hidden);
    if (preload_forked) {
        /* The child's copies of the eventfds only (start.c). */
        if (last >= 0 && last != fd)
            real.close(last);
        return real.close(fd);
    }
    if (last >= 0) {
        if (last != fd)
            real.close(fd);
        return six_close(last);
    }
    return hidden ? 0 : real.close(fd);
}

/* Before to is reused by dup2/dup3: what close(to) would do, unless to
 * is the number a socket is still known by (closed by the program while
 * copies remain): then the call fails with EBUSY, as Linux's dup2 may. */
static int release_target(int to) {
    int hidden, last;

    if (preload_primary(to) < 0)
        return 0;
    last = preload_map_drop(to, &hidden);
    if (hidden) {
        preload_map_copy(to, to);   /* undo: it stays the socket's */
        errno = EBUSY;
        return -1;
    }
    if (last >= 0 && !preload_forked)
        six_close(last);   /* closes to's eventfd when to was the primary */
    else if (last >= 0 && last != to)
        real.close(last);
    return 0;
}

static int dup_to(int fd, int to, int flags, int three) {
    int p = preload_sock(fd), rc;

    if (p == -2)
        return -1;
    if (p < 0 && preload_primary(to) < 0)
        return three ? real.dup3(fd, to, flags) : real.dup2(fd, to);
    if (fd == to)
        return three ? (errno = EINVAL, -1) : to;
    if (release_target(to) < 0)
        return -1;
    rc = three ? real.dup3(fd, to, flags) : real.dup2(fd, to);
    if (rc >= 0 && p >= 0)
        preload_map_copy(rc, p);
    return rc;
}

int dup2(int fd, int to) {
    return dup_to(fd, to, 0, 0);
}

int dup3(int fd, int to, int flags) {
    return dup_to(fd, to, flags, 1);
}

/* Records n, a new copy of socket p's descriptor (from dup or F_DUPFD):
 * n, or -1 (EMFILE, the copy closed) when the table cannot hold it. */
static int adopt_copy(int n, int p) {
    if (n < 0)
        return n;
    if (!preload_fd_fits(n)) {
        real.close(n);
        errno = EMFILE;
        return -1;
    }
    preload_map_copy(n, p);
    return n;
}

int dup(int fd) {
    ON_SIX(fd, p, real.dup(fd));
    return adopt_copy(real.dup(fd), p);
}

static int six_fd_fcntl(int fd, int p, int cmd, long arg) {
    switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
        return adopt_copy(real.fcntl(fd, cmd, arg), p);
    case F_GETFD:
    case F_SETFD:
        return real.fcntl(fd, cmd, arg);   /* close-on-exec is per descriptor */
    case F_GETFL:
    case F_SETFL:
        return six_fcntl(p, cmd, arg);
    default:
        errno = EINVAL;
        preload_note_failure("fcntl", cmd, 0);
        return -1;
    }
}

int fcntl(int fd, int cmd, ...) {
    va_list ap;
    long arg;
    int p;

    va_start(ap, cmd);
    arg = va_arg(ap, long);
    va_end(ap);
    if ((p = preload_sock(fd)) == -2)
        return -1;
    if (p < 0)
        return real.fcntl(fd, cmd, arg);
    return six_fd_fcntl(fd, p, cmd, arg);
}

/* With _FILE_OFFSET_BITS=64 programs call this name. */
int fcntl64(int fd, int cmd, ...);
int fcntl64(int fd, int cmd, ...) {
    va_list ap;
    long arg;

    va_start(ap, cmd);
    arg = va_arg(ap, long);
    va_end(ap);
    return fcntl(fd, cmd, arg);
}

int ioctl(int fd, unsigned long req, ...) {
    va_list ap;
    void *arg;
    int p, rc;

    va_start(ap, req);
    arg = va_arg(ap, void *);
    va_end(ap);
    if ((p = preload_sock(fd)) == -2)
        return -1;
    if (p < 0)
        return real.ioctl(fd, req, arg);
    if ((rc = preload_if_ioctl(req, arg)) != -2)
        return rc;
    if ((rc = six_ioctl(p, req, arg)) < 0)
        preload_note_failure("ioctl", 0, (int)req);
    return rc;
}

/* sendfile(2) to a sixstack socket (nginx sends files so): the file is
 * read here and sent as a write would send it. Offsets as sendfile's: with
 * off, from *off (advanced by what was sent) and the file's own offset
 * untouched; without, from the file's offset, left just past what was
 * sent. */
static ssize_t (*real_sendfile)(int, int, off_t *, size_t);

static ssize_t send_file(int p, int in, off_t *off, size_t count) {
    static _Thread_local char buf[65536];
    size_t done = 0;

    while (done < count) {
        size_t want = count - done < sizeof(buf) ? count - done : sizeof(buf);
        ssize_t r = off ? pread(in, buf, want, *off) : real.read(in, buf, want), sent;

        if (r <= 0)
            return done ? (ssize_t)done : r;
        sent = six_send(p, buf, (size_t)r, MSG_NOSIGNAL);
        if (sent < 0) {
            if (!off)
                lseek(in, -r, SEEK_CUR);
            return done ? (ssize_t)done : -1;
        }
        if (off)
            *off += sent;
        else if (sent < r)
            lseek(in, sent - r, SEEK_CUR);
        done += (size_t)sent;
        if (sent < r)
            break;
    }
    return (ssize_t)done;
}

ssize_t sendfile(int out, int in, off_t *off, size_t count) {
    ON_SIX(out, p, real_sendfile(out, in, off, count));
    return preload_sent(p, send_file(p, in, off, count), count);
}

ssize_t sendfile64(int out, int in, off_t *off, size_t count);
ssize_t sendfile64(int out, int in, off_t *off, size_t count) {
    return sendfile(out, in, off, count);
}

__attribute__((constructor(103))) static void find_sendfile(void) {
    real_sendfile = (ssize_t(*)(int, int, off_t *, size_t))dlsym(RTLD_NEXT, "sendfile");
}

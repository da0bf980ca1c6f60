/* LD_PRELOAD shim for Debian's user-mode-linux (6.1) on hosts whose CPUs
 * have AMX: UML saves and restores its processes' FPU state with
 * PTRACE_{GET,SET}REGSET NT_X86_XSTATE and a buffer of the pre-AMX size
 * (2,696 bytes), but the host kernel takes a SETREGSET only with a buffer
 * of its full XSAVE size (11,008 with AMX) and fails it with EFAULT, so the
 * guest panics at its first process ("ptrace set fp regs failed, errno =
 * 14"). This passes every such call through a buffer of the host's size:
 * a GET copies out the part UML asked for; a SET reads the task's current
 * state first and lays UML's part over it, so the components UML does not
 * know (AMX tiles, which UML's processes cannot use without asking the
 * host for them) keep what they had. Built and used by uml-lib.bash. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef long (*ptrace_fn)(int, pid_t, void *, void *);

static long xstate_call(ptrace_fn real, int req, pid_t pid, struct iovec *iov) {
    static __thread unsigned char full[65536] __attribute__((aligned(64)));
    struct iovec big = {full, sizeof(full)};
    long rc = real(PTRACE_GETREGSET, pid, (void *)(long)NT_X86_XSTATE, &big);
    size_t n;

    if (rc < 0)
        return rc;
    n = iov->iov_len < big.iov_len ? iov->iov_len : big.iov_len;
    if (req == PTRACE_GETREGSET) {
        memcpy(iov->iov_base, full, n);
        iov->iov_len = n;
        return rc;
    }
    memcpy(full, iov->iov_base, n);
    return real(PTRACE_SETREGSET, pid, (void *)(long)NT_X86_XSTATE, &big);
}

long ptrace(enum __ptrace_request req, ...) {
    static ptrace_fn real;
    va_list ap;
    pid_t pid;
    void *addr, *data;

    va_start(ap, req);
    pid = va_arg(ap, pid_t);
    addr = va_arg(ap, void *);
    data = va_arg(ap, void *);
    va_end(ap);
    if (!real)
        real = (ptrace_fn)dlsym(RTLD_NEXT, "ptrace");
    if ((req == PTRACE_GETREGSET || req == PTRACE_SETREGSET) && (long)addr == NT_X86_XSTATE)
        return xstate_call(real, req, pid, data);
    return real(req, pid, addr, data);
}

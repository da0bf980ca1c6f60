/* libsixstack-preload: runs an unmodified program's AF_INET6 sockets on a
 * sixstack stack of its own (docs/man/sixstack-run.1 has the model).
 *
 * Descriptors: a sixstack socket's descriptor is its eventfd (ARCHITECTURE
 * "Descriptors"). dup() of one is a real dup of the eventfd, so the kernel's
 * poll, select and epoll see the copy too; this library's table maps every
 * copy to the socket's own descriptor (its "primary") and counts them, and
 * the socket is closed with the last. */
#ifndef SIX_PRELOAD_H
#define SIX_PRELOAD_H

#include <stdarg.h>
#include <sys/types.h>

#include <sixstack/sixstack.h>

/* ---- start.c: the configuration and the process's stack ---- */
/* SIXSTACK_LOG levels. */
enum { PLOG_QUIET, PLOG_ERRORS, PLOG_STACK, PLOG_CALLS };
extern int preload_log_level;
void preload_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The process's stack, started on first use; NULL (errno set) when it
 * cannot be, or in a child made by fork (see start.c). */
struct six_stack *preload_stack(void);
/* 1 in a child made by fork() of a process whose stack had started: its
 * inherited sixstack descriptors may only be closed. */
extern int preload_forked;

/* ---- fdmap.c: which descriptors are sixstack sockets ---- */
/* The primary descriptor of fd's socket, or -1 when fd is not one. Needs
 * no lock: safe in a forked child. */
int preload_primary(int fd);
/* Whether fd is low enough to be recorded. */
int preload_fd_fits(int fd);
/* Records a new socket. */
void preload_map_new(int fd);
/* Records copy as another descriptor of primary's socket. */
void preload_map_copy(int copy, int primary);
/* Forgets fd; returns the socket's primary descriptor when fd was its last
 * descriptor (then the socket is to be closed), else -1. *hidden is set
 * when fd was the primary itself but copies remain: the caller must keep
 * the number open (the socket is known by it). */
int preload_map_drop(int fd, int *hidden);

#endif

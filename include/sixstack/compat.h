/* Standard socket names on sixstack.
 *
 * Include this after the system headers:
 *
 *     #include <sys/socket.h>
 *     #include <netinet/in.h>
 *     ...
 *     #include <sixstack/compat.h>
 *
 * and link with `pkg-config --libs sixstack`: socket(), bind(), sendmsg(),
 * recvmsg(), setsockopt(), close(), poll(), fcntl() ... then act on
 * sixstack. Without a setup call they use the default stack, which has a
 * loopback interface with ::1 and runs in its own thread, so a plain BSD
 * sockets program that talks over ::1 runs on sixstack unchanged. Calls on
 * descriptors that are not sixstack sockets (files, pipes, AF_INET or
 * AF_UNIX sockets) go to the system as before.
 */
#ifndef SIXSTACK_COMPAT_H
#define SIXSTACK_COMPAT_H

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sixstack/socket.h>
#include <sixstack/opt_compat.h>

#define socket six_socket
#define bind six_bind
#define listen six_listen
#define accept six_accept
#define accept4 six_accept4
#define connect six_connect
#define send six_send
#define sendto six_sendto
#define sendmsg six_sendmsg
#define recv six_recv
#define recvfrom six_recvfrom
#define recvmsg six_recvmsg
#define setsockopt six_setsockopt
#define getsockopt six_getsockopt
#define getsockname six_getsockname
#define getpeername six_getpeername
#define shutdown six_shutdown
#define close six_close
#define fcntl six_fcntl
#define ioctl six_ioctl
#define poll six_poll

#endif

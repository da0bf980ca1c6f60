/* The standard names of the RFC 2292 and RFC 3542 option and routing
 * header routines, mapped onto sixstack's (see <sixstack/opt.h>).
 *
 * Included by <sixstack/compat.h>; include it after the system headers.
 * It includes <netinet/in.h> itself first, so the host's own declarations
 * of these names (glibc has them under _GNU_SOURCE) are read before the
 * macros below exist and are never renamed. From here on, a call to
 * inet6_opt_init() and the like is a call to sixstack.
 */
#ifndef SIXSTACK_OPT_COMPAT_H
#define SIXSTACK_OPT_COMPAT_H

#include <netinet/in.h>
#include <sys/socket.h>

#include <sixstack/opt.h>

#define inet6_option_space six_inet6_option_space
#define inet6_option_init six_inet6_option_init
#define inet6_option_append six_inet6_option_append
#define inet6_option_alloc six_inet6_option_alloc
#define inet6_option_next six_inet6_option_next
#define inet6_option_find six_inet6_option_find

#define inet6_opt_init six_inet6_opt_init
#define inet6_opt_append six_inet6_opt_append
#define inet6_opt_finish six_inet6_opt_finish
#define inet6_opt_set_val six_inet6_opt_set_val
#define inet6_opt_next six_inet6_opt_next
#define inet6_opt_find six_inet6_opt_find
#define inet6_opt_get_val six_inet6_opt_get_val

#define inet6_rth_space six_inet6_rth_space
#define inet6_rth_init six_inet6_rth_init
#define inet6_rth_add six_inet6_rth_add
#define inet6_rth_reverse six_inet6_rth_reverse
#define inet6_rth_segments six_inet6_rth_segments
#define inet6_rth_getaddr six_inet6_rth_getaddr

#endif

/* Address text conversion for the bare port (port/bare/inet.c). */
#ifndef SIX_BARE_ARPA_INET_H
#define SIX_BARE_ARPA_INET_H

#include <netinet/in.h>
#include <sys/socket.h>

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
int inet_pton(int af, const char *src, void *dst);

#endif

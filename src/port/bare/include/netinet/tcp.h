/* TCP's socket options for the bare port (Linux's numbers). */
#ifndef SIX_BARE_NETINET_TCP_H
#define SIX_BARE_NETINET_TCP_H

#define SOL_TCP 6
#define TCP_NODELAY 1
#define TCP_MAXSEG 2
#define TCP_CONGESTION 13

#endif

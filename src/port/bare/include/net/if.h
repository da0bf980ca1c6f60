/* Interface name length for the bare port. */
#ifndef SIX_BARE_NET_IF_H
#define SIX_BARE_NET_IF_H

#define IF_NAMESIZE 16
#define IFNAMSIZ IF_NAMESIZE

#endif

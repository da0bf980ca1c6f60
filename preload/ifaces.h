#ifndef SIX_PRELOAD_IFACES_H
#define SIX_PRELOAD_IFACES_H

/* The interface ioctls (SIOCGIFINDEX, SIOCGIFNAME, SIOCGIFMTU,
 * SIOCGIFFLAGS, SIOCGIFHWADDR) on a sixstack socket, answered from the
 * stack's interfaces; -2 for any other request. */
int preload_if_ioctl(unsigned long req, void *arg);

#endif

/* The socket ioctls six_ioctl() knows, for the bare port. */
#ifndef SIX_BARE_SYS_IOCTL_H
#define SIX_BARE_SYS_IOCTL_H

#define FIONREAD 0x541B
#define FIONBIO 0x5421

#endif

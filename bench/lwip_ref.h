/* lwIP 2.1.3 (Debian's liblwip-dev) as an in-process reference for the
 * benchmarks: its raw and UDP PCBs over a loopback netif, one thread, its
 * callback API (no sockets). Built from lwip_ref.c when CMake finds lwIP,
 * from lwip_ref_none.c otherwise: the benchmarks call the same functions
 * either way and print "lwIP: skipped" when lwip_ref_init() fails.
 */
#ifndef SIX_BENCH_LWIP_REF_H
#define SIX_BENCH_LWIP_REF_H

#include <stddef.h>

/* Why the reference is missing, or NULL when it is there. */
const char *lwip_ref_missing(void);

/* Starts lwIP once per process (the tcpip thread, a netif holding ::1).
 * 0, or -1 when lwIP is not built in or failed to start. */
int lwip_ref_init(void);

/* Packets per second of one run of iters send+receive round trips, each
 * allocating a pbuf, copying size bytes in, sending it to ::1 and
 * delivering it with netif_poll() to the receiving PCB's callback, which
 * counts and frees it. Raw: a raw PCB of protocol 253. -1 on failure. */
double lwip_ref_raw_pps(size_t size, long iters);
double lwip_ref_udp_pps(size_t size, long iters);

/* Heap bytes (glibc's mallinfo2, lwIP allocates with malloc in Debian's
 * build: MEM_LIBC_MALLOC, MEMP_MEM_MALLOC) per object. Each count says how
 * many objects the figure was measured over (the build's limits cap some). */
struct lwip_ref_memory {
    double pcb_bytes; /* a UDP PCB, bound */
    int pcbs;
    double socket_bytes; /* lwip_socket(AF_INET6, SOCK_DGRAM): netconn, mailbox, PCB */
    int sockets;
    double group_bytes; /* an MLD group joined on the netif */
    int groups;
    double reass_bytes; /* a datagram waiting in reassembly, 1280-byte first fragment held */
    int reass;
};

/* Measures the above, trying count objects of each kind. 0 or -1. */
int lwip_ref_memory(struct lwip_ref_memory *m, int count);

/* ---- TCP: the raw API (tcp_write, callbacks) between two PCBs over the
 * same loopback netif, in the calling thread with the core lock held;
 * netif_poll() delivers, tcp_fasttmr() sends delayed ACKs when nothing
 * else moves (the tcpip thread's timers cannot run under the lock). Every
 * figure is -1 when lwIP is missing or the run failed. */
/* Bytes per second of one connection moving total bytes, written in
 * chunks of up to write_size as the send buffer allows (TCP_SND_BUF is
 * 65,535 in this build), received and acknowledged (tcp_recved). */
double lwip_ref_tcp_bulk(size_t total, size_t write_size);
/* Transactions per second: size bytes each way, Nagle off, on the first
 * of nconns established connections (the others idle), iters of them. */
double lwip_ref_tcp_rr(size_t size, long iters, int nconns);
/* Connections per second: connect, accept, close by the client then the
 * server (each ends in TIME_WAIT or closed), iters of them. */
double lwip_ref_tcp_cps(long iters);
/* Heap bytes per idle established connection end (count pairs, each end
 * one connection). */
double lwip_ref_tcp_conn_bytes(int count);

#endif

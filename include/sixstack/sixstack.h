/* sixstack: a userspace IPv6 network layer with a BSD socket API.
 *
 * This header manages stacks: creating them, giving them interfaces,
 * addresses and routes, running them, reading their statistics. The socket
 * calls are in <sixstack/socket.h>; <sixstack/compat.h> maps the standard
 * socket names onto them.
 *
 * Threading: a stack's core is single-threaded. Every public call takes the
 * stack's lock, so any thread may call any function. A stack runs either in
 * its own thread (six_stack_start) or is driven by the caller with
 * six_stack_poll(). Blocking socket calls wait on a condition variable and
 * are woken by whoever processes packets or advances the clock.
 *
 * Errors: functions returning int return >= 0 on success and -1 with errno
 * set on failure, like the system calls they resemble.
 */
#ifndef SIXSTACK_H
#define SIXSTACK_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct six_stack;

enum six_clock_mode {
    /* Time is CLOCK_MONOTONIC, read when needed. */
    SIX_CLOCK_MONOTONIC = 0,
    /* Time moves only when six_stack_poll() or six_stack_set_time() says:
     * a 60 s timeout is tested in microseconds of real time. */
    SIX_CLOCK_MANUAL = 1,
};

struct six_stack_config {
    enum six_clock_mode clock;
    /* Random seed: 0 means unpredictable (getrandom); anything else makes
     * every random choice of the stack repeatable. */
    uint64_t seed;
    /* Packet buffer pools: the number of small (up to 2 KiB) and large
     * (up to 64 KiB) buffers the stack may hold at once. Exhaustion makes
     * sends fail with ENOBUFS and counts drops on input. */
    unsigned pkt_small_max;
    unsigned pkt_large_max;
    /* Most sockets the stack may have open at once (ENOBUFS beyond). */
    unsigned max_sockets;
    /* Default hop limit of unicast packets (RFC 8200 says 64 is usual). */
    uint8_t default_hop_limit;
    /* ICMPv6 error rate limit (RFC 4443 2.4(f)): a token bucket of
     * icmp6_burst errors refilled at icmp6_rate errors per second. */
    unsigned icmp6_rate;
    unsigned icmp6_burst;
    /* Default receive buffer of a socket, in bytes (SO_RCVBUF). */
    unsigned rcvbuf;
    /* Ephemeral UDP port ranges, inclusive, by IPV6_PORTRANGE (FreeBSD's
     * net.inet.ip.portrange sysctls): DEFAULT 10000-65535, HIGH
     * 49152-65535, LOW 600-1023 (privileged). six_stack_new() refuses a
     * range with first > last or port 0 (EINVAL). */
    unsigned port_first, port_last;
    unsigned port_hifirst, port_hilast;
    unsigned port_lowfirst, port_lowlast;
    /* Path MTU discovery (RFC 8201): at most pmtu_cache_max destinations
     * with an estimate below their link's MTU (0: none are kept, so
     * Packet Too Big changes nothing); an estimate goes back to the link
     * MTU pmtu_expire_s seconds after the last Packet Too Big lowered it
     * (0: never). RFC 8201 section 4 asks for at least 5 minutes and
     * recommends 10. */
    unsigned pmtu_cache_max;
    unsigned pmtu_expire_s;
    /* Neighbour cache entries (RFC 4861 5.1), all interfaces together.
     * RFC 6583 7.1: at most a quarter of them resolving (INCOMPLETE) at
     * once; a full cache evicts a resolving entry first, then one never
     * used to send, then the least recently used. */
    unsigned nd_cache_max;
    /* Packets held per neighbour while its address is being resolved
     * (RFC 4861 7.2.2); a new one replaces the oldest. */
    unsigned nd_queue_len;
    /* 1: this stack's Neighbor Advertisements carry the Router flag
     * (RFC 4861 4.4). sixstack does not forward, so this is for a stack
     * that stands in for a router (tests, the RA it sends by hand); hosts
     * treat a neighbour whose flag goes clear as no longer a router
     * (7.2.5). Default 0. */
    int nd_router_flag;
    /* Give each interface but lo a link-local address when it is added
     * (RFC 4291 2.1, RFC 4862 5.3; on bare IPv6 links too, without DAD
     * there since they have no neighbour discovery): 1 (default) or 0 to
     * configure addresses only by hand. */
    int linklocal;
    /* Reassembly (RFC 8200 4.5). reass_max_datagrams: most datagrams
     * waiting at once (table slots, allocated when the stack is made; 0
     * turns reassembly off: every fragment that is not atomic is dropped).
     * reass_max_per_source: most of them from one source address (0: no
     * limit of its own). reass_max_frags: most fragments in one datagram
     * (at least 2). reass_max_bytes: most bytes of packet buffers waiting
     * fragments may hold, each charged its whole buffer; keep it well below
     * the pools, or fragments could starve every other packet. Past any of
     * these the oldest datagram (of that source, for the per-source limit)
     * is dropped first. */
    unsigned reass_max_datagrams;
    unsigned reass_max_per_source;
    unsigned reass_max_frags;
    size_t reass_max_bytes;
    /* Duplicate address detection (RFC 4862 5.4): the solicitations sent
     * for each new unicast address on an Ethernet interface, RetransTimer
     * (1 s) apart; the address stays tentative (not a source, not a
     * destination) until RetransTimer after the last. 0 turns DAD off:
     * addresses are usable at once. six_addr_add's SIX_ADDR_NODAD skips
     * it for one address. */
    unsigned dad_transmits;
    /* Autoconfiguration on each new Ethernet interface (changed per
     * interface by six_if_set_autoconf): 1 sends Router Solicitations,
     * follows Router Advertisements (default routers, on-link prefixes,
     * MTU, hop limit, ND timers) and makes SLAAC addresses from their
     * prefixes (RFC 4861 6.3, RFC 4862 5.5); 0 ignores advertisements. */
    int autoconf;
    /* Router Solicitations sent when autoconfiguration starts (RFC 4861
     * 6.3.7: MAX_RTR_SOLICITATIONS, 3), the first after a random delay
     * of up to 1 s, then 4 s apart, until an advertisement comes. */
    unsigned rtr_solicits;
    /* How interface identifiers are made for link-local and SLAAC
     * addresses: SIX_ADDR_GEN_STABLE (RFC 7217, the default as RFC 8064
     * recommends) or SIX_ADDR_GEN_EUI64 (from the MAC, RFC 4291). */
    int addr_gen_mode;
    /* The RFC 7217 secret key. All zero (the default): random, or derived
     * from the seed when the seed is set (so tests repeat). */
    uint8_t stable_secret[16];
    /* Bounds on what routers may make a stack hold: default routers (all
     * interfaces), on-link prefixes (all interfaces), SLAAC addresses per
     * interface, and redirect host routes. Past them a new one is not
     * learnt (nd_ra_table_full). */
    unsigned ra_max_routers;
    unsigned ra_max_prefixes;
    unsigned slaac_max_addrs;
    unsigned redirect_max;
    /* TCP limits that hold under a flood (RFC 4987). tcp_max_half_open:
     * connections in SYN-RECEIVED the stack keeps, all listeners
     * together; past it (or past a listener's backlog) a SYN is answered
     * with a SYN cookie and no state. tcp_max_time_wait: connections kept
     * in TIME-WAIT; past it a closing connection is forgotten at once.
     * tcp_mem_max: bytes of send and receive buffer all connections may
     * hold together (buffers grow with what is queued and are given back
     * when empty); past it sends fail with ENOBUFS and received data is
     * dropped (the peer sends it again). */
    unsigned tcp_max_half_open;
    unsigned tcp_max_time_wait;
    size_t tcp_mem_max;
    /* RFC 5961 7: challenge ACKs the stack sends per second of its clock,
     * all connections together (default 1000, as Linux's
     * tcp_challenge_ack_limit was; 0: none). Each second's allowance is
     * drawn at random between half and one and a half times the limit, so
     * an off-path attacker cannot count them to learn of a connection
     * (CVE-2016-5696). */
    unsigned tcp_challenge_ack_limit;
    /* Least time between two ACKs a connection sends in answer to
     * unacceptable segments without data (out of the window, failing PAWS,
     * acknowledging unsent data), in ms of the stack clock (default 500,
     * as Linux's tcp_invalid_ratelimit; 0: no limit). Otherwise a flood of
     * such segments, or two ends out of step, draw one ACK each. Segments
     * with data or FIN are always answered. */
    unsigned tcp_invalid_ratelimit_ms;
};

/* addr_gen_mode values. */
enum {
    SIX_ADDR_GEN_STABLE = 0,
    SIX_ADDR_GEN_EUI64 = 1,
};

/* Fills *cfg with the defaults: monotonic clock, random seed, 1024 small
 * and 64 large buffers, 1024 sockets, hop limit 64, 100 ICMPv6 errors/s
 * with a burst of 10, 208 KiB receive buffers, the port ranges above, a
 * path MTU cache of 256 destinations whose estimates age out after 600 s
 * (10 minutes), 256 neighbour cache entries with 3 packets queued each,
 * link-local addresses on; reassembly of at most 256 datagrams, 32 per
 * source, 64 fragments each, in 1 MiB of buffers; one DAD solicitation
 * per address; autoconfiguration on with 3 Router Solicitations; stable
 * (RFC 7217) interface identifiers with a random secret; at most 8
 * default routers, 16 on-link prefixes, 16 SLAAC addresses per interface
 * and 64 redirect routes; TCP: 1024 half-open connections, 16384 in
 * TIME-WAIT, 256 MiB of buffers. */
void six_stack_config_init(struct six_stack_config *cfg);

/* Creates a stack with a loopback interface "lo" (index 1) holding ::1.
 * cfg may be NULL for the defaults. Returns NULL with errno on failure. */
struct six_stack *six_stack_new(const struct six_stack_config *cfg);

/* Stops the stack's thread if any, closes its sockets, detaches its links
 * and frees everything. */
void six_stack_free(struct six_stack *st);

/* Log lines: what the stack does that a person running it wants to see
 * (neighbours found and lost, addresses configured, duplicates), one line
 * at a time without a newline. The function runs with the stack's lock
 * held, in whichever thread processed the event: it must not call into
 * the stack. NULL stops logging. */
typedef void (*six_log_fn)(void *ctx, const char *line);
void six_stack_set_log(struct six_stack *st, six_log_fn fn, void *ctx);

/* Runs the stack in a thread of its own until six_stack_stop(). */
int six_stack_start(struct six_stack *st);
int six_stack_stop(struct six_stack *st);

/* Drives the stack by hand: processes every frame waiting on its links and
 * every timer due. With a manual clock, first moves the clock forward to
 * now_us (never backwards); with the monotonic clock now_us is ignored.
 * Returns the time of the next timer in the stack's clock (microseconds),
 * or UINT64_MAX when none is set. */
uint64_t six_stack_poll(struct six_stack *st, uint64_t now_us);

/* The stack's clock, in microseconds. */
uint64_t six_stack_now(struct six_stack *st);
/* Moves a manual clock to now_us (never backwards) and wakes anything
 * waiting on it. -1/EINVAL on a monotonic clock. */
int six_stack_set_time(struct six_stack *st, uint64_t now_us);

/* Makes st the stack that six_socket() uses in the calling thread (NULL:
 * back to the default stack). */
void six_use_stack(struct six_stack *st);
/* The default stack used by six_socket() when a thread named none: created
 * on first use with loopback ::1, running in its own thread. */
struct six_stack *six_default_stack(void);

/* ---- Credentials ----
 * Every socket carries the credentials of the thread that created it (a
 * socket accept() returns, those of its listener, as BSD's). Raw
 * sockets, receiving hop-by-hop/destination options/routing headers, and
 * other rules of ip6(4) that "require superuser privileges" check them. */
struct six_creds {
    uid_t uid;
    gid_t gid;
    /* Privileged: root, or granted CAP_NET_RAW. */
    int privileged;
};
/* Sets the credentials the calling thread creates sockets with. NULL goes
 * back to the default: the process's effective uid and gid, privileged iff
 * the effective uid is 0. */
void six_set_creds(const struct six_creds *creds);
void six_get_creds(struct six_creds *out);

/* ---- Interfaces ---- */
enum {
    SIX_IFF_LOOPBACK = 1 << 0,
    SIX_IFF_MULTICAST = 1 << 1,
    SIX_IFF_POINTTOPOINT = 1 << 2,
    /* Frames carry an Ethernet header; neighbours are resolved by
     * neighbour discovery (RFC 4861). */
    SIX_IFF_ETHERNET = 1 << 3,
};

/* Index of the interface called name, or 0 (like if_nametoindex). */
unsigned six_if_nametoindex(struct six_stack *st, const char *name);
/* Name of interface ifindex into buf (IF_NAMESIZE bytes); NULL/ENXIO. */
char *six_if_indextoname(struct six_stack *st, unsigned ifindex, char *buf);
int six_if_mtu(struct six_stack *st, unsigned ifindex);
int six_if_set_mtu(struct six_stack *st, unsigned ifindex, unsigned mtu);

/* ---- In-memory links ----
 * Frames cross them as bytes into the receiver's own queue (a bounded ring:
 * a full ring drops, like a NIC). Frames are bare IPv6 packets, or
 * Ethernet frames when the config says so. */
struct six_memwire_config {
    unsigned mtu;        /* default 1500 */
    unsigned queue_len;  /* frames each receiver may hold; default 256 */
    /* 0: frames are bare IPv6 packets (default). 1: Ethernet frames; each
     * interface gets a random locally administered MAC (from the stack's
     * seed), and finds its neighbours by neighbour discovery, as on a real
     * Ethernet (both kinds get a link-local address: config linklocal). */
    int ethernet;
};

/* Connects a and b point to point with new interfaces named name_a (on a)
 * and name_b (on b); returns 0 and their indexes in *ifa and *ifb. */
int six_memwire_pair(struct six_stack *a, const char *name_a,
                     struct six_stack *b, const char *name_b,
                     const struct six_memwire_config *cfg,
                     unsigned *ifa, unsigned *ifb);

/* A multi-access segment: every frame sent by one member reaches every
 * other member (multicast and unicast alike, like a hub; each stack keeps
 * what is addressed to it). */
struct six_segment;
struct six_segment *six_segment_new(const struct six_memwire_config *cfg);
/* Attaches st to seg with a new interface called name; returns its index. */
int six_segment_attach(struct six_segment *seg, struct six_stack *st, const char *name);
/* Frees the segment; call after freeing (or detaching) its stacks. */
void six_segment_free(struct six_segment *seg);

/* The MAC address of an Ethernet interface into mac (6 bytes); -1/ENXIO
 * for no such interface, -1/EOPNOTSUPP when it is not Ethernet. */
int six_if_hwaddr(struct six_stack *st, unsigned ifindex, uint8_t mac[6]);

/* ---- TAP and TUN interfaces (Linux /dev/net/tun) ----
 * A TAP interface puts the stack on an Ethernet the kernel sees as the
 * network device dev (created when missing, which needs CAP_NET_ADMIN;
 * or made beforehand by `ip tuntap add dev DEV mode tap [user U]`): the
 * stack has its own MAC and link-local address there and finds
 * neighbours by neighbour discovery. A TUN interface carries bare IPv6
 * packets (point to point, no neighbour discovery; a link-local address
 * all the same, without DAD). Either is named dev in the stack too. */
struct six_tap_config {
    unsigned mtu;        /* 0: 1500 */
    int set_mac;         /* 1: use mac; 0: a random locally administered
                            MAC (from the stack's seed) */
    uint8_t mac[6];
};
/* Returns the new interface's index, or -1 with errno (ENOENT: no
 * /dev/net/tun; EPERM: not allowed to create or attach to dev; EBUSY:
 * another program has it; EINVAL: bad name or MTU). cfg may be NULL. */
int six_if_add_tap(struct six_stack *st, const char *dev, const struct six_tap_config *cfg);
int six_if_add_tun(struct six_stack *st, const char *dev, const struct six_tap_config *cfg);

/* ---- Interfaces with the application's own driver ----
 * For a network controller sixstack has no driver for (a microcontroller's
 * Ethernet, a radio): the stack hands every frame it sends to transmit,
 * and the driver hands every frame it receives to six_if_inject(). On an
 * Ethernet interface, frames are Ethernet II frames without the FCS and
 * the stack runs neighbour discovery and filters multicast itself (let
 * the controller pass every multicast frame); otherwise bare IPv6
 * packets. */
struct six_netdev {
    int ethernet;        /* 1: Ethernet, with mac; 0: bare IPv6 packets */
    uint8_t mac[6];
    unsigned mtu;        /* of IPv6, without the Ethernet header; 0: 1500 */
    /* Sends one frame of len bytes; returns 0, or -1 when it could not
     * (the frame is dropped and counted). Called with the stack's lock
     * held: it must not call into the stack. */
    int (*transmit)(void *ctx, const void *frame, size_t len);
    void *ctx;
};
/* Returns the new interface's index, or -1 with errno (EINVAL: no
 * transmit call, MTU outside [1280, 65535], a group or zero MAC on
 * Ethernet, bad name; EEXIST: the name is taken; ENOMEM). */
int six_if_add_netdev(struct six_stack *st, const char *name, const struct six_netdev *dev);

/* Writes every frame the interface sends and receives to a pcap file
 * (LINKTYPE_RAW, or LINKTYPE_ETHERNET on Ethernet interfaces; opens in
 * Wireshark). path NULL stops the capture. */
int six_if_capture(struct six_stack *st, unsigned ifindex, const char *path);

/* ---- Link impairment, for tests ----
 * A wrapper around any interface that drops, duplicates, reorders and
 * delays its frames, the same way every run for a given seed. It sits
 * between the driver and the rest of the stack, capture included: a
 * capture shows what the stack sent and what it was handed.
 * Rates are in parts per million of frames; each frame's fate is drawn
 * independently (drop first; a dropped frame is not duplicated). Delays
 * run on the stack's clock (a manual clock releases held frames only as
 * it moves). Frames in order stay in order whatever their jitter; a
 * reordered frame is held reorder_us longer than its delay, so that the
 * frames after it overtake it. At most `limit` frames wait per direction;
 * more are dropped (link_fault_overflow). Counters: link_fault_*. */
enum {
    SIX_FAULT_TX = 1 << 0,   /* frames the stack sends */
    SIX_FAULT_RX = 1 << 1,   /* frames the interface receives */
};
struct six_fault {
    uint64_t seed;           /* 0: from the stack's random (repeatable only
                                when the stack's seed is set) */
    unsigned dirs;           /* SIX_FAULT_TX | SIX_FAULT_RX, not 0 */
    uint32_t drop_ppm;       /* each <= 1000000 */
    uint32_t dup_ppm;
    uint32_t reorder_ppm;
    uint32_t delay_us;       /* every frame */
    uint32_t jitter_us;      /* plus uniform in [0, jitter_us] */
    uint32_t reorder_us;     /* 0: 1000 */
    unsigned limit;          /* frames held per direction, <= 65536; 0: 1024 */
};
/* Puts the wrapper f on interface ifindex (replacing any earlier one, whose
 * held frames are sent at once), or removes it (f NULL, held frames sent at
 * once). -1 with errno: ENXIO no such interface, EINVAL bad f (a rate over
 * a million, dirs 0 or unknown, limit over 65536), ENOMEM. */
int six_if_set_fault(struct six_stack *st, unsigned ifindex, const struct six_fault *f);

/* Hands frame to the stack as if interface ifindex had just received it
 * (it is captured like any received frame), and processes it before
 * returning. The receive call of six_if_add_netdev's drivers; also for
 * tests, fuzzing and replaying captures. */
int six_if_inject(struct six_stack *st, unsigned ifindex, const void *frame, size_t len);

/* Replays a pcap file into interface ifindex: every record of the file
 * (every one matching filter, a libpcap filter expression as in
 * pcap-filter(7), when filter is not NULL) is handed to the stack as if
 * the interface had just received it, and processed before the next one,
 * like six_if_inject. The records' times are ignored: they arrive back to
 * back, on the stack's clock as it is. The file's link type must be the
 * interface's: LINKTYPE_ETHERNET on an Ethernet interface (whose receive
 * filter then drops frames sent to other MACs, as on a wire: give the
 * stack the capturing one's MAC to replay a session into it), LINKTYPE_RAW
 * or LINKTYPE_IPV6 otherwise; six_if_capture writes such files. A record
 * longer than a packet buffer (65,703 bytes) is dropped and counted
 * (link_rx_too_long).
 * Returns the number of records replayed, or -1 with errno: ENXIO for no
 * such interface, the error of opening the file (ENOENT, EACCES ...),
 * EINVAL when it is not a pcap file or the filter does not compile,
 * EMEDIUMTYPE when its link type is not the interface's, EIO when the
 * file is cut short inside a record (the records before it were replayed),
 * ENOMEM. */
int six_if_replay(struct six_stack *st, unsigned ifindex, const char *path, const char *filter);

/* ---- Neighbours (RFC 4861) ----
 * Ethernet interfaces find their neighbours' MACs by neighbour discovery
 * and keep them in a bounded cache (six_stack_config's nd_* knobs). */
enum six_nud {
    SIX_NUD_NONE = 0,        /* not in the cache (a free slot) */
    SIX_NUD_INCOMPLETE,      /* resolving: solicitations sent, no answer */
    SIX_NUD_REACHABLE,       /* confirmed within ReachableTime */
    SIX_NUD_STALE,           /* known but not confirmed lately */
    SIX_NUD_DELAY,           /* used while stale: probing soon */
    SIX_NUD_PROBE,           /* unicast solicitations being sent */
};
/* The cache entry for addr on ifindex: returns its state (an enum
 * six_nud) and, when the MAC is known and mac is not NULL, copies it.
 * -1/ENOENT when there is no entry, ENXIO for no such interface. */
int six_neigh_get(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr,
                  uint8_t mac[6]);

/* ---- Addresses and routes ----
 * Static addresses: six_addr_add() gives an interface an address and
 * makes its prefix on-link. That is the way to configure a host by hand
 * instead of SLAAC: turn autoconfiguration off (config autoconf = 0, or
 * six_if_set_autoconf) and, if wanted, link-local addresses (config
 * linklocal = 0), then add addresses and routes. On Ethernet a new
 * unicast address goes through duplicate address detection first (config
 * dad_transmits), unless SIX_ADDR_NODAD. */
enum {
    SIX_ADDR_DEPRECATED = 1 << 0, /* valid but not preferred (RFC 4862):
                                     not chosen as a source for new
                                     traffic (RFC 6724 rule 3) */
    SIX_ADDR_ANYCAST = 1 << 1,    /* never a source, no DAD */
    /* Read only (six_addr_list): */
    SIX_ADDR_TENTATIVE = 1 << 2,  /* DAD running: not yet usable */
    SIX_ADDR_DUPLICATED = 1 << 3, /* DAD found another node using it:
                                     never used (RFC 4862 5.4.5) */
    SIX_ADDR_AUTOCONF = 1 << 4,   /* made by SLAAC from a prefix */
    /* For six_addr_add: usable at once, without DAD. */
    SIX_ADDR_NODAD = 1 << 5,
};
int six_addr_add(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr,
                 unsigned prefix_len, unsigned flags);
int six_addr_del(struct six_stack *st, unsigned ifindex, const struct in6_addr *addr);

/* An address and its state. Lifetimes are the seconds left, rounded up;
 * SIX_LIFETIME_INFINITE for a static address or an infinite lifetime. */
#define SIX_LIFETIME_INFINITE 0xffffffffu
struct six_addr_info {
    struct in6_addr addr;
    unsigned prefix_len;
    unsigned ifindex;
    unsigned flags;               /* SIX_ADDR_* */
    uint32_t valid_s, preferred_s;
};
/* Copies up to max of the addresses of interface ifindex (0: every
 * interface) into out; returns how many there are (maybe more than max). */
int six_addr_list(struct six_stack *st, unsigned ifindex, struct six_addr_info *out,
                  unsigned max);

/* ---- Router discovery and autoconfiguration (RFC 4861 6, RFC 4862) ---- */
/* Turns autoconfiguration on (1) or off (0) on an Ethernet interface:
 * on, the interface sends Router Solicitations and follows Router
 * Advertisements, making SLAAC addresses from their prefixes; off, it
 * sends none and ignores advertisements (what was learnt stays until its
 * lifetime ends). -1/ENXIO for no such interface, EOPNOTSUPP when it is
 * not Ethernet. */
int six_if_set_autoconf(struct six_stack *st, unsigned ifindex, int on);

/* A router of the default router list. */
struct six_router_info {
    struct in6_addr addr;         /* its link-local address */
    unsigned ifindex;
    uint32_t lifetime_s;          /* seconds left, rounded up */
    int selected;                 /* the default route goes through it */
};
/* Copies up to max routers into out; returns how many there are. */
int six_router_list(struct six_stack *st, struct six_router_info *out, unsigned max);

/* A prefix of the prefix list: on-link through ifindex. */
struct six_prefix_info {
    struct in6_addr prefix;
    unsigned prefix_len;
    unsigned ifindex;
    uint32_t valid_s;             /* or SIX_LIFETIME_INFINITE */
};
int six_prefix_list(struct six_stack *st, struct six_prefix_info *out, unsigned max);
/* A route to prefix/prefix_len through ifindex, via gateway (NULL or :: for
 * on-link). prefix_len 0 is the default route. */
int six_route_add(struct six_stack *st, const struct in6_addr *prefix, unsigned prefix_len,
                  const struct in6_addr *gateway, unsigned ifindex);
int six_route_del(struct six_stack *st, const struct in6_addr *prefix, unsigned prefix_len);
/* The source address RFC 6724 selects for dst (ifindex 0: any). */
int six_select_source(struct six_stack *st, const struct in6_addr *dst, unsigned ifindex,
                      struct in6_addr *src);

/* Changes or reads an ephemeral port range at run time, like the sysctls:
 * range is IPV6_PORTRANGE_DEFAULT, _HIGH or _LOW (<sixstack/socket.h>).
 * EINVAL for another range, port 0 or first > last. Sockets already bound
 * keep their ports. */
int six_stack_set_portrange(struct six_stack *st, int range, unsigned first, unsigned last);
int six_stack_get_portrange(struct six_stack *st, int range, unsigned *first, unsigned *last);

/* ---- Statistics ----
 * One counter for every outcome that matters, drops above all. */
/* Grouped by module, one macro each; a group may be empty. */
/* IPv6 input and output */
#define SIX_STATS_IP6(X) \
    X(ip6_in_receives, "IPv6 packets received from links") \
    X(ip6_in_truncated, "dropped: shorter than the header or payload length") \
    X(ip6_in_bad_version, "dropped: version field is not 6") \
    X(ip6_in_bad_src, "dropped: multicast or otherwise invalid source") \
    X(ip6_in_bad_dst, "dropped: loopback or invalid destination from a link") \
    X(ip6_in_not_for_us, "dropped: destination is not ours (no forwarding)") \
    X(ip6_in_hbh_not_first, "dropped: hop-by-hop header not first (PP sent)") \
    X(ip6_in_bad_ext, "dropped: malformed extension header") \
    X(ip6_in_bad_option, "dropped: unknown option with discard action") \
    X(ip6_in_too_many_ext, "dropped: extension header chain too long") \
    X(ip6_in_rthdr_bad, "dropped: routing header with segments left (PP sent)") \
    X(ip6_in_unknown_proto, "dropped: no handler for next header (PP sent)") \
    X(ip6_in_no_next_header, "packets ending with No Next Header") \
    X(ip6_in_delivers, "packets handed to an upper layer or raw socket") \
    X(ip6_in_nobufs, "dropped on input: packet buffers exhausted") \
    X(ip6_out_requests, "packets sent") \
    X(ip6_out_no_route, "sends refused: no route") \
    X(ip6_out_too_big, "sends refused: payload over 65535 bytes (no jumbograms)") \
    X(ip6_out_nobufs, "sends refused: packet buffers exhausted") \
    X(ip6_out_link_drops, "frames the link could not take (queue full)") \
    X(ip6_out_mcast_looped, "multicast copies looped back to own members")
/* output fragmentation and path MTU */
#define SIX_STATS_FRAG(X) \
    X(frag_out_datagrams, "packets sent in fragments") \
    X(frag_out_fragments, "fragments handed to links") \
    X(frag_out_dontfrag, "sends refused: over the path MTU with IPV6_DONTFRAG") \
    X(frag_out_headers_too_big, "sends refused: unfragmentable part too big to fragment") \
    X(frag_out_nobufs, "packets not fragmented: buffers exhausted, nothing sent") \
    X(pmtu_ptb_received, "Packet Too Big messages received") \
    X(pmtu_ptb_not_ours, "PTB ignored: the quoted packet is not from our address") \
    X(pmtu_ptb_too_small, "PTB ignored: MTU below 1280 (RFC 8201 4)") \
    X(pmtu_ptb_no_path, "PTB ignored: no route off this node to the quoted destination") \
    X(pmtu_ptb_not_lower, "PTB ignored: MTU not below the current estimate") \
    X(pmtu_ptb_no_room, "PTB ignored: the cache could not take an entry") \
    X(pmtu_updates, "path MTU estimates lowered") \
    X(pmtu_expired, "path MTU estimates aged out (back to the link MTU)") \
    X(pmtu_evicted, "path MTU entries evicted from a full cache") \
    X(pmtu_notices, "IPV6_PATHMTU notices queued on sockets") \
    X(pmtu_errors, "EMSGSIZE reported to connected sockets after a PTB")
/* reassembly */
#define SIX_STATS_REASS(X) \
    X(reass_in_frags, "fragments received for reassembly (not atomic)") \
    X(reass_atomic, "atomic fragments processed on their own (RFC 6946)") \
    X(reass_ok, "datagrams reassembled") \
    X(reass_timeout, "datagrams abandoned after 60 s (Time Exceeded if the first came)") \
    X(reass_overlap, "datagrams discarded: overlapping fragments (RFC 5722)") \
    X(reass_dup, "fragments dropped: exact duplicates") \
    X(reass_dead, "fragments dropped: their datagram was already discarded") \
    X(reass_bad_len, "fragments dropped: length not a multiple of 8 (PP sent)") \
    X(reass_too_big, "fragments dropped: datagram past 65535 bytes (PP sent)") \
    X(reass_first_short, "first fragments dropped: header chain incomplete (PP sent)") \
    X(reass_empty, "fragments dropped: no data, yet more to come") \
    X(reass_bad_end, "datagrams discarded: fragments disagree on its end") \
    X(reass_too_many_frags, "datagrams discarded: over the fragments-per-datagram limit") \
    X(reass_evict_full, "datagrams evicted, oldest first: table full") \
    X(reass_evict_src, "datagrams evicted, its source's oldest: per-source limit") \
    X(reass_evict_mem, "datagrams evicted, oldest first: memory limit") \
    X(reass_nobufs, "datagrams dropped: no buffer for the reassembled packet") \
    X(reass_nd, "reassembled Neighbor Discovery messages dropped (RFC 6980)") \
    X(reass_off, "fragments dropped: reassembly turned off")
/* ICMPv6 */
#define SIX_STATS_ICMP6(X) \
    X(icmp6_in_msgs, "ICMPv6 messages received") \
    X(icmp6_in_bad_checksum, "dropped: ICMPv6 checksum") \
    X(icmp6_in_truncated, "dropped: ICMPv6 message shorter than its header") \
    X(icmp6_in_echo_requests, "echo requests received") \
    X(icmp6_in_errors, "ICMPv6 error messages received") \
    X(icmp6_out_msgs, "ICMPv6 messages sent") \
    X(icmp6_out_echo_replies, "echo replies sent") \
    X(icmp6_out_errors, "ICMPv6 error messages sent") \
    X(icmp6_err_suppressed, "errors not sent: RFC 4443 2.4(e) forbids") \
    X(icmp6_err_rate_limited, "errors not sent: rate limit")
/* MLD listener (RFC 3810, RFC 2710) */
#define SIX_STATS_MLD(X) \
    X(mld_in_queries, "MLD queries accepted (either version)") \
    X(mld_in_v1_queries, "MLDv1 queries: the interface is in MLDv1 mode a while") \
    X(mld_in_reports, "MLD reports and dones of other nodes received") \
    X(mld_in_invalid, "dropped: MLD not from link-local, hop limit not 1, no Router Alert, bad group") \
    X(mld_in_truncated, "dropped: MLD query of a length neither version has") \
    X(mld_out_reports, "MLDv2 reports sent") \
    X(mld_out_records, "multicast address records sent in MLDv2 reports") \
    X(mld_out_v1_reports, "MLDv1 reports sent") \
    X(mld_out_v1_dones, "MLDv1 dones sent") \
    X(mld_out_errors, "MLD messages or state lost: no buffer, memory or timer") \
    X(mld_v2_mode_resumed, "interfaces back to MLDv2 when no MLDv1 querier was heard")
/* neighbour discovery, autoconfiguration */
#define SIX_STATS_ND(X) \
    X(nd_in_ns, "neighbour solicitations received (valid)") \
    X(nd_in_na, "neighbour advertisements received (valid)") \
    X(nd_out_ns, "neighbour solicitations sent") \
    X(nd_out_na, "neighbour advertisements sent") \
    X(nd_in_bad_hlim, "ND dropped: hop limit not 255 (RFC 4861 7.1)") \
    X(nd_in_truncated, "ND dropped: shorter than the message's fixed part") \
    X(nd_in_bad_option, "ND dropped: option of length 0, past the end, or wrong size") \
    X(nd_in_bad_code, "ND dropped: ICMP code not 0") \
    X(nd_in_bad_target, "ND dropped: multicast target address") \
    X(nd_in_bad_dad_ns, "NS dropped: from :: but not to a solicited-node group, or with SLLA") \
    X(nd_in_bad_na_flags, "NA dropped: solicited flag set on a multicast advertisement") \
    X(nd_in_not_our_target, "NS ignored: target is not an address of the interface") \
    X(nd_in_na_for_ours, "NA ignored: another node advertises one of our addresses") \
    X(nd_in_na_unsolicited, "NA ignored: no cache entry for its target (RFC 4861 7.2.5)") \
    X(nd_queue_drops, "packets dropped while waiting for resolution (queue full or entry gone)") \
    X(nd_resolve_failed, "resolutions that failed (address unreachable sent for the queue)") \
    X(nd_unreachable, "neighbours deleted after unanswered unicast probes") \
    X(nd_cache_evictions, "cache entries evicted to make room") \
    X(nd_out_rs, "router solicitations sent") \
    X(nd_in_rs_ignored, "router solicitations ignored (a host answers none)") \
    X(nd_in_ra, "router advertisements accepted") \
    X(nd_in_ra_bad_src, "RA dropped: source not link-local (RFC 4861 6.1.2)") \
    X(nd_in_ra_ignored, "RA ignored: autoconfiguration off on the interface") \
    X(nd_in_ra_bad_mtu, "RA MTU option ignored: below 1280 or above the link's") \
    X(nd_in_ra_bad_prefix, "prefix options ignored: link-local, preferred over valid, bad length") \
    X(nd_ra_table_full, "routers, prefixes, SLAAC addresses or redirects not learnt: limit") \
    X(nd_routers_expired, "default routers removed: router lifetime ended") \
    X(nd_prefixes_expired, "on-link prefixes removed: valid lifetime ended") \
    X(nd_slaac_addrs, "addresses made by SLAAC (RFC 4862 5.5.3)") \
    X(nd_addrs_deprecated, "addresses deprecated: preferred lifetime ended") \
    X(nd_addrs_expired, "addresses removed: valid lifetime ended") \
    X(nd_out_dad_ns, "DAD solicitations sent (from ::)") \
    X(nd_dad_ok, "addresses that passed duplicate address detection") \
    X(nd_dad_duplicates, "duplicate addresses detected (RFC 4862 5.4.5)") \
    X(nd_in_ns_tentative, "NS for a tentative address, not answered (RFC 4862 5.4.3)") \
    X(nd_in_redirect, "redirects accepted (RFC 4861 8.3)") \
    X(nd_in_redirect_bad, "redirects dropped: RFC 4861 8.1 checks")
/* raw sockets */
#define SIX_STATS_RAW(X) \
    X(raw_in_delivered, "copies queued on raw sockets") \
    X(raw_in_bad_checksum, "dropped at a raw socket: IPV6_CHECKSUM mismatch") \
    X(raw_in_filtered, "not queued: ICMP6_FILTER blocked the type") \
    X(raw_in_rcvbuf_full, "dropped at a socket: receive buffer full") \
    X(raw_in_no_socket, "raw-protocol packets no socket wanted")
/* UDP */
#define SIX_STATS_UDP(X) \
    X(udp_in_datagrams, "UDP datagrams received") \
    X(udp_in_bad_length, "dropped: UDP length field too short or too long") \
    X(udp_in_zero_checksum, "dropped: zero UDP checksum (RFC 8200 8.1)") \
    X(udp_in_bad_checksum, "dropped: UDP checksum") \
    X(udp_in_no_port, "datagrams no socket wanted (port unreachable sent)") \
    X(udp_in_mcast_filtered, "multicast copies a socket's memberships refused") \
    X(udp_in_delivered, "datagrams queued on UDP sockets") \
    X(udp_in_rcvbuf_full, "dropped at a UDP socket: receive buffer full") \
    X(udp_out_datagrams, "UDP datagrams sent")
/* TCP */
#define SIX_STATS_TCP(X) \
    X(tcp_in_segs, "TCP segments received") \
    X(tcp_in_bad_header, "dropped: TCP header short or data offset bad") \
    X(tcp_in_bad_checksum, "dropped: TCP checksum") \
    X(tcp_in_bad_addr, "dropped: TCP to or from a multicast address") \
    X(tcp_in_no_conn, "segments for no connection or listener (RST sent)") \
    X(tcp_in_out_of_window, "segments outside the receive window (ACK sent)") \
    X(tcp_in_bad_ack, "segments with an unacceptable ACK") \
    X(tcp_in_rst_ignored, "RSTs out of window or answered by a challenge ACK") \
    X(tcp_in_challenge_acks, "challenge ACKs sent (RFC 5961)") \
    X(tcp_in_challenge_acks_limited, "challenge ACKs not sent: the stack's limit per second") \
    X(tcp_in_oow_acks_limited, "ACKs not sent to unacceptable segments without data: tcp_invalid_ratelimit_ms per connection") \
    X(tcp_in_ooo_segs, "segments held out of order") \
    X(tcp_in_ooo_dropped, "out-of-order segments dropped: no range left") \
    X(tcp_in_dup_segs, "segments wholly duplicate") \
    X(tcp_in_paws, "segments dropped by PAWS: old timestamp (RFC 7323)") \
    X(tcp_in_data_after_close, "data for a closed socket (connection reset)") \
    X(tcp_in_backlog_full, "SYNs dropped: listen queue full") \
    X(tcp_in_nobufs, "segments dropped: no memory for a buffer or TCB") \
    X(tcp_mem_full, "buffer growth refused: the stack's TCP memory is used up") \
    X(tcp_syn_cookies_sent, "SYN-ACKs sent as SYN cookies (no state kept)") \
    X(tcp_syn_cookies_ok, "connections made from a valid SYN cookie") \
    X(tcp_syn_cookies_bad, "ACKs to a listener with no valid cookie (RST sent)") \
    X(tcp_time_wait_skipped, "connections closed without TIME-WAIT: table full") \
    X(tcp_out_segs, "TCP segments sent") \
    X(tcp_out_rsts, "RSTs sent") \
    X(tcp_out_retransmits, "segments retransmitted") \
    X(tcp_out_fast_retransmits, "fast retransmits (three duplicate ACKs)") \
    X(tcp_out_timeouts, "retransmission timeouts") \
    X(tcp_out_delayed_acks, "delayed ACKs sent") \
    X(tcp_out_keepalives, "keepalive probes sent") \
    X(tcp_out_errors, "segments IPv6 output refused") \
    X(tcp_conn_active, "connections opened by connect()") \
    X(tcp_conn_passive, "connections accepted by listeners") \
    X(tcp_conn_resets, "connections reset by the peer") \
    X(tcp_conn_timeouts, "connections dropped: retransmissions exhausted")
/* links */
#define SIX_STATS_LINK(X) \
    X(link_rx_ring_full, "frames dropped: a receive ring was full") \
    X(link_mcast_filter_adds, "groups added to a link's multicast filter") \
    X(link_mcast_filter_dels, "groups removed from a link's multicast filter") \
    X(link_rx_bad_frame, "frames dropped: shorter than an Ethernet header") \
    X(link_rx_filtered, "frames dropped: not for our MAC or a joined group") \
    X(link_rx_not_ipv6, "frames dropped: EtherType is not IPv6") \
    X(link_tx_no_headroom, "frames not sent: no room for the link header") \
    X(link_tx_errors, "frames a driver failed to send") \
    X(link_rx_too_long, "frames dropped: longer than a packet buffer (replay)") \
    X(link_fault_frames, "frames through a fault wrapper (six_if_set_fault)") \
    X(link_fault_dropped, "frames a fault wrapper dropped") \
    X(link_fault_duplicated, "frames a fault wrapper sent twice") \
    X(link_fault_reordered, "frames a fault wrapper let others overtake") \
    X(link_fault_delayed, "frames a fault wrapper held for a while") \
    X(link_fault_overflow, "frames dropped: a fault wrapper held too many")
/* IPsec (RFC 4301; ipsec(4) levels) */
#define SIX_STATS_IPSEC(X) \
    X(ipsec_in_esp, "ESP packets verified and decrypted") \
    X(ipsec_in_ah, "AH packets verified") \
    X(ipsec_in_ipcomp, "IPComp payloads inflated") \
    X(ipsec_in_comp_failed, "IPComp packets dropped: not DEFLATE, or inflating past 64 KiB") \
    X(ipsec_in_no_sa, "IPsec packets dropped: unknown SPI (no SA)") \
    X(ipsec_in_replay, "IPsec packets dropped: replayed or left of the window") \
    X(ipsec_in_auth_failed, "IPsec packets dropped: ICV mismatch") \
    X(ipsec_in_bad_padding, "ESP packets dropped: padding or pad length wrong") \
    X(ipsec_in_malformed, "IPsec packets dropped: too short, bad length or inner protocol") \
    X(ipsec_in_policy, "packets dropped: the inbound policy wanted a protection they lack") \
    X(ipsec_in_discard, "packets dropped: an inbound policy discards them") \
    X(ipsec_in_sock_policy, "datagrams and TCP segments a socket's IPsec level refused: not protected") \
    X(ipsec_out_esp, "packets protected with ESP") \
    X(ipsec_out_ah, "packets protected with AH") \
    X(ipsec_out_ipcomp, "payloads compressed with IPComp") \
    X(ipsec_out_ipcomp_skipped, "payloads sent uncompressed: short, or would not shrink") \
    X(ipsec_out_no_sa, "sends refused: a required SA is missing (EAGAIN)") \
    X(ipsec_out_discard, "sends refused: an outbound policy discards them (EPERM)") \
    X(ipsec_out_seq_overflow, "sends refused: the SA's 32-bit sequence numbers are used up") \
    X(ipsec_out_nobufs, "sends refused: no buffer for the protected packet") \
    X(ipsec_crypto_errors, "IPsec packets dropped: the crypto library failed") \
    X(ipsec_sa_soft_expired, "SAs past a soft lifetime limit") \
    X(ipsec_sa_hard_expired, "SAs deleted at a hard lifetime limit")
#define SIX_STATS_FIELDS(X) \
    SIX_STATS_IP6(X) \
    SIX_STATS_FRAG(X) \
    SIX_STATS_REASS(X) \
    SIX_STATS_ICMP6(X) \
    SIX_STATS_ND(X) \
    SIX_STATS_MLD(X) \
    SIX_STATS_RAW(X) \
    SIX_STATS_UDP(X) \
    SIX_STATS_TCP(X) \
    SIX_STATS_IPSEC(X) \
    SIX_STATS_LINK(X)

struct six_stats {
#define SIX_STATS_X(name, doc) uint64_t name;
    SIX_STATS_FIELDS(SIX_STATS_X)
#undef SIX_STATS_X
};

/* Copies the stack's counters into *out. */
void six_stack_stats(struct six_stack *st, struct six_stats *out);
/* Name and description of counter i (0-based, in struct order); NULL past
 * the end. For printing every counter without naming them. */
const char *six_stats_name(unsigned i, const char **doc);
/* Writes every non-zero counter, one per line, to f (a FILE *). */
void six_stats_print(struct six_stack *st, void *f);

/* ---- Faults, for tests ----
 * Makes the nth packet buffer allocation from now fail (1 = the next one),
 * 0 to stop. */
void six_stack_fail_alloc(struct six_stack *st, unsigned nth);
/* Number of packet buffers currently taken from the pools (0 when idle and
 * no socket holds data): tests check it at the end. */
unsigned six_stack_pkts_in_use(struct six_stack *st);

#ifdef __cplusplus
}
#endif

#endif

/* pcap capture of an interface's frames through libpcap. Frames are bare
 * IPv6 packets (LINKTYPE_RAW, which Wireshark and tshark decode as IPv6)
 * or, on Ethernet interfaces, Ethernet frames (LINKTYPE_ETHERNET). The
 * reverse, reading such a file back as input (replay), is here too. */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "link/link.h"

struct six_capture {
    pcap_t *pcap;
    pcap_dumper_t *dumper;
};

int six__capture_open(struct six_if *ifp, const char *path) {
    struct six_capture *cap = calloc(1, sizeof(*cap));

    if (!cap)
        return -ENOMEM;
    cap->pcap = pcap_open_dead(ifp->flags & SIX_IFF_ETHERNET ? DLT_EN10MB : DLT_RAW, 65535 + 14);
    if (!cap->pcap) {
        free(cap);
        return -ENOMEM;
    }
    cap->dumper = pcap_dump_open(cap->pcap, path);
    if (!cap->dumper) {
        pcap_close(cap->pcap);
        free(cap);
        return -EIO;
    }
    six__capture_close(ifp);
    ifp->capture = cap;
    return 0;
}

void six__capture_close(struct six_if *ifp) {
    struct six_capture *cap = ifp->capture;
    if (!cap)
        return;
    pcap_dump_close(cap->dumper);
    pcap_close(cap->pcap);
    free(cap);
    ifp->capture = NULL;
}

void six__capture_write(struct six_if *ifp, const uint8_t *data, uint32_t len) {
    struct pcap_pkthdr h;
    uint64_t now = six__now(ifp->core);

    /* A manual clock gives times from the epoch, which is what a test's
     * capture should show; a monotonic stack shows the wall clock. */
    if (ifp->core->clock_mode == SIX_CLOCK_MANUAL) {
        h.ts.tv_sec = (time_t)(now / 1000000u);
        h.ts.tv_usec = (suseconds_t)(now % 1000000u);
    } else {
        gettimeofday(&h.ts, NULL);
    }
    h.caplen = len;
    h.len = len;
    pcap_dump((u_char *)ifp->capture->dumper, &h, data);
    pcap_dump_flush(ifp->capture->dumper);
}

/* ---- replay ---- */

struct six_replay {
    pcap_t *pcap;
};

/* The link types a replay into a bare IPv6 interface accepts: libpcap
 * reads LINKTYPE_RAW (101) as DLT_RAW, and LINKTYPE_IPV6 (229) is IPv6
 * alone. */
static int bare_linktype(int dlt) {
    return dlt == DLT_RAW
#ifdef DLT_IPV6
           || dlt == DLT_IPV6
#endif
        ;
}

int six__replay_open(struct six_replay **out, const char *path, int ethernet,
                     const char *filter) {
    char err[PCAP_ERRBUF_SIZE];
    struct six_replay *r;
    FILE *f;
    int dlt;

    /* fopen here rather than pcap_open_offline, so that a missing or
     * unreadable file keeps its errno. */
    if (!(f = fopen(path, "rb")))
        return -errno;
    if (!(r = calloc(1, sizeof(*r)))) {
        fclose(f);
        return -ENOMEM;
    }
    if (!(r->pcap = pcap_fopen_offline(f, err))) {
        /* Not a pcap file (or cut inside its header); the FILE is still
         * ours. */
        fclose(f);
        free(r);
        return -EINVAL;
    }
    dlt = pcap_datalink(r->pcap);
    if (ethernet ? dlt != DLT_EN10MB : !bare_linktype(dlt)) {
        six__replay_close(r);
        return -EMEDIUMTYPE;
    }
    if (filter) {
        struct bpf_program prog;
        int rc;
        if (pcap_compile(r->pcap, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
            six__replay_close(r);
            return -EINVAL;
        }
        rc = pcap_setfilter(r->pcap, &prog);
        pcap_freecode(&prog);
        if (rc < 0) {
            six__replay_close(r);
            return -EINVAL;
        }
    }
    *out = r;
    return 0;
}

int six__replay_next(struct six_replay *r, const uint8_t **data, uint32_t *len) {
    struct pcap_pkthdr *h;
    const u_char *bytes;
    int rc = pcap_next_ex(r->pcap, &h, &bytes);

    if (rc == PCAP_ERROR_BREAK)
        return 0;   /* the end of the file */
    if (rc != 1)
        return -EIO;
    /* A record cut by the capture's snapshot length is replayed as cut,
     * as a link that lost the frame's end would deliver it. */
    *data = bytes;
    *len = h->caplen;
    return 1;
}

void six__replay_close(struct six_replay *r) {
    if (!r)
        return;
    pcap_close(r->pcap);
    free(r);
}

/* pcap capture of an interface's frames through libpcap. Frames are bare
 * IPv6 packets (LINKTYPE_RAW, which Wireshark and tshark decode as IPv6)
 * or, on Ethernet interfaces, Ethernet frames (LINKTYPE_ETHERNET). */
#include <errno.h>
#include <pcap/pcap.h>
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

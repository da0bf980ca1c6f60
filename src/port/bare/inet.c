/* inet_ntop and inet_pton for IPv6 (RFC 4291 section 2.2 text forms;
 * output in RFC 5952's canonical form), for C libraries without them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The longest run (two or more) of zero groups: its start, or -1. */
static int zero_run(const uint16_t g[8], int *len) {
    int best = -1, best_len = 1;

    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j > i ? j : i + 1;
    }
    *len = best_len;
    return best;
}

const char *inet_ntop(int af, const void *src, char *dst, socklen_t size) {
    const uint8_t *b = src;
    uint16_t g[8];
    char buf[INET6_ADDRSTRLEN], *p = buf;
    int run, run_len;

    if (af != AF_INET6) {
        errno = EAFNOSUPPORT;
        return NULL;
    }
    for (int i = 0; i < 8; i++)
        g[i] = (uint16_t)(b[2 * i] << 8 | b[2 * i + 1]);
    run = zero_run(g, &run_len);
    for (int i = 0; i < 8; i++) {
        if (i == run) {
            *p++ = ':';
            if (i == 0)
                *p++ = ':';
            i += run_len - 1;
            continue;
        }
        p += sprintf(p, "%x%s", g[i], i < 7 ? ":" : "");
    }
    *p = '\0';
    if ((size_t)(p - buf) + 1 > size) {
        errno = ENOSPC;
        return NULL;
    }
    memcpy(dst, buf, (size_t)(p - buf) + 1);
    return dst;
}

static int hex(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* A dotted IPv4 address (four decimal bytes) into out[4]; 1 or 0. */
static int dotted_quad(const char *s, uint8_t out[4]) {
    for (int i = 0; i < 4; i++) {
        unsigned v = 0;
        int digits = 0;

        while (*s >= '0' && *s <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(*s++ - '0');
            digits++;
        }
        if (digits == 0 || digits > 3 || v > 255 || *s != (i < 3 ? '.' : '\0'))
            return 0;
        out[i] = (uint8_t)v;
        s += i < 3;
    }
    return 1;
}

/* Hex groups separated by colons, at most one "::", and an IPv4 address
 * in the last 32 bits (RFC 4291 2.2, form 3). */
int inet_pton(int af, const char *src, void *dst) {
    uint16_t head[8], tail[8];
    int nh = 0, nt = 0, gap = 0;
    const char *s = src;

    if (af != AF_INET6) {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (s[0] == ':' && s[1] == ':') {
        gap = 1;
        s += 2;
    }
    while (*s) {
        unsigned v = 0;
        int digits = 0;

        uint8_t quad[4];

        if (strchr(s, '.') && !strchr(s, ':')) {
            if (!dotted_quad(s, quad) || nh + nt > 6)
                return 0;
            uint16_t *g = gap ? tail : head;
            int *n = gap ? &nt : &nh;
            g[(*n)++] = (uint16_t)(quad[0] << 8 | quad[1]);
            g[(*n)++] = (uint16_t)(quad[2] << 8 | quad[3]);
            break;
        }
        while (digits < 5 && hex(*s) >= 0) {
            v = v << 4 | (unsigned)hex(*s++);
            digits++;
        }
        if (digits == 0 || digits > 4 || nh + nt >= 8)
            return 0;
        if (gap)
            tail[nt++] = (uint16_t)v;
        else
            head[nh++] = (uint16_t)v;
        if (*s == '\0')
            break;
        if (*s++ != ':')
            return 0;
        if (*s == ':') {
            if (gap)
                return 0;
            gap = 1;
            s++;
            if (*s == '\0')
                break;
        } else if (*s == '\0') {
            return 0;
        }
    }
    if (gap ? nh + nt > 7 : nh != 8)
        return 0;
    uint8_t *out = dst;
    memset(out, 0, 16);
    for (int i = 0; i < nh; i++) {
        out[2 * i] = (uint8_t)(head[i] >> 8);
        out[2 * i + 1] = (uint8_t)head[i];
    }
    for (int i = 0; i < nt; i++) {
        int k = 8 - nt + i;
        out[2 * k] = (uint8_t)(tail[i] >> 8);
        out[2 * k + 1] = (uint8_t)tail[i];
    }
    return 1;
}

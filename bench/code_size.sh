#!/bin/sh
# Code size of the library, stripped, beside lwIP's (issue 7, item 3).
#
#     bench/code_size.sh [BUILD_DIR]     (default build-release: make bench)
#
# text, data and bss are size(1)'s Berkeley totals; "file" is the stripped
# file's length. Debian ships lwIP only as a shared library, so the
# comparison that is like for like is .so against .so; and Debian's lwIP
# has everything its lwipopts.h turns on (IPv4, TCP, DHCP, DNS, sockets,
# netconn, ...), which sixstack does not have.
set -eu
dir=${1:-build-release}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# line WHAT FILE: one summary line for a stripped copy of FILE.
line() {
    cp "$2" "$tmp/f"
    # A Release .a holds LTO bytecode beside the machine code (fat
    # objects): only the machine code counts.
    strip --strip-unneeded -R '.gnu.lto_*' -R '.gnu.debuglto_*' "$tmp/f"
    size -t "$tmp/f" | tail -n 1 | {
        read -r text data bss _
        printf 'code %-32s text %7d  data %5d  bss %6d  file %7d B\n' \
            "$1" "$text" "$data" "$bss" "$(stat -c %s "$tmp/f")"
    }
}

echo "code size, stripped (strip --strip-unneeded); text, data, bss from size(1)"
line "sixstack libsixstack.a" "$dir/libsixstack.a"
line "sixstack libsixstack.so" "$(readlink -f "$dir/libsixstack.so")"

# Optional parts: nothing can be switched off yet. The packet capture
# (src/link/capture.c, the only user of libpcap) is the one candidate.
cap=$(size "$dir/libsixstack.a" | awk '$6 == "capture.c.o" { print $1 }')
all=$(size -t "$dir/libsixstack.a" | tail -n 1 | awk '{ print $1 }')
printf 'code %-32s none yet: no build option turns a part off; the capture\n' \
    "sixstack, optional parts off"
printf 'code %-32s (libpcap) is the one candidate: %s B of text; .a without it %s B\n' "" \
    "${cap:-?}" "$((all - ${cap:-0}))"

libdir=$(pkg-config --variable=libdir lwip 2>/dev/null || true)
if [ -n "$libdir" ] && [ -e "$libdir/liblwip.so" ]; then
    line "lwIP $(pkg-config --modversion lwip) liblwip.so (Debian)" \
        "$(readlink -f "$libdir/liblwip.so")"
else
    echo "code lwIP: skipped (liblwip-dev not installed)"
fi

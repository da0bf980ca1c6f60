#!/bin/sh
# Code size of the library, stripped, beside lwIP's.
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

# Optional parts off (SIX_PCAP, SIX_TAP: CMakeLists.txt), built beside
# DIR with its build type; without libpcap the stack needs only libc.
off=$dir/optional-off
type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$dir/CMakeCache.txt")
cmake -S "$(dirname "$0")/.." -B "$off" -DCMAKE_BUILD_TYPE="${type:-Release}" \
    -DSIX_PCAP=OFF -DSIX_TAP=OFF -DSIX_TESTS=OFF -DSIX_BENCH=OFF >/dev/null
cmake --build "$off" -j "$(nproc)" --target sixstack sixstack_shared >/dev/null
line "sixstack .a, PCAP TAP off" "$off/libsixstack.a"
line "sixstack .so, PCAP TAP off" "$(readlink -f "$off/libsixstack.so")"

libdir=$(pkg-config --variable=libdir lwip 2>/dev/null || true)
if [ -n "$libdir" ] && [ -e "$libdir/liblwip.so" ]; then
    line "lwIP $(pkg-config --modversion lwip) liblwip.so (Debian)" \
        "$(readlink -f "$libdir/liblwip.so")"
else
    echo "code lwIP: skipped (liblwip-dev not installed)"
fi

# The bare port for Cortex-M3 (mps2-an385), -Os, everything sixstack has
# (raw, UDP, ICMPv6, ND, MLD, SLAAC, fragmentation and reassembly; pcap and
# TAP, its only optional parts, cannot exist without an OS and are off),
# built the way the board demo's firmware is (tests/board/build.sh); and
# the firmware itself, linked into 128 KiB of flash and 32 KiB of RAM. The
# library's bss is its arena (SIX_BARE_ARENA_BYTES), all its memory.
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
    src=$(cd "$(dirname "$0")/.." && pwd)
    "$src/tests/board/build.sh" "$dir" "$src" firmware >/dev/null
    fw=$dir/board-fw
    arm-none-eabi-size -t "$fw/libsixstack.a" | tail -n 1 | {
        read -r text data bss _
        printf 'code %-32s text %7d  data %5d  bss %6d\n' "sixstack cortex-m3 -Os libsixstack.a" \
            "$text" "$data" "$bss"
    }
    arm-none-eabi-size "$fw/firmware/sixstack-board" | tail -n 1 | {
        read -r text data bss _
        stack=$(sed -n 's/.*__stack_size=\(0x[0-9a-f]*\).*/\1/p' "$src/firmware/CMakeLists.txt")
        printf 'code %-32s text %7d  data %5d  bss %6d  flash %6d  RAM %6d B (with a %d B stack)\n' \
            "board firmware (cortex-m3)" "$text" "$data" "$bss" "$((text + data))" \
            "$((data + bss + stack))" "$((stack))"
    }
else
    echo "code cortex-m3: skipped (gcc-arm-none-eabi not installed)"
fi

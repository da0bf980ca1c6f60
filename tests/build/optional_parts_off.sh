#!/usr/bin/env bash
# Builds the library with every optional part off (SIX_PCAP, SIX_TAP,
# SIX_IPSEC) in its own directory, checks it needs no libpcap, libcrypto or zlib
# symbol, and links and runs optional_off_check.c against it without
# -lpcap, -lcrypto or -lz.
#
#   optional_parts_off.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1/optional-off
src=$2

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSIX_PCAP=OFF -DSIX_TAP=OFF -DSIX_IPSEC=OFF \
  -DSIX_TESTS=OFF -DSIX_BENCH=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" --target sixstack >/dev/null
if nm -u "$build/libsixstack.a" | grep -q ' pcap_'; then
  echo "libsixstack.a built with SIX_PCAP=OFF still needs libpcap:" >&2
  nm -u "$build/libsixstack.a" | grep ' pcap_' >&2
  exit 1
fi
if nm -u "$build/libsixstack.a" | grep -q ' \(EVP_\|OSSL_\|CRYPTO_\|deflate\|inflate\)'; then
  echo "libsixstack.a built with SIX_IPSEC=OFF still needs libcrypto or zlib" >&2
  exit 1
fi
cc -std=c11 -Wall -Wextra -Werror -D_GNU_SOURCE -I "$src/include" \
  "$src/tests/build/optional_off_check.c" "$build/libsixstack.a" -lpthread \
  -o "$build/optional_off_check"
"$build/optional_off_check"

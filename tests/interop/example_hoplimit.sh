#!/usr/bin/env bash
# The page's EXAMPLES program, built unchanged against sixstack and against
# the kernel, prints the hop limit of a real received packet; both agree.
# Usage: example_hoplimit.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
out=$("$build/examples/example_ip6_hoplimit" 42) || { echo "sixstack run failed"; exit 1; }
echo "sixstack: $out"
[ "$out" = "hop limit: 42" ] || { echo "want 'hop limit: 42'"; exit 1; }
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP kernel half: raw sockets on the kernel need root"; exit 77
fi
if ! kout=$("$build/examples/example_ip6_hoplimit_kernel" 42 2>&1); then
  echo "SKIP kernel half: $kout (no IPv6 loopback here?)"; exit 77
fi
echo "kernel:   $kout"
[ "$kout" = "$out" ] || { echo "kernel and sixstack disagree"; exit 1; }

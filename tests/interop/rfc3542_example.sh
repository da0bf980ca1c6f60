#!/usr/bin/env bash
# An RFC 3542 program (pktinfo, hop limit and hop-by-hop options on
# receive; hop limit and a hop-by-hop header on send) prints the same on
# sixstack and on the kernel. Usage: rfc3542_example.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
if [ "$(id -u)" -ne 0 ]; then echo "SKIP: raw sockets need root (sixstack and kernel alike)"; exit 77; fi
six=$("$build/examples/example_rfc3542_headers" 7) || { echo "sixstack run failed"; exit 1; }
echo "$six"
printf '%s\n' "$six" | grep -qx "hop limit: 7" || { echo "no hop limit 7"; exit 1; }
printf '%s\n' "$six" | grep -q "hop-by-hop option 0x1e, 4 bytes: ca fe f0 0d" || { echo "no header"; exit 1; }
if ! kern=$("$build/examples/example_rfc3542_headers_kernel" 7 2>&1); then
  echo "SKIP kernel half: $kern"; exit 77
fi
[ "$six" = "$kern" ] || { echo "kernel says:"; echo "$kern"; exit 1; }
echo "kernel agrees"

#!/usr/bin/env bash
# Differential test of the IPPROTO_IPV6 options: examples/ip6opt_diff.c built
# against sixstack and against the kernel, run, and the outputs compared line
# by line. Lines whose key (the text before " -> ") is listed in
# ip6opt_diff.expected are intended differences and are left out; any other
# difference fails, and the diff is printed.
# Usage: ip6opt_diff.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
six="$build/examples/example_ip6opt_diff"
kern="$build/examples/example_ip6opt_diff_kernel"
expected="$src/tests/interop/ip6opt_diff.expected"
for f in "$six" "$kern" "$expected"; do
  [ -e "$f" ] || { echo "missing $f"; exit 1; }
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

if ! "$six" >"$tmp/six.out" 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the sixstack run failed without root (raw sockets):"
    tail -n 3 "$tmp/six.out"
    exit 77
  fi
  echo "sixstack run failed:"; cat "$tmp/six.out"; exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP kernel half: raw sockets on the kernel need root"; exit 77
fi
if ! "$kern" >"$tmp/kernel.out" 2>&1; then
  echo "SKIP kernel half (no IPv6 loopback here?):"; tail -n 3 "$tmp/kernel.out"; exit 77
fi

# The keys of the intended differences: each line's text before " #".
grep -v -e '^#' -e '^[[:space:]]*$' "$expected" | sed 's/[[:space:]]*#.*$//' >"$tmp/keys"

# Drops the lines whose key is listed.
strip() {
  awk -v keys="$tmp/keys" '
    BEGIN { while ((getline k < keys) > 0) skip[k] = 1 }
    { i = index($0, " -> "); key = i ? substr($0, 1, i - 1) : $0
      if (!(key in skip)) print }' "$1"
}
strip "$tmp/six.out" >"$tmp/six.cmp"
strip "$tmp/kernel.out" >"$tmp/kernel.cmp"

# Listed keys that no longer differ, or no longer exist, are stale: say so.
while IFS= read -r k; do
  s=$(awk -v k="$k" 'index($0, k " -> ") == 1' "$tmp/six.out")
  n=$(awk -v k="$k" 'index($0, k " -> ") == 1' "$tmp/kernel.out")
  if [ -z "$s$n" ]; then
    echo "note: expected key not in the output: $k"
  elif [ "$s" = "$n" ]; then
    echo "note: expected difference no longer differs: $k"
  fi
done <"$tmp/keys"

echo "$(wc -l <"$tmp/six.out") lines each side, $(wc -l <"$tmp/keys") intended differences left out"
if ! diff -u --label kernel --label sixstack "$tmp/kernel.cmp" "$tmp/six.cmp"; then
  echo "FAIL: sixstack and the kernel differ beyond ip6opt_diff.expected"
  exit 1
fi
echo "OK: no unintended differences"

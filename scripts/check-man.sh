#!/usr/bin/env bash
# Every man page under docs/man renders with groff without a warning.
set -u
dir=${1:-$(dirname "$0")/../docs/man}
command -v groff >/dev/null || { echo "SKIP: no groff"; exit 77; }
bad=0
for page in "$dir"/*.[0-9]; do
  [ -e "$page" ] || continue
  out=$(groff -mdoc -Tutf8 -ww -z "$page" 2>&1)
  if [ -n "$out" ]; then echo "$page:"; echo "$out"; bad=1; else echo "ok $page"; fi
done
exit $bad

#!/bin/bash
# Runs every benchmark of a release build, each pinned to one core (the
# benchmarks take medians of several runs themselves), then ends with a
# summary: every figure that has a target, the memory figures and the code
# sizes (bench/code_size.sh). Figures never fail the run; a benchmark that
# crashes or cannot run does.
#
#     bench/run.sh [BUILD_DIR]     (default build-release)
set -uo pipefail
dir=${1:-build-release}
out=$dir/bench-out
here=$(dirname "$0")
mkdir -p "$out"
rm -f "$out"/*.txt

status=0
for b in "$dir"/bench/*_bench; do
    name=$(basename "$b")
    echo "== $name"
    taskset -c 0 "$b" | tee "$out/$name.txt" || { echo "$name failed"; status=1; }
done
"$here/code_size.sh" "$dir" >"$out/code_size.txt" || status=1   # printed in the summary

echo
echo "== summary: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')," \
    "load $(cut -d' ' -f1-3 /proc/loadavg); targets reported, not enforced"
grep -h '^target ' "$out"/*.txt
grep -h '^memory ' "$out"/*.txt | grep -v '^memory:'
grep -h '^code ' "$out"/*.txt
exit $status

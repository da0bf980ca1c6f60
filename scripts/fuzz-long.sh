#!/usr/bin/env bash
# Long libFuzzer runs that add up to the totals in README.md ("Fuzzing").
# Runs one harness for a while under nice -n 19, with the flags make fuzz
# uses, on a corpus kept from run to run (DIR/corpus/HARNESS, started from
# fuzz/corpus/HARNESS), and appends a line to DIR/runs.tsv: harness, start
# (UTC), seconds, executions, commit, comparison tracing, flags, findings.
#
#   scripts/fuzz-long.sh build-dir harness seconds [dir]   (dir: fuzz-long)
#   scripts/fuzz-long.sh --sum [dir]      executions per harness in runs.tsv
#
# The build dir is configured and built first (SIX_FUZZ_TRACE_CMP=OFF in
# the environment for a build without comparison tracing: give it its own
# build dir). A finding is left as DIR/findings/HARNESS-crash-* (or leak-,
# timeout-, oom-); reproduce it with build-dir/fuzz/HARNESS that-file.
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --sum ]; then
  awk -F'\t' 'NR > 1 { n[$1] += $4; s[$1] += $3; f[$1] += $8 }
    END { for (h in n) printf "%-18s %14d executions in %8d s, %d findings\n", h, n[h], s[h], f[h] }' \
    "${2:-fuzz-long}/runs.tsv" | sort
  exit 0
fi
if [ $# -lt 3 ]; then
  sed -n '2,16p' "$0" >&2
  exit 2
fi
build=$1 harness=$2 secs=$3 dir=${4:-fuzz-long}

# One build at a time in a build dir: runs started together share it.
mkdir -p "$build"
flock "$build/.fuzz-long.lock" "$src/scripts/fuzz-smoke.sh" --build-only "$build"
mkdir -p "$dir/corpus/$harness" "$dir/findings" "$dir/logs"
if [ -z "$(ls -A "$dir/corpus/$harness")" ]; then
  cp "$src/fuzz/corpus/$harness/"* "$dir/corpus/$harness/"
fi
[ -f "$dir/runs.tsv" ] ||
  printf 'harness\tstart\tseconds\texecutions\tcommit\ttrace_cmp\tflags\tfindings\n' > "$dir/runs.tsv"
commit=$(git -C "$src" rev-parse --short HEAD)
git -C "$src" diff --quiet HEAD -- src include fuzz || commit=$commit+changes
trace=$(sed -n 's/^SIX_FUZZ_TRACE_CMP:BOOL=//p' "$build/CMakeCache.txt")
flags=$("$src/scripts/fuzz-smoke.sh" --flags "$harness")
start=$(date -u +%FT%TZ)
# The process id keeps apart the logs of runs started in the same second
# (one per core, say), which would otherwise write over each other.
log=$dir/logs/$harness-$(date -u +%Y%m%dT%H%M%S)-$$.log
t0=$(date +%s)
rc=0
# shellcheck disable=SC2086
nice -n 19 "$build/fuzz/$harness" $flags -max_total_time="$secs" -print_final_stats=1 \
  -artifact_prefix="$dir/findings/$harness-" "$dir/corpus/$harness" > "$log" 2>&1 || rc=$?
t1=$(date +%s)
n=$(awk '/^stat::number_of_executed_units/ {print $2}' "$log")
# Stopped by a signal before its final statistics: its last status line.
[ -n "$n" ] || n=$(sed -n 's/^#\([0-9][0-9]*\).*/\1/p' "$log" | tail -n 1)
findings=$([ "$rc" -eq 0 ] && echo 0 || echo 1)
printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$harness" "$start" "$((t1 - t0))" "${n:-0}" \
  "$commit" "${trace:-ON}" "${flags:--}" "$findings" >> "$dir/runs.tsv"
echo "fuzz-long: $harness: ${n:-0} executions in $((t1 - t0)) s (log $log)"
[ "$rc" -eq 0 ] || { echo "fuzz-long: $harness stopped with status $rc: see $log" >&2; exit 1; }

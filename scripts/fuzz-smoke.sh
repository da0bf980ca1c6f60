#!/usr/bin/env bash
# Builds the libFuzzer harnesses in a build directory and runs each for a
# few seconds on a copy of its seed corpus (the repository stays clean).
# Prints the executions each harness reached (libFuzzer's final stats).
# Exits non-zero when a harness crashes, leaks or fails to build.
#
#   scripts/fuzz-smoke.sh [build-dir] [seconds]     (defaults: build-fuzz, 10)
#   scripts/fuzz-smoke.sh --build-only [build-dir]  configure and build, run nothing
#   scripts/fuzz-smoke.sh --flags harness           the libFuzzer flags it runs with
#
# A crash leaves its input as <build-dir>/fuzz-artifacts/<harness>/crash-*;
# reproduce with <build-dir>/fuzz/<harness> <that file>.
# SIX_FUZZ_TRACE_CMP=OFF builds the library without libFuzzer's comparison
# tracing (fuzz/CMakeLists.txt says when that pays); use its own build-dir
# (unset, a build dir keeps what it was configured with; new ones are ON).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
mode=run
case ${1:-} in
  --build-only) mode=build; shift ;;
  --flags) mode=flags; shift ;;
esac
build=${1:-build-fuzz}
secs=${2:-10}
# libFuzzer options of one harness (also for long runs).
harness_flags() {
  case $1 in
    frag_fuzz) echo -max_len=384 ;;   # it reads 64 records of 6 bytes
    ether_input_fuzz) echo -max_len=2048 ;;  # a full-size frame and another
    nd_fuzz) echo -max_len=1024 ;;    # five or more messages; its tables hold two
  esac
}
if [ "$mode" = flags ]; then
  harness_flags "$1"
  exit 0
fi
harnesses=(ip6_input_fuzz ether_input_fuzz wire_fuzz sockopt_fuzz optroutines_fuzz mld_fuzz frag_fuzz nd_fuzz tcp_input_fuzz ipsec_fuzz)

if ! command -v clang >/dev/null; then
  echo "fuzz-smoke: clang not found (libFuzzer needs it)" >&2
  exit 2
fi
CC=clang cmake -S "$src" -B "$build" -DSIX_FUZZ=ON -DSIX_TESTS=OFF -DSIX_BENCH=OFF \
  ${SIX_FUZZ_TRACE_CMP:+-DSIX_FUZZ_TRACE_CMP="$SIX_FUZZ_TRACE_CMP"} \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${harnesses[@]}" >/dev/null
[ "$mode" = build ] && exit 0

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
counts=
for h in "${harnesses[@]}"; do
  corpus=$work/$h
  artifacts=$build/fuzz-artifacts/$h
  mkdir -p "$corpus" "$artifacts"
  cp "$src/fuzz/corpus/$h/"* "$corpus/"
  echo "fuzz-smoke: $h for ${secs}s"
  # shellcheck disable=SC2046
  if ! "$build/fuzz/$h" $(harness_flags "$h") -max_total_time="$secs" -print_final_stats=1 \
       -artifact_prefix="$artifacts/" "$corpus" >"$work/$h.log" 2>&1; then
    echo "fuzz-smoke: $h FAILED; last lines of its log:" >&2
    tail -n 40 "$work/$h.log" >&2
    status=1
  else
    n=$(awk '/^stat::number_of_executed_units/ {print $2}' "$work/$h.log")
    rate=$(awk '/^stat::average_exec_per_sec/ {print $2}' "$work/$h.log")
    echo "fuzz-smoke: $h: ${n:-?} executions in ${secs}s"
    counts="$counts$(printf '%-18s %12s %10s' "$h" "${n:-?}" "${rate:-?}")"$'\n'
  fi
done
# The executions per harness, for the totals in README.md ("Fuzzing").
echo "fuzz-smoke: executions per harness (${secs}s each) and executions a second:"
printf '%s' "$counts"
exit $status

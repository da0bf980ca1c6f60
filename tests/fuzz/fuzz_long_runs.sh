#!/usr/bin/env bash
# The accounting behind README's fuzzing totals: two `scripts/fuzz-long.sh`
# runs of one harness started together (one per core) each get their own
# log and their own row in runs.tsv, each row counts what its log's final
# statistics say, and --sum adds the rows up.
#
#   fuzz_long_runs.sh FUZZ_BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail() { echo "fuzz_long_runs: $*" >&2; exit 1; }

# Runs started in the same second: a `date` that gives every run the same
# time stamp for its log's name (and the real time otherwise).
mkdir "$dir/bin"
real_date=$(command -v date)
printf '#!/bin/sh\ncase "$*" in *%%Y%%m%%dT%%H%%M%%S*) echo 20261205T000000 ;; *) exec %s "$@" ;; esac\n' \
  "$real_date" > "$dir/bin/date"
chmod +x "$dir/bin/date"
export PATH="$dir/bin:$PATH"

h=optroutines_fuzz
"$src/scripts/fuzz-long.sh" "$build" "$h" 2 "$dir" > "$dir/a.out" &
a=$!
"$src/scripts/fuzz-long.sh" "$build" "$h" 2 "$dir" > "$dir/b.out" &
b=$!
wait "$a" || fail "first run failed: $(cat "$dir/a.out")"
wait "$b" || fail "second run failed: $(cat "$dir/b.out")"

[ "$(find "$dir/corpus/$h" -type f | wc -l)" -ge "$(find "$src/fuzz/corpus/$h" -type f | wc -l)" ] ||
  fail "the long-run corpus did not start from the seeds"
logs=("$dir"/logs/*)
[ "${#logs[@]}" -eq 2 ] || fail "expected 2 logs, found ${#logs[@]}: ${logs[*]}"
[ "$(wc -l < "$dir/runs.tsv")" -eq 3 ] || fail "expected a header and 2 rows: $(cat "$dir/runs.tsv")"

# Each row's executions is one log's final count, and both logs are counted.
from_logs=$(awk '/^stat::number_of_executed_units/ {print $2}' "${logs[@]}" | sort -n | tr '\n' ' ')
from_rows=$(awk -F'\t' 'NR > 1 {print $4}' "$dir/runs.tsv" | sort -n | tr '\n' ' ')
[ "$from_logs" = "$from_rows" ] || fail "rows count '$from_rows', logs say '$from_logs'"
awk -F'\t' -v h="$h" 'NR > 1 && ($1 != h || $4 <= 0 || $8 != 0) {exit 1}' "$dir/runs.tsv" ||
  fail "a row without executions or with a finding: $(cat "$dir/runs.tsv")"

total=$(awk -F'\t' 'NR > 1 {n += $4} END {print n}' "$dir/runs.tsv")
"$src/scripts/fuzz-long.sh" --sum "$dir" | grep -q "^$h  *$total executions" ||
  fail "--sum does not print $total: $("$src/scripts/fuzz-long.sh" --sum "$dir")"
echo "fuzz_long_runs: 2 runs, 2 logs, $total executions counted"

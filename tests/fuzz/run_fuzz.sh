#!/usr/bin/env bash
# Fuzzes every target of tests/fuzz for a bounded time, starting from its
# committed corpus, and fails if any target finds a crash, a hang (an
# input running longer than 10 s) or memory growth past 2 GiB.
#   tests/fuzz/run_fuzz.sh <build dir> [seconds per target, default 10] [jobs, default 2]
# Targets run `jobs` at a time. What the fuzzer finds new goes to a scratch
# directory of the build (never into the committed corpus); a failing
# input is kept there too, and printed with how to reproduce it. Once
# fixed, it is committed as tests/fuzz/corpus/<target>/crash-<hash>, so the
# corpus replay keeps it from coming back.
set -euo pipefail

build=$(cd "$1" && pwd)
seconds=${2:-10}
jobs=${3:-2}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
targets=(args launch bootstrap conn shared queue pool_wire)
scratch=$build/tests/fuzz/runs
rm -rf "$scratch"

fuzz_one() {
  local target=$1
  local dir=$scratch/$target
  mkdir -p "$dir/new" "$dir/found"
  # -timeout: one input running this long is a hang. -rss_limit_mb also
  # bounds any single allocation (-malloc_limit_mb defaults to it).
  "$build/tests/fuzz/fuzz-${target//_/-}" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$dir/found/" \
    "$dir/new" "$here/corpus/$target" >"$dir/log" 2>&1 && echo 0 >"$dir/status" \
    || echo $? >"$dir/status"
}

# The figure libFuzzer's final statistics give for `name` in `log`.
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }

echo "fuzzing ${#targets[@]} targets for ${seconds} s each, ${jobs} at a time (logs: $scratch)"
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

failed=()
printf '%-10s %10s %9s %6s %8s  %s\n' target runs exec/s new rss_mb result
for target in "${targets[@]}"; do
  result=ok
  [ "$(cat "$scratch/$target/status")" = 0 ] || result=FAILED
  log=$scratch/$target/log
  printf '%-10s %10s %9s %6s %8s  %s\n' "$target" "$(stat "$log" number_of_executed_units)" \
    "$(stat "$log" average_exec_per_sec)" "$(stat "$log" new_units_added)" \
    "$(stat "$log" peak_rss_mb)" "$result"
  [ "$result" = ok ] || failed+=("$target")
done

for target in "${failed[@]}"; do
  echo
  echo "==> fuzz-${target//_/-} failed; the end of its log ($scratch/$target/log):"
  tail -n 40 "$scratch/$target/log"
  for input in "$scratch/$target/found"/*; do
    [ -e "$input" ] || continue
    echo "input: $input"
    echo "reproduce: $build/tests/fuzz/fuzz-${target//_/-} $input"
  done
done
[ ${#failed[@]} -eq 0 ]

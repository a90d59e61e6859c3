#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (address and undefined sanitizers, in a
# build tree of their own) and runs each for a bounded time on its seed corpus.
#
#   ./scripts/fuzz.sh                      # every target, FUZZ_SECONDS each
#   ./scripts/fuzz.sh config import        # some targets
#   FUZZ_SECONDS=600 ./scripts/fuzz.sh tiktok_response
#
# Environment (defaults in brackets):
#   FUZZ_BUILD_DIR [build-fuzz]   relative to the repository
#   FUZZ_SECONDS [60]             run time of each target (-max_total_time)
#   FUZZ_CC [clang], FUZZ_CXX [clang++]
#   JOBS [nproc]                  build parallelism
#   FUZZ_JOBS [nproc]             targets fuzzed at the same time (each uses one core)
#
# Each run starts from tests/fuzz/corpus/<target>/ and FUZZ_BUILD_DIR/fuzz-runs/<target>/corpus/,
# where new interesting inputs are kept between runs. A crash, a sanitizer report, a leak, a
# timeout or a broken invariant fails the run; the input is saved as
# FUZZ_BUILD_DIR/fuzz-runs/<target>/crash-* (reproduce: fuzz_<target> FILE). Exits non-zero if
# any target failed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${FUZZ_BUILD_DIR:-build-fuzz}"
case "$build_dir" in /*) ;; *) build_dir="$repo/$build_dir" ;; esac
seconds="${FUZZ_SECONDS:-60}"
jobs="${JOBS:-$(nproc)}"
fuzz_jobs="${FUZZ_JOBS:-$(nproc)}"
all_targets=(tiktok_response config import)
targets=("$@")
[ "${#targets[@]}" -gt 0 ] || targets=("${all_targets[@]}")
for target in "${targets[@]}"; do
  if [ ! -d "$repo/tests/fuzz/corpus/$target" ]; then
    echo "unknown fuzz target $target; known: ${all_targets[*]}" >&2
    exit 2
  fi
done

start=$SECONDS
echo "==> fuzz: configuring and building $build_dir (${FUZZ_CXX:-clang++})"
CC="${FUZZ_CC:-clang}" CXX="${FUZZ_CXX:-clang++}" cmake -S "$repo" -B "$build_dir" -G Ninja \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
  -DHASHTAG_EXPORTER_BUILD_TESTS=OFF -DHASHTAG_EXPORTER_FUZZ=ON >/dev/null
cmake --build "$build_dir" --parallel "$jobs" --target "${targets[@]/#/fuzz_}"
echo "==> fuzz: built in $((SECONDS - start))s"

# Sanitizer reports end the run with a symbolised stack; a leak fails it too.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# fuzz_one TARGET: one bounded run, its output in fuzz-runs/TARGET/fuzz.log, its exit status in
# fuzz-runs/TARGET/status.
fuzz_one() {
  local work="$build_dir/fuzz-runs/$1" status=0
  mkdir -p "$work/corpus" "$work/tmp"
  # The targets write each input to a file under TMPDIR (the loaders under test read paths).
  TMPDIR="$work/tmp" "$build_dir/tests/fuzz/fuzz_$1" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -print_funcs=0 \
    -artifact_prefix="$work/" "$work/corpus" "$repo/tests/fuzz/corpus/$1" \
    >"$work/fuzz.log" 2>&1 || status=$?
  rm -rf "$work/tmp"
  echo "$status" >"$work/status"
}

# Each target is single-threaded: up to FUZZ_JOBS of them run at once, each on a core of its own.
running=0
for target in "${targets[@]}"; do
  if [ "$running" -ge "$fuzz_jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
  echo "==> fuzz: $target for ${seconds}s (log: $build_dir/fuzz-runs/$target/fuzz.log)"
  rm -f "$build_dir/fuzz-runs/$target/status"
  fuzz_one "$target" &
  running=$((running + 1))
done
wait

summary=()
failed=0
for target in "${targets[@]}"; do
  work="$build_dir/fuzz-runs/$target"
  log="$work/fuzz.log"
  status="$(cat "$work/status" 2>/dev/null || echo "?")"
  execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)"
  coverage="$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)"
  corpus_size="$(find "$work/corpus" -type f | wc -l)"
  if [ "$status" = "0" ]; then
    result="ok"
  else
    result="FAILED (exit $status)"
    failed=1
    # The report: the sanitizer's or libFuzzer's, with the stack and the saved input.
    echo "==> fuzz: $target failed; from $log:"
    grep -E -A60 '^(==[0-9]+==ERROR|.*runtime error:|fuzz invariant broken|==[0-9]+== ERROR: libFuzzer)' \
      "$log" | head -n 120 || tail -n 60 "$log"
    grep -E '^(artifact_prefix|Test unit written to)' "$log" || true
  fi
  summary+=("$(printf '%-16s %-16s %10s execs %8s exec/s  cov %-5s corpus %s' "$target" "$result" \
    "${execs:-?}" "${rate:-?}" "${coverage:-?}" "$corpus_size")")
done

echo "==> fuzz summary (${seconds}s per target, $((SECONDS - start))s in all)"
printf '    %s\n' "${summary[@]}"
exit "$failed"

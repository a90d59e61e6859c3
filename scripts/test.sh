#!/usr/bin/env bash
# The README's second command: installs what the tests need (Debian 12 packages and the tests'
# Node.js packages, if missing), builds if needed (with the tests and benchmarks) and runs every
# test (ctest, in parallel). Arguments other than --all go to ctest.
#
# In CI (the CI variable set, as CI services do) or with --all, it then also runs, each in a build
# tree of its own:
#   - scripts/sanitizers.sh: the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#     (build-asan), the threaded tests under ThreadSanitizer (build-tsan);
#   - scripts/fuzz.sh: every libFuzzer target for FUZZ_SECONDS (30 here, which keeps CI on two
#     cores well under 30 minutes; fuzz.sh alone defaults to 60) each (build-fuzz);
# and prints a summary with the time of each step. Every step runs even when an earlier one
# failed; the exit status is non-zero if any failed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build}"
build_type="${BUILD_TYPE:-Release}"
# shellcheck source=scripts/packages.sh
source "$repo/scripts/packages.sh"

install_missing "${build_packages[@]}" "${test_packages[@]}"
# Node.js packages of the tests (Grafana dashboard schema validation, Kubernetes manifest
# models), exact versions in tests/package-lock.json. Debian 12's nodejs (18) is enough; an npm
# already on the PATH (a newer Node.js) is used as it is.
command -v npm >/dev/null || install_missing nodejs npm
if [ ! -d "$repo/tests/node_modules" ] ||
  [ "$repo/tests/package-lock.json" -nt "$repo/tests/node_modules" ]; then
  echo "==> installing the tests' Node.js packages into tests/node_modules"
  npm ci --prefix "$repo/tests" --no-audit --no-fund
fi
echo "==> configuring ($build_type, with tests and benchmarks) in $build_dir"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
  -DHASHTAG_EXPORTER_BUILD_TESTS=ON -DHASHTAG_EXPORTER_BUILD_BENCHMARKS=ON >/dev/null
echo "==> building in $build_dir"
cmake --build "$build_dir" --parallel "$(nproc)"

all=0
case "${CI:-}" in "" | 0 | false | no) ;; *) all=1 ;; esac
ctest_args=()
for arg in "$@"; do
  if [ "$arg" = "--all" ]; then all=1; else ctest_args+=("$arg"); fi
done

summary=()
failed=0
# step NAME COMMAND...: runs a step, records its result and time.
step() {
  local name="$1" start=$SECONDS status=0
  shift
  echo "==> $name"
  "$@" || status=$?
  local result="ok"
  if [ "$status" -ne 0 ]; then
    result="FAILED (exit $status)"
    failed=1
  fi
  summary+=("$(printf '%-34s %-16s %5ss' "$name" "$result" "$((SECONDS - start))")")
}

step "tests (release build)" \
  ctest --test-dir "$build_dir" --output-on-failure --timeout 600 --parallel "$(nproc)" \
  ${ctest_args[@]+"${ctest_args[@]}"}

if [ "$all" -eq 0 ]; then
  exit "$failed"
fi

step "asan+ubsan: build, whole suite" "$repo/scripts/sanitizers.sh" asan
step "tsan: build, threaded tests" "$repo/scripts/sanitizers.sh" tsan
export FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
step "fuzz: build, ${FUZZ_SECONDS}s per target" "$repo/scripts/fuzz.sh"

echo "==> summary"
printf '    %s\n' "${summary[@]}"
echo "    total ${SECONDS}s"
exit "$failed"

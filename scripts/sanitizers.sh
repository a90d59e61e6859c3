#!/usr/bin/env bash
# Builds the project with sanitizers, each in a build tree of its own, and runs tests there:
#   asan  AddressSanitizer + LeakSanitizer + UndefinedBehaviorSanitizer: the whole ctest suite
#   tsan  ThreadSanitizer: the scheduler, store, collector, HTTP client and server tests
#
#   ./scripts/sanitizers.sh            # both
#   ./scripts/sanitizers.sh asan       # or only one
#
# Environment (defaults in brackets):
#   ASAN_BUILD_DIR [build-asan], TSAN_BUILD_DIR [build-tsan]   relative to the repository
#   SANITIZER_CC [gcc], SANITIZER_CXX [g++]                    the compilers of both trees
#   TSAN_TESTS  ctest -R regex of the tests run under ThreadSanitizer
#   ASAN_EXCLUDE  ctest -E regex of tests left out under ASan [the deploy, grafana and sdk
#                 checks]
#   JOBS [nproc]                                               build and ctest parallelism
# Exits non-zero when a build fails or a test fails (a sanitizer report fails its test).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
absolute() { case "$1" in /*) echo "$1" ;; *) echo "$repo/$1" ;; esac; }
asan_dir="$(absolute "${ASAN_BUILD_DIR:-build-asan}")"
tsan_dir="$(absolute "${TSAN_BUILD_DIR:-build-tsan}")"
cc="${SANITIZER_CC:-gcc}"
cxx="${SANITIZER_CXX:-g++}"
jobs="${JOBS:-$(nproc)}"
# Test names are GoogleTest's Suite.Test: threads run in the scheduler and the service (SchedulerTest, CollectionServiceTest, Collector),
# the history store (StoreTest), the HTTP client used by plugins (HttpClientTest,
# TiktokPluginTest) and the web server with its exposition (WebServer*, ExpositionTest).
# Left out under ASan: checks of assets and builds rather than of this code at run time
# (deployment files, dashboards, packaging, the out-of-tree SDK build), which the release run
# covers; one of them (deploy.container.image) builds the whole container image, once is enough.
asan_exclude="${ASAN_EXCLUDE-^(deploy|grafana|sdk)\.}"
tsan_tests="${TSAN_TESTS:-^(SchedulerTest|AdaptiveSchedulerTest|SourceAgainstTheApi|CollectionServiceTest|CollectorTest|StoreTest|HttpClientTest|TiktokPluginTest|WebServerTest|WebServerStartTest|WebServerBoundsTest|ExpositionTest)\.}"

# Symbolised stacks; a leak, a memory error or undefined behaviour fails the process.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:check_initialization_order=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
# Races inside system libraries that this project cannot fix, each with its reason:
#  - civetweb 1.15 (Debian) formats the Date header with gmtime(), whose static buffer its worker
#    threads share (it only uses gmtime_r when built with REENTRANT_TIME). This project's code
#    never calls gmtime().
tsan_suppressions="$tsan_dir/tsan.supp"
export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1:suppressions=$tsan_suppressions}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-print_suppressions=0}"

# configure DIR SANITIZERS: a Debug tree (-O0 -g: exact stacks, and it compiles in half the time
# of -O1, which matters more here than the speed of the tests) with every target of the project
# instrumented (cmake/Sanitizers.cmake). No benchmarks: their figures mean nothing instrumented.
configure() {
  CC="$cc" CXX="$cxx" cmake -S "$repo" -B "$1" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG=-g -DCMAKE_CXX_FLAGS_DEBUG=-g -DHASHTAG_EXPORTER_BUILD_BENCHMARKS=OFF \
    -DHASHTAG_EXPORTER_SANITIZERS="$2" >/dev/null
}

elapsed() { echo "$((SECONDS - $1))s"; }

run_asan() {
  local start=$SECONDS
  echo "==> asan+ubsan: configuring and building $asan_dir ($cxx)"
  configure "$asan_dir" "address;undefined"
  cmake --build "$asan_dir" --parallel "$jobs"
  echo "==> asan+ubsan: built in $(elapsed "$start"); running the whole test suite"
  local tests_start=$SECONDS
  ctest --test-dir "$asan_dir" --output-on-failure --timeout 900 --parallel "$jobs" \
    ${asan_exclude:+-E "$asan_exclude"}
  echo "==> asan+ubsan: tests passed in $(elapsed "$tests_start") (total $(elapsed "$start"))"
}

run_tsan() {
  local start=$SECONDS
  echo "==> tsan: configuring and building $tsan_dir ($cxx)"
  configure "$tsan_dir" "thread"
  printf '%s\n' "race:gmtime" >"$tsan_suppressions"
  # Only what the chosen tests need: the core and exporter test binaries (which depend on the
  # exporter binary and the plugins).
  cmake --build "$tsan_dir" --parallel "$jobs" --target core_tests exporters_tests plugins_tests
  echo "==> tsan: built in $(elapsed "$start"); running tests matching $tsan_tests"
  local tests_start=$SECONDS
  ctest --test-dir "$tsan_dir" --output-on-failure --timeout 900 --parallel "$jobs" \
    --no-tests=error -R "$tsan_tests"
  echo "==> tsan: tests passed in $(elapsed "$tests_start") (total $(elapsed "$start"))"
}

which=("$@")
[ "${#which[@]}" -gt 0 ] || which=(asan tsan)
for name in "${which[@]}"; do
  case "$name" in
    asan) run_asan ;;
    tsan) run_tsan ;;
    *) echo "usage: $0 [asan] [tsan]" >&2; exit 2 ;;
  esac
done

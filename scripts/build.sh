#!/usr/bin/env bash
# Installs what building and running hashtag_exporter need on Debian 12 (bookworm) and builds it.
#   ./scripts/build.sh            # as root, or as a user who may sudo
# BUILD_DIR (default: build) and BUILD_TYPE (default: Release) may be set in the environment. A
# new build folder is configured without the tests and benchmarks (scripts/test.sh adds them);
# an existing one is built as it is configured, so a second run only builds what changed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build}"
build_type="${BUILD_TYPE:-Release}"
# shellcheck source=scripts/packages.sh
source "$repo/scripts/packages.sh"

install_missing "${build_packages[@]}"

if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  echo "==> configuring ($build_type) in $build_dir"
  cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" \
    -DHASHTAG_EXPORTER_BUILD_TESTS=OFF -DHASHTAG_EXPORTER_BUILD_BENCHMARKS=OFF
fi
echo "==> building in $build_dir"
cmake --build "$build_dir" --parallel "$(nproc)"

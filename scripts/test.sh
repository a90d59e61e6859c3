#!/usr/bin/env bash
# Runs every test of the build made by scripts/setup.sh.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build}"
ctest --test-dir "$build_dir" --output-on-failure --timeout 600 --parallel "$(nproc)" "$@"

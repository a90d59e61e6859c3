#!/usr/bin/env bash
# Installs everything hashtag_exporter needs on Debian 12 (bookworm) and builds it in Release.
#   ./scripts/setup.sh            # as root, or as a user who may sudo
# BUILD_DIR (default: build) and BUILD_TYPE (default: Release) may be set in the environment.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build}"
build_type="${BUILD_TYPE:-Release}"

packages=(
  # build
  build-essential cmake ninja-build git pkg-config
  # libraries
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev nlohmann-json3-dev libsqlite3-dev
  libboost-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev zlib1g-dev libssl-dev
  # tests: GoogleTest, the fake API (python3), a real Prometheus and Alertmanager, sqlite3
  libgtest-dev libgmock-dev libbenchmark-dev python3 prometheus prometheus-alertmanager sqlite3
  curl
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing ${missing[*]}"
  as_root apt-get update -qq
  # The prometheus and alertmanager packages start services; tests start their own on loopback.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi
for service in prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    as_root systemctl disable --now "$service" >/dev/null 2>&1 || true
  fi
done

echo "==> configuring ($build_type) in $build_dir"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
echo "==> building"
cmake --build "$build_dir" --parallel "$(nproc)"
echo "==> done: $build_dir/hashtag_exporter --config.file=examples/demo.yml"

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
  libcrypt-dev libicu-dev
  # tests: GoogleTest, the fake API (python3), a real Prometheus and Alertmanager, sqlite3
  libgtest-dev libgmock-dev libbenchmark-dev python3 prometheus prometheus-alertmanager sqlite3
  curl
  # TLS and load tests: certificates made with the openssl tool, wrk against /metrics
  openssl wrk
  # sanitizer builds (g++: scripts/sanitizers.sh) and libFuzzer targets (clang: scripts/fuzz.sh)
  libasan8 libubsan1 libtsan2 clang libclang-rt-14-dev
  # deployment tests: PyYAML to read rendered manifests, dpkg-shlibdeps (cpack -G DEB),
  # systemd-analyze, shellcheck for the maintainer scripts. kubectl is not listed: Debian 12's
  # kubernetes-client is kubectl 1.20, whose kustomize (v2.0.3) cannot render the overlays, and it
  # would clash with the kubectl package these machines already have.
  python3-yaml dpkg-dev systemd shellcheck
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
  # The prometheus and alertmanager packages may start their own services: they are left alone
  # (this script never stops or reconfigures a service), and the tests start their own servers
  # on free loopback ports.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
fi

# Node.js packages of the tests (Grafana dashboard schema validation, Kubernetes manifest
# models), exact versions in tests/package-lock.json. Debian 12's nodejs (18) is enough; an npm
# already on the PATH (a newer Node.js) is used as it is.
if ! command -v npm >/dev/null; then
  echo "==> installing nodejs npm"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    nodejs npm
fi
echo "==> installing the tests' Node.js packages into tests/node_modules"
npm ci --prefix "$repo/tests" --no-audit --no-fund

echo "==> configuring ($build_type) in $build_dir"
cmake -S "$repo" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type"
echo "==> building"
cmake --build "$build_dir" --parallel "$(nproc)"
echo "==> done: $build_dir/hashtag_exporter --config.file=examples/demo.yml"

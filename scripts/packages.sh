# shellcheck shell=bash disable=SC2034  # the lists are used by the scripts that source this file
# Debian 12 (bookworm) packages of hashtag_exporter, and how they are installed. Sourced by
# scripts/build.sh (what building and running need) and scripts/test.sh (what the tests need on
# top). Installing never stops, restarts or reconfigures a service of the host.

# Building and running the exporter.
build_packages=(
  build-essential cmake ninja-build git pkg-config
  prometheus-cpp-dev libcivetweb-dev libcurl4-openssl-dev nlohmann-json3-dev libsqlite3-dev
  libboost-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev zlib1g-dev libssl-dev
  libcrypt-dev libicu-dev
)

# The tests, on top of build_packages.
test_packages=(
  # GoogleTest, Google Benchmark, the fake API (python3), a real Prometheus and Alertmanager
  # (started by the tests on free loopback ports; the packages' own services are left alone),
  # sqlite3 and curl for the end-to-end tests
  libgtest-dev libgmock-dev libbenchmark-dev python3 prometheus prometheus-alertmanager sqlite3
  curl
  # TLS and load tests: certificates made with the openssl tool, wrk against /metrics
  openssl wrk
  # sanitizer builds (g++: scripts/sanitizers.sh) and libFuzzer targets (clang: scripts/fuzz.sh)
  libasan8 libubsan1 libtsan2 clang libclang-rt-14-dev
  # the formatting check of every C and C++ file (tests/scripts/clang_format_test.sh)
  clang-format
  # deployment tests: PyYAML to read rendered manifests, dpkg-shlibdeps (cpack -G DEB),
  # systemd-analyze, shellcheck and lintian for the package. kubectl is not listed: Debian 12's
  # kubernetes-client is kubectl 1.20, whose kustomize (v2.0.3) cannot render the overlays, and it
  # would clash with the kubectl package these machines already have.
  python3-yaml dpkg-dev systemd shellcheck lintian
  # the monitoring mixin (deploy/mixin): rules and dashboards are generated with jsonnet, and
  # deploy.mixin.drift regenerates them
  jsonnet
  # the container image test: podman builds and runs the image (with runc, the runtime these
  # machines need) on a base image mmdebstrap makes from the Debian archive (no registry)
  podman runc mmdebstrap
)

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# install_missing PACKAGE...: installs those not installed yet, with apt, non-interactively.
install_missing() {
  local missing=() package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$package")
  done
  [ "${#missing[@]}" -gt 0 ] || return 0
  echo "==> installing ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

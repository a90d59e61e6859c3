#!/usr/bin/env bash
# The README's first command: installs what building and running need (Debian 12), builds, and
# starts the exporter on the offline demo (no API key) on :19929.
#   ./scripts/setup.sh                                   # then: curl -s localhost:19929/metrics
#   ./scripts/setup.sh --web.listen-address=:9999        # arguments go to hashtag_exporter
#   ./scripts/setup.sh --config.file=my.yml              # your config instead of the demo's
# A second run reuses the build. BUILD_DIR and BUILD_TYPE: see scripts/build.sh.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${BUILD_DIR:-$repo/build}"

"$repo/scripts/build.sh"

config=(--config.file="$repo/examples/demo.yml")
for argument in "$@"; do
  case "$argument" in --config.file | --config.file=*) config=() ;; esac
done
echo "==> starting: $build_dir/hashtag_exporter ${config[*]} $*"
exec "$build_dir/hashtag_exporter" "${config[@]}" "$@"

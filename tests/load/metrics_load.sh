#!/usr/bin/env bash
# Load test: wrk against /metrics of the real exporter on the offline demo source while it
# collects every second. Fails on any socket error or non-2xx answer, or if no collection
# landed during the load; prints wrk's latency figures.
#
#   tests/load/metrics_load.sh [http|https]
#
# http: plain HTTP. https: TLS (through the OpenSSL 3 shim) and basic auth, with a certificate
# and CA made here with the openssl tool.
# Environment: HX_EXPORTER_BINARY (default ./build/hashtag_exporter), HX_PLUGIN_DIR (default
# the plugins folder beside the binary), HX_LOAD_DURATION (default 10s), HX_LOAD_CONNECTIONS
# (default 4), HX_LOAD_THREADS (default 2).
set -euo pipefail

mode="${1:-http}"
case "$mode" in http | https) ;; *) echo "usage: $0 [http|https]" >&2; exit 2 ;; esac
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
binary="${HX_EXPORTER_BINARY:-$repo/build/hashtag_exporter}"
plugins="${HX_PLUGIN_DIR:-$(dirname "$binary")/plugins}"
duration="${HX_LOAD_DURATION:-10s}"
connections="${HX_LOAD_CONNECTIONS:-4}"
threads="${HX_LOAD_THREADS:-2}"

for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (scripts/test.sh installs it)" >&2; exit 1; }
done
[ -x "$binary" ] || { echo "FAIL: no exporter binary at $binary" >&2; exit 1; }

work="$(mktemp -d)"
exporter_pid=""
cleanup() {
  if [ -n "$exporter_pid" ] && kill -0 "$exporter_pid" 2>/dev/null; then
    kill -TERM "$exporter_pid" 2>/dev/null || true
    wait "$exporter_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
cat >"$work/hashtag_exporter.yml" <<YAML
storage:
  path: history.db
plugin_path: [$plugins]
sources:
  - name: demo
    plugin: demo
    interval: 1s
    hashtags: [aitools, llm, chatgpt, claude, openai, cursor]
YAML

args=(--config.file="$work/hashtag_exporter.yml" --web.listen-address="127.0.0.1:$port")
curl_args=(-s -o /dev/null -w '%{http_code}')
wrk_args=()
scheme=http
if [ "$mode" = https ]; then
  scheme=https
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/server.key" -out "$work/server.crt" 2>/dev/null
  # bcrypt (cost 10, as htpasswd -B makes) of "load-test", made for this test.
  cat >"$work/web.yml" <<'YAML'
tls_server_config:
  cert_file: server.crt
  key_file: server.key
basic_auth_users:
  scraper: $2y$10$Jut9Cp36nqisrHqleTPiDugGTxpnFYITX19WeUp0lpdKt0m2y.SQ.
YAML
  args+=(--web.config.file="$work/web.yml")
  curl_args+=(--cacert "$work/server.crt" -u scraper:load-test)
  wrk_args+=(-H "Authorization: Basic $(printf 'scraper:load-test' | base64)")
fi
url="$scheme://127.0.0.1:$port/metrics"

"$binary" "${args[@]}" 2>"$work/exporter.log" &
exporter_pid=$!
for _ in $(seq 100); do
  [ "$(curl "${curl_args[@]}" "$scheme://127.0.0.1:$port/-/ready" || true)" = 200 ] && break
  kill -0 "$exporter_pid" 2>/dev/null || { cat "$work/exporter.log" >&2; echo "FAIL: exporter exited" >&2; exit 1; }
  sleep 0.1
done
[ "$(curl "${curl_args[@]}" "$url")" = 200 ] || { cat "$work/exporter.log" >&2; echo "FAIL: $url is not 200" >&2; exit 1; }

rounds_before="$(grep -c 'msg="round committed"' "$work/exporter.log" || true)"
echo "==> wrk -t$threads -c$connections -d$duration --latency $url (collecting every 1s)"
wrk -t"$threads" -c"$connections" -d"$duration" --timeout 5s --latency "${wrk_args[@]}" "$url" \
  | tee "$work/wrk.txt"
rounds_after="$(grep -c 'msg="round committed"' "$work/exporter.log" || true)"

failed=0
if grep -q 'Non-2xx or 3xx responses' "$work/wrk.txt"; then
  echo "FAIL: $(grep 'Non-2xx or 3xx responses' "$work/wrk.txt")" >&2
  failed=1
fi
if grep -q 'Socket errors' "$work/wrk.txt"; then
  echo "FAIL: $(grep 'Socket errors' "$work/wrk.txt")" >&2
  failed=1
fi
requests="$(awk '/requests in/ {print $1}' "$work/wrk.txt")"
if [ -z "$requests" ] || [ "$requests" -eq 0 ]; then
  echo "FAIL: wrk completed no request" >&2
  failed=1
fi
rounds=$((rounds_after - rounds_before))
if [ "$rounds" -lt 3 ]; then
  echo "FAIL: only $rounds collection rounds landed during the load" >&2
  failed=1
fi
if ! kill -0 "$exporter_pid" 2>/dev/null; then
  echo "FAIL: the exporter died under load" >&2
  failed=1
fi
if [ "$failed" -ne 0 ]; then
  grep -v 'round committed' "$work/exporter.log" | tail -20 >&2
  exit 1
fi
kill -TERM "$exporter_pid"
status=0
wait "$exporter_pid" || status=$?
exporter_pid=""
[ "$status" -eq 0 ] || { echo "FAIL: exporter exit status $status after SIGTERM" >&2; exit 1; }

p50="$(awk '$1 == "50%" {print $2}' "$work/wrk.txt")"
p99="$(awk '$1 == "99%" {print $2}' "$work/wrk.txt")"
rate="$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
echo "OK: $mode $requests requests, $rate req/s, p50 $p50, p99 $p99, 0 errors, $rounds collection rounds during the load"

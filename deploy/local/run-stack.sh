#!/usr/bin/env bash
# Local monitoring stack for hashtag_exporter, all on 127.0.0.1:
#   the exporter on the offline demo config (examples/demo.yml, no API key needed),
#   Prometheus (Debian package `prometheus`) scraping it with the shipped alert rules,
#   Alertmanager (Debian package `prometheus-alertmanager`) receiving Prometheus' alerts.
# State (history database, TSDB, Alertmanager data, logs) lives in a temporary folder, removed
# on exit, or in the folder given with --state (kept). Ctrl-C stops everything.
#
# Usage: deploy/local/run-stack.sh [--state DIR] [--binary PATH] [--config FILE]
#                                  [--rules FILE] [--exporter-port N] [--prometheus-port N]
#                                  [--alertmanager-port N]
# Environment (flags win): HX_EXPORTER_BINARY, HX_EXPORTER_PORT, PROMETHEUS_PORT,
#   ALERTMANAGER_PORT, PROMETHEUS (default /usr/bin/prometheus),
#   ALERTMANAGER (default /usr/bin/prometheus-alertmanager).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
host=127.0.0.1

binary=${HX_EXPORTER_BINARY:-$repo/build/hashtag_exporter}
config=$repo/examples/demo.yml
rules=$repo/deploy/prometheus/hashtag_exporter.rules.yml
prometheus=${PROMETHEUS:-/usr/bin/prometheus}
alertmanager=${ALERTMANAGER:-/usr/bin/prometheus-alertmanager}
exporter_port=${HX_EXPORTER_PORT:-19929}
prometheus_port=${PROMETHEUS_PORT:-9090}
alertmanager_port=${ALERTMANAGER_PORT:-9093}
state=
keep_state=0

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() {
  echo "run-stack: $*" >&2
  exit 1
}

while (($#)); do
  case $1 in
    --state) state=${2:?--state needs a folder}; shift 2 ;;
    --state=*) state=${1#*=}; shift ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    --binary=*) binary=${1#*=}; shift ;;
    --config) config=${2:?--config needs a file}; shift 2 ;;
    --config=*) config=${1#*=}; shift ;;
    --rules) rules=${2:?--rules needs a file}; shift 2 ;;
    --rules=*) rules=${1#*=}; shift ;;
    --exporter-port) exporter_port=${2:?}; shift 2 ;;
    --exporter-port=*) exporter_port=${1#*=}; shift ;;
    --prometheus-port) prometheus_port=${2:?}; shift 2 ;;
    --prometheus-port=*) prometheus_port=${1#*=}; shift ;;
    --alertmanager-port) alertmanager_port=${2:?}; shift 2 ;;
    --alertmanager-port=*) alertmanager_port=${1#*=}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# ---- checks before starting anything
[[ -x $binary ]] || die "no exporter binary at $binary (build it with ./scripts/build.sh or cmake, or pass --binary PATH)"
[[ -f $config ]] || die "no config file at $config"
[[ -f $rules ]] || die "no alert rules at $rules"
command -v "$prometheus" >/dev/null || die "Prometheus not found at $prometheus (apt-get install prometheus)"
command -v "$alertmanager" >/dev/null || die "Alertmanager not found at $alertmanager (apt-get install prometheus-alertmanager)"
command -v curl >/dev/null || die "curl is needed to wait for the components (apt-get install curl)"

port_in_use() {
  # Something accepts connections on 127.0.0.1:$1 (a wildcard listener included).
  if command -v ss >/dev/null; then
    [[ -n $(ss -Htln "sport = :$1" 2>/dev/null) ]] && return 0
  fi
  (exec 3<>"/dev/tcp/$host/$1") 2>/dev/null
}

for entry in "exporter:$exporter_port:--exporter-port" "Prometheus:$prometheus_port:--prometheus-port" \
             "Alertmanager:$alertmanager_port:--alertmanager-port"; do
  IFS=: read -r what port flag <<<"$entry"
  if ! [[ $port =~ ^[0-9]+$ ]] || ((port < 1 || port > 65535)); then
    die "$flag: not a port number: $port"
  fi
  if port_in_use "$port"; then
    die "port $port (for the $what) is already in use on $host; stop whatever listens there" \
        "(ss -ltnp 'sport = :$port' shows it) or choose another one with $flag N"
  fi
done
if [[ $exporter_port == "$prometheus_port" || $exporter_port == "$alertmanager_port" ||
      $prometheus_port == "$alertmanager_port" ]]; then
  die "the exporter, Prometheus and Alertmanager need three different ports"
fi

if [[ -z $state ]]; then
  state=$(mktemp -d "${TMPDIR:-/tmp}/hashtag-stack.XXXXXX")
else
  mkdir -p "$state"
  state=$(cd "$state" && pwd)
  keep_state=1
fi

# ---- stop everything on Ctrl-C, on TERM and on any exit
pids=()
names=()
stopping=0
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local status=$?
  ((stopping)) && return
  stopping=1
  trap - INT TERM HUP
  if ((${#pids[@]})); then
    echo
    echo "Stopping ${names[*]}..."
    kill -TERM "${pids[@]}" 2>/dev/null || true
    local waited=0
    while ((waited < 100)); do
      local alive=0 pid
      for pid in "${pids[@]}"; do
        kill -0 "$pid" 2>/dev/null && alive=1
      done
      ((alive)) || break
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -KILL "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  if ((keep_state)); then
    echo "State and logs kept in $state"
  else
    rm -rf -- "$state"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# Each component runs in its own session, so a Ctrl-C in the terminal reaches only this script,
# which then stops them in an orderly way (rather than each one racing to exit on its own).
# setsid execs the command (a background job of a script is no group leader), so $! is its pid.
detach=()
command -v setsid >/dev/null && detach=(setsid)

start() {  # start NAME LOG COMMAND...: runs COMMAND in the background, logging to LOG
  local name=$1 log=$2
  shift 2
  "${detach[@]}" "$@" </dev/null >"$log" 2>&1 &
  pids+=("$!")
  names+=("$name")
}

wait_ready() {  # wait_ready NAME URL LOG: polls URL until it answers 2xx (60 s at most)
  local name=$1 url=$2 log=$3 tries=0
  until curl -fsS --noproxy '*' -o /dev/null --max-time 2 "$url" 2>/dev/null; do
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "run-stack: $name exited during startup; the end of $log:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    tries=$((tries + 1))
    if ((tries > 600)); then
      echo "run-stack: $name did not answer $url within 60 s; the end of $log:" >&2
      tail -n 30 "$log" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

# ---- configuration, generated into the state folder
# The demo config is copied so its history database (a path relative to the config) lands in
# the state folder; the plugins are found beside the binary.
cp "$config" "$state/hashtag_exporter.yml"

cat >"$state/prometheus.yml" <<EOF
# Generated by deploy/local/run-stack.sh
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - "$rules"
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["$host:$alertmanager_port"]
scrape_configs:
  - job_name: hashtag_exporter
    static_configs:
      - targets: ["$host:$exporter_port"]
EOF

cat >"$state/alertmanager.yml" <<EOF
# Generated by deploy/local/run-stack.sh. Alerts are visible in the web UI; add a receiver
# (email, Slack, webhook) here to be notified elsewhere.
route:
  receiver: ui-only
  group_by: [alertname, source, hashtag]
  group_wait: 10s
  group_interval: 1m
  repeat_interval: 4h
receivers:
  - name: ui-only
EOF

# ---- start
start exporter "$state/exporter.log" "$binary" --config.file="$state/hashtag_exporter.yml" \
  --web.listen-address="$host:$exporter_port"
wait_ready exporter "http://$host:$exporter_port/-/ready" "$state/exporter.log"

start alertmanager "$state/alertmanager.log" "$alertmanager" --config.file="$state/alertmanager.yml" \
  --storage.path="$state/alertmanager-data" --web.listen-address="$host:$alertmanager_port" \
  --cluster.listen-address=
wait_ready Alertmanager "http://$host:$alertmanager_port/-/ready" "$state/alertmanager.log"

start prometheus "$state/prometheus.log" "$prometheus" --config.file="$state/prometheus.yml" \
  --storage.tsdb.path="$state/prometheus-data" --web.listen-address="$host:$prometheus_port" \
  --web.enable-lifecycle
wait_ready Prometheus "http://$host:$prometheus_port/-/ready" "$state/prometheus.log"

cat <<EOF

hashtag_exporter local stack is running (state and logs in $state):

  Exporter      http://$host:$exporter_port/metrics    (demo source: synthetic counts, collected every 30s)
  Prometheus    http://$host:$prometheus_port           (targets: /targets, rules: /rules, alerts: /alerts)
  Alertmanager  http://$host:$alertmanager_port

The demo runs 288 times faster than real time (a demo day every 5 real minutes), so growth shows
up first on the 5m window, after about 5 minutes:
  http://$host:$prometheus_port/graph?g0.expr=hashtag_videos_growth_percent%7Bwindow%3D%225m%22%7D&g0.tab=0
The 1d and 7d windows (and the growth alert, which watches window="1d") need a real day or week
of history.

Grafana (not a Debian package) is optional: if you have it installed, the provisioning files in
$repo/grafana/provisioning load the dashboards and a Prometheus datasource; point the
datasource at http://$host:$prometheus_port.

Press Ctrl-C to stop everything.
EOF

# ---- wait: until Ctrl-C or TERM (traps above), or until one component stops by itself
set +e
wait -n "${pids[@]}"
code=$?
set -e
for i in "${!pids[@]}"; do
  if ! kill -0 "${pids[$i]}" 2>/dev/null; then
    echo "run-stack: ${names[$i]} stopped unexpectedly (exit $code); the end of its log:" >&2
    tail -n 30 "$state/${names[$i]}.log" >&2 || true
  fi
done
exit 1

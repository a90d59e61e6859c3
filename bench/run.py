#!/usr/bin/env python3
"""Macro benchmark: the real exporter against the fake Scavio API.

Builds a large history directly with sqlite3 (the exporter's schema v2), starts the fake API
with added latency and the exporter (tiktok plugin), and measures:

  * start-up to the first correct /metrics (every hashtag restored from the history),
  * a collection round of --collect-hashtags hashtags with max_in_flight 32 (duration from
    hashtag_collect_duration_seconds, exporter CPU from /proc/<pid>/stat), and the tutorial's
    sequential baseline (max_in_flight 1) for the ratio,
  * /metrics under wrk (4 connections), plain and with Accept-Encoding: gzip,
  * the render self-metrics and resident memory (/proc/<pid>/status).

Prints one table: figure, measured, target, met?. Sizes are flags (or HX_BENCH_* variables) so
that CI runs a small smoke version; see README.md, "Benchmarks".

  bench/run.py --build-dir /work/build-bench                 # full size, a few minutes
  bench/run.py --build-dir build --hashtags 200 --days 100 --collect-hashtags 100 \
      --baseline-hashtags 10 --wrk-duration 2 --smoke       # CI smoke (no timing assertion)
"""

import argparse
import json
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAKE_SCAVIO = os.path.join(REPO, "tests", "fake_scavio", "fake_scavio.py")
API_KEY = "bench-key"
DAY = 86_400
# The synthetic history ends today (00:00 UTC), so that the rounds of a run find references for
# the 1d and 7d windows and export growth, as a real deployment does.
NOW = int(time.time()) // DAY * DAY
CLK_TCK = os.sysconf("SC_CLK_TCK")


def env_default(name, fallback):
    value = os.environ.get(name)
    return type(fallback)(value) if value else fallback


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build-dir", default=env_default("HX_BENCH_BUILD_DIR", os.path.join(REPO, "build")),
                   help="build tree with hashtag_exporter and plugins/")
    p.add_argument("--hashtags", type=int, default=env_default("HX_BENCH_HASHTAGS", 10000),
                   help="hashtags of the large history (exposition, memory, start-up)")
    p.add_argument("--days", type=int, default=env_default("HX_BENCH_DAYS", 1000),
                   help="daily snapshots per hashtag in the large history (1000 x 10,000 = 10 M rows)")
    p.add_argument("--collect-hashtags", type=int, default=env_default("HX_BENCH_COLLECT_HASHTAGS", 1000))
    p.add_argument("--baseline-hashtags", type=int, default=env_default("HX_BENCH_BASELINE_HASHTAGS", 200),
                   help="hashtags of the sequential baseline round (extrapolated to --collect-hashtags)")
    p.add_argument("--latency-ms", type=int, default=env_default("HX_BENCH_LATENCY_MS", 100))
    p.add_argument("--max-in-flight", type=int, default=32)
    p.add_argument("--wrk-duration", type=int, default=env_default("HX_BENCH_WRK_DURATION", 10), help="seconds")
    p.add_argument("--wrk-connections", type=int, default=4)
    p.add_argument("--wrk-threads", type=int, default=2)
    p.add_argument("--work-dir", help="keep databases and logs here (default: a temporary folder)")
    p.add_argument("--smoke", action="store_true",
                   help="check that every figure was measured and /metrics was correct; ignore targets")
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args()


# --- helpers -------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read().decode()


def metric_values(body, name):
    """{labels-string: value} of every series of `name` in a text exposition."""
    values = {}
    prefix = name + "{"
    for line in body.splitlines():
        if line.startswith(prefix) or line.startswith(name + " "):
            key, _, value = line.rpartition(" ")
            values[key[len(name):]] = float(value)
    return values


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def memory_kib(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0])
    return values


def hashtag_name(i):
    return f"tag{i:06d}"


def build_history(path, hashtags, days):
    """A history in schema v2: `days` daily snapshots of every hashtag, ending at NOW."""
    if os.path.exists(path):
        return
    building = path + ".building"
    if os.path.exists(building):
        os.remove(building)
    db = sqlite3.connect(building)
    db.executescript(
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;"
        "CREATE TABLE snapshots (source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER NOT NULL,"
        " video_count INTEGER NOT NULL, view_count INTEGER NOT NULL,"
        " PRIMARY KEY (source, hashtag, timestamp)) WITHOUT ROWID;"
        "CREATE TABLE latest (source TEXT NOT NULL, hashtag TEXT NOT NULL, timestamp INTEGER NOT NULL,"
        " video_count INTEGER NOT NULL, view_count INTEGER NOT NULL,"
        " PRIMARY KEY (source, hashtag)) WITHOUT ROWID;")
    first = NOW - (days - 1) * DAY

    def rows():
        for i in range(hashtags):
            tag = hashtag_name(i)
            base = 100_000 + 37 * i
            for d in range(days):
                videos = base + 50 * d
                yield ("tiktok", tag, first + d * DAY, videos, videos * 150)

    # Rows arrive in primary-key order, so SQLite appends to the B-tree.
    db.execute("BEGIN")
    db.executemany("INSERT INTO snapshots VALUES (?, ?, ?, ?, ?)", rows())
    db.execute("INSERT INTO latest SELECT source, hashtag, MAX(timestamp), video_count, view_count"
               " FROM snapshots GROUP BY source, hashtag")
    db.execute("COMMIT")
    db.execute("PRAGMA user_version = 2")
    db.close()
    os.rename(building, path)


def expected_latest(db_path, hashtags):
    """What /metrics must show for a few hashtags before any collection: their newest stored
    snapshot (a reused --work-dir history also holds the rounds of earlier runs)."""
    picks = sorted({0, hashtags // 2, hashtags - 1})
    db = sqlite3.connect(db_path)
    try:
        return {hashtag_name(i): float(db.execute(
            "SELECT video_count FROM snapshots WHERE source = 'tiktok' AND hashtag = ?"
            " ORDER BY timestamp DESC LIMIT 1", (hashtag_name(i),)).fetchone()[0]) for i in picks}
    finally:
        db.close()


class Process:
    def __init__(self, args, log_path, env=None):
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE if env == "pipe" else self.log,
                                     stderr=self.log, env=None if env == "pipe" else env, text=True)

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def start_fake_api(work, latency_ms):
    log = os.path.join(work, f"fake_scavio_{latency_ms}ms.log")
    fake = Process([sys.executable, FAKE_SCAVIO, "--api-key", API_KEY, "--latency-ms", str(latency_ms),
                    "--credits", "1000000000"], log, env="pipe")
    line = fake.proc.stdout.readline()
    match = re.match(r"LISTENING (\d+)", line)
    if not match:
        fake.stop()
        raise SystemExit(f"fake API did not start: {line!r} (see {log})")
    return fake, int(match.group(1))


def fake_max_in_flight(port):
    requests = json.loads(http_get(f"http://127.0.0.1:{port}/_control/requests", timeout=30))
    return max((r["in_flight"] for r in requests), default=0), len(requests)


def reset_fake(port):
    urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/_control/reset", data=b"",
                                                  method="POST"), timeout=10).read()


def write_config(path, db, build_dir, api_port, hashtags, max_in_flight, retention):
    with open(path, "w") as f:
        f.write(f"storage:\n  path: {db}\n  retention: {retention}\n")
        f.write(f"plugin_path: [{os.path.join(build_dir, 'plugins')}]\n")
        f.write("growth:\n  windows: [1d, 7d]\n")
        f.write("sources:\n  - name: tiktok\n    plugin: tiktok\n    interval: 24h\n")
        f.write("    hashtags: [" + ", ".join(hashtag_name(i) for i in range(hashtags)) + "]\n")
        f.write("    settings:\n")
        f.write(f"      api_url: http://127.0.0.1:{api_port}\n")
        f.write("      api_key_env: HX_BENCH_API_KEY\n")
        f.write(f"      max_in_flight: {max_in_flight}\n")
        f.write("      timeout: 30s\n")
        f.write("      max_attempts: 1\n")


def start_exporter(build_dir, work, name, config):
    port = free_port()
    env = dict(os.environ, HX_BENCH_API_KEY=API_KEY)
    binary = os.path.join(build_dir, "hashtag_exporter")
    # --web.enable-lifecycle: the large run reloads over HTTP to measure a fresh render.
    exporter = Process([binary, f"--config.file={config}", f"--web.listen-address=127.0.0.1:{port}",
                        "--web.enable-lifecycle", "--log.level=warn"],
                       os.path.join(work, f"exporter_{name}.log"), env=env)
    return exporter, f"http://127.0.0.1:{port}/metrics"


def wait_for(predicate, timeout, interval=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result is not None:
            return result
        time.sleep(interval)
    return None


def scrape(url):
    try:
        return http_get(url)
    except (urllib.error.URLError, ConnectionError, OSError):
        return None


def wait_for_round(exporter, url, timeout):
    """Polls /metrics until the first round is recorded; returns (duration, cpu, body)."""
    def done():
        if exporter.proc.poll() is not None:
            raise SystemExit(f"exporter exited with {exporter.proc.returncode}; see its log")
        body = scrape(url)
        if body is None:
            return None
        duration = metric_values(body, "hashtag_collect_duration_seconds")
        if not duration:
            return None
        return list(duration.values())[0], cpu_seconds(exporter.pid), body
    return wait_for(done, timeout, interval=0.05)


def run_collection(args, work, api_port, hashtags, max_in_flight, name):
    """One exporter with an empty history; returns round duration, CPU and the fake's concurrency."""
    reset_fake(api_port)
    config = os.path.join(work, f"{name}.yml")
    write_config(config, os.path.join(work, f"{name}.db"), args.build_dir, api_port, hashtags,
                 max_in_flight, "400d")
    exporter, url = start_exporter(args.build_dir, work, name, config)
    try:
        # The first round starts with the process; CPU counts from exec (start-up included).
        expected = hashtags * args.latency_ms / 1000.0 / max_in_flight
        result = wait_for_round(exporter, url, timeout=60 + 3 * expected)
        if result is None:
            raise SystemExit(f"{name}: no collection round recorded in time")
        duration, cpu, body = result
        up = sum(metric_values(body, "hashtag_up").values())
        concurrency, requests = fake_max_in_flight(api_port)
        return {"duration": duration, "cpu": cpu, "up": up, "fake_max_in_flight": concurrency,
                "requests": requests}
    finally:
        exporter.stop()


WRK_LATENCY = re.compile(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", re.M)
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def run_wrk(args, url, gzip):
    command = ["wrk", f"-t{args.wrk_threads}", f"-c{args.wrk_connections}", f"-d{args.wrk_duration}s",
               "--latency", url]
    if gzip:
        command[1:1] = ["-H", "Accept-Encoding: gzip"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    percentiles = {p: float(v) * UNITS[u] for p, v, u in WRK_LATENCY.findall(out)}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out)
    return {"p50_ms": percentiles.get("50"), "p99_ms": percentiles.get("99"),
            "rps": float(rps.group(1)) if rps else None, "errors": errors.group(0) if errors else "",
            "raw": out}


def run_large(args, work, api_port):
    """Start-up with the large history, a round of every hashtag, wrk, render figures, memory."""
    db = os.path.join(work, f"history_{args.hashtags}x{args.days}_{NOW}.db")
    started = time.monotonic()
    build_history(db, args.hashtags, args.days)
    build_seconds = time.monotonic() - started
    # A copy per run would cost as much as building it; the exporter adds one round of rows, which
    # barely changes the figures of the next run (the expected values are read from the file).
    config = os.path.join(work, "large.yml")
    # retention 0: the synthetic history spans --days days (1000 by default), which the default
    # 400d retention would start deleting; see README.md.
    write_config(config, db, args.build_dir, api_port, args.hashtags, args.max_in_flight, "0")
    expected = expected_latest(db, args.hashtags)

    # The exporter's first round (started with the process) replaces the restored values with the
    # fake API's, but a round of this size takes seconds: the first correct /metrics is the
    # history's (hashtag_up is still 0 in it, which is checked).
    reset_fake(api_port)
    results = {"history_rows": args.hashtags * args.days, "history_build_s": build_seconds}
    exporter, url = start_exporter(args.build_dir, work, "large", config)
    t0 = time.monotonic()
    try:
        def correct():
            if exporter.proc.poll() is not None:
                raise SystemExit(f"large: exporter exited with {exporter.proc.returncode}")
            body = scrape(url)
            if body is None:
                return None
            videos = metric_values(body, "hashtag_videos")
            if len(videos) != args.hashtags:
                return None
            for tag, value in expected.items():
                if videos.get(f'{{source="tiktok",hashtag="{tag}"}}') != value:
                    return None
            return body
        body = wait_for(correct, timeout=120)
        results["startup_s"] = time.monotonic() - t0 if body is not None else None
        if body is None:
            raise SystemExit("large: /metrics never showed the history's latest values")
        results["restored_before_round"] = not metric_values(body, "hashtag_collect_duration_seconds")
        results["series"] = sum(1 for line in body.splitlines() if line and not line.startswith("#"))

        round_result = wait_for_round(exporter, url, timeout=600)
        if round_result is None:
            raise SystemExit("large: no collection round recorded in time")
        results["large_round_s"] = round_result[0]
        # A scrape after the round renders it; the next body reports that render's duration.
        scrape(url)
        results["rss_before_wrk_kib"] = memory_kib(exporter.pid)["VmRSS"]
        results["wrk_plain"] = run_wrk(args, url, gzip=False)
        results["wrk_gzip"] = run_wrk(args, url, gzip=True)
        # The render self-metrics describe the render before the one that carries them. A
        # reload makes a new state generation, so the next body reports the render of the
        # round's state (made by the scrape above, with nothing else running), not the one at
        # start-up, which shares the machine with the first round.
        urllib.request.urlopen(urllib.request.Request(
            url.replace("/metrics", "/-/reload"), method="POST"), timeout=60).read()
        body = scrape(url)
        results["render_s"] = metric_values(body, "hashtag_exporter_render_duration_seconds")[""]
        results["exposition_bytes"] = metric_values(body, "hashtag_exporter_exposition_bytes")[""]
        memory = memory_kib(exporter.pid)
        results["rss_kib"] = memory["VmRSS"]
        results["hwm_kib"] = memory["VmHWM"]
    finally:
        exporter.stop()
    return results


def fmt(value, unit, digits=2):
    if value is None:
        return "n/a"
    return f"{value:.{digits}f} {unit}".strip()


def main():
    args = parse_args()
    for tool in ("wrk",):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed (apt-get install {tool})")
    binary = os.path.join(args.build_dir, "hashtag_exporter")
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"no exporter binary at {binary} (build first, see README.md)")

    work = args.work_dir or tempfile.mkdtemp(prefix="hx_bench_")
    os.makedirs(work, exist_ok=True)
    fakes = []
    try:
        fake, api_port = start_fake_api(work, args.latency_ms)
        fakes.append(fake)
        print(f"# work dir {work}; fake API latency {args.latency_ms} ms", file=sys.stderr)

        print(f"# collection: {args.collect_hashtags} hashtags, max_in_flight {args.max_in_flight}",
              file=sys.stderr)
        concurrent = run_collection(args, work, api_port, args.collect_hashtags, args.max_in_flight,
                                    "collect")
        print(f"# baseline: {args.baseline_hashtags} hashtags, max_in_flight 1", file=sys.stderr)
        baseline = run_collection(args, work, api_port, args.baseline_hashtags, 1, "baseline")
        baseline_extrapolated = baseline["duration"] / args.baseline_hashtags * args.collect_hashtags

        # The large run collects every hashtag once (a round of --hashtags snapshots) against a
        # fake API without latency, so that wrk measures scrapes between collections.
        fake0, api0_port = start_fake_api(work, 0)
        fakes.append(fake0)
        print(f"# large: {args.hashtags} hashtags x {args.days} days of history", file=sys.stderr)
        large = run_large(args, work, api0_port)
    finally:
        for f in fakes:
            f.stop()
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    n = args.collect_hashtags
    limit = 1.5 * n * args.latency_ms / 1000.0 / args.max_in_flight
    mib = 1024.0
    rows = [
        (f"collection round, {n} hashtags, {args.latency_ms} ms latency, in-flight {args.max_in_flight}",
         fmt(concurrent["duration"], "s"), f"<= {limit:.2f} s", concurrent["duration"] <= limit),
        ("  exporter CPU (process start to round recorded)", fmt(concurrent["cpu"], "s"), "< 0.50 s",
         concurrent["cpu"] < 0.5),
        ("  fake API: most requests in flight at once", f"{concurrent['fake_max_in_flight']}",
         f"{args.max_in_flight}", None),
        (f"baseline round (in-flight 1), {args.baseline_hashtags} hashtags", fmt(baseline["duration"], "s"),
         "", None),
        (f"  baseline extrapolated to {n} hashtags", fmt(baseline_extrapolated, "s"), "", None),
        ("  speed-up over the sequential baseline", fmt(baseline_extrapolated / concurrent["duration"], "x", 1),
         "", None),
        (f"start-up to correct /metrics, {large['history_rows']:,} history rows", fmt(large["startup_s"], "s", 3),
         "<= 1 s", large["startup_s"] is not None and large["startup_s"] <= 1.0),
        (f"/metrics series ({args.hashtags} hashtags)", f"{large['series']:,}", "~60,000 at 10,000", None),
        (f"round of {args.hashtags} snapshots, no latency (collect_duration)", fmt(large["large_round_s"], "s"),
         "", None),
        ("cold render (hashtag_exporter_render_duration_seconds)", fmt(large["render_s"] * 1000, "ms"),
         "<= 50 ms", large["render_s"] <= 0.05),
        ("exposition size (hashtag_exporter_exposition_bytes)", fmt(large["exposition_bytes"] / 1e6, "MB"),
         "", None),
        (f"/metrics p99, wrk -c{args.wrk_connections}, plain", fmt(large["wrk_plain"]["p99_ms"], "ms"), "<= 5 ms",
         large["wrk_plain"]["p99_ms"] is not None and large["wrk_plain"]["p99_ms"] <= 5),
        ("  requests/s, plain", fmt(large["wrk_plain"]["rps"], "", 0), "", None),
        (f"/metrics p99, wrk -c{args.wrk_connections}, Accept-Encoding: gzip", fmt(large["wrk_gzip"]["p99_ms"], "ms"),
         "<= 5 ms", large["wrk_gzip"]["p99_ms"] is not None and large["wrk_gzip"]["p99_ms"] <= 5),
        ("  requests/s, gzip", fmt(large["wrk_gzip"]["rps"], "", 0), "", None),
        (f"RSS after wrk, {args.hashtags} hashtags, {large['history_rows']:,} rows",
         fmt(large["rss_kib"] / mib, "MiB", 1), "<= 64 MiB", large["rss_kib"] <= 64 * mib),
        ("  peak RSS (VmHWM)", fmt(large["hwm_kib"] / mib, "MiB", 1), "<= 64 MiB", large["hwm_kib"] <= 64 * mib),
    ]
    width = max(len(r[0]) for r in rows)
    mw = max(len("measured"), *(len(r[1]) for r in rows))
    tw = max(len("target"), *(len(r[2]) for r in rows))
    print(f"{'figure':<{width}} | {'measured':>{mw}} | {'target':>{tw}} | met?")
    print(f"{'-' * width}-|-{'-' * mw}-|-{'-' * tw}-|-----")
    for figure, measured, target, met in rows:
        flag = "" if met is None else ("yes" if met else "NO")
        print(f"{figure:<{width}} | {measured:>{mw}} | {target:>{tw}} | {flag}")
    print(f"(load average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"(history built in {large['history_build_s']:.1f} s; wrk errors: "
          f"plain {large['wrk_plain']['errors'] or 'none'}, gzip {large['wrk_gzip']['errors'] or 'none'})")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"args": vars(args), "collection": concurrent, "baseline": baseline,
                       "large": {k: v for k, v in large.items() if not k.startswith("wrk")},
                       "wrk": {k: {kk: vv for kk, vv in large[k].items() if kk != "raw"}
                               for k in ("wrk_plain", "wrk_gzip")}}, f, indent=2)

    if args.smoke:
        problems = []
        if concurrent["up"] != args.collect_hashtags:
            problems.append(f"collection: {concurrent['up']} of {args.collect_hashtags} hashtags up")
        if baseline["up"] != args.baseline_hashtags:
            problems.append(f"baseline: {baseline['up']} of {args.baseline_hashtags} hashtags up")
        for key in ("wrk_plain", "wrk_gzip"):
            if large[key]["p99_ms"] is None or large[key]["errors"]:
                problems.append(f"{key}: no latency figures or errors: {large[key]['errors']}")
        if problems:
            print("SMOKE FAILED: " + "; ".join(problems), file=sys.stderr)
            return 1
        print("smoke: every figure measured")
    return 0


if __name__ == "__main__":
    sys.exit(main())

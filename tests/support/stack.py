"""Real monitoring components on loopback, for Python tests (standard library only).

Starts the fake Scavio API, the exporter, Prometheus and Alertmanager as child processes on
127.0.0.1 with free ports, each with its state and log in a folder the test gives, plus a
webhook receiver (a thread) that collects what Alertmanager sends. Every component is a context
manager; whatever is still running when the interpreter exits is stopped too (SIGTERM, then
SIGKILL after a grace period, always reaped). Every wait is bounded and its failure message ends
with the component's log tail. Nothing here contacts any address but 127.0.0.1.

    import sys; sys.path.insert(0, "<repo>/tests/support"); import stack

    with tempfile.TemporaryDirectory() as tmp, stack.FakeScavio(tmp) as fake:
        fake.set_mode("boom", {"mode": "ok", "video_count": 1120, "view_count": 5000})
        config = stack.write_tiktok_config(f"{tmp}/hx.yml", fake.url, ["boom"])
        with stack.Exporter(stack.exporter_binary(), config, tmp) as exporter, \\
             stack.Prometheus(tmp, [exporter.address], [stack.RULES_FILE]) as prom:
            prom.wait_for('hashtag_videos{hashtag="boom"}', lambda r: len(r) == 1)

Binaries come from the environment, with defaults:
  HX_EXPORTER_BINARY  (default <repo>/build/hashtag_exporter)
  HX_FAKE_SCAVIO      (default <repo>/tests/fake_scavio/fake_scavio.py)
  PROMETHEUS          (default /usr/bin/prometheus)
  ALERTMANAGER        (default /usr/bin/prometheus-alertmanager)
  HX_REPO             (default: two folders above this file)
"""

import atexit
import csv
import ctypes
import datetime
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
REPO = Path(os.environ.get("HX_REPO") or Path(__file__).resolve().parents[2])
RULES_FILE = REPO / "deploy" / "prometheus" / "hashtag_exporter.rules.yml"
FAKE_API_KEY = "test-key"          # fake_scavio.py's default --api-key
FAKE_API_KEY_ENV = "FAKE_SCAVIO_KEY"

START_TIMEOUT = 30.0               # seconds for a component to become ready
STOP_GRACE = 10.0                  # seconds between SIGTERM and SIGKILL
LOG_TAIL_CHARS = 4000

# A direct opener: proxy variables in the environment must never route loopback calls elsewhere.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def exporter_binary():
    return os.environ.get("HX_EXPORTER_BINARY") or str(REPO / "build" / "hashtag_exporter")


def fake_scavio_script():
    return os.environ.get("HX_FAKE_SCAVIO") or str(REPO / "tests" / "fake_scavio" / "fake_scavio.py")


def prometheus_binary():
    return os.environ.get("PROMETHEUS") or "/usr/bin/prometheus"


def alertmanager_binary():
    return os.environ.get("ALERTMANAGER") or "/usr/bin/prometheus-alertmanager"


class StackError(RuntimeError):
    """A component did not start, answer or stop in time (message includes its log tail)."""


class WaitTimeout(StackError):
    """wait_until() ran out of time."""


# --------------------------------------------------------------------------------------------
# Small helpers


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago (components retry if it is taken)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def http_request(method, url, body=None, headers=None, timeout=5.0):
    """(status, body text) of a request to 127.0.0.1; HTTP errors are returned, not raised."""
    host = urllib.parse.urlsplit(url).hostname
    if host not in (HOST, "localhost"):
        raise ValueError(f"refusing to contact {url}: only {HOST} is allowed")
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def http_get(url, timeout=5.0):
    return http_request("GET", url, timeout=timeout)


def wait_until(check, timeout, interval=0.1, describe="condition", log=None):
    """Calls check() until it returns a truthy value (returned) or `timeout` seconds pass.

    Exceptions from check() count as "not yet" (except StackError, which is raised at once); the
    last one is reported on timeout (WaitTimeout), with the tail of `log` (a callable returning
    text) if given."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = check()
            if value:
                return value
            last = f"last value: {value!r}"
        except StackError:
            raise
        except Exception as error:  # noqa: BLE001 - any failure means "not yet"
            last = f"last error: {type(error).__name__}: {error}"
        if time.monotonic() >= deadline:
            message = f"timed out after {timeout:g}s waiting for {describe} ({last})"
            if log is not None:
                message += "\n--- log tail ---\n" + log()
            raise WaitTimeout(message)
        time.sleep(interval)


def rfc3339(moment):
    """RFC 3339 UTC text of a datetime (naive = UTC) or a Unix time."""
    if isinstance(moment, (int, float)):
        moment = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc)
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def child_environment(extra=None):
    """The test's environment without proxy settings (libcurl honours them), plus `extra`."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(extra or {})
    return env


def _load_prctl():
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
        prctl.argtypes = [ctypes.c_int, ctypes.c_ulong]
        return prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PRCTL = _load_prctl()   # looked up here: the child of a fork must not dlopen
_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """preexec_fn: the child gets SIGTERM if the test process dies without cleaning up.

    Linux ties this to the *thread* that started the child: start components from a thread
    that outlives them (the main thread, normally)."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)


# --------------------------------------------------------------------------------------------
# Child processes

_LIVE = []
_LIVE_LOCK = threading.Lock()


def stop_all():
    """Stops every component still running (registered with atexit)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for component in reversed(live):
        try:
            component.stop()
        except Exception:  # noqa: BLE001 - keep stopping the others
            pass


atexit.register(stop_all)


class Component:
    """A child process whose stdout and stderr go to `<dir>/<name>.log`."""

    name = "component"

    def __init__(self, directory):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.dir / f"{self.name}.log"
        self.process = None
        self.port = None
        self.started_at = None   # time.monotonic() when the process was spawned

    # -- lifecycle
    def _spawn(self, argv, env=None, cwd=None):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as log:
            log.write(f"$ {' '.join(map(str, argv))}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [str(a) for a in argv], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, env=env or child_environment(), cwd=cwd,
                preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        with _LIVE_LOCK:
            _LIVE.append(self)

    def running(self):
        return self.process is not None and self.process.poll() is None

    def stop(self, grace=STOP_GRACE):
        """SIGTERM, SIGKILL after `grace` seconds, then reap. Returns the exit code (or None)."""
        process = self.process
        if process is None:
            return None
        try:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=30)
        finally:
            with _LIVE_LOCK:
                if self in _LIVE:
                    _LIVE.remove(self)
        return process.returncode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    # -- diagnostics
    def log_text(self):
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, chars=LOG_TAIL_CHARS):
        text = self.log_text()
        status = ""
        if self.process is not None and self.process.poll() is not None:
            status = f"[{self.name} exited with {self.process.returncode}]\n"
        return status + (text[-chars:] if text else f"[{self.name}: empty log {self.log_path}]")

    def fail(self, message):
        raise StackError(f"{self.name}: {message}\n--- {self.log_path} (tail) ---\n"
                         f"{self.log_tail()}")

    # -- HTTP
    @property
    def address(self):
        return f"{HOST}:{self.port}"

    @property
    def url(self):
        return f"http://{HOST}:{self.port}"

    def wait_http_ok(self, path, timeout=START_TIMEOUT):
        def check():
            if not self.running():
                self.fail(f"exited before {path} answered")
            status, _ = http_get(self.url + path, timeout=2)
            return status == 200
        try:
            wait_until(check, timeout, describe=f"{self.url}{path} to answer 200")
        except WaitTimeout as error:
            self.fail(str(error))

    def _start_on_free_port(self, argv_for_port, ready_path, env=None, attempts=3):
        """Spawns on a free port and waits for `ready_path`; retries if the port was taken."""
        for attempt in range(attempts):
            self.port = free_port()
            self._spawn(argv_for_port(self.port), env=env)
            try:
                self.wait_http_ok(ready_path)
                return
            except StackError:
                taken = "address already in use" in self.log_text().lower()
                self.stop()
                if not taken or attempt == attempts - 1:
                    raise


class FakeScavio(Component):
    """tests/fake_scavio/fake_scavio.py on a free port (it picks one and prints it)."""

    name = "fake_scavio"

    def __init__(self, directory, api_key=FAKE_API_KEY, extra_args=(), script=None):
        super().__init__(directory)
        self.api_key = api_key
        argv = [sys.executable, "-u", script or fake_scavio_script(), "--port", "0",
                "--api-key", api_key, *extra_args]
        self._spawn(argv)

        def listening():
            if not self.running():
                self.fail("exited before printing LISTENING")
            match = re.search(r"^LISTENING (\d+)$", self.log_text(), re.M)
            return match and int(match.group(1))
        try:
            self.port = wait_until(listening, START_TIMEOUT, interval=0.02,
                                   describe="LISTENING <port>")
        except WaitTimeout as error:
            self.stop()
            self.fail(str(error))
        except StackError:
            self.stop()
            raise

    def set_mode(self, tag, mode):
        """How calls for `tag` are answered from now on, e.g. {"mode": "ok", "video_count": 5}."""
        status, body = http_request("PUT", f"{self.url}/_control/hashtags/{urllib.parse.quote(tag)}",
                                    json.dumps(mode), {"Content-Type": "application/json"})
        if status != 200:
            self.fail(f"PUT mode for {tag!r} answered {status}: {body}")

    def requests(self):
        status, body = http_get(f"{self.url}/_control/requests")
        if status != 200:
            self.fail(f"GET /_control/requests answered {status}: {body}")
        return json.loads(body)

    def reset(self):
        http_request("POST", f"{self.url}/_control/reset", b"")


def write_tiktok_config(path, fake_url, hashtags, interval="1s", storage="history.db",
                        windows=None, api_key_env=FAKE_API_KEY_ENV, extra=""):
    """Writes an exporter config with one `tiktok` source reading from the fake API."""
    lines = ["storage:", f"  path: {storage}"]
    if windows:
        lines += ["growth:", f"  windows: [{', '.join(windows)}]"]
    lines += [
        "sources:",
        "  - name: tiktok",
        "    plugin: tiktok",
        f"    interval: {interval}",
        f"    hashtags: [{', '.join(json.dumps(h) for h in hashtags)}]",
        "    settings:",
        f"      api_url: {fake_url}",
        f"      api_key_env: {api_key_env}",
        "      timeout: 2s",
        "      max_attempts: 1",
    ]
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n" + extra)
    return path


def import_csv(binary, config, rows, env=None, timeout=60):
    """Imports snapshots with `hashtag_exporter import`. rows: (timestamp, source, hashtag,
    video_count, view_count); a timestamp may be text, a datetime or a Unix time."""
    config = Path(config)
    csv_path = config.parent / f"import-{int(time.time() * 1000)}-{os.getpid()}.csv"
    with open(csv_path, "w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["timestamp", "source", "hashtag", "video_count", "view_count"])
        for timestamp, source, hashtag, videos, views in rows:
            if not isinstance(timestamp, str):
                timestamp = rfc3339(timestamp)
            writer.writerow([timestamp, source, hashtag, videos, views])
    result = subprocess.run([str(binary), "import", str(csv_path), f"--config.file={config}"],
                            stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=timeout, env=child_environment(env))
    if result.returncode != 0:
        raise StackError(f"import of {csv_path} exited {result.returncode}\n"
                         f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


class Exporter(Component):
    """hashtag_exporter serving on a free port; waits for /-/ready unless wait=False."""

    name = "exporter"

    def __init__(self, binary, config_path, directory, env=None, extra_args=(), wait=True):
        super().__init__(directory)
        self.binary = str(binary)
        self.config_path = str(config_path)
        environment = child_environment({FAKE_API_KEY_ENV: FAKE_API_KEY, **(env or {})})
        self.port = free_port()
        self._spawn([self.binary, f"--config.file={self.config_path}",
                     f"--web.listen-address={HOST}:{self.port}", *extra_args], env=environment)
        if wait:
            try:
                self.wait_ready()
            except StackError:
                self.stop()
                raise

    def wait_ready(self, timeout=START_TIMEOUT):
        self.wait_http_ok("/-/ready", timeout)

    def scrape(self, path="/metrics"):
        status, body = http_get(self.url + path)
        if status != 200:
            self.fail(f"GET {path} answered {status}: {body[:500]}")
        return body

    def sample(self, name, labels=None):
        """Value of the series `name{labels}` in a scrape, or None."""
        return sample_value(self.scrape(), name, labels)

    def wait_for_sample(self, name, labels=None, predicate=lambda v: v is not None,
                        timeout=START_TIMEOUT):
        def check():
            value = self.sample(name, labels)
            return (value,) if predicate(value) else None
        try:
            return wait_until(check, timeout, describe=f"{name}{labels or ''} in a scrape")[0]
        except WaitTimeout as error:
            self.fail(str(error))


_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)(\s+\d+)?$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """[(name, {label: value}, float)] of a Prometheus text exposition."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if not match:
            continue
        labels = {k: _unescape(v) for k, v in _LABEL.findall(match.group(3) or "")}
        samples.append((match.group(1), labels, float(match.group(4))))
    return samples


def _unescape(value):
    return re.sub(r'\\(.)', lambda m: "\n" if m.group(1) == "n" else m.group(1), value)


def sample_value(text, name, labels=None):
    labels = labels or {}
    for sample_name, sample_labels, value in parse_metrics(text):
        if sample_name == name and all(sample_labels.get(k) == v for k, v in labels.items()):
            return value
    return None


# --------------------------------------------------------------------------------------------
# Prometheus and Alertmanager


class Prometheus(Component):
    """/usr/bin/prometheus with a generated prometheus.yml, TSDB in `<dir>/prometheus-data`.

    scrape_targets: a list of "host:port" (job `hashtag_exporter`) or a dict job -> list."""

    name = "prometheus"

    def __init__(self, directory, scrape_targets, rule_files=(), alertmanager_url=None,
                 scrape_interval="1s", evaluation_interval="1s", binary=None, extra_args=()):
        super().__init__(directory)
        if not isinstance(scrape_targets, dict):
            scrape_targets = {"hashtag_exporter": list(scrape_targets)}
        config = {
            "global": {"scrape_interval": scrape_interval, "scrape_timeout": scrape_interval,
                       "evaluation_interval": evaluation_interval},
            "rule_files": [str(Path(f).resolve()) for f in rule_files],
            "scrape_configs": [{"job_name": job, "static_configs": [{"targets": list(targets)}]}
                               for job, targets in scrape_targets.items()],
        }
        if alertmanager_url:
            target = urllib.parse.urlsplit(alertmanager_url).netloc or alertmanager_url
            config["alerting"] = {"alertmanagers": [{"static_configs": [{"targets": [target]}]}]}
        self.config_path = self.dir / "prometheus.yml"
        # JSON is YAML: no quoting surprises in generated values.
        self.config_path.write_text(json.dumps(config, indent=2) + "\n")
        data = self.dir / "prometheus-data"
        binary = binary or prometheus_binary()
        self._start_on_free_port(lambda port: [
            binary, f"--config.file={self.config_path}", f"--storage.tsdb.path={data}",
            f"--web.listen-address={HOST}:{port}", "--web.enable-lifecycle",
            *extra_args], "/-/ready")

    def api(self, path, params=None):
        """`data` of a GET on the HTTP API (path like "/api/v1/rules"); raises on errors."""
        query = ("?" + urllib.parse.urlencode(params)) if params else ""
        status, body = http_get(self.url + path + query, timeout=10)
        try:
            answer = json.loads(body)
        except ValueError:
            raise StackError(f"GET {path} answered {status}: {body[:500]}") from None
        if status != 200 or answer.get("status") != "success":
            raise StackError(f"GET {path}{query} answered {status}: {body[:1000]}")
        return answer["data"]

    def query(self, expr):
        """`result` of an instant query: a list of {"metric": {...}, "value": [t, "v"]}."""
        return self.api("/api/v1/query", {"query": expr})["result"]

    def wait_for(self, expr, predicate=lambda result: len(result) > 0, timeout=START_TIMEOUT):
        """Queries `expr` until predicate(result) holds; returns that result."""
        def check():
            result = self.query(expr)
            return (result,) if predicate(result) else None
        try:
            return wait_until(check, timeout, interval=0.25, describe=f"query {expr!r}")[0]
        except WaitTimeout as error:
            self.fail(str(error))

    def targets(self):
        return self.api("/api/v1/targets")["activeTargets"]

    def rules(self):
        return self.api("/api/v1/rules")["groups"]

    def alerts(self):
        return self.api("/api/v1/alerts")["alerts"]


class Alertmanager(Component):
    """/usr/bin/prometheus-alertmanager routing everything to one webhook, fast grouping,
    loopback only (`--cluster.listen-address=` turns clustering off)."""

    name = "alertmanager"

    def __init__(self, directory, webhook_url, binary=None, extra_args=()):
        super().__init__(directory)
        config = {
            "route": {"receiver": "webhook", "group_by": ["..."], "group_wait": "1s",
                      "group_interval": "1s", "repeat_interval": "1h"},
            "receivers": [{"name": "webhook",
                           "webhook_configs": [{"url": webhook_url, "send_resolved": True}]}],
        }
        self.config_path = self.dir / "alertmanager.yml"
        self.config_path.write_text(json.dumps(config, indent=2) + "\n")
        data = self.dir / "alertmanager-data"
        binary = binary or alertmanager_binary()
        self._start_on_free_port(lambda port: [
            binary, f"--config.file={self.config_path}", f"--storage.path={data}",
            f"--web.listen-address={HOST}:{port}", "--cluster.listen-address=",
            *extra_args], "/-/ready")

    def alerts(self):
        status, body = http_get(self.url + "/api/v2/alerts")
        if status != 200:
            self.fail(f"GET /api/v2/alerts answered {status}: {body[:500]}")
        return json.loads(body)


class WebhookReceiver:
    """An HTTP server on 127.0.0.1 (free port) collecting Alertmanager's webhook payloads."""

    def __init__(self):
        self._payloads = []
        self._times = []
        self._changed = threading.Condition()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = {"unparsed": raw.decode("utf-8", "replace")}
                with receiver._changed:
                    receiver._payloads.append(payload)
                    receiver._times.append(time.monotonic())
                    receiver._changed.notify_all()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer((HOST, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://{HOST}:{self.port}/alerts"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="webhook-receiver")
        self._thread.start()

    def payloads(self):
        with self._changed:
            return list(self._payloads)

    def alerts(self):
        """Every alert received so far, in order, each with "received_at" (time.monotonic())."""
        with self._changed:
            found = []
            for payload, received in zip(self._payloads, self._times):
                for alert in payload.get("alerts", []):
                    found.append({**alert, "received_at": received})
            return found

    def matching(self, name, labels=None, status="firing"):
        labels = labels or {}
        return [a for a in self.alerts()
                if a.get("labels", {}).get("alertname") == name
                and all(a.get("labels", {}).get(k) == v for k, v in labels.items())
                and (status is None or a.get("status") == status)]

    def wait_for_alert(self, name, labels=None, timeout=60.0, status="firing", logs=()):
        """The first alert `name` with `labels` (and `status`) received; StackError on timeout,
        with what was received and the tails of `logs` (components)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = self.matching(name, labels, status)
                if found:
                    return found[0]
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, 0.5))
        message = (f"no {status} alert {name}{labels or ''} reached the webhook in {timeout:g}s;"
                   f" received: {json.dumps(self.payloads())[:3000]}")
        for component in logs:
            message += f"\n--- {component.log_path} (tail) ---\n{component.log_tail()}"
        raise StackError(message)

    def close(self):
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

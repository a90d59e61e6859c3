"""End to end on real servers, all on 127.0.0.1:

* the alert path: fake Scavio API -> exporter -> Prometheus with the shipped rule file ->
  Alertmanager -> a webhook receiver started by the test. Growth over 1d is 12 % for #boom
  (alert) and 3 % for #calm (no alert; the default threshold is 5 %).
* deploy/local/run-stack.sh: starts the demo stack, serves, and stops every child on SIGINT.

Run: python3 -m unittest -v alert_path_test   (from this folder; see tests/support/stack.py for
the environment variables naming the binaries).
"""

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "support"))
import stack  # noqa: E402

ALERT = "HashtagVideoGrowthHigh"
SOURCE = "tiktok"
# (videos yesterday, videos now, views yesterday, views now): 12 % and 3 % for both counts.
COUNTS = {"boom": (1000, 1120, 150000, 168000), "calm": (1000, 1030, 150000, 154500)}
RUN_STACK = stack.REPO / "deploy" / "local" / "run-stack.sh"


def report(line):
    """Figures for the log of the test run (ctest shows them with -V or on failure)."""
    print(line, file=sys.stderr, flush=True)


class AlertPathTest(unittest.TestCase):
    def setUp(self):
        self.assertTrue(stack.RULES_FILE.is_file(), f"no shipped rule file at {stack.RULES_FILE}")
        self.binary = stack.exporter_binary()
        self.assertTrue(os.access(self.binary, os.X_OK), f"no exporter binary at {self.binary}")
        tmp = tempfile.TemporaryDirectory(prefix="hx-alert-path-")
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)

    def test_growth_alert_reaches_webhook_only_for_the_hashtag_above_threshold(self):
        with stack.WebhookReceiver() as webhook, \
                stack.Alertmanager(self.dir, webhook.url) as alertmanager, \
                stack.FakeScavio(self.dir) as fake:
            for tag, (_, videos, _, views) in COUNTS.items():
                fake.set_mode(tag, {"mode": "ok", "video_count": videos, "view_count": views})
            config = stack.write_tiktok_config(self.dir / "hashtag_exporter.yml", fake.url,
                                               list(COUNTS), interval="1s")
            yesterday = time.time() - 86400 - 60
            stack.import_csv(self.binary, config,
                             [(yesterday, SOURCE, tag, videos, views)
                              for tag, (videos, _, views, _) in COUNTS.items()])

            started = time.monotonic()
            with stack.Exporter(self.binary, config, self.dir) as exporter, \
                    stack.Prometheus(self.dir, [exporter.address], [stack.RULES_FILE],
                                     alertmanager_url=alertmanager.url,
                                     scrape_interval="1s", evaluation_interval="1s") as prometheus:
                components = (exporter, prometheus, alertmanager)
                ready = time.monotonic()
                alert = webhook.wait_for_alert(ALERT, {"hashtag": "boom"}, timeout=45,
                                               logs=components)
                elapsed = alert["received_at"] - started
                report(f"alert path: exporter start -> {ALERT} for #boom at the webhook took "
                       f"{elapsed:.2f} s (exporter, Prometheus ready after "
                       f"{ready - started:.2f} s; scrape and evaluation every 1 s, "
                       f"Alertmanager group_wait 1 s)")

                self.assertEqual(alert["status"], "firing")
                labels = alert["labels"]
                self.assertEqual(labels.get("alertname"), ALERT)
                self.assertEqual(labels.get("source"), SOURCE)
                self.assertEqual(labels.get("hashtag"), "boom")
                self.assertTrue(labels.get("severity"), f"no severity label: {labels}")
                description = alert.get("annotations", {}).get("description", "")
                self.assertIn("12", description, f"description: {description!r}")
                self.assertIn("boom", description)
                self.assertTrue(alert.get("annotations", {}).get("summary"))

                # #calm has a 1d growth series (3 %) and a threshold (5): the rule could fire for
                # it and must not. Give it several more evaluation and notification cycles.
                calm = prometheus.wait_for(
                    f'hashtag_videos_growth_percent{{hashtag="calm",window="1d"}}',
                    lambda r: len(r) == 1, timeout=10)
                # Growth is over exactly one day: the count a day ago is interpolated between the
                # imported snapshot (a day and a minute ago) and the next, so a hair under 3 %.
                self.assertAlmostEqual(float(calm[0]["value"][1]), 3.0, delta=0.01)
                threshold = prometheus.query('hashtag_growth_alert_threshold_percent{hashtag="calm"}')
                self.assertEqual([float(s["value"][1]) for s in threshold], [5.0])
                time.sleep(5)
                self.assertEqual(prometheus.query('ALERTS{hashtag="calm"}'), [])
                calm_alerts = [a for a in webhook.alerts()
                               if a.get("labels", {}).get("hashtag") == "calm"]
                self.assertEqual(calm_alerts, [], json.dumps(calm_alerts, indent=1))
                firing_here = [a["labels"] for a in alertmanager.alerts()]
                self.assertFalse([lb for lb in firing_here if lb.get("hashtag") == "calm"],
                                 firing_here)


def _free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket()
            sock.bind((stack.HOST, 0))
            sockets.append(sock)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _process_start_time(pid):
    """Field 22 of /proc/PID/stat (start time), or None if the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None   # a zombie is gone as far as running goes, but see the reaping check
    return fields[19]


def _descendants(pid):
    """{pid: (command name, start time)} of every descendant of `pid`."""
    children = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        children.setdefault(int(fields[1]), []).append((int(entry.name), name, fields[19]))
    found, todo = {}, [pid]
    while todo:
        for child, name, start in children.get(todo.pop(), []):
            found[child] = (name, start)
            todo.append(child)
    return found


class RunStackTest(unittest.TestCase):
    def setUp(self):
        self.binary = stack.exporter_binary()
        tmp = tempfile.TemporaryDirectory(prefix="hx-run-stack-")
        self.addCleanup(tmp.cleanup)
        self.dir = Path(tmp.name)
        self.state = self.dir / "state"
        self.output = self.dir / "run-stack.out"

    def start(self, *args):
        out = open(self.output, "wb")
        self.addCleanup(out.close)
        process = subprocess.Popen(
            ["bash", str(RUN_STACK), "--state", str(self.state), "--binary", self.binary, *args],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            env=stack.child_environment(), start_new_session=True)
        self.addCleanup(self._kill_leftovers, process)
        return process

    def _kill_leftovers(self, process):
        left = _descendants(process.pid) if process.poll() is None else {}
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def transcript(self):
        text = self.output.read_text(errors="replace") if self.output.exists() else ""
        for log in sorted(self.state.glob("*.log")) if self.state.exists() else []:
            text += f"\n--- {log} (tail) ---\n" + log.read_text(errors="replace")[-3000:]
        return text

    def test_starts_serves_and_stops_every_child_on_sigint(self):
        exporter_port, prometheus_port, alertmanager_port = _free_ports(3)
        started = time.monotonic()
        process = self.start("--exporter-port", str(exporter_port),
                             "--prometheus-port", str(prometheus_port),
                             "--alertmanager-port", str(alertmanager_port))
        prometheus_url = f"http://{stack.HOST}:{prometheus_port}"

        def wait(check, describe, timeout=40):
            def guarded():
                if process.poll() is not None:
                    raise stack.StackError(f"run-stack.sh exited with {process.returncode}")
                return check()
            try:
                return stack.wait_until(guarded, timeout, interval=0.2, describe=describe)
            except stack.StackError as error:
                self.fail(f"{error}\n{self.transcript()}")

        wait(lambda: "Press Ctrl-C" in self.output.read_text(), "the URLs to be printed")
        printed = self.output.read_text()
        for port in (exporter_port, prometheus_port, alertmanager_port):
            self.assertIn(f"http://{stack.HOST}:{port}", printed)
        self.assertIn('window="5m"', printed.replace("%7B", "{").replace("%3D", "=")
                      .replace("%22", '"'))
        for port, path in ((exporter_port, "/metrics"), (prometheus_port, "/-/ready"),
                           (alertmanager_port, "/-/ready")):
            status, _ = stack.http_get(f"http://{stack.HOST}:{port}{path}")
            self.assertEqual(status, 200, f"{port}{path}\n{self.transcript()}")

        def get(path):
            status, body = stack.http_get(prometheus_url + path)
            return json.loads(body)["data"] if status == 200 else None

        def exporter_target_up():
            targets = get("/api/v1/targets")["activeTargets"]
            return [t for t in targets if t["labels"].get("job") == "hashtag_exporter"
                    and t["scrapeUrl"].startswith(f"http://{stack.HOST}:{exporter_port}/")
                    and t["health"] == "up"]
        wait(exporter_target_up, "the exporter target to be up in Prometheus")

        groups = get("/api/v1/rules")["groups"]
        rule_names = {r["name"] for g in groups for r in g["rules"]}
        self.assertIn(ALERT, rule_names)
        self.assertEqual({g["file"] for g in groups}, {str(stack.RULES_FILE)})
        alertmanagers = get("/api/v1/alertmanagers")["activeAlertmanagers"]
        self.assertEqual([a["url"] for a in alertmanagers],
                         [f"http://{stack.HOST}:{alertmanager_port}/api/v2/alerts"])
        report(f"run-stack.sh: serving, target up and rules loaded after "
               f"{time.monotonic() - started:.2f} s")

        children = _descendants(process.pid)
        names = sorted(name for name, _ in children.values())
        self.assertEqual(names, sorted(["hashtag_exporte", "prometheus", "prometheus-aler"]),
                         f"children of run-stack.sh: {children}")

        # Ctrl-C in a terminal: SIGINT to the script's whole process group.
        os.killpg(process.pid, signal.SIGINT)
        try:
            code = process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.fail(f"run-stack.sh still running 30 s after SIGINT\n{self.transcript()}")
        self.assertEqual(code, 130, self.transcript())
        left = {pid: info for pid, info in children.items()
                if _process_start_time(pid) == info[1]}
        self.assertEqual(left, {}, f"still running after run-stack.sh exited\n{self.transcript()}")
        for port in (exporter_port, prometheus_port, alertmanager_port):
            with socket.socket() as sock:
                self.assertNotEqual(sock.connect_ex((stack.HOST, port)), 0, f"port {port} open")
        self.assertIn("Stopping", self.output.read_text())
        self.assertTrue((self.state / "prometheus.yml").is_file(), "given --state was not kept")

    def test_refuses_a_port_in_use_with_a_clear_message(self):
        with socket.socket() as busy:
            busy.bind((stack.HOST, 0))
            busy.listen()
            taken = busy.getsockname()[1]
            prometheus_port, alertmanager_port = _free_ports(2)
            process = self.start("--exporter-port", str(taken),
                                 "--prometheus-port", str(prometheus_port),
                                 "--alertmanager-port", str(alertmanager_port))
            code = process.wait(timeout=30)
        output = self.output.read_text()
        self.assertEqual(code, 1, output)
        self.assertIn(f"port {taken}", output)
        self.assertIn("already in use", output)
        self.assertIn("--exporter-port", output)
        self.assertFalse(list(self.state.glob("*.log")) if self.state.exists() else [], output)


if __name__ == "__main__":
    unittest.main()

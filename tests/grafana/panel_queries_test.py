"""Every PromQL query of the shipped Grafana dashboards, run against a real Prometheus.

The stack (tests/support/stack.py): the fake Scavio API, the exporter with a `tiktok` source of
two hashtags with a month of daily snapshots imported (so 1d and 7d growth and the 28-day
baselines and breakout scores exist: HOT grew 2 % a day and now 12 %, a breakout; CALM grows
3 % a day as always), and Prometheus scraping it every second with the shipped rule file. Once
the series, the recording rules and the growth and breakout alerts are there:

- every templating query (label_values, query_result, ...) runs through the matching
  Prometheus API and must offer the values the panels are then queried with;
- every panel target, with the template variables substituted the way Grafana does (one value,
  several values, "All"), runs as an instant query, and panels drawn over time also as a range
  query over the last minute; each must parse and return data. The alerts panels return data
  too, because HashtagVideoGrowthHigh and HashtagBreakout fire for HOT; they must not show
  them for CALM.

Run by ctest (grafana.panel_queries), or by hand after a build:
    HX_EXPORTER_BINARY=build/hashtag_exporter python3 -m unittest -v tests/grafana/panel_queries_test.py
"""

import contextlib
import json
import os
import re
import sys
import tempfile
import time
import unittest
from pathlib import Path

REPO = Path(os.environ.get("HX_REPO") or Path(__file__).resolve().parents[2])
sys.path.insert(0, str(REPO / "tests" / "support"))
import stack  # noqa: E402 - needs the path above

DASHBOARD_DIR = REPO / "grafana" / "dashboards"
SOURCE = "tiktok"
HOT, CALM = "boom", "calm"   # 12 % and 3 % video growth over 1d (alert threshold: 5 %)
# Their usual daily video growth before today, for a month: HOT's 12 % today is a breakout.
USUAL_DAILY_GROWTH = {HOT: 0.02, CALM: 0.03}
# Days of daily snapshots imported: the 28 days of a baseline, plus the 7d window's reference.
HISTORY_DAYS = 35
WINDOWS = ["1d", "7d"]
JOB = "hashtag_exporter"     # the job name stack.Prometheus gives the exporter's target

# Values of the dashboards' variables: the one picked in the "one value" case, and every value
# the stack produces (for the "several values" and "All" cases).
VARIABLE_VALUES = {
    "job": [JOB],
    "instance": [],          # the exporter's address, known once the stack runs (_start_stack)
    "source": [SOURCE],
    "hashtag": [HOT, CALM],
    "window": WINDOWS,
    "datasource": ["prometheus"],
}
# Grafana's built-in variables. When the queries run, Prometheus holds only seconds of
# history, scraped every second, so ranges stay short: Grafana makes $__rate_interval at least
# 4 scrape intervals; 15s covers several samples, which rate() and increase() need.
BUILTINS = {
    "__rate_interval": "15s", "__rate_interval_ms": "15000",
    "__interval": "5s", "__interval_ms": "5000",
    "__range": "1m", "__range_s": "60", "__range_ms": "60000",
}
# Alerts the stack fires for HOT and never for CALM: the alerts panels must show them.
ALERTS_FOR_HOT = ("HashtagVideoGrowthHigh", "HashtagBreakout")
# Series each dashboard must show: the baseline and breakout score next to growth, and the
# interval the scheduler chose per hashtag (fixed or adaptive).
SERIES_ON_EVERY_DASHBOARD = ("hashtag_videos_growth_baseline_percent", "hashtag_breakout_score",
                             "hashtag_poll_interval_seconds")
RANGE_SECONDS = 60          # range queries: the last minute ...
RANGE_STEP = "5s"           # ... every 5 seconds
READY_TIMEOUT = 90.0        # seconds for the stack to have every series, rule and alert
MIN_SCRAPES = 3             # samples of each series before querying (rates need 2)

# ${var}, ${var:format}, [[var]], [[var:format]] and $var, as Grafana interpolates them.
VARIABLE = re.compile(r"\$\{(\w+)(?::[^}]*)?\}|\[\[(\w+)(?::[^\]]*)?\]\]|\$(\w+)")


def load_dashboards():
    dashboards = []
    for path in sorted(DASHBOARD_DIR.glob("*.json")):
        dashboards.append((path.name, json.loads(path.read_text())))
    return dashboards


def panels_of(dashboard):
    """Every panel, those inside collapsed rows included."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def variable_cases(dashboard):
    """{case name: {variable: text}} for the ways a user can set the dashboard's variables."""
    variables = dashboard.get("templating", {}).get("list", [])
    one = {name: values[0] for name, values in VARIABLE_VALUES.items()}
    cases = {"one value": dict(one)}
    multi = dict(one)
    everything = dict(one)
    for variable in variables:
        name = variable["name"]
        values = VARIABLE_VALUES.get(name)
        if values is None:
            raise AssertionError(f"variable ${name} of {dashboard.get('uid')} has no test value: "
                                 "add it to VARIABLE_VALUES")
        if variable.get("multi") and len(values) > 1:
            multi[name] = "(" + "|".join(re.escape(v) for v in values) + ")"
        if variable.get("includeAll"):
            everything[name] = variable.get("allValue") or (
                "(" + "|".join(re.escape(v) for v in values) + ")")
    if multi != one:
        cases["several values"] = multi
    if everything != one:
        cases["All"] = everything
    return cases


class UnknownVariable(Exception):
    pass


def substitute(text, values):
    """`text` with every variable replaced; UnknownVariable names one the test cannot set."""
    def replace(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name in values:
            return values[name]
        if name in BUILTINS:
            return BUILTINS[name]
        raise UnknownVariable(f"${name} is neither a dashboard variable nor a built-in this "
                              "test knows (BUILTINS)")
    return VARIABLE.sub(replace, text)


def variable_query(variable):
    query = variable.get("query")
    return query.get("query") if isinstance(query, dict) else query


def describe(result, limit=3):
    shown = [r.get("metric", {}) for r in result[:limit]]
    return json.dumps(shown) + (f" and {len(result) - limit} more" if len(result) > limit else "")


class PanelQueriesTest(unittest.TestCase):
    """One stack for the whole class: starting it and waiting for growth takes most of the time."""

    @classmethod
    def setUpClass(cls):
        cls.dashboards = load_dashboards()
        if not cls.dashboards:
            raise AssertionError(f"no dashboards in {DASHBOARD_DIR}")
        if not stack.RULES_FILE.exists():
            raise AssertionError(f"missing rule file {stack.RULES_FILE}")
        cls.stats = {"instant": 0, "range": 0, "variables": 0}
        cls.started = time.monotonic()
        cls.resources = contextlib.ExitStack()
        try:
            cls._start_stack()
        except BaseException:
            cls.resources.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.resources.close()
        print(f"\n{cls.stats['variables']} variable queries, {cls.stats['instant']} instant and "
              f"{cls.stats['range']} range panel queries from {len(cls.dashboards)} dashboards "
              f"in {time.monotonic() - cls.started:.1f}s (stack ready after "
              f"{cls.ready_after:.1f}s)", file=sys.stderr)

    @classmethod
    def _start_stack(cls):
        tmp = cls.resources.enter_context(tempfile.TemporaryDirectory(prefix="hx-grafana-"))
        fake = cls.resources.enter_context(stack.FakeScavio(tmp))
        fake.set_mode(HOT, {"mode": "ok", "video_count": 1120, "view_count": 224000})
        fake.set_mode(CALM, {"mode": "ok", "video_count": 1030, "view_count": 206000})
        config = stack.write_tiktok_config(Path(tmp) / "hashtag_exporter.yml", fake.url,
                                           [HOT, CALM], interval="1s", windows=WINDOWS)
        now = time.time()
        binary = stack.exporter_binary()
        # A day ago both had 1000 videos (the fake API now says 1120 and 1030); before that
        # each grew by its usual rate every day.
        stack.import_csv(binary, config, [
            (now - day * 86400, SOURCE, hashtag, round(1000 / (1 + rate) ** (day - 1)),
             round(200000 / (1 + rate) ** (day - 1)))
            for hashtag, rate in USUAL_DAILY_GROWTH.items()
            for day in range(1, HISTORY_DAYS + 1)
        ])
        exporter = cls.resources.enter_context(stack.Exporter(binary, config, tmp))
        # The scrape's instance label is the target address Prometheus is given.
        VARIABLE_VALUES["instance"] = [exporter.address]
        cls.prometheus = prom = cls.resources.enter_context(
            stack.Prometheus(tmp, [exporter.address], [stack.RULES_FILE]))

        # Growth, baselines and breakout scores for both hashtags and windows, the growth and
        # breakout alerts, a few scrapes (for ranges and rates), and every recording rule
        # evaluated with a result.
        for window in WINDOWS:
            for metric in ("hashtag_videos_growth_percent",
                           "hashtag_videos_growth_baseline_percent", "hashtag_breakout_score"):
                prom.wait_for(f'{metric}{{window="{window}"}}', lambda r: len(r) == 2,
                              timeout=READY_TIMEOUT)
        for alert in ALERTS_FOR_HOT:
            prom.wait_for(f'ALERTS{{alertname="{alert}", alertstate="firing", '
                          f'hashtag="{HOT}"}}', timeout=READY_TIMEOUT)
        prom.wait_for(f'count_over_time(hashtag_up{{hashtag="{HOT}"}}[1m]) >= {MIN_SCRAPES}',
                      timeout=READY_TIMEOUT)
        recorded = sorted({rule["name"] for group in prom.rules() for rule in group["rules"]
                           if rule["type"] == "recording"})
        if not recorded:
            raise AssertionError(f"no recording rules loaded from {stack.RULES_FILE}")
        for name in recorded:
            prom.wait_for(name, timeout=READY_TIMEOUT)
        cls.ready_after = time.monotonic() - cls.started

    # -- helpers

    def instant(self, expr):
        type(self).stats["instant"] += 1
        return self.prometheus.query(expr)

    def range(self, expr):
        type(self).stats["range"] += 1
        end = time.time()
        return self.prometheus.api("/api/v1/query_range", {
            "query": expr, "start": f"{end - RANGE_SECONDS:.3f}", "end": f"{end:.3f}",
            "step": RANGE_STEP})["result"]

    def variable_values(self, query):
        """The values Grafana's Prometheus data source offers for a variable query."""
        type(self).stats["variables"] += 1
        query = query.strip()
        match = re.fullmatch(r"label_values\((?:(.+),\s*)?([a-zA-Z_]\w*)\)", query, re.S)
        if match:
            selector, label = match.groups()
            if selector:
                series = self.prometheus.api("/api/v1/series", {"match[]": selector})
                return sorted({s[label] for s in series if label in s})
            return sorted(self.prometheus.api(f"/api/v1/label/{label}/values"))
        match = re.fullmatch(r"query_result\((.+)\)", query, re.S)
        if match:
            return [json.dumps(r["metric"]) for r in self.instant(match.group(1))]
        match = re.fullmatch(r"metrics\((.+)\)", query, re.S)
        if match:
            names = self.prometheus.api("/api/v1/label/__name__/values")
            return [n for n in names if re.search(match.group(1), n)]
        if re.fullmatch(r"label_names\(\)", query):
            return sorted(self.prometheus.api("/api/v1/labels"))
        # Anything else Grafana runs as a PromQL query and offers the series' labels.
        return [json.dumps(r["metric"]) for r in self.instant(query)]

    @staticmethod
    def run_safely(call):
        """(value, None), or (None, message) if `call` raised a query or substitution error;
        failing outside the handler keeps the report free of chained tracebacks."""
        try:
            return call(), None
        except (stack.StackError, UnknownVariable) as error:
            return None, str(error)

    # -- tests

    def test_variable_queries_offer_the_test_values(self):
        for file, dashboard in self.dashboards:
            variables = dashboard.get("templating", {}).get("list", [])
            names = {v["name"] for v in variables}
            self.assertIn("datasource", names, f"{file}: no datasource variable")
            for case, values in variable_cases(dashboard).items():
                for variable in variables:
                    if variable.get("type") != "query":
                        continue
                    with self.subTest(dashboard=file, variable=variable["name"], case=case):
                        raw = variable_query(variable)
                        query, problem = self.run_safely(lambda: substitute(raw, values))
                        if problem:
                            self.fail(f"{file}: variable {variable['name']}: {problem}: {raw}")
                        offered, problem = self.run_safely(lambda: self.variable_values(query))
                        if problem:
                            self.fail(f"{file}: variable {variable['name']} query {query!r} "
                                      f"failed: {problem}")
                        expected = VARIABLE_VALUES[variable["name"]]
                        self.assertEqual(
                            sorted(set(expected) & set(offered)), sorted(expected),
                            f"{file}: variable {variable['name']} ({query}) offers {offered}, "
                            f"not every value the stack has: {expected}")

    def test_every_panel_query_returns_data(self):
        checked = 0
        for file, dashboard in self.dashboards:
            cases = variable_cases(dashboard)
            for panel in panels_of(dashboard):
                for target in panel.get("targets", []):
                    raw = target.get("expr")
                    if not raw:
                        continue
                    for case, values in cases.items():
                        what = (f"{file}: panel {panel.get('title')!r} query "
                                f"{target.get('refId')} ({case})")
                        with self.subTest(dashboard=file, panel=panel.get("title"),
                                          refId=target.get("refId"), case=case):
                            expr, problem = self.run_safely(lambda: substitute(raw, values))
                            if problem:
                                self.fail(f"{what}: {problem}: {raw}")
                            checked += 1
                            result, problem = self.run_safely(lambda: self.instant(expr))
                            if problem:
                                self.fail(f"{what} does not run: {expr}\n{problem}")
                            self.assertTrue(result, f"{what} returned no data: {expr}")
                            if target.get("range", not target.get("instant", False)):
                                result, problem = self.run_safely(lambda: self.range(expr))
                                if problem:
                                    self.fail(f"{what} does not run as a range query: "
                                              f"{expr}\n{problem}")
                                self.assertTrue(result, f"{what} returned no data over the "
                                                        f"last {RANGE_SECONDS}s: {expr}")
        self.assertGreater(checked, 0, "the dashboards have no queries")

    def test_every_dashboard_shows_baseline_breakout_score_and_poll_interval(self):
        for file, dashboard in self.dashboards:
            queried = " ".join(target.get("expr", "") for panel in panels_of(dashboard)
                               for target in panel.get("targets", []))
            for series in SERIES_ON_EVERY_DASHBOARD:
                self.assertRegex(queried, rf"\b{series}\{{", f"{file}: no panel queries {series}")

    def test_alerts_panels_show_the_growth_and_breakout_alerts(self):
        panels = [(file, panel, target, dashboard)
                  for file, dashboard in self.dashboards
                  for panel in panels_of(dashboard) for target in panel.get("targets", [])
                  if "ALERTS" in target.get("expr", "")]
        self.assertTrue(panels, "no dashboard has an alerts panel (a query on ALERTS)")
        for file, panel, target, dashboard in panels:
            with self.subTest(dashboard=file, panel=panel.get("title")):
                values = variable_cases(dashboard)["one value"]
                result = self.instant(substitute(target["expr"], values))
                for alert in ALERTS_FOR_HOT:
                    hashtags = [r["metric"].get("hashtag") for r in result
                                if r["metric"].get("alertname") == alert]
                    self.assertIn(HOT, hashtags,
                                  f"{file}: panel {panel.get('title')!r} does not show {alert} "
                                  f"for #{HOT} (12 %, usually 2 %): {describe(result)}")
                    self.assertNotIn(CALM, hashtags,
                                     f"{file}: panel {panel.get('title')!r} shows {alert} for "
                                     f"#{CALM} (3 %, as usual)")


if __name__ == "__main__":
    unittest.main()

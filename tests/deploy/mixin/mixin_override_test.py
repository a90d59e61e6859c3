#!/usr/bin/env python3
"""The mixin's _config fields reach what a kube-prometheus user renders.

    mixin_override_test.py REPO PROMTOOL

Renders deploy/mixin with every kind of override (the job selector, thresholds, the breakout
score and window, a `for:`, the runbook URL pattern, the dashboard tags), the way a user's
jsonnet does, and checks that each one lands where it should and nowhere the default stays
behind; then `promtool check rules` accepts the rendered rules. The default rendering itself is
pinned by deploy.mixin.drift.
Needs jsonnet (Debian package jsonnet) and promtool (prometheus).
"""
import json
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPO = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[3]
PROMTOOL = sys.argv[2] if len(sys.argv) > 2 else "promtool"

OVERRIDE = """
local mixin = (import 'mixin.libsonnet') + {
  _config+:: {
    hashtagExporterSelector: 'job="hashtags", namespace="monitoring"',
    runbookURLPattern: 'https://runbooks.example/hashtag/%s',
    creditsLowThreshold: 500,
    exporterDownFor: '10m',
    fetchErrorRatioThreshold: 0.5,
    breakoutScoreThreshold: 4.5,
    breakoutWindow: '7d',
    dashboardTags: ['hashtags', 'team-a'],
  },
};
local panels(dashboard) = std.flattenArrays([[p] + (if std.objectHas(p, 'panels') then p.panels else []) for p in dashboard.panels]);
{
  groups: mixin.prometheusRules.groups + mixin.prometheusAlerts.groups,
  tags: { [name]: mixin.grafanaDashboards[name].tags for name in std.objectFields(mixin.grafanaDashboards) },
  // The threshold steps of every panel that shows breakout scores, by dashboard and title.
  breakoutSteps: {
    [name]: {
      [p.title]: p.fieldConfig.defaults.thresholds.steps
      for p in panels(mixin.grafanaDashboards[name])
      if std.objectHas(p, 'targets') && std.length([t for t in p.targets if std.length(std.findSubstr('hashtag_breakout_score', t.expr)) > 0]) > 0
    }
    for name in std.objectFields(mixin.grafanaDashboards)
  },
}
"""


class MixinOverrideTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        jsonnet = shutil.which("jsonnet")
        if not jsonnet:
            raise AssertionError("jsonnet not found: install the Debian package jsonnet")
        result = subprocess.run([jsonnet, "-J", str(REPO / "deploy/mixin"), "-e", OVERRIDE],
                                capture_output=True, text=True, check=False)
        if result.returncode:
            raise AssertionError(f"jsonnet failed: {result.stderr}")
        cls.output = json.loads(result.stdout)
        cls.alerts = {r["alert"]: r for g in cls.output["groups"] for r in g["rules"] if "alert" in r}

    def test_the_job_selector_scopes_every_series_that_is_not_the_exporters_own(self):
        for name in ("HashtagExporterDown", "HashtagExporterAbsent", "HashtagExporterRestarting"):
            self.assertIn('{job="hashtags", namespace="monitoring"}', self.alerts[name]["expr"], name)
        text = json.dumps(self.output["groups"])
        self.assertNotIn('job=\\"hashtag_exporter\\"', text, "the default job stayed somewhere")

    def test_thresholds_and_durations_reach_expressions_and_descriptions(self):
        credits = self.alerts["HashtagCreditsLow"]
        self.assertEqual(credits["expr"].strip(), "hashtag_source_credits_remaining < 500")
        down = self.alerts["HashtagExporterDown"]
        self.assertEqual(down["for"], "10m")
        self.assertIn("for 10m:", down["annotations"]["description"])
        ratio = self.alerts["HashtagFetchErrorRatioHigh"]
        self.assertTrue(ratio["expr"].strip().endswith("> 0.5"), ratio["expr"])
        self.assertIn("(alert above 50 %)", ratio["annotations"]["description"])

    def test_breakout_threshold_and_window_reach_the_alert(self):
        breakout = self.alerts["HashtagBreakout"]
        expr = " ".join(breakout["expr"].split())
        self.assertTrue(expr.endswith('hashtag_breakout_score{window="7d"} >= 4.5'), expr)
        self.assertIn('hashtag_videos_growth_percent{window="7d"}', expr)
        self.assertNotIn('"1d"', expr)
        description = breakout["annotations"]["description"]
        self.assertIn("over 7d,", description)
        self.assertIn("alert at 4.5;", description)
        # The baseline and the score the description queries are the window's too.
        self.assertEqual(description.count('$labels.hashtag "7d" | query'), 2, description)

    def test_breakout_threshold_reaches_the_score_panels(self):
        steps = self.output["breakoutSteps"]
        # The detail dashboard's graph, the overview's bars and table.
        self.assertEqual(sorted(steps["hashtag-detail.json"]), ["Breakout score"])
        self.assertEqual(sorted(steps["hashtag-overview.json"]),
                         ["Growth against baseline ($window)", "Top breakout scores ($window)"])
        for name, panels in steps.items():
            for title, panel_steps in panels.items():
                self.assertEqual([step["value"] for step in panel_steps], [None, 4.5],
                                 f"{name}: {title}")

    def test_every_alert_links_its_runbook_section_through_the_pattern(self):
        self.assertGreater(len(self.alerts), 10)
        for name, rule in self.alerts.items():
            self.assertEqual(rule["annotations"]["runbook_url"],
                             f"https://runbooks.example/hashtag/{name.lower()}")

    def test_dashboard_tags(self):
        self.assertEqual(self.output["tags"], {"hashtag-detail.json": ["hashtags", "team-a"],
                                               "hashtag-overview.json": ["hashtags", "team-a"]})

    def test_promtool_accepts_the_rendered_rules(self):
        with tempfile.NamedTemporaryFile("w", suffix=".rules.yml") as rules:
            # JSON is YAML: promtool reads it as a rule file.
            json.dump({"groups": self.output["groups"]}, rules)
            rules.flush()
            result = subprocess.run([PROMTOOL, "check", "rules", rules.name],
                                    capture_output=True, text=True, check=False)
            self.assertEqual(result.returncode, 0, result.stdout + result.stderr)


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)

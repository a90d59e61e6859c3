#!/usr/bin/env python3
"""Conventions of the shipped rule files that promtool does not check.

    lint_rules.py RULES_DIR TESTS_DIR

- alert names are CamelCase with the shared prefix `Hashtag`;
- the recording rules the dashboards query exist under their exact names;
- every alert has a unit test in which it fires (so its labels and annotations are pinned by an
  exact exp_labels/exp_annotations match), and every recording rule has a promql_expr_test.

Standard library only (PyYAML is not among the packages scripts/test.sh installs), so the files
are read line by line: rule files keep one `- alert:`/`- record:` per line, test files one
`alertname:`/`expr:` per line, which promtool's own format and these files follow.
"""
import pathlib
import re
import sys

# Queried by grafana/dashboards: renaming one breaks panels.
REQUIRED_RECORDS = {
    "source:hashtag_up:ratio",
    "hashtag:data_age_seconds",
    "source:hashtag_collect_errors:rate1h",
    "hashtag:videos_growth_percent:excess_1d",
}
ALERT_NAME = re.compile(r"^Hashtag(?:[A-Z][a-z0-9]*)+$")
RECORD_NAME = re.compile(r"^[a-z_]+:[a-z0-9_]+(?::[a-z0-9_]+)?$")


def main(rules_dir: pathlib.Path, tests_dir: pathlib.Path) -> int:
    errors = []
    alerts, records = {}, {}
    rule_files = sorted(rules_dir.glob("*.rules.yml"))
    if not rule_files:
        errors.append(f"no *.rules.yml in {rules_dir}")
    for path in rule_files:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if m := re.match(r"^\s*- alert:\s*(\S+)\s*$", line):
                alerts[m.group(1)] = f"{path.name}:{number}"
            elif m := re.match(r"^\s*- record:\s*(\S+)\s*$", line):
                records[m.group(1)] = f"{path.name}:{number}"

    for name, where in sorted(alerts.items()):
        if not ALERT_NAME.match(name):
            errors.append(f"{where}: alert {name}: expected CamelCase with the prefix Hashtag")
    for name, where in sorted(records.items()):
        if not RECORD_NAME.match(name):
            errors.append(f"{where}: record {name}: expected level:metric[:operations]")
    for name in sorted(REQUIRED_RECORDS - records.keys()):
        errors.append(f"recording rule {name} is missing (the dashboards query it)")

    fired, expressions = set(), set()
    test_files = sorted(tests_dir.glob("*.yml"))
    if not test_files:
        errors.append(f"no test files in {tests_dir}")
    for path in test_files:
        lines = path.read_text().splitlines()
        for index, line in enumerate(lines):
            if m := re.match(r"^\s*alertname:\s*(\S+)\s*$", line):
                # The alert fires in this test if the exp_alerts that follows is not empty.
                for following in lines[index + 1:]:
                    if e := re.match(r"^\s*exp_alerts:\s*(.*?)\s*$", following):
                        if e.group(1) != "[]":
                            fired.add(m.group(1))
                        break
            elif m := re.match(r"^\s*-?\s*expr:\s*(\S+)\s*$", line):
                expressions.add(m.group(1))
    for name, where in sorted(alerts.items()):
        if name not in fired:
            errors.append(f"{where}: alert {name} has no unit test in which it fires")
    for name, where in sorted(records.items()):
        if name not in expressions:
            errors.append(f"{where}: record {name} has no promql_expr_test")

    for error in errors:
        print(error, file=sys.stderr)
    if not errors:
        print(f"OK: {len(alerts)} alerts, {len(records)} recording rules, all tested")
    return 1 if errors else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])))

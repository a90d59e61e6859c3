#!/usr/bin/env python3
"""No script of the project stops, disables, masks, restarts or reconfigures a system service.

People run the set-up and test scripts on monitoring hosts where Prometheus and Alertmanager
already serve: those services are not ours to touch. This reads every shell script that runs on
a host (scripts/, .ci/, deploy/local/, the Debian maintainer scripts are exempt: they manage the
exporter's own unit) and fails on a service-control command aimed at anything.

    services_untouched_test.py REPO
"""
import pathlib
import re
import sys

# systemctl/service/invoke-rc.d/update-rc.d verbs that change a running or enabled service.
CHANGING_VERBS = r"(stop|disable|mask|restart|reload|try-restart|reload-or-restart|kill|isolate|edit|set-property|revert)"
PATTERNS = [
    re.compile(r"\bsystemctl\b[^\n#]*\b" + CHANGING_VERBS + r"\b"),
    re.compile(r"\bservice\s+\S+\s+" + CHANGING_VERBS + r"\b"),
    re.compile(r"\binvoke-rc\.d\b[^\n#]*\b" + CHANGING_VERBS + r"\b"),
    re.compile(r"\bupdate-rc\.d\b[^\n#]*\b(disable|remove|defaults-disabled)\b"),
    re.compile(r"\b(pkill|killall)\b[^\n#]*\b(prometheus|alertmanager)\b"),
]


def host_scripts(repo: pathlib.Path):
    for folder in ("scripts", ".ci", "deploy/local"):
        for path in sorted((repo / folder).rglob("*")):
            if path.is_file() and (path.suffix == ".sh" or path.read_bytes().startswith(b"#!")):
                yield path


def code_lines(path: pathlib.Path):
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        code = line.split("#", 1)[0] if not line.lstrip().startswith("#!") else ""
        if code.strip():
            yield number, code


def offending(repo: pathlib.Path):
    for path in host_scripts(repo):
        for number, code in code_lines(path):
            if any(pattern.search(code) for pattern in PATTERNS):
                yield f"{path.relative_to(repo)}:{number}: {code.strip()}"


def self_check():
    """The patterns catch what the set-up script once did, and leave harmless lines alone."""
    caught = ['as_root systemctl disable --now "$service"', "systemctl stop prometheus",
              "service prometheus-alertmanager restart", "pkill -f prometheus"]
    harmless = ["systemctl is-active --quiet prometheus", 'echo "==> installing"',
                "prometheus --config.file=x --web.listen-address=127.0.0.1:0"]
    for line in caught:
        assert any(p.search(line) for p in PATTERNS), f"pattern misses: {line}"
    for line in harmless:
        assert not any(p.search(line) for p in PATTERNS), f"pattern flags harmless: {line}"


def main() -> int:
    self_check()
    repo = pathlib.Path(sys.argv[1]).resolve()
    found = list(offending(repo))
    for line in found:
        print(f"touches a system service: {line}")
    scanned = len(list(host_scripts(repo)))
    if scanned == 0:
        print("no scripts found: wrong repository path?")
        return 1
    print(f"{scanned} scripts scanned, {len(found)} service-control commands")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""The layers of ARCHITECTURE.md hold: dependencies point inward, to core/.

    layers_test.py REPO

Each rule names folders and the #include targets they must not use; a violation prints the
file, the line and the rule.
"""
import pathlib
import re
import sys

ADAPTER_LIBRARIES = r"(spdlog/|sqlite3\.h|curl/|yaml-cpp/|boost/|CivetServer|civetweb|prometheus/)"
ENGINE_AND_ADAPTER_HEADERS = (r"hashtag_exporter/(store|http_client|plugin_host|yaml_reader|log|"
                              r"service|scheduler|collector|source|setup|clock|import|report)\.hpp")
RULES = [
    ("core/ knows nothing of HTTP serving, Prometheus or TikTok",
     ["core"], r"(prometheus/|CivetServer|civetweb|tiktok)"),
    ("core/src/domain/ holds rules and values only: no I/O library, engine or adapter",
     ["core/src/domain"], ADAPTER_LIBRARIES + "|" + ENGINE_AND_ADAPTER_HEADERS),
    ("plugins/ know only the SDK: no host header, nothing of Prometheus",
     ["plugins"], r"(prometheus/|hashtag_exporter/(?!plugin/))"),
    ("exporters/prometheus/ knows nothing of plugins",
     ["exporters/prometheus"], r"hashtag_exporter/(plugin/(abi\.h|sdk[a-z_]*\.hpp|reasons\.hpp)|"
                               r"plugin_host\.hpp|source\.hpp)"),
]
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')


def violations(repo: pathlib.Path):
    for rule, folders, forbidden in RULES:
        pattern = re.compile(forbidden)
        for folder in folders:
            for path in sorted((repo / folder).rglob("*")):
                if path.suffix not in (".c", ".h", ".cpp", ".hpp") or "build" in path.parts:
                    continue
                for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                    match = INCLUDE.match(line)
                    if match and pattern.search(match.group(1)):
                        yield f"{path.relative_to(repo)}:{number}: {match.group(1)}: {rule}"


def self_check():
    """Each rule catches what it is about."""
    samples = {0: "prometheus/registry.h", 1: "hashtag_exporter/store.hpp",
               2: "hashtag_exporter/state.hpp", 3: "hashtag_exporter/plugin/abi.h"}
    for index, include in samples.items():
        assert re.search(RULES[index][2], include), f"rule {index} misses {include}"
    assert not re.search(RULES[2][2], "hashtag_exporter/plugin/sdk.hpp"), "plugins may use the SDK"


def main() -> int:
    self_check()
    repo = pathlib.Path(sys.argv[1]).resolve()
    found = list(violations(repo))
    print("\n".join(found) if found else f"{len(RULES)} layer rules hold")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Static checks of deploy/docker/Dockerfile (no container engine runs on the build machines).

    docker_test.py structure         --dockerfile F --repo R
    docker_test.py packages_exist    --dockerfile F
    docker_test.py runtime_libraries --dockerfile F BINARY PLUGIN...

- structure: both stages on debian:bookworm-slim, the builder runs scripts/build.sh and installs
  into the prefix the ENTRYPOINT uses, the runtime stage runs as 65534:65534, exposes 19929, has
  a HEALTHCHECK on /-/healthy with a tool it installs, and COPY sources exist in the repo;
- packages_exist: every package the runtime stage installs exists in Debian 12 (apt-cache);
- runtime_libraries: those packages cover every library the binary and the plugins link
  (dpkg-shlibdeps, as the Debian package computes its Depends), so the image starts.

Exit 0 on success, 1 on failure. Python 3 standard library; apt-cache and dpkg-shlibdeps
(dpkg-dev, scripts/test.sh).
"""

import argparse
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

BASE_IMAGE = "debian:bookworm-slim"
PORT = 19929
USER = "65534:65534"
PREFIX = "/opt/hashtag_exporter"


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(*command, cwd=None):
    try:
        result = subprocess.run(list(map(str, command)), capture_output=True, text=True, cwd=cwd,
                                timeout=60)
    except FileNotFoundError:
        raise Failure(f"{command[0]} not found: run scripts/test.sh")
    return result


def instructions(path):
    """[(instruction, arguments)] with continuation lines joined and comments dropped."""
    result, pending = [], ""
    for line in Path(path).read_text().splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        pending += " " + stripped
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        keyword, _, rest = pending.strip().partition(" ")
        result.append((keyword.upper(), rest.strip()))
        pending = ""
    return result


def stages(path):
    """[[instructions of stage 0], [stage 1], ...], ARGs before the first FROM in stage -1."""
    found, args = [], {}
    for keyword, rest in instructions(path):
        if keyword == "ARG" and not found:
            name, _, default = rest.partition("=")
            args[name] = default
            continue
        if keyword == "FROM":
            found.append([])
        check(found, f"{keyword} before the first FROM")
        found[-1].append((keyword, rest))
    return args, found


def runtime_packages(path):
    _, all_stages = stages(path)
    packages = []
    for keyword, rest in all_stages[-1]:
        if keyword == "RUN" and "apt-get install" in rest:
            words = shlex.split(rest.split("apt-get install", 1)[1].split("&&")[0])
            packages += [w for w in words if not w.startswith("-")]
    check(packages, "the runtime stage installs no packages with apt-get install")
    return packages


def structure(options):
    args, all_stages = stages(options.dockerfile)
    check(len(all_stages) >= 2, "expected a multi-stage build (builder and runtime)")
    for index, stage in enumerate(all_stages):
        image = stage[0][1].split()[0]
        image = re.sub(r"\$\{?(\w+)\}?", lambda m: args.get(m[1], m[0]), image)
        check(image == BASE_IMAGE, f"stage {index} is FROM {image}, expected {BASE_IMAGE}")
    builder = " ".join(rest for keyword, rest in all_stages[0] if keyword == "RUN")
    check("./scripts/build.sh" in builder, "the builder does not run ./scripts/build.sh")
    check(f"-DCMAKE_INSTALL_PREFIX={PREFIX}" in builder and "cmake --install" in builder,
          f"the builder does not install into {PREFIX}")

    runtime = all_stages[-1]
    last = {}
    for keyword, rest in runtime:
        last[keyword] = rest
    check(last.get("USER") == USER, f"runtime USER is {last.get('USER')}, expected {USER}")
    check(str(PORT) in last.get("EXPOSE", "").split(), f"runtime does not EXPOSE {PORT}")
    entrypoint = last.get("ENTRYPOINT", "")
    check(entrypoint.startswith("[") and f"{PREFIX}/bin/hashtag_exporter" in entrypoint,
          f"ENTRYPOINT must be the exec form of {PREFIX}/bin/hashtag_exporter: {entrypoint}")
    check("--config.file=/etc/hashtag_exporter/hashtag_exporter.yml" in last.get("CMD", ""),
          f"CMD: {last.get('CMD')}")
    healthcheck = last.get("HEALTHCHECK", "")
    check(f"127.0.0.1:{PORT}/-/healthy" in healthcheck, f"HEALTHCHECK: {healthcheck}")
    tool = healthcheck.split("CMD", 1)[-1].split()[0]
    check(tool in runtime_packages(options.dockerfile),
          f"the HEALTHCHECK runs {tool}, which the runtime stage does not install")

    # COPY sources of the builder are in the build context (the repository root).
    for keyword, rest in all_stages[0]:
        if keyword == "COPY" and "--from" not in rest:
            for source in shlex.split(rest)[:-1]:
                if not source.startswith("--"):
                    check((Path(options.repo) / source).exists(), f"COPY {source}: not in the repo")
    print("structure OK")


def apt_records(packages):
    """{package: {"Version": ..., "Provides": {...}}} of those apt knows (one apt-cache call: each
    call reads the whole cache, seconds on a machine with big lists)."""
    result = run("apt-cache", "show", "--no-all-versions", *packages)
    records = {}
    for block in result.stdout.split("\n\n"):
        fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", block, re.M))
        if "Package" in fields:
            provides = {re.split(r"[ (]", p.strip())[0]
                        for p in fields.get("Provides", "").split(",") if p.strip()}
            records[fields["Package"]] = {"Version": fields.get("Version"), "Provides": provides}
    return records


def packages_exist(options):
    packages = runtime_packages(options.dockerfile)
    records = apt_records(packages)
    for package in packages:
        if package in records:
            print(f"{package} {records[package]['Version']}")
    missing = [p for p in packages if p not in records]
    check(not missing, f"not in the apt lists: {missing} (if every package is missing, run "
          "apt-get update: the lists may be empty)")
    print("packages_exist OK")


def runtime_libraries(options):
    files = []
    for name in options.files:
        path = Path(name)
        files += sorted(path.glob("*.so")) if path.is_dir() else [path]
    check(files, "give the binary and the plugins")
    print("checking " + " ".join(map(str, files)))
    with tempfile.TemporaryDirectory() as scratch:
        (Path(scratch) / "debian").mkdir()
        (Path(scratch) / "debian/control").write_text("")
        # Private libraries (the TLS shims beside the binary) are found through the RPATH or -l
        # and have no package: their own dependencies count, they themselves do not.
        private_dirs = sorted({f"-l{f.parent}" for f in files})
        result = run("dpkg-shlibdeps", "-O", "--ignore-missing-info", *private_dirs,
                     *(f"-e{f}" for f in files), cwd=scratch)
    check(result.returncode == 0, f"dpkg-shlibdeps failed:\n{result.stderr}")
    line = next((l for l in result.stdout.splitlines() if l.startswith("shlibs:Depends=")), "")
    needed = {re.split(r"[ (]", d.strip())[0] for d in line.split("=", 1)[-1].split(",") if d.strip()}
    check(needed, f"dpkg-shlibdeps found no dependencies: {result.stdout}")
    installed = set()
    for package, record in apt_records(runtime_packages(options.dockerfile)).items():
        installed |= {package} | record["Provides"]
    missing = sorted(needed - installed)
    print(f"needed: {sorted(needed)}")
    check(not missing, f"the runtime stage does not install {missing}, which the binary or a "
          "plugin links: add them to its apt-get install")
    check("ca-certificates" in installed, "no ca-certificates: HTTPS to the API would fail")
    print("runtime_libraries OK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["structure", "packages_exist", "runtime_libraries"])
    parser.add_argument("--dockerfile", required=True)
    parser.add_argument("--repo")
    parser.add_argument("files", nargs="*", help="ELF files, or folders of shared libraries")
    options = parser.parse_intermixed_args()
    try:
        globals()[options.step](options)
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

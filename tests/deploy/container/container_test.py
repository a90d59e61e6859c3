#!/usr/bin/env python3
"""Builds the container image of deploy/docker/Dockerfile with podman and runs it.

    container_test.py --repo R --work DIR --size-bound-mb N

No container registry is reachable from CI, so the base image is made here: mmdebstrap builds a
minimal Debian 12 root file system from the Debian archive (cached in DIR/cache, one tarball a
day: a developer's second run skips it, CI starts fresh), `podman import` turns it into an image
and `podman build --build-arg BASE_IMAGE=...` builds the project's image on it. Then the image
is checked as it runs:

- its configuration: numeric non-root USER, no HEALTHCHECK, the exporter as ENTRYPOINT;
- its files: no shell and no package manager, the demo config and the default config present;
- every plugin loads in it (`hashtag_exporter plugins`: the runtime libraries are all there);
- on the demo config and a free loopback port (--network host) it serves /metrics with the
  demo's hashtag_videos, its process runs as a non-root uid (/proc of the host), and the
  demo's history is written beside the config (`report` through podman exec);
- its size is printed and must stay under the bound deploy/docker/README.md states.

podman keeps its images and containers in DIR/storage (--root; its --runroot is a short-lived
folder in /tmp): a system podman's
images and containers are never touched. The container, the images and that storage are removed
at the end, whatever happened; only the base tarball stays in DIR/cache.

The runtime flags these machines need (--runtime runc, --cgroup-manager cgroupfs, explicit
ulimits) are given here, not in the Dockerfile: they are the test machine's, not the image's.

Exit 0 on success, 1 on failure. podman, mmdebstrap and runc come from scripts/test.sh.
"""

import argparse
import datetime
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

SUITE = "bookworm"
MIRRORS = [
    "deb http://deb.debian.org/debian bookworm main",
    "deb http://deb.debian.org/debian bookworm-updates main",
    "deb http://deb.debian.org/debian-security bookworm-security main",
]
# The machines' apt serves archive snapshots whose Release files may be past their Valid-Until;
# written into the base's apt configuration too, so that the build stage's apt accepts them.
APT_OPTIONS = ['Acquire::Check-Valid-Until "false"']
# Limits podman must set explicitly on these machines (their defaults exceed what runc may set).
ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=32768:32768"]
PREFIX = "/opt/hashtag_exporter"
DEMO_CONFIG = f"{PREFIX}/demo/demo.yml"
DEFAULT_CONFIG = "/etc/hashtag_exporter/hashtag_exporter.yml"
# Where a shell or a package manager would be, if one had slipped into the image.
FORBIDDEN = ["bin/sh", "bin/bash", "bin/dash", "usr/bin/apt-get", "usr/bin/dpkg", "usr/bin/curl"]


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


class Podman:
    def __init__(self, work):
        self.storage = work / "storage"
        # podman refuses a runroot path over 50 characters, which a build tree's easily is.
        self.runroot = Path(tempfile.mkdtemp(prefix="hx-podman-run-"))
        self.base = ["podman", "--root", str(self.storage), "--runroot", str(self.runroot),
                     "--runtime", "runc", "--cgroup-manager", "cgroupfs",
                     "--events-backend", "file"]

    def __call__(self, *args, check_status=True, timeout=600, capture=True):
        command = self.base + list(map(str, args))
        try:
            result = subprocess.run(command, text=True, timeout=timeout,
                                    capture_output=capture, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise Failure(f"timed out after {timeout}s: podman {' '.join(map(str, args))}")
        if check_status and result.returncode != 0:
            raise Failure(f"podman {' '.join(map(str, args))} failed (exit {result.returncode}):\n"
                          f"{result.stdout or ''}{result.stderr or ''}")
        return result


def require_tools():
    missing = [tool for tool in ("podman", "mmdebstrap", "runc") if not shutil.which(tool)]
    check(not missing, f"{', '.join(missing)} not found: run scripts/test.sh (it installs "
          "podman, mmdebstrap and runc from scripts/packages.sh's test_packages)")


def base_tarball(cache):
    """A minbase Debian 12 root file system, made once a day (the archive moves on) and for
    each list of mirrors and options."""
    key = hashlib.sha256("\n".join([SUITE, *MIRRORS, *APT_OPTIONS]).encode()).hexdigest()[:12]
    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%d")
    tarball = cache / f"{SUITE}-minbase-{day}-{key}.tar"
    if tarball.exists():
        log(f"base root file system: cached {tarball}")
        return tarball, key
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{SUITE}-minbase-*.tar*"):
        old.unlink()
    log(f"base root file system: mmdebstrap --variant=minbase {SUITE} (Debian archive)")
    partial = tarball.with_suffix(".tar.partial")
    command = ["mmdebstrap", "--variant=minbase", "--mode=root", "--format=tar", "--quiet",
               *(f"--aptopt={option}" for option in APT_OPTIONS), SUITE, str(partial), *MIRRORS]
    result = subprocess.run(command, text=True, capture_output=True, timeout=900,
                            stdin=subprocess.DEVNULL)
    check(result.returncode == 0, f"mmdebstrap failed (exit {result.returncode}):\n"
          f"{result.stdout}{result.stderr}")
    partial.rename(tarball)  # only a complete tarball is ever reused
    return tarball, key


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def image_config(podman, image):
    fmt = ("{{.Config.User}}|{{json .Config.Entrypoint}}|{{json .Config.Cmd}}|"
           "{{json .HealthCheck}}|{{.Size}}")
    user, entrypoint, cmd, healthcheck, size = podman(
        "image", "inspect", "--format", fmt, image).stdout.strip().split("|")
    return user, entrypoint, cmd, healthcheck, int(size)


def check_config(podman, image):
    user, entrypoint, cmd, healthcheck, _ = image_config(podman, image)
    log(f"image USER {user}, ENTRYPOINT {entrypoint}, CMD {cmd}, HEALTHCHECK {healthcheck}")
    uid = user.split(":")[0]
    # Kubernetes' runAsNonRoot can only verify a numeric user.
    check(uid.isdigit() and int(uid) != 0, f"USER must be a numeric non-root uid, is {user!r}")
    check(healthcheck in ("null", "", "{}"), f"the image has a HEALTHCHECK: {healthcheck}")
    check(f"{PREFIX}/bin/hashtag_exporter" in entrypoint, f"ENTRYPOINT: {entrypoint}")
    check(DEFAULT_CONFIG in cmd, f"CMD does not name {DEFAULT_CONFIG}: {cmd}")


def check_files(podman, image):
    """The image's files, read from its mounted root as the host sees it."""
    root = Path(podman("image", "mount", image).stdout.strip())
    try:
        present = [path for path in FORBIDDEN if os.path.lexists(root / path)]
        check(not present, f"the image has {present}: no shell or package manager expected")
        for path in (DEMO_CONFIG, DEFAULT_CONFIG, "/etc/ssl/certs/ca-certificates.crt"):
            check((root / path.lstrip("/")).is_file(), f"the image has no {path}")
        packages = (root / "usr/share/doc/hashtag-exporter/runtime-packages").read_text().split()
        log(f"runtime packages in the image: {' '.join(packages)}")
    finally:
        podman("image", "unmount", image, check_status=False)


def check_demo(podman, image, name):
    port = free_port()
    podman("run", "--detach", "--name", name, "--network", "host", *ULIMITS, image,
           f"--config.file={DEMO_CONFIG}", f"--web.listen-address=127.0.0.1:{port}")
    url = f"http://127.0.0.1:{port}/metrics"
    log(f"container {name} started on the demo config; polling {url}")
    deadline = time.monotonic() + 90
    metrics = None
    while time.monotonic() < deadline:
        metrics = fetch(url)
        if metrics and 'hashtag_videos{source="demo"' in metrics:
            break
        state = podman("inspect", "--format", "{{.State.Status}}", name).stdout.strip()
        check(state == "running", f"the container is {state}:\n"
              f"{podman('logs', name, check_status=False).stderr}")
        time.sleep(1)
    check(metrics and 'hashtag_videos{source="demo"' in metrics,
          f"no demo hashtag_videos on {url} within 90s:\n{(metrics or '')[:2000]}\n"
          f"{podman('logs', name, check_status=False).stderr}")
    videos = [line for line in metrics.splitlines() if line.startswith("hashtag_videos{")]
    log(f"/metrics serves {len(videos)} hashtag_videos series, e.g. {videos[0]}")

    # The process as the host's kernel sees it: its real, effective, saved and file uids.
    pid = podman("inspect", "--format", "{{.State.Pid}}", name).stdout.strip()
    status = Path(f"/proc/{pid}/status").read_text()
    uids = next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1:]
    exe = os.readlink(f"/proc/{pid}/exe")
    log(f"process {pid} ({exe}) runs with uids {' '.join(uids)}")
    check(exe.endswith("/hashtag_exporter"), f"pid {pid} is {exe}, not the exporter")
    check(all(uid != "0" for uid in uids), f"the exporter runs as root: uids {uids}")

    # The demo's history lands beside its config: the folder is writable by that user.
    report = podman("exec", name, f"{PREFIX}/bin/hashtag_exporter", "report",
                    f"--config.file={DEMO_CONFIG}", "--window", "5m")
    check("#aitools" in report.stdout, f"report from the demo's history:\n{report.stdout}"
          f"{report.stderr}")
    log("the demo's history beside its config is written and read back (report)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repo", required=True, type=Path)
    parser.add_argument("--work", required=True, type=Path)
    parser.add_argument("--size-bound-mb", required=True, type=float)
    options = parser.parse_args()
    started = time.monotonic()
    work = options.work.resolve()
    podman = Podman(work)
    tag = f"{os.getpid()}"
    image = f"localhost/hashtag-exporter-test:{tag}"
    name = f"hashtag-exporter-test-{tag}"
    try:
        require_tools()
        tarball, key = base_tarball(work / "cache")
        base = f"localhost/hashtag-exporter-base:{SUITE}-{key}"
        podman("import", tarball, base)
        log(f"base image {base} imported")

        step = time.monotonic()
        # --network host: the build stage's apt reaches the archive without a container network.
        # Output goes straight to the log: the build takes minutes and shows its progress.
        repo = options.repo.resolve()
        result = podman("build", "--network", "host", *ULIMITS, "--build-arg",
                        f"BASE_IMAGE={base}", "--ignorefile",
                        repo / "deploy/docker/Dockerfile.dockerignore",
                        "--file", repo / "deploy/docker/Dockerfile", "--tag", image, repo,
                        capture=False, check_status=False, timeout=1800)
        check(result.returncode == 0, f"podman build failed (exit {result.returncode})")
        log(f"image {image} built in {time.monotonic() - step:.0f}s")

        check_config(podman, image)
        check_files(podman, image)

        plugins = podman("run", "--rm", "--network", "host", *ULIMITS, image, "plugins").stdout
        log(f"plugins in the image:\n{plugins.rstrip()}")
        for plugin in ("demo", "tiktok", "http_json"):
            check(plugin in plugins, f"plugin {plugin} does not load in the image:\n{plugins}")

        check_demo(podman, image, name)

        size = image_config(podman, image)[4]
        log(f"image size: {size / 1e6:.1f} MB ({size} bytes); bound {options.size_bound_mb} MB")
        check(size <= options.size_bound_mb * 1e6,
              f"the image is {size / 1e6:.1f} MB, over the {options.size_bound_mb} MB bound "
              "stated in deploy/docker/README.md")
        log(f"deploy.container: OK in {time.monotonic() - started:.0f}s")
        return 0
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1
    finally:
        teardown(podman, name)
        log(f"total {time.monotonic() - started:.0f}s")


def teardown(podman, name):
    """Removes the container, every image and the storage of this test's podman."""
    if not podman.storage.exists() or not shutil.which("podman"):
        shutil.rmtree(podman.runroot, ignore_errors=True)
        return
    podman("rm", "--force", "--time", "5", name, check_status=False)
    images = podman("images", "--all", "--quiet", check_status=False).stdout.split()
    if images:
        podman("rmi", "--force", *images, check_status=False)
    # Anything a failed build left: its build containers (buildah's, "external" to podman).
    containers = podman("ps", "--all", "--external", "--quiet", check_status=False).stdout.split()
    if containers:
        podman("rm", "--force", *containers, check_status=False)
    leftover = podman("images", "--all", "--quiet", check_status=False).stdout.split()
    if leftover:
        print(f"warning: images left in {podman.storage}: {leftover}", file=sys.stderr)
    shutil.rmtree(podman.storage, ignore_errors=True)
    shutil.rmtree(podman.runroot, ignore_errors=True)
    log(f"container, images and {podman.storage} removed")


if __name__ == "__main__":
    sys.exit(main())

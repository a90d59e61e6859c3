#!/usr/bin/env python3
"""The Debian package (cpack -G DEB), `cmake --install` and the systemd unit.

    package_test.py build    --build-dir B --out D     # cpack -G DEB into D (the ctest fixture)
    package_test.py contents --out D --version V       # dpkg-deb -c / -I: files, modes, control
    package_test.py install  --build-dir B --out D     # cmake --install lays out the same files
    package_test.py runs     --out D                   # the packaged binary finds its plugins
    package_test.py systemd  --out D                   # systemd-analyze verify and security
    package_test.py lintian  --out D                   # lintian: no error, no warning
    package_test.py maintainer_scripts --out D         # dh_installsystemd's semantics

Exit 0 on success, 1 on failure, 77 (ctest SKIP_RETURN_CODE) when systemd-analyze is missing.
Python 3 standard library only; the tools come from scripts/test.sh (dpkg-dev, systemd,
shellcheck, lintian).
"""

import argparse
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

SKIP = 77
SETUP_HINT = "run scripts/test.sh"
PACKAGE = "hashtag-exporter"
UNIT = f"/usr/lib/systemd/system/{PACKAGE}.service"
CONFIG = "/etc/hashtag_exporter/hashtag_exporter.yml"
DEFAULTS = f"/etc/default/{PACKAGE}"
BINARY = "/usr/bin/hashtag_exporter"
PLUGINS = ("demo.so", "tiktok.so")
CONFFILES = [CONFIG, DEFAULTS]
# Libraries the binary and plugins link, as Debian 12 names their packages.
LIBRARY_PACKAGES = ("libcivetweb1", "libcurl4", "libprometheus-cpp-core1.0", "libsqlite3-0",
                    "libyaml-cpp0.7", "libfmt9", "zlib1g", "libstdc++6", "libc6")
# The hardening the unit promises (README, "Deployment"); more may be there.
UNIT_SETTINGS = {
    "User": PACKAGE,
    "Group": PACKAGE,
    "ExecReload": "/bin/kill -HUP $MAINPID",
    "Restart": "on-failure",
    "StateDirectory": "hashtag_exporter",
    "NoNewPrivileges": "yes",
    "ProtectSystem": "strict",
    "ProtectHome": "yes",
    "PrivateTmp": "yes",
    "PrivateDevices": "yes",
    "CapabilityBoundingSet": "",
    "RestrictAddressFamilies": "AF_INET AF_INET6 AF_UNIX",
    "EnvironmentFile": f"-{DEFAULTS}",
}
# systemd-analyze security's exposure, times ten: 20 is "OK" (the unit scores about 12).
EXPOSURE_THRESHOLD = 20


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def run(*command, env=None, cwd=None):
    try:
        result = subprocess.run([str(c) for c in command], capture_output=True, text=True,
                                env=env, cwd=cwd, timeout=120)
    except FileNotFoundError:
        raise Failure(f"{command[0]} not found: {SETUP_HINT}")
    if result.returncode != 0:
        raise Failure(f"{' '.join(map(str, command))} failed (exit {result.returncode}):\n"
                      f"{result.stdout}{result.stderr}")
    return result.stdout


def the_deb(out):
    debs = sorted(Path(out).glob("*.deb"))
    check(len(debs) == 1, f"expected one .deb in {out}, found {[d.name for d in debs]}: did "
          "deploy.package.build run?")
    return debs[0]


def deb_files(deb):
    """{path: (mode string, size)} of the regular files and links in the package."""
    files = {}
    for line in run("dpkg-deb", "-c", deb).splitlines():
        fields = line.split(None, 5)
        mode, size, name = fields[0], fields[2], fields[5].split(" -> ")[0]
        if mode.startswith("d"):
            continue
        files[name.removeprefix(".")] = (mode, int(size))
    return files


def extract(deb, into):
    run("dpkg-deb", "-x", deb, into)
    return Path(into)


def found_plugins(binary):
    """{plugin file name: resolved path} that `binary plugins` lists."""
    listing = run(binary, "plugins")
    print(listing)
    found = {}
    for line in listing.splitlines():
        fields = line.split()
        if fields and fields[-1].endswith(".so") and os.path.isabs(fields[-1]):
            found[os.path.basename(fields[-1])] = os.path.realpath(fields[-1])
    return found


# --- build: the fixture --------------------------------------------------------------------------

def build(args):
    out = Path(args.out)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    config = Path(args.build_dir) / "CPackConfig.cmake"
    check(config.exists(), f"{config} missing: is include(cmake/Packaging.cmake) in CMakeLists.txt?")
    print(run("cpack", "-G", "DEB", "--config", config, "-B", out))
    deb = the_deb(out)
    print(f"built {deb}")


# --- contents ------------------------------------------------------------------------------------

def contents(args):
    deb = the_deb(args.out)
    files = deb_files(deb)
    print("\n".join(f"{mode} {size:>9} {name}" for name, (mode, size) in sorted(files.items())))
    plugin_dirs = {str(Path(name).parent) for name in files if name.endswith(PLUGINS)}
    check(len(plugin_dirs) == 1 and re.fullmatch(r"/usr/lib(/[a-z0-9_-]+)?/hashtag_exporter/plugins",
                                                  next(iter(plugin_dirs), "")),
          f"plugins not in one /usr/lib[/<triplet>]/hashtag_exporter/plugins: {plugin_dirs}")
    plugin_dir = plugin_dirs.pop()
    expected = {
        BINARY: "-rwxr-xr-x",
        **{f"{plugin_dir}/{plugin}": "-rw-r--r--" for plugin in PLUGINS},
        UNIT: "-rw-r--r--",
        CONFIG: "-rw-r--r--",
        DEFAULTS: "-rw-r-----",
        "/usr/share/doc/hashtag-exporter/README.md": "-rw-r--r--",
        "/usr/share/doc/hashtag-exporter/changelog.gz": "-rw-r--r--",
        "/usr/share/doc/hashtag-exporter/copyright": "-rw-r--r--",
        "/usr/share/doc/hashtag-exporter/changelog.Debian.gz": "-rw-r--r--",
        "/usr/share/man/man1/hashtag_exporter.1.gz": "-rw-r--r--",
        "/usr/share/lintian/overrides/hashtag-exporter": "-rw-r--r--",
        "/usr/share/doc/hashtag-exporter/examples/tiktok.yml": "-rw-r--r--",
        "/usr/share/doc/hashtag-exporter/examples/demo.yml": "-rw-r--r--",
    }
    problems = []
    for name, mode in expected.items():
        if name not in files:
            problems.append(f"missing {name}")
        elif files[name][0] != mode and not (name.endswith(".so") and files[name][0] == "-rwxr-xr-x"):
            problems.append(f"{name}: mode {files[name][0]}, expected {mode}")
    private_lib_dir = str(Path(plugin_dir).parent)  # /usr/lib[/<triplet>]/hashtag_exporter
    for name in files:
        # Private shared libraries (e.g. the TLS shims) may sit in the package's own lib folder.
        private_lib = name.startswith(private_lib_dir + "/") and re.search(r"\.so(\.\d+)*$", name)
        # The plugin SDK (headers and CMake package) for building plugins against this version.
        sdk = (name.startswith("/usr/include/hashtag_exporter/")
               or re.match(r"/usr/lib(/[a-z0-9_-]+)?/cmake/hashtag_exporter/[^/]+\.cmake$", name))
        if name not in expected and not private_lib and not sdk:
            problems.append(f"unexpected file {name}")
        if not name.startswith(("/usr/", "/etc/")):
            problems.append(f"{name} is outside /usr and /etc")
    check(not problems, "\n".join(problems))

    control = run("dpkg-deb", "-f", deb)
    print(control)
    fields = dict(re.findall(r"^([A-Za-z-]+): (.*)$", control, re.M))
    check(fields.get("Package") == PACKAGE, f"Package: {fields.get('Package')}")
    check(fields.get("Version") == f"{args.version}-1", f"Version: {fields.get('Version')}")
    check(fields.get("Architecture") == run("dpkg", "--print-architecture").strip(),
          f"Architecture: {fields.get('Architecture')}")
    check(fields.get("Maintainer"), "no Maintainer")
    depends = {re.split(r"[ (]", d.strip())[0] for d in fields.get("Depends", "").split(",")}
    missing = [p for p in LIBRARY_PACKAGES + ("adduser", "init-system-helpers") if p not in depends]
    check(not missing, f"Depends lacks {missing}: {fields.get('Depends')}")
    check(any(d.startswith("libspdlog1.10") for d in depends), f"Depends lacks spdlog: {depends}")

    with tempfile.TemporaryDirectory() as control_dir:
        run("dpkg-deb", "-e", deb, control_dir)
        control_dir = Path(control_dir)
        conffiles = (control_dir / "conffiles").read_text().split()
        check(sorted(conffiles) == sorted(CONFFILES), f"conffiles: {conffiles}")
        for script in ("postinst", "prerm", "postrm"):
            path = control_dir / script
            check(path.exists(), f"no {script} in the package")
            check(path.stat().st_mode & 0o777 == 0o755, f"{script} is not mode 0755")
            run("sh", "-n", path)
            run("shellcheck", "--shell=sh", path)
        postinst = (control_dir / "postinst").read_text()
        check("adduser --system --group" in postinst and PACKAGE in postinst
              and "/var/lib/hashtag_exporter" in postinst,
              "postinst does not create the system user with its home /var/lib/hashtag_exporter")
    print("contents OK")


# --- lintian -------------------------------------------------------------------------------------

def lintian(args):
    """Debian's package checker finds no error and no warning. The package's own overrides
    (/usr/share/lintian/overrides/hashtag-exporter) document what is deliberate, each with its
    reason; informational tags are printed, not failed on."""
    deb = the_deb(args.out)
    try:
        result = subprocess.run(["lintian", "--display-info",
                                 "--fail-on", "error,warning", str(deb)],
                                capture_output=True, text=True, timeout=300)
    except FileNotFoundError:
        raise Failure(f"lintian not found: {SETUP_HINT}")
    print(result.stdout)
    tags = [line for line in result.stdout.splitlines() if re.match(r"^[EW]: ", line)]
    check(result.returncode == 0 and not tags,
          f"lintian (exit {result.returncode}) reports:\n" + "\n".join(tags) + result.stderr)
    print("lintian: no error, no warning")


# --- maintainer scripts --------------------------------------------------------------------------

# Stand-ins for the commands the maintainer scripts run: each records its arguments, and answers
# what the scenario says (the user exists, the unit was enabled, ...).
STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0") $*" in
  "getent passwd "*) exit "$USER_MISSING" ;;
  "deb-systemd-helper debian-installed "*) exit "$NOT_DEBIAN_INSTALLED" ;;
  "deb-systemd-helper --quiet was-enabled "*) exit "$WAS_DISABLED" ;;
esac
exit 0
"""
STUBBED = ("getent", "adduser", "chown", "systemctl", "deb-systemd-helper", "deb-systemd-invoke",
           "deluser")


class Scripts:
    """The package's maintainer scripts, run against a scratch root (DPKG_ROOT) with systemd
    "running" and every system-changing command recorded instead of run."""

    def __init__(self, deb, scratch):
        self.control = Path(scratch) / "control"
        run("dpkg-deb", "-e", deb, self.control)
        self.root = Path(scratch) / "root"
        (self.root / "run/systemd/system").mkdir(parents=True)
        (self.root / "etc/default").mkdir(parents=True)
        (self.root / f"etc/default/{PACKAGE}").write_text("SCAVIO_API_KEY=\n")
        self.stubs = Path(scratch) / "stubs"
        self.stubs.mkdir()
        for name in STUBBED:
            (self.stubs / name).write_text(STUB)
            (self.stubs / name).chmod(0o755)
        self.log = Path(scratch) / "calls.log"

    def run(self, script, *arguments, user_exists=True, debian_installed=True, was_enabled=True):
        self.log.write_text("")
        env = {"PATH": f"{self.stubs}:/usr/sbin:/usr/bin:/sbin:/bin", "DPKG_ROOT": str(self.root),
               "STUB_LOG": str(self.log), "USER_MISSING": "0" if user_exists else "2",
               "NOT_DEBIAN_INSTALLED": "0" if debian_installed else "1",
               "WAS_DISABLED": "0" if was_enabled else "1"}
        run("sh", "-e", self.control / script, *arguments, env=env)
        return self.log.read_text().splitlines()


def called(calls, *words):
    return any(all(word in call.split() for word in words) for call in calls)


def maintainer_scripts(args):
    """What dh_installsystemd --no-enable does: install creates the user and does not start or
    enable; an upgrade keeps the administrator's enable state and restarts; removal stops and
    masks; only purge forgets the enable state (and deletes the history)."""
    with tempfile.TemporaryDirectory() as scratch:
        scripts = Scripts(the_deb(args.out), scratch)
        state = scripts.root / "var/lib/hashtag_exporter"

        calls = scripts.run("postinst", "configure", user_exists=False, debian_installed=False)
        check(called(calls, "adduser", "--system", PACKAGE), f"install: no system user: {calls}")
        check(state.is_dir() and stat.S_IMODE(state.stat().st_mode) == 0o750,
              "install: no state folder of mode 0750")
        check(not called(calls, "deb-systemd-invoke") and not called(calls, "enable"),
              f"install: the service is started or enabled before it has a key: {calls}")
        check(called(calls, "deb-systemd-helper", "update-state"), f"install: {calls}")

        calls = scripts.run("prerm", "upgrade", "0.2.0")
        check(calls == [], f"upgrade: prerm touches the service: {calls}")
        calls = scripts.run("postinst", "configure", "0.1.0")
        check(not called(calls, "adduser"), f"upgrade: adduser again: {calls}")
        check(called(calls, "deb-systemd-helper", "enable"),
              f"upgrade: an enabled service is not kept enabled: {calls}")
        check(called(calls, "deb-systemd-invoke", "restart"), f"upgrade: no restart: {calls}")
        calls = scripts.run("postinst", "configure", "0.1.0", was_enabled=False)
        check(not called(calls, "enable") and not called(calls, "disable"),
              f"upgrade: a disabled service's state is changed: {calls}")

        calls = scripts.run("prerm", "remove")
        check(called(calls, "deb-systemd-invoke", "stop"), f"remove: not stopped: {calls}")
        calls += scripts.run("postrm", "remove")
        check(called(calls, "deb-systemd-helper", "mask"), f"remove: not masked: {calls}")
        check(not called(calls, "purge") and not called(calls, "disable"),
              f"remove: the enable state is forgotten before purge: {calls}")
        check(state.is_dir(), "remove: the history is deleted before purge")

        calls = scripts.run("postrm", "purge")
        check(called(calls, "deb-systemd-helper", "purge"), f"purge: enable state kept: {calls}")
        check(not state.exists(), "purge: the history is still there")
        check(not called(calls, "deluser"), f"purge: the system user is deleted: {calls}")

        for script in ("postinst", "prerm", "postrm"):
            text = (scripts.control / script).read_text()
            for line in text.splitlines():
                code = re.sub(r'"[^"]*"', '""', line.split("#", 1)[0])  # not what it prints
                check(not re.search(r"\bsystemctl\b(?!\s+--system\s+daemon-reload)", code),
                      f"{script} calls systemctl for more than daemon-reload: {line.strip()}")
    print("maintainer scripts: install, upgrade, remove and purge as dh_installsystemd")


# --- install -------------------------------------------------------------------------------------

def installed_files(root):
    return {"/" + str(p.relative_to(root)) for p in Path(root).rglob("*") if not p.is_dir()}


def install(args):
    deb = the_deb(args.out)
    with tempfile.TemporaryDirectory() as scratch:
        prefix = Path(scratch) / "prefix"
        run("cmake", "--install", args.build_dir, "--prefix", prefix)
        installed = installed_files(prefix)
        # The package is the same layout with the prefix /usr, where /etc is /etc.
        as_packaged = {("/usr" + name) if not name.startswith("/etc/") else name for name in installed}
        packaged = set(deb_files(deb))
        check(as_packaged == packaged,
              f"cmake --install and the package differ:\n only installed: "
              f"{sorted(as_packaged - packaged)}\n only packaged: {sorted(packaged - as_packaged)}")
        print(f"cmake --install --prefix {prefix} lays out the package's {len(packaged)} files")

        root = extract(deb, Path(scratch) / "deb")
        for name in installed:
            packaged_name = name if name.startswith("/etc/") else "/usr" + name
            if name.endswith(".service"):
                unit = (prefix / name.lstrip("/")).read_text()
                check(f"ExecStart={prefix}/bin/hashtag_exporter --config.file={prefix}/etc/" in unit,
                      f"the installed unit does not point into {prefix}:\n{unit}")
                unit = unit.replace(f"{prefix}/etc/", "/etc/").replace(f"{prefix}/", "/usr/")
                check(unit == (root / packaged_name.lstrip("/")).read_text(),
                      "the installed unit differs from the packaged one beyond the prefix")
            elif not name.endswith((".so", "/hashtag_exporter")):  # stripped in the package
                check((prefix / name.lstrip("/")).read_bytes() == (root / packaged_name.lstrip("/")).read_bytes(),
                      f"{name} differs from the packaged {packaged_name}")
        mode = (prefix / "etc/default" / PACKAGE).stat().st_mode & 0o777
        check(mode == 0o640, f"installed {DEFAULTS} has mode {mode:o}, expected 640")

        # The installed binary finds its installed plugins, wherever the prefix is.
        found = found_plugins(prefix / "bin/hashtag_exporter")
        for plugin in PLUGINS:
            check(found.get(plugin, "").startswith(os.path.realpath(prefix) + "/lib"),
                  f"{prefix}/bin/hashtag_exporter does not find its {plugin} under {prefix}/lib "
                  "(the binary must look for plugins relative to itself)")
    print("install OK")


# --- runs ----------------------------------------------------------------------------------------

def runs(args):
    deb = the_deb(args.out)
    with tempfile.TemporaryDirectory() as scratch:
        root = extract(deb, scratch)
        binary = root / BINARY.lstrip("/")
        print(run(binary, "--version"))
        found = found_plugins(binary)
        for plugin in PLUGINS:
            check(found.get(plugin, "").startswith(os.path.realpath(root) + "/usr/lib/"),
                  f"the packaged binary does not find its {plugin} (under {root}/usr/lib): it must "
                  "look for plugins relative to itself, as installed anywhere")
        # The packaged config is valid (the tiktok source only needs the key to be set).
        config = root / CONFIG.lstrip("/")
        env = dict(os.environ, SCAVIO_API_KEY="package-test-placeholder")
        print(run(binary, "--config.check", f"--config.file={config}", env=env))
        text = config.read_text()
        check(re.search(r"^\s*path:\s*/var/lib/hashtag_exporter/", text, re.M),
              "the packaged config's storage.path is not in the StateDirectory /var/lib/hashtag_exporter")
    print("runs OK")


# --- systemd -------------------------------------------------------------------------------------

def unit_settings(text):
    settings = {}
    for line in text.splitlines():
        match = re.match(r"^([A-Za-z]+)=(.*)$", line)
        if match:
            settings.setdefault(match[1], []).append(match[2])
    return settings


def systemd(args):
    analyze = shutil.which("systemd-analyze")
    if not analyze:
        print("SKIP: systemd-analyze not found (Debian package systemd; scripts/test.sh installs it)")
        return SKIP
    deb = the_deb(args.out)
    with tempfile.TemporaryDirectory() as scratch:
        root = extract(deb, Path(scratch) / "root")
        text = (root / UNIT.lstrip("/")).read_text()
        settings = unit_settings(text)
        problems = [f"{key}={value!r} missing (has {settings.get(key)})"
                    for key, value in UNIT_SETTINGS.items() if value not in settings.get(key, [])]
        exec_start = settings.get("ExecStart", [""])[0]
        if not exec_start.startswith(f"{BINARY} --config.file={CONFIG}"):
            problems.append(f"ExecStart={exec_start}")
        check(not problems, "\n".join(problems))

        # verify checks that ExecStart's binary exists: point it at the packaged one (the only
        # change), everything else (/bin/kill, targets) is the host's.
        unit = Path(scratch) / f"{PACKAGE}.service"
        unit.write_text(text.replace(BINARY, str(root / BINARY.lstrip("/"))))
        result = subprocess.run([analyze, "verify", "--man=no", unit], capture_output=True, text=True)
        output = result.stdout + result.stderr
        print(f"systemd-analyze verify: exit {result.returncode}\n{output}")
        check(result.returncode == 0 and not output.strip(), "systemd-analyze verify reported problems")

        result = subprocess.run([analyze, "security", "--offline=yes", "--no-pager",
                                 f"--threshold={EXPOSURE_THRESHOLD}", unit],
                                capture_output=True, text=True)
        summary = [l for l in result.stdout.splitlines() if "Overall exposure" in l or l.startswith("✗")]
        print("\n".join(summary) or result.stdout + result.stderr)
        check(result.returncode == 0,
              f"systemd-analyze security: exposure above {EXPOSURE_THRESHOLD / 10}:\n{result.stderr}")
    print("systemd OK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("step", choices=["build", "contents", "install", "runs", "systemd",
                                         "lintian", "maintainer_scripts"])
    parser.add_argument("--build-dir")
    parser.add_argument("--out", required=True, help="folder of the .deb")
    parser.add_argument("--version")
    args = parser.parse_args()
    try:
        return globals()[args.step](args) or 0
    except Failure as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

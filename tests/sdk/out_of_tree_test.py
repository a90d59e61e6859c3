#!/usr/bin/env python3
"""Builds examples/sdk/minimal against an installed SDK and loads it in the real exporter.

1. cmake --install <build-dir> --prefix <tmp>/prefix   (the whole project, as a user would)
2. checks that the SDK headers and the CMake package are there
3. configures and builds the example with -DCMAKE_PREFIX_PATH=<tmp>/prefix (nothing from the
   source tree on any path)
4. runs the exporter of the build tree with plugin_path pointing at the example's build folder
   and scrapes /metrics for the example's samples, failure and plugin info.
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request


def run(argv, **kwargs):
    print("+", " ".join(argv), flush=True)
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if result.returncode != 0:
        print(result.stdout)
        raise SystemExit(f"FAIL: {argv[0]} exited with {result.returncode}")
    return result.stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def scrape(url, deadline):
    last = None
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                text = response.read().decode()
                if 'hashtag_videos{' in text:
                    return text
        except OSError as error:
            last = error
        time.sleep(0.2)
    raise SystemExit(f"FAIL: no samples at {url} ({last})")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cmake", required=True)
    parser.add_argument("--generator", default="")
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--example", required=True)
    parser.add_argument("--exporter", required=True)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="hx_sdk_test_")
    exporter = None
    try:
        prefix = os.path.join(tmp, "prefix")
        run([args.cmake, "--install", args.build_dir, "--prefix", prefix])
        for relative in ["include/hashtag_exporter/plugin/abi.h",
                         "include/hashtag_exporter/plugin/sdk.hpp",
                         "include/hashtag_exporter/plugin/sdk_http.hpp",
                         "include/hashtag_exporter/plugin/sdk_testing.hpp"]:
            if not os.path.isfile(os.path.join(prefix, relative)):
                raise SystemExit(f"FAIL: {relative} not installed")
        configs = [os.path.join(root, name) for root, _, names in os.walk(prefix) for name in names
                   if name in ("hashtag_exporterConfig.cmake", "hashtag_exporterConfigVersion.cmake",
                               "hashtag_exporterTargets.cmake")]
        if len(configs) != 3:
            raise SystemExit(f"FAIL: the CMake package is incomplete: {configs}")

        # A copy of the example, so that nothing resolves to the source tree by accident.
        source = os.path.join(tmp, "minimal")
        shutil.copytree(args.example, source)
        build = os.path.join(source, "build")
        configure = [args.cmake, "-S", source, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                     f"-DCMAKE_PREFIX_PATH={prefix}", "-DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF"]
        if args.generator:
            configure += ["-G", args.generator]
        run(configure)
        run([args.cmake, "--build", build])
        plugin = os.path.join(build, "minimal.so")
        if not os.path.isfile(plugin):
            raise SystemExit("FAIL: the example did not produce minimal.so")
        symbols = run(["nm", "-D", "--defined-only", plugin])
        exported = sorted(line.split()[-1] for line in symbols.splitlines()
                          if line.split() and "hashtag_exporter" in line.split()[-1])
        if exported != ["hashtag_exporter_plugin", "hashtag_exporter_plugin_abi_version"]:
            raise SystemExit(f"FAIL: unexpected exported symbols {exported}")

        port = free_port()
        config = os.path.join(source, "minimal.yml")  # plugin_path: [build], relative to it
        log = open(os.path.join(tmp, "exporter.log"), "w+")
        exporter = subprocess.Popen([args.exporter, f"--config.file={config}",
                                     f"--web.listen-address=127.0.0.1:{port}"],
                                    stdout=log, stderr=subprocess.STDOUT)
        text = scrape(f"http://127.0.0.1:{port}/metrics", time.time() + 20)
        expected = [
            'hashtag_videos{source="minimal",hashtag="aitools"} 14000',
            'hashtag_views{source="minimal",hashtag="aitools"} 2100000',
            'hashtag_videos{source="minimal",hashtag="llm"} 6000',
            'hashtag_up{source="minimal",hashtag="missing"} 0',
            'hashtag_collect_errors_total{source="minimal",reason="not_found"} 1',
            'hashtag_exporter_plugin_info{source="minimal",plugin="minimal",version="1.0.0",abi_version="2"} 1',
        ]
        missing = [line for line in expected if line not in text]
        if missing:
            log.seek(0)
            print(log.read())
            print("\n".join(l for l in text.splitlines() if "minimal" in l))
            raise SystemExit(f"FAIL: missing from /metrics: {missing}")
        print("OK: the out-of-tree plugin was built against the installed SDK, loaded and scraped")
    finally:
        if exporter is not None:
            exporter.terminate()
            try:
                exporter.wait(timeout=10)
            except subprocess.TimeoutExpired:
                exporter.kill()
                exporter.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

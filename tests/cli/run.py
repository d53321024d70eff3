#!/usr/bin/python3
"""End-to-end tests of the real cloudfort binary.

Discovers tests/cli/test_*.py; every function named test_* in them is a test taking one
argument, a Cli object that runs the binary. Prints TAP. Run: tests/cli/run.py --bin build/cloudfort
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


class Result:
    def __init__(self, proc):
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr

    def json(self):
        return json.loads(self.out)


class Cli:
    """Runs the binary from the repository root (paths in tests are relative to it)."""

    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.root = ROOT
        self.corpora = os.path.join(os.path.dirname(ROOT), "shared", "corpora")

    def run(self, *args, stdin=None, env=None, timeout=300):
        e = dict(os.environ)
        e.pop("NO_COLOR", None)
        if env:
            e.update(env)
        p = subprocess.run([self.binary, *args], cwd=self.root, input=stdin,
                           capture_output=True, text=True, env=e, timeout=timeout)
        return Result(p)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("-k", help="only tests whose name contains this")
    a = ap.parse_args()
    cli = Cli(a.bin)
    tests = []
    for name in sorted(os.listdir(HERE)):
        if not (name.startswith("test_") and name.endswith(".py")):
            continue
        spec = importlib.util.spec_from_file_location(name[:-3], os.path.join(HERE, name))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for attr in sorted(dir(mod)):
            if attr.startswith("test_") and callable(getattr(mod, attr)):
                tests.append((f"{name[:-3]}.{attr}", getattr(mod, attr)))
    if a.k:
        tests = [t for t in tests if a.k in t[0]]
    print(f"1..{len(tests)}")
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn(cli)
            print(f"ok {i} - {name}")
        except Exception as ex:  # a failed assertion or a crash of the test itself
            failed += 1
            print(f"not ok {i} - {name} # {type(ex).__name__}: {str(ex)[:300]}")
            for line in traceback.format_exc().splitlines()[-6:]:
                print(f"# {line}")
    print(f"{len(tests) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/python3
"""The egress proxy's threads under Helgrind (valgrind's race detector): two event loops and
their password checkers serve parallel clients with right and wrong passwords, anonymous
requests, a metrics scrape and a policy reload, then drain on SIGTERM. Any data race, lock-order
problem or misuse of a pthread call Helgrind sees fails the test (libevent's own harmless
store, tests/threads/libevent.supp, aside). Run by tests/run.sh for the plain build (valgrind
cannot run a sanitizer build). Prints TAP.

  tests/threads/helgrind_proxy.py --bin build/cloudfort
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "cli"))

from cli_support import TempDir  # noqa: E402
from egress_support import LISTEN_RE, Upstream, raw, read_response, wait_for  # noqa: E402

CREDS = os.path.join(ROOT, "tests", "data", "egress", "credentials", "users.htpasswd")  # passwords: s3cret


class _Cli:
    def __init__(self, binary):
        self.binary = os.path.abspath(binary)
        self.root = ROOT


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    args = ap.parse_args()
    print("1..1")
    name = "helgrind_proxy.two_loops_checkers_reload_and_drain"
    try:
        run(_Cli(args.bin))
        print(f"ok 1 - {name}")
    except Exception as e:  # noqa: BLE001 - any failure is the test's
        print(f"not ok 1 - {name} # {e}")
        return 1
    return 0


def run(cli):
    with TempDir(cli) as t, Upstream() as up:
        t.write("users.htpasswd", open(CREDS).read())
        policy = ("version: 1\ncredentials: users.htpasswd\nroles:\n  default:\n    allow_ranges: [127.0.0.1/32]\n"
                  "  builders:\n    match: {users: [alice, bob]}\n    allow_ranges: [127.0.0.1/32]\n")
        pol = t.write("policy.yaml", policy)
        vlog = t.path("helgrind.log")
        err_path = t.path("stderr")
        cmd = ["valgrind", "--tool=helgrind", "--error-exitcode=99", f"--log-file={vlog}",
               f"--suppressions={os.path.join(HERE, 'libevent.supp')}", cli.binary, "egress", "--allow-root",
               "--threads", "2", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--policy", pol,
               "--log", t.path("egress.log")]
        with open(err_path, "w") as err:
            proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
        try:
            def listening():
                if proc.poll() is not None:
                    raise AssertionError(f"the proxy exited with {proc.returncode}: {open(err_path).read()[-800:]}")
                return LISTEN_RE.search(open(err_path).read())
            m = wait_for(listening, 120, "the proxy to listen under valgrind")
            host, port = m.group(1).rsplit(":", 1)
            addr = (host, int(port))
            mh, mp = m.group(2).rsplit(":", 1)
            answers, lock = [], threading.Lock()

            def client(i):
                # alice:s3cret, bob:wrong, none: a check that verifies, one that fails, none
                auth = ["YWxpY2U6czNjcmV0", "Ym9iOndyb25n", None][i % 3]
                s = socket.create_connection(addr, timeout=60)
                for j in range(3):
                    hdr = f"Proxy-Authorization: Basic {auth}\r\n" if auth else ""
                    s.sendall(f"GET {up.url(f'/c{i}-{j}')} HTTP/1.1\r\nHost: x\r\n{hdr}\r\n".encode())
                    status, _, _ = read_response(s)
                    with lock:
                        answers.append((i % 3, status))
                    if status == 407:
                        break
                s.close()

            for rnd in range(2):
                threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
                for th in threads:
                    th.start()
                for th in threads:
                    th.join(120)
                if rnd == 0:
                    proc.send_signal(signal.SIGHUP)
                    wait_for(lambda: "reload" in open(t.path("egress.log")).read(), 60, "the reload line")
            want = {(0, 200), (1, 407), (2, 200)}
            if set(answers) != want or len(answers) != 2 * (4 * 3 + 4 + 4 * 3):
                raise AssertionError(f"answers: {sorted(set(answers))}, {len(answers)} of them")
            data = raw((mh, int(mp)), b"GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n", timeout=60)
            if b'requests_total{verdict="deny",why="auth"} 8' not in data:
                raise AssertionError(f"metrics: {data[-600:]!r}")
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        report = open(vlog).read()
        summary = re.search(r"ERROR SUMMARY: (\d+) errors", report)
        if code != 0 or not summary or summary.group(1) != "0":
            races = "\n".join(ln for ln in report.splitlines() if "Possible" in ln or " at 0x" in ln or "by 0x" in ln)
            raise AssertionError(f"exit {code}, {summary.group(0) if summary else 'no summary'}:\n{races[:3000]}")


if __name__ == "__main__":
    sys.exit(main())

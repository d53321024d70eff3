#!/usr/bin/python3
"""Opens N idle TCP connections to a proxy, waits until its metrics count them all, prints the
proxy's resident set size with them held, then closes them.

    idle.py HOST PORT N METRICS_PORT PID

Prints `connections N` (as counted by the proxy's active_connections gauge) and `rss_kb K`."""
import resource
import socket
import sys
import time


def gauge(host, port):
    s = socket.create_connection((host, port), timeout=10)
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n")
    data = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    for line in data.decode().splitlines():
        if line.startswith("cloudfort_egress_active_connections "):
            return int(float(line.split()[1]))
    return -1


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    host, port, n, mport, pid = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, n + 100)), hard))
    socks = []
    try:
        for _ in range(n):
            socks.append(socket.create_connection((host, port), timeout=10))
        held = 0
        end = time.time() + 30
        while time.time() < end:
            held = gauge(host, mport)
            if held >= n:
                break
            time.sleep(0.1)
        print(f"connections {held}")
        print(f"rss_kb {rss_kb(pid)}")
    finally:
        for s in socks:
            s.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Helpers of the egress proxy's end-to-end tests (test_egress_proxy.py, test_gallery.py): the
real `cloudfort egress` started on loopback with a port of its choosing, upstream servers that
count the connections they accept, a DNS responder (python3-dnslib) whose answers change
between queries, and a few socket utilities.

Everything listens on 127.0.0.x only, is started by the test that needs it and stopped by it;
every wait is bounded.
"""
import http.server
import json
import os
import re
import signal
import socket
import socketserver
import subprocess
import threading
import time

from cli_support import check

LISTEN_RE = re.compile(r"listening on (\S+?)(?:, metrics on (\S+))?$", re.M)


def is_sanitized(cli):
    """The sanitizer build lives in build/asan; its bounds are looser and its counts smaller."""
    return "asan" in cli.binary


def free_port(host="127.0.0.1"):
    s = socket.socket()
    s.bind((host, 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_for(cond, timeout, what):
    end = time.time() + timeout
    while time.time() < end:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


class Proxy:
    """`cloudfort egress` on 127.0.0.1:0 with its metrics on another free port and its log in a
    file. Use as a context manager; stop() sends SIGTERM and returns the exit status."""

    def __init__(self, cli, tmp, policy=None, args=(), user=None, name="proxy"):
        self.cli, self.tmp = cli, tmp
        self.log_path = tmp.path(f"{name}.log")
        self.err_path = tmp.path(f"{name}.stderr")
        self.policy_path = None
        cmd = [cli.binary, "egress", "--listen", "127.0.0.1:0", "--metrics", "127.0.0.1:0", "--log", self.log_path]
        if policy is not None:
            self.policy_path = tmp.write(f"{name}-policy.yaml", policy)
            cmd += ["--policy", self.policy_path]
        cmd += ["--user", user] if user else ["--allow-root"]
        cmd += list(args)
        self.err = open(self.err_path, "w")
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        self.proc = subprocess.Popen(cmd, cwd=cli.root, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=self.err, env=env)
        m = wait_for(self._listening, 20, "the proxy to listen")
        host, port = m.group(1).rsplit(":", 1)
        self.addr = (host, int(port))
        self.url = f"http://{host}:{port}"
        mh, mp = m.group(2).rsplit(":", 1)
        self.metrics_addr = (mh, int(mp))
        self.code = None

    def _listening(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"the proxy exited with {self.proc.returncode}: {self.stderr()[-800:]}")
        return LISTEN_RE.search(self.stderr())

    def stderr(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        self.err.close()

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=30):
        """SIGTERM, then the exit status; fails on a sanitizer report."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        self.code = self.proc.wait(timeout=timeout)
        err = self.stderr()
        check("AddressSanitizer" not in err and "runtime error" not in err and "LeakSanitizer" not in err,
              f"sanitizer report: {err[-1500:]}")
        return self.code

    def lines(self):
        """The JSON lines of the log so far (the proxy flushes it within 200 ms)."""
        try:
            with open(self.log_path) as f:
                text = f.read()
        except FileNotFoundError:
            return []
        out = []
        for ln in text.splitlines():
            if ln.startswith("{"):
                out.append(json.loads(ln))
        return out

    def requests(self):
        return [x for x in self.lines() if "event" not in x]

    def wait_requests(self, n, timeout=10):
        return wait_for(lambda: (lambda r: r if len(r) >= n else None)(self.requests()), timeout,
                        f"{n} request lines in the log; have {self.requests()}")

    def metrics(self):
        """The Prometheus exposition as {'name{labels}': value}."""
        s = socket.create_connection(self.metrics_addr, timeout=10)
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: m\r\n\r\n")
        data = recv_all(s, 10)
        s.close()
        head, _, body = data.partition(b"\r\n\r\n")
        check(head.startswith(b"HTTP/1.1 200"), f"metrics: {head[:100]!r}")
        out = {}
        for ln in body.decode().splitlines():
            if ln and not ln.startswith("#"):
                k, v = ln.rsplit(" ", 1)
                out[k] = float(v)
        return out

    def fd_count(self):
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_kb(self):
        with open(f"/proc/{self.proc.pid}/status") as f:
            for ln in f:
                if ln.startswith("VmRSS:"):
                    return int(ln.split()[1])
        return 0


def recv_all(s, timeout):
    """Reads until the peer closes or timeout passes."""
    s.settimeout(timeout)
    data = b""
    end = time.time() + timeout
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def read_response(s, timeout=10):
    """Reads one response (Content-Length framed, or until close) from a socket; returns
    (status, headers dict in lower case, body)."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(65536)
        check(chunk, f"connection closed before a response head: {buf[:200]!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for ln in lines[1:]:
        k, _, v = ln.partition(":")
        headers[k.strip().lower()] = v.strip()
    n = int(headers.get("content-length", "0"))
    while len(rest) < n:
        chunk = s.recv(65536)
        check(chunk, "connection closed in a response body")
        rest += chunk
    return status, headers, rest[:n]


def read_responses(s, count, timeout=10):
    """Reads count responses (Content-Length framed) in order from one socket, keeping the
    bytes of one response that arrive with another: [(status, headers, body), ...]."""
    s.settimeout(timeout)
    f = s.makefile("rb")
    out = []
    for _ in range(count):
        line = f.readline()
        check(line.startswith(b"HTTP/1.1 "), f"not a status line: {line[:100]!r}")
        headers = {}
        while True:
            h = f.readline()
            check(h, "connection closed in a head")
            if h in (b"\r\n", b"\n"):
                break
            k, _, v = h.decode("latin-1").partition(":")
            headers[k.strip().lower()] = v.strip()
        body = f.read(int(headers.get("content-length", "0")))
        out.append((int(line.split()[1]), headers, body))
    return out


def raw(addr, data, timeout=10):
    """Sends data on a new connection and reads until the proxy closes it."""
    s = socket.create_connection(addr, timeout=timeout)
    s.sendall(data)
    out = recv_all(s, timeout)
    s.close()
    return out


# ---- upstream servers ----

class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, addr, handler):
        self.connections = 0
        self.requests_seen = []
        self.lock = threading.Lock()
        super().__init__(addr, handler)

    def get_request(self):
        conn, addr = super().get_request()
        with self.lock:
            self.connections += 1
        return conn, addr


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(n) if n else b""

    def _answer(self):
        body_in = self._body()
        with self.server.lock:
            self.server.requests_seen.append((self.command, self.path, dict(self.headers), body_in))
        delay = self.server.delay if hasattr(self.server, "delay") else 0
        if delay:
            time.sleep(delay)
        if self.path.startswith("/big/"):
            # /big/N: N bytes of a repeating pattern, for relaying and backpressure
            n = int(self.path.split("/")[2])
            self.send_response(200)
            self.send_header("Content-Length", str(n))
            self.end_headers()
            block = bytes(range(256)) * 256
            sent = 0
            while sent < n:
                part = block[:min(len(block), n - sent)]
                self.wfile.write(part)
                sent += len(part)
            return
        if self.path.startswith("/trickle"):
            # a body that takes 4 s to arrive, one byte every 0.2 s
            self.send_response(200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            try:
                for _ in range(20):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        if self.path.startswith("/chunked"):
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (b"chunk-one ", b"chunk-two ", b"end"):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
            return
        if self.path.startswith("/digest"):
            import hashlib
            body = hashlib.sha256(body_in).hexdigest().encode()
        else:
            body = b"echo:" + body_in if self.command == "POST" else f"hello from {self.path}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        if "close" in self.path:  # a path with "close" in it ends the connection
            self.send_header("Connection", "close")
            self.close_connection = True
        else:
            self.send_header("Connection", "keep-alive")
            self.send_header("Keep-Alive", "timeout=5")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_HEAD = do_PUT = _answer


class Upstream:
    """A threaded HTTP/1.1 server on 127.0.0.x that counts connections and records requests."""

    def __init__(self, host="127.0.0.1", port=0, delay=0):
        self.server = _Server((host, port), _Handler)
        self.server.delay = delay
        self.host, self.port = self.server.server_address[:2]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    @property
    def connections(self):
        return self.server.connections

    @property
    def seen(self):
        return self.server.requests_seen

    def url(self, path="/"):
        return f"http://{self.host}:{self.port}{path}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Listener:
    """A bare TCP listener that counts the connections made to it (and answers nothing):
    proof that nothing reached it, or an upstream that never answers."""

    def __init__(self, host="127.0.0.1", port=0):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, port))
        self.sock.listen(64)
        self.sock.settimeout(0.1)
        self.host, self.port = self.sock.getsockname()
        self.accepted = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
                self.accepted.append(c)
            except (socket.timeout, OSError):
                continue

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join(timeout=5)
        for c in self.accepted:
            c.close()
        self.sock.close()


class Dns:
    """A DNS responder (python3-dnslib) on 127.0.0.1, UDP, a free port. answers: name -> list
    of IPv4 addresses (or of lists of them: one answer with several records); each A query
    for the name takes the next one (the last one repeats).
    Unknown names get NXDOMAIN; AAAA queries get no data."""

    def __init__(self, answers):
        from dnslib import QTYPE, RCODE, RR, A
        from dnslib.server import BaseResolver, DNSLogger, DNSServer

        outer = self
        self.answers = {k.rstrip("."): list(v) for k, v in answers.items()}
        self.queries = []

        class Resolver(BaseResolver):
            def resolve(self, request, handler):
                reply = request.reply()
                q = request.q
                name = str(q.qname).rstrip(".").lower()
                outer.queries.append((name, QTYPE[q.qtype]))
                if name not in outer.answers:
                    reply.header.rcode = RCODE.NXDOMAIN
                elif q.qtype == QTYPE.A:
                    seq = outer.answers[name]
                    ips = seq.pop(0) if len(seq) > 1 else seq[0]
                    for ip in (ips if isinstance(ips, list) else [ips]):
                        reply.add_answer(RR(q.qname, QTYPE.A, rdata=A(ip), ttl=0))
                return reply

        self.server = DNSServer(Resolver(), address="127.0.0.1", port=0,
                                logger=DNSLogger(log="-recv,-send,-request,-reply,-truncated,-error,-data",
                                                 logf=lambda s: None))
        self.port = self.server.server.server_address[1]
        self.server.start_thread()

    def a_queries(self, name):
        return sum(1 for n, t in self.queries if n == name and t == "A")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.server.stop()
        self.server.server.server_close()


def policy(allow_ranges=(), mode="enforce", extra=""):
    """A policy of one default role; allow_ranges such as ["127.0.0.1/32"]."""
    text = "version: 1\ndefault_role: default\nroles:\n  default:\n    mode: " + mode + "\n"
    if allow_ranges:
        text += "    allow_ranges: [" + ", ".join(allow_ranges) + "]\n"
    return text + extra


def curl(proxy, *args, timeout=30):
    """curl through the proxy; returns the CompletedProcess (stdout as text)."""
    return subprocess.run(["curl", "-sS", "--max-time", "20", "-x", proxy.url, *args], capture_output=True,
                          text=True, timeout=timeout)

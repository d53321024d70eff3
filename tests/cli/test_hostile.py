"""Hostile inputs through the real binary: a billion-laughs YAML, JSON nested 10,000 deep, a
2 GB file, invalid UTF-8, truncated JSON, a gzip bomb, symbolic link loops, an empty file and
binary data.

Each one must end in a clear error that names the file (with line and column where the
problem has a place), no crash, exit code 2 when nothing else could be scanned, and bounded
time and memory. The binary runs with an address-space limit of 2 GiB (RLIMIT_AS) and a
timeout; a build with AddressSanitizer reserves terabytes of address space for its shadow
memory, so there the bound is checked on the peak resident size instead. Big inputs are made
at test time (a sparse file, a gzip stream), never stored in the tree.
"""
import gzip
import json
import os
import resource
import shutil
import subprocess
import tempfile
import threading
import time

AS_LIMIT = 2 << 30          # bytes of address space for the plain build
RSS_LIMIT_KB = 2560 << 10   # peak resident size allowed under AddressSanitizer (its overhead)
TIMEOUT = 120               # seconds before the run counts as hung
QUICK = 20.0                # seconds a refusal may take, even on a sanitizer build

PUBLIC_BUCKET = ("Resources:\n"
                 "  Site:\n"
                 "    Type: AWS::S3::Bucket\n"
                 "    Properties:\n"
                 "      AccessControl: PublicRead\n")


def _check(cond, what):
    if not cond:
        raise AssertionError(what)


def _sanitized(binary):
    with open(binary, "rb") as f:
        return b"AddressSanitizer" in f.read()


class Run:
    def __init__(self, code, out, err, seconds, rss_kb):
        self.code = code
        self.out = out
        self.err = err
        self.seconds = seconds
        self.rss_kb = rss_kb

    def report(self):
        return json.loads(self.out)


def _run(cli, *args):
    """Runs the binary with bounded memory and time; checks it did not crash, and measures its
    own peak resident size (wait4 reports it for this child alone)."""
    sanitized = _sanitized(cli.binary)

    def limit():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))

    env = dict(os.environ)
    env.pop("NO_COLOR", None)
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen([cli.binary, *args], cwd=cli.root, stdout=fo, stderr=fe, env=env,
                             preexec_fn=limit)
        timer = threading.Timer(TIMEOUT, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.monotonic() - t0
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode("utf-8", "replace")
        err = fe.read().decode("utf-8", "replace")
    r = Run(p.returncode, out, err, seconds, usage.ru_maxrss)
    _check(seconds < TIMEOUT, f"timed out after {TIMEOUT}s: {args}")
    _check(r.code >= 0, f"killed by signal {-r.code}; stderr={r.err[-800:]!r}")
    for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:", "Segmentation fault"):
        _check(marker not in r.err, f"sanitizer or crash report: {r.err[-1500:]!r}")
    _check(r.code in (0, 1, 2), f"unexpected exit code {r.code}: {r.err[-600:]!r}")
    _check(r.rss_kb < (RSS_LIMIT_KB if sanitized else AS_LIMIT >> 10), f"peak resident size {r.rss_kb} KiB")
    return r


def _scan(cli, *args):
    """posture --format json with the shipped rules; returns the run and the parsed report."""
    r = _run(cli, "posture", "--format", "json", *args)
    try:
        rep = r.report()
    except ValueError as e:
        raise AssertionError(f"no JSON report ({e}); exit {r.code}, stdout={r.out[:300]!r} stderr={r.err[-300:]!r}")
    return r, rep


def _only_error(rep, path):
    """The one error of a report, which must name path."""
    errs = rep["errors"]
    _check(len(errs) == 1, f"expected one error, got {errs}")
    e = errs[0]
    _check(e["file"] == path or e["file"].endswith("/" + os.path.basename(path)),
           f"the error names {e['file']!r}, not {path!r}")
    _check(e["message"], f"the error has no message: {e}")
    return e


def _refused(cli, path, *extra, line=None, column=None, says=()):
    """Scans path alone: exit 2, one error naming it at line:column, nothing scanned, quick."""
    r, rep = _scan(cli, *extra, path)
    _check(r.code == 2, f"{path}: exit {r.code}, expected 2; errors {rep['errors']}")
    e = _only_error(rep, path)
    if line is not None:
        _check(e["line"] == line, f"{path}: error at line {e['line']}, expected {line}: {e}")
    if column is not None:
        _check(e.get("column") == column, f"{path}: error at column {e.get('column')}, expected {column}: {e}")
    msg = e["message"].lower()
    for word in says:
        _check(word in msg, f"{path}: message {e['message']!r} does not say {word!r}")
    _check(rep["summary"]["files"] == 0, f"{path}: counted as scanned: {rep['summary']}")
    _check(r.seconds < QUICK, f"{path}: took {r.seconds:.1f}s")
    # The text report names the file too, with its position.
    t = _run(cli, "posture", "--no-color", *extra, path)
    _check(t.code == 2, f"{path}: text mode exit {t.code}")
    where = path if line is None else f"{path}:{line}"
    _check(where in t.out or where in t.err, f"{path}: the text report does not show {where!r}: {t.out[-400:]!r}")
    return e


class _Tmp:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="cfhostile-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def file(self, name, data):
        p = os.path.join(self.path, name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb" if isinstance(data, bytes) else "w") as f:
            f.write(data)
        return p


# ---- documents that expand, nest or lie about their size ----

def test_billion_laughs_yaml(cli):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        name, prev = chr(ord("a") + i), chr(ord("a") + i - 1)
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    with _Tmp() as t:
        p = t.file("laughs.yaml", "\n".join(lines) + "\n")
        # Each alias of e is 111,111 values; the limit of 1,000,000 passes within line 6.
        _refused(cli, p, line=6, says=("alias",))


def test_json_nested_10000_deep(cli):
    with _Tmp() as t:
        p = t.file("deep.json", "[" * 10000 + "]" * 10000)
        _refused(cli, p, line=1, column=513, says=("nesting", "512"))
        p = t.file("deep-objects.json", '{"a":' * 10000 + "1" + "}" * 10000)
        _refused(cli, p, line=1, column=5 * 512 + 1, says=("nesting",))


def test_yaml_nested_10000_deep(cli):
    with _Tmp() as t:
        p = t.file("deep.yaml", "x: " + "[" * 10000 + "]" * 10000 + "\n")
        # The mapping is level 1, so the 512th bracket (column 3 + 512) is level 513.
        _refused(cli, p, line=1, column=3 + 512, says=("nesting",))


def test_two_gigabyte_file_is_refused_by_size(cli):
    with _Tmp() as t:
        p = os.path.join(t.path, "huge.json")
        with open(p, "wb") as f:
            f.truncate(2 << 30)  # sparse: no disk space, no time
        e = _refused(cli, p, says=("larger than the limit", "max-file-size"))
        _check("2147483648" in e["message"], f"the size is not stated: {e['message']}")
        # A lower limit set on the command line applies the same way.
        e = _refused(cli, p, "--max-file-size", "1M", says=("larger than the limit",))


def test_gzip_bomb_stops_at_the_limit(cli):
    with _Tmp() as t:
        bomb = gzip.compress(b'{"AWSTemplateFormatVersion": "' + b"A" * (64 << 20) + b'"}', 9)
        _check(len(bomb) < 200 << 10, f"the bomb is {len(bomb)} bytes")
        p = t.file("snapshot.json.gz", bomb)
        _refused(cli, p, "--max-file-size", "1M", says=("decompressed", "limit"))
        # Renamed without the .gz suffix: recognised by its content all the same.
        p2 = t.file("renamed.json", bomb)
        _refused(cli, p2, "--max-file-size", "1M", says=("decompressed",))


# ---- malformed text ----

def test_invalid_utf8(cli):
    with _Tmp() as t:
        p = t.file("bad.yaml", b"Resources:\n  B:\n    Type: AWS::S3::Bu\xffcket\n")
        _refused(cli, p, line=3, column=22, says=("utf-8",))
        p = t.file("bad.json", b'{"Resources": {\n  "B": {"Type": "AWS::S3::\xc0\xafBucket"}}}')
        _refused(cli, p, line=2, column=27, says=("utf-8",))


def test_truncated_json(cli):
    with _Tmp() as t:
        text = '{"Resources": {\n  "B": {"Type": "AWS::S3::Bucket", "Properties": {"AccessControl": '
        p = t.file("cut.json", text)
        last = text.split("\n")[-1]
        _refused(cli, p, line=2, column=len(last) + 1)


def test_trailing_garbage_after_json(cli):
    with _Tmp() as t:
        p = t.file("two.json", '{"Resources": {}}\n{"Resources": {}}\n')
        _refused(cli, p, line=2, column=1, says=("after",))


def test_empty_file(cli):
    with _Tmp() as t:
        for name in ("empty.yaml", "empty.json", "blank.yaml"):
            p = t.file(name, "" if name != "blank.yaml" else "\n\n   \n# just a comment\n")
            _refused(cli, p, says=("empty",))


def test_binary_file(cli):
    with _Tmp() as t:
        data = bytes((i * 151 + 7) % 256 for i in range(4096))
        p = t.file("blob.yaml", data)
        _refused(cli, p, line=1, column=1)  # the first byte is a control character
        p = t.file("blob.json", b"{" + data)
        e = _refused(cli, p)
        _check(e["line"] >= 1, f"no position: {e}")
        p = t.file("nul.yaml", b"Resources:\n  B:\x00\x00\x00\n")
        _refused(cli, p, line=2, column=5)


# ---- folders ----

def test_symlink_loop_in_a_directory(cli):
    with _Tmp() as t:
        os.symlink("b.yaml", os.path.join(t.path, "a.yaml"))
        os.symlink("a.yaml", os.path.join(t.path, "b.yaml"))
        os.symlink("self.yaml", os.path.join(t.path, "self.yaml"))
        os.makedirs(os.path.join(t.path, "sub"))
        os.symlink("..", os.path.join(t.path, "sub", "up"))     # a cycle back to the root
        os.symlink(".", os.path.join(t.path, "sub", "here"))
        r, rep = _scan(cli, t.path)
        _check(r.seconds < QUICK, f"took {r.seconds:.1f}s")
        _check(r.code == 2, f"exit {r.code}, expected 2 (nothing could be scanned); {rep['errors']}")
        named = sorted(os.path.basename(e["file"]) for e in rep["errors"])
        _check(named == ["a.yaml", "b.yaml", "self.yaml"], f"errors name {named}")
        for e in rep["errors"]:
            _check("loop" in e["message"], f"message {e['message']!r}")
        # With a real template next to the loops the scan goes on and finds it.
        t.file("site.yaml", PUBLIC_BUCKET)
        r, rep = _scan(cli, t.path)
        _check(r.code == 1, f"exit {r.code}, expected 1 (a finding)")
        _check(rep["summary"]["files"] == 1, f"summary {rep['summary']}")
        _check(len(rep["errors"]) == 3, f"errors {rep['errors']}")


def test_bad_inputs_next_to_a_good_one(cli):
    with _Tmp() as t:
        good = t.file("site.yaml", PUBLIC_BUCKET)
        bad = [t.file("deep.json", "[" * 10000 + "]" * 10000),
               t.file("cut.json", '{"Resources": {'),
               t.file("bad.yaml", b"a: \xff\n"),
               t.file("empty.yaml", "")]
        r, rep = _scan(cli, good, *bad)
        _check(r.code == 1, f"exit {r.code}: the good input's finding decides")
        _check(rep["summary"]["files"] == 1, f"summary {rep['summary']}")
        named = sorted(os.path.basename(e["file"]) for e in rep["errors"])
        _check(named == sorted(os.path.basename(b) for b in bad), f"errors name {named}")
        _check(any(f["location"]["file"].endswith("site.yaml") for f in rep["findings"]), "no finding from site.yaml")

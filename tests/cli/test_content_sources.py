"""What the content analysers read: folders with .gitignore files (checked against git
itself), archives (zip, jar, apk, tar in every compression, a lone gzip stream, nested
archives, a zip bomb, traversal names, links), encoded blobs (base64, hex, percent encoding)
and git history.

The tests bring their own content rule (a fake key format, TSTK + 16 base32 characters) and
run with --no-builtin-rules, so that the shipped pack can grow without moving them. Every
archive and repository is built at test time; nothing binary is stored in the tree.
"""
import base64
import bz2
import gzip
import io
import json
import os
import resource
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, check, expect  # noqa: E402

RULE = """id: tst-key
analyzer: secrets
title: Test key
severity: high
regex: '\\b(TSTK[A-Z2-7]{16})\\b'
keywords: [tstk]
remediation: Rotate the test key.
"""
KEY = "TSTKABCDEFGHIJKLMNOP"
KEY2 = "TSTKQRSTUVWXYZ234567"


def rules_dir(td):
    td.write("rules/tst.yaml", RULE)
    return td.path("rules")


def secrets(cli, td, *args, stdin=None):
    """`secrets --format json` with the test rule only; returns (result, report)."""
    res = cli.run("secrets", "--no-builtin-rules", "--rules", rules_dir(td), "--format", "json", *args,
                  stdin=stdin)
    check(res.code in (0, 1, 2), f"exit {res.code}: {res.err[-600:]!r}")
    try:
        return res, res.json()
    except ValueError as ex:
        raise AssertionError(f"not JSON ({ex}): {res.out[:300]!r} stderr={res.err[-600:]!r}")


def where(rep):
    """(file, line) of every finding, sorted."""
    return sorted((f["location"]["file"], f["location"]["line"]) for f in rep["findings"])


def files_with_findings(rep, root):
    return sorted({os.path.relpath(f["location"]["file"], root) for f in rep["findings"]})


def errors_about(rep, text):
    return [e for e in rep["errors"] if text in e["message"]]


def zip_bytes(entries, method=zipfile.ZIP_DEFLATED):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for name, data in entries:
            z.writestr(name, data)
    return b.getvalue()


def write_bytes(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def class_file(class_name, constant):
    """A minimal Java class file (JVM specification 4.1, 4.4) whose constant pool holds a
    String constant: what javac makes of `static final String KEY = "..."`."""
    def utf8(s):
        e = s.encode()
        return b"\x01" + struct.pack(">H", len(e)) + e
    pool = [utf8(class_name),                     # 1
            b"\x07" + struct.pack(">H", 1),       # 2 Class #1
            utf8("java/lang/Object"),             # 3
            b"\x07" + struct.pack(">H", 3),       # 4 Class #3
            utf8(constant),                       # 5
            b"\x08" + struct.pack(">H", 5),       # 6 String #5
            b"\x05" + struct.pack(">q", 42)]      # 7-8 Long (two slots)
    body = b"".join(pool)
    return (b"\xca\xfe\xba\xbe" + struct.pack(">HH", 0, 52) + struct.pack(">H", 9) + body +
            struct.pack(">HHHHHHH", 0x21, 2, 4, 0, 0, 0, 0))


# ---- .gitignore ----

GITIGNORE_ROOT = """# comment with a key TSTKAAAAAAAAAAAAAAAA
*.log
!important.log
/rootonly.txt
build/
doc/*.tmp
**/cache/**
a/**/z.txt
\\#hash.txt
\\!bang.txt
trail.txt   
esc\\ .txt\\ 
file[0-9].dat
[!a-m]*.bin
*.swp
nested/deep/
star*/
"""
GITIGNORE_SUB = """!keep.swp
*.txt
!wanted.txt
/local.cfg
"""
GITIGNORE_INNER = """!*.txt
"""
EXCLUDE = """from-exclude.txt
"""
TREE_FILES = [
    "rootonly.txt", "sub/rootonly.txt", "x.log", "important.log", "sub/important.log", "sub/x.log",
    "build/a.cfg", "sub/build/b.cfg", "build.cfg", "doc/a.tmp", "doc/sub/b.tmp", "doc/a.cfg",
    "cache/c.cfg", "x/cache/y/c.cfg", "x/cache.cfg", "a/z.txt", "a/b/c/z.txt", "a/z2.txt", "b/a/z.txt",
    "#hash.txt", "!bang.txt", "bang.txt", "trail.txt", "esc .txt ", "esc .txt", "file1.dat", "filex.dat",
    "n.bin", "a.bin", "z.bin", "k.swp", "sub/keep.swp", "sub/a.txt", "sub/wanted.txt", "sub/local.cfg",
    "sub/x/local.cfg", "sub/inner/c.txt", "sub/inner/deeper/d.txt", "nested/deep/f.cfg", "nested/f.cfg",
    "deep/f.cfg", "from-exclude.txt", "sub/from-exclude.txt", "plain.cfg", "starry/s.cfg", "star.cfg",
]


def make_ignore_tree(root):
    for rel in TREE_FILES:
        write_bytes(os.path.join(root, rel), f"key = {KEY}\n".encode())
    write_bytes(os.path.join(root, ".gitignore"), GITIGNORE_ROOT.encode())
    write_bytes(os.path.join(root, "sub/.gitignore"), GITIGNORE_SUB.encode())
    write_bytes(os.path.join(root, "sub/inner/.gitignore"), GITIGNORE_INNER.encode())
    subprocess.run(["git", "init", "-q", root], check=True)
    write_bytes(os.path.join(root, ".git/info/exclude"), EXCLUDE.encode())


def git_ignored(root, rels):
    """The paths git itself says are ignored (exit 1 means none is)."""
    p = subprocess.run(["git", "-C", root, "check-ignore", "--no-index", "--stdin", "-z"],
                       input="\0".join(rels) + "\0", capture_output=True, text=True)
    check(p.returncode in (0, 1), f"git check-ignore failed: {p.stderr}")
    return {x for x in p.stdout.split("\0") if x}


def test_gitignore_agrees_with_git(cli):
    with TempDir(cli) as td:
        root = td.path("tree")
        make_ignore_tree(root)
        all_files = sorted(TREE_FILES + [".gitignore", "sub/.gitignore", "sub/inner/.gitignore"])
        ignored = git_ignored(root, all_files)
        # The tree must exercise both outcomes in quantity, or the comparison proves little.
        check(len(ignored) >= 20 and len(all_files) - len(ignored) >= 15,
              f"git ignores {len(ignored)} of {len(all_files)}")
        expected = sorted(f for f in all_files if f not in ignored and f != "sub/.gitignore"
                          and f != "sub/inner/.gitignore")
        # The root .gitignore holds a key in its comment; the others hold none.
        _, rep = secrets(cli, td, root)
        got = files_with_findings(rep, root)
        check(got == expected, f"scanned but ignored by git: {sorted(set(got) - set(expected))}; "
                               f"ignored but kept by git: {sorted(set(expected) - set(got))}")


def test_no_ignore_scans_everything(cli):
    with TempDir(cli) as td:
        root = td.path("tree")
        make_ignore_tree(root)
        _, rep = secrets(cli, td, "--no-ignore", root)
        got = files_with_findings(rep, root)
        check(got == sorted(TREE_FILES + [".gitignore"]), f"--no-ignore scanned {got}")


def test_named_file_is_scanned_even_when_ignored(cli):
    with TempDir(cli) as td:
        root = td.path("tree")
        make_ignore_tree(root)
        f = os.path.join(root, "x.log")
        check("x.log" in git_ignored(root, ["x.log"]), "x.log should be ignored")
        _, rep = secrets(cli, td, f)
        check(where(rep) == [(f, 1)], f"findings: {where(rep)}")


# ---- archives ----

def test_zip_jar_apk_and_nested_names(cli):
    with TempDir(cli) as td:
        jar = zip_bytes([("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\n"),
                         ("com/x/Config.class", class_file("com/x/Config", KEY))])
        a = write_bytes(td.path("a.zip"), zip_bytes([("notes.txt", f"one\ntwo\nkey={KEY2}\n"), ("inner.jar", jar)]))
        apk = write_bytes(td.path("outer.apk"), zip_bytes([
            ("res/values/strings.xml", f'<resources>\n  <string name="k">{KEY}</string>\n</resources>\n'),
            ("classes.dex", b"dex\n035\0" + b"\0" * 16 + b"\x14" + KEY2.encode() + b"\0\0"),
            ("res/drawable/icon.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + KEY.encode())]))
        loose = write_bytes(td.path("classes/Loose.class"), class_file("Loose", KEY2))
        _, rep = secrets(cli, td, a, apk, td.path("classes"))
        want = sorted([(f"{a}!notes.txt", 3), (f"{a}!inner.jar!com/x/Config.class", 3), (loose, 3),
                       (f"{apk}!res/values/strings.xml", 2), (f"{apk}!classes.dex", 1)])
        check(where(rep) == want, f"findings {where(rep)}, expected {want}")
        check(not rep["errors"], f"errors: {rep['errors']}")


def test_archives_found_by_content_not_name(cli):
    with TempDir(cli) as td:
        p = write_bytes(td.path("blob.bin"), zip_bytes([("deep/cfg.ini", f"[a]\nk={KEY}\n")]))
        _, rep = secrets(cli, td, p)
        check(where(rep) == [(f"{p}!deep/cfg.ini", 2)], f"findings: {where(rep)}")


def test_tar_in_every_compression_and_lone_gzip(cli):
    with TempDir(cli) as td:
        text = f"a\nb\nc\nsecret = {KEY}\n".encode()
        paths = []
        for mode, ext in (("w", "tar"), ("w:gz", "tar.gz"), ("w:bz2", "tar.bz2"), ("w:xz", "tar.xz")):
            b = io.BytesIO()
            with tarfile.open(fileobj=b, mode=mode) as t:
                ti = tarfile.TarInfo("etc/app.conf")
                ti.size = len(text)
                t.addfile(ti, io.BytesIO(text))
            paths.append(write_bytes(td.path(f"x.{ext}"), b.getvalue()))
        paths.append(write_bytes(td.path("app.conf.gz"), gzip.compress(text)))
        paths.append(write_bytes(td.path("app.conf.bz2"), bz2.compress(text)))
        _, rep = secrets(cli, td, *paths)
        want = sorted([(f"{p}!etc/app.conf", 4) for p in paths[:4]] +
                      [(f"{paths[4]}!app.conf", 4), (f"{paths[5]}!app.conf", 4)])
        check(where(rep) == want, f"findings {where(rep)}, expected {want}")


def nested_zip(levels):
    """l1.zip holding l2.zip ... holding l<levels>.zip holding secret.txt."""
    data = zip_bytes([("secret.txt", f"x\n{KEY}\n")])
    for i in range(levels, 1, -1):
        data = zip_bytes([(f"l{i}.zip", data)])
    return data


def test_nesting_depth_limit(cli):
    with TempDir(cli) as td:
        p = write_bytes(td.path("l1.zip"), nested_zip(4))
        inner = f"{p}!l2.zip!l3.zip!l4.zip!secret.txt"
        _, rep = secrets(cli, td, p)
        check(rep["findings"] == [], f"found past the default depth of 3: {where(rep)}")
        warn = errors_about(rep, "nested deeper than 3")
        check(len(warn) == 1 and warn[0]["file"] == f"{p}!l2.zip!l3.zip!l4.zip", f"errors: {rep['errors']}")
        _, rep = secrets(cli, td, "--max-depth", "4", p)
        check(where(rep) == [(inner, 2)], f"with --max-depth 4: {where(rep)}")
        check(not rep["errors"], f"errors: {rep['errors']}")
        _, rep = secrets(cli, td, "--max-depth", "3", write_bytes(td.path("l3.zip"), nested_zip(3)))
        check(len(rep["findings"]) == 1, f"three levels at --max-depth 3: {where(rep)}")


def test_no_archives_skips_them(cli):
    with TempDir(cli) as td:
        p = write_bytes(td.path("a.zip"), zip_bytes([("k.txt", KEY)]))
        g = write_bytes(td.path("k.txt.gz"), gzip.compress(KEY.encode()))
        _, rep = secrets(cli, td, p, g)
        check(len(rep["findings"]) == 2, f"findings: {where(rep)}")
        _, rep = secrets(cli, td, "--max-depth", "0", p, g)
        check(rep["findings"] == [] and rep["errors"] == [], f"--max-depth 0 (no archives): {where(rep)} {rep['errors']}")


def test_traversal_names_and_links(cli):
    with TempDir(cli) as td:
        p = write_bytes(td.path("in/evil.zip"), zip_bytes([("../../escape.txt", KEY), ("/abs/root.txt", KEY2)]))
        b = io.BytesIO()
        with tarfile.open(fileobj=b, mode="w") as t:
            ti = tarfile.TarInfo("link")
            ti.type = tarfile.SYMTYPE
            ti.linkname = "/etc/passwd"
            t.addfile(ti)
            ti = tarfile.TarInfo("real.txt")
            data = f"k={KEY}\n".encode()
            ti.size = len(data)
            t.addfile(ti, io.BytesIO(data))
            ti = tarfile.TarInfo("hard")
            ti.type = tarfile.LNKTYPE
            ti.linkname = "real.txt"
            t.addfile(ti)
        tp = write_bytes(td.path("in/links.tar"), b.getvalue())
        rules_dir(td)
        before = td.listing()
        _, rep = secrets(cli, td, p, tp)
        check(td.listing() == before, f"the scan wrote files: {sorted(set(td.listing()) - set(before))}")
        want = sorted([(f"{p}!escape.txt", 1), (f"{p}!abs/root.txt", 1), (f"{tp}!real.txt", 1)])
        check(where(rep) == want, f"findings {where(rep)}, expected {want}")
        leave = errors_about(rep, "leaves the archive")
        check(sorted(e["file"] for e in leave) == sorted([f"{p}!escape.txt", f"{p}!abs/root.txt"]),
              f"traversal warnings: {rep['errors']}")
        link = errors_about(rep, "symbolic link")
        check([e["file"] for e in link] == [f"{tp}!link"], f"link warnings: {rep['errors']}")


def run_limited(cli, args, as_limit=2 << 30):
    """Runs the binary under an address-space limit (plain builds; an ASan build reserves far
    more, so there the peak resident size is checked instead)."""
    with open(cli.binary, "rb") as f:
        sanitized = b"AddressSanitizer" in f.read()

    def limit():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (as_limit, as_limit))
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.monotonic()
        p = subprocess.Popen([cli.binary, *args], cwd=cli.root, stdout=fo, stderr=fe, preexec_fn=limit)
        timer = threading.Timer(120, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        code = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(), fe.read().decode("utf-8", "replace")
    check(time.monotonic() - t0 < 120, "timed out")
    check(code in (0, 1, 2), f"exit {code}; stderr={err[-800:]!r}")
    check(usage.ru_maxrss < (2560 << 10 if sanitized else as_limit >> 10), f"peak RSS {usage.ru_maxrss} KiB")
    return code, json.loads(out), err


def test_zip_bomb_stops_with_a_warning(cli):
    with TempDir(cli) as td:
        p = td.path("bomb.zip")
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("first.txt", f"k={KEY}\n")
            with z.open("zeros.bin", "w", force_zip64=True) as w:
                chunk = b"\0" * (1 << 20)
                for _ in range(200):
                    w.write(chunk)
            z.writestr("after.txt", f"k={KEY2}\n")
        check(os.path.getsize(p) < 1 << 20, f"the bomb is {os.path.getsize(p)} bytes")
        _, rep, _ = run_limited(cli, ["secrets", "--no-builtin-rules", "--rules", rules_dir(td), "-f", "json", p])
        check(where(rep) == [(f"{p}!first.txt", 1)], f"findings: {where(rep)}")
        warn = errors_about(rep, "compression ratio")
        check(len(warn) == 1 and warn[0]["file"] == p, f"errors: {rep['errors']}")
        # The total-size cap stops a plain large archive the same way.
        _, rep, _ = run_limited(cli, ["secrets", "--no-builtin-rules", "--rules", rules_dir(td), "-f", "json",
                                      "--max-archive-size", "1M", p])
        check(len(errors_about(rep, "bytes unpacked")) == 1, f"errors: {rep['errors']}")
        # A bomb with nothing to find was still read and scanned: a warning, not an input
        # that could not be scanned (exit 0, not 2).
        q = td.path("zeros.zip")
        with zipfile.ZipFile(q, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("zeros.bin", "w", force_zip64=True) as w:
                for _ in range(200):
                    w.write(b"\0" * (1 << 20))
        code, rep, _ = run_limited(cli, ["secrets", "--no-builtin-rules", "--rules", rules_dir(td), "-f", "json", q])
        check(code == 0 and rep["findings"] == [] and len(errors_about(rep, "compression ratio")) == 1,
              f"exit {code}, errors: {rep['errors']}")


def test_archive_on_standard_input(cli):
    with TempDir(cli) as td:
        data = zip_bytes([("conf/a.env", f"A=1\nKEY={KEY}\n")])
        res = subprocess.run([cli.binary, "secrets", "--no-builtin-rules", "--rules", rules_dir(td), "-f", "json", "-"],
                             cwd=cli.root, input=data, capture_output=True)
        rep = json.loads(res.stdout)
        check(where(rep) == [("<stdin>!conf/a.env", 2)], f"findings: {where(rep)}")
        _, rep = secrets(cli, td, "-", stdin=f"plain\n{KEY}\n")
        check(where(rep) == [("<stdin>", 2)], f"plain text on stdin: {where(rep)}")


# ---- encoded blobs ----

def test_encoded_secrets_are_found_on_their_line(cli):
    with TempDir(cli) as td:
        b64 = base64.b64encode(f"aws_key={KEY}\n".encode()).decode()
        urlsafe = base64.urlsafe_b64encode(f"k>>>{KEY}???".encode()).decode().rstrip("=")
        hexed = f"token: {KEY2}".encode().hex()
        pct = "redirect=https%3A%2F%2Fx.example%2F%3Fkey%3D" + KEY
        twice = base64.b64encode(base64.b64encode(f"nested {KEY}".encode())).decode()
        text = (f"line one\nblob: \"{b64}\"\nthird\nurl: {urlsafe}\nhex = {hexed}\n{pct}\n"
                f"double: {twice}\n")
        p = td.write("enc.yaml", text)
        _, rep = secrets(cli, td, p)
        got = sorted((f["location"]["line"], f["evidence"].split("; found ")[-1]) for f in rep["findings"])
        want = [(2, "base64-decoded"), (4, "base64-decoded"), (5, "hex-decoded"), (6, "percent-decoded"),
                (7, "base64-decoded, then base64-decoded")]
        check(got == want, f"findings {got}, expected {want}")
        col = [f["location"]["column"] for f in rep["findings"] if f["location"]["line"] == 2]
        check(col == [text.split("\n")[1].index(b64) + 1], f"column of the base64 run: {col}")
        _, rep = secrets(cli, td, "--decode-depth", "1", p)
        check(sorted(f["location"]["line"] for f in rep["findings"]) == [2, 4, 5, 6],
              f"--decode-depth 1: {where(rep)}")
        _, rep = secrets(cli, td, "--decode-depth", "0", p)
        check(rep["findings"] == [], f"--decode-depth 0 (no decoding): {where(rep)}")


def test_wrapped_base64_block(cli):
    with TempDir(cli) as td:
        blob = base64.encodebytes(f"[default]\nregion = eu-west-1\nsecret = {KEY}\n".encode() * 3).decode()
        check(blob.count("\n") >= 3, "the blob should wrap")
        lines = "".join("    " + ln + "\n" for ln in blob.splitlines())
        p = td.write("secret.yaml", f"apiVersion: v1\nkind: Secret\ndata:\n  config: |\n{lines}")
        _, rep = secrets(cli, td, p)
        check(where(rep) == [(p, 5)], f"findings: {where(rep)}")
        check("base64-decoded" in rep["findings"][0]["evidence"], f"evidence: {rep['findings'][0]['evidence']}")


def test_one_long_line_of_encoded_secrets_stays_fast(cli):
    """Minified files put everything on one line: the work per match must not grow with the
    line (line numbers, inline suppressions and duplicate checks each look at it once)."""
    with TempDir(cli) as td:
        alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        keys = ["TSTKAAAAAAAAAAAA" + "".join(alpha[(i >> (5 * k)) & 31] for k in range(4)) for i in range(100000)]
        blobs = [base64.b64encode(f"key {k} x".encode()).decode() for k in keys]
        p = td.write("min.js", "var a=[" + ",".join(f'"{b}"' for b in blobs) + "];\n")
        t0 = time.monotonic()
        _, rep = secrets(cli, td, p)
        took = time.monotonic() - t0
        check(len(rep["findings"]) == 100000, f"{len(rep['findings'])} findings")
        check({f["location"]["line"] for f in rep["findings"]} == {1}, "findings off the line")
        check(took < 60, f"took {took:.1f} s")
        # The same with a suppression comment on the line: every match asks about it.
        p = td.write("min2.js", "var a=[" + ",".join(f'"{b}"' for b in blobs) + "]; // cloudfort:ignore tst-key fixture\n")
        t0 = time.monotonic()
        res = cli.run("secrets", "--no-builtin-rules", "--rules", rules_dir(td), "--format", "json",
                      "--show-suppressed", p)
        took = time.monotonic() - t0
        rep = res.json()
        check(not rep["findings"] and len(rep["suppressed"]) == 100000, f"{len(rep['findings'])} findings")
        check(took < 60, f"with a suppression comment: took {took:.1f} s")


def test_look_alikes_are_not_decoded(cli):
    with TempDir(cli) as td:
        # A key in plain sight is reported once, not again from some "decoding" of it: hashes
        # and identifiers do not decode to text, and a key readable inside a percent-encoded
        # URL is not reported a second time from the decoded URL.
        p = td.write("plain.txt", f"k = {KEY}\nsha = {'ab' * 32}\nid = ThisIsAVeryLongIdentifierNameForTests\n"
                                  f"u=https://x.example/?key={KEY2}&pad=%20%20%20\n")
        _, rep = secrets(cli, td, p)
        check(where(rep) == [(p, 1), (p, 4)] and not any("decoded" in f["evidence"] for f in rep["findings"]),
              f"findings: {[(f['location']['line'], f['evidence']) for f in rep['findings']]}")


# ---- git history ----

def git(repo, *args, author=None, date=None):
    env = dict(os.environ)
    env.update({"GIT_COMMITTER_NAME": "Committer", "GIT_COMMITTER_EMAIL": "committer@example.com",
                "GIT_CONFIG_NOSYSTEM": "1", "HOME": repo})
    if author:
        env.update({"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]})
    if date:
        env.update({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    p = subprocess.run(["git", "-C", repo, *args], env=env, capture_output=True, text=True)
    check(p.returncode == 0, f"git {args}: {p.stderr}")
    return p.stdout.strip()


def make_repo(root):
    os.makedirs(root)
    git(root, "init", "-q", "-b", "main")
    with open(os.path.join(root, "app.cfg"), "w") as f:
        f.write("name = app\nport = 80\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "initial", author=("Alice", "alice@example.com"), date="2024-01-02T03:04:05Z")
    with open(os.path.join(root, "app.cfg"), "w") as f:
        f.write(f"name = app\nport = 80\n\nkey = {KEY}\n")
    write_bytes(os.path.join(root, "bin/blob.dat"), b"\0\1\2" + KEY2.encode())
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "add the key\n\nlonger body", author=("Bob Builder", "bob@example.com"),
        date="2024-02-03T04:05:06+02:00")
    added = git(root, "rev-parse", "HEAD")
    with open(os.path.join(root, "app.cfg"), "w") as f:
        f.write("name = app\nport = 80\n")
    git(root, "commit", "-q", "-am", "remove the key", author=("Carol", "carol@example.com"),
        date="2024-03-04T05:06:07Z")
    with open(os.path.join(root, "other.txt"), "w") as f:
        f.write(f"first\nsecond {KEY2}\n")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "other", author=("Dan", "dan@example.com"), date="2024-04-05T06:07:08Z")
    last = git(root, "rev-parse", "HEAD")
    # Moving the file adds no line: the key is not reported again from the move.
    git(root, "mv", "other.txt", "moved.txt")
    git(root, "commit", "-q", "-m", "move", author=("Eve", "eve@example.com"), date="2024-05-06T07:08:09Z")
    return added, last


def test_git_history_reports_the_commit_that_added_a_secret(cli):
    with TempDir(cli) as td:
        repo = td.path("repo")
        added, last = make_repo(repo)
        # The working tree no longer holds the first key: only history does.
        _, rep = secrets(cli, td, repo)
        check([f["location"]["file"] for f in rep["findings"]] == [os.path.join(repo, "moved.txt")],
              f"working tree: {where(rep)}")
        _, rep = secrets(cli, td, "--git", repo)
        locs = sorted((f["location"]["file"], f["location"]["line"], f["location"]["commit"],
                       f["location"]["author"], f["location"]["email"], f["location"]["date"])
                      for f in rep["findings"])
        want = sorted([("app.cfg", 4, added, "Bob Builder", "bob@example.com", "2024-02-03T02:05:06Z"),
                       ("other.txt", 2, last, "Dan", "dan@example.com", "2024-04-05T06:07:08Z")])
        check(locs == want, f"findings {locs}, expected {want}")
        # A range limits the commits.
        _, rep = secrets(cli, td, "--git", "--git-range", f"{added}..main", repo)
        check([f["location"]["commit"] for f in rep["findings"]] == [last], f"range: {where(rep)}")


def test_git_errors_exit_2(cli):
    with TempDir(cli) as td:
        repo = td.path("repo")
        make_repo(repo)
        own = ["secrets", "--no-builtin-rules", "--rules", rules_dir(td)]
        res = cli.run(*own, "--git", "--git-range", "nosuchref..main", repo)
        expect(res, 2, "bad range:")
        check("nosuchref" in res.err, f"stderr: {res.err!r}")
        plain = td.path("plain")
        os.makedirs(plain)
        res = cli.run(*own, "--git", plain)
        expect(res, 2, "not a repository:")
        check("not a git repository" in res.err, f"stderr: {res.err!r}")

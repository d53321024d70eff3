"""The incident gallery: `cloudfort scan examples/incidents/<case>` reports every finding listed
in the case's expected.json (rule id, file and, when given, line), from every input format of
the case, and loads every input without errors.

cloudsek-twitter-keys is also scanned the way the app ships: the test writes ApiConfig.class
from the constants of the case's ApiConfig.java (a small writer of the Java class-file format,
JVM specification chapter 4) and zips it with the manifest and resources into an APK in a
temporary folder; the credentials must be reported at their paths inside the APK."""
import json
import os
import re
import struct
import zipfile

from cli_support import TempDir


def _cases(cli):
    base = os.path.join(cli.root, "examples", "incidents")
    return sorted(d for d in os.listdir(base) if os.path.isdir(os.path.join(base, d)))


def _check(cli, case):
    path = os.path.join("examples", "incidents", case)
    with open(os.path.join(cli.root, path, "expected.json")) as f:
        expected = json.load(f)
    assert expected, f"{case}: expected.json is empty"
    r = cli.run("scan", "--format", "json", path)
    assert r.code == 1, f"{case}: exit {r.code}, stderr {r.err[:300]}"
    rep = r.json()
    assert rep["errors"] == [], f"{case}: input errors {rep['errors']}"
    got = {(f["rule_id"], os.path.relpath(f["location"]["file"], path), f["location"]["line"])
           for f in rep["findings"]}
    got_no_line = {(a, b) for a, b, _ in got}
    missing = []
    for e in expected:
        key = (e["rule_id"], e["file"])
        if "line" in e:
            if key + (e["line"],) not in got:
                missing.append(e)
        elif key not in got_no_line:
            missing.append(e)
    assert not missing, f"{case}: not reported: {missing}; got {sorted(got)}"
    # Every input format of the case contributes findings.
    files = {e["file"].split("/")[0] for e in expected}
    seen = {os.path.relpath(f["location"]["file"], path).split("/")[0] for f in rep["findings"]}
    assert files <= seen, f"{case}: no findings from {files - seen}"


def test_every_case_has_expected_and_readme(cli):
    cases = _cases(cli)
    assert len(cases) >= 5
    for c in cases:
        for name in ("expected.json", "README.md"):
            assert os.path.exists(os.path.join(cli.root, "examples", "incidents", c, name)), f"{c}/{name}"


def test_sega_europe(cli):
    _check(cli, "sega-europe")


def test_airports_s3(cli):
    _check(cli, "airports-s3")


def test_azure_blob(cli):
    _check(cli, "azure-blob")


def test_elasticsearch(cli):
    _check(cli, "elasticsearch")


def test_capital_one(cli):
    _check(cli, "capital-one")


def _capital_one_requests(cli):
    with open(os.path.join(cli.root, "examples", "incidents", "capital-one", "requests.txt")) as f:
        return [ln.strip() for ln in f if ln.strip() and not ln.startswith("#")]


def test_capital_one_requests_through_url_check(cli):
    urls = _capital_one_requests(cli)
    assert len(urls) == 3 and "ISRM-WAF-Role" in urls[1], urls
    r = cli.run("url-check", "--no-resolve", "--format", "json", "-",
                stdin=open(os.path.join(cli.root, "examples", "incidents", "capital-one", "requests.txt")).read())
    assert r.code == 1, f"exit {r.code}: {r.err[:300]}"
    got = [json.loads(ln) for ln in r.out.splitlines() if ln.strip()]
    assert [(g["url"], g["verdict"], g["why"]) for g in got] == [
        (urls[0], "deny", "metadata"), (urls[1], "deny", "metadata"), (urls[2], "allow", "ok")], got


def test_capital_one_requests_through_the_proxy(cli):
    """The incident's requests through `cloudfort egress`: both metadata requests are denied
    before any connection; the business host (resolved by a test DNS responder to a local
    server that a test policy allows) is reached. The URL's port is the local server's."""
    from egress_support import Dns, Proxy, Upstream, policy, read_response
    import socket
    urls = _capital_one_requests(cli)
    business = urls[2].replace("statements.bank.example/", "statements.bank.example:{port}/")
    with TempDir(cli) as t, Upstream() as up, Dns({"statements.bank.example": ["127.0.0.1"]}) as dns, \
            Proxy(cli, t, policy(["127.0.0.1/32"]), args=["--resolver", f"127.0.0.1:{dns.port}"]) as px:
        answers = []
        for url in urls[:2] + [business.format(port=up.port)]:
            s = socket.create_connection(px.addr, timeout=10)
            s.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answers.append(read_response(s))
            s.close()
        assert [a[0] for a in answers] == [403, 403, 200], [a[:2] for a in answers]
        assert "metadata service" in answers[0][1]["x-cloudfort-egress-reason"], answers[0][1]
        assert answers[2][2] == b"hello from /v1/accounts/export\n", answers[2][2]
        lines = px.wait_requests(3)
        assert [(ln["verdict"], ln["why"], ln["addr"]) for ln in lines] == [
            ("deny", "metadata", None), ("deny", "metadata", None), ("allow", "ok", "127.0.0.1")], lines
        assert px.stop() == 0
        assert [x[1] for x in up.seen] == ["/v1/accounts/export"], up.seen


def test_cloudsek_twitter_keys(cli):
    _check(cli, "cloudsek-twitter-keys")


# ---- a Java class file from a source's constants ----

CONST_RE = re.compile(r'static\s+final\s+(String|int)\s+(\w+)\s*=\s*("(?:[^"\\]|\\.)*"|-?\d+)\s*;')


def java_constants(source):
    """(type, name, value) of every `static final String|int NAME = literal;` in a source."""
    out = []
    for typ, name, lit in CONST_RE.findall(source):
        out.append((typ, name, json.loads(lit) if typ == "String" else int(lit)))
    return out


def class_file(this_class, constants):
    """A class file (version 52, Java 8) declaring the constants as public static final fields
    with ConstantValue attributes, as javac writes compile-time constants; no methods."""
    pool = []
    seen = {}

    def entry(key, data):
        if key not in seen:
            pool.append(data)
            seen[key] = len(pool)  # constant pool indexes start at 1
        return seen[key]

    def utf8(text):
        b = text.encode("utf-8")  # the constants here are ASCII: modified UTF-8 is the same
        return entry(("u", text), struct.pack(">BH", 1, len(b)) + b)

    def klass(name):
        return entry(("c", name), struct.pack(">BH", 7, utf8(name)))

    this_i, super_i = klass(this_class), klass("java/lang/Object")
    cv = utf8("ConstantValue")
    fields = b""
    for typ, name, value in constants:
        desc = utf8("Ljava/lang/String;" if typ == "String" else "I")
        if typ == "String":
            val = entry(("s", value), struct.pack(">BH", 8, utf8(value)))
        else:
            val = entry(("i", value), struct.pack(">Bi", 3, value))
        fields += struct.pack(">HHHH", 0x0019, utf8(name), desc, 1) + struct.pack(">HIH", cv, 2, val)
    out = struct.pack(">IHHH", 0xCAFEBABE, 0, 52, len(pool) + 1) + b"".join(pool)
    out += struct.pack(">HHHH", 0x0031, this_i, super_i, 0)
    out += struct.pack(">H", len(constants)) + fields + struct.pack(">HH", 0, 0)
    return out


def test_class_file_writer_round_trip(cli):
    """The writer's output parses back: magic, version, and every constant's string in the pool."""
    consts = [("String", "A", "alpha"), ("int", "N", -7), ("String", "B", "beta")]
    data = class_file("x/Y", consts)
    magic, minor, major, count = struct.unpack(">IHHH", data[:10])
    assert (magic, minor, major) == (0xCAFEBABE, 0, 52)
    i, n, strings = 10, 1, []
    while n < count:
        tag = data[i]
        if tag == 1:
            (ln,) = struct.unpack(">H", data[i + 1:i + 3])
            strings.append(data[i + 3:i + 3 + ln].decode())
            i += 3 + ln
        elif tag == 3:
            i += 5
        else:
            i += 3
        n += 1
    assert {"alpha", "beta", "x/Y", "java/lang/Object", "ConstantValue", "A", "N", "B"} <= set(strings), strings
    access, this_i, super_i, n_if, n_fields = struct.unpack(">HHHHH", data[i:i + 10])
    assert (access, n_if, n_fields) == (0x0031, 0, 3)


def test_cloudsek_twitter_keys_apk(cli):
    case = os.path.join(cli.root, "examples", "incidents", "cloudsek-twitter-keys")
    with open(os.path.join(case, "expected.json")) as f:
        expected = json.load(f)
    src = os.path.join(case, "app", "java", "com", "example", "birdwatch", "ApiConfig.java")
    with open(src) as f:
        consts = java_constants(f.read())
    assert any(c[1] == "DEFAULTS" for c in consts), consts
    klass = "com/example/birdwatch/ApiConfig.class"
    with TempDir(cli) as t:
        apk = t.path("birdwatch.apk")
        with zipfile.ZipFile(apk, "w", zipfile.ZIP_DEFLATED) as z:
            z.write(os.path.join(case, "app", "AndroidManifest.xml"), "AndroidManifest.xml")
            z.write(os.path.join(case, "app", "res", "values", "strings.xml"), "res/values/strings.xml")
            z.writestr(klass, class_file(klass[:-len(".class")], consts))
        r = cli.run("scan", "--format", "json", apk)
        assert r.code == 1, f"exit {r.code}, stderr {r.err[:300]}"
        rep = r.json()
        assert rep["errors"] == [], rep["errors"]
        got = {(f["rule_id"], f["location"]["file"], f["location"]["line"]) for f in rep["findings"]}
        got_no_line = {(a, b) for a, b, _ in got}
        missing = []
        for e in expected:
            if e["file"].startswith("app/res/"):
                # Resources keep their path and lines inside the package.
                key = (e["rule_id"], f"{apk}!{e['file'][len('app/'):]}", e["line"])
                if key not in got:
                    missing.append(key)
            elif e["file"].endswith("ApiConfig.java"):
                # The compiled constant: reported in the class file's strings.
                key = (e["rule_id"], f"{apk}!{klass}")
                if key not in got_no_line:
                    missing.append(key)
        assert len(expected) == 5 and not missing, f"not reported: {missing}; got {sorted(got)}"


# ---- the content cases' files, checked with stand-in rules ----
#
# The shipped secret and personal-data packs decide the findings above. This check uses small
# rules of its own, written for the test, with the same ids: it shows that every expected
# secret or personal value sits on the expected line of the case's files whatever the packs'
# exact patterns, and that the files load without errors.

STAND_INS = {
    "aws-access-key-id": ("secrets", r"\b((?:AKIA|ASIA)[A-Z2-7]{16})\b"),
    "aws-secret-access-key": ("secrets", r"(?i)aws_secret_access_key[\"'\s]*[:=]\s*[\"']?([A-Za-z0-9/+]{40})\b"),
    "mailchimp-api-key": ("secrets", r"\b([0-9a-f]{32}-us[0-9]{1,2})\b"),
    "twitter-consumer-key": ("secrets", r"(?i)twitter_consumer_key\">([A-Za-z0-9]{25})<"),
    "twitter-consumer-secret": ("secrets", r"(?i)twitter_consumer_secret\">([A-Za-z0-9]{50})<"),
    "twitter-access-token": ("secrets", r"(?i)twitter_access_token\">([0-9]{15,25}-[A-Za-z0-9]{20,40})<"),
    "twitter-access-token-secret": ("secrets", r"(?i)twitter_access_token_secret\">([A-Za-z0-9]{45})<"),
    "twitter-bearer-token": ("secrets", r"(?i)twitter_bearer_token=(A{22}[A-Za-z0-9%]{80,100})"),
    "jp-my-number": ("dlp", r"(?<![0-9-])([0-9]{12})(?![0-9-])"),
    "kr-rrn": ("dlp", r"\b([0-9]{6}-[1-4][0-9]{6})\b"),
    "us-ssn": ("dlp", r"\b([0-9]{3}-[0-9]{2}-[0-9]{4})\b"),
    "passport-number": ("dlp", r"\b([A-Z]{1,2}[0-9]{7,8})\b"),
    "email-address": ("dlp", r"\b([a-z0-9._-]+@[a-z0-9.-]+\.[a-z]{2,})\b"),
}

CONTENT_FILES = {"sega-europe": "bucket-export/", "airports-s3": "bucket-export/", "cloudsek-twitter-keys": "app/"}


def test_content_cases_with_stand_in_rules(cli):
    with TempDir(cli) as t:
        for rid, (analyzer, regex) in STAND_INS.items():
            t.write(f"rules/{rid}.yaml", f"id: {rid}\nanalyzer: {analyzer}\ntitle: stand-in for {rid}\n"
                                         f"severity: high\nregex: '{regex.replace(chr(39), chr(39) * 2)}'\nremediation: test rule\n")
        for case, prefix in CONTENT_FILES.items():
            path = os.path.join("examples", "incidents", case)
            with open(os.path.join(cli.root, path, "expected.json")) as f:
                expected = [e for e in json.load(f) if e["file"].startswith(prefix)]
            assert expected, case
            r = cli.run("scan", "--format", "json", "--no-builtin-rules", "--rules", t.path("rules"), path)
            assert r.code == 1, f"{case}: exit {r.code}, stderr {r.err[:300]}"
            rep = r.json()
            assert rep["errors"] == [], f"{case}: {rep['errors']}"
            got = {(f["rule_id"], os.path.relpath(f["location"]["file"], path), f["location"]["line"])
                   for f in rep["findings"]}
            missing = [e for e in expected if (e["rule_id"], e["file"], e["line"]) not in got]
            assert not missing, f"{case}: not reported: {missing}; got {sorted(got)}"

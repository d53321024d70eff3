"""`cloudfort url-check`: the egress policy from the command line.

The held-out tables of tests/data/egress (the same files the unit tests read) go through the
real binary: every URL of deny_urls.txt is denied and every URL of allow_urls.txt allowed,
in text and in JSON Lines. Then exit codes, standard input, policies and their errors, roles,
report mode, name resolution (localhost resolves to loopback; a .invalid name resolves
nowhere) and colours.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, check, expect, run_on_pty  # noqa: E402

DENY = "tests/data/egress/deny_urls.txt"
ALLOW = "tests/data/egress/allow_urls.txt"
EXAMPLE = "examples/egress/egress.yaml"


def table(cli, rel):
    with open(os.path.join(cli.root, rel), encoding="utf-8") as f:
        return [l.rstrip("\r\n") for l in f if l.strip() and not l.startswith("#")]


def json_lines(res):
    out = []
    for line in res.out.splitlines():
        try:
            out.append(json.loads(line))
        except ValueError as ex:
            raise AssertionError(f"not a JSON line ({ex}): {line[:200]!r}")
    return out


def test_deny_table_in_json(cli):
    urls = table(cli, DENY)
    check(len(urls) >= 200, f"{len(urls)} URLs")
    res = expect(cli.run("url-check", "--no-resolve", "--format", "json", stdin="\n".join(urls) + "\n"), 1)
    objs = json_lines(res)
    check(len(objs) == len(urls), f"{len(objs)} results for {len(urls)} URLs")
    for url, o in zip(urls, objs):
        check(o["url"] == url, f"order: {o['url']!r} for {url!r}")
        check(o["verdict"] == "deny" and o["policy_denied"], f"{url}: {o}")
        check(o["why"] in ("bad_url", "scheme", "metadata", "address") and len(o["reason"]) > 10, f"{url}: {o}")
        check(o["role"] == "default" and o["mode"] == "enforce" and o["resolved"] is False, f"{url}: {o}")
    # The metadata service in its many spellings is named as such.
    meta = [o for o in objs if o["host"] == "169.254.169.254"]
    check(len(meta) >= 20 and all(o["why"] == "metadata" for o in meta), f"{len(meta)} metadata spellings")
    check("the AWS, GCP and Azure instance metadata service" in meta[0]["reason"], meta[0]["reason"])


def test_allow_table_in_text(cli):
    urls = table(cli, ALLOW)
    check(len(urls) >= 40, f"{len(urls)} URLs")
    res = expect(cli.run("url-check", "--no-resolve", *urls), 0)
    lines = res.out.splitlines()
    check(len(lines) == len(urls), f"{len(lines)} lines for {len(urls)} URLs")
    for url, line in zip(urls, lines):
        check(line.startswith("allow  ") and url in line, f"{url}: {line!r}")
    check("host xn--bcher-kva.example" in res.out, "IDN host shown in A-labels")
    check("host 8.8.8.8" in res.out, "the canonical host of 134744072")


def test_text_output(cli):
    res = expect(cli.run("url-check", "--no-resolve", "http://0x7f.1/", "https://example.com/"), 1)
    lines = res.out.splitlines()
    check(lines[0] == "deny   http://0x7f.1/  host 127.0.0.1  address: 127.0.0.1 is loopback (127.0.0.0/8)", lines[0])
    check(lines[1].startswith("allow  https://example.com/  host example.com  "), lines[1])
    check("\033[" not in res.out, "no colours on a pipe")
    res = expect(cli.run("url-check", "--no-resolve", "http://a@b@c/"), 1)
    check("host -  bad_url: more than one '@'" in res.out, res.out)


def test_stdin_and_dash(cli):
    text = "# a comment\n\nhttp://8.8.8.8/\r\nhttps://[2606:4700:4700::1111]/\n"
    res = expect(cli.run("url-check", "--no-resolve", "-f", "json", stdin=text), 0)
    check([o["host"] for o in json_lines(res)] == ["8.8.8.8", "2606:4700:4700::1111"], res.out)
    # '-' mixes standard input with arguments: arguments first.
    res = expect(cli.run("url-check", "--no-resolve", "-f", "json", "http://1.1.1.1/", "-", stdin="http://10.0.0.1/\n"), 1)
    objs = json_lines(res)
    check([(o["host"], o["verdict"]) for o in objs] == [("1.1.1.1", "allow"), ("10.0.0.1", "deny")], res.out)


def test_usage_errors(cli):
    expect(cli.run("url-check", stdin=""), 2, "no URL on stdin:")
    expect(cli.run("url-check", "--format", "xml", "http://a/"), 2, "bad format:")
    expect(cli.run("url-check", "--client", "not-an-address", "http://a/"), 2, "bad client:")
    expect(cli.run("url-check", "--bogus", "http://a/"), 2, "unknown option:")
    res = expect(cli.run("url-check", "--policy"), 2, "missing value:")
    check("needs a value" in res.err, res.err)
    res = expect(cli.run("url-check", "--policy", "no/such/policy.yaml", "http://a/"), 2, "missing policy:")
    check("no/such/policy.yaml" in res.err, res.err)
    res = expect(cli.run("url-check", "--help"), 0)
    check("Usage: cloudfort url-check" in res.out and "--no-resolve" in res.out, res.out[:200])
    check(expect(cli.run("help", "url-check"), 0).out == res.out, "help url-check")
    check("url-check" in expect(cli.run("--help"), 0).out, "listed in the global help")


def test_bad_policy_names_file_line_and_column(cli):
    with TempDir(cli) as t:
        p = t.write("policy.yaml", "version: 1\nroles:\n  default:\n    ports: [80, 99999]\n")
        res = expect(cli.run("url-check", "--policy", p, "http://8.8.8.8/"), 2)
        check(f"{p}:4:17: expected a port from 1 to 65535" in res.err, res.err)
        check(res.out == "", "nothing checked")
        p = t.write("typo.yaml", "roles:\n  default:\n    allowed_hosts: [a.example]\n")
        res = expect(cli.run("url-check", "--policy", p, "http://8.8.8.8/"), 2)
        check(f"{p}:3:5: unknown key 'allowed_hosts' in role 'default'" in res.err, res.err)
        p = t.write("syntax.yaml", "roles: [\n")
        res = expect(cli.run("url-check", "--policy", p, "http://8.8.8.8/"), 2)
        check(res.err.startswith(f"cloudfort: {p}:"), res.err)


def test_example_policy_and_roles(cli):
    res = expect(cli.run("url-check", "--no-resolve", "-p", EXAMPLE, "-f", "json", "https://example.com/",
                         "http://example.com:8080/", "http://u:p@example.com/"), 1)
    objs = json_lines(res)
    check([o["verdict"] for o in objs] == ["allow", "deny", "deny"], res.out)
    check([o["why"] for o in objs] == ["ok", "port", "userinfo"], res.out)
    res = expect(cli.run("url-check", "--no-resolve", "-p", EXAMPLE, "--client", "10.20.1.2", "-f", "json",
                         "https://hooks.partner.example/", "https://example.com/"), 1)
    objs = json_lines(res)
    check([(o["role"], o["verdict"], o["why"]) for o in objs] ==
          [("webhooks", "allow", "ok"), ("webhooks", "deny", "host")], res.out)
    res = expect(cli.run("url-check", "-p", EXAMPLE, "--user", "ci-runner", "-f", "json", "http://127.0.0.1:8080/"), 0)
    check(json_lines(res)[0]["role"] == "ci", res.out)
    res = expect(cli.run("url-check", "-p", EXAMPLE, "--cert-cn", "ci.build.example.com", "http://169.254.169.254/"), 1)
    check("metadata" in res.out, res.out)


def test_report_mode_lets_through(cli):
    with TempDir(cli) as t:
        p = t.write("report.yaml", "roles:\n  default:\n    mode: report\n")
        res = expect(cli.run("url-check", "--no-resolve", "-p", p, "-f", "json", "http://169.254.169.254/",
                             "http://8.8.8.8/"), 0)
        a, b = json_lines(res)
        check(a["verdict"] == "allow" and a["policy_denied"] and a["why"] == "metadata" and a["mode"] == "report", a)
        check(b["verdict"] == "allow" and not b["policy_denied"] and b["why"] == "ok", b)
        res = expect(cli.run("url-check", "--no-resolve", "-p", p, "http://169.254.169.254/"), 0)
        check("report mode, would deny (metadata)" in res.out, res.out)
        # Names resolved to a denied address are reported the same way.
        res = expect(cli.run("url-check", "-p", p, "-f", "json", "http://localhost/"), 0)
        o = json_lines(res)[0]
        check(o["verdict"] == "allow" and o["policy_denied"] and o["why"] == "address", o)


def test_resolution(cli):
    # Without resolution a name passes by name; with it, every address is checked.
    res = expect(cli.run("url-check", "--no-resolve", "-f", "json", "http://localhost:8080/"), 0)
    o = json_lines(res)[0]
    check(o["verdict"] == "allow" and not o["resolved"] and o["addresses"] == [], o)
    res = expect(cli.run("url-check", "-f", "json", "http://localhost:8080/"), 1)
    o = json_lines(res)[0]
    check(o["verdict"] == "deny" and o["why"] == "address" and o["resolved"], o)
    addrs = {a["address"]: a for a in o["addresses"]}
    check(addrs and set(addrs) <= {"127.0.0.1", "::1"}, addrs)
    check(all(a["verdict"] == "deny" and "loopback" in a["reason"] for a in addrs.values()), addrs)
    check(o["reason"].startswith("localhost resolves to "), o["reason"])
    res = expect(cli.run("url-check", "http://localhost/"), 1)
    check(res.out.startswith("deny   http://localhost/  host localhost  address: localhost resolves to"), res.out)
    # A name that resolves nowhere (RFC 6761 reserves .invalid).
    res = expect(cli.run("url-check", "-f", "json", "http://no-such-host.invalid/"), 1)
    o = json_lines(res)[0]
    check(o["verdict"] == "deny" and o["why"] == "unresolved" and "does not resolve" in o["reason"], o)
    # An allowed range lets a local upstream through after resolution too.
    with TempDir(cli) as t:
        p = t.write("local.yaml", "roles:\n  default:\n    allow_ranges: [127.0.0.1/32, \"::1/128\"]\n")
        res = expect(cli.run("url-check", "-p", p, "-f", "json", "http://localhost:8080/"), 0)
        o = json_lines(res)[0]
        check(o["verdict"] == "allow" and o["resolved"] and "allowed by the range" in o["addresses"][0]["reason"], o)


def test_colours(cli):
    code, out = run_on_pty(cli, ["url-check", "--no-resolve", "http://10.0.0.1/", "http://8.8.8.8/"])
    check(code == 1 and b"\033[1;31mdeny" in out and b"\033[1;32mallow" in out, out[:300])
    code, out = run_on_pty(cli, ["url-check", "--no-resolve", "http://10.0.0.1/"], env={"NO_COLOR": "1"})
    check(code == 1 and b"\033[" not in out and out.startswith(b"deny"), out[:300])
    code, out = run_on_pty(cli, ["url-check", "--no-resolve", "--no-color", "http://10.0.0.1/"])
    check(code == 1 and b"\033[" not in out, out[:300])


def test_hostile_input_is_printed_safely(cli):
    res = expect(cli.run("url-check", "--no-resolve", "-f", "json", stdin="http://a/\x1b[31m\nhttp://\u00ff\u00fe/\n"), 1)
    a, b = json_lines(res)
    check(a["verdict"] == "deny" and a["why"] == "bad_url" and a["url"] == "http://a/\x1b[31m", a)
    check(b["verdict"] == "allow" and b["host"] == "xn--vdab" and b["url"] == "http://\u00ff\u00fe/", b)
    res = expect(cli.run("url-check", "--no-resolve", stdin="http://a/\x1b[31m\n"), 1)
    check("\x1b" not in res.out, repr(res.out))

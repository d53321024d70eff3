"""The shipped secret rule pack end to end: checksums and key structure set a finding's
confidence, AWS key ids name their account, documentation examples and placeholders stay
quiet, and evidence never shows a whole secret unless asked.

Tokens are built here from random characters, with checksums computed by Python's zlib, so the
expectations come from the published formats and not from the scanner.
"""
import base64
import os
import random
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, check  # noqa: E402

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def base62_token(prefix, rnd):
    """A GitHub/npm style token: 30 random characters and 6 base62 digits of their CRC-32."""
    body = "".join(rnd.choice(ALNUM) for _ in range(30))
    c, digits = zlib.crc32(body.encode()), ""
    for _ in range(6):
        digits = B62[c % 62] + digits
        c //= 62
    return prefix + body + digits


def aws_key_id(account, rnd):
    """A current-format access key id for an account (the published decoding, inverted)."""
    z = (1 << 47) | (account << 7) | rnd.randrange(128)
    raw = z.to_bytes(6, "big") + bytes(rnd.randrange(256) for _ in range(4))
    return "AKIA" + base64.b32encode(raw).decode()[:16]


def secrets(cli, *args):
    res = cli.run("secrets", "--format", "json", *args)
    check(res.code in (0, 1), f"secrets {args}: exit {res.code}: {res.err[-400:]}")
    return res.json()["findings"]


def of_rule(findings, rule):
    return [f for f in findings if f["rule_id"] == rule]


def test_secret_pack_checksums_set_confidence(cli):
    rnd = random.Random(7)
    good = {p: base62_token(p, rnd) for p in ("ghp_", "gho_", "npm_")}
    bad = base62_token("ghp_", rnd)
    bad = bad[:-1] + ("0" if bad[-1] != "0" else "1")
    with TempDir(cli) as d:
        d.write("good.env", "".join(f"TOKEN_{i}={t}\n" for i, t in enumerate(good.values())))
        d.write("bad.env", f"GITHUB_TOKEN={bad}\n")
        found = secrets(cli, d.path("good.env"))
        for rule in ("github-pat", "github-oauth-token", "npm-access-token"):
            fs = of_rule(found, rule)
            check(len(fs) == 1 and fs[0]["confidence"] == "high", f"{rule}: {fs}")
        fs = of_rule(secrets(cli, d.path("bad.env")), "github-pat")
        check(len(fs) == 1 and fs[0]["confidence"] == "low", f"broken checksum: {fs}")


def test_secret_pack_aws_key_id_names_its_account(cli):
    rnd = random.Random(11)
    key = aws_key_id(210987654321, rnd)
    with TempDir(cli) as d:
        p = d.write("credentials", f"[default]\naws_access_key_id = {key}\n")
        fs = of_rule(secrets(cli, p), "aws-access-key-id")
        check(len(fs) == 1, f"findings: {fs}")
        check(fs[0]["evidence"].endswith("account 210987654321"), f"evidence: {fs[0]['evidence']}")
        check(key not in fs[0]["evidence"], "the key id is masked")
        shown = of_rule(secrets(cli, "--show-secrets", p), "aws-access-key-id")
        check(key in shown[0]["evidence"], f"--show-secrets evidence: {shown[0]['evidence']}")


def test_secret_pack_aws_secret_near_its_id_is_high_confidence(cli):
    rnd = random.Random(13)
    secret = "".join(rnd.choice(ALNUM + "/+") for _ in range(40))
    with TempDir(cli) as d:
        paired = d.write("paired.ini", f"[default]\naws_access_key_id = {aws_key_id(1, rnd)}\n"
                                       f"aws_secret_access_key = {secret}\n")
        alone = d.write("alone.yaml", f"secret_access_key: '{secret}'\n")
        fs = of_rule(secrets(cli, paired), "aws-secret-access-key")
        check(len(fs) == 1 and fs[0]["confidence"] == "high", f"paired: {fs}")
        fs = of_rule(secrets(cli, alone), "aws-secret-access-key")
        check(len(fs) == 1 and fs[0]["confidence"] == "medium", f"alone: {fs}")


def test_secret_pack_documentation_examples_and_placeholders_are_quiet(cli):
    with TempDir(cli) as d:
        p = d.write("settings.py", "\n".join([
            'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"',
            'AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"',
            'DB_PASSWORD = "changeme"',
            'DB_PASSWORD = "${DB_PASSWORD}"',
            'SMTP_PASSWORD = "<your-password>"',
            'API_KEY = "your_api_key_here"',
            'DATABASE_URL = "postgres://app:${DB_PASSWORD}@db:5432/app"',
            'GITHUB_TOKEN = "ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"',
            ""]))
        found = secrets(cli, p)
        check(found == [], f"findings on examples and placeholders: {[(f['rule_id'], f['location']['line']) for f in found]}")


def test_secret_pack_private_key_files(cli):
    rnd = random.Random(17)
    body = base64.b64encode(b"openssh-key-v1\0" + bytes(rnd.randrange(256) for _ in range(300))).decode()
    key = "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(body[i:i + 70] for i in range(0, len(body), 70)) + \
          "\n-----END OPENSSH PRIVATE KEY-----\n"
    broken = key.replace(body[:20], base64.b64encode(b"not-a-key-at-all-").decode()[:20])
    with TempDir(cli) as d:
        fs = of_rule(secrets(cli, d.write("id_ed25519", key)), "private-key-openssh")
        check(len(fs) == 1 and fs[0]["confidence"] == "high", f"key: {fs}")
        fs = of_rule(secrets(cli, d.write("other", broken)), "private-key-openssh")
        check(len(fs) == 1 and fs[0]["confidence"] == "low", f"broken key: {fs}")

"""Helpers shared by the end-to-end tests of the command-line tool (test_cli.py,
test_output.py, test_suppress.py, test_docs.py).

The tests use their own small rule set (tests/data/cli/rules, loaded with --no-builtin-rules)
so that what they expect does not move when the shipped rule pack grows. Every fixture is a
CloudFormation template under tests/data/cli/cfn.
"""
import json
import os
import pty
import re
import resource
import shutil
import signal
import subprocess
import tempfile

DATA = "tests/data/cli"
CFN = f"{DATA}/cfn"
RULES = f"{DATA}/rules"
OWN = ["--rules", RULES, "--no-builtin-rules"]

MIXED = f"{CFN}/mixed.yaml"            # one finding of each severity, in all four groups
LOWINFO = f"{CFN}/lowinfo.yaml"        # a low and an info finding
INFO = f"{CFN}/info.yaml"              # one info finding
CLEAN = f"{CFN}/clean.yaml"            # no finding
SUPPRESSED = f"{CFN}/suppressed.yaml"  # every inline and Metadata suppression
METADATA_JSON = f"{CFN}/metadata.json"
UNKNOWN_JSON = f"{CFN}/unknown.json"   # an ACL known only at deployment

# What MIXED must produce with the test rules: rule id -> (severity, group, resource, line).
MIXED_FINDINGS = {
    "TST-S3-PUBLIC": ("critical", 2, "PublicBucket", 8),
    "TST-EC2-IMDS": ("high", 1, "Web", 18),
    "TST-SG-SSH": ("medium", 2, "SshGroup", 27),
    "TST-S3-VERSIONING": ("low", 3, "PlainBucket", 28),
    "TST-S3-LOGGING": ("info", 4, "PlainBucket", 28),
}
TEST_RULE_IDS = set(MIXED_FINDINGS)

SEVERITIES = ["critical", "high", "medium", "low", "info"]
GROUPS = ["Strategy and management", "Data leakage", "Infrastructure and software sharing",
          "Cybercrime"]
SARIF_SCHEMA = "schemas/sarif-schema-2.1.0.json"
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{32}$")


def check(cond, what):
    """An assertion that says what was expected (and survives python -O)."""
    if not cond:
        raise AssertionError(what)


def expect(res, code, what=""):
    """Checks an exit code and shows the output when it is wrong."""
    check(res.code == code, f"{what} exit {res.code}, expected {code}; "
          f"stderr={res.err[-600:]!r} stdout={res.out[:300]!r}")
    return res


def scan_json(cli, *args, code=None, stdin=None, env=None):
    """Runs `scan --format json` with the test rules and returns (result, report)."""
    res = cli.run("scan", *OWN, "--format", "json", *args, stdin=stdin, env=env)
    if code is not None:
        expect(res, code, f"scan {' '.join(args)}:")
    try:
        return res, res.json()
    except ValueError as ex:
        raise AssertionError(f"not JSON ({ex}): {res.out[:300]!r} stderr={res.err[:300]!r}")


def rule_ids(report, key="findings"):
    return sorted(f["rule_id"] for f in report.get(key, []))


def by_rule(report, key="findings"):
    """rule_id -> list of findings."""
    out = {}
    for f in report.get(key, []):
        out.setdefault(f["rule_id"], []).append(f)
    return out


def by_resource(report, key="findings"):
    """(rule_id, resource) -> finding; fails when a pair occurs twice."""
    out = {}
    for f in report.get(key, []):
        k = (f["rule_id"], f["location"]["resource"])
        check(k not in out, f"{k} reported twice")
        out[k] = f
    return out


class TempDir:
    """A temporary folder, removed afterwards. The binary runs from the repository root, so
    paths into this folder are absolute."""

    def __init__(self, cli):
        self.cli = cli
        self.abs = tempfile.mkdtemp(prefix="cloudfort-cli-")
        os.chmod(self.abs, 0o755)  # readable by the unprivileged user some tests run as

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for dirpath, dirnames, _ in os.walk(self.abs):  # tests may have locked folders
            for d in dirnames:
                os.chmod(os.path.join(dirpath, d), 0o755)
        shutil.rmtree(self.abs, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.abs, *parts)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
        return p

    def copy(self, src, name):
        """Copies a file given relative to the repository root."""
        return self.write(name, read(self.cli, src))

    def listing(self):
        out = []
        for dirpath, dirnames, filenames in os.walk(self.abs):
            for n in dirnames + filenames:
                out.append(os.path.relpath(os.path.join(dirpath, n), self.abs))
        return sorted(out)


def read(cli, rel):
    with open(os.path.join(cli.root, rel)) as f:
        return f.read()


def run_raw(cli, args, stdin=None, env=None, preexec=None, stdout=None):
    """Runs the binary with full control over the child (limits, user, descriptors)."""
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    if env:
        e.update(env)
    p = subprocess.run([cli.binary, *args], cwd=cli.root, input=stdin, env=e,
                       stdout=stdout if stdout is not None else subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True, preexec_fn=preexec, timeout=300)
    return p


def limit_file_size(nbytes):
    """A preexec function: writes beyond nbytes fail with EFBIG instead of killing the child."""
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (nbytes, nbytes))
    return pre


NOBODY = 65534


def as_unprivileged():
    """A preexec function that drops root to nobody, so that permission bits matter; None
    when the tests do not run as root (they already do)."""
    if os.geteuid() != 0:
        return None

    def pre():
        os.setgroups([])
        os.setgid(NOBODY)
        os.setuid(NOBODY)
    return pre


def run_on_pty(cli, args, env=None):
    """Runs the binary with stdout on a pseudo-terminal (stderr on a pipe, stdin closed).
    Returns (exit code, bytes written to the terminal)."""
    master, slave = pty.openpty()
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e["TERM"] = "xterm-256color"
    if env:
        e.update(env)
    p = subprocess.Popen([cli.binary, *args], cwd=cli.root, stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=subprocess.PIPE, env=e)
    os.close(slave)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO once the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    p.stderr.read()
    p.wait(timeout=300)
    os.close(master)
    return p.returncode, out


def sarif_validator(cli):
    """A validator for the SARIF 2.1.0 schema (Debian's python3-jsonschema), matching the
    draft the schema declares."""
    import jsonschema
    with open(os.path.join(cli.corpora, SARIF_SCHEMA)) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    check(cls is jsonschema.Draft4Validator, f"schema draft changed: {schema.get('$schema')}")
    cls.check_schema(schema)
    return cls(schema)


def assert_valid_sarif(cli, doc):
    errors = sorted(sarif_validator(cli).iter_errors(doc), key=lambda e: list(e.path))
    check(not errors, "SARIF does not validate: " +
          "; ".join(f"{'/'.join(map(str, e.path))}: {e.message[:160]}" for e in errors[:5]))

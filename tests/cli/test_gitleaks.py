"""gitleaks compatibility: --config loads gitleaks configurations (the published default
configuration among them), --format gitleaks-json writes gitleaks' report shape, and
.gitleaksignore / gitleaks:allow suppress what gitleaks would suppress.

The default configuration is checked rule by rule with generated examples: for every rule a
string matching its regex is generated from Python's parse tree of the pattern (random
characters from each class, repeat counts within bounds, long runs inside capture groups so
the secret has high entropy), checked in Python against the rule's own conditions (entropy,
allowlists, keywords, path), written to a file of its own and then looked for in one scan."""
import json
import math
import os
import random
import re
import string
import subprocess
import sys
import tomllib
import warnings

try:
    import re._parser as sre_parse
    import re._constants as sre_c
except ImportError:  # Python before 3.11
    import sre_parse
    import sre_constants as sre_c

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, check, expect  # noqa: E402

REPORT_KEYS = ["Description", "StartLine", "EndLine", "StartColumn", "EndColumn", "Match", "Secret", "File",
               "SymlinkFile", "Commit", "Entropy", "Author", "Email", "Date", "Message", "Tags", "RuleID",
               "Fingerprint"]

# Rules of the default configuration a generated example cannot show, with the reason.
UNCHECKABLE = {
}
MIN_CHECKED = 200


def default_config(cli):
    return os.path.join(cli.corpora, "gitleaks", "gitleaks.toml")


def gitleaks_json(cli, *args, code=1):
    res = cli.run("secrets", "--format", "gitleaks-json", *args)
    expect(res, code, f"secrets {' '.join(args)}:")
    try:
        return res.json()
    except ValueError as ex:
        raise AssertionError(f"not JSON ({ex}): {res.out[:300]!r} stderr={res.err[:300]!r}")


# ---- the generator ----

ALNUM = string.ascii_letters + string.digits
PUNCT = "-_.+/=:@~!#%&*,;^|?<>[](){}$'\"`\\"


# RE2's POSIX classes (inside brackets), which Python does not know.
POSIX = {"alnum": "a-zA-Z0-9", "alpha": "a-zA-Z", "digit": "0-9", "lower": "a-z", "upper": "A-Z",
         "xdigit": "0-9A-Fa-f", "space": r" \t\r\n\v\f", "blank": r" \t", "word": r"\w",
         "punct": r"!-/:-@\[-`{-~", "graph": "!-~", "print": " -~", "cntrl": r"\x00-\x1f\x7f",
         "ascii": r"\x00-\x7f"}


def to_python(rx):
    """Go RE2 spelling to Python re for generating and checking: \\z is \\Z, POSIX classes
    become ranges, and flags set in the middle of a pattern (which Python refuses) are
    dropped: the literals the generator copies then match in either case."""
    rx = rx.replace(r"\z", r"\Z")
    rx = re.sub(r"\[:(\^?)([a-z]+):\]", lambda m: POSIX.get(m.group(2), m.group(0)) if not m.group(1) else m.group(0), rx)
    head = "(?i)" if rx.startswith("(?i)") else ""
    return head + rx[len(head):].replace("(?i)", "").replace("(?-i)", "")


def category_chars(cat):
    name = str(cat).upper()
    if "NOT" in name:
        base = {"DIGIT": string.digits, "WORD": ALNUM + "_", "SPACE": " \t\n\r\f\v"}
        for k, v in base.items():
            if k in name:
                return set(c for c in ALNUM + PUNCT if c not in v)
    if "DIGIT" in name:
        return set(string.digits)
    if "WORD" in name:
        return set(ALNUM + "_")
    if "SPACE" in name:
        return {" "}  # one space: an example stays on its line
    return set(ALNUM)


def class_chars(items):
    allowed, negate = set(), False
    for op, av in items:
        if op == sre_c.NEGATE:
            negate = True
        elif op == sre_c.LITERAL:
            allowed.add(chr(av))
        elif op == sre_c.RANGE:
            lo, hi = av
            allowed.update(chr(c) for c in range(lo, min(hi, 0x7e) + 1))
        elif op == sre_c.CATEGORY:
            allowed |= category_chars(av)
    if negate:
        allowed = set(c for c in ALNUM + PUNCT + " " if c not in allowed)
    # Prefer letters and digits (entropy, and no quoting trouble); then punctuation; a
    # newline or control character only when nothing else fits.
    for pool in (ALNUM, PUNCT, " "):
        cand = sorted(c for c in allowed if c in pool)
        if cand:
            return cand
    printable = sorted(c for c in allowed if c.isprintable())
    return printable or sorted(allowed)


class Gen:
    def __init__(self, rng):
        self.rng = rng
        self.groups = {}

    def seq(self, items, in_group):
        return "".join(self.node(op, av, in_group) for op, av in items)

    def node(self, op, av, in_group):
        r = self.rng
        if op == sre_c.LITERAL:
            return chr(av)
        if op == sre_c.NOT_LITERAL:
            return r.choice([c for c in ALNUM if ord(c) != av])
        if op == sre_c.ANY:
            return r.choice(ALNUM)
        if op == sre_c.IN:
            return r.choice(class_chars(av))
        if op == sre_c.BRANCH:
            return self.seq(r.choice(av[1]), in_group)
        if op == sre_c.SUBPATTERN:
            gid, _, _, sub = av
            s = self.seq(sub, in_group or gid is not None)
            if gid is not None:
                self.groups[gid] = s
            return s
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
            lo, hi, sub = av
            unbounded = hi == sre_c.MAXREPEAT
            if in_group:
                # The secret: long enough for its entropy threshold.
                top = lo + 40 if unbounded else hi
                n = r.randint(max(lo, min(top, lo + 16)), top) if top - lo > 0 else lo
                n = min(n, lo + 200)
            else:
                n = lo
            return "".join(self.seq(sub, in_group) for _ in range(n))
        if op == sre_c.AT:
            return ""
        if op == getattr(sre_c, "ATOMIC_GROUP", None):
            return self.seq(av, in_group)
        if op == sre_c.GROUPREF:
            return self.groups.get(av, "")
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            return ""
        raise ValueError(f"construct {op} not generated")


def entropy(s):
    if not s:
        return 0.0
    counts = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return -sum(n / len(s) * math.log2(n / len(s)) for n in counts.values())


def parse(rx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sre_parse.parse(to_python(rx))


def compile_py(rx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return re.compile(to_python(rx))
        except re.error:
            return None


def secret_of(rule, m):
    g = rule.get("secretGroup", 0)
    if g:
        return m.group(g) or ""
    for s in m.groups():
        if s:
            return s
    return m.group(0)


def allowlisted(al, secret, match, line, path):
    """Whether one gitleaks allowlist drops a finding (checked in Python)."""
    checks = []
    target = {"match": match, "line": line}.get(al.get("regexTarget", "secret"), secret)
    if al.get("regexes"):
        pats = [compile_py(x) for x in al["regexes"]]
        checks.append(any(p is not None and p.search(target) for p in pats))
    if al.get("stopwords"):
        checks.append(any(w.lower() in secret.lower() for w in al["stopwords"]))
    if al.get("paths"):
        pats = [compile_py(x) for x in al["paths"]]
        checks.append(any(p is not None and p.search(path) for p in pats))
    if al.get("commits"):
        checks.append(False)
    if not checks:
        return False
    return all(checks) if al.get("condition", "OR").upper() == "AND" else any(checks)


def example_for(rule, cfg, rng):
    """(relative path, file content) for a rule, or raises ValueError."""
    path = "config.txt"
    if rule.get("path"):
        tree = parse(rule["path"])
        name = Gen(rng).seq(tree, False)
        name = re.sub(r"[^A-Za-z0-9._/-]", "_", name).strip("/") or "x"
        name = re.sub(r"/+", "/", name)
        path = name if "." in name.split("/")[-1] or rule.get("regex") is None else name
        if not compile_py(rule["path"]).search("d/" + path):
            raise ValueError(f"generated path {path!r} does not match")
    globals_ = [cfg.get("allowlist", {})] + cfg.get("allowlists", [])
    for al in globals_:
        if al and any(compile_py(p).search("d/" + path) for p in al.get("paths", [])):
            raise ValueError(f"path {path!r} is allowlisted")
    if rule.get("regex") is None:
        return path, "any content\n"
    tree = parse(rule["regex"])
    gen = Gen(rng)
    example = gen.seq(tree, False)
    pat = compile_py(rule["regex"])
    m = pat.search(example) if pat else None
    if not m:
        raise ValueError(f"generated {example!r} does not match")
    secret = secret_of(rule, m)
    if rule.get("entropy") and entropy(secret) <= rule["entropy"]:
        raise ValueError("entropy too low")
    for al in rule.get("allowlists", []) + globals_:
        if al and (not al.get("targetRules") or rule["id"] in al["targetRules"]) and \
                allowlisted(al, secret, m.group(0), example, "d/" + path):
            raise ValueError("allowlisted")
    content = example
    kws = [k.lower() for k in rule.get("keywords", [])]
    if kws and not any(k in example.lower() for k in kws):
        # gitleaks runs a rule only on text holding one of its keywords.
        content = f"# {kws[0]}\n{example}"
    if "\n" in example or "gitleaks:allow" in example:
        raise ValueError("example spans lines")
    return path, content


def test_default_config_loads_every_rule(cli):
    with open(default_config(cli), "rb") as f:
        want = len(tomllib.load(f)["rules"])
    # The rules that ran are listed in SARIF's tool.driver.rules, even for an empty input.
    res = cli.run("secrets", "--format", "sarif", "--config", default_config(cli), "-", stdin="")
    expect(res, 0, "empty scan with the default configuration:")
    check(res.err.strip() == "", f"diagnostics while loading: {res.err[:500]}")
    rules = json.loads(res.out)["runs"][0]["tool"]["driver"]["rules"]
    check(len(rules) == want, f"{len(rules)} rules loaded, the file has {want}")


def test_default_config_rules_find_generated_examples(cli):
    with open(default_config(cli), "rb") as f:
        cfg = tomllib.load(f)
    rules = cfg["rules"]
    with TempDir(cli) as t:
        expected, failures = {}, {}
        for i, rule in enumerate(rules):
            if rule["id"] in UNCHECKABLE:
                continue
            last = None
            for attempt in range(40):
                try:
                    rel, content = example_for(rule, cfg, random.Random(f"{rule['id']}/{attempt}"))
                    break
                except (ValueError, re.error, TypeError) as ex:
                    last = str(ex)
            else:
                failures[rule["id"]] = f"no example generated: {last}"
                continue
            d = f"r{i:03d}"
            t.write(os.path.join(d, rel), content)
            expected[d] = rule["id"]
        res = subprocess.run([cli.binary, "secrets", "--format", "gitleaks-json", "--config",
                              default_config(cli), "."], cwd=t.abs, capture_output=True, text=True,
                             timeout=600)
        check(res.returncode == 1, f"exit {res.returncode}: {res.stderr[:500]}")
        found = {}
        for leak in json.loads(res.stdout):
            d = leak["File"].lstrip("./").split("/")[0]
            found.setdefault(d, set()).add(leak["RuleID"])
        missed = sorted(rid for d, rid in expected.items() if rid not in found.get(d, set()))
        checked = len(expected) - len(missed)
        print(f"# gitleaks default rules: {checked} of {len(rules)} found in generated examples; "
              f"{len(UNCHECKABLE)} listed as uncheckable; {len(failures)} without an example")
        check(not failures, f"rules without an example: {failures}")
        check(not missed, f"rules that missed their example: {missed}")
        check(checked >= MIN_CHECKED, f"only {checked} rules checked")


# ---- configurations of our own ----

AWS_KEY = "AKIAQWERTYUIOPASDFGH"  # matches the shipped aws-access-key-id rule
ACME_RULE = """
[[rules]]
id = "acme-token"
description = "ACME token"
regex = '''\\b(acme_[a-z0-9]{24})\\b'''
keywords = ["acme_"]
tags = ["acme", "test"]
"""
ACME = "acme_k3j9x2m8q7w1z5v6b4n0p2r8"


def leaks_by_rule(leaks):
    out = {}
    for leak in leaks:
        out.setdefault(leak["RuleID"], []).append(leak)
    return out


def test_extend_use_default_and_disabled_rules(cli):
    with TempDir(cli) as t:
        data = t.write("app/settings.txt", f"aws = {AWS_KEY}\ntoken = {ACME}\n")
        own = t.write("own.toml", ACME_RULE)
        ext = t.write("ext.toml", "[extend]\nuseDefault = true\n" + ACME_RULE)
        dis = t.write("dis.toml", "[extend]\nuseDefault = true\ndisabledRules = [\"aws-access-key-id\"]\n" + ACME_RULE)
        # Without [extend] a configuration replaces the shipped rules.
        got = leaks_by_rule(gitleaks_json(cli, "--config", own, data))
        check(set(got) == {"acme-token"}, f"own rules only: {sorted(got)}")
        got = leaks_by_rule(gitleaks_json(cli, "--config", ext, data))
        check({"acme-token", "aws-access-key-id"} <= set(got), f"useDefault: {sorted(got)}")
        check(got["aws-access-key-id"][0]["StartLine"] == 1 and got["acme-token"][0]["StartLine"] == 2,
              f"lines: {got}")
        got = leaks_by_rule(gitleaks_json(cli, "--config", dis, data))
        check("acme-token" in got and "aws-access-key-id" not in got, f"disabledRules: {sorted(got)}")


def test_extended_rule_is_merged_not_replaced(cli):
    with TempDir(cli) as t:
        data = t.write("a.txt", f"aws = {AWS_KEY}\n")
        other = t.write("b.txt", "aws = AKIAZZZZZZZZZZZZZZZ2\n")
        # Same id as a shipped rule: description replaced, tags added, allowlist added; the
        # regex (not given) stays the shipped one.
        cfg = t.write("merge.toml", "[extend]\nuseDefault = true\n[[rules]]\nid = \"aws-access-key-id\"\n"
                      "description = \"Team description\"\ntags = [\"cloud\"]\n"
                      "[[rules.allowlists]]\nregexes = ['''QWERTY''']\n")
        got = leaks_by_rule(gitleaks_json(cli, "--config", cfg, t.abs))
        leaks = got.get("aws-access-key-id", [])
        check(len(leaks) == 1 and leaks[0]["File"].endswith("b.txt"), f"merged allowlist: {leaks}")
        check(leaks[0]["Description"] == "Team description" and leaks[0]["Tags"] == ["cloud"], f"merged: {leaks[0]}")
        del data, other


def test_extend_path_relative_depth_and_cycles(cli):
    with TempDir(cli) as t:
        data = t.write("x.txt", f"token = {ACME}\nbase = base_0123456789abcdef\n")
        t.write("conf/base/base.toml", "[[rules]]\nid = \"base-token\"\nregex = '''base_[0-9a-f]{16}'''\n")
        t.write("conf/mid.toml", "[extend]\npath = \"base/base.toml\"\n" + ACME_RULE)
        top = t.write("conf/top.toml", "[extend]\npath = \"mid.toml\"\ndisabledRules = [\"acme-token\"]\n")
        # top extends mid (relative to top's folder), which extends base (relative to mid's).
        got = leaks_by_rule(gitleaks_json(cli, "--config", top, data))
        check(set(got) == {"base-token"}, f"two levels of extend, acme disabled: {sorted(got)}")
        # A third level is refused, as gitleaks refuses it.
        t.write("conf/base/base.toml", "[extend]\npath = \"deeper.toml\"\n[[rules]]\nid = \"base-token\"\n"
                "regex = '''base_[0-9a-f]{16}'''\n")
        t.write("conf/base/deeper.toml", "[[rules]]\nid = \"deep\"\nregex = '''deep'''\n")
        res = cli.run("secrets", "--config", top, data)
        expect(res, 2, "three levels of extend:")
        check("base.toml:2:8:" in res.err and "deeper than 2" in res.err, f"message: {res.err}")
        # A configuration that extends itself.
        loop = t.write("loop.toml", "[extend]\npath = \"loop.toml\"\n" + ACME_RULE)
        res = cli.run("secrets", "--config", loop, data)
        expect(res, 2, "extend cycle:")
        check("extends itself" in res.err, f"message: {res.err}")
        check(cli.run("secrets", "--config", t.path("missing.toml"), data).code == 2, "missing configuration")


ALLOW_RULES = """
[[rules]]
id = "stop"
regex = '''stop_([a-z0-9]{16})'''
[[rules.allowlists]]
stopwords = ["Dummy"]

[[rules]]
id = "line"
regex = '''line_([a-z0-9]{16})'''
[[rules.allowlists]]
regexTarget = "line"
regexes = ['''test-fixture''']

[[rules]]
id = "match"
regex = '''(?:tok|key)_([a-z0-9]{16})'''
[[rules.allowlists]]
regexTarget = "match"
regexes = ['''^key_''']

[[rules]]
id = "secret"
regex = '''sec_([a-z0-9]{16})'''
[rules.allowlist]
regexes = ['''^0000''']

[[rules]]
id = "path"
regex = '''path_([a-z0-9]{16})'''
[[rules.allowlists]]
paths = ['''(?:^|/)fixtures/''']

[[rules]]
id = "and"
regex = '''and_([a-z0-9]{16})'''
[[rules.allowlists]]
condition = "AND"
paths = ['''(?:^|/)fixtures/''']
stopwords = ["dummy"]
"""


def test_rule_allowlists(cli):
    with TempDir(cli) as t:
        cfg = t.write("allow.toml", ALLOW_RULES)
        t.write("src/a.txt", "\n".join([
            "stop_a1dummyb2c3d4e5f6",        # 1 dropped: stopword (any case)
            "stop_a1b2c3d4e5f6g7h8",         # 2 kept
            "line_a1b2c3d4e5f6g7h8 # test-fixture",  # 3 dropped: the line matches
            "line_z1b2c3d4e5f6g7h8",         # 4 kept
            "key_a1b2c3d4e5f6g7h8",          # 5 dropped: the match starts with key_
            "tok_a1b2c3d4e5f6g7h8",          # 6 kept
            "sec_0000c3d4e5f6g7h8",          # 7 dropped: the secret starts with 0000
            "sec_a000c3d4e5f6g7h8",          # 8 kept
            "path_a1b2c3d4e5f6g7h8",         # 9 kept: not under fixtures/
            "and_a1dummyb2c3d4e5f6",         # 10 kept: stopword but not under fixtures/
        ]) + "\n")
        t.write("fixtures/b.txt", "path_a1b2c3d4e5f6g7h8\nand_a1dummyb2c3d4e5f6\nand_a1b2c3d4e5f6g7h8\n")
        leaks = gitleaks_json(cli, "--config", cfg, t.abs)
        got = sorted((os.path.relpath(x["File"], t.abs), x["StartLine"], x["RuleID"]) for x in leaks)
        want = sorted([("src/a.txt", 2, "stop"), ("src/a.txt", 4, "line"), ("src/a.txt", 6, "match"),
                       ("src/a.txt", 8, "secret"), ("src/a.txt", 9, "path"), ("src/a.txt", 10, "and"),
                       ("fixtures/b.txt", 3, "and")])
        check(got == want, f"findings:\n  got  {got}\n  want {want}")


def test_global_allowlists_and_target_rules(cli):
    with TempDir(cli) as t:
        cfg = t.write("g.toml", """
[[rules]]
id = "rule-a"
regex = '''a_([A-Za-z0-9]{16})'''
[[rules]]
id = "rule-b"
regex = '''b_([A-Za-z0-9]{16})'''

[allowlist]
description = "everywhere"
stopwords = ["shared"]

[[allowlists]]
description = "rule-a only"
targetRules = ["rule-a"]
regexes = ['''ALLOWED''']
""")
        data = t.write("d.txt", "a_ALLOWEDxxxxxxxxx1\nb_ALLOWEDxxxxxxxxx1\na_sharedxxxxxxxxx1\nb_sharedxxxxxxxxx1\n"
                       "a_Keptxxxxxxxxxxx1\n")
        got = sorted((x["StartLine"], x["RuleID"]) for x in gitleaks_json(cli, "--config", cfg, data))
        check(got == [(2, "rule-b"), (5, "rule-a")], f"findings: {got}")


def test_gitleaks_allow_comment(cli):
    with TempDir(cli) as t:
        cfg = t.write("c.toml", ACME_RULE)
        data = t.write("d.py", f"a = '{ACME}'  # gitleaks:allow\nb = '{ACME}'\n")
        got = [(x["StartLine"], x["RuleID"]) for x in gitleaks_json(cli, "--config", cfg, data)]
        check(got == [(2, "acme-token")], f"findings: {got}")


def test_gitleaksignore_fingerprints(cli):
    with TempDir(cli) as t:
        cfg = t.write("c.toml", ACME_RULE)
        root = t.path("repo")
        t.write("repo/one.txt", f"x = {ACME}\n")
        t.write("repo/sub/two.txt", f"\n\ny = {ACME}\n")
        leaks = gitleaks_json(cli, "--config", cfg, root)
        fps = sorted(x["Fingerprint"] for x in leaks)
        check(fps == sorted([f"{root}/one.txt:acme-token:1", f"{root}/sub/two.txt:acme-token:3"]), f"fingerprints: {fps}")
        # A .gitleaksignore at the top of the scanned folder, with paths relative to it as
        # gitleaks writes them; comments and blank lines are skipped.
        t.write("repo/.gitleaksignore", "# reviewed\n\nsub/two.txt:acme-token:3\n")
        got = [x["Fingerprint"] for x in gitleaks_json(cli, "--config", cfg, root)]
        check(got == [f"{root}/one.txt:acme-token:1"], f"after .gitleaksignore: {got}")
        # --gitleaks-ignore FILE with a fingerprint copied from the report; the folder's own
        # file is then not read.
        ign = t.write("ignore.txt", f"{root}/one.txt:acme-token:1\n")
        got = [x["Fingerprint"] for x in gitleaks_json(cli, "--config", cfg, "--gitleaks-ignore", ign, root)]
        check(got == [f"{root}/sub/two.txt:acme-token:3"], f"after --gitleaks-ignore: {got}")
        # A fingerprint for another line or rule suppresses nothing; the scan still fails.
        ign = t.write("ignore2.txt", f"{root}/one.txt:acme-token:2\n{root}/one.txt:other:1\n")
        got = gitleaks_json(cli, "--config", cfg, "--gitleaks-ignore", ign, root)
        check(len(got) == 2, f"unrelated fingerprints suppressed something: {got}")
        # Suppressed findings are kept (as suppressed) in the JSON report.
        res = cli.run("secrets", "--format", "json", "--show-suppressed", "--config", cfg, root)
        expect(res, 1, "json report:")
        check(len(res.json().get("suppressed", [])) == 1, f"suppressed list: {res.out[:400]}")


def test_report_shape(cli):
    with TempDir(cli) as t:
        cfg = t.write("c.toml", ACME_RULE)
        data = t.write("d.txt", f"first line\n  token: {ACME} # end\n")
        leaks = gitleaks_json(cli, "--config", cfg, data)
        check(len(leaks) == 1, f"leaks: {leaks}")
        leak = leaks[0]
        check(list(leak) == REPORT_KEYS, f"keys and order: {list(leak)}")
        col = f"  token: {ACME}".index(ACME) + 1
        check((leak["StartLine"], leak["EndLine"], leak["StartColumn"], leak["EndColumn"]) ==
              (2, 2, col, col + len(ACME) - 1), f"position: {leak}")
        check(leak["RuleID"] == "acme-token" and leak["Description"] == "ACME token", f"rule: {leak}")
        check(leak["Tags"] == ["acme", "test"] and leak["File"] == data, f"tags/file: {leak}")
        check(leak["Fingerprint"] == f"{data}:acme-token:2", f"fingerprint: {leak['Fingerprint']}")
        check(abs(leak["Entropy"] - entropy(ACME)) < 1e-5, f"entropy {leak['Entropy']} vs {entropy(ACME)}")
        for k in ("SymlinkFile", "Commit", "Author", "Email", "Date", "Message"):
            check(leak[k] == "", f"{k}: {leak[k]!r}")
        # Masked by default; whole with --show-secrets.
        check(ACME not in json.dumps(leak) and leak["Secret"].startswith(ACME[:4]) and "*" in leak["Secret"],
              f"masked: {leak['Secret']!r}")
        shown = gitleaks_json(cli, "--config", cfg, "--show-secrets", data)[0]
        check(shown["Secret"] == ACME and shown["Match"] == ACME, f"shown: {shown}")
        # Match is the whole match when the secret is a group of it, the secret masked in it.
        cfg2 = t.write("c2.toml", ACME_RULE.replace("\\b(acme_", "token:\\s*(acme_").replace(")\\b", ")"))
        leak = gitleaks_json(cli, "--config", cfg2, data)[0]
        check(leak["Match"] == "token: " + leak["Secret"] and ACME not in leak["Match"], f"match: {leak}")
        shown = gitleaks_json(cli, "--config", cfg2, "--show-secrets", data)[0]
        check(shown["Match"] == f"token: {ACME}" and shown["Secret"] == ACME, f"shown: {shown}")
        # No leak: an empty array.
        clean = t.write("clean.txt", "nothing here\n")
        res = cli.run("secrets", "--format", "gitleaks-json", "--config", cfg, clean)
        expect(res, 0, "clean:")
        check(res.out.strip() == "[]", f"empty report: {res.out!r}")


def test_invalid_configurations_are_reported_with_positions(cli):
    cases = [
        ("title = 'x'\n[[rules]]\nid = 'a'\nregex = '''(unclosed'''\n", "bad.toml:4:9", "regex"),
        ("[[rules]]\nid = 'a'\nregex = '''(a)'''\nsecretGroup = 2\n", "bad.toml:1:3", "capture groups"),
        ("[[rules]]\nregex = 'x'\n", "bad.toml:1:3", "'id'"),
        ("[[rules]]\nid = 'a'\n", "bad.toml:1:3", "regex"),
        ("a = 1\na = 2\n", "bad.toml:2:1", "duplicate key"),
        ("[[rules]]\nid = 'a'\nregex = 'x'\n[[rules.allowlists]]\ndescription = 'empty'\n", "bad.toml:4:3",
         "at least one"),
        ("[[rules]]\nid = 'a'\nregex = 'x'\n[[rules]]\nid = 'a'\nregex = 'y'\n", "bad.toml:4:3", "duplicate rule id"),
        ("[extend]\nuseDefault = true\npath = 'x.toml'\n", "bad.toml:3:8", "not both"),
    ]
    with TempDir(cli) as t:
        data = t.write("d.txt", "x\n")
        for text, where, what in cases:
            cfg = t.write("bad.toml", text)
            res = cli.run("secrets", "--config", cfg, data)
            expect(res, 2, f"{text!r}:")
            check(where in res.err and what in res.err, f"{text!r}: expected {where} ... {what} in {res.err!r}")


def test_path_only_rule_reports_the_file(cli):
    with TempDir(cli) as t:
        cfg = t.write("p.toml", "[[rules]]\nid = \"pkcs12\"\ndescription = \"PKCS#12 file\"\npath = '''(?i)\\.p(?:12|fx)$'''\n")
        store = t.write("keys/Store.P12", "binary-ish content\n")
        t.write("keys/readme.txt", "not a key store\n")
        leaks = gitleaks_json(cli, "--config", cfg, t.abs)
        check(len(leaks) == 1, f"leaks: {leaks}")
        leak = leaks[0]
        check(leak["RuleID"] == "pkcs12" and leak["File"] == store, f"leak: {leak}")
        check(leak["Match"] == f"file detected: {store}" and leak["Secret"] == "", f"match/secret: {leak}")
        check(leak["Fingerprint"] == f"{store}:pkcs12:0", f"fingerprint: {leak['Fingerprint']}")

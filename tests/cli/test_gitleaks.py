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

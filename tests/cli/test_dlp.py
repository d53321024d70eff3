"""`cloudfort dlp`: the personal-data rules on files of fake staff records, the per-file and
per-type counts in every report format, masking, context words in Japanese and Korean, and
`--redact`.

The records are planted by a generator with a fixed seed: check digits (Luhn, IBAN MOD 97,
My Number, RRN) are computed here from the published algorithms, and every expected count is
derived from what was planted, never written down.
"""
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, assert_valid_sarif, check, expect, run_on_pty  # noqa: E402

PII_RULES = ["email-address", "iban", "jp-my-number", "jp-phone-number", "kr-phone-number", "kr-rrn",
             "passport-number", "payment-card", "us-ssn"]


# ---- fake values with valid check digits ----

def luhn_complete(prefix):
    for d in "0123456789":
        s = prefix + d
        total = 0
        for i, c in enumerate(reversed(s)):
            v = int(c)
            if i % 2:
                v = v * 2 - 9 if v > 4 else v * 2
            total += v
        if total % 10 == 0:
            return s
    raise AssertionError("unreachable")


def iban(cc, bban):
    num = "".join(str(int(c, 36)) for c in bban + cc + "00")
    return f"{cc}{98 - int(num) % 97:02d}{bban}"


def my_number(eleven):
    s = sum(int(eleven[11 - n]) * (n + 1 if n <= 6 else n - 5) for n in range(1, 12))
    r = s % 11
    return eleven + str(0 if r <= 1 else 11 - r)


def rrn_check(twelve):
    w = [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5]
    return (11 - sum(int(a) * b for a, b in zip(twelve, w)) % 11) % 10


class Gen:
    """Fake personal data, one generator per type; each value is distinct."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.seen = set()

    def digits(self, n):
        return "".join(self.r.choice("0123456789") for _ in range(n))

    def unique(self, make):
        while True:
            v = make()
            if v not in self.seen:
                self.seen.add(v)
                return v

    def card(self):
        def make():
            prefix = self.r.choice(["4", "51", "55", "2221", "6011", "3528", "62"])
            n = luhn_complete(prefix + self.digits(15 - len(prefix)))
            sep = self.r.choice(["", " ", "-"])
            return sep.join(n[i:i + 4] for i in range(0, 16, 4))
        return self.unique(make)

    def iban(self):
        def make():
            cc, n = self.r.choice([("DE", 18), ("ES", 20), ("FR", 23)])
            v = iban(cc, self.digits(n))
            return " ".join(v[i:i + 4] for i in range(0, len(v), 4)) if self.r.random() < 0.5 else v
        return self.unique(make)

    def ssn(self):
        return self.unique(lambda: f"{self.r.randint(1, 665):03d}-{self.r.randint(1, 99):02d}-{self.r.randint(1, 9999):04d}")

    def my_number(self):
        def make():
            v = my_number(self.digits(11))
            return f"{v[:4]}-{v[4:8]}-{v[8:]}" if self.r.random() < 0.5 else v
        return self.unique(make)

    def rrn(self):
        def make():
            d = f"{self.r.randint(50, 99):02d}{self.r.randint(1, 12):02d}{self.r.randint(1, 28):02d}"
            head = d + self.r.choice("12") + self.digits(5)
            return f"{d}-{head[6:]}{rrn_check(head)}"
        return self.unique(make)

    def jp_phone(self):
        return self.unique(lambda: f"0{self.r.choice('789')}0-{self.digits(4)}-{self.digits(4)}")

    def kr_phone(self):
        return self.unique(lambda: f"010-{self.digits(4)}-{self.digits(4)}")

    def email(self):
        return self.unique(lambda: f"{self.r.choice(['aiko', 'minjun', 'sam', 'lee'])}.{self.digits(3)}@staff-mail.net")

    def passport(self):
        return self.unique(lambda: self.r.choice(["TK", "TR", "M"]) + self.digits(7))


# Column of the staff file -> (rule id, generator method). The column names say what the
# values are, as a real export's header does (My Number and passport numbers are only looked
# for in files that name them).
COLUMNS = [("email", "email-address", "email"), ("card", "payment-card", "card"), ("iban", "iban", "iban"),
           ("ssn", "us-ssn", "ssn"), ("my_number", "jp-my-number", "my_number"), ("rrn", "kr-rrn", "rrn"),
           ("tel_jp", "jp-phone-number", "jp_phone"), ("tel_kr", "kr-phone-number", "kr_phone"),
           ("passport", "passport-number", "passport")]


def staff_csv(gen, rows):
    """A CSV of staff records where each cell holds a value or is empty; returns (text,
    {rule: planted count}, [planted values])."""
    lines = ["employee,name," + ",".join(c for c, _, _ in COLUMNS)]
    counts = {}
    values = []
    for i in range(rows):
        cells = [f"EMP-{i:04d}", gen.r.choice(["Aiko Sato", "Min-jun Kim", "Sam Lee", "Jo Park"])]
        for _, rule, method in COLUMNS:
            if gen.r.random() < 0.7:
                v = getattr(gen, method)()
                counts[rule] = counts.get(rule, 0) + 1
                values.append(v)
                cells.append(v)
            else:
                cells.append("")
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n", counts, values


def dlp(cli, *args, code=None, env=None):
    res = cli.run("dlp", *args, env=env)
    if code is not None:
        expect(res, code, f"dlp {' '.join(args)}:")
    return res


def dlp_json(cli, *args, code=None):
    return dlp(cli, "--format", "json", *args, code=code).json()


# ---- counts ----

def test_dlp_counts_every_planted_record_per_file_and_type(cli):
    gen = Gen(20261126)
    with TempDir(cli) as t:
        text_a, counts_a, _ = staff_csv(gen, 40)
        text_b, counts_b, _ = staff_csv(gen, 25)
        a = t.write("hr/staff.csv", text_a)
        b = t.write("finance/payroll.csv", text_b)
        t.write("notes.txt", "no personal data here: build 2024.11.26, order 12345\n")
        rep = dlp_json(cli, t.abs, code=1)
    summary = {e["file"]: e for e in rep["dlp_summary"]}
    check(sorted(summary) == sorted([a, b]), f"files in dlp_summary: {sorted(summary)}")
    check([e["file"] for e in rep["dlp_summary"]] == sorted(summary), "dlp_summary is not sorted by file")
    for path, want in [(a, counts_a), (b, counts_b)]:
        got = summary[path]
        check(got["counts"] == want, f"{os.path.basename(path)}: counts {got['counts']}, planted {want}")
        check(got["total"] == sum(want.values()), f"{path}: total {got['total']}, planted {sum(want.values())}")
    totals = {r: counts_a.get(r, 0) + counts_b.get(r, 0) for r in PII_RULES}
    check(rep["dlp_totals"] == {r: n for r, n in totals.items() if n}, f"dlp_totals {rep['dlp_totals']}, planted {totals}")
    check(set(totals) == set(PII_RULES) and all(totals.values()), "the generator planted every type")
    # The findings are still listed one by one, and agree with the summary.
    per_rule = {}
    for f in rep["findings"]:
        check(f["analyzer"] == "dlp", f"non-dlp finding {f['rule_id']}")
        per_rule[f["rule_id"]] = per_rule.get(f["rule_id"], 0) + 1
    check(per_rule == rep["dlp_totals"], f"findings per rule {per_rule} differ from dlp_totals")


def test_dlp_summary_is_empty_without_personal_data_and_absent_from_other_scans(cli):
    with TempDir(cli) as t:
        t.write("clean.txt", "nothing personal: release 1.2.3 on 2024-11-26\n")
        rep = dlp_json(cli, t.abs, code=0)
        check(rep["dlp_summary"] == [] and rep["dlp_totals"] == {}, f"empty dlp: {rep.get('dlp_summary')}")
        sec = cli.run("secrets", "--format", "json", t.abs).json()
        check("dlp_summary" not in sec and "dlp_totals" not in sec, "a secrets scan has no dlp summary")
        # `scan` runs every analyser: the summary appears only when personal data was found.
        scan = cli.run("scan", "--format", "json", t.abs).json()
        check("dlp_summary" not in scan, "scan without personal data shows a dlp summary")
        p = t.write("people.csv", "name,email\nAiko,aiko.sato@staff-mail.net\n")
        scan = cli.run("scan", "--format", "json", t.abs).json()
        check(scan.get("dlp_summary") == [{"file": p, "counts": {"email-address": 1}, "total": 1}],
              f"scan dlp_summary {scan.get('dlp_summary')}")


# ---- masking ----

def test_dlp_evidence_never_holds_a_whole_value(cli):
    gen = Gen(7)
    with TempDir(cli) as t:
        text, _, values = staff_csv(gen, 15)
        t.write("staff.csv", text)
        outs = {fmt: dlp(cli, "--format", fmt, t.abs, code=1).out for fmt in ("text", "json", "sarif")}
        shown = dlp(cli, "--format", "json", "--show-secrets", t.abs, code=1).json()
    for fmt, out in outs.items():
        for v in values:
            check(v not in out, f"{fmt} output holds the whole value {v!r}")
    evidence = {f["evidence"] for f in shown["findings"]}
    missing = [v for v in values if v not in evidence]
    check(not missing, f"--show-secrets does not show {missing[:3]}")


# ---- context words ----

def confidence_of(cli, t, name, text, rule):
    p = t.write(name, text)
    rep = dlp_json(cli, p, code=1)
    found = [f for f in rep["findings"] if f["rule_id"] == rule]
    check(len(found) == 1, f"{name}: {len(found)} findings of {rule}: {rep['findings']}")
    return found[0]["confidence"]


def test_dlp_japanese_and_korean_context_raise_confidence(cli):
    # A resident registration number issued since October 2020 has no check digit: take one
    # whose last digit is not the old check digit, so only the context can raise it.
    head = "9203151" + "04812"
    last = (rrn_check(head) + 3) % 10
    rrn = f"{head[:6]}-{head[6:]}{last}"
    filler = "x" * 120  # farther than the context window
    cases = [
        ("kr-rrn", f"주민등록번호: {rrn}\n", f"{rrn}\n"),
        ("kr-rrn", f"주민번호 {rrn}\n", f"{rrn}\n"),
        ("jp-phone-number", "電話: 090-2345-6789\n", "090-2345-6789\n"),
        ("kr-phone-number", "휴대폰 010-2345-6789\n", "010-2345-6789\n"),
        ("passport-number", "旅券番号 TK1234567\n", f"旅券\n{filler}\nTK1234567\n"),
        ("passport-number", "여권번호: M123A4567\n", f"여권\n{filler}\nM123A4567\n"),
    ]
    rank = {"low": 1, "medium": 2, "high": 3}
    with TempDir(cli) as t:
        for i, (rule, near, far) in enumerate(cases):
            c_near = confidence_of(cli, t, f"near{i}.txt", near, rule)
            c_far = confidence_of(cli, t, f"far{i}.txt", far, rule)
            check(rank[c_near] == rank[c_far] + 1, f"{rule}: confidence {c_far} without context, {c_near} with {near!r}")


# ---- text report ----

def test_dlp_text_section_respects_no_color(cli):
    gen = Gen(3)
    with TempDir(cli) as t:
        text, counts, _ = staff_csv(gen, 6)
        p = t.write("staff.csv", text)
        code, plain = run_on_pty(cli, ["dlp", p], {"NO_COLOR": "1"})
        check(code == 1, f"exit {code}")
        code, coloured = run_on_pty(cli, ["dlp", p])
        check(code == 1, f"exit {code}")
    plain = plain.decode()
    check("\x1b" not in plain, "NO_COLOR output has escape sequences")
    check("\x1b[" in coloured.decode(), "a terminal without NO_COLOR gets colours")
    lines = plain.replace("\r\n", "\n").split("\n")
    check("Personal data by file" in lines, "no 'Personal data by file' section")
    i = lines.index("Personal data by file")
    want = " ".join(f"{r}={counts[r]}" for r in sorted(counts))
    check(lines[i + 1].strip() == f"{p}  {sum(counts.values())}: {want}", f"file line {lines[i + 1]!r}, expected {want!r}")
    footer = [ln for ln in lines if re.match(r"^\d+ findings? in \d+ files?", ln)]
    check(footer and footer[-1].startswith(f"{sum(counts.values())} findings in 1 file:"), f"footer {footer}")
    check("resource" not in footer[-1], f"a dlp scan counts resources: {footer[-1]!r}")


# ---- SARIF ----

def test_dlp_sarif_is_valid_and_carries_the_summary(cli):
    gen = Gen(11)
    with TempDir(cli) as t:
        text, counts, _ = staff_csv(gen, 12)
        p = t.write("staff.csv", text)
        doc = dlp(cli, "--format", "sarif", p, code=1).json()
    assert_valid_sarif(cli, doc)
    s = doc["runs"][0]["properties"]["dlpSummary"]
    check(s["files"] == [{"file": p, "counts": counts, "total": sum(counts.values())}], f"dlpSummary files {s['files']}")
    check(s["totals"] == counts and s["total"] == sum(counts.values()), f"dlpSummary totals {s['totals']}")
    check(len(doc["runs"][0]["results"]) == sum(counts.values()), "one SARIF result per finding")


# ---- --redact ----

def masked_positions(orig, red):
    return [i for i, (a, b) in enumerate(zip(orig, red)) if a != b]


def test_dlp_redact_writes_masked_copies_with_the_same_layout(cli):
    gen = Gen(99)
    with TempDir(cli) as t:
        text_a, counts_a, values_a = staff_csv(gen, 20)
        text_b, _, values_b = staff_csv(gen, 5)
        t.write("in/staff.csv", text_a)
        t.write("in/deep/er/payroll.csv", text_b)
        t.write("in/readme.txt", "Nothing personal in here.\nSecond line.\n")
        with open(t.path("in", "photo.bin"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"4111111111111111")
        # Files a scan does not read (.gitignore) are not copied either.
        t.write("in/.gitignore", "build/\n")
        t.write("in/build/cache.csv", text_b)
        out = t.path("out")
        res = dlp(cli, "--format", "json", "--redact", out, t.path("in"), code=1)
        rep = res.json()
        check(t.listing() == sorted(["in", "in/.gitignore", "in/build", "in/build/cache.csv", "in/deep", "in/deep/er",
                                     "in/deep/er/payroll.csv", "in/photo.bin",
                                     "in/readme.txt", "in/staff.csv", "out", "out/.gitignore", "out/deep", "out/deep/er",
                                     "out/deep/er/payroll.csv", "out/readme.txt", "out/staff.csv"]),
              f"listing {t.listing()}")
        copies = {}
        for rel in ("staff.csv", "deep/er/payroll.csv", "readme.txt"):
            with open(os.path.join(out, rel), encoding="utf-8") as f:
                copies[rel] = f.read()
    # The report still lists what was found, and says the binary file was not copied.
    check(rep["dlp_summary"][-1]["counts"] == counts_a, f"summary {rep['dlp_summary']}")
    check(any("photo.bin" in (e["message"] + (e["file"] or "")) and "not copied" in e["message"] for e in rep["errors"]),
          f"errors {rep['errors']}")
    check(copies["readme.txt"] == "Nothing personal in here.\nSecond line.\n", "a file without findings changed")
    for rel, orig, values in [("staff.csv", text_a, values_a), ("deep/er/payroll.csv", text_b, values_b)]:
        red = copies[rel]
        check(len(red.encode()) == len(orig.encode()) and len(red) == len(orig), f"{rel}: length changed")
        check(red.count("\n") == orig.count("\n"), f"{rel}: line count changed")
        for i in masked_positions(orig, red):
            check(red[i] == "*" and orig[i].isalnum(), f"{rel}: offset {i}: {orig[i]!r} became {red[i]!r}")
        for v in values:
            check(v not in red, f"{rel}: {v!r} left in clear")
            at = orig.index(v)
            digits = [c for c in v if c.isdigit()]
            kept = red[at:at + len(v)]
            if len(digits) >= 8:
                check([c for c in kept if c.isdigit()] == digits[-4:], f"{rel}: {v!r} -> {kept!r} keeps not the last 4 digits")
            else:
                check(not any(c.isalnum() for c in kept), f"{rel}: {v!r} -> {kept!r}")
            for a, b in zip(v, kept):
                if not a.isalnum():
                    check(a == b, f"{rel}: separator lost in {v!r} -> {kept!r}")


def test_dlp_redact_refuses_to_write_into_an_input(cli):
    with TempDir(cli) as t:
        t.write("in/staff.csv", "name,email\nAiko,aiko.sato@staff-mail.net\n")
        t.write("full/keep.txt", "already here\n")
        before = t.listing()
        for outdir, why in [(t.path("in", "redacted"), "inside"), (t.path("in"), "the same as"),
                            (t.path("in", ".", "x", "..", "y"), "inside"), (t.path("full"), "not empty"),
                            (t.abs, "inside the output")]:
            res = dlp(cli, "--redact", outdir, t.path("in"))
            expect(res, 2, f"--redact {outdir}:")
            check(why in res.err, f"--redact {outdir}: message {res.err!r}")
            check(t.listing() == before, f"--redact {outdir} wrote something: {t.listing()}")
        # A file input: a sibling folder is fine, the file's own path is not a folder.
        expect(dlp(cli, "--redact", t.path("out"), t.path("in", "staff.csv")), 1)
        with open(t.path("out", "staff.csv")) as f:
            check(f.read() == "name,email\nAiko,****.****@*****-****.***\n", "masked email")

"""Suppression: inline comments, CloudFormation Metadata, --no-suppress, --show-suppressed, and
baselines."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import (CLEAN, INFO, METADATA_JSON, MIXED, MIXED_FINDINGS, OWN, SUPPRESSED,  # noqa: E402
                         TempDir, by_resource, check, expect, limit_file_size, read, rule_ids,
                         run_raw, scan_json)

# What SUPPRESSED holds: (rule, resource) -> (how, reason) for every suppressed finding.
SUPPRESSED_FINDINGS = {
    ("TST-S3-PUBLIC", "BeforeBucket"): ("inline", "public website assets"),      # line before
    ("TST-S3-PUBLIC", "InsideBucket"): ("inline", "reviewed by security"),       # inside
    ("TST-S3-PUBLIC", "LineBucket"): ("inline", "on the line"),                  # finding's line
    ("TST-S3-VERSIONING", "ListBucket"): ("inline", "scratch bucket"),           # several ids
    ("TST-S3-LOGGING", "ListBucket"): ("inline", "scratch bucket"),
    ("TST-S3-PUBLIC", "StarBucket"): ("inline", "throwaway"),                    # *
    ("TST-S3-VERSIONING", "StarBucket"): ("inline", "throwaway"),
    ("TST-S3-LOGGING", "StarBucket"): ("inline", "throwaway"),
    ("TST-S3-PUBLIC", "MetaBucket"): ("metadata", "hosts a public dataset"),     # Metadata
}
# Not suppressed: a comment naming another rule, and a bucket without any comment.
ACTIVE = {("TST-S3-PUBLIC", "WrongIdBucket"), ("TST-S3-PUBLIC", "OpenBucket")}


def test_inline_and_metadata_suppressions(cli):
    _, rep = scan_json(cli, "--show-suppressed", SUPPRESSED, code=1)
    check(set(by_resource(rep)) == ACTIVE, f"active findings: {sorted(by_resource(rep))}")
    got = {k: (f["suppressed_by"], f["suppress_reason"]) for k, f in by_resource(rep, "suppressed").items()}
    for k, want in SUPPRESSED_FINDINGS.items():
        check(got.get(k) == want, f"{k}: suppressed as {got.get(k)}, expected {want}")
    check(set(got) == set(SUPPRESSED_FINDINGS), f"unexpected suppressions: {sorted(set(got) - set(SUPPRESSED_FINDINGS))}")
    for f in rep["findings"]:
        check("suppressed_by" not in f and "suppress_reason" not in f, f"active finding marked: {f}")
    s = rep["summary"]
    check(s["findings"] == 2 and s["suppressed"] == 9, f"summary: {s}")
    check(s["by_severity"]["critical"] == 2 and s["by_severity"]["low"] == 0, f"suppressed findings counted: {s}")


def test_suppression_on_the_finding_line_only_covers_that_line(cli):
    # The comment sits on the ACL line of the second bucket; the first bucket is untouched.
    with TempDir(cli) as t:
        path = t.write("line.yaml", "Resources:\n  First:\n    Type: AWS::S3::Bucket\n"
                       "    Properties:\n      AccessControl: PublicRead\n"
                       "  Second:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                       "      AccessControl: PublicRead   # cloudfort:ignore TST-S3-PUBLIC vetted\n"
                       "      VersioningConfiguration: {Status: Enabled}\n")
        _, rep = scan_json(cli, "--rule", "TST-S3-PUBLIC", "--show-suppressed", path, code=1)
        check(set(by_resource(rep)) == {("TST-S3-PUBLIC", "First")}, f"active: {sorted(by_resource(rep))}")
        check(set(by_resource(rep, "suppressed")) == {("TST-S3-PUBLIC", "Second")}, f"suppressed: {rep['suppressed']}")


def test_suppression_ids_ignore_case_and_need_a_comment(cli):
    with TempDir(cli) as t:
        path = t.write("case.yaml", "Resources:\n  # cloudfort:ignore tst-s3-public lower case\n"
                       "  Lower:\n    Type: AWS::S3::Bucket\n    Properties: {AccessControl: PublicRead}\n"
                       "  NotAComment:\n    Type: AWS::S3::Bucket\n    Properties:\n"
                       "      AccessControl: PublicRead\n      Tags: [{Key: note, Value: 'cloudfort:ignore TST-S3-PUBLIC'}]\n")
        _, rep = scan_json(cli, "--rule", "TST-S3-PUBLIC", "--show-suppressed", path, code=1)
        check(set(by_resource(rep)) == {("TST-S3-PUBLIC", "NotAComment")}, f"active: {sorted(by_resource(rep))}")
        check(set(by_resource(rep, "suppressed")) == {("TST-S3-PUBLIC", "Lower")}, f"suppressed: {rep['suppressed']}")


def test_metadata_suppression_in_json_template(cli):
    _, rep = scan_json(cli, "--show-suppressed", METADATA_JSON, code=1)
    check(set(by_resource(rep)) == {("TST-S3-PUBLIC", "OtherBucket")}, f"active: {sorted(by_resource(rep))}")
    got = {k: (f["suppressed_by"], f["suppress_reason"]) for k, f in by_resource(rep, "suppressed").items()}
    check(got == {("TST-S3-PUBLIC", "DatasetBucket"): ("metadata", "open data set"),
                  ("TST-S3-LOGGING", "DatasetBucket"): ("metadata", "logged by CloudTrail data events")}, f"{got}")


def test_no_suppress_reports_everything(cli):
    _, rep = scan_json(cli, "--no-suppress", "--show-suppressed", SUPPRESSED, code=1)
    check(set(by_resource(rep)) == set(SUPPRESSED_FINDINGS) | ACTIVE, f"findings: {sorted(by_resource(rep))}")
    check(rep["suppressed"] == [] and rep["summary"]["suppressed"] == 0, f"still suppressed: {rep['suppressed']}")
    _, rep = scan_json(cli, "--no-suppress", METADATA_JSON, code=1)
    check(len(rep["findings"]) == 3, f"Metadata suppressions kept: {rule_ids(rep)}")
    # A file whose only finding is suppressed passes, unless suppressions are ignored.
    with TempDir(cli) as t:
        path = t.write("one.yaml", "Resources:\n  # cloudfort:ignore TST-S3-PUBLIC approved\n"
                       "  B:\n    Type: AWS::S3::Bucket\n    Properties: {AccessControl: PublicRead}\n")
        expect(cli.run("scan", *OWN, "--rule", "TST-S3-PUBLIC", path), 0, "suppressed")
        expect(cli.run("scan", *OWN, "--rule", "TST-S3-PUBLIC", "--no-suppress", path), 1, "--no-suppress")


def test_show_suppressed_in_text(cli):
    r = expect(cli.run("scan", *OWN, SUPPRESSED), 1)
    check("[suppressed]" not in r.out and "BeforeBucket" not in r.out, "suppressed findings listed without --show-suppressed")
    check(r.out.rstrip().endswith("2 findings in 1 file (8 resources): 2 critical; 9 suppressed"),
          f"summary: {r.out.splitlines()[-1]!r}")
    r = expect(cli.run("scan", *OWN, "--show-suppressed", SUPPRESSED), 1)
    check(r.out.count("[suppressed]") == 9, f"{r.out.count('[suppressed]')} marked suppressed")
    for (rid, res), (_, reason) in SUPPRESSED_FINDINGS.items():
        check(f"  {res}  (aws.s3.bucket)" in r.out, f"{res} not listed")
    for reason in sorted({v[1] for v in SUPPRESSED_FINDINGS.values()}):
        check(f"            suppressed: {reason}\n" in r.out, f"reason {reason!r} not shown")
    check("OpenBucket" in r.out and r.out.count("Test bucket ACL is public\n") == 2, "active findings")


def test_show_suppressed_in_json(cli):
    _, rep = scan_json(cli, SUPPRESSED, code=1)
    check("suppressed" not in rep, "suppressed list present without --show-suppressed")
    check(rep["summary"]["suppressed"] == 9, f"summary: {rep['summary']}")
    _, rep = scan_json(cli, "--show-suppressed", SUPPRESSED, code=1)
    check(len(rep["suppressed"]) == 9, f"suppressed: {len(rep['suppressed'])}")
    for f in rep["suppressed"]:
        check(f["suppressed_by"] in ("inline", "metadata") and f["suppress_reason"], f"{f}")
        check(f["fingerprint"] and f["location"]["line"], f"suppressed finding incomplete: {f}")


# ---- baselines ----

BASELINE_ADDITION = """  NewBucket:
    Type: AWS::S3::Bucket
    Properties:
      AccessControl: PublicReadWrite
      VersioningConfiguration: {Status: Enabled}
      LoggingConfiguration: {}
"""


def test_baseline_then_scan_reports_only_new_findings(cli):
    with TempDir(cli) as t:
        stack = t.copy(MIXED, "stack.yaml")
        base = t.path("base.json")
        r = expect(cli.run("baseline", *OWN, "-o", base, stack), 0, "baseline")
        check(r.out == "" and r.err == f"cloudfort: wrote 5 fingerprints to {base}\n", f"baseline said {r.err!r}")
        with open(base) as f:
            doc = json.load(f)
        _, rep = scan_json(cli, stack)
        check(sorted(doc["fingerprints"]) == sorted(f["fingerprint"] for f in rep["findings"]),
              "the baseline does not hold the findings' fingerprints")
        # Everything known is suppressed: exit 0 and no findings.
        r = expect(cli.run("scan", *OWN, "--baseline", base, stack), 0, "scan --baseline")
        check(r.out.strip() == "0 findings in 1 file (4 resources); 5 suppressed", f"text: {r.out!r}")
        _, rep = scan_json(cli, "--baseline", base, "--show-suppressed", stack, code=0)
        check(rep["findings"] == [] and len(rep["suppressed"]) == 5, f"{rule_ids(rep)} {rule_ids(rep, 'suppressed')}")
        check({f["suppressed_by"] for f in rep["suppressed"]} == {"baseline"}, "suppressed_by")
        # Moving things around keeps them suppressed; a new finding is reported.
        text = read(cli, MIXED).replace("Resources:\n", "Resources:\n\n  # reshuffled\n\n", 1)
        t.write("stack.yaml", text + BASELINE_ADDITION)
        _, rep = scan_json(cli, "--baseline", base, stack, code=1)
        check([(f["rule_id"], f["location"]["resource"]) for f in rep["findings"]] == [("TST-S3-PUBLIC", "NewBucket")],
              f"after a change: {[(f['rule_id'], f['location']['resource']) for f in rep['findings']]}")
        check(rep["summary"]["suppressed"] == 5, f"summary: {rep['summary']}")
        # --no-suppress ignores inline and Metadata suppressions, not the baseline.
        _, rep = scan_json(cli, "--baseline", base, "--no-suppress", stack, code=1)
        check(len(rep["findings"]) == 1, f"--no-suppress dropped the baseline: {rule_ids(rep)}")


def test_baseline_leaves_out_suppressed_findings(cli):
    with TempDir(cli) as t:
        base = t.path("base.json")
        r = expect(cli.run("baseline", *OWN, "-o", base, SUPPRESSED), 0)
        check(r.err == f"cloudfort: wrote 2 fingerprints to {base}\n", f"{r.err!r}")
        _, rep = scan_json(cli, "--baseline", base, "--show-suppressed", SUPPRESSED, code=0)
        kinds = sorted(f["suppressed_by"] for f in rep["suppressed"])
        check(kinds == ["baseline"] * 2 + ["inline"] * 8 + ["metadata"], f"kinds: {kinds}")


def test_bad_baseline_is_an_error(cli):
    with TempDir(cli) as t:
        cases = {
            "syntax.json": ('{"fingerprints": [\n  "abc",\n', "syntax.json:3:"),
            "shape.json": ('{"findings": []}\n', 'needs a "fingerprints" list'),
            "list.json": ('["abc"]\n', 'needs a "fingerprints" list'),
        }
        for name, (text, want) in cases.items():
            base = t.write(name, text)
            out = t.path("report.json")
            r = expect(cli.run("scan", *OWN, "--baseline", base, "-f", "json", "-o", out, MIXED), 2, name)
            check(want in r.err, f"{name}: stderr {r.err!r}")
            check(f"--baseline {base}: not a baseline file" in r.err, f"{name}: stderr {r.err!r}")
            check(not os.path.exists(out) and r.out == "", f"{name}: a report was written")
        r = expect(cli.run("scan", *OWN, "--baseline", t.path("missing.json"), MIXED), 2, "missing baseline")
        check(f"{t.path('missing.json')}: cannot open" in r.err and r.out == "", f"stderr {r.err!r}")


def test_baseline_file_is_written_whole_or_not_at_all(cli):
    with TempDir(cli) as t:
        r = expect(cli.run("baseline", *OWN, "-o", t.path("no", "base.json"), MIXED), 2, "missing folder")
        check("cannot write" in r.err and t.listing() == [], f"{r.err!r} {t.listing()}")
        base = t.write("base.json", '{"fingerprints": []}\n')
        p = run_raw(cli, ["baseline", *OWN, "-o", base, MIXED], preexec=limit_file_size(64))
        check(p.returncode == 2 and "File too large" in p.stderr, f"exit {p.returncode}: {p.stderr!r}")
        check(read(cli, base) == '{"fingerprints": []}\n' and t.listing() == ["base.json"],
              f"baseline half-written or temporary left: {t.listing()}")
        # Nothing could be scanned: no baseline at all, rather than an empty one.
        r = expect(cli.run("baseline", *OWN, "-o", t.path("empty.json"), t.path("missing.yaml")), 2, "no input")
        check("was not written" in r.err and not os.path.exists(t.path("empty.json")), f"{r.err!r}")
        # Input errors next to good files are shown, and the baseline is written.
        bad = t.write("bad.yaml", "Resources: [\n")
        r = expect(cli.run("baseline", *OWN, "-o", t.path("b2.json"), bad, INFO), 0, "bad next to good")
        check(f"cloudfort: {bad}:2:" in r.err and "wrote 1 fingerprint to" in r.err, f"stderr {r.err!r}")
        check(os.path.exists(t.path("b2.json")), "baseline not written")


def test_clean_baseline(cli):
    with TempDir(cli) as t:
        base = t.path("base.json")
        r = expect(cli.run("baseline", *OWN, "-o", base, CLEAN), 0)
        check("wrote 0 fingerprints" in r.err, f"{r.err!r}")
        with open(base) as f:
            check(json.load(f)["fingerprints"] == [], "fingerprints of a clean scan")
        _, rep = scan_json(cli, "--baseline", base, MIXED, code=1)
        check(set(rule_ids(rep)) == set(MIXED_FINDINGS), "an empty baseline hid findings")

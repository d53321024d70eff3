"""The output contract (DESIGN.md): the JSON report, SARIF 2.1.0 validated against the OASIS
schema, `rules list --format json`, and fingerprints."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import (CLEAN, FINGERPRINT_RE, GROUPS, INFO, LOWINFO, MIXED, MIXED_FINDINGS,  # noqa: E402
                         OWN, SEVERITIES, SUPPRESSED, TEST_RULE_IDS, TempDir, assert_valid_sarif, check,
                         expect, read, rule_ids, scan_json)

SERVICE_MODELS = {"IaaS", "PaaS", "SaaS", "FaaS", "CaaS", "BaaS"}
# CSA Top Threats 2022 number -> group (DESIGN.md, the taxonomy table).
THREAT_GROUP = {1: 1, 3: 1, 4: 1, 9: 1, 2: 2, 8: 2, 11: 2, 5: 3, 6: 3, 7: 3, 10: 4}
SARIF_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def sarif(cli, *args, code=None):
    res = cli.run("scan", *OWN, "--format", "sarif", *args)
    if code is not None:
        expect(res, code, f"sarif {' '.join(args)}:")
    doc = res.json()
    assert_valid_sarif(cli, doc)
    return doc


# ---- JSON ----

def check_finding_shape(f):
    keys = {"rule_id", "analyzer", "title", "severity", "threats", "service_models", "location",
            "evidence", "remediation", "fingerprint"}
    check(keys <= set(f), f"finding lacks {sorted(keys - set(f))}")
    check(f["analyzer"] in ("posture", "secrets", "dlp", "sbom", "ioc", "hunt"), f"analyzer {f['analyzer']!r}")
    check(f["severity"] in SEVERITIES, f"severity {f['severity']!r}")
    check(isinstance(f["title"], str) and f["title"], "empty title")
    check(f["threats"] and all(isinstance(t, int) and t in THREAT_GROUP for t in f["threats"]), f"threats {f['threats']}")
    check(set(f["service_models"]) <= SERVICE_MODELS and f["service_models"], f"service models {f['service_models']}")
    loc = f["location"]
    check({"file", "line", "column", "resource", "event_id"} <= set(loc), f"location lacks fields: {loc}")
    check(isinstance(loc["file"], str) and isinstance(loc["line"], int) and loc["line"] > 0, f"location {loc}")
    check(isinstance(loc["column"], int) and loc["column"] > 0, f"column {loc}")
    check(isinstance(loc["resource"], str) and loc["event_id"] is None, f"location {loc}")
    check(isinstance(f["evidence"], str) and f["evidence"], f"evidence {f['evidence']!r}")
    check(isinstance(f["remediation"], str) and f["remediation"], f"remediation {f['remediation']!r}")
    check(FINGERPRINT_RE.match(f["fingerprint"]), f"fingerprint {f['fingerprint']!r}")


def test_json_report_follows_the_contract(cli):
    version = expect(cli.run("--version"), 0).out.split()[1]
    with TempDir(cli) as t:
        bad = t.write("bad.yaml", "Resources:\n  A: [1\n")
        _, rep = scan_json(cli, MIXED, bad, code=1)
    check(list(rep)[:4] == ["tool", "findings", "errors", "summary"] or
          {"tool", "findings", "errors", "summary"} <= set(rep), f"top-level keys: {list(rep)}")
    check(rep["tool"] == {"name": "cloudfort", "version": version}, f"tool: {rep['tool']}")
    check(rule_ids(rep) == sorted(MIXED_FINDINGS), f"findings: {rule_ids(rep)}")
    for f in rep["findings"]:
        check_finding_shape(f)
        sev, group, res, line = MIXED_FINDINGS[f["rule_id"]]
        check((f["severity"], f["location"]["resource"], f["location"]["line"], f["location"]["file"]) ==
              (sev, res, line, MIXED), f"{f['rule_id']}: {f['severity']} {f['location']}")
        check(THREAT_GROUP[f["threats"][0]] == group and f.get("group") == group, f"{f['rule_id']}: group")
    s3 = next(f for f in rep["findings"] if f["rule_id"] == "TST-S3-PUBLIC")
    check(s3["threats"] == [8, 3, 11] and s3["service_models"] == ["IaaS"], f"threats: {s3}")
    check(s3["evidence"] == "acl.canned = public-read", f"evidence: {s3['evidence']!r}")
    check(s3["remediation"] == "Make the bucket ACL private.", f"remediation: {s3['remediation']!r}")
    check(s3["location"]["column"] == 22, f"column: {s3['location']}")
    # Report order: group, then severity.
    order = [(f["group"], SEVERITIES.index(f["severity"])) for f in rep["findings"]]
    check(order == sorted(order), f"findings not in report order: {order}")
    # errors[] with file, line and message.
    check(len(rep["errors"]) == 1, f"errors: {rep['errors']}")
    e = rep["errors"][0]
    check(e["file"].endswith("/bad.yaml") and e["line"] == 3 and isinstance(e["message"], str) and e["message"],
          f"error entry: {e}")
    # summary.
    s = rep["summary"]
    check(s["files"] == 1 and s["findings"] == 5 and s["errors"] == 1, f"summary (a file that does not parse is not scanned): {s}")
    check(s["by_severity"] == {k: 1 for k in SEVERITIES}, f"by_severity: {s['by_severity']}")
    check(s["by_group"] == {GROUPS[0]: 1, GROUPS[1]: 2, GROUPS[2]: 1, GROUPS[3]: 1}, f"by_group: {s['by_group']}")


def test_json_summary_counts_what_is_listed(cli):
    for paths in ([MIXED, LOWINFO], [SUPPRESSED], [INFO], [CLEAN]):
        _, rep = scan_json(cli, *paths)
        s = rep["summary"]
        n = len(rep["findings"])
        check(s["findings"] == n, f"{paths}: summary says {s['findings']}, listed {n}")
        check(sum(s["by_severity"].values()) == n and sum(s["by_group"].values()) == n, f"{paths}: {s}")
        check(list(s["by_severity"]) == SEVERITIES and list(s["by_group"]) == GROUPS, f"{paths}: keys {s}")
        for sev in SEVERITIES:
            check(s["by_severity"][sev] == sum(f["severity"] == sev for f in rep["findings"]), f"{paths}: {sev}")
        check(s["files"] == len(paths), f"{paths}: files {s['files']}")
    _, rep = scan_json(cli, CLEAN, code=0)
    check(rep["findings"] == [] and rep["errors"] == [], f"clean: {rep}")


def test_json_is_valid_whatever_the_input_holds(cli):
    with TempDir(cli) as t:
        odd = t.write('we"ird\\name\tx.yaml',
                      'Resources:\n  "Q\\"uote\\\\back\\u0001ctl\\u00e9\\U0001F600":\n'
                      "    Type: AWS::S3::Bucket\n    Properties: {AccessControl: \"PublicRead\"}\n")
        r, rep = scan_json(cli, odd, code=1)
        check({f["location"]["file"] for f in rep["findings"]} == {odd}, "file name not kept exactly")
        check({f["location"]["resource"] for f in rep["findings"]} == {'Q"uote\\back\x01ctl\u00e9\U0001F600'},
              f"resource: {[f['location']['resource'] for f in rep['findings']]}")
        doc = sarif(cli, odd, code=1)
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in doc["runs"][0]["results"]}
        check(all(" " not in u and '"' not in u and "\\" not in u and "\t" not in u for u in uris), f"uris: {uris}")


def test_rules_list_json_lists_every_rule(cli):
    for args in (OWN, ["--rules", "tests/data/cli/rules"], []):
        r = expect(cli.run("rules", "list", "--format", "json", *args), 0, f"rules list {args}")
        rules = json.loads(r.out)
        check(isinstance(rules, list) and rules, f"{args}: no rules")
        ids = [x["id"] for x in rules]
        check(len(ids) == len(set(ids)), f"{args}: duplicate ids")
        for x in rules:
            check({"id", "analyzer", "severity", "threats"} <= set(x), f"{args}: rule lacks fields: {x}")
            check(x["severity"] in SEVERITIES and x["analyzer"] in ("posture", "secrets", "dlp"), f"{args}: {x}")
            check(x["threats"] and all(t in THREAT_GROUP for t in x["threats"]), f"{args}: threats {x}")
        # The text list shows the same rules.
        text = expect(cli.run("rules", "list", *args), 0).out
        check(sorted(line.split()[0] for line in text.splitlines()) == sorted(ids), f"{args}: text and JSON differ")
    rules = {x["id"]: x for x in json.loads(cli.run("rules", "list", "-f", "json", *OWN).out)}
    check(set(rules) == TEST_RULE_IDS, f"ids: {sorted(rules)}")
    for rid, (sev, group, _, _) in MIXED_FINDINGS.items():
        check(rules[rid]["severity"] == sev and rules[rid]["group"] == group, f"{rid}: {rules[rid]}")
    check(rules["TST-S3-PUBLIC"]["threats"] == [8, 3, 11], f"threats: {rules['TST-S3-PUBLIC']}")
    check(rules["TST-S3-LOGGING"]["service_models"] == ["IaaS", "PaaS"], f"service models: {rules['TST-S3-LOGGING']}")


# ---- SARIF ----

def check_sarif_run(doc, n_rules):
    check(doc["version"] == "2.1.0", f"version {doc['version']}")
    check(len(doc["runs"]) == 1, "one run")
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    check(driver["name"] == "cloudfort", f"driver {driver['name']}")
    rules = driver["rules"]
    check(len(rules) == n_rules and len({r["id"] for r in rules}) == n_rules, f"driver rules: {[r['id'] for r in rules]}")
    # The CSA taxonomy: 11 taxa, ids 1..11, each in one of the four groups.
    tax = run["taxonomies"]
    check(len(tax) == 1 and tax[0]["name"] == "CSA Top Threats 2022", f"taxonomies: {[t.get('name') for t in tax]}")
    taxa = tax[0]["taxa"]
    check([t["id"] for t in taxa] == [str(i) for i in range(1, 12)], f"taxa ids: {[t['id'] for t in taxa]}")
    for t in taxa:
        check(t["properties"]["group"] == THREAT_GROUP[int(t["id"])], f"taxon {t['id']} group {t['properties']}")
        check(t["name"] and t["shortDescription"]["text"], f"taxon {t['id']} unnamed")
    check(driver["supportedTaxonomies"] == [{"name": tax[0]["name"], "index": 0}], f"supportedTaxonomies: {driver.get('supportedTaxonomies')}")

    def check_ref(ref, where):
        check(ref["toolComponent"]["name"] == tax[0]["name"] and ref["toolComponent"]["index"] == 0, f"{where}: {ref}")
        check(taxa[ref["index"]]["id"] == ref["id"], f"{where}: taxon index {ref['index']} is not id {ref['id']}")

    for r in rules:
        check(r["relationships"], f"rule {r['id']} has no taxa")
        for rel in r["relationships"]:
            check_ref(rel["target"], f"rule {r['id']}")
        check(r["defaultConfiguration"]["level"] in ("error", "warning", "note"), f"rule {r['id']} level")
        check(r["shortDescription"]["text"] and r["help"]["text"], f"rule {r['id']} texts")
    for res in run["results"]:
        idx = res["ruleIndex"]
        check(rules[idx]["id"] == res["ruleId"], f"ruleIndex {idx} is {rules[idx]['id']}, result is {res['ruleId']}")
        check(res["taxa"], f"result {res['ruleId']} references no taxa")
        for ref in res["taxa"]:
            check_ref(ref, f"result {res['ruleId']}")
        check([t["id"] for t in res["taxa"]] == [x["target"]["id"] for x in rules[idx]["relationships"]],
              f"result {res['ruleId']}: taxa differ from its rule")
        check(FINGERPRINT_RE.match(res["partialFingerprints"]["cloudfort/v1"]), f"fingerprint {res['partialFingerprints']}")
    return run


def test_sarif_with_findings(cli):
    doc = sarif(cli, MIXED, code=1)
    run = check_sarif_run(doc, len(TEST_RULE_IDS))
    results = {r["ruleId"]: r for r in run["results"]}
    check(set(results) == TEST_RULE_IDS, f"results: {sorted(results)}")
    _, rep = scan_json(cli, MIXED)
    fps = {f["rule_id"]: f["fingerprint"] for f in rep["findings"]}
    for rid, (sev, _, res_name, line) in MIXED_FINDINGS.items():
        r = results[rid]
        loc = r["locations"][0]
        check(loc["physicalLocation"]["artifactLocation"]["uri"] == MIXED, f"{rid}: uri {loc}")
        check(loc["physicalLocation"]["region"]["startLine"] == line, f"{rid}: line {loc}")
        check(loc["logicalLocations"][0]["name"] == res_name, f"{rid}: resource {loc}")
        check(r["level"] == SARIF_LEVEL[sev], f"{rid}: level {r['level']} for {sev}")
        check(r["partialFingerprints"]["cloudfort/v1"] == fps[rid], f"{rid}: SARIF and JSON fingerprints differ")
        check("suppressions" not in r, f"{rid}: unsuppressed result has suppressions")
        title = run["tool"]["driver"]["rules"][r["ruleIndex"]]["shortDescription"]["text"]
        check(r["message"]["text"].startswith(f"{title} ({res_name})"), f"{rid}: message {r['message']}")
    sev_numbers = [float(x["properties"]["security-severity"]) for x in sorted(
        run["tool"]["driver"]["rules"], key=lambda x: SEVERITIES.index(x["properties"]["severity"]))]
    check(sev_numbers == sorted(sev_numbers, reverse=True), f"security-severity not ordered: {sev_numbers}")
    check(run["invocations"][0]["executionSuccessful"] is True, "invocation")


def test_sarif_with_suppressed_findings(cli):
    with TempDir(cli) as t:
        base = t.path("base.json")
        expect(cli.run("baseline", *OWN, "-q", "-o", base, LOWINFO), 0, "baseline")
        doc = sarif(cli, "--baseline", base, SUPPRESSED, LOWINFO, code=1)
    run = check_sarif_run(doc, len(TEST_RULE_IDS))
    kinds = {}
    for r in run["results"]:
        s = r.get("suppressions", [])
        check(len(s) <= 1, f"several suppressions: {s}")
        key = s[0]["kind"] if s else "none"
        kinds[key] = kinds.get(key, 0) + 1
        if s and s[0]["kind"] == "inSource":
            check(s[0]["justification"], f"inline suppression without its reason: {r}")
    check(kinds == {"inSource": 9, "external": 2, "none": 2}, f"suppression kinds: {kinds}")
    reasons = sorted(r["suppressions"][0].get("justification", "") for r in run["results"] if r.get("suppressions"))
    check("hosts a public dataset" in reasons and "public website assets" in reasons, f"justifications: {reasons}")


def test_sarif_with_errors(cli):
    with TempDir(cli) as t:
        bad = t.write("bad.json", '{\n  "Resources": {"X": \n')
        doc = sarif(cli, bad, t.path("missing.yaml"), INFO, code=0)
    run = check_sarif_run(doc, len(TEST_RULE_IDS))
    notes = run["invocations"][0]["toolExecutionNotifications"]
    check(len(notes) == 2, f"notifications: {notes}")
    uris = sorted(n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in notes)
    check(uris == sorted(["file://" + bad, "file://" + t.path("missing.yaml")]), f"uris: {uris}")
    for n in notes:
        check(n["level"] == "error" and n["message"]["text"], f"notification: {n}")
    with_line = [n for n in notes if n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("bad.json")]
    check(with_line[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 3, f"{with_line}")
    check([r["ruleId"] for r in run["results"]] == ["TST-S3-LOGGING"], "results")
    check(run["invocations"][0]["executionSuccessful"] is True, "a partly failed run is still successful")
    # Nothing could be scanned: the run failed, and says why.
    doc = sarif(cli, "no/such/stack.yaml", code=2)
    run = check_sarif_run(doc, len(TEST_RULE_IDS))
    inv = run["invocations"][0]
    check(inv["executionSuccessful"] is False, f"invocation: {inv}")
    check([n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for n in inv["toolExecutionNotifications"]]
          == ["no/such/stack.yaml"], f"notifications: {inv['toolExecutionNotifications']}")


def test_sarif_empty_run(cli):
    doc = sarif(cli, CLEAN, code=0)
    run = check_sarif_run(doc, len(TEST_RULE_IDS))
    check(run["results"] == [], f"results: {run['results']}")
    check(run["invocations"][0]["toolExecutionNotifications"] == [], "notifications")
    doc = sarif(cli, "--rule", "TST-S3-PUBLIC", CLEAN, code=0)
    check_sarif_run(doc, 1)


# ---- fingerprints ----

def fingerprints(cli, *paths, args=()):
    _, rep = scan_json(cli, *args, *paths)
    return {(f["rule_id"], f["location"]["resource"]): (f["fingerprint"], f["location"]["line"])
            for f in rep["findings"]}


def test_fingerprints_are_stable_across_runs(cli):
    a = fingerprints(cli, MIXED)
    b = fingerprints(cli, MIXED)
    check(a == b and len(a) == len(MIXED_FINDINGS), f"two runs differ: {a} {b}")
    check(len({fp for fp, _ in a.values()}) == len(a), "two findings share a fingerprint")
    # Through standard input the same content gives the same fingerprints each time.
    text = read(cli, MIXED)
    _, r1 = scan_json(cli, "-", stdin=text)
    _, r2 = scan_json(cli, "-", stdin=text)
    check([f["fingerprint"] for f in r1["findings"]] == [f["fingerprint"] for f in r2["findings"]], "stdin runs differ")


def test_fingerprint_survives_moving_the_resource(cli):
    with TempDir(cli) as t:
        path = t.copy(MIXED, "stack.yaml")
        before = fingerprints(cli, path)
        text = read(cli, MIXED)
        moved = text.replace("Resources:\n", "Resources:\n\n\n  # a comment\n\n  # and another\n", 1)
        moved = moved.replace("  PlainBucket:\n", "\n  # PlainBucket moves further down\n\n  PlainBucket:\n")
        t.write("stack.yaml", moved)
        after = fingerprints(cli, path)
        check(set(before) == set(after), f"findings changed: {sorted(before)} {sorted(after)}")
        for k in before:
            check(before[k][0] == after[k][0], f"{k}: fingerprint changed when the resource moved")
            shift = 8 if k[1] == "PlainBucket" else 5
            check(after[k][1] == before[k][1] + shift, f"{k}: line {before[k][1]} -> {after[k][1]}")


def test_fingerprint_depends_on_rule_and_resource(cli):
    with TempDir(cli) as t:
        path = t.copy(LOWINFO, "stack.yaml")
        before = fingerprints(cli, path)
        # Two rules on one resource: two fingerprints.
        check(before[("TST-S3-VERSIONING", "PlainBucket")][0] != before[("TST-S3-LOGGING", "PlainBucket")][0],
              "different rules share a fingerprint")
        # The same resource under another name: another fingerprint.
        t.write("stack.yaml", read(cli, LOWINFO).replace("PlainBucket:", "RenamedBucket:"))
        after = fingerprints(cli, path)
        check(set(k[1] for k in after) == {"RenamedBucket"}, f"{after}")
        for rid in ("TST-S3-VERSIONING", "TST-S3-LOGGING"):
            check(after[(rid, "RenamedBucket")][0] != before[(rid, "PlainBucket")][0], f"{rid}: rename kept the fingerprint")
        # Another file: another fingerprint.
        other = t.copy(LOWINFO, "other.yaml")
        third = fingerprints(cli, other)
        check(third[("TST-S3-LOGGING", "PlainBucket")][0] != before[("TST-S3-LOGGING", "PlainBucket")][0],
              "the same finding in another file has the same fingerprint")
        # Another offending value: another fingerprint (what the finding says changed).
        t.write("stack.yaml", read(cli, MIXED))
        pub = fingerprints(cli, path)[("TST-S3-PUBLIC", "PublicBucket")][0]
        t.write("stack.yaml", read(cli, MIXED).replace("PublicRead", "PublicReadWrite"))
        check(fingerprints(cli, path)[("TST-S3-PUBLIC", "PublicBucket")][0] != pub, "evidence change kept the fingerprint")

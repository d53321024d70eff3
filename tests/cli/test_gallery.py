"""The incident gallery: `cloudfort scan examples/incidents/<case>` reports every finding listed
in the case's expected.json (rule id, file and, when given, line), from every input format of
the case, and loads every input without errors."""
import json
import os


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

"""The command line: help, usage errors, inputs, exit codes, rule selection, output files,
standard input, quiet mode, colour and the text report."""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import (CLEAN, DATA, INFO, LOWINFO, MIXED, MIXED_FINDINGS, OWN, RULES,  # noqa: E402
                         SUPPRESSED, TEST_RULE_IDS, UNKNOWN_JSON, TempDir, as_unprivileged, check,
                         expect, limit_file_size, read, rule_ids, run_on_pty, run_raw, scan_json)

SCAN_COMMANDS = ["scan", "posture", "baseline"]
# Every option of each command, as its --help must list it.
SCAN_OPTIONS = ["--format", "--output", "--fail-on", "--rules", "--no-builtin-rules", "--rule",
                "--skip-rule", "--baseline", "--unknown", "--no-suppress", "--show-suppressed",
                "--max-file-size", "--now", "--no-color", "--quiet", "--help"]
BASELINE_OPTIONS = [o for o in SCAN_OPTIONS
                    if o not in ("--format", "--fail-on", "--show-suppressed", "--no-color")]
RULES_OPTIONS = ["--format", "--rules", "--no-builtin-rules", "--fixtures", "--now", "--help"]
VALUE_OPTIONS = ["-f", "--format", "-o", "--output", "--fail-on", "--rules", "--rule",
                 "--skip-rule", "--baseline", "--unknown", "--max-file-size", "--now"]


def long_options(text):
    return set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", text))


def no_output_file_left(tmp, what):
    check(tmp.listing() == [], f"{what}: files left behind: {tmp.listing()}")


# ---- help and version ----

def test_help_of_the_tool(cli):
    outs = []
    for args in (["--help"], ["-h"], ["help"]):
        r = expect(cli.run(*args), 0, " ".join(args))
        check(r.err == "", f"{args}: stderr {r.err!r}")
        for cmd in ("scan", "posture", "baseline", "rules", "version"):
            check(re.search(rf"^  {cmd} ", r.out, re.M), f"{args}: command {cmd} not listed")
        check("Exit codes: 0" in r.out and "2 usage or input error" in r.out, "exit codes not in --help")
        outs.append(r.out)
    check(outs[0] == outs[1] == outs[2], "--help, -h and help differ")


def test_help_of_every_command_lists_its_options(cli):
    for cmd in SCAN_COMMANDS:
        r = expect(cli.run(cmd, "--help"), 0, f"{cmd} --help")
        check(r.out.startswith(f"Usage: cloudfort {cmd} [options] PATH...\n"), f"{cmd}: usage line: {r.out[:80]!r}")
        want = set(SCAN_OPTIONS if cmd != "baseline" else BASELINE_OPTIONS)
        check(long_options(r.out) >= want, f"{cmd} --help lacks {sorted(want - long_options(r.out))}")
        if cmd == "baseline":
            check("--format" not in r.out and "--fail-on" not in r.out,
                  "baseline --help offers report options it does not use")
        check(expect(cli.run(cmd, "-h"), 0).out == r.out, f"{cmd} -h differs from --help")
        check(expect(cli.run("help", cmd), 0).out == r.out, f"help {cmd} differs from {cmd} --help")
    r = expect(cli.run("rules", "--help"), 0, "rules --help")
    check("cloudfort rules list" in r.out and "cloudfort rules test" in r.out, "rules --help lacks list/test")
    check(long_options(r.out) >= set(RULES_OPTIONS), f"rules --help lacks {sorted(set(RULES_OPTIONS) - long_options(r.out))}")
    check(expect(cli.run("help", "rules"), 0).out == r.out, "help rules differs")
    check(expect(cli.run("rules", "list", "--help"), 0).out == r.out, "rules list --help differs")
    r = expect(cli.run("version", "--help"), 0, "version --help")
    check(r.out.startswith("Usage: cloudfort version"), f"version --help: {r.out!r}")
    check(expect(cli.run("help", "version"), 0).out == r.out, "help version differs")


def test_no_arguments_is_a_usage_error(cli):
    r = expect(cli.run(), 2)
    check(r.out == "", "usage went to stdout")
    check(r.err.startswith("Usage: cloudfort"), f"stderr: {r.err[:80]!r}")
    r = expect(cli.run("rules"), 2, "rules without a subcommand")
    check(r.out == "" and "Usage: cloudfort rules" in r.err, f"rules: {r.err[:80]!r}")


def test_version(cli):
    outs = [expect(cli.run(*a), 0, " ".join(a)).out for a in (["--version"], ["-V"], ["version"])]
    check(outs[0] == outs[1] == outs[2], f"version outputs differ: {outs}")
    m = re.fullmatch(r"cloudfort (\d+\.\d+\.\d+\S*)\n", outs[0])
    check(m, f"version output: {outs[0]!r}")
    _, rep = scan_json(cli, CLEAN, code=0)
    check(rep["tool"] == {"name": "cloudfort", "version": m.group(1)}, f"JSON tool: {rep['tool']}")


# ---- usage errors ----

def test_unknown_command(cli):
    r = expect(cli.run("sacn", MIXED), 2)
    check(r.out == "" and "unknown command 'sacn'" in r.err, f"stderr: {r.err!r}")
    r = expect(cli.run("help", "sacn"), 2, "help of an unknown command")
    check(r.out == "" and "'sacn'" in r.err, f"stderr: {r.err!r}")
    r = expect(cli.run("rules", "lsit"), 2)
    check("unknown subcommand 'lsit'" in r.err, f"stderr: {r.err!r}")


def test_unknown_option(cli):
    cases = [(["scan", "--bogus", MIXED], "'--bogus'"), (["scan", "-x", MIXED], "'-x'"),
             (["scan", "-qx", MIXED], "'-x'"), (["posture", "--no-colour", MIXED], "'--no-colour'"),
             (["baseline", "-o", "/dev/null", "--bogus", MIXED], "'--bogus'"),
             (["rules", "list", "--bogus"], "'--bogus'"), (["rules", "test", "-x"], "'-x'")]
    for args, name in cases:
        r = expect(cli.run(*args), 2, " ".join(args))
        check(r.out == "", f"{args}: stdout {r.out[:80]!r}")
        check("unknown option" in r.err and name in r.err, f"{args}: stderr {r.err!r}")
    r = expect(cli.run("rules", "list", "extra"), 2)
    check("unexpected argument 'extra'" in r.err, f"rules list extra: {r.err!r}")


def test_option_missing_its_value(cli):
    for opt in VALUE_OPTIONS:
        r = expect(cli.run("scan", opt), 2, f"scan {opt}")
        check(f"option '{opt}' needs a value" in r.err, f"scan {opt}: stderr {r.err!r}")
        check(r.out == "", f"scan {opt}: stdout {r.out[:80]!r}")
    for opt in ("--format", "--rules", "--fixtures", "--now", "-f"):
        r = expect(cli.run("rules", "list", opt), 2, f"rules list {opt}")
        check(f"option '{opt}' needs a value" in r.err, f"rules list {opt}: stderr {r.err!r}")


def test_bad_option_values(cli):
    cases = [(["--format", "xml"], "--format", "'xml'"), (["-f", "csv"], "--format", "'csv'"),
             (["--fail-on", "severe"], "--fail-on", "'severe'"),
             (["--unknown", "maybe"], "--unknown", "'maybe'"),
             (["--max-file-size", "12Q"], "--max-file-size", "'12Q'"),
             (["--max-file-size", "0"], "--max-file-size", "'0'"),
             (["--now", "yesterday"], "--now", "'yesterday'")]
    for args, opt, val in cases:
        r = expect(cli.run("scan", *OWN, *args, MIXED), 2, " ".join(args))
        check(r.err.startswith(f"cloudfort: {opt}: expected") and val in r.err, f"{args}: stderr {r.err!r}")
        check(r.out == "", f"{args}: stdout {r.out[:80]!r}")
    r = expect(cli.run("rules", "list", "--format", "sarif"), 2)
    check("--format: expected text or json" in r.err, f"rules list --format sarif: {r.err!r}")


def test_no_path_is_a_usage_error(cli):
    for args in (["scan"], ["posture", "-f", "json"], ["baseline", "-o", "base.json"]):
        r = expect(cli.run(*args), 2, " ".join(args))
        check(r.out == "" and "no PATH given" in r.err, f"{args}: stderr {r.err!r}")


def test_baseline_needs_an_output_file(cli):
    r = expect(cli.run("baseline", *OWN, MIXED), 2)
    check("--output FILE is required" in r.err, f"stderr: {r.err!r}")


# ---- inputs and errors ----

def test_missing_file_alone_is_an_input_error(cli):
    r = expect(cli.run("scan", *OWN, "no/such/template.yaml"), 2, "text")
    check("no/such/template.yaml: cannot access: No such file or directory" in r.out,
          f"text report does not name the missing file: {r.out!r}")
    check("no input could be scanned" in r.err, f"stderr: {r.err!r}")
    r, rep = scan_json(cli, "no/such/template.yaml", code=2)
    check([e["file"] for e in rep["errors"]] == ["no/such/template.yaml"], f"errors: {rep['errors']}")
    check(rep["summary"]["files"] == 0 and rep["findings"] == [], f"summary: {rep['summary']}")
    r = expect(cli.run("scan", *OWN, "-q", "no/such/template.yaml"), 2, "quiet")
    check(r.out == "" and "no/such/template.yaml: cannot access" in r.err, f"quiet: {r.err!r}")


def test_invalid_file_alone_is_an_input_error(cli):
    with TempDir(cli) as t:
        bad = t.write("broken.json", '{"Resources": {"B": {"Type": "AWS::S3::Bucket",,}}}\n')
        r, rep = scan_json(cli, bad, code=2)
        check(len(rep["errors"]) == 1 and rep["errors"][0]["file"] == bad, f"errors: {rep['errors']}")
        err = rep["errors"][0]
        check(err["line"] in (1, 2) and err["message"], f"error: {err}")
        r = expect(cli.run("scan", *OWN, bad), 2, "text")
        check(f"{bad}:{err['line']}:" in r.out, f"text report: {r.out!r}")


def test_bad_files_among_good_ones_are_listed_and_the_rest_scanned(cli):
    with TempDir(cli) as t:
        bad_json = t.write("bad.json", "{\n  \"Resources\": [1, 2\n")
        bad_yaml = t.write("bad.yaml", "Resources:\n  Bucket: [unclosed\n")
        missing = t.path("missing.yaml")
        # Findings decide the exit code: 1 with findings ...
        _, rep = scan_json(cli, bad_json, MIXED, bad_yaml, missing, code=1)
        errs = {e["file"]: e for e in rep["errors"]}
        check(set(errs) == {bad_json, bad_yaml, missing}, f"errors: {sorted(errs)}")
        check(errs[bad_json]["line"] == 3 and errs[bad_yaml]["line"] >= 2, f"error lines: {errs}")
        check(errs[missing]["line"] is None, f"missing file has a line: {errs[missing]}")
        for e in rep["errors"]:
            check(isinstance(e["message"], str) and e["message"], f"error without message: {e}")
        check(rule_ids(rep) == sorted(MIXED_FINDINGS), f"good file not fully scanned: {rule_ids(rep)}")
        check(rep["summary"]["errors"] == 3, f"summary: {rep['summary']}")
        # ... and 0 without.
        _, rep = scan_json(cli, bad_json, CLEAN, missing, code=0)
        check(len(rep["errors"]) == 2 and rep["findings"] == [], f"clean + bad: {rep}")
        # The text report lists them too.
        r = expect(cli.run("scan", *OWN, bad_json, INFO), 0)
        check("Errors (1)" in r.out and f"{bad_json}:3:" in r.out, f"text errors: {r.out!r}")


def test_unreadable_file_among_good_ones(cli):
    with TempDir(cli) as t:
        locked = t.copy(MIXED, "locked.yaml")
        os.chmod(locked, 0)
        p = run_raw(cli, ["scan", *OWN, "-f", "json", locked, INFO], preexec=as_unprivileged())
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr!r}")
        rep = json.loads(p.stdout)
        check([e["file"] for e in rep["errors"]] == [locked], f"errors: {rep['errors']}")
        check("Permission denied" in rep["errors"][0]["message"], f"message: {rep['errors'][0]}")
        check(rule_ids(rep) == ["TST-S3-LOGGING"], f"the readable file was not scanned: {rule_ids(rep)}")
        p = run_raw(cli, ["scan", *OWN, locked], preexec=as_unprivileged())
        check(p.returncode == 2, f"unreadable file alone: exit {p.returncode}")


def test_directory_is_walked(cli):
    with TempDir(cli) as t:
        t.copy(MIXED, "stacks/app.yaml")
        t.copy(INFO, "stacks/nested/logs.template")
        t.copy(MIXED, ".git/ignored.yaml")
        t.write("stacks/README.md", "# not a template\n")
        _, rep = scan_json(cli, t.path(), code=1)
        files = sorted({f["location"]["file"] for f in rep["findings"]})
        check(files == [t.path("stacks/app.yaml"), t.path("stacks/nested/logs.template")], f"files: {files}")
        check(rep["summary"]["files"] == 2 and rep["errors"] == [], f"summary: {rep['summary']} errors: {rep['errors']}")
        empty = t.path("empty")
        os.mkdir(empty)
        _, rep = scan_json(cli, empty, code=0)
        check(rep["summary"]["files"] == 0 and rep["errors"] == [], f"empty folder: {rep['summary']}")


def test_max_file_size(cli):
    # The limit is about inputs; rule files larger than it still load.
    size = os.path.getsize(os.path.join(cli.root, MIXED))
    check(size < os.path.getsize(os.path.join(cli.root, RULES, "more.yaml")), "fixture sizes changed")
    _, rep = scan_json(cli, "--max-file-size", str(size - 1), MIXED, INFO, code=0)
    check([e["file"] for e in rep["errors"]] == [MIXED], f"oversized file not reported: {rep['errors']}")
    check(rule_ids(rep) == ["TST-S3-LOGGING"], f"findings: {rule_ids(rep)}")
    _, rep = scan_json(cli, "--max-file-size", "100", MIXED, code=2)
    _, rep = scan_json(cli, "--max-file-size", "1K", MIXED, code=1)
    _, rep = scan_json(cli, "--max-file-size", str(size), MIXED, code=1)
    check(rep["errors"] == [], f"a file of exactly the limit was refused: {rep['errors']}")


# ---- exit codes ----

def test_exit_codes_follow_fail_on(cli):
    # MIXED has one finding of each severity; LOWINFO a low and an info; INFO one info.
    table = [
        (MIXED, None, 1), (MIXED, "critical", 1), (MIXED, "info", 1),
        (LOWINFO, None, 1), (LOWINFO, "critical", 0), (LOWINFO, "high", 0), (LOWINFO, "medium", 0),
        (LOWINFO, "low", 1), (LOWINFO, "info", 1), (LOWINFO, "LOW", 1),
        (INFO, None, 0), (INFO, "low", 0), (INFO, "info", 1),
        (CLEAN, None, 0), (CLEAN, "info", 0),
    ]
    for path, level, code in table:
        args = ["--fail-on", level] if level else []
        r = cli.run("scan", *OWN, *args, path)
        expect(r, code, f"{path} --fail-on {level}:")
    # A finding below the threshold is still reported; only the exit code changes.
    r = expect(cli.run("scan", *OWN, "--fail-on", "critical", LOWINFO), 0)
    check("TST-S3-VERSIONING" in r.out and "TST-S3-LOGGING" in r.out, "findings below --fail-on not reported")
    # The same holds for posture, the analyser-specific command.
    expect(cli.run("posture", *OWN, "--fail-on", "high", MIXED), 1, "posture")
    expect(cli.run("posture", *OWN, "--fail-on", "high", LOWINFO), 0, "posture")


def test_unknown_values_modes(cli):
    _, rep = scan_json(cli, UNKNOWN_JSON, code=0)
    check(rep["findings"] == [], f"--unknown pass (default): {rule_ids(rep)}")
    _, rep = scan_json(cli, "--unknown", "fail", UNKNOWN_JSON, code=1)
    check(rule_ids(rep) == ["TST-S3-PUBLIC"], f"--unknown fail: {rule_ids(rep)}")
    _, rep = scan_json(cli, "--unknown", "report", UNKNOWN_JSON, code=0)
    check(rule_ids(rep) == ["TST-S3-PUBLIC"] and rep["findings"][0].get("unknown") is True,
          f"--unknown report: {rep['findings']}")
    r = expect(cli.run("scan", *OWN, "--unknown", "report", UNKNOWN_JSON), 0)
    check("depends on values known after deployment" in r.out, f"text: {r.out!r}")


# ---- rules ----

def test_rule_and_skip_rule_globs(cli):
    table = [
        (["--rule", "TST-S3-*"], {"TST-S3-PUBLIC", "TST-S3-VERSIONING", "TST-S3-LOGGING"}),
        (["--rule", "TST-S3-PUBLIC"], {"TST-S3-PUBLIC"}),
        (["--rule", "tst-ec2-*"], {"TST-EC2-IMDS"}),
        (["--rule", "*-IMDS", "--rule", "TST-SG-?SH"], {"TST-EC2-IMDS", "TST-SG-SSH"}),
        (["--skip-rule", "TST-S3-*"], {"TST-EC2-IMDS", "TST-SG-SSH"}),
        (["--skip-rule", "*LOGGING", "--skip-rule", "*VERSIONING"], {"TST-S3-PUBLIC", "TST-EC2-IMDS", "TST-SG-SSH"}),
        (["--rule", "TST-S3-*", "--skip-rule", "*-PUBLIC"], {"TST-S3-VERSIONING", "TST-S3-LOGGING"}),
        (["--skip-rule", "NOTHING-*"], TEST_RULE_IDS),
    ]
    for args, want in table:
        _, rep = scan_json(cli, *args, MIXED)
        check(set(rule_ids(rep)) == want, f"{args}: {rule_ids(rep)}")
    for args in (["--rule", "NOTHING-*"], ["--skip-rule", "*"]):
        r = expect(cli.run("scan", *OWN, *args, MIXED), 2, " ".join(args))
        check("no rule selected" in r.err and r.out == "", f"{args}: {r.err!r}")


def test_no_builtin_rules_with_own_rules(cli):
    r = expect(cli.run("rules", "list", "--format", "json", *OWN), 0)
    check({x["id"] for x in json.loads(r.out)} == TEST_RULE_IDS, f"own rules only: {r.out[:300]}")
    r = expect(cli.run("rules", "list", "--format", "json", "--rules", RULES), 0)
    ids = {x["id"] for x in json.loads(r.out)}
    check(ids > TEST_RULE_IDS, "the shipped rules were not loaded next to --rules")
    r = expect(cli.run("rules", "list", "--format", "json", "--no-builtin-rules"), 0)
    check(json.loads(r.out) == [], f"--no-builtin-rules alone still lists rules: {r.out[:200]}")
    r = expect(cli.run("scan", "--no-builtin-rules", MIXED), 2, "no rules at all")
    check("no rule selected" in r.err, f"stderr: {r.err!r}")
    _, rep = scan_json(cli, MIXED, code=1)
    check(set(rule_ids(rep)) == TEST_RULE_IDS, f"scan with own rules: {rule_ids(rep)}")


def test_broken_rule_file_stops_everything(cli):
    broken = f"{DATA}/rules-broken"
    with TempDir(cli) as t:
        out = t.path("report.json")
        for cmd in ("scan", "posture", "baseline"):
            r = cli.run(cmd, "--rules", broken, "--no-builtin-rules", "-f", "json", "-o", out, MIXED)
            expect(r, 2, cmd)
            check(f"{broken}/broken.yaml:8:26: unknown operator 'equalz'" in r.err,
                  f"{cmd}: no file:line:column in {r.err!r}")
            check("nothing was scanned" in r.err, f"{cmd}: {r.err!r}")
            check(r.out == "", f"{cmd}: stdout {r.out[:100]!r}")
            no_output_file_left(t, cmd)
        r = expect(cli.run("scan", "--rules", broken, "--no-builtin-rules", MIXED), 2, "to stdout")
        check(r.out == "", f"a report was printed: {r.out[:100]!r}")
        r = expect(cli.run("rules", "list", "--rules", broken, "--no-builtin-rules"), 2, "rules list")
        check(f"{broken}/broken.yaml:8:26:" in r.err and r.out == "", f"rules list: {r.err!r}")
    r = expect(cli.run("scan", "--rules", "no/such/rules", "--no-builtin-rules", MIXED), 2)
    check("no/such/rules" in r.err and ":0" not in r.err, f"missing rule folder: {r.err!r}")


def test_rules_list(cli):
    r = expect(cli.run("rules", "list", *OWN), 0, "text")
    lines = r.out.splitlines()
    check(len(lines) == len(TEST_RULE_IDS), f"text lines: {lines}")
    for line in lines:
        rid, sev = line.split()[:2]
        check(rid in MIXED_FINDINGS and MIXED_FINDINGS[rid][0] == sev, f"text line: {line!r}")
    # Columns line up even with ids longer than the default width.
    check(len({line.index(line.split()[1], len(line.split()[0])) for line in lines}) == 1,
          f"columns do not line up: {lines}")
    with TempDir(cli) as t:
        # A rules folder whose path needs escaping in JSON.
        odd = t.path('odd "name"\\dir')
        os.makedirs(odd)
        for name in os.listdir(os.path.join(cli.root, RULES)):
            t.copy(f"{RULES}/{name}", os.path.join(odd, name))
        r = expect(cli.run("rules", "list", "-f", "json", "--rules", odd, "--no-builtin-rules"), 0)
        rules = json.loads(r.out)
        check({x["file"].rsplit("/", 1)[0] for x in rules} == {odd}, f"files: {[x['file'] for x in rules]}")


def test_rules_test_runs_fixtures(cli):
    base = ["rules", "test", "--rules", f"{DATA}/rules-cfn", "--no-builtin-rules"]
    r = expect(cli.run(*base, "--fixtures", f"{DATA}/fixtures"), 0, "good fixtures")
    check(r.out.splitlines()[-1] == "2 passed, 0 failed", f"summary: {r.out!r}")
    check("ok 1 - TST-CFN-PUBLIC" in r.out and "not ok" not in r.out, f"TAP: {r.out!r}")
    r = expect(cli.run(*base, "--fixtures", f"{DATA}/fixtures", "TST-CFN-PUBLIC"), 0, "one rule")
    r = expect(cli.run(*base, "--fixtures", f"{DATA}/fixtures-incomplete"), 1, "a fire fixture that does not fire")
    check("not ok 1 - TST-CFN-PUBLIC: fire.cloudformation.yaml # expected the rule to fire" in r.out, f"TAP: {r.out!r}")
    check("pass.cloudformation # missing" in r.out, f"missing pass fixture not reported: {r.out!r}")
    check(r.out.splitlines()[-1] == "0 passed, 3 failed", f"summary: {r.out!r}")
    r = expect(cli.run(*base, "--fixtures", f"{DATA}/fixtures", "TST-NOPE"), 2, "unknown rule id")
    check("TST-NOPE" in r.err, f"stderr: {r.err!r}")
    r = expect(cli.run(*base, "--fixtures", f"{DATA}/no-such-fixtures"), 2, "missing fixture folder")
    check("no-such-fixtures" in r.err, f"stderr: {r.err!r}")


# ---- output files ----

def test_output_file_holds_the_whole_report(cli):
    with TempDir(cli) as t:
        for fmt in ("text", "json", "sarif"):
            out = t.path(f"report.{fmt}")
            stdout_run = cli.run("scan", *OWN, "-f", fmt, MIXED)
            r = expect(cli.run("scan", *OWN, "-f", fmt, "-o", out, MIXED), 1, fmt)
            check(r.out == "", f"{fmt}: -o also printed to stdout: {r.out[:100]!r}")
            with open(out) as f:
                written = f.read()
            check(written == stdout_run.out, f"{fmt}: file differs from stdout")
        check(t.listing() == ["report.json", "report.sarif", "report.text"], f"files: {t.listing()}")
        # An existing report is replaced whole, with the permissions any new file gets.
        out = t.path("report.json")
        with open(out, "w") as f:
            f.write("x" * 100000)
        p = run_raw(cli, ["scan", *OWN, "-f", "json", "-o", out, CLEAN], preexec=lambda: os.umask(0o022))
        check(p.returncode == 0, f"exit {p.returncode}: {p.stderr}")
        with open(out) as f:
            check(json.load(f)["findings"] == [], "the old report was not replaced")
        mode = os.stat(out).st_mode & 0o777
        check(mode == 0o644, f"report mode {oct(mode)}, expected 0o644 under umask 022")
        check(t.listing() == ["report.json", "report.sarif", "report.text"], f"temporary left: {t.listing()}")
        # "-o -" is standard output.
        r = expect(cli.run("scan", *OWN, "-f", "json", "-o", "-", CLEAN), 0)
        check(json.loads(r.out)["findings"] == [], "-o - did not print the report")


def test_output_file_is_not_written_when_anything_fails(cli):
    with TempDir(cli) as t:
        # The folder does not exist.
        r = expect(cli.run("scan", *OWN, "-o", t.path("no", "report.txt"), MIXED), 2, "missing folder")
        check(f"cannot write {t.path('no', 'report.txt')}: No such file or directory" in r.err, f"stderr: {r.err!r}")
        no_output_file_left(t, "missing folder")
        # The target is a folder: the rename fails, nothing is left behind.
        os.mkdir(t.path("dir"))
        r = expect(cli.run("scan", *OWN, "-o", t.path("dir"), MIXED), 2, "target is a folder")
        check(f"cannot write {t.path('dir')}" in r.err, f"stderr: {r.err!r}")
        check(t.listing() == ["dir"], f"left behind: {t.listing()}")
        os.rmdir(t.path("dir"))
        # The report cannot be written whole (the file size limit hits half-way): an earlier
        # report stays as it was and no temporary is left.
        out = t.write("report.json", "previous report\n")
        p = run_raw(cli, ["scan", *OWN, "-f", "json", "-o", out, MIXED], preexec=limit_file_size(512))
        check(p.returncode == 2, f"exit {p.returncode}: {p.stderr!r}")
        check(f"cannot write {out}: File too large" in p.stderr, f"stderr: {p.stderr!r}")
        check(read(cli, out) == "previous report\n", "the previous report was overwritten")
        check(t.listing() == ["report.json"], f"left behind: {t.listing()}")
        os.unlink(out)
        # The folder is not writable.
        ro = t.path("ro")
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        p = run_raw(cli, ["scan", *OWN, "-o", os.path.join(ro, "r.txt"), MIXED], preexec=as_unprivileged())
        check(p.returncode == 2 and "Permission denied" in p.stderr, f"read-only folder: {p.returncode} {p.stderr!r}")
        check(os.listdir(ro) == [], f"left in a read-only folder: {os.listdir(ro)}")
        os.chmod(ro, 0o755)
        os.rmdir(ro)
        # Nothing could be scanned: the report is still written (it lists the errors), exit 2.
        out = t.path("errors.json")
        expect(cli.run("scan", *OWN, "-f", "json", "-o", out, t.path("missing.yaml")), 2, "missing input")
        with open(out) as f:
            check(len(json.load(f)["errors"]) == 1, "the report of a failed scan is incomplete")


def test_standard_output_that_cannot_be_written_fails(cli):
    for args in (["scan", *OWN, MIXED], ["scan", *OWN, "-f", "json", CLEAN], ["rules", "list", *OWN], ["--help"]):
        with open("/dev/full", "w") as full:
            p = run_raw(cli, args, stdout=full)
        check(p.returncode == 2, f"{args}: exit {p.returncode} writing to a full device")
        check("cannot write standard output: No space left on device" in p.stderr, f"{args}: {p.stderr!r}")


def test_standard_input(cli):
    text = read(cli, MIXED)
    _, rep = scan_json(cli, "-", stdin=text, code=1)
    check(rule_ids(rep) == sorted(MIXED_FINDINGS), f"stdin findings: {rule_ids(rep)}")
    check({f["location"]["file"] for f in rep["findings"]} == {"<stdin>"}, "stdin findings not named <stdin>")
    lines = {f["rule_id"]: f["location"]["line"] for f in rep["findings"]}
    check(lines == {k: v[3] for k, v in MIXED_FINDINGS.items()}, f"stdin lines: {lines}")
    # JSON templates and inline suppressions work on stdin too, next to files.
    _, rep = scan_json(cli, "-", INFO, stdin=read(cli, SUPPRESSED), code=1)
    check(sorted((f["location"]["file"], f["rule_id"]) for f in rep["findings"]) ==
          [("<stdin>", "TST-S3-PUBLIC"), ("<stdin>", "TST-S3-PUBLIC"), (INFO, "TST-S3-LOGGING")],
          f"stdin + file: {[(f['location']['file'], f['rule_id']) for f in rep['findings']]}")
    _, rep = scan_json(cli, "-", stdin=read(cli, CLEAN).replace("Private", "PublicRead"), code=1)
    check(rule_ids(rep) == ["TST-S3-PUBLIC"], f"{rule_ids(rep)}")
    _, rep = scan_json(cli, "-", stdin="", code=2)
    check(len(rep["errors"]) == 1 and rep["errors"][0]["file"] == "<stdin>", f"empty stdin: {rep['errors']}")


def test_quiet_prints_nothing(cli):
    r = expect(cli.run("scan", *OWN, "-q", MIXED), 1)
    check(r.out == "" and r.err == "", f"-q printed: {r.out[:80]!r} {r.err[:80]!r}")
    r = expect(cli.run("scan", *OWN, "--quiet", "-f", "json", CLEAN), 0)
    check(r.out == "" and r.err == "", f"--quiet printed: {r.out[:80]!r} {r.err[:80]!r}")
    with TempDir(cli) as t:
        out = t.path("r.sarif")
        r = expect(cli.run("scan", *OWN, "-q", "-f", "sarif", "-o", out, MIXED), 1, "-q -o")
        check(r.out == "" and r.err == "", f"-q -o printed: {r.out!r} {r.err!r}")
        with open(out) as f:
            check(len(json.load(f)["runs"][0]["results"]) == len(MIXED_FINDINGS), "-q -o report incomplete")
        r = expect(cli.run("baseline", *OWN, "-q", "-o", t.path("b.json"), MIXED), 0, "baseline -q")
        check(r.out == "" and r.err == "", f"baseline -q printed: {r.out!r} {r.err!r}")
    # Input errors still reach stderr, with their position.
    with TempDir(cli) as t:
        bad = t.write("bad.json", "{\n  \"Resources\": {\n")
        r = expect(cli.run("scan", *OWN, "-q", bad, MIXED), 1)
        check(r.out == "" and r.err.startswith(f"cloudfort: {bad}:3:"), f"-q error: {r.err!r}")


# ---- colour ----

ESC = b"\x1b["


def test_colour_only_on_a_terminal_without_no_color(cli):
    args = ["scan", *OWN, MIXED]
    code, out = run_on_pty(cli, args)
    check(code == 1, f"exit {code}")
    check(ESC + b"1;91mCRITICAL" in out and ESC + b"0m" in out, f"no colour on a terminal: {out[:200]!r}")
    for env, extra, what in [({"NO_COLOR": "1"}, [], "NO_COLOR=1"), ({"NO_COLOR": "yes"}, [], "NO_COLOR=yes"),
                             ({}, ["--no-color"], "--no-color"), ({"TERM": "dumb"}, [], "TERM=dumb")]:
        code, out = run_on_pty(cli, args + extra, env)
        check(code == 1, f"{what}: exit {code}")
        check(b"CRITICAL" in out and ESC not in out and b"\x1b" not in out, f"{what}: colour printed: {out[:200]!r}")
    # NO_COLOR set but empty does not disable colour (no-color.org).
    code, out = run_on_pty(cli, args, {"NO_COLOR": ""})
    check(ESC in out, "an empty NO_COLOR disabled colour")
    # Not a terminal: never colour, nor in JSON or SARIF on a terminal.
    r = cli.run(*args)
    check("\x1b" not in r.out, "colour written to a pipe")
    for fmt in ("json", "sarif"):
        code, out = run_on_pty(cli, ["scan", *OWN, "-f", fmt, MIXED])
        check(b"\x1b" not in out, f"{fmt} on a terminal contains escapes")


# ---- the text report ----

def test_text_report_groups_then_severity(cli):
    r = expect(cli.run("scan", *OWN, MIXED, LOWINFO), 1)
    out = r.out
    heads = re.findall(r"^== (\d)\. (.+) ==$", out, re.M)
    check(heads == [("1", "Strategy and management"), ("2", "Data leakage"),
                    ("3", "Infrastructure and software sharing"), ("4", "Cybercrime")], f"groups: {heads}")
    # Each group's findings, in order: severity first.
    sections = re.split(r"^== \d\. .+ ==$", out, flags=re.M)[1:]
    sev_rank = {"CRITICAL": 0, "HIGH": 1, "MEDIUM": 2, "LOW": 3, "INFO": 4}
    for sec in sections:
        sevs = re.findall(r"^  (CRITICAL|HIGH|MEDIUM|LOW|INFO)\s", sec, re.M)
        check(sevs == sorted(sevs, key=sev_rank.get), f"severity order in a group: {sevs}")
    check(re.findall(r"^  (\w+)\s+(TST-\S+)", sections[1], re.M) ==
          [("CRITICAL", "TST-S3-PUBLIC"), ("MEDIUM", "TST-SG-SSH")], f"data leakage group: {sections[1]!r}")
    # Every finding: severity, id and title; file:line, resource and type; evidence; fix.
    block = re.search(r"^  CRITICAL  TST-S3-PUBLIC  Test bucket ACL is public\n"
                      r"            (\S+)  (\S+)  \((\S+)\)\n"
                      r"            (.+)\n"
                      r"            fix: (.+)\n", out, re.M)
    check(block, f"finding layout: {out[:600]!r}")
    check(block.groups() == (f"{MIXED}:8", "PublicBucket", "aws.s3.bucket", "acl.canned = public-read",
                             "Make the bucket ACL private."), f"finding fields: {block.groups()}")
    for rid, (sev, _, res, line) in MIXED_FINDINGS.items():
        check(re.search(rf"^  {sev.upper()}\s+{rid}  .+\n            {re.escape(MIXED)}:{line}  {res}  \(", out, re.M),
              f"{rid} not reported at {MIXED}:{line} {res}")
    check(out.endswith("7 findings in 2 files (5 resources): 1 critical, 1 high, 1 medium, 2 low, 2 info\n"),
          f"summary line: {out.splitlines()[-1]!r}")
    r = expect(cli.run("scan", *OWN, CLEAN), 0)
    check(r.out.strip() == "0 findings in 1 file (2 resources)", f"clean: {r.out!r}")


def test_text_report_neutralises_control_characters(cli):
    with TempDir(cli) as t:
        evil = t.write("evil.yaml", 'Resources:\n  "Evil\\e[2J\\e]0;owned\\aBucket\\nFAKE\\u009b31m":\n'
                       "    Type: AWS::S3::Bucket\n    Properties: {AccessControl: PublicRead}\n")
        r = expect(cli.run("scan", *OWN, evil), 1)
        check("\x1b" not in r.out and "\x07" not in r.out and "\u009b" not in r.out, f"escapes reach the terminal: {r.out!r}")
        check("Evil?[2J?]0;owned?Bucket?FAKE?31m" in r.out, f"resource name: {r.out!r}")
        _, rep = scan_json(cli, evil, code=1)
        check({f["location"]["resource"] for f in rep["findings"]} == {"Evil\x1b[2J\x1b]0;owned\x07Bucket\nFAKE\u009b31m"},
              "JSON must keep the exact name")


def test_output_to_a_fifo_writes_through_it(cli):
    """-o to a device or pipe writes into it instead of renaming a file over it (which would
    replace /dev/null with a regular file)."""
    import os
    import stat
    import tempfile
    import threading
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "report.fifo")
        os.mkfifo(fifo)
        got = {}

        def reader():
            with open(fifo, "rb") as f:
                got["data"] = f.read()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        r = cli.run("scan", "--format", "json", "-o", fifo, "examples/incidents/capital-one/template.yaml")
        t.join(30)
        if t.is_alive():
            # Nothing wrote into the FIFO: release the reader before failing.
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
            t.join(5)
        assert r.code == 1, r.err
        assert stat.S_ISFIFO(os.stat(fifo).st_mode), "the FIFO was replaced"
        assert b'"CF-EC2-001"' in got.get("data", b""), got.get("data", b"")[:200]
        assert os.listdir(d) == ["report.fifo"], os.listdir(d)

"""The man page (docs/cloudfort.1) and bash completion (contrib/cloudfort.bash-completion)
against the real --help texts."""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cli_support import TempDir, check, expect  # noqa: E402

MAN = "docs/cloudfort.1"
COMPLETION = "contrib/cloudfort.bash-completion"
SECTIONS = ["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "OUTPUT FORMATS", "EXIT STATUS",
            "SUPPRESSION", "FILES", "ENVIRONMENT", "EXAMPLES"]
HELP_OF = {"scan": ["scan", "--help"], "posture": ["posture", "--help"], "secrets": ["secrets", "--help"],
           "dlp": ["dlp", "--help"], "baseline": ["baseline", "--help"],
           "url-check": ["url-check", "--help"],
           "rules list": ["rules", "--help"], "rules test": ["rules", "--help"], "egress": ["egress", "--help"]}


def render(cli, wide=False):
    """The man page as text, and groff's warnings (-ww: all of them). wide: one line per
    paragraph and no hyphenation, for comparing words."""
    env = dict(os.environ, LC_ALL="C.UTF-8")
    args = ["groff", "-man", "-Tutf8", "-ww", "-P", "-cbou"]
    if wide:
        args += ["-rHY=0", "-rLL=2000n"]
    p = subprocess.run(args + [os.path.join(cli.root, MAN)], capture_output=True, text=True, env=env, timeout=60)
    check(p.returncode == 0, f"groff failed: {p.stderr}")
    return p.stdout, p.stderr


def flat(text):
    """Words only: line breaks and the man page's Unicode dashes undone."""
    text = text.replace("\u2010", "-").replace("\u2212", "-").replace("\u2014", "-")
    return " ".join(text.split())


def help_options(cli, args):
    """Options listed by a --help text: {'--format': '-f', '--rules': None, ...}."""
    out = expect(cli.run(*args), 0, " ".join(args)).out
    opts = {}
    for m in re.finditer(r"^  (?:(-\w), )?\s*(--[a-z-]+)", out, re.M):
        opts[m.group(2)] = m.group(1)
    check(opts, f"no options parsed from {args}")
    return out, opts


def test_man_page_renders_cleanly(cli):
    text, warnings = render(cli)
    check(warnings == "", f"groff warnings: {warnings[:500]}")
    heads = re.findall(r"^([A-Z][A-Z ]+)$", text, re.M)
    check(heads[:len(SECTIONS)] == SECTIONS, f"sections: {heads}")
    check(text.startswith("CLOUDFORT(1)"), f"title: {text[:40]!r}")
    version = expect(cli.run("--version"), 0).out.split()[1]
    check(f"cloudfort {version}" in text.splitlines()[-1], f"footer does not carry version {version}: {text.splitlines()[-1]!r}")
    # man(1) itself reads it (man -l, as a user would).
    p = subprocess.run(["man", "-l", os.path.join(cli.root, MAN)], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, MANPAGER="cat", PAGER="cat", MANWIDTH="80", LC_ALL="C.UTF-8"))
    check(p.returncode == 0 and "EXIT STATUS" in p.stdout, f"man -l: {p.returncode} {p.stderr[:300]}")


def test_man_page_matches_the_help(cli):
    text, _ = render(cli, wide=True)
    words = flat(text)
    sections = re.split(r"^([A-Z][A-Z ]+)$", text, flags=re.M)
    body = {sections[i]: flat(sections[i + 1]) for i in range(1, len(sections) - 1, 2)}
    # Every command.
    usage = expect(cli.run("--help"), 0).out
    for cmd in re.findall(r"^  ([\w-]+) ", usage, re.M):
        check(re.search(rf"(^| ){cmd}( |$)", body["COMMANDS"]), f"command {cmd} not in COMMANDS")
    for sub in ("rules list", "rules test", "help"):
        check(sub in body["COMMANDS"], f"{sub} not in COMMANDS")
    # Every option of every command, with its short form, and the option descriptions' facts.
    for cmd, args in HELP_OF.items():
        out, opts = help_options(cli, args)
        for long, short in opts.items():
            entry = f"{short}, {long}" if short else long
            check(entry in body["OPTIONS"], f"{cmd}: option {entry} not in OPTIONS")
        for value in re.findall(r"\(default ([^;)]+)", out):
            check(value in words, f"{cmd}: default {value!r} from --help not in the man page")
    # The long descriptions of the commands are the ones --help prints.
    for cmd in ("posture", "secrets", "dlp", "baseline"):
        out = expect(cli.run(cmd, "--help"), 0).out
        para = flat(out.split("\n\n")[1].split("PATH may be")[0])
        check(para in body["COMMANDS"], f"{cmd}: --help description not in COMMANDS: {para!r}")
    # Values of the enumerated options.
    for v in ("text", "json", "sarif", "critical", "high", "medium", "low", "info", "pass", "fail", "report"):
        check(re.search(rf"\b{v}\b", body["OPTIONS"]), f"value {v} not in OPTIONS")
    # Exit codes as the help states them.
    for code, meaning in (("0", "No finding at or above --fail-on"), ("1", "Findings at or above --fail-on"),
                          ("2", "A usage error")):
        check(re.search(rf"(^| ){code} {re.escape(meaning)}", body["EXIT STATUS"]), f"exit status {code}: {body['EXIT STATUS'][:300]}")
    check("NO_COLOR" in body["ENVIRONMENT"] and "TERM" in body["ENVIRONMENT"], "ENVIRONMENT")
    for term in ("cloudfort:ignore", "Metadata", "cloudfort.io/ignore", "--baseline", "--no-suppress", "--show-suppressed", "*"):
        check(term in body["SUPPRESSION"], f"{term} not in SUPPRESSION")
    for term in ("SARIF 2.1.0", "tool.driver.rules", "ruleIndex", "run.taxonomies", "fingerprint", "rule_id",
                 "service_models", "event_id", "suppressed_by", "suppress_reason", "errors", "summary"):
        check(term in body["OUTPUT FORMATS"], f"{term} not in OUTPUT FORMATS")
    # The examples run: every option they use exists.
    _, scan_opts = help_options(cli, ["scan", "--help"])
    scan_opts.update(help_options(cli, ["dlp", "--help"])[1])
    _, rules_opts = help_options(cli, ["rules", "--help"])
    _, url_opts = help_options(cli, ["url-check", "--help"])
    _, egress_opts = help_options(cli, ["egress", "--help"])
    for opt in set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", body["EXAMPLES"])):
        check(opt in scan_opts or opt in rules_opts or opt in url_opts or opt in egress_opts,
              f"example uses unknown option {opt}")


# ---- bash completion ----

def complete(cli, *words, env=None):
    """Runs the completion function for the command line `words` (the last one is being
    completed) and returns COMPREPLY."""
    script = ('source "$0" || exit 3; COMP_WORDS=("$@"); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); '
              '_cloudfort; printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", script, os.path.join(cli.root, COMPLETION), *words],
                       cwd=cli.root, capture_output=True, text=True, timeout=60, env=env)
    check(p.returncode == 0 and p.stderr == "", f"completion of {words}: exit {p.returncode}, stderr {p.stderr!r}")
    return [w for w in p.stdout.split("\n") if w]


def test_completion_is_registered(cli):
    p = subprocess.run(["bash", "--norc", "--noprofile", "-c", 'source "$0" && complete -p cloudfort',
                        os.path.join(cli.root, COMPLETION)], capture_output=True, text=True, timeout=60)
    check(p.returncode == 0 and p.stdout.strip() == "complete -F _cloudfort cloudfort", f"{p.stdout!r} {p.stderr!r}")


def test_completion_of_commands(cli):
    check(complete(cli, "cloudfort", "") == ["scan", "posture", "secrets", "dlp", "baseline", "url-check", "rules",
                                             "egress", "version", "help"],
          f"{complete(cli, 'cloudfort', '')}")
    check(complete(cli, "cloudfort", "p") == ["posture"], "p")
    check(sorted(complete(cli, "cloudfort", "-")) == ["--help", "--version", "-V", "-h"], "top-level options")
    check(complete(cli, "cloudfort", "rules", "") == ["list", "test"], "rules subcommands")
    check(complete(cli, "cloudfort", "help", "ba") == ["baseline"], "help topic")
    # Every command the tool lists can be completed.
    usage = expect(cli.run("--help"), 0).out
    check(set(re.findall(r"^  ([\w-]+) ", usage, re.M)) <= set(complete(cli, "cloudfort", "")), "a command is missing")


def test_completion_of_options_matches_the_help(cli):
    for cmd, words in (("scan", ["scan"]), ("posture", ["posture"]), ("secrets", ["secrets"]), ("dlp", ["dlp"]),
                       ("baseline", ["baseline"]), ("url-check", ["url-check"]), ("rules list", ["rules", "list"]),
                       ("rules test", ["rules", "test"]), ("egress", ["egress"])):
        out, opts = help_options(cli, HELP_OF[cmd])
        want = set(opts)
        want |= {s for s in opts.values() if s}
        if cmd.startswith("rules "):
            # rules --help describes both subcommands; each completes the options it takes.
            sub = cmd.split()[1]
            want = {o for o in want if o in ("-h", "--help", "--rules", "--no-builtin-rules") or
                    (sub == "list" and o in ("-f", "--format")) or (sub == "test" and o in ("--fixtures", "--content-fixtures", "--now"))}
        got = set(complete(cli, "cloudfort", *words, "-"))
        check(got == want, f"{cmd}: completion {sorted(got)} vs --help {sorted(want)}")
        got = set(complete(cli, "cloudfort", *words, "--"))
        check(got == {o for o in want if o.startswith("--")}, f"{cmd} --: {sorted(got)}")


def test_completion_of_option_values(cli):
    table = [
        (["scan", "--format", ""], ["text", "json", "sarif", "gitleaks-json"]),
        (["posture", "-f", "s"], ["sarif"]),
        (["posture", "--format", ""], ["text", "json", "sarif"]),
        (["secrets", "--report-format", "g"], ["gitleaks-json"]),
        (["scan", "--analyzer", ""], ["posture", "secrets", "dlp"]),
        (["scan", "--format", "=", ""], ["text", "json", "sarif", "gitleaks-json"]),
        (["scan", "--format", "=", "j"], ["json"]),
        (["rules", "list", "--format", ""], ["text", "json"]),
        (["url-check", "-f", ""], ["text", "json"]),
        (["url-check", "--client", ""], []),
        (["url-check", "--no-resolve", "http"], []),
        (["scan", "--fail-on", ""], ["critical", "high", "medium", "low", "info"]),
        (["baseline", "--unknown", ""], ["pass", "fail", "report"]),
        (["scan", "--unknown", "f"], ["fail"]),
        (["scan", "--now", ""], []),
        (["scan", "--max-file-size", ""], []),
        (["egress", "--listen", ""], []),
        (["egress", "--header-timeout", ""], []),
        (["egress", "--user", "nobod"], ["nobody"]),
    ]
    for words, want in table:
        got = complete(cli, "cloudfort", *words)
        check(got == want, f"{words}: {got}, expected {want}")
    # Rule ids come from the program, with the rule folders already on the line.
    got = complete(cli, cli.binary, "scan", "--rules", "tests/data/cli/rules", "--no-builtin-rules", "--rule", "TST-S3-")
    check(sorted(got) == ["TST-S3-LOGGING", "TST-S3-PUBLIC", "TST-S3-VERSIONING"], f"--rule: {got}")
    got = complete(cli, cli.binary, "rules", "test", "--rules", "tests/data/cli/rules-cfn", "--no-builtin-rules", "")
    check(got == ["TST-CFN-PUBLIC"], f"rules test ids: {got}")


def test_completion_of_files_and_folders(cli):
    with TempDir(cli) as t:
        t.write("stack.yaml", "x")
        t.write("stacks/a.yaml", "x")
        t.write("sub dir/b.json", "x")
        base = t.path("")
        got = sorted(complete(cli, "cloudfort", "scan", base + "st"))
        check(got == [base + "stack.yaml", base + "stacks"], f"PATH: {got}")
        got = complete(cli, "cloudfort", "scan", "--format", "json", base + "su")
        check(got == [base + "sub dir"], f"a name with a space: {got}")
        got = sorted(complete(cli, "cloudfort", "posture", "--rules", base + "s"))
        check(got == [base + "stacks", base + "sub dir"], f"--rules offers folders only: {got}")
        got = sorted(complete(cli, "cloudfort", "rules", "test", "--fixtures", base + "st"))
        check(got == [base + "stacks"], f"--fixtures: {got}")
        got = sorted(complete(cli, "cloudfort", "scan", "-o", base + "st"))
        check(got == [base + "stack.yaml", base + "stacks"], f"-o: {got}")
        got = sorted(complete(cli, "cloudfort", "scan", "--baseline", base + "stack."))
        check(got == [base + "stack.yaml"], f"--baseline: {got}")
        got = complete(cli, "cloudfort", "rules", "list", base)
        check(got == [], f"rules list takes no PATH: {got}")
        got = sorted(complete(cli, "cloudfort", "url-check", "--policy", base + "st"))
        check(got == [base + "stack.yaml", base + "stacks"], f"--policy: {got}")

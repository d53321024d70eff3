#!/usr/bin/python3
"""The content benchmark's helper (bench/content/run.sh): builds the corpus, plants the rules'
fire fixtures in it, lists the secret rules' keywords, and measures recall from a report.

  corpus.py build OUT MIN_BYTES PLANTS SEED   corpus in OUT/corpus, manifest in OUT/manifest.json
  corpus.py keywords                          one keyword a line (every secret rule's)
  corpus.py recall OUT REPORT.json            recall on the planted (file, rule) pairs
  corpus.py subset OUT BYTES DEST             hard links to a seeded random sample of BYTES

The corpus is text that a fresh Debian machine holds: /usr/include, the text files of
/usr/share, the Python and Node.js installations. A file is text when its first 8 KiB hold no
NUL byte and it is not larger than 8 MiB. The sources are copied in rounds (round-1/,
round-2/, ...) until MIN_BYTES are reached, so the corpus is the same on every run of one
machine; it is built once and reused (the manifest says with which parameters).

Planting: every rule folder under tests/rules/content/<ID>/ gives its fire fixture(s). A text
fixture is written PLANTS times into new files made from corpus files picked at random (seeded):
the first half of the corpus file, the fixture, the second half, named after the corpus file
with the fixture's extension (so rules that look at names see the right one). A binary fixture
(an archive, a class file) is copied whole under a new name. The manifest records each
(file, rule).
"""
import json
import os
import random
import re
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SOURCES = ["/usr/include", "/usr/share", "/usr/lib/python3", "/usr/lib/node_modules", "/usr/share/nodejs"]
MAX_FILE = 8 << 20


def python_dirs():
    out = []
    for d in sorted(os.listdir("/usr/lib")):
        if re.fullmatch(r"python3\.\d+", d):
            out.append(os.path.join("/usr/lib", d))
    return out


def is_text(path):
    try:
        st = os.lstat(path)
        if not os.path.isfile(path) or os.path.islink(path) or st.st_size == 0 or st.st_size > MAX_FILE:
            return False
        with open(path, "rb") as f:
            return b"\0" not in f.read(8192)
    except OSError:
        return False


def source_files():
    seen = set()
    files = []
    for top in SOURCES + python_dirs():
        if not os.path.isdir(top):
            continue
        for dirpath, dirnames, filenames in os.walk(top):
            dirnames.sort()
            real = os.path.realpath(dirpath)
            if real in seen:
                dirnames[:] = []
                continue
            seen.add(real)
            for n in sorted(filenames):
                p = os.path.join(dirpath, n)
                if is_text(p):
                    files.append(p)
    return files


def secret_rule_ids():
    """The ids of the shipped secret rules (rules/content/secrets/*.yaml, `id:` lines)."""
    ids = set()
    base = os.path.join(ROOT, "rules", "content", "secrets")
    for dirpath, _, names in os.walk(base):
        for n in names:
            if n.endswith((".yaml", ".yml")):
                with open(os.path.join(dirpath, n), encoding="utf-8") as f:
                    for line in f:
                        if line.startswith("id:"):
                            ids.add(line[3:].strip().strip("'\""))
    return ids


def fixtures():
    """(rule id, fixture path) for every fire fixture of a secret rule (the benchmark times
    `cloudfort secrets`; personal-data rules are not run by it)."""
    base = os.path.join(ROOT, "tests", "rules", "content")
    wanted = secret_rule_ids()
    out = []
    for rid in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        d = os.path.join(base, rid)
        if not os.path.isdir(d) or rid not in wanted:
            continue
        for n in sorted(os.listdir(d)):
            if n.startswith("fire"):
                out.append((rid, os.path.join(d, n)))
    return out


def ext_of(name):
    base = os.path.basename(name)
    return base[base.index("."):] if "." in base[1:] else ""


def build(out, min_bytes, plants, seed):
    manifest_path = os.path.join(out, "manifest.json")
    fx = fixtures()
    params = {"min_bytes": min_bytes, "plants": plants, "seed": seed,
              "fixtures": [[r, os.path.relpath(p, ROOT), os.path.getmtime(p)] for r, p in fx]}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            m = json.load(f)
        if m.get("params") == params and os.path.isdir(os.path.join(out, "corpus")):
            print(f"corpus: reusing {out}/corpus ({m['bytes'] / 1e6:.0f} MB, {m['files']} files, "
                  f"{len(m['planted'])} planted)")
            return
    corpus = os.path.join(out, "corpus")
    if os.path.exists(corpus):
        shutil.rmtree(corpus)
    os.makedirs(corpus)
    src = source_files()
    if not src:
        sys.exit("corpus: no text files found under " + ", ".join(SOURCES))
    total = 0
    copied = []
    rnd = 0
    while total < min_bytes:
        rnd += 1
        for p in src:
            dst = os.path.join(corpus, f"round-{rnd}", p.lstrip("/"))
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            try:
                shutil.copyfile(p, dst)
            except OSError:
                continue
            total += os.path.getsize(dst)
            copied.append(dst)
            if total >= min_bytes:
                break
    rng = random.Random(seed)
    planted = []
    for rid, fpath in fx:
        with open(fpath, "rb") as f:
            data = f.read()
        binary = b"\0" in data[:8192]
        for k in range(plants):
            host = rng.choice(copied)
            if binary:
                name = f"{host}.planted-{rid}-{k}{ext_of(fpath)}"
                with open(name, "wb") as f:
                    f.write(data)
            else:
                with open(host, "rb") as f:
                    text = f.read()
                cut = text.rfind(b"\n", 0, len(text) // 2) + 1
                name = f"{host}.planted-{rid}-{k}{ext_of(fpath)}"
                with open(name, "wb") as f:
                    f.write(text[:cut] + b"\n" + data + (b"" if data.endswith(b"\n") else b"\n") + text[cut:])
            total += os.path.getsize(name)
            planted.append({"file": os.path.relpath(name, out), "rule": rid, "fixture": os.path.relpath(fpath, ROOT)})
    files = len(copied) + len(planted)
    with open(manifest_path, "w") as f:
        json.dump({"params": params, "bytes": total, "files": files, "rounds": rnd, "planted": planted}, f)
    print(f"corpus: built {corpus}: {total / 1e6:.0f} MB, {files} files, {rnd} round(s) of "
          f"{len(src)} source files, {len(planted)} planted ({len(fx)} fixtures x {plants})")


def rule_docs():
    """Every content rule document under rules/content (a file may hold several)."""
    try:
        import yaml
    except ImportError:
        yaml = None
    for dirpath, _, filenames in os.walk(os.path.join(ROOT, "rules", "content")):
        for n in sorted(filenames):
            if not n.endswith((".yaml", ".yml")):
                continue
            with open(os.path.join(dirpath, n)) as f:
                text = f.read()
            if yaml:
                for d in yaml.safe_load_all(text):
                    if isinstance(d, dict):
                        yield d
                continue
            for chunk in re.split(r"(?m)^---\s*$", text):  # no PyYAML: the two list forms
                d = {}
                m = re.search(r"(?m)^analyzer:\s*(\S+)", chunk)
                d["analyzer"] = m.group(1) if m else None
                m = re.search(r"(?m)^keywords:\s*\[(.*)\]", chunk)
                if m:
                    d["keywords"] = [k.strip().strip("'\"") for k in m.group(1).split(",") if k.strip()]
                else:
                    m = re.search(r"(?m)^keywords:\s*\n((?:\s+-.*\n?)+)", chunk)
                    d["keywords"] = [re.sub(r"^\s*-\s*", "", l).strip().strip("'\"")
                                     for l in m.group(1).splitlines()] if m else []
                yield d


def keywords():
    kws = set()
    for d in rule_docs():
        if d.get("analyzer") == "secrets":
            for k in d.get("keywords") or []:
                if str(k).strip():
                    kws.add(str(k).strip().lower())
    for k in sorted(kws):
        print(k)


def recall(out, report_path):
    with open(os.path.join(out, "manifest.json")) as f:
        m = json.load(f)
    with open(report_path) as f:
        rep = json.load(f)
    got = set()
    for fd in rep.get("findings", []) + rep.get("suppressed", []):
        got.add((os.path.relpath(fd["location"]["file"], out), fd["rule_id"]))
    miss = [p for p in m["planted"] if (p["file"], p["rule"]) not in got]
    n = len(m["planted"])
    found = n - len(miss)
    print(f"recall      {found}/{n} planted (file, rule) pairs found ({100.0 * found / n if n else 100:.1f}%)")
    for p in miss[:50]:
        print(f"  missed    {p['rule']} in {p['file']} (fixture {p['fixture']})")
    if len(miss) > 50:
        print(f"  ... and {len(miss) - 50} more")
    print(f"findings    {len(rep.get('findings', []))} in the report, {len(rep.get('errors', []))} errors")
    return 0 if not miss else 1


def subset(out, nbytes, dest):
    """Hard links to corpus files drawn at random (seeded, so the same on every run) until
    nbytes: a sample of every kind of file the corpus holds. Prints bytes and files taken."""
    corpus = os.path.join(out, "corpus")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    files = []
    for dirpath, dirnames, filenames in os.walk(corpus):
        dirnames.sort()
        files.extend(os.path.join(dirpath, n) for n in sorted(filenames))
    random.Random(1).shuffle(files)
    taken = 0
    nfiles = 0
    for p in files:
        if taken >= nbytes:
            break
        d = os.path.join(dest, os.path.relpath(p, corpus))
        os.makedirs(os.path.dirname(d), exist_ok=True)
        os.link(p, d)
        taken += os.path.getsize(p)
        nfiles += 1
    print(taken, nfiles)


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "build" and len(sys.argv) == 6:
        build(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "keywords":
        keywords()
    elif cmd == "recall" and len(sys.argv) == 4:
        sys.exit(recall(sys.argv[2], sys.argv[3]))
    elif cmd == "subset" and len(sys.argv) == 5:
        subset(sys.argv[2], int(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

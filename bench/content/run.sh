#!/bin/sh
# The content benchmark: `cloudfort secrets` over a gigabyte of ordinary text with every
# shipped secret rule's fire fixtures planted in it, against secretlint (its recommended
# preset) and ripgrep searching the secret rules' keywords, on the same corpus.
#
#   bench/content/run.sh [BUILD]
#
# Corpus (bench/content/corpus.py): the text files of /usr/include, /usr/share and the Python
# and Node.js installations, copied in rounds into BUILD/bench-content/corpus until it holds
# CONTENT_BENCH_BYTES (default 1 GB); each secret rule's fire fixtures from tests/rules/content/<ID>/
# planted CONTENT_BENCH_PLANTS times (default 3) at recorded places. Built once and reused.
#
# Measured: cloudfort with -j1 and -j2, CONTENT_BENCH_RUNS runs each (default 3; medians of
# wall time, CPU time and peak RSS from /usr/bin/time -v); recall on the planted (file, rule)
# pairs from an untimed JSON report (every pair must be found; misses are listed); ripgrep with
# two threads over the same corpus searching the keywords case-insensitively, same number of
# runs; secretlint (installed with npm into BUILD/bench-content/node_modules) on a measured
# random sample of the corpus files (seeded) of CONTENT_BENCH_SECRETLINT_BYTES (default 32 MB)
# whose time is scaled to the whole corpus by bytes, which the output says (secretlint reads
# well under 1 MB/s here: the whole corpus would take hours).
#
# Goals (DESIGN.md, "Performance goals"): >= 1 GB/s on 2 threads; >= 100x secretlint;
# <= 2x ripgrep's time. A missed goal is reported, not an error; a recall under 100% is an
# error (exit 1). CONTENT_BENCH_DIR moves the work folder (default BUILD/bench-content).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
bin=$build/cloudfort
out=${CONTENT_BENCH_DIR:-$build/bench-content}
want=${CONTENT_BENCH_BYTES:-1000000000}
plants=${CONTENT_BENCH_PLANTS:-3}
runs=${CONTENT_BENCH_RUNS:-3}
seed=${CONTENT_BENCH_SEED:-20261126}
sl_bytes=${CONTENT_BENCH_SECRETLINT_BYTES:-32000000}
py=/usr/bin/python3

die() {
  echo "content bench: $*" >&2
  exit 2
}

[ -x "$bin" ] || die "$bin not found; build it first (make BUILD=$build)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (scripts/install-deps.sh --bench)"
if ! command -v rg >/dev/null 2>&1; then
  echo "content bench: installing ripgrep" >&2
  scripts/install-deps.sh --bench || die "ripgrep is missing (scripts/install-deps.sh --bench)"
fi
mkdir -p "$out" || die "cannot create $out"

# ---- corpus ----
$py bench/content/corpus.py build "$out" "$want" "$plants" "$seed" || die "cannot build the corpus"
corpus=$out/corpus
bytes=$(du -sb "$corpus" | cut -f1)
nfiles=$(find "$corpus" -type f | wc -l | tr -d ' ')

# ---- measuring ----
timed() {
  /usr/bin/time -v -o "$out/time.txt" "$@" > "$out/stdout.txt" 2> "$out/stderr.txt"
  rc=$?
  wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$out/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {print s}' "$out/time.txt")
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# runs_of NAME CMD...: runs CMD `runs` times; sets NAME_wall, NAME_cpu, NAME_rss (medians)
# and NAME_walls (every run).
runs_of() {
  name=$1
  shift
  ws=""
  cs=""
  rs=""
  i=0
  while [ "$i" -lt "$runs" ]; do
    timed "$@"
    [ "$rc" -le 1 ] || die "$name failed (exit $rc): $(head -c 400 "$out/stderr.txt")"
    ws="$ws $wall"
    cs="$cs $cpu"
    rs="$rs $rss"
    i=$((i + 1))
  done
  # shellcheck disable=SC2086
  eval "${name}_wall=$(median $ws) ${name}_cpu=$(median $cs) ${name}_rss=$(median $rs) ${name}_walls='$ws'"
}

# ---- cloudfort: recall (untimed, also warms the page cache), then -j1 and -j2 ----
"$bin" secrets --no-ignore --format json -j2 -o "$out/report.json" "$corpus"
rc=$?
[ "$rc" -le 1 ] || die "cloudfort failed (exit $rc) on $corpus"
recall_out=$($py bench/content/corpus.py recall "$out" "$out/report.json")
recall_rc=$?
nrules=$("$bin" rules list --format json | $py -c 'import json,sys; print(sum(1 for r in json.load(sys.stdin) if r.get("analyzer") == "secrets"))')

runs_of cf1 "$bin" secrets --no-ignore --format json -j1 -o /dev/null "$corpus"
runs_of cf2 "$bin" secrets --no-ignore --format json -j2 -o /dev/null "$corpus"

# ---- ripgrep: the secret rules' keywords, two threads ----
$py bench/content/corpus.py keywords > "$out/keywords.txt"
nkw=$(wc -l < "$out/keywords.txt" | tr -d ' ')
rg_wall=""
if [ "$nkw" -gt 0 ]; then
  # -F: the keywords are literals; -i: the rules' keywords are matched without case.
  runs_of rg rg -j2 --no-ignore --hidden -i -F -c -f "$out/keywords.txt" "$corpus"
fi

# ---- secretlint: a measured subset, scaled by bytes ----
sl_wall=""
sl_note=""
sl_dir=$out/secretlint
if [ ! -x "$sl_dir/node_modules/.bin/secretlint" ]; then
  if command -v npm >/dev/null 2>&1; then
    mkdir -p "$sl_dir"
    [ -f "$sl_dir/package.json" ] || printf '{"name": "cloudfort-bench-secretlint", "private": true}\n' > "$sl_dir/package.json"
    echo "content bench: installing secretlint into $sl_dir/node_modules" >&2
    (cd "$sl_dir" && npm install --no-audit --no-fund --silent secretlint @secretlint/secretlint-rule-preset-recommend) \
      > "$out/npm.log" 2>&1 || sl_note="secretlint could not be installed (see $out/npm.log)"
  else
    sl_note="npm is missing (scripts/install-deps.sh --bench)"
  fi
fi
if [ -z "$sl_note" ] && [ -x "$sl_dir/node_modules/.bin/secretlint" ]; then
  printf '{"rules": [{"id": "@secretlint/secretlint-rule-preset-recommend"}]}\n' > "$sl_dir/.secretlintrc.json"
  set -- $($py bench/content/corpus.py subset "$out" "$sl_bytes" "$sl_dir/subset")
  sub_bytes=$1
  sub_files=$2
  # secretlint takes globs; it runs from its folder so that it finds its configuration.
  timed sh -c "cd '$sl_dir' && ./node_modules/.bin/secretlint --format json --secretlintrc .secretlintrc.json 'subset/**/*'"
  [ "$rc" -le 1 ] || sl_note="secretlint failed (exit $rc): $(head -c 300 "$out/stderr.txt")"
  if [ -z "$sl_note" ]; then
    sl_sub_wall=$wall
    sl_rss=$rss
    sl_wall=$(awk -v w="$wall" -v s="$sub_bytes" -v b="$bytes" 'BEGIN {printf "%.2f", w * b / s}')
  fi
  rm -rf "$sl_dir/subset"
fi

# ---- report ----
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
echo "machine     $(nproc) CPUs, $cpu_model, $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v bytes="$bytes" -v files="$nfiles" -v nrules="$nrules" -v runs="$runs" \
    -v w1="$cf1_wall" -v c1="$cf1_cpu" -v r1="$cf1_rss" -v ws1="$cf1_walls" \
    -v w2="$cf2_wall" -v c2="$cf2_cpu" -v r2="$cf2_rss" -v ws2="$cf2_walls" \
    -v rgw="$rg_wall" -v rgc="${rg_cpu:-}" -v rgr="${rg_rss:-}" -v nkw="$nkw" \
    -v slw="$sl_wall" -v slsub="${sl_sub_wall:-}" -v slsb="${sub_bytes:-0}" -v slsf="${sub_files:-0}" -v slr="${sl_rss:-}" -v slnote="$sl_note" '
function mb(b) { return b / 1e6 }
BEGIN {
  printf "input       %.0f MB in %d files (text of this machine, planted fixtures); %d secret rules\n", mb(bytes), files, nrules
  printf "cloudfort   -j1: %.2f s wall (median of %d:%s s), %.2f s CPU, %.0f MB/s, peak RSS %.0f MB\n", w1, runs, ws1, c1, mb(bytes) / w1, r1 / 1024
  printf "            -j2: %.2f s wall (median of %d:%s s), %.2f s CPU, %.0f MB/s, peak RSS %.0f MB\n", w2, runs, ws2, c2, mb(bytes) / w2, r2 / 1024
  if (rgw != "")
    printf "ripgrep     -j2, %d keywords: %.2f s wall, %.2f s CPU, %.0f MB/s, peak RSS %.0f MB\n", nkw, rgw, rgc, mb(bytes) / rgw, rgr / 1024
  if (slw != "")
    printf "secretlint  recommended preset on a random sample of %.0f MB (%d files): %.2f s wall, peak RSS %.0f MB;\n            scaled by bytes to the whole corpus: %.0f s (%.2f MB/s)\n", mb(slsb), slsf, slsub, slr / 1024, slw, mb(slsb) / slsub
  else
    printf "secretlint  not measured: %s\n", slnote
  gbs = bytes / w2 / 1e9
  printf "goals       >= 1 GB/s on 2 threads: %s (%.2f GB/s)\n", (gbs >= 1 ? "met" : "MISSED"), gbs
  if (slw != "") printf "            >= 100x secretlint: %s (%.0fx, secretlint scaled from the subset)\n", (slw / w2 >= 100 ? "met" : "MISSED"), slw / w2
  if (rgw != "") printf "            <= 2x ripgrep time: %s (%.2fx)\n", (w2 / rgw <= 2 ? "met" : "MISSED"), w2 / rgw
}'
echo "$recall_out"
[ "$recall_rc" -eq 0 ] || {
  echo "content bench: recall under 100%" >&2
  exit 1
}
exit 0

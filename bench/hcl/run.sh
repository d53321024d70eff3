#!/bin/sh
# The Terraform source benchmark: the HCL parser alone and `cloudfort posture` on whole
# synthetic trees (bench/hcl/gen_tf.py: a root module calling local storage and compute
# modules per service and environment, with variables, locals, count, for_each, dynamic
# blocks, jsonencode policies and policy documents).
#
#   bench/hcl/run.sh [BUILD]
#
# Reports lines/s and resources/s for the whole scan and its peak RSS, on one core (taskset
# -c 0, -j 1), and the parser's MB/s (median of 5 runs, files in memory). Goals (issue: the
# Terraform source): at least 50 MB/s of .tf parsed; a 50,000-line tree scanned in under 1 s
# on one core. A missed goal is reported, not an error.
#
# Environment: HCL_BENCH_LINES (default 200000), HCL_BENCH_RUNS (default 3).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
bin=$build/cloudfort
out=$build/bench/hcl
lines=${HCL_BENCH_LINES:-200000}
runs=${HCL_BENCH_RUNS:-3}

die() {
  echo "hcl bench: $*" >&2
  exit 2
}

[ -x "$bin" ] || die "$bin not found; build it first (make BUILD=$build)"
[ -f "$build/libcloudfort.a" ] || die "$build/libcloudfort.a not found"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (scripts/install-deps.sh --bench)"
mkdir -p "$out" || die "cannot create $out"

# The parser timer links the library's internal parser.
pb=$out/hcl_parse_bench
if [ ! -x "$pb" ] || [ bench/hcl/hcl_parse_bench.c -nt "$pb" ] || [ "$build/libcloudfort.a" -nt "$pb" ]; then
  cc -O2 -std=c11 -D_GNU_SOURCE -Iinclude -Isrc -o "$pb" bench/hcl/hcl_parse_bench.c "$build/libcloudfort.a" \
    $(make --no-print-directory -s print-libs) || die "cannot build the parser timer"
fi

one_core() {
  if command -v taskset >/dev/null 2>&1; then taskset -c 0 "$@"; else "$@"; fi
}

# median of the arguments
median() {
  printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'
}

scan_tree() { # DIR LABEL GOAL_SECONDS
  dir=$1
  walls=""
  for _ in $(seq "$runs"); do
    one_core /usr/bin/time -v -o "$out/time.txt" "$bin" posture -j 1 --format json -o "$out/report.json" "$dir" \
      > /dev/null 2> "$out/stderr.txt"
    rc=$?
    [ "$rc" -le 1 ] || die "cloudfort posture failed (exit $rc): $(head -c 300 "$out/stderr.txt")"
    w=$(awk -F': ' '/Elapsed \(wall clock\) time/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$out/time.txt")
    walls="$walls $w"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  done
  # shellcheck disable=SC2086
  wall=$(median $walls)
  nres=$(python3 -c "import json; r = json.load(open('$out/report.json')); print(r['summary'].get('resources', 0))")
  nerr=$(python3 -c "import json; r = json.load(open('$out/report.json')); print(len(r['errors']))")
  nl=$(find "$dir" -name '*.tf' -exec cat {} + | wc -l)
  mb=$(find "$dir" -name '*.tf' -exec cat {} + | wc -c)
  echo "$2  $nl lines, $(awk "BEGIN {printf \"%.1f\", $mb / 1e6}") MB: median of $runs $wall s (runs:$walls) on one core"
  awk "BEGIN {printf \"            %.0f lines/s, %.0f resources/s (%s resources), peak RSS %.0f MB, %s errors\n\", $nl / $wall, $nres / $wall, $nres, $rss / 1024, $nerr}"
  if [ -n "$3" ]; then
    if awk "BEGIN {exit !($wall < $3)}"; then echo "goal        $2 in under $3 s on one core: met ($wall s)"
    else echo "goal        $2 in under $3 s on one core: MISSED ($wall s)"; fi
  fi
}

echo "machine     $(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo | sed 's/ [0-9]*-Core.*//'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out/tree" "$out/tree50k"
python3 bench/hcl/gen_tf.py "$out/tree" "$lines" > "$out/tree.summary" || die "generator failed"
python3 bench/hcl/gen_tf.py "$out/tree50k" 50000 > "$out/tree50k.summary" || die "generator failed"
parse=$(one_core "$pb" "$out/tree" 5) || die "parser timer failed"
echo "$parse"
mbs=$(echo "$parse" | sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p')
if awk "BEGIN {exit !($mbs >= 50)}"; then echo "goal        >= 50 MB/s of .tf parsed: met ($mbs MB/s)"
else echo "goal        >= 50 MB/s of .tf parsed: MISSED ($mbs MB/s)"; fi
scan_tree "$out/tree" "whole tree " ""
scan_tree "$out/tree50k" "50k-line tree" 1

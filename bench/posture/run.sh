#!/bin/sh
# The posture benchmark: `cloudfort posture` on a synthetic AWS Config snapshot of a million
# configuration items, against jq running one representative filter over the same file.
#
#   bench/posture/run.sh [BUILD]
#
# The snapshot is generated once (bench/posture/gen_awsconfig.c, compiled here with cc -O2)
# into BUILD/bench/, outside the source tree, and reused while the generator is unchanged.
# cloudfort runs POSTURE_BENCH_RUNS times (default 3) and the median wall time is quoted; jq
# runs once when it takes over a minute, else three times. Both are timed with
# /usr/bin/time -v (wall clock and peak resident set size). An untimed run writes the JSON
# report to learn how many canonical resources and findings cloudfort saw.
#
# Goals (docs: DESIGN.md, "Performance goals"): at least 200k canonical resources/s including
# parsing, at least 5x faster than jq, peak RSS at most 2x the input size. A missed goal is
# reported, not an error.
#
# Environment: POSTURE_BENCH_ITEMS (default 1000000), POSTURE_BENCH_RUNS (default 3),
# POSTURE_BENCH_SEED (default 20250601).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
bin=$build/cloudfort
out=$build/bench
items=${POSTURE_BENCH_ITEMS:-1000000}
runs=${POSTURE_BENCH_RUNS:-3}
seed=${POSTURE_BENCH_SEED:-20250601}

die() {
  echo "posture bench: $*" >&2
  exit 2
}

[ -x "$bin" ] || die "$bin not found; build it first (make BUILD=$build)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (scripts/install-deps.sh --bench)"
command -v jq >/dev/null 2>&1 || die "jq is missing (scripts/install-deps.sh --bench)"
mkdir -p "$out" || die "cannot create $out"

# ---- input ----
gen=$out/gen_awsconfig
if [ ! -x "$gen" ] || [ bench/posture/gen_awsconfig.c -nt "$gen" ]; then
  cc -O2 -o "$gen" bench/posture/gen_awsconfig.c || die "cannot compile the generator"
fi
snap=$out/awsconfig-snapshot-$items-$seed.json
if [ ! -s "$snap" ] || [ ! -s "$snap.summary" ] || [ "$gen" -nt "$snap" ]; then
  echo "generating $items configuration items into $snap ..."
  "$gen" "$items" "$snap" "$seed" > "$snap.summary" || die "generator failed"
fi
bytes=$(wc -c < "$snap" | tr -d ' ')
expected_public=$(awk '$1 == "public_acl_buckets" {print $2}' "$snap.summary")

# ---- measuring ----
# timed CMD...: runs CMD under /usr/bin/time -v; sets wall and cpu (user + system) in seconds,
# rss (KB) and rc. CPU time is printed beside wall time because a shared machine stretches
# wall time without changing the work done.
timed() {
  /usr/bin/time -v -o "$out/time.txt" "$@" > "$out/stdout.txt" 2> "$out/stderr.txt"
  rc=$?
  wall=$(awk -F': ' '/Elapsed \(wall clock\) time/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$out/time.txt")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ {s += $2} END {print s}' "$out/time.txt")
}

# median of the numbers given as arguments
median() {
  printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# ---- cloudfort ----
"$bin" posture --format json -o "$out/posture-report.json" --max-file-size 8G "$snap"
rc=$?
[ "$rc" -le 1 ] || die "cloudfort failed (exit $rc) on $snap"
resources=$(jq '.summary.resources' "$out/posture-report.json")
findings=$(jq '.summary.findings' "$out/posture-report.json")
errors=$(jq '.errors | length' "$out/posture-report.json")

cf_walls=""
cf_rsses=""
cf_cpus=""
i=0
while [ "$i" -lt "$runs" ]; do
  timed "$bin" posture --format json -o /dev/null --max-file-size 8G "$snap"
  [ "$rc" -le 1 ] || die "cloudfort failed (exit $rc); see $out/stderr.txt"
  cf_walls="$cf_walls $wall"
  cf_rsses="$cf_rsses $rss"
  cf_cpus="$cf_cpus $cpu"
  i=$((i + 1))
done
# shellcheck disable=SC2086
cf_wall=$(median $cf_walls)
# shellcheck disable=SC2086
cf_rss=$(median $cf_rsses)
# shellcheck disable=SC2086
cf_cpu=$(median $cf_cpus)

# ---- jq ----
# The question a user would otherwise ask jq: which buckets' ACLs grant AllUsers. The ACL is
# JSON text inside a JSON string in snapshots, so it takes two fromjson.
filter='.configurationItems[] | select(.resourceType == "AWS::S3::Bucket") | select(.supplementaryConfiguration.AccessControlList | fromjson | fromjson | any(.grantList[]?; .grantee == "AllUsers")) | .resourceId'
avail_kb=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
need_kb=$((bytes / 1024 * 8)) # jq holds the whole document as a tree: about 7x the text
jq_wall=""
jq_rss=""
jq_cpu=""
jq_hits=""
if [ -n "$avail_kb" ] && [ "$avail_kb" -lt "$need_kb" ]; then
  echo "jq skipped: it needs about $((need_kb / 1024)) MB of memory for this input and $((avail_kb / 1024)) MB are available"
else
  timed jq -r "$filter" "$snap"
  [ "$rc" -eq 0 ] || die "jq failed (exit $rc); see $out/stderr.txt"
  jq_hits=$(wc -l < "$out/stdout.txt" | tr -d ' ')
  jq_walls=$wall
  jq_rsses=$rss
  jq_cpus=$cpu
  if awk -v w="$wall" 'BEGIN {exit !(w < 60)}'; then
    for _ in 2 3; do
      timed jq -r "$filter" "$snap"
      jq_walls="$jq_walls $wall"
      jq_rsses="$jq_rsses $rss"
      jq_cpus="$jq_cpus $cpu"
    done
  fi
  # shellcheck disable=SC2086
  jq_wall=$(median $jq_walls)
  # shellcheck disable=SC2086
  jq_rss=$(median $jq_rsses)
  # shellcheck disable=SC2086
  jq_cpu=$(median $jq_cpus)
fi

# ---- report ----
cpu_model=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)
[ -n "$cpu_model" ] || cpu_model=$(uname -m)
awk -v nproc="$(nproc)" -v cpu="$cpu_model" -v kernel="$(uname -sr)" -v bytes="$bytes" -v items="$items" \
    -v resources="$resources" -v findings="$findings" -v errors="$errors" -v runs="$runs" \
    -v cf_wall="$cf_wall" -v cf_walls="$cf_walls" -v cf_rss="$cf_rss" -v cf_cpu="$cf_cpu" -v jq_cpu="$jq_cpu" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" \
    -v jq_wall="$jq_wall" -v jq_rss="$jq_rss" -v jq_hits="$jq_hits" -v expected="$expected_public" '
function mb(b) { return b / 1048576 }
BEGIN {
  printf "machine     %d CPUs, %s, %s; load average %s\n", nproc, cpu, kernel, load
  printf "input       %.1f MB, %d configuration items (AWS Config snapshot)\n", mb(bytes), items
  rps = resources / cf_wall
  printf "cloudfort   %.2f s wall (median of %d:%s s); %d canonical resources, %d findings, %d errors\n", cf_wall, runs, cf_walls, resources, findings, errors
  printf "            %.0f resources/s, %.0f items/s, %.1f MB/s\n", rps, items / cf_wall, mb(bytes) / cf_wall
  printf "            %.2f s CPU (user + system): %.0f resources/s of CPU time\n", cf_cpu, resources / cf_cpu
  ratio_rss = (cf_rss * 1024) / bytes
  printf "peak RSS    %.0f MB (%.2fx the input)\n", cf_rss / 1024, ratio_rss
  if (jq_wall != "") {
    printf "jq          %.2f s wall, %.0f MB peak RSS; %d buckets whose ACL grants AllUsers (generator says %d)\n", jq_wall, jq_rss / 1024, jq_hits, expected
    speedup = jq_wall / cf_wall
    printf "            %.2f s CPU (user + system)\n", jq_cpu
    printf "ratio       jq / cloudfort = %.1fx wall, %.1fx CPU\n", speedup, jq_cpu / cf_cpu
  }
  printf "goals       >= 200k resources/s: %s (%.0fk)\n", (rps >= 200000 ? "met" : "MISSED"), rps / 1000
  if (jq_wall != "") printf "            >= 5x faster than jq: %s (%.1fx)\n", (speedup >= 5 ? "met" : "MISSED"), speedup
  printf "            peak RSS <= 2x input: %s (%.2fx)\n", (ratio_rss <= 2 ? "met" : "MISSED"), ratio_rss
}'

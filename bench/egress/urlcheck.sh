#!/bin/sh
# The URL-check benchmark: builds bench/egress/urlcheck_bench.c against the library in BUILD
# (default build) and runs it on one core; the last line is the summary.
#   bench/egress/urlcheck.sh [BUILD] [SECONDS_PER_RUN]
set -eu
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
secs=${2:-1}
[ -f "$build/libcloudfort.a" ] || make --no-print-directory BUILD="$build" "$build/libcloudfort.a"
libs=$(make --no-print-directory -s print-libs)
mkdir -p "$build/bench"
cc -std=c11 -O2 -Wall -Wextra -D_GNU_SOURCE -Iinclude -o "$build/bench/urlcheck_bench" bench/egress/urlcheck_bench.c "$build/libcloudfort.a" \
  $libs
# One core: the goal is per core.
if command -v taskset >/dev/null 2>&1; then
  taskset -c 0 "$build/bench/urlcheck_bench" "$secs"
else
  "$build/bench/urlcheck_bench" "$secs"
fi

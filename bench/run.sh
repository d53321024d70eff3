#!/bin/sh
# Runs every benchmark of the tree: each bench/<name>/run.sh it finds, in name order, given the
# build folder that holds the cloudfort binary. A benchmark joins by adding its folder and
# run.sh; this script knows none of them by name.
#   bench/run.sh [BUILD]        (BUILD defaults to build; `make bench` passes $(BUILD))
# Exit status: 0 when every benchmark ran, 1 when one failed to run (a missed performance
# goal is reported, not a failure).
set -u
cd "$(dirname "$0")/.." || exit 2
build=${1:-build}
status=0
found=0
for script in bench/*/run.sh; do
  [ -f "$script" ] || continue
  found=1
  name=$(basename "$(dirname "$script")")
  echo "== bench: $name"
  if ! sh "$script" "$build"; then
    echo "bench: $name failed" >&2
    status=1
  fi
done
[ "$found" -eq 1 ] || echo "bench: no benchmarks under bench/*/run.sh" >&2
exit $status

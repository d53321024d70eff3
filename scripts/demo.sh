#!/bin/sh
# Scans every case of the incident gallery and prints the reports (make demo).
# Usage: scripts/demo.sh [path/to/cloudfort]
set -u
bin=${1:-build/cloudfort}
cd "$(dirname "$0")/.." || exit 2
status=0
for case in examples/incidents/*/; do
  name=$(basename "$case")
  if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
    printf '\n\033[1m#### %s\033[0m  (%s)\n' "$name" "$case"
  else
    printf '\n#### %s  (%s)\n' "$name" "$case"
  fi
  head -n 3 "$case/README.md" | tail -n 1 | cut -c1-200
  "$bin" scan "$case"
  rc=$?
  # 1 means findings, which is what the gallery is for; 2 is a real problem.
  [ "$rc" -ge 2 ] && status=$rc
done
exit $status

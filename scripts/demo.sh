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
  # An Android app's sources: also scan the package as it ships (the manifest and resources
  # zipped into an APK in a temporary folder; the end-to-end test adds the compiled class).
  if [ -f "$case/app/AndroidManifest.xml" ] && command -v zip >/dev/null 2>&1; then
    tmp=$(mktemp -d) || exit 2
    (cd "$case/app" && zip -q -r "$tmp/$name.apk" AndroidManifest.xml res)
    printf '\n# the same app as a package: %s.apk\n' "$name"
    "$bin" scan "$tmp/$name.apk"
    rc=$?
    [ "$rc" -ge 2 ] && status=$rc
    rm -rf "$tmp"
  fi
done
exit $status

#!/bin/sh
# Runs the whole test suite against one or more build folders (the plain build, then the
# sanitizer build) and ends with one line "N passed, N failed". Every suite speaks TAP; this
# script only runs them and counts.
#   tests/run.sh build [build/asan]
set -u
cd "$(dirname "$0")/.." || exit 2
log=build/test-log.txt
mkdir -p build
: > "$log"
pass=0
fail=0

# run NAME COMMAND...: runs a TAP-producing command, prefixes its lines with NAME, counts.
run() {
  name=$1
  shift
  out=$("$@" 2>&1)
  status=$?
  p=$(printf '%s\n' "$out" | grep -c '^ok ')
  f=$(printf '%s\n' "$out" | grep -c '^not ok ')
  printf '%s\n' "$out" | sed "s|^|[$name] |" >> "$log"
  # A suite that crashes or exits non-zero without a failing test still fails once.
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "not ok - [$name] exited with status $status" >> "$log"
  fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
    f=1
    echo "not ok - [$name] ran no test" >> "$log"
  fi
  pass=$((pass + p))
  fail=$((fail + f))
  printf '  %-44s %5d passed %3d failed\n' "$name" "$p" "$f"
  if [ "$f" -ne 0 ]; then
    printf '%s\n' "$out" | grep -E '^not ok|ERROR|Sanitizer|runtime error' | head -20 | sed 's/^/      /'
  fi
}

for b in "$@"; do
  echo "== suite with $b"
  export CMOCKA_MESSAGE_OUTPUT=TAP
  for t in $(find "$b/tests" -type f -name 'test_*' 2>/dev/null | sort); do
    run "$b:unit/$(basename "$(dirname "$t")")/$(basename "$t")" "$t"
  done
  run "$b:rules" "$b/cloudfort" rules test
  run "$b:cli" /usr/bin/python3 tests/cli/run.py --bin "$b/cloudfort"
  # The egress proxy's threads under Helgrind; valgrind cannot run a sanitizer build, so this
  # runs with the plain one.
  if ! grep -q __asan_init "$b/cloudfort"; then
    run "$b:threads/helgrind" /usr/bin/python3 tests/threads/helgrind_proxy.py --bin "$b/cloudfort"
  fi
  for r in $(find "$b/fuzz" -type f -name 'replay_fuzz_*' 2>/dev/null | sort); do
    target=$(basename "$r" | sed 's/^replay_fuzz_//')
    run "$b:fuzz-replay/$target" "$r" "fuzz/corpus/$target"
  done
done
echo "(details in $log)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

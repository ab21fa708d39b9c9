#!/usr/bin/env bash
# ctest_failures.sh BUILD_DIR: after a failed CTest run, what each failed test said about its failure, short
# enough to be read at the end of a CI log: its lines naming a failure (FAILED checks, sanitizer reports,
# assertion and GoogleTest failures), then its last lines. Reads CTest's own logs; runs nothing again.
set -uo pipefail
dir=${1:?usage: ctest_failures.sh BUILD_DIR}
failed=$dir/Testing/Temporary/LastTestsFailed.log
log=$dir/Testing/Temporary/LastTest.log
[ -r "$failed" ] && [ -r "$log" ] || exit 0
echo "=== what the failed tests said (from $log) ==="
while IFS=: read -r _ name; do
  [ -n "$name" ] || continue
  echo "--- $name"
  # A test's section of LastTest.log runs from '<n>/<m> Test: NAME' to the '"NAME" end time' line.
  awk -v name="$name" '
    $0 ~ "^[0-9]+/[0-9]+ Test: " && substr($0, index($0, ": ") + 2) == name { on = 1; next }
    on && index($0, "\"" name "\" end time") == 1 { exit }
    on { print }' "$log" >"$dir/Testing/Temporary/failed-$name.log"
  grep -E 'FAILED|Failure|ERROR|AddressSanitizer|LeakSanitizer|runtime error|Assertion|Timeout|timed out' \
    "$dir/Testing/Temporary/failed-$name.log" | head -n 12
  echo "  [last lines]"
  tail -n 6 "$dir/Testing/Temporary/failed-$name.log"
done <"$failed"

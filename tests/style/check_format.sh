#!/usr/bin/env bash
# Fails when a C++ file of the repository differs from what .clang-format makes of it (STYLE.md: the format
# is enforced). Fix with `make format`.
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' 2>/dev/null || find src tests bench -name '*.[ch]pp')
if ((${#files[@]} == 0)); then
  echo "no C++ files found" >&2
  exit 1
fi
if ! clang-format --dry-run --Werror "${files[@]}"; then
  echo "clang-format: the files above are not formatted; run 'make format'" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"

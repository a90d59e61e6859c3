#!/usr/bin/env bash
# Every C and C++ file of the repository is formatted as .clang-format says: the check CI runs
# (`clang-format --dry-run -Werror`), so a change that is not formatted fails the tests.
#   clang_format_test.sh REPO [CLANG_FORMAT]
set -euo pipefail
repo="$1"
clang_format="${2:-clang-format}"
command -v "$clang_format" >/dev/null ||
  { echo "FAIL: $clang_format not found (scripts/test.sh installs clang-format)" >&2; exit 1; }
cd "$repo"
mapfile -t files < <(git ls-files '*.c' '*.h' '*.cpp' '*.hpp')
[ "${#files[@]}" -gt 0 ] || { echo "FAIL: no C or C++ files found in $repo" >&2; exit 1; }
"$clang_format" --dry-run -Werror "${files[@]}"
echo "${#files[@]} files formatted as .clang-format says"

#!/usr/bin/env bash
# Fails when the documentation drifts from the tree:
#  * every source file in mmu/, os/, emulator/, guests/, bench/, fuzz/ and scripts/ (and their
#    subfolders) is mentioned in its folder's README.md: the nearest one above it, as its name
#    ("tracer.cpp"), its path from the README's folder ("trace/tracer.cpp"), its stem with ".*"
#    ("tracer.*", a header and its source) or its stem in backquotes ("`hello`", a program);
#  * test files are numbered NNN_name_test.cpp, and no number is used twice anywhere in tests/
#    (each test folder has its own range, tests/README.md).
#
#   scripts/check-docs.sh [ROOT]    ROOT defaults to the repository (its git-tracked files; every
#                                   file under ROOT when it is no git tree)
set -euo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root"

if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  list() { git ls-files --cached --others --exclude-standard -- "$@"; }
else
  list() { find "$@" -type f 2>/dev/null | sed 's|^\./||' || true; }
fi

errors=0
fail() {
  echo "check-docs: $*" >&2
  errors=$((errors + 1))
}

# Source files: code and scripts (data such as fuzz/regressions/ inputs are not listed).
is_source() {
  case "$1" in
    */regressions/*) return 1 ;;
    *.cpp | *.h | *.inc | *.c | *.S | *.go | *.lua | *.sh | *.py | *.cmake) return 0 ;;
  esac
  [ -x "$1" ]  # an executable script without an extension (bench/compare)
}

# The README.md nearest above `file`, within its top folder; printed, or nothing.
readme_of() {
  local dir
  dir=$(dirname "$1")
  while :; do
    if [ -f "$dir/README.md" ]; then
      echo "$dir/README.md"
      return
    fi
    case "$dir" in */*) dir=${dir%/*} ;; *) return ;; esac
  done
}

while IFS= read -r file; do
  is_source "$file" || continue
  readme=$(readme_of "$file")
  if [ -z "$readme" ]; then
    fail "$file: no README.md in its folder or above it"
    continue
  fi
  base=${file##*/}
  stem=${base%.*}
  relative=${file#"$(dirname "$readme")"/}
  if ! grep -qF -e "$base" -e "$relative" -e "$stem.*" -e "\`$stem\`" "$readme"; then
    fail "$file is not mentioned in $readme (list it as \`$relative\` with what it does)"
  fi
done < <(list mmu os emulator guests bench fuzz scripts)

declare -A number_owner=()
while IFS= read -r file; do
  case "$file" in */support/* | *.cmake | *CMakeLists.txt | *.md | *.supp) continue ;; esac
  base=${file##*/}
  case "$base" in
    *_test.cpp) ;;
    *) continue ;;  # fixtures and helpers (paging_harness.cpp, lua_test_support.cpp)
  esac
  number=${base%%_*}
  if ! [[ "$number" =~ ^[0-9]+$ ]]; then
    fail "$file: a test file is named NNN_name_test.cpp (tests/README.md)"
    continue
  fi
  if [ -n "${number_owner[$number]:-}" ]; then
    fail "$file: test number $number is already used by ${number_owner[$number]}"
  else
    number_owner[$number]=$file
  fi
done < <(list tests)

if [ "$errors" -ne 0 ]; then
  echo "check-docs: $errors problem(s)" >&2
  exit 1
fi
echo "check-docs: every source file is in its README, test numbers are unique"

#!/usr/bin/env bash
# The layer and documentation checks must reject what they are for: each is run on a scratch
# tree that is clean (it must pass), then with one planted violation (it must fail and name the
# file). Without this, a check that silently accepted everything would look like a passing one.
#
#   tests/checks/checks_test.sh layers|docs
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# Runs `check` on the scratch tree; `expect` is pass or fail; a failure's output must contain
# `needle`.
run() {
  local check=$1 expect=$2 needle=${3:-}
  local status=0
  "$repo/scripts/$check" "$scratch" >"$scratch.out" 2>&1 || status=$?
  if [ "$expect" = pass ] && [ "$status" -ne 0 ]; then
    echo "FAIL: $check rejected a clean tree:"; cat "$scratch.out"; exit 1
  fi
  if [ "$expect" = fail ]; then
    if [ "$status" -eq 0 ]; then
      echo "FAIL: $check accepted a tree with: $needle"; exit 1
    fi
    if ! grep -qF -- "$needle" "$scratch.out"; then
      echo "FAIL: $check failed without naming '$needle':"; cat "$scratch.out"; exit 1
    fi
  fi
  rm -f "$scratch.out"
}

put() {  # put PATH LINE...: a file of the scratch tree
  mkdir -p "$scratch/$(dirname "$1")"
  local path=$1
  shift
  printf '%s\n' "$@" >"$scratch/$path"
}

layers() {
  put os/kernel.h '#include "mmu/pte.h"'
  put emulator/machine.cpp '#include "emulator/machine.h"' '#include "os/kernel.h"'
  put emulator/lua/script.cpp '#include "emulator/lua/script.h"' '#include "emulator/machine.h"'
  put fuzz/target.cpp '#include "os/kernel.h"' '#include "emulator/strace_format/x.h"'
  run check-layers.sh pass
  put emulator/machine.cpp '#include "emulator/machine.h"' '#include "emulator/lua/script.h"'
  run check-layers.sh fail 'emulator/machine.cpp:2: #include "emulator/lua/script.h"'
  put emulator/machine.cpp '#include "emulator/machine.h"'
  put os/kernel.h '#include "mmu/pte.h"' '#include "emulator/machine.h"'
  run check-layers.sh fail "os/kernel.h:2"
  put os/kernel.h '#include "mmu/pte.h"'
  put fuzz/target.cpp '#include "emulator/trace/tracer.h"'
  run check-layers.sh fail "layer 'fuzz' may not include layer 'trace'"
  put fuzz/target.cpp '#include "../os/kernel.h"'
  run check-layers.sh fail 'fuzz/target.cpp:1: #include "../os/kernel.h"'
}

docs() {
  put os/README.md '| `kernel.*` | the kernel |' '| `vfs/` | `inode.*` |'
  put os/kernel.h '#pragma once'
  put os/kernel.cpp ''
  put os/vfs/inode.cpp ''
  put tests/mmu/100_pte_test.cpp ''
  put tests/e2e/1100_hello_test.cpp ''
  run check-docs.sh pass
  put os/reclaim.cpp ''
  run check-docs.sh fail "os/reclaim.cpp is not mentioned in os/README.md"
  rm "$scratch/os/reclaim.cpp"
  put tests/e2e/100_hello_test.cpp ''
  run check-docs.sh fail "test number 100 is already used"
}

case "${1:-}" in
  layers) layers ;;
  docs) docs ;;
  *) echo "usage: $0 layers|docs" >&2; exit 2 ;;
esac
echo "ok: ${1} check rejects every planted violation"

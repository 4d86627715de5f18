#!/usr/bin/env bash
# The layer check must reject what it is for: it is run on a scratch tree that is clean (it must pass), then with planted violations (it must fail and name the
# file). Without this, a check that silently accepted everything would look like a passing one.
#
#   tests/checks/checks_test.sh layers
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

case "${1:-}" in
  layers) layers ;;
  *) echo "usage: $0 layers" >&2; exit 2 ;;
esac
echo "ok: ${1} check rejects every planted violation"

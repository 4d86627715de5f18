#!/usr/bin/env bash
# Builds vmlab and runs the whole test suite. VMLAB_SANITIZE=1 builds with ASan+UBSan into
# build-asan/ instead of build/.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build
flags=()
if [ "${VMLAB_SANITIZE:-0}" = 1 ]; then
  build=build-asan
  flags=(-DVMLAB_SANITIZE=ON -DVMLAB_BENCH=OFF)
  # A leak inside Unicorn itself is not ours (see the file).
  export LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0"
fi
cmake -S . -B "$build" "${flags[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)"

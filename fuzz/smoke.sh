#!/usr/bin/env bash
# CI smoke run of the fuzz targets (fuzz/README.md): a clang build of its own, the committed
# regression inputs replayed, then a short fixed number of executions of each target from the
# seed corpus. Any crash, sanitizer report, leak, timeout or broken invariant fails the script.
#
# VMLAB_FUZZ_BUILD: build directory (default build-fuzz); VMLAB_FUZZ_RUNS: executions per target.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${VMLAB_FUZZ_BUILD:-build-fuzz}
runs=${VMLAB_FUZZ_RUNS:-20000}
targets=(fuzz_walker fuzz_elf_loader fuzz_syscalls)

CC=clang CXX=clang++ cmake -S . -B "$build" -DVMLAB_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
cmake --build "$build" -j"$(nproc)" --target "${targets[@]}"

corpus=$build/fuzz-corpus
rm -rf "$corpus"
fuzz/make_seeds.sh "$corpus" build/guests >/dev/null
mkdir -p "$build/crashes"

for target in "${targets[@]}"; do
  log=$build/crashes/$target.log
  regressions=(fuzz/regressions/"$target"/*)
  if [ -e "${regressions[0]}" ]; then
    echo "== $target: replaying ${#regressions[@]} regression inputs"
    if ! "$build/$target" "${regressions[@]}" >"$log" 2>&1; then
      tail -n 60 "$log"
      exit 1
    fi
  fi
  # ELF seeds are whole program headers plus code; the other formats are short.
  max_len=4096
  [ "$target" = fuzz_elf_loader ] && max_len=16384
  echo "== $target: $runs executions"
  if ! "$build/$target" -runs="$runs" -seed=1 -timeout=10 -rss_limit_mb=2560 \
    -max_len="$max_len" -close_fd_mask=2 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$target-" "$corpus/$target" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "$target failed; the input is in $build/crashes/ (fuzz/README.md: reproducing)"
    exit 1
  fi
  grep -E 'DONE|stat::(number_of_executed_units|average_exec_per_sec)' "$log"
done
echo "fuzz smoke run passed"

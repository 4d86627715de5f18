#!/usr/bin/env bash
# The replacement policies' own cost, side by side in one run: the same workload under memory
# pressure (random_access touching 48 MiB in a 32 MiB machine with swap) with each policy,
# wall-clock seconds and the ratio to fifo. OPT first needs the run's reference string, which a
# recording run writes (its time and the file's size are printed too). The faults each policy
# takes differ by design; what is measured is how long the policy takes to choose.
#
#   bench/policies.sh [BUILD_DIR] [ACCESSES]    (default build, 2000000)
set -euo pipefail
shopt -s inherit_errexit
cd "$(dirname "$0")/.."
build=${1:-build}
accesses=${2:-2000000}
vmlab=$build/vmlab
guest=$build/guests/random_access-musl
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
machine=(--ram 32M --swap 64M --model full)  # lru and opt need every access

seconds() {  # runs vmlab with the arguments given, prints the wall-clock seconds
  local start end
  start=$(date +%s.%N)
  "$vmlab" run "${machine[@]}" "$@" --stats-json "$work/stats.json" -- "$guest" 48 "$accesses" 7 \
    >/dev/null
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.2f", $2 - $1}'
}
faults() { grep -o '"major": [0-9]*' "$work/stats.json" | head -1 | grep -o '[0-9]*'; }

record=$(seconds --record-refs "$work/refs")
printf "%-10s %8s %8s %12s\n" policy seconds vs_fifo major_faults
fifo=""
for policy in fifo clock lru nru random two-list opt; do
  extra=()
  [ "$policy" = opt ] && extra=(--refs "$work/refs")
  t=$(seconds --policy "$policy" "${extra[@]}")
  [ -z "$fifo" ] && fifo=$t
  printf "%-10s %8s %8s %12s\n" "$policy" "$t" "$(awk -v a="$t" -v b="$fifo" 'BEGIN{printf "%.2f", a/b}')" "$(faults)"
done
echo "recording the reference string: ${record} s, $(du -h "$work/refs" | cut -f1) file"

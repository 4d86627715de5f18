#!/usr/bin/env bash
# The main demo: real programs run through the modelled MMU, with what the TLBs, the page
# tables and the kernel did. Run ./scripts/setup.sh first.
set -euo pipefail
cd "$(dirname "$0")/.."
vmlab=build/vmlab
guests=build/guests
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "Debian's busybox, unmodified: sha256sum of itself, with statistics"
$vmlab run --stats /bin/busybox sha256sum /bin/busybox

say "Demand paging, exactly: touching 1000 fresh pages costs 1000 zero-fill faults (+1 for the stack)"
$vmlab run --stats $guests/page_toucher-rt 1000 1 w 2>&1 | grep -E "touched|faults"

say "TLB reach: random accesses over 32 MiB, default TLBs vs a tiny 16-entry L1 and no L2"
$vmlab run --stats $guests/random_access-musl 32 200000 2>&1 | grep -E "checksum|tlb|walks"
$vmlab run --stats --tlb l1d.4k=16x4,l2=none $guests/random_access-musl 32 200000 2>&1 | grep -E "checksum|tlb|walks"

say "Copy-on-write after fork: the child writes 100 pages, the parent 50 others"
$vmlab run --stats $guests/fork_demo-musl 1000 100 50 2>&1 | grep -E "checksum|faults|processes"

say "A bug, reported the way Linux reports it (exit status 139)"
$vmlab run $guests/faults-rt null-write || echo "exit status $?"

say "The guest's own /proc: its VMAs and the emulated machine's memory (not the host's)"
$vmlab run --ram 32M -- /bin/busybox sh -c 'cat /proc/self/maps; free'

say "Belady's anomaly on a real guest, from a Lua experiment: FIFO faults more with 4 frames than with 3"
$vmlab script scripts/experiments/belady.lua --out build/experiments/belady

say "Memory over time: 400 pages read round after round in 1 MiB of RAM, a line every 2 ms of modelled time"
mkdir -p build/demo
$vmlab run --ram 1M --swap 8M --interval 2ms --vmstat --timeline build/demo/thrashing.csv \
  $guests/page_toucher-rt 400 1 wr 8
$vmlab plot build/demo/thrashing.csv build/demo/thrashing.png || true

say "The incident, reproduced: a cache outgrows RAM on a machine with swap; three remedies beside it"
$vmlab script scripts/experiments/incident.lua --out build/experiments/incident

say "Pictures"
pictures=(build/experiments/belady/belady.png build/demo/thrashing.png
          build/experiments/incident/incident.png)
if command -v gnuplot >/dev/null; then
  for picture in "${pictures[@]}"; do echo "  $picture"; done
else
  echo "  gnuplot is not installed: 'sudo apt-get install gnuplot-nox' (or ./scripts/setup.sh) draws them"
fi

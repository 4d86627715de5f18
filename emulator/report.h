// End-of-run statistics: a human summary (--stats) and JSON (--stats-json), and the same
// numbers as a flat list for the timeline (--timeline).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "emulator/machine.h"
#include "emulator/stat_flattener.h"
#include "emulator/stats_tree.h"

namespace vmlab::emulator {

std::string stats_json(Machine& machine, const RunFacts& facts);
// Every number of stats_json as of now, flattened to dotted names ("faults.minor",
// "mmu.tlb.l1d.4k.hits") in the order of the JSON; lists (processes, samples, buddyinfo) and
// text are left out. The frames.*_at_exit entries are the values of the moment.
std::vector<StatValue> stats_counters(Machine& machine);
std::string stats_summary(Machine& machine, const RunFacts& facts);

}  // namespace vmlab::emulator

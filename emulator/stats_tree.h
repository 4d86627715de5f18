// The tree of end-of-run statistics, written once for every consumer (--stats-json, the
// timeline, Lua's m:stats(), docs/stats.md) through a StatsWriter.
#pragma once

#include <cstdint>
#include <string>

#include "emulator/machine.h"
#include "emulator/stats_writer.h"

namespace vmlab::emulator {

struct RunFacts {
  uint64_t frames_free_at_start = 0;
  uint64_t frames_free_at_exit = 0;
  uint64_t page_cache_at_exit = 0;
  std::string end;  // "exited", "instruction-limit", ...
  int exit_status = 0;
};

// The facts of a run still going (the free frames and page cache of the moment).
RunFacts facts_now(Machine& machine);

// "end" and "exit_status", then every statistic.
void write_run(StatsWriter& out, Machine& machine, const RunFacts& facts);
// Every statistic after "end" and "exit_status".
void write_statistics(StatsWriter& out, Machine& machine, const RunFacts& facts);

}  // namespace vmlab::emulator

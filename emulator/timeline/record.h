// One row of the timeline: what happened between two samples. The same record is a CSV row,
// a JSONL line, a vmstat line and the table of a Lua `tick` event (scripts/README.md lists the
// fields).
#pragma once

#include <cstdint>
#include <vector>

#include "emulator/stat_flattener.h"
#include "emulator/timeline/sample.h"

namespace vmlab::emulator {

// The name under which files and Lua show TimelineRecord::totals ("totals.faults.minor" in CSV).
inline constexpr const char* kTotals = "totals";

struct TimelineRecord {
  // Named fields in a fixed order: where the row is (interval, instructions, time_ms), what the
  // interval held (instructions, cycles by kind and their shares, faults by kind, swap traffic,
  // switches, TLB miss rates, stall shares) and memory at its end (KiB, processes, PSI).
  std::vector<StatValue> fields;
  std::vector<ProcessSample> processes;  // live processes at the end of the interval
  std::vector<StatValue> totals;         // every registry statistic, cumulative (running totals)

  // The field called `name`, or null.
  const StatValue* field(std::string_view name) const;
  uint64_t count(std::string_view name) const;  // an integer field (0 when missing)
};

// The row for interval number `index`, from the samples at its start and its end.
TimelineRecord make_record(uint64_t index, const Sample& start, const Sample& end);

}  // namespace vmlab::emulator

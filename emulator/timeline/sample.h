// One look at the machine for the timeline: every statistic of the registry (the tree of
// --stats-json, flattened), what memory holds, and each live process's resident set.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "emulator/machine.h"
#include "emulator/stat_flattener.h"

namespace vmlab::emulator {

struct ProcessSample {
  int pid = 0;
  std::string command;
  uint64_t rss_pages = 0;
  uint64_t swap_pages = 0;
  uint64_t wait_cycles = 0;  // cumulative page-I/O wait
  bool runnable = false;
};

struct Sample {
  uint64_t instructions = 0;
  uint64_t uptime_ns = 0;
  // Frames by use right now.
  uint64_t free_pages = 0, cache_pages = 0, anon_pages = 0, page_table_pages = 0;
  uint64_t swap_used_pages = 0;
  std::vector<ProcessSample> processes;  // live ones, by pid
  std::vector<StatValue> counters;       // stats_counters(): cumulative, dotted names

  // The counter called `name`, or null (a TLB statistic under --model fast, swap without swap).
  const StatValue* find(std::string_view name) const;
};

Sample take_sample(Machine& machine);

}  // namespace vmlab::emulator

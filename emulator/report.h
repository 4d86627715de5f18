// End-of-run statistics: a human summary (--stats) and JSON (--stats-json).
#pragma once

#include <cstdint>
#include <string>

#include "emulator/machine.h"

namespace vmlab::emulator {

struct RunFacts {
  uint64_t frames_free_at_start = 0;
  uint64_t frames_free_at_exit = 0;
  uint64_t page_cache_at_exit = 0;
  std::string end;  // "exited", "instruction-limit", ...
  int exit_status = 0;
};

std::string stats_json(Machine& machine, const RunFacts& facts);
std::string stats_summary(Machine& machine, const RunFacts& facts);

}  // namespace vmlab::emulator

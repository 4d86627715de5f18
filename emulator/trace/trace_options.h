// What to trace (the --trace* options of `vmlab run`).
#pragma once

#include <cstdint>
#include <string>

namespace vmlab::emulator {

struct TraceOptions {
  std::string file;                              // empty: no trace; "-": stdout
  std::string format = "text";                   // text | jsonl
  std::string syntax = "intel";                  // intel | att
  int pid = 0;                                   // 0: every process
  uint64_t range_lo = 0, range_hi = UINT64_MAX;  // instruction addresses
  uint64_t data_lo = 0, data_hi = UINT64_MAX;    // data access addresses
  uint64_t from = 0, count = UINT64_MAX;         // instruction window (machine-wide numbers)
  std::string events;  // empty: instructions and every event; else a comma list of events only
  bool strace = false;
};

}  // namespace vmlab::emulator

// The statistics registry every layer shares: each statistic is described once (its key in
// --stats-json, unit, scope, description and how --stats shows it), next to the counter it
// reads, and --stats, --stats-json, Lua's m:stats() and docs/stats.md enumerate the
// descriptions instead of naming counters themselves.
//
// A family of counters is one X-macro list in the header that owns the counters: the list
// declares the struct's fields and the table of descriptions with member pointers, so adding
// a counter is one line there plus the line that increments it (docs/stats.md explains how).
#pragma once

#include <cstdint>
#include <string_view>

namespace vmlab::mmu {

// Where a statistic is kept: once for the machine, once per modelled CPU ("cpus" array of
// --stats-json), or once per process ("processes" array; the machine total, when it has one, is
// a separate machine-scope statistic).
enum class StatScope : uint8_t { kMachine, kCpu, kProcess };

constexpr std::string_view scope_name(StatScope scope) {
  switch (scope) {
    case StatScope::kMachine:
      return "machine";
    case StatScope::kCpu:
      return "per-CPU";
    case StatScope::kProcess:
      return "per-process";
  }
  return "machine";
}

struct StatInfo {
  std::string_view key;   // dotted path in --stats-json ("faults.minor"); inside a per-CPU or
                          // per-process object, the member name
  std::string_view unit;  // "count", "pages", "cycles", "frames", ...
  StatScope scope = StatScope::kMachine;
  std::string_view description;
  // --stats: this statistic's piece of its group's line ("{}" is replaced by the value, and
  // the pieces of a group are joined as written); empty when only the JSON shows it.
  std::string_view summary = {};
};

// A counter kept as a uint64_t field of `Counters` (one increment to count), with its
// description.
template <typename Counters>
struct CounterField {
  StatInfo info;
  uint64_t Counters::*field;
};

}  // namespace vmlab::mmu

// Declares the field of one X-macro entry: X(field, ...) -> uint64_t field = 0;
#define VMLAB_COUNTER_MEMBER(field, ...) uint64_t field = 0;

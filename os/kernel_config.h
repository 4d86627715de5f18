// Everything the machine's owner can choose about the kernel (CLI flags and Lua tables map
// onto this one struct).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "os/memory_limits.h"
#include "os/replacement/policy.h"

#include "os/tlb_control.h"

namespace vmlab::os {

struct KernelConfig {
  std::string root = "/";         // guest file-system root on the host (read-only)
  uint64_t seed = 1;              // AT_RANDOM, getrandom, /dev/urandom, random policies
  uint64_t quantum = 100'000;     // instructions per time slice
  uint64_t max_instructions = 0;  // 0: unlimited
  uint32_t max_processes = 64;    // fork and clone fail with EAGAIN beyond this many tasks
  uint32_t cpus = 1;              // modelled CPUs, each with its own MMU (TLBs, PSCs)
  PcidMode pcid = PcidMode::kOn;
  bool zero_page = true;  // read faults on anonymous memory map the shared zero page
  uint64_t epoch_ns = 1'700'000'000ull * 1'000'000'000ull;  // CLOCK_REALTIME at instruction 0
  uint32_t ns_per_instruction = 1;  // the virtual clock: one instruction takes this long
  std::string hostname = "vmlab";

  // Memory pressure.
  uint64_t swap_bytes = 0;           // 0: no swap device
  std::string swap_file;             // empty: a temporary file removed at exit
  std::string policy = "clock";      // page replacement (os/replacement)
  bool local_replacement = false;    // evict from the faulting process only
  uint64_t process_limit_pages = 0;  // --mem-limit: resident pages per process (0: none)
  std::vector<RangeLimit> range_limits;
  std::string record_references;  // --record-refs FILE
  std::string opt_references;     // --refs FILE (for --policy opt)
  // A policy supplied by the machine's owner (a Lua script) instead of `policy`; os/ sees
  // only the ReplacementPolicy interface.
  std::function<std::unique_ptr<ReplacementPolicy>()> custom_policy;
  // Transparent huge pages for anonymous memory: never, always, or where madvise asked.
  enum class Thp : uint8_t { kNever, kAlways, kMadvise } thp = Thp::kNever;
};

}  // namespace vmlab::os

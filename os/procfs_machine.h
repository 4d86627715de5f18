// The /proc files that describe the machine rather than its memory: stat (CPU time in
// USER_HZ ticks of the modelled clock, context switches, processes), cpuinfo (the modelled
// CPUs, os/cpu_model.h) and mounts/mountinfo (the file systems vmlab presents).
#pragma once

#include <cstdint>
#include <string>

namespace vmlab::os {

class Kernel;

// USER_HZ, what AT_CLKTCK tells the guest: /proc's times are in these ticks.
inline constexpr uint64_t kClockTicksPerSecond = 100;
inline constexpr uint64_t kNsPerTick = 1'000'000'000 / kClockTicksPerSecond;

// The machine's memory in pages, as /proc/meminfo and the node's meminfo count it.
struct MemorySummary {
  uint64_t total = 0, free = 0, cached = 0, anonymous = 0, page_tables = 0;
  uint64_t huge_pages = 0;  // 2 MiB pages mapped
};
MemorySummary memory_summary(Kernel& k);

std::string proc_stat_text(Kernel& k);
std::string cpuinfo_text(const Kernel& k);
std::string mounts_text();
std::string mountinfo_text(Kernel& k);

}  // namespace vmlab::os

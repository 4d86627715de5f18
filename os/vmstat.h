// Linux's memory counters under their /proc/vmstat names, from the kernel's own statistics:
// the guest reads them in /proc/vmstat, and `--stats-json` reports the same table ("vmstat"),
// so the two agree by construction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmlab::os {

class Kernel;

struct VmstatEntry {
  const char* name;  // as in Linux's /proc/vmstat
  uint64_t value;
  const char* description;  // what it counts in vmlab (docs/stats.md)
};

// vmlab reclaims directly in the faulting process (there is no kswapd): the *_kswapd counters
// are 0 and the direct ones equal the totals. pgpgin/pgpgout count KiB read from and written to
// the swap and file device, as Linux does.
std::vector<VmstatEntry> vmstat(const Kernel& kernel);
std::string vmstat_text(const Kernel& kernel);

}  // namespace vmlab::os

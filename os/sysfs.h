// The guest's /sys: the parts programs read to learn about the machine, generated from the
// kernel's configuration and state (the host's /sys stays hidden: it describes the host).
//   /sys/devices/system/cpu/{online,possible,present,offline,cpuN/topology/...}
//   /sys/devices/system/node/{online,possible,has_cpu,has_memory,node0/{cpulist,cpumap,meminfo}}
//   /sys/kernel/mm/transparent_hugepage/{enabled,defrag,hpage_pmd_size}
// vmlab models one memory node: node0 holds every CPU and all RAM.
#pragma once

#include <cstdint>
#include <string>

namespace vmlab::os {

class Kernel;

// Fills the kernel file system's (empty) /sys.
void populate_sysfs(Kernel& kernel);

// A CPU list as sysfs writes it: "0", "0-3".
std::string cpu_list(uint32_t cpus);

}  // namespace vmlab::os

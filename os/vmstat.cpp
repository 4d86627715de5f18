#include "os/vmstat.h"

#include "os/kernel.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;

}  // namespace

std::vector<VmstatEntry> vmstat(const Kernel& kernel) {
  const FrameAllocator& frames = kernel.frames();
  const ReclaimStats& r = kernel.reclaim().stats();
  const ProcessCounters c = kernel.totals();
  const HugePageCounters& huge = kernel.huge_pages();
  const uint64_t file_reads = c.major_faults - c.swap_ins;
  return {
      {"nr_free_pages", frames.free_frames()},
      {"nr_anon_pages", frames.in_use(FrameUse::kAnonymous)},
      {"nr_file_pages", frames.in_use(FrameUse::kFile)},
      {"nr_page_table_pages", frames.in_use(FrameUse::kPageTable)},
      {"pgpgin", (file_reads + c.swap_ins) * kKibPerPage},
      {"pgpgout", (r.swap_outs + r.file_writebacks) * kKibPerPage},
      {"pswpin", r.swap_ins},
      {"pswpout", r.swap_outs},
      {"pgfault", c.minor_faults + c.major_faults},
      {"pgmajfault", c.major_faults},
      {"pgscan_kswapd", 0},
      {"pgscan_direct", r.scanned},
      {"pgscan", r.scanned},
      {"pgsteal_kswapd", 0},
      {"pgsteal_direct", r.evictions},
      {"pgsteal", r.evictions},
      {"workingset_refault", r.refaults},
      {"workingset_refault_anon", r.refaults - r.refaults_file},
      {"workingset_refault_file", r.refaults_file},
      {"oom_kill", r.oom_kills},
      {"thp_fault_alloc", huge.huge_faults},
      {"thp_split_page", huge.huge_splits},
  };
}

std::string vmstat_text(const Kernel& kernel) {
  std::string out;
  for (const VmstatEntry& e : vmstat(kernel))
    out += std::string(e.name) + " " + std::to_string(e.value) + "\n";
  return out;
}

}  // namespace vmlab::os

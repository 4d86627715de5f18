#include "os/vmstat.h"

#include "os/kernel.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;

}  // namespace

std::vector<VmstatEntry> vmstat(const Kernel& kernel) {
  const FrameAllocator& frames = kernel.frames();
  const ReclaimStats& r = kernel.reclaim().stats();
  const ProcessCounters c = kernel.tasks().totals();
  const HugePageCounters& huge = kernel.huge_pages();
  const uint64_t file_reads = c.major_faults - c.swap_ins;
  return {
      {"nr_free_pages", frames.free_frames(), "free frames"},
      {"nr_anon_pages", frames.in_use(FrameUse::kAnonymous), "frames of anonymous memory"},
      {"nr_file_pages", frames.in_use(FrameUse::kFile), "frames of the page cache"},
      {"nr_page_table_pages", frames.in_use(FrameUse::kPageTable), "frames holding page tables"},
      {"pgpgin", (file_reads + c.swap_ins) * kKibPerPage, "KiB read from the swap and file device"},
      {"pgpgout", (r.swap_outs + r.file_writebacks) * kKibPerPage,
       "KiB written to the swap and file device"},
      {"pswpin", r.swap_ins, "pages swapped in"},
      {"pswpout", r.swap_outs, "pages swapped out"},
      {"pgfault", c.minor_faults + c.major_faults, "page faults, minor and major"},
      {"pgmajfault", c.major_faults, "major page faults"},
      {"pgscan_kswapd", 0, "0: vmlab has no kswapd"},
      {"pgscan_direct", r.scanned, "pages scanned by direct reclaim"},
      {"pgscan", r.scanned, "pages scanned for reclaim"},
      {"pgsteal_kswapd", 0, "0: vmlab has no kswapd"},
      {"pgsteal_direct", r.evictions, "pages evicted by direct reclaim"},
      {"pgsteal", r.evictions, "pages evicted"},
      {"workingset_refault", r.refaults, "faults on pages evicted earlier"},
      {"workingset_refault_anon", r.refaults - r.refaults_file, "refaults of anonymous pages"},
      {"workingset_refault_file", r.refaults_file, "refaults of file pages"},
      {"oom_kill", r.oom_kills, "processes the OOM killer ended"},
      {"thp_fault_alloc", huge.huge_faults, "2 MiB pages mapped by a fault"},
      {"thp_split_page", huge.huge_splits, "2 MiB pages split"},
  };
}

std::string vmstat_text(const Kernel& kernel) {
  std::string out;
  for (const VmstatEntry& e : vmstat(kernel))
    out += std::string(e.name) + " " + std::to_string(e.value) + "\n";
  return out;
}

}  // namespace vmlab::os

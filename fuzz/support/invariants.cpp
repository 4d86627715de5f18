#include "fuzz/support/invariants.h"

#include "fuzz/support/guest_machine.h"
#include "fuzz/support/report.h"
#include "mmu/format.h"
#include "os/memory_invariants.h"

#include <vector>

namespace vmlab::fuzz {

namespace {

const char* use_name(os::FrameUse use) {
  switch (use) {
    case os::FrameUse::kFree:
      return "free";
    case os::FrameUse::kKernel:
      return "kernel";
    case os::FrameUse::kZero:
      return "zero";
    case os::FrameUse::kPageTable:
      return "page-table";
    case os::FrameUse::kAnonymous:
      return "anonymous";
    case os::FrameUse::kFile:
      return "file";
  }
  return "?";
}

// Frames that are not as they were at boot: "pfn use refcount mappings" lines.
std::string leaked_frames(os::FrameAllocator& frames) {
  std::string out;
  const os::FrameTable& table = frames.table();
  for (uint64_t i = 0; i < table.size(); ++i) {
    const mmu::Pfn pfn = table.pfn_at(i);
    const os::Frame& f = table[pfn];
    const bool boot_state = f.use == os::FrameUse::kKernel ||
                            (f.use == os::FrameUse::kZero && pfn == frames.zero_frame()) ||
                            (f.use == os::FrameUse::kFree && f.refcount == 0);
    if (boot_state && f.rmap.empty()) continue;
    out += "  frame " + mmu::hex(pfn.value) + " " + use_name(f.use) + " refcount " +
           std::to_string(f.refcount) + " mappings " + std::to_string(f.rmap.size()) + "\n";
  }
  return out;
}

}  // namespace

void check_bookkeeping(GuestMachine& machine, const std::string& context) {
  const std::vector<std::string> problems = os::check_memory_invariants(machine.kernel());
  if (problems.empty()) return;
  std::string dump;
  for (const std::string& p : problems)
    dump += "  " + p + "\n";
  fail("memory bookkeeping inconsistent (" + context + "):\n" + dump);
}

void shut_down_and_check(GuestMachine& machine, const std::string& context) {
  check_bookkeeping(machine, context);
  os::Kernel& kernel = machine.kernel();
  kernel.shutdown();
  std::string problems;
  if (!kernel.tasks().all().empty())
    problems += std::to_string(kernel.tasks().all().size()) + " processes survive shutdown\n";
  os::FrameAllocator& frames = kernel.frames();
  if (frames.free_frames() != kernel.frames_free_at_start())
    problems += "free frames " + std::to_string(frames.free_frames()) + ", at boot " +
                std::to_string(kernel.frames_free_at_start()) + "\n";
  const std::string leaked = leaked_frames(frames);
  if (!leaked.empty()) problems += "frames not in their boot state:\n" + leaked;
  if (kernel.page_cache().pages() != 0)
    problems += std::to_string(kernel.page_cache().pages()) + " page-cache pages survive\n";
  if (const os::SwapDevice* swap = kernel.reclaim().swap(); swap != nullptr && swap->used() != 0)
    problems += std::to_string(swap->used()) + " swap slots still in use\n";
  if (!problems.empty()) fail("after shutdown (" + context + "):\n" + problems);
}

}  // namespace vmlab::fuzz

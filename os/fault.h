// The page-fault handler: classify the fault, then resolve it with one small function per
// kind (zero fill, file read, copy-on-write, swap-in), or decide that the access is invalid.
#pragma once

#include <cstdint>

#include "mmu/paging.h"
#include "os/kernel_events.h"

namespace vmlab::os {

class FrameAllocator;
class MemoryLimits;
class PageCache;
class Process;
class SwapIn;
struct KernelConfig;
struct Vma;

struct FaultRequest {
  uint64_t address = 0;
  mmu::Access access = mmu::Access::kRead;
  bool protection = false;    // the error code's P bit: the page was present
  bool user = true;           // user-mode access (false: the kernel touching user memory)
  bool reserved_bit = false;  // the error code's RSVD bit
};

struct FaultResult {
  FaultResolution resolution;
  uint64_t old_pfn = 0;
  uint64_t new_pfn = 0;
};

class FaultHandler {
 public:
  // `config` says whether the zero page and huge pages are used, and which limits apply.
  FaultHandler(const KernelConfig& config, FrameAllocator& frames, PageCache& page_cache,
               MemoryLimits& limits, SwapIn& swap_in)
      : config_(config),
        frames_(frames),
        page_cache_(page_cache),
        limits_(limits),
        swap_in_(swap_in) {}

  FaultResult handle(Process& process, const FaultRequest& request);

 private:
  const Vma* find_or_grow_stack(Process& process, uint64_t address);
  FaultResult anonymous_fault(Process& process, const Vma& vma, uint64_t page, mmu::Access access);
  FaultResult file_fault(Process& process, const Vma& vma, uint64_t page, mmu::Access access);
  FaultResult write_protect_fault(Process& process, const Vma& vma, uint64_t page);
  bool huge_page_applies(const Vma& vma, uint64_t page) const;
  static constexpr unsigned kHugeOrder = 9;  // 512 frames: one 2 MiB page

  const KernelConfig& config_;
  FrameAllocator& frames_;
  PageCache& page_cache_;
  MemoryLimits& limits_;
  SwapIn& swap_in_;
};

// Whether a VMA's protection allows an access (x86 cannot express execute-only or write-only:
// PROT_EXEC and PROT_WRITE imply read, as on Linux).
bool vma_allows(const Vma& vma, mmu::Access access);

}  // namespace vmlab::os

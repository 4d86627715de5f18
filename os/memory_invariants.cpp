#include "os/memory_invariants.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <optional>

#include "mmu/format.h"
#include "os/kernel.h"
#include "os/pte_encoding.h"
#include "os/residency.h"

namespace vmlab::os {
namespace {

using mmu::Pfn;

const char* use_name(FrameUse use) {
  switch (use) {
    case FrameUse::kFree:
      return "free";
    case FrameUse::kKernel:
      return "kernel";
    case FrameUse::kZero:
      return "zero page";
    case FrameUse::kPageTable:
      return "page table";
    case FrameUse::kAnonymous:
      return "anonymous";
    case FrameUse::kFile:
      return "file";
  }
  return "?";
}

std::string frame_name(Pfn pfn, const Frame& f) {
  return "frame " + mmu::hex(pfn.value) + " (" + use_name(f.use) + ", refcount " +
         std::to_string(f.refcount) + ", " + std::to_string(f.rmap.size()) + " mappings)";
}

// What the page tables, the page cache and the swap cache say about memory.
struct Observed {
  std::vector<bool> reachable;                      // by frame index
  std::map<uint64_t, std::vector<Mapping>> mapped;  // pfn -> PTEs mapping it
  std::map<uint64_t, uint32_t> slot_references;     // swap slot -> swap entries + cache
};

class Checker {
 public:
  explicit Checker(Kernel& kernel) : kernel_(kernel), frames_(kernel.frames()) {
    seen_.reachable.assign(frames_.total_frames(), false);
  }

  std::vector<std::string> run() {
    for (Process* process : kernel_.memory_holders())
      observe_space(process->tgid(), process->space());
    kernel_.page_cache().for_each_frame(
        [&](Pfn pfn) { reach(pfn, FrameUse::kFile, "page cache"); });
    if (SwapDevice* swap = kernel_.reclaim().swap()) {
      for (const auto& [slot, pfn] : swap->swap_cache()) {
        reach(pfn, FrameUse::kAnonymous, "swap cache");
        ++seen_.slot_references[slot];  // the cache's reference on the slot
      }
    }
    check_frames();
    check_swap();
    return std::move(violations_);
  }

 private:
  void observe_space(int pid, AddressSpace& space) {
    check_counters(pid, space);
    space.for_each_table([&](mmu::PhysAddr table) {
      reach(Pfn{table}, FrameUse::kPageTable, "pid " + std::to_string(pid) + "'s page tables");
    });
    uint64_t huge_leaves = 0;
    space.for_each_leaf([&](uint64_t va, mmu::Pte e) {
      // A PROT_NONE entry still maps its frame (P is clear only so that every access faults).
      if (!holds_frame(e)) {
        if (non_present_kind(e) == NonPresentKind::kSwap) ++seen_.slot_references[swap_slot_of(e)];
        return;
      }
      const Pfn pfn = e.pfn();
      if (pfn == frames_.zero_frame()) return;  // shared by everyone, not reverse-mapped
      const std::string where = "pid " + std::to_string(pid) + " va " + mmu::hex(va);
      reach(pfn, std::nullopt, where);
      seen_.mapped[pfn.value].push_back(Mapping{&space, va});
      if (!e.page_size()) return;
      ++huge_leaves;  // a 2 MiB page: the head carries the mapping, the tails are its body
      for (uint64_t i = 1; i < mmu::Pte::kEntriesPerTable; ++i)
        reach(Pfn{pfn.value + i}, FrameUse::kAnonymous, where + " (huge page)");
    });
    // Every search for huge leaves to split (fork, mprotect, munmap) is skipped while the
    // count is zero.
    if (huge_leaves != space.stats().huge)
      violations_.push_back("pid " + std::to_string(pid) + " counts " +
                            std::to_string(space.stats().huge) +
                            " huge pages, its page tables hold " + std::to_string(huge_leaves));
  }

  // Marks a frame as referred to by `where`, which expects it to hold `use`.
  void reach(Pfn pfn, std::optional<FrameUse> use, const std::string& where) {
    if (!frames_.is_ram(pfn)) {
      violations_.push_back(where + " refers to " + mmu::hex(pfn.value) + ", outside RAM");
      return;
    }
    const Frame& f = frames_.frame(pfn);
    if (f.use == FrameUse::kFree || (use && f.use != *use))
      violations_.push_back(where + " refers to " + frame_name(pfn, f) + ", expected " +
                            (use ? use_name(*use) : "a frame in use"));
    seen_.reachable[pfn.value - frames_.table().first().value] = true;
  }

  // The counters kept as entries change agree with the definition they are counted by.
  void check_counters(int pid, const AddressSpace& space) {
    const ResidentSet counted = resident_set(frames_, space);
    const AddressSpaceStats& kept = space.stats();
    if (counted.rss() != kept.resident || counted.swapped != kept.swapped)
      violations_.push_back("pid " + std::to_string(pid) + " keeps " +
                            std::to_string(kept.resident) + " resident and " +
                            std::to_string(kept.swapped) + " swapped pages, its page tables hold " +
                            std::to_string(counted.rss()) + " and " +
                            std::to_string(counted.swapped));
  }

  void check_frames() {
    const FrameTable& table = frames_.table();
    uint64_t free = 0;
    std::array<uint64_t, kFrameUses> by_use{};
    for (uint64_t i = 0; i < table.size(); ++i) {
      const Pfn pfn = table.pfn_at(i);
      const Frame& f = frames_.frame(pfn);
      ++by_use[static_cast<size_t>(f.use)];
      if (f.use == FrameUse::kFree) {
        ++free;
        continue;
      }
      if (f.use == FrameUse::kKernel || f.use == FrameUse::kZero) continue;
      if (!seen_.reachable[i]) {
        violations_.push_back(frame_name(pfn, f) + " is in use but nothing refers to it (leak)");
        continue;
      }
      check_reverse_map(pfn, f);
    }
    if (free != frames_.free_frames())
      violations_.push_back("the buddy allocator has " + std::to_string(frames_.free_frames()) +
                            " free frames but the frame table marks " + std::to_string(free));
    for (size_t use = 1; use < kFrameUses; ++use) {  // every use but free
      const uint64_t counted = frames_.in_use(static_cast<FrameUse>(use));
      if (counted != by_use[use])
        violations_.push_back("the allocator counts " + std::to_string(counted) + " " +
                              use_name(static_cast<FrameUse>(use)) +
                              " frames but the frame table marks " + std::to_string(by_use[use]));
    }
  }

  void check_reverse_map(Pfn pfn, const Frame& f) {
    auto it = seen_.mapped.find(pfn.value);
    std::vector<Mapping> expected = it == seen_.mapped.end() ? std::vector<Mapping>{} : it->second;
    std::vector<Mapping> actual = f.rmap;
    const auto order = [](const Mapping& a, const Mapping& b) {
      return a.space != b.space ? std::less<const AddressSpace*>()(a.space, b.space) : a.va < b.va;
    };
    std::sort(expected.begin(), expected.end(), order);
    std::sort(actual.begin(), actual.end(), order);
    if (expected != actual)
      violations_.push_back(frame_name(pfn, f) + ": its reverse map lists " +
                            std::to_string(actual.size()) + " mappings, the page tables hold " +
                            std::to_string(expected.size()));
    if (f.use == FrameUse::kPageTable) {
      if (f.refcount != 1)
        violations_.push_back(frame_name(pfn, f) + ": a page table has one owner");
      return;
    }
    // The tails of a huge page hold one reference each and no mapping of their own.
    if (f.rmap.empty() && f.use == FrameUse::kAnonymous && it == seen_.mapped.end()) return;
    const uint64_t owners = f.rmap.size() + (f.use == FrameUse::kFile ? 1 : 0);
    if (f.refcount != owners)
      violations_.push_back(frame_name(pfn, f) + ": expected " + std::to_string(owners) +
                            " references (one per mapping" +
                            (f.use == FrameUse::kFile ? " and the page cache's)" : ")"));
  }

  void check_swap() {
    SwapDevice* swap = kernel_.reclaim().swap();
    if (swap == nullptr) {
      if (!seen_.slot_references.empty())
        violations_.push_back("swap entries exist but there is no swap device");
      return;
    }
    uint64_t used = 0;
    for (uint64_t slot = 0; slot < swap->slots(); ++slot) {
      const uint32_t refs = swap->references(slot);
      if (refs != 0) ++used;
      auto it = seen_.slot_references.find(slot);
      const uint32_t expected = it == seen_.slot_references.end() ? 0 : it->second;
      if (refs != expected)
        violations_.push_back("swap slot " + std::to_string(slot) + " has " + std::to_string(refs) +
                              " references, but " + std::to_string(expected) +
                              " entries and caches refer to it" +
                              (expected == 0 ? " (no owner)" : ""));
    }
    if (used != swap->used())
      violations_.push_back("the swap device counts " + std::to_string(swap->used()) +
                            " used slots but " + std::to_string(used) + " are referenced");
  }

  Kernel& kernel_;
  const FrameAllocator&
      frames_;  // const: reading untouched frames must not allocate their metadata
  Observed seen_;
  std::vector<std::string> violations_;
};

}  // namespace

std::vector<std::string> check_memory_invariants(Kernel& kernel) {
  return Checker(kernel).run();
}

}  // namespace vmlab::os

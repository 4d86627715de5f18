// A textbook paging simulator for the replacement policies of os/replacement: N frames, a
// reference string of pages, a fault whenever the page is not in a frame. It drives a policy
// exactly as the kernel does (on_load when a frame is filled, choose when none is free,
// on_release for the victim, on_refault for a page evicted before, on_access for every
// reference) and plays the hardware's part: a reference sets the page's Accessed bit, a write
// its Dirty bit.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "os/replacement/policy.h"

namespace vmlab::testing {

struct PageReference {
  uint64_t page = 0;
  bool write = false;
};

// Reads of the given pages.
std::vector<PageReference> reads(const std::vector<uint64_t>& pages);

struct Simulation {
  uint64_t faults = 0;
  std::vector<uint64_t> victims;  // evicted pages, in order
};

class PolicySimulator final : public os::PageInspector {
 public:
  static constexpr int kPid = 1;

  PolicySimulator(os::ReplacementPolicy& policy, uint64_t frames);
  Simulation run(const std::vector<PageReference>& references);

  // PageInspector
  bool test_and_clear_referenced(mmu::Pfn frame) override;
  bool referenced(mmu::Pfn frame) const override { return state(frame).accessed; }
  bool dirty(mmu::Pfn frame) const override { return state(frame).dirty; }
  uint64_t now() const override { return now_; }
  uint64_t loaded_at(mmu::Pfn frame) const override { return state(frame).loaded_at; }
  uint64_t last_access(mmu::Pfn frame) const override { return state(frame).last_access; }
  int owner(mmu::Pfn) const override { return kPid; }
  std::vector<std::pair<int, uint64_t>> mappings(mmu::Pfn frame) const override;

 private:
  struct FrameState {
    bool used = false;
    uint64_t page = 0;
    bool accessed = false, dirty = false;
    uint64_t loaded_at = 0, last_access = 0;
  };
  const FrameState& state(mmu::Pfn f) const { return frames_.at(f.value - 1); }
  FrameState& state(mmu::Pfn f) { return frames_.at(f.value - 1); }
  mmu::Pfn fault(uint64_t page, Simulation& result);

  os::ReplacementPolicy& policy_;
  std::vector<FrameState> frames_;         // frame numbers start at 1 (0 means none)
  std::map<uint64_t, mmu::Pfn> resident_;  // page -> frame
  std::map<uint64_t, uint64_t> shadows_;   // evicted page -> eviction number
  uint64_t evictions_ = 0;
  uint64_t now_ = 0;
};

}  // namespace vmlab::testing

// What the replacement policy knows of pages (the LRU side of Linux's mm/swap.c and the
// referenced-bit harvest of mm/rmap.c's folio_referenced): it owns the policy, tells it of
// every page loaded, accessed and released, records the reference string (--record-refs), and
// answers its questions about a frame through the reverse map (PageInspector).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "os/frame_allocator.h"
#include "os/replacement/policy.h"
#include "os/replacement/reference_string.h"

namespace vmlab::os {

class PageTracker final : public PageInspector {
 public:
  // `clock` is the machine's count of instructions retired.
  PageTracker(FrameAllocator& frames, std::function<uint64_t()> clock,
              std::unique_ptr<ReplacementPolicy> policy);

  ReplacementPolicy& policy() { return *policy_; }
  const ReplacementPolicy& policy() const { return *policy_; }
  // Installs another policy (one built after the machine, like a Lua policy of `vmlab run`).
  // Only before the first page is loaded: the new policy must see every page from its load.
  void replace_policy(std::unique_ptr<ReplacementPolicy> policy);
  void record_references(const std::string& path);

  // A page-cache or anonymous frame came or went (other uses are not the policy's).
  void loaded(mmu::Pfn frame, FrameUse use);
  void released(mmu::Pfn frame, const Frame& state);
  // Per-access tracking for LRU and OPT, and --record-refs.
  bool wants_accesses() const { return policy_->wants_accesses() || recorder_ != nullptr; }
  void on_access(mmu::Pfn frame, int pid, uint64_t va);

  // PageInspector
  bool test_and_clear_referenced(mmu::Pfn frame) override;
  bool referenced(mmu::Pfn frame) const override;
  bool dirty(mmu::Pfn frame) const override;
  uint64_t now() const override { return clock_(); }
  uint64_t loaded_at(mmu::Pfn frame) const override;
  uint64_t last_access(mmu::Pfn frame) const override;
  int owner(mmu::Pfn frame) const override;
  std::vector<std::pair<int, uint64_t>> mappings(mmu::Pfn frame) const override;

 private:
  FrameAllocator& frames_;
  std::function<uint64_t()> clock_;
  std::unique_ptr<ReplacementPolicy> policy_;
  std::unique_ptr<ReferenceString> recorder_;
  bool pages_loaded_ = false;  // a policy has seen on_load
};

}  // namespace vmlab::os

// Page replacement policies: the policy decides which resident page to evict, the reclaimer
// (os/reclaim.*) carries the eviction out. Policies see frames, their Accessed/Dirty bits
// (through the reverse map) and their history; they never touch page tables themselves.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmu/address.h"

namespace vmlab::os {

struct Mapping;

// What a policy may ask about a resident page. Harvesting an Accessed bit clears it in every
// PTE that maps the frame and invalidates those translations, as Linux's page_referenced().
class PageInspector {
 public:
  virtual ~PageInspector() = default;
  virtual bool test_and_clear_referenced(mmu::Pfn frame) = 0;
  virtual bool referenced(mmu::Pfn frame) const = 0;
  virtual bool dirty(mmu::Pfn frame) const = 0;
  virtual uint64_t now() const = 0;  // instructions retired by the machine
  virtual uint64_t loaded_at(mmu::Pfn frame) const = 0;
  virtual uint64_t last_access(mmu::Pfn frame) const = 0;  // exact, with per-access tracking
  virtual int owner(mmu::Pfn frame) const = 0;             // pid of the first mapper, or 0
  virtual std::vector<std::pair<int, uint64_t>> mappings(mmu::Pfn frame) const = 0;  // (pid, va)
};

using Eligible = std::function<bool(mmu::Pfn)>;

class ReplacementPolicy {
 public:
  virtual ~ReplacementPolicy() = default;
  virtual std::string_view name() const = 0;

  // A page became resident (allocated for user data or the page cache).
  virtual void on_load(mmu::Pfn frame) = 0;
  // A page left memory (evicted or freed).
  virtual void on_release(mmu::Pfn frame) = 0;
  // Policies that need every access (exact LRU, OPT) say so; the kernel then reports each one
  // (full model only).
  virtual bool wants_accesses() const { return false; }
  virtual void on_access(mmu::Pfn /*frame*/, int /*pid*/, uint64_t /*va*/) {}
  // A fault brought back a page evicted `distance` evictions ago (two-list refault detection).
  virtual void on_refault(mmu::Pfn /*frame*/, uint64_t /*distance*/) {}

  // The victim among the eligible resident pages, or nullopt when none is eligible.
  virtual std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) = 0;
};

struct PolicyOptions {
  uint64_t seed = 1;
  std::string opt_references;  // OPT: the reference string recorded by --record-refs
};

// "fifo", "clock", "nru", "lru", "random", "two-list", "opt". Throws std::invalid_argument for
// an unknown name, or for OPT without a reference file.
std::unique_ptr<ReplacementPolicy> make_policy(std::string_view name, const PolicyOptions& options);
std::vector<std::string_view> policy_names();

}  // namespace vmlab::os

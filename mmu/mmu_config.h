// Geometry of the translation hardware: TLB arrays per level, paging-structure caches and the
// latencies used for the translation-cycles estimate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "mmu/paging.h"
#include "mmu/tlb.h"

namespace vmlab::mmu {

enum class TlbLevel : uint8_t { kL1i, kL1d, kL2 };
inline constexpr int kTlbLevels = 3;
constexpr std::string_view tlb_level_name(TlbLevel level) {
  return level == TlbLevel::kL1i ? "l1i" : level == TlbLevel::kL1d ? "l1d" : "l2";
}

struct PscConfig {
  uint32_t pml4e_entries = 2;
  uint32_t pdpte_entries = 4;
  uint32_t pde_entries = 32;
};

struct Latencies {
  uint32_t l1_hit = 1;       // cycles for a translation that hits the first level
  uint32_t l2_hit = 8;       // added when the first level misses and the second hits
  uint32_t memory_ref = 25;  // per paging-structure entry read by a walk
};

struct MmuConfig {
  std::vector<TlbArrayConfig> arrays[kTlbLevels];
  PscConfig psc;
  Latencies cycles;
  uint64_t seed = 1;  // seeds random replacement in every array

  std::vector<TlbArrayConfig>& level(TlbLevel l) { return arrays[static_cast<int>(l)]; }
  const std::vector<TlbArrayConfig>& level(TlbLevel l) const { return arrays[static_cast<int>(l)]; }

  // A recent x86-64 core (Skylake-like): L1 ITLB 128x8 (4K) + 8 (2M), L1 DTLB 64x4 (4K) +
  // 32x4 (2M) + 4 (1G), unified STLB 1536x12 (4K+2M) + 16x4 (1G), PSCs 2/4/32.
  static MmuConfig defaults();

  // Applies a --tlb specification to this config, e.g.
  //   "l1d.4k=64x4/lru,l1d.2m+1g=32x4,l2.4k+2m=1536x12/plru,psc.pde=32,cycles.memory_ref=30"
  // A level named in the spec is defined entirely by the arrays listed for it; "l2=none"
  // removes a level; "psc=off" removes the paging-structure caches. Throws
  // std::invalid_argument with a message naming the offending item.
  void apply_spec(std::string_view spec);

  // One line per array, e.g. "l1d.4k  64 entries, 4-way, lru", for --help and reports.
  std::string describe() const;
};

}  // namespace vmlab::mmu

// Test support for TLB arrays: compact constructors for configs and fills.
#pragma once

#include "mmu/tlb.h"

namespace vmlab::mmu::testing {

inline TlbArrayConfig tlb_config(uint32_t entries, uint32_t ways,
                                 Replacement replacement = Replacement::kLru,
                                 uint8_t sizes = 1u << static_cast<unsigned>(PageSize::k4K)) {
  TlbArrayConfig c;
  c.name = "test";
  c.entries = entries;
  c.ways = ways;
  c.replacement = replacement;
  c.page_sizes = sizes;
  return c;
}

// A 4 KiB translation of virtual page `vpn` to frame `vpn + 1000`, user read/write.
inline TlbFill page(uint64_t vpn, bool global = false) {
  return TlbFill{Vpn{vpn}.address(),
                 PageSize::k4K,
                 Pfn{vpn + 1000}.address(),
                 Permissions{true, true, true},
                 global,
                 false};
}

}  // namespace vmlab::mmu::testing

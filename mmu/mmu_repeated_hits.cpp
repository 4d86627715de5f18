// Repeated hits (mmu.h): which MMUs may count them, and folding them into the statistics.
#include "mmu/mmu.h"

namespace vmlab::mmu {

void Mmu::recompute_repeatable() {
  repeatable_ = observer_ == nullptr;
  for (int l1 : {kL1iIndex, kL1dIndex}) {
    const TlbArray* first = first_array_[l1];
    if (first == nullptr || first->replacement() == Replacement::kCustom) repeatable_ = false;
  }
}

void Mmu::fold_repeated_hits() {
  // Exactly what the inline hit path of translate() does, `n` times.
  for (int a = 0; a < kAccessKinds; ++a) {
    const uint64_t n = repeated_[a];
    if (n == 0) continue;
    repeated_[a] = 0;
    const int l1 = static_cast<Access>(a) == Access::kFetch ? kL1iIndex : kL1dIndex;
    counters_.translations[a] += n;
    counters_.levels[l1].hits += n;
    counters_.levels[l1].hits_by[a] += n;
    array_hits_[l1][0] += n;
    counters_.cycles += n * config_.cycles.l1_hit;
    first_array_[l1]->repeat_last_hit(n);
  }
}

}  // namespace vmlab::mmu

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

void Mmu::fold_repeated_hits(RepeatPath path) {
  // Exactly what the inline hit path of translate() does, `n` times.
  const int l1 = path == kFetchPath ? kL1iIndex : kL1dIndex;
  for (Access access : {Access::kFetch, Access::kRead, Access::kWrite}) {
    const int a = static_cast<int>(access);
    const uint64_t n = repeated_[a];
    if (n == 0 || (access == Access::kFetch) != (path == kFetchPath)) continue;
    repeated_[a] = 0;
    counters_.translations[a] += n;
    counters_.levels[l1].hits += n;
    counters_.levels[l1].hits_by[a] += n;
    array_hits_[l1][0] += n;
    counters_.cycles += n * config_.cycles.l1_hit;
    first_array_[l1]->repeat_last_hit(n);
  }
}

}  // namespace vmlab::mmu

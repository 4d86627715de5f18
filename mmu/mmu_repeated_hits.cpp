// Repeated hits (mmu.h): which MMUs may count them, and folding them into the statistics.
#include "mmu/mmu.h"

#include <utility>

namespace vmlab::mmu {

void Mmu::recompute_repeatable() {
  repeatable_ = observer_ == nullptr;
  for (int l1 : {kL1iIndex, kL1dIndex}) {
    const TlbArray* first = first_array_[l1];
    if (first == nullptr || first->replacement() == Replacement::kCustom) repeatable_ = false;
  }
}

void Mmu::fold_repeated_hits(RepeatPath path) {
  // Exactly what the inline hit path of translate() does, once per repeated hit. The counters
  // only add up; the replacement state needs the order: the hits since run_start were on
  // page[0], and the run_start hits before them ended with one on page[1].
  const int l1 = path == kFetchPath ? kL1iIndex : kL1dIndex;
  LevelCounters& c = counters_.levels[l1];
  uint64_t total = 0;
  auto fold = [&](Access access) {
    const int a = static_cast<int>(access);
    const uint64_t n = std::exchange(repeated_[a], 0);
    counters_.translations[a] += n;
    c.hits_by[a] += n;
    total += n;
  };
  // The path's access kinds (kPathAccesses) by name: no loop over the others.
  if (path == kFetchPath) {
    fold(Access::kFetch);
  } else {
    fold(Access::kRead);
    fold(Access::kWrite);
  }
  Repeats& r = repeats_[path];
  const uint64_t run = total - r.run_start;
  if (total != 0) {
    c.hits += total;
    array_hits_[l1][0] += total;
    counters_.cycles += total * config_.cycles.l1_hit;
    first_array_[l1]->repeat_recent_hits(r.swapped, r.run_start, run);
  }
  r.run_start = 0;
  r.swapped = false;
}

}  // namespace vmlab::mmu

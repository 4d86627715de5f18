// Policies over one queue of resident pages in load order: FIFO, second-chance CLOCK, the
// enhanced CLOCK (NRU) that also prefers clean pages, and seeded random.
#include <algorithm>
#include <bit>
#include <map>
#include <optional>
#include <vector>

#include "mmu/random.h"
#include "os/replacement/policies.h"

namespace vmlab::os {

namespace {

// Resident pages in load order, with O(1) removal: a doubly linked list threaded through
// arrays indexed by frame number (8 bytes a frame, no allocation per page), with a clock hand.
class LoadOrder {
 public:
  void push(mmu::Pfn f) {
    const auto i = index(f);
    if (i >= next_.size()) {
      next_.resize(i + 1, kNone);
      prev_.resize(i + 1, kNone);
    }
    prev_[i] = tail_;
    next_[i] = kNone;
    (tail_ == kNone ? head_ : next_[tail_]) = i;
    tail_ = i;
    ++size_;
  }
  void erase(mmu::Pfn f) {
    const auto i = index(f);
    if (i >= next_.size() || (prev_[i] == kNone && head_ != i)) return;  // not in the list
    if (hand_ == i) hand_ = next_[i];
    (prev_[i] == kNone ? head_ : next_[prev_[i]]) = next_[i];
    (next_[i] == kNone ? tail_ : prev_[next_[i]]) = prev_[i];
    prev_[i] = next_[i] = kNone;
    --size_;
  }
  size_t size() const { return size_; }
  // The first page, oldest first, that `pred` accepts.
  template <typename Pred>
  std::optional<mmu::Pfn> find_first(Pred&& pred) const {
    for (uint32_t i = head_; i != kNone; i = next_[i])
      if (pred(mmu::Pfn{i})) return mmu::Pfn{i};
    return std::nullopt;
  }
  // The clock hand: the next page to examine, wrapping around (nullopt when empty).
  std::optional<mmu::Pfn> at_hand() {
    if (hand_ == kNone) hand_ = head_;
    if (hand_ == kNone) return std::nullopt;
    return mmu::Pfn{hand_};
  }
  void advance() {
    if (hand_ != kNone) hand_ = next_[hand_];
  }
  // Moves the hand just past `f` (a page in the list).
  void set_hand_after(mmu::Pfn f) { hand_ = next_[index(f)]; }

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};
  static uint32_t index(mmu::Pfn f) { return static_cast<uint32_t>(f.value); }

  std::vector<uint32_t> next_, prev_;
  uint32_t head_ = kNone, tail_ = kNone, hand_ = kNone;
  size_t size_ = 0;
};

// Moves the hand at most `steps` places and returns the first eligible page whose Accessed
// bit was clear; the referenced pages it passes lose their bit. The hand stops past the page.
std::optional<mmu::Pfn> second_chance(LoadOrder& ring, PageInspector& pages,
                                      const Eligible& eligible, size_t steps) {
  for (size_t step = 0; step < steps; ++step) {
    const std::optional<mmu::Pfn> hand = ring.at_hand();
    if (!hand) return std::nullopt;
    const mmu::Pfn f = *hand;
    ring.advance();
    if (eligible(f) && !pages.test_and_clear_referenced(f)) return f;
  }
  return std::nullopt;
}

class Fifo final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "fifo"; }
  void on_load(mmu::Pfn f) override { queue_.push(f); }
  void on_release(mmu::Pfn f) override { queue_.erase(f); }
  std::optional<mmu::Pfn> choose(PageInspector&, const Eligible& eligible) override {
    return queue_.find_first(eligible);
  }

 private:
  LoadOrder queue_;
};

// Second chance: a referenced page loses its Accessed bit and is passed over once.
class Clock final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "clock"; }
  void on_load(mmu::Pfn f) override { ring_.push(f); }
  void on_release(mmu::Pfn f) override { ring_.erase(f); }
  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    // Two turns clear every Accessed bit; the step after them finds a page if any is eligible.
    return second_chance(ring_, pages, eligible, 2 * ring_.size() + 1);
  }

 private:
  LoadOrder ring_;
};

// Enhanced CLOCK / NRU: classes by (referenced, dirty); the first sweep looks for (0,0)
// without clearing anything, the second for (0,1) while clearing A bits; then repeat.
// A resident page never becomes clean again (only the kernel clears D, and it does so when the
// page leaves memory), so the sweeps for a clean page visit only the pages not yet seen dirty,
// kept by their place in the ring: when most pages are dirty such a sweep costs a few
// lookups, not a page walk per resident page. Victims are exactly those of the plain sweep.
class Nru final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "nru"; }
  void on_load(mmu::Pfn f) override {
    ring_.push(f);
    if (f.value >= place_.size()) place_.resize(f.value + 1, 0);
    place_[f.value] = ++loads_;
    maybe_clean_.emplace(place_[f.value], f.value);
  }
  void on_release(mmu::Pfn f) override {
    ring_.erase(f);
    if (f.value < place_.size()) maybe_clean_.erase(place_[f.value]);
  }
  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    const size_t n = ring_.size();
    for (int round = 0; round < 4; ++round) {
      if (round % 2 == 0) {
        if (const auto f = first_clean_unreferenced(pages, eligible)) return f;
        continue;
      }
      if (const auto f = second_chance(ring_, pages, eligible, n)) return f;
    }
    return std::nullopt;
  }

 private:
  // The first eligible page from the hand round the ring that is neither referenced nor
  // dirty; the hand moves past it. Pages found dirty leave the set for good.
  std::optional<mmu::Pfn> first_clean_unreferenced(PageInspector& pages, const Eligible& eligible) {
    const std::optional<mmu::Pfn> hand = ring_.at_hand();
    if (!hand) return std::nullopt;
    const uint64_t from = place_[hand->value];
    for (int lap = 0; lap < 2; ++lap) {
      auto it = lap == 0 ? maybe_clean_.lower_bound(from) : maybe_clean_.begin();
      while (it != maybe_clean_.end() && (lap == 0 || it->first < from)) {
        const mmu::Pfn f{it->second};
        if (!eligible(f)) {
          ++it;
        } else if (pages.dirty(f)) {  // first: what is learnt here need not be learnt again
          it = maybe_clean_.erase(it);
        } else if (pages.referenced(f)) {
          ++it;
        } else {
          ring_.set_hand_after(f);
          return f;
        }
      }
    }
    return std::nullopt;
  }

  LoadOrder ring_;
  std::vector<uint64_t> place_;  // by frame: its load number (its place in the ring)
  uint64_t loads_ = 0;
  std::map<uint64_t, uint64_t> maybe_clean_;  // load number -> frame, of pages not seen dirty
};

// Resident frames as a set ordered by frame number with O(log n) "k-th smallest": a Fenwick
// tree of 0/1 counts indexed by frame.
class FrameSet {
 public:
  void insert(mmu::Pfn f) { add(f, 1); }
  void erase(mmu::Pfn f) {
    if (f.value < present_.size() && present_[f.value]) add(f, -1);
  }
  uint64_t size() const { return size_; }
  // The k-th frame in frame order (0-based, k < size()).
  mmu::Pfn kth(uint64_t k) const {
    size_t at = 0;
    for (size_t step = std::bit_floor(tree_.size()); step != 0; step >>= 1) {
      if (at + step <= tree_.size() && tree_[at + step - 1] <= k) {
        at += step;
        k -= tree_[at - 1];
      }
    }
    return mmu::Pfn{at};
  }

 private:
  // delta is +1 or -1 (as unsigned arithmetic: adding 2^64 - 1 subtracts one).
  void add(mmu::Pfn f, int delta) {
    const size_t i = f.value;
    if (i >= present_.size()) grow(i + 1);
    present_[i] = delta > 0;
    const auto d = static_cast<uint64_t>(static_cast<int64_t>(delta));
    size_ += d;
    for (size_t j = i + 1; j <= tree_.size(); j += j & (~j + 1))
      tree_[j - 1] += d;
  }
  // Rebuilt at twice the size: a Fenwick tree cannot simply be extended.
  void grow(size_t needed) {
    present_.resize(std::max(needed, 2 * present_.size()), false);
    tree_.assign(present_.size(), 0);
    for (size_t i = 0; i < present_.size(); ++i)
      if (present_[i])
        for (size_t j = i + 1; j <= tree_.size(); j += j & (~j + 1))
          ++tree_[j - 1];
  }

  std::vector<bool> present_;
  std::vector<uint64_t> tree_;  // tree_[j-1]: frames in (j - lowbit(j), j]
  uint64_t size_ = 0;
};

// A seeded random choice among the resident pages: a draw names the k-th resident frame in
// frame order (so the choice depends only on the seed and the set); an ineligible one is
// drawn again, a few times, before the eligible ones are listed.
class Random final : public ReplacementPolicy {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  std::string_view name() const override { return "random"; }
  void on_load(mmu::Pfn f) override { pages_.insert(f); }
  void on_release(mmu::Pfn f) override { pages_.erase(f); }
  std::optional<mmu::Pfn> choose(PageInspector&, const Eligible& eligible) override {
    if (pages_.size() == 0) return std::nullopt;
    for (int draw = 0; draw < kDraws; ++draw) {
      const mmu::Pfn f = pages_.kth(rng_.next() % pages_.size());
      if (eligible(f)) return f;
    }
    std::vector<mmu::Pfn> candidates;
    for (uint64_t k = 0; k < pages_.size(); ++k)
      if (const mmu::Pfn f = pages_.kth(k); eligible(f)) candidates.push_back(f);
    if (candidates.empty()) return std::nullopt;
    return candidates[rng_.next() % candidates.size()];
  }

 private:
  static constexpr int kDraws = 8;
  mmu::SplitMix64 rng_;
  FrameSet pages_;
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_fifo() {
  return std::make_unique<Fifo>();
}
std::unique_ptr<ReplacementPolicy> make_clock() {
  return std::make_unique<Clock>();
}
std::unique_ptr<ReplacementPolicy> make_nru() {
  return std::make_unique<Nru>();
}
std::unique_ptr<ReplacementPolicy> make_random(uint64_t seed) {
  return std::make_unique<Random>(seed);
}

}  // namespace vmlab::os

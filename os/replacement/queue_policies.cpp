// Policies over one queue of resident pages in load order: FIFO, second-chance CLOCK, the
// enhanced CLOCK (NRU) that also prefers clean pages, and seeded random.
#include <algorithm>
#include <optional>
#include <unordered_map>
#include <vector>

#include "os/random.h"
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

 private:
  static constexpr uint32_t kNone = ~uint32_t{0};
  static uint32_t index(mmu::Pfn f) { return static_cast<uint32_t>(f.value); }

  std::vector<uint32_t> next_, prev_;
  uint32_t head_ = kNone, tail_ = kNone, hand_ = kNone;
  size_t size_ = 0;
};

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
    const size_t n = ring_.size();
    for (size_t step = 0; step < 2 * n + 1; ++step) {
      const std::optional<mmu::Pfn> hand = ring_.at_hand();
      if (!hand) return std::nullopt;
      const mmu::Pfn f = *hand;
      ring_.advance();
      if (!eligible(f)) continue;
      if (pages.test_and_clear_referenced(f)) continue;
      return f;
    }
    return std::nullopt;
  }

 private:
  LoadOrder ring_;
};

// Enhanced CLOCK / NRU: classes by (referenced, dirty); the first sweep looks for (0,0)
// without clearing anything, the second for (0,1) while clearing A bits; then repeat.
class Nru final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "nru"; }
  void on_load(mmu::Pfn f) override { ring_.push(f); }
  void on_release(mmu::Pfn f) override { ring_.erase(f); }
  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    const size_t n = ring_.size();
    for (int round = 0; round < 4; ++round) {
      const bool clear = round % 2 == 1;
      for (size_t step = 0; step < n; ++step) {
        const std::optional<mmu::Pfn> hand = ring_.at_hand();
        if (!hand) return std::nullopt;
        const mmu::Pfn f = *hand;
        ring_.advance();
        if (!eligible(f)) continue;
        const bool referenced = clear ? pages.test_and_clear_referenced(f) : pages.referenced(f);
        if (referenced) continue;
        if (!clear && pages.dirty(f)) continue;  // round 0 wants clean pages
        return f;
      }
    }
    return std::nullopt;
  }

 private:
  LoadOrder ring_;
};

class Random final : public ReplacementPolicy {
 public:
  explicit Random(uint64_t seed) : rng_(seed) {}
  std::string_view name() const override { return "random"; }
  void on_load(mmu::Pfn f) override {
    index_[f.value] = pages_.size();
    pages_.push_back(f);
  }
  void on_release(mmu::Pfn f) override {
    auto it = index_.find(f.value);
    if (it == index_.end()) return;
    const size_t i = it->second;
    pages_[i] = pages_.back();
    index_[pages_[i].value] = i;
    pages_.pop_back();
    index_.erase(f.value);
  }
  std::optional<mmu::Pfn> choose(PageInspector&, const Eligible& eligible) override {
    std::vector<mmu::Pfn> candidates;
    for (mmu::Pfn f : pages_)
      if (eligible(f)) candidates.push_back(f);
    if (candidates.empty()) return std::nullopt;
    // Sorted so the choice depends only on the seed and the set, not on insertion history.
    std::sort(candidates.begin(), candidates.end());
    return candidates[rng_.next() % candidates.size()];
  }

 private:
  SplitMix64 rng_;
  std::vector<mmu::Pfn> pages_;
  std::unordered_map<uint64_t, size_t> index_;
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

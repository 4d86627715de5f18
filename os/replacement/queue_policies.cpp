// Policies over one queue of resident pages in load order: FIFO, second-chance CLOCK, the
// enhanced CLOCK (NRU) that also prefers clean pages, and seeded random.
#include <algorithm>
#include <list>
#include <unordered_map>

#include "os/random.h"
#include "os/replacement/policies.h"

namespace vmlab::os {

namespace {

// Resident pages in load order, with O(1) removal.
class LoadOrder {
 public:
  void push(mmu::Pfn f) { where_[f.value] = order_.insert(order_.end(), f); }
  void erase(mmu::Pfn f) {
    auto it = where_.find(f.value);
    if (it == where_.end()) return;
    if (hand_ == it->second) hand_ = std::next(hand_);
    order_.erase(it->second);
    where_.erase(it);
  }
  std::list<mmu::Pfn>& pages() { return order_; }
  // The clock hand: the next page to examine, wrapping around.
  std::list<mmu::Pfn>::iterator& hand() {
    if (hand_ == order_.end()) hand_ = order_.begin();
    return hand_;
  }
  void advance() {
    if (hand_ != order_.end()) ++hand_;
  }

 private:
  std::list<mmu::Pfn> order_;
  std::unordered_map<uint64_t, std::list<mmu::Pfn>::iterator> where_;
  std::list<mmu::Pfn>::iterator hand_ = order_.end();
};

class Fifo final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "fifo"; }
  void on_load(mmu::Pfn f) override { queue_.push(f); }
  void on_release(mmu::Pfn f) override { queue_.erase(f); }
  std::optional<mmu::Pfn> choose(PageInspector&, const Eligible& eligible) override {
    for (mmu::Pfn f : queue_.pages())
      if (eligible(f)) return f;
    return std::nullopt;
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
    const size_t n = ring_.pages().size();
    for (size_t step = 0; step < 2 * n + 1; ++step) {
      auto& hand = ring_.hand();
      if (hand == ring_.pages().end()) return std::nullopt;
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
    const size_t n = ring_.pages().size();
    for (int round = 0; round < 4; ++round) {
      const bool clear = round % 2 == 1;
      for (size_t step = 0; step < n; ++step) {
        auto& hand = ring_.hand();
        if (hand == ring_.pages().end()) return std::nullopt;
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

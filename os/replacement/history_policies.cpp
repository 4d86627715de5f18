// Policies that use the history of accesses: exact LRU (every access reported by the model)
// and Linux's active/inactive lists with refault detection.
#include <list>
#include <unordered_map>

#include "os/replacement/policies.h"

namespace vmlab::os {

namespace {

// A list of frames with O(1) move-to-back and removal.
class FrameList {
 public:
  bool contains(mmu::Pfn f) const { return where_.count(f.value) != 0; }
  void push_back(mmu::Pfn f) { where_[f.value] = list_.insert(list_.end(), f); }
  void erase(mmu::Pfn f) {
    auto it = where_.find(f.value);
    if (it == where_.end()) return;
    list_.erase(it->second);
    where_.erase(it);
  }
  void move_to_back(mmu::Pfn f) {
    auto it = where_.find(f.value);
    if (it != where_.end()) list_.splice(list_.end(), list_, it->second);
  }
  size_t size() const { return list_.size(); }
  std::list<mmu::Pfn>& frames() { return list_; }

 private:
  std::list<mmu::Pfn> list_;  // front: oldest
  std::unordered_map<uint64_t, std::list<mmu::Pfn>::iterator> where_;
};

// Exact LRU: the model reports every access, the least recently used page goes.
class Lru final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "lru"; }
  bool wants_accesses() const override { return true; }
  void on_load(mmu::Pfn f) override { order_.push_back(f); }
  void on_release(mmu::Pfn f) override {
    order_.erase(f);
    if (last_ == f) last_ = mmu::Pfn{};
  }
  void on_access(mmu::Pfn f, int, uint64_t) override {
    if (f == last_) return;  // already the most recent
    last_ = f;
    order_.move_to_back(f);
  }
  std::optional<mmu::Pfn> choose(PageInspector&, const Eligible& eligible) override {
    for (mmu::Pfn f : order_.frames())
      if (eligible(f)) return f;
    return std::nullopt;
  }

 private:
  FrameList order_;
  mmu::Pfn last_;
};

// Linux-like two lists: pages start inactive; a page found referenced on the inactive list is
// activated; the active list is aged into the inactive one when it grows larger; a page that
// refaults within the active list's size of evictions comes back active (workingset).
class TwoList final : public ReplacementPolicy {
 public:
  std::string_view name() const override { return "two-list"; }
  void on_load(mmu::Pfn f) override { inactive_.push_back(f); }
  void on_release(mmu::Pfn f) override {
    inactive_.erase(f);
    active_.erase(f);
  }
  void on_refault(mmu::Pfn f, uint64_t distance) override {
    if (distance > active_.size() || !inactive_.contains(f)) return;
    inactive_.erase(f);
    active_.push_back(f);
  }
  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    for (int pass = 0; pass < 3; ++pass) {
      balance(pages);
      for (auto it = inactive_.frames().begin(); it != inactive_.frames().end();) {
        const mmu::Pfn f = *it++;
        if (!eligible(f)) continue;
        if (pages.test_and_clear_referenced(f)) {
          inactive_.erase(f);
          active_.push_back(f);  // used again while inactive: promote
          continue;
        }
        return f;
      }
      // Nothing eligible on the inactive list: age the eligible active pages into it.
      for (auto it = active_.frames().begin(); it != active_.frames().end();) {
        const mmu::Pfn f = *it++;
        if (!eligible(f)) continue;
        pages.test_and_clear_referenced(f);
        active_.erase(f);
        inactive_.push_back(f);
      }
    }
    return std::nullopt;
  }

 private:
  // Keep the inactive list at least as long as the active one (Linux's inactive_is_low).
  void balance(PageInspector& pages) {
    while (active_.size() > inactive_.size() && active_.size() > 0) {
      const mmu::Pfn f = active_.frames().front();
      active_.erase(f);
      if (pages.test_and_clear_referenced(f)) {
        active_.push_back(f);  // still hot: rotate
        if (++rotations_ > active_.size()) break;
        continue;
      }
      inactive_.push_back(f);
    }
    rotations_ = 0;
  }

  FrameList active_, inactive_;
  size_t rotations_ = 0;
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_lru() {
  return std::make_unique<Lru>();
}
std::unique_ptr<ReplacementPolicy> make_two_list() {
  return std::make_unique<TwoList>();
}

}  // namespace vmlab::os

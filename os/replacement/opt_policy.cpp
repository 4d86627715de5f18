// Belady's OPT: evict the page whose next use lies farthest in the future. The future is the
// page-reference string recorded by an earlier, identical run (--record-refs).
//
// Each position of the string knows where its page comes next (one pass backwards); each page
// knows its next use after the present (its cursor). Resident frames are ordered by the next
// use of the page last accessed through them, which is never earlier than the frame's true
// next use (the earliest over every page mapping it); the victim is the frame at the top once
// its key is confirmed exact, corrected lazily otherwise. An eviction costs O(log n), not a
// look at every resident page.
#include <iterator>
#include <limits>
#include <set>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "os/replacement/policies.h"
#include "os/replacement/reference_string.h"

namespace vmlab::os {

namespace {

constexpr uint64_t kNever = std::numeric_limits<uint64_t>::max();  // no next use
constexpr uint64_t kUnknown = kNever - 1;  // loaded, not yet accessed: computed when needed

class Opt final : public ReplacementPolicy {
 public:
  explicit Opt(const std::string& file) : refs_(ReferenceString::load(file)) {
    const auto n = refs_.sequence.size();
    next_.assign(n, kNoNext);
    cursor_.assign(refs_.pages.size(), kNever);
    for (uint64_t i = n; i-- > 0;) {
      const uint32_t page = refs_.sequence[i];
      next_[i] = cursor_[page] == kNever ? kNoNext : static_cast<uint32_t>(cursor_[page]);
      cursor_[page] = i;  // ends as each page's first use
    }
    for (uint32_t p = 0; p < refs_.pages.size(); ++p)
      number_.emplace(refs_.pages[p], p);
  }
  std::string_view name() const override { return "opt"; }
  bool wants_accesses() const override { return true; }
  void on_load(mmu::Pfn f) override { set_key(f, kUnknown); }
  void on_release(mmu::Pfn f) override {
    if (f.value < key_.size() && key_[f.value] != kAbsent) {
      by_next_use_.erase({key_[f.value], f.value});
      key_[f.value] = kAbsent;
    }
  }

  void on_access(mmu::Pfn f, int pid, uint64_t va) override {
    const PageRef ref{pid, va >> mmu::kPageShift};
    const auto& seq = refs_.sequence;
    if (consumed_ > 0 && ref == refs_.pages[seq[consumed_ - 1]]) return;  // the same page again
    if (consumed_ >= seq.size() || !(refs_.pages[seq[consumed_]] == ref))
      throw std::runtime_error(
          "OPT: this run's page references differ from the recorded ones at reference " +
          std::to_string(consumed_) + " (record them again with --record-refs)");
    const uint32_t page = seq[consumed_];
    cursor_[page] = next_[consumed_] == kNoNext ? kNever : next_[consumed_];
    ++consumed_;
    if (f.value < key_.size() && key_[f.value] != kAbsent) set_key(f, cursor_[page]);
  }

  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    std::vector<std::pair<uint64_t, uint64_t>> passed;  // ineligible, put back afterwards
    std::optional<mmu::Pfn> victim;
    while (!by_next_use_.empty()) {
      // Of the frames used farthest ahead, the lowest-numbered first.
      const auto top = by_next_use_.lower_bound({std::prev(by_next_use_.end())->first, 0});
      const mmu::Pfn f{top->second};
      if (!eligible(f)) {
        passed.push_back(*top);
        by_next_use_.erase(top);
        continue;
      }
      const uint64_t exact = next_use(pages, f);
      if (encode(exact) == top->first) {
        victim = f;
        break;
      }
      set_key(f, exact);  // earlier than recorded: another mapper needs it sooner
    }
    for (const auto& entry : passed)
      by_next_use_.insert(entry);
    return victim;
  }

 private:
  static constexpr uint64_t kAbsent = 0;  // key_ of a frame that is not resident

  // The frame's true next use: the earliest next use of the pages mapping it.
  uint64_t next_use(PageInspector& pages, mmu::Pfn f) const {
    uint64_t next = kNever;
    for (const auto& [pid, va] : pages.mappings(f)) {
      const auto it = number_.find(PageRef{pid, va >> mmu::kPageShift});
      if (it != number_.end()) next = std::min(next, cursor_[it->second]);
    }
    return next;
  }
  // Keys are stored +1 so that 0 can mean "not resident" (kUnknown becomes kNever: a frame not
  // yet accessed is looked at first, and corrected).
  static uint64_t encode(uint64_t next_use) { return next_use == kNever ? kNever : next_use + 1; }
  void set_key(mmu::Pfn f, uint64_t next_use) {
    if (f.value >= key_.size()) key_.resize(f.value + 1, kAbsent);
    const uint64_t key = encode(next_use);
    if (key_[f.value] != kAbsent) by_next_use_.erase({key_[f.value], f.value});
    key_[f.value] = key;
    by_next_use_.insert({key, f.value});
  }

  References refs_;
  // By position: where the same page is used next (positions fit in 32 bits, see
  // reference_string.h), kNoNext for never.
  static constexpr uint32_t kNoNext = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> next_;
  std::vector<uint64_t> cursor_;  // by page number: its next use at or after the present
  std::unordered_map<PageRef, uint32_t, PageRefHash> number_;
  uint64_t consumed_ = 0;
  std::vector<uint64_t> key_;                            // by frame: next use + 1, or 0
  std::set<std::pair<uint64_t, uint64_t>> by_next_use_;  // (key, frame)
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_opt(const std::string& reference_file) {
  return std::make_unique<Opt>(reference_file);
}

}  // namespace vmlab::os

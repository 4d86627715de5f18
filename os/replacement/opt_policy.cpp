// Belady's OPT: evict the page whose next use lies farthest in the future. The future is the
// page-reference string recorded by an earlier, identical run (--record-refs).
#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "os/replacement/policies.h"
#include "os/replacement/reference_string.h"

namespace vmlab::os {

namespace {

class Opt final : public ReplacementPolicy {
 public:
  explicit Opt(const std::string& file) : refs_(ReferenceString::load(file)) {
    for (uint64_t i = 0; i < refs_.size(); ++i)
      uses_[refs_[i]].push_back(i);
  }
  std::string_view name() const override { return "opt"; }
  bool wants_accesses() const override { return true; }
  void on_load(mmu::Pfn f) override { resident_.insert(f.value); }
  void on_release(mmu::Pfn f) override { resident_.erase(f.value); }

  void on_access(mmu::Pfn, int pid, uint64_t va) override {
    const PageRef ref{pid, va >> mmu::kPageShift};
    if (consumed_ > 0 && ref == refs_[consumed_ - 1]) return;  // the same page again
    if (consumed_ >= refs_.size() || !(refs_[consumed_] == ref))
      throw std::runtime_error(
          "OPT: this run's page references differ from the recorded ones at reference " +
          std::to_string(consumed_) + " (record them again with --record-refs)");
    ++consumed_;
  }

  std::optional<mmu::Pfn> choose(PageInspector& pages, const Eligible& eligible) override {
    const uint64_t now = consumed_ == 0 ? 0 : consumed_ - 1;
    std::optional<mmu::Pfn> best;
    uint64_t best_next = 0;
    for (uint64_t value : resident_) {
      const mmu::Pfn f{value};
      if (!eligible(f)) continue;
      uint64_t next = UINT64_MAX;  // never used again: the ideal victim
      for (const auto& [pid, va] : pages.mappings(f)) {
        auto it = uses_.find(PageRef{pid, va >> mmu::kPageShift});
        if (it == uses_.end()) continue;
        auto pos = std::upper_bound(it->second.begin(), it->second.end(), now);
        if (pos != it->second.end()) next = std::min(next, *pos);
      }
      if (!best || next > best_next) {
        best = f;
        best_next = next;
      }
    }
    return best;
  }

 private:
  std::vector<PageRef> refs_;
  std::map<PageRef, std::vector<uint64_t>> uses_;
  uint64_t consumed_ = 0;
  std::set<uint64_t> resident_;
};

}  // namespace

std::unique_ptr<ReplacementPolicy> make_opt(const std::string& reference_file) {
  return std::make_unique<Opt>(reference_file);
}

}  // namespace vmlab::os

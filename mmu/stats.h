// Named, described counters (in the spirit of gem5's ADD_STAT).
//
// Components keep their counters as plain uint64_t fields, so counting costs one increment; a
// StatSet publishes pointers to them with a name, a unit and a sentence, so reports, JSON and
// Lua enumerate statistics instead of hard-coding their names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmlab::mmu {

struct Stat {
  std::string name;  // dotted path, e.g. "tlb.l1d.hits"
  std::string unit;  // "count", "cycles", "pages", ...
  std::string description;
  const uint64_t* value = nullptr;
};

class StatSet {
 public:
  void add(std::string name, std::string unit, std::string description, const uint64_t* value) {
    stats_.push_back(Stat{std::move(name), std::move(unit), std::move(description), value});
  }
  void append(const StatSet& other) {
    stats_.insert(stats_.end(), other.stats_.begin(), other.stats_.end());
  }
  const std::vector<Stat>& all() const { return stats_; }
  // Value of the statistic called `name`; throws std::out_of_range if there is none.
  uint64_t value(const std::string& name) const;
  const Stat* find(const std::string& name) const;

 private:
  std::vector<Stat> stats_;
};

}  // namespace vmlab::mmu

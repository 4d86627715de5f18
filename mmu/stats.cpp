#include "mmu/stats.h"

#include <stdexcept>

namespace vmlab::mmu {

const Stat* StatSet::find(const std::string& name) const {
  for (const auto& s : stats_)
    if (s.name == name) return &s;
  return nullptr;
}

uint64_t StatSet::value(const std::string& name) const {
  const Stat* s = find(name);
  if (s == nullptr) throw std::out_of_range("no statistic named '" + name + "'");
  return *s->value;
}

}  // namespace vmlab::mmu

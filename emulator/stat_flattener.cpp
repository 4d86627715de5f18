#include "emulator/stat_flattener.h"

namespace vmlab::emulator {

std::string StatFlattener::path(std::string_view key) const {
  std::string out;
  for (const std::string& name : objects_)
    out += name + ".";
  return out + std::string(key);
}

void StatFlattener::begin_object(std::string_view key) {
  if (!keeping()) {
    ++arrays_;
    return;
  }
  if (depth_++ > 0) objects_.emplace_back(key);
}

void StatFlattener::end_object() {
  if (!keeping()) {
    --arrays_;
    return;
  }
  if (--depth_ > 0) objects_.pop_back();
}

void StatFlattener::count(const mmu::StatInfo& stat, uint64_t value) {
  if (keeping()) values_.push_back(StatValue{path(stat.key), true, value, 0});
}

void StatFlattener::number(const mmu::StatInfo& stat, double value) {
  if (keeping()) values_.push_back(StatValue{path(stat.key), false, 0, value});
}

}  // namespace vmlab::emulator

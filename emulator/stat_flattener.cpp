#include "emulator/stat_flattener.h"

namespace vmlab::emulator {

std::string StatFlattener::path(std::string_view key) const {
  std::string out;
  for (const std::string& name : objects_)
    out += name + ".";
  return out + std::string(key);
}

StatFlattener& StatFlattener::begin_object(std::string_view key) {
  if (!keeping()) {
    ++arrays_;
    return *this;
  }
  if (depth_++ > 0) objects_.emplace_back(key);
  return *this;
}

StatFlattener& StatFlattener::end_object() {
  if (!keeping()) {
    --arrays_;
    return *this;
  }
  if (--depth_ > 0) objects_.pop_back();
  return *this;
}

StatFlattener& StatFlattener::begin_array(std::string_view) {
  ++arrays_;
  return *this;
}

StatFlattener& StatFlattener::end_array() {
  --arrays_;
  return *this;
}

StatFlattener& StatFlattener::value(std::string_view key, uint64_t v) {
  if (keeping()) values_.push_back(StatValue{path(key), true, v, 0});
  return *this;
}

StatFlattener& StatFlattener::value(std::string_view key, int64_t v) {
  // Signed values of the tree (exit statuses) are never negative counters.
  if (keeping()) values_.push_back(StatValue{path(key), true, static_cast<uint64_t>(v), 0});
  return *this;
}

StatFlattener& StatFlattener::value(std::string_view key, double v) {
  if (keeping()) values_.push_back(StatValue{path(key), false, 0, v});
  return *this;
}

}  // namespace vmlab::emulator

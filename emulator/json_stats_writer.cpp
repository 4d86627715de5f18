#include "emulator/json_stats_writer.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace vmlab::emulator {

Json json_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  const double rounded = std::strtod(text, nullptr);
  constexpr double kExact = 9007199254740992.0;  // 2^53: every whole double below is an integer
  if (std::isfinite(rounded) && rounded == std::floor(rounded) && std::fabs(rounded) < kExact)
    return static_cast<int64_t>(rounded);
  return rounded;
}

JsonStatsWriter::JsonStatsWriter() : root_(Json::object()) {}

Json& JsonStatsWriter::add(std::string_view key, Json value) {
  if (open_.empty()) return root_ = std::move(value);
  Json& parent = *open_.back();
  if (parent.is_array()) {
    parent.push_back(std::move(value));
    return parent.back();
  }
  return parent[std::string(key)] = std::move(value);
}

void JsonStatsWriter::begin_object(std::string_view key) {
  open_.push_back(&add(key, Json::object()));
}

void JsonStatsWriter::begin_array(std::string_view key) {
  open_.push_back(&add(key, Json::array()));
}

}  // namespace vmlab::emulator

#include "emulator/timeline/interval.h"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <utility>

namespace vmlab::emulator {

namespace {

// Nanoseconds per unit; a cycle of the modelled CPU is a nanosecond.
constexpr std::pair<const char*, double> kUnits[] = {{"ns", 1},  {"us", 1e3}, {"ms", 1e6},
                                                     {"s", 1e9}, {"c", 1},    {"cycles", 1}};
constexpr double kMaxNanoseconds = 1e18;

[[noreturn]] void bad(const std::string& text) {
  throw std::invalid_argument(
      "--interval: expected a number of instructions (1000000) or of modelled time (500us, "
      "10ms, 2s, 100000c), got '" +
      text + "'");
}

}  // namespace

os::TickSchedule parse_interval(const std::string& text) {
  using Unit = os::TickSchedule::Unit;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  uint64_t count = 0;
  const auto [after, ec] = std::from_chars(begin, end, count);
  if (ec == std::errc() && after == end) {
    if (count == 0) bad(text);
    return {Unit::kInstructions, count};
  }
  double amount = 0;
  const auto [unit_at, ec2] = std::from_chars(begin, end, amount);
  if (ec2 != std::errc() || unit_at == begin) bad(text);
  const std::string unit(unit_at, end);
  for (const auto& [name, ns] : kUnits) {
    if (unit != name) continue;
    const double total = std::round(amount * ns);
    if (!(total >= 1) || total > kMaxNanoseconds) bad(text);
    return {Unit::kNanoseconds, static_cast<uint64_t>(total)};
  }
  bad(text);
}

std::string describe_interval(const os::TickSchedule& schedule) {
  if (schedule.unit == os::TickSchedule::Unit::kInstructions)
    return std::to_string(schedule.every) + " instructions";
  for (const auto& [name, ns] : {std::pair{"s", 1e9}, std::pair{"ms", 1e6}, std::pair{"us", 1e3}})
    if (schedule.every % static_cast<uint64_t>(ns) == 0)
      return std::to_string(schedule.every / static_cast<uint64_t>(ns)) + name;
  return std::to_string(schedule.every) + "ns";
}

}  // namespace vmlab::emulator

#include "os/pressure.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

namespace vmlab::os {

namespace {

// include/linux/sched/loadavg.h: 11 fractional bits, and e^(-2s/window) in that format.
constexpr unsigned kFixedShift = 11;
constexpr uint64_t kFixedOne = uint64_t{1} << kFixedShift;
constexpr std::array<uint64_t, 3> kDecay = {1677, 1981, 2034};  // EXP_10s, EXP_60s, EXP_300s
constexpr uint64_t kPercent = 100;
constexpr uint64_t kNsPerUs = 1000;

// calc_load: one step of the decaying average towards `active`, rounding up when it rises.
uint64_t calc_load(uint64_t load, uint64_t exp, uint64_t active) {
  uint64_t next = load * exp + active * (kFixedOne - exp);
  if (active >= load) next += kFixedOne - 1;
  return next / kFixedOne;
}

// fixed_power_int: x^n in fixed point.
uint64_t fixed_power(uint64_t x, uint64_t n) {
  uint64_t result = kFixedOne;
  while (n != 0) {
    if ((n & 1) != 0) result = (result * x + kFixedOne / 2) >> kFixedShift;
    n >>= 1;
    if (n != 0) x = (x * x + kFixedOne / 2) >> kFixedShift;
  }
  return result;
}

}  // namespace

uint64_t PressureLine::hundredths(uint64_t fixed) {
  return (fixed >> kFixedShift) * kPercent +
         (((fixed & (kFixedOne - 1)) * kPercent) >> kFixedShift);
}

void MemoryPressure::close_period() {
  for (size_t line = 0; line < lines_.size(); ++line) {
    const uint64_t pct = in_period_[line] * kPercent / kPeriodNs * kFixedOne;
    for (size_t w = 0; w < kDecay.size(); ++w)
      lines_[line].avg[w] = calc_load(lines_[line].avg[w], kDecay[w], pct);
    in_period_[line] = 0;
  }
  period_end_ += kPeriodNs;
}

void MemoryPressure::advance(uint64_t now) {
  if (now < period_end_) return;
  close_period();  // the open period, with whatever stalled in it
  // Whole periods without a stall since then decay the averages in one step (calc_load_n).
  const uint64_t idle_periods = now < period_end_ ? 0 : (now - period_end_) / kPeriodNs + 1;
  if (idle_periods == 0) return;
  for (PressureLine& line : lines_)
    for (size_t w = 0; w < kDecay.size(); ++w)
      line.avg[w] = calc_load(line.avg[w], fixed_power(kDecay[w], idle_periods), 0);
  period_end_ += idle_periods * kPeriodNs;
}

void MemoryPressure::stall(uint64_t start, uint64_t duration, bool full) {
  advance(start);
  lines_[0].total_ns += duration;
  if (full) lines_[1].total_ns += duration;
  while (duration > 0) {
    const uint64_t part = std::min(duration, period_end_ - start);
    in_period_[0] += part;
    if (full) in_period_[1] += part;
    start += part;
    duration -= part;
    if (start == period_end_) close_period();
  }
}

std::string MemoryPressure::text() const {
  std::string out;
  const char* const names[] = {"some", "full"};
  for (size_t line = 0; line < lines_.size(); ++line) {
    const PressureLine& l = lines_[line];
    char buffer[160];
    std::snprintf(buffer, sizeof buffer,
                  "%s avg10=%" PRIu64 ".%02" PRIu64 " avg60=%" PRIu64 ".%02" PRIu64
                  " avg300=%" PRIu64 ".%02" PRIu64 " total=%" PRIu64 "\n",
                  names[line], PressureLine::hundredths(l.avg[0]) / kPercent,
                  PressureLine::hundredths(l.avg[0]) % kPercent,
                  PressureLine::hundredths(l.avg[1]) / kPercent,
                  PressureLine::hundredths(l.avg[1]) % kPercent,
                  PressureLine::hundredths(l.avg[2]) / kPercent,
                  PressureLine::hundredths(l.avg[2]) % kPercent, l.total_ns / kNsPerUs);
    out += buffer;
  }
  return out;
}

}  // namespace vmlab::os

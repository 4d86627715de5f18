// Pressure stall information for memory (Linux's PSI, /proc/pressure/memory) on the modelled
// clock.
//
// A memory stall is time a process spends in direct reclaim or waiting for the page I/O that
// memory pressure causes (os/cycle_accounting.h). `some` counts every stall; `full` counts
// stalls during which no other process could run (in Linux's words: all non-idle tasks were
// stalled). The totals are exact; avg10, avg60 and avg300 are Linux's exponentially decaying
// averages of the share of each 2-second period spent stalled, in Linux's fixed-point
// arithmetic (kernel/sched/psi.c, calc_load). Each stall is split exactly at period boundaries,
// so the averages do not depend on when the file is read.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace vmlab::os {

struct PressureLine {
  std::array<uint64_t, 3> avg{};  // avg10, avg60, avg300 in fixed point (11 fractional bits)
  uint64_t total_ns = 0;
  // An average as /proc shows it: its integer part and two decimals (12.34 -> 1234).
  static uint64_t hundredths(uint64_t fixed);
};

class MemoryPressure {
 public:
  static constexpr uint64_t kPeriodNs = 2'000'000'000;  // PSI_FREQ
  static constexpr std::array<uint64_t, 3> kWindowsSeconds = {10, 60, 300};

  // A stall of `duration` ns starting at `start` (ns since boot). `full`: nothing else could run.
  void stall(uint64_t start, uint64_t duration, bool full);
  // Closes the periods that ended by `now` (ns since boot): their stall shares enter the averages.
  void advance(uint64_t now);

  const PressureLine& some() const { return lines_[0]; }
  const PressureLine& full() const { return lines_[1]; }
  // The text of /proc/pressure/memory (call advance first).
  std::string text() const;

 private:
  void close_period();

  std::array<PressureLine, 2> lines_;    // some, full
  std::array<uint64_t, 2> in_period_{};  // stall time of the open period
  uint64_t period_end_ = kPeriodNs;      // end of the open period
};

}  // namespace vmlab::os

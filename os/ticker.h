// Periodic sampling points of a run (vmlab run --interval): every N instructions, or every N
// nanoseconds of the modelled clock. Ticks lie on a grid (multiples of N since boot), never on
// host time, so the same command ticks at the same points.
//
// The scheduler ends a piece of the time slice at the first boundary between translation blocks
// at or after an instruction tick (a few instructions late at most; stopping inside a block
// would cost Unicorn a flush of all the code it translated), and at a time tick where user time
// alone reaches it; a page fault whose cost carries the clock past a time tick stops the CPU
// right there. The sample is taken at that exact instruction count, and the process continues
// its slice, which ends where it would have without ticks: sampling changes nothing the guest
// or the statistics see.
#pragma once

#include <cstdint>
#include <functional>

namespace vmlab::os {

struct TickSchedule {
  enum class Unit : uint8_t { kInstructions, kNanoseconds } unit = Unit::kInstructions;
  uint64_t every = 0;
};

class Ticker {
 public:
  // `instructions` and `uptime_ns` say where the machine is now: the first tick is the next
  // grid point after it.
  Ticker(TickSchedule schedule, std::function<void()> on_tick, uint64_t instructions,
         uint64_t uptime_ns);

  bool time_based() const { return schedule_.unit == TickSchedule::Unit::kNanoseconds; }
  // The next grid point on the modelled clock (time-based ticks only).
  uint64_t deadline_ns() const { return next_; }
  bool due(uint64_t instructions, uint64_t uptime_ns) const;
  // Instructions that may run before the next tick is due: exact for instruction ticks; for
  // time ticks, what user time alone would take to reach the deadline (at least 1).
  uint64_t instructions_until(uint64_t instructions, uint64_t uptime_ns,
                              uint64_t ns_per_instruction) const;
  // Calls the handler once when a tick is due, and moves to the next grid point after now
  // (a stall longer than the interval gives one longer interval). True when it ticked.
  bool fire_if_due(uint64_t instructions, uint64_t uptime_ns);

 private:
  uint64_t position(uint64_t instructions, uint64_t uptime_ns) const {
    return time_based() ? uptime_ns : instructions;
  }

  TickSchedule schedule_;
  std::function<void()> on_tick_;
  uint64_t next_ = 0;  // instructions or ns since boot
};

}  // namespace vmlab::os

#include "os/ticker.h"

#include <stdexcept>

namespace vmlab::os {

Ticker::Ticker(TickSchedule schedule, std::function<void()> on_tick, uint64_t instructions,
               uint64_t uptime_ns)
    : schedule_(schedule), on_tick_(std::move(on_tick)) {
  if (schedule_.every == 0) throw std::invalid_argument("a tick interval must not be 0");
  const uint64_t now = position(instructions, uptime_ns);
  next_ = (now / schedule_.every + 1) * schedule_.every;
}

bool Ticker::due(uint64_t instructions, uint64_t uptime_ns) const {
  return position(instructions, uptime_ns) >= next_;
}

uint64_t Ticker::instructions_until(uint64_t instructions, uint64_t uptime_ns,
                                    uint64_t ns_per_instruction) const {
  const uint64_t now = position(instructions, uptime_ns);
  if (now >= next_) return 0;
  if (!time_based()) return next_ - now;
  return (next_ - now + ns_per_instruction - 1) / ns_per_instruction;
}

bool Ticker::fire_if_due(uint64_t instructions, uint64_t uptime_ns) {
  const uint64_t now = position(instructions, uptime_ns);
  if (now < next_) return false;
  next_ = (now / schedule_.every + 1) * schedule_.every;
  on_tick_();
  return true;
}

}  // namespace vmlab::os

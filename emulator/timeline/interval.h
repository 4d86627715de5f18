// --interval: how often the timeline samples the machine. A plain number counts guest
// instructions ("1000000"); a number with a unit is modelled time: "500ns", "250us", "10ms",
// "2s", or modelled cycles "100000c" (1 cycle = 1 ns, os/cycle_accounting.h).
#pragma once

#include <string>

#include "os/ticker.h"

namespace vmlab::emulator {

// Throws std::invalid_argument with a message naming the accepted forms.
os::TickSchedule parse_interval(const std::string& text);
// "1000000 instructions", "10ms" (as given back in messages and files).
std::string describe_interval(const os::TickSchedule& schedule);

// Used when --vmstat or --timeline is given without --interval.
inline constexpr os::TickSchedule kDefaultInterval{os::TickSchedule::Unit::kNanoseconds,
                                                   10'000'000};

}  // namespace vmlab::emulator

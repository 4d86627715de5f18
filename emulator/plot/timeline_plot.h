// `vmlab plot TIMELINE.csv`: the standard panels of a timeline (vmlab run --timeline) in one
// figure: memory (RSS, free, page cache, swap), faults and swap traffic, where the modelled
// cycles went, memory pressure (PSI) and TLB miss rates (--model full).
#pragma once

#include <string>

#include "emulator/plot/figure.h"

namespace vmlab::emulator::plot {

// Reads the CSV to choose units and panels. Throws std::runtime_error when it cannot be read
// or is not a timeline.
Figure timeline_figure(const std::string& csv, const std::string& output);

}  // namespace vmlab::emulator::plot

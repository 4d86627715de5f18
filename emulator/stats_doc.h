// docs/stats.md: every key of --stats-json with its unit, scope and description, listed from
// the statistics tree itself (`vmlab stats-doc`), so the document cannot miss a counter.
#pragma once

#include <string>

#include "emulator/machine.h"

namespace vmlab::emulator {

// The document for a machine of `machine`'s configuration (the mmu.* keys depend on --tlb).
std::string stats_markdown(Machine& machine);

}  // namespace vmlab::emulator

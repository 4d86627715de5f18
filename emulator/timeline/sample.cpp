#include "emulator/timeline/sample.h"

#include "emulator/report.h"

namespace vmlab::emulator {

const StatValue* Sample::find(std::string_view name) const {
  for (const StatValue& v : counters)
    if (v.name == name) return &v;
  return nullptr;
}

Sample take_sample(Machine& machine) {
  os::Kernel& kernel = machine.kernel();
  const os::FrameAllocator& frames = kernel.frames();
  Sample s;
  s.instructions = kernel.instructions();
  s.uptime_ns = kernel.uptime_ns();
  s.free_pages = frames.free_frames();
  s.cache_pages = frames.in_use(os::FrameUse::kFile);
  s.anon_pages = frames.in_use(os::FrameUse::kAnonymous);
  s.page_table_pages = frames.in_use(os::FrameUse::kPageTable);
  if (const os::SwapDevice* swap = kernel.reclaim().swap()) s.swap_used_pages = swap->used();
  for (os::Process* p : kernel.memory_holders()) {
    if (p->state() == os::ProcessState::kZombie) continue;
    const os::AddressSpaceStats stats = p->space().stats();
    s.processes.push_back(ProcessSample{p->tgid(), p->comm, stats.resident, stats.swapped,
                                        p->counters().wait_cycles,
                                        p->state() == os::ProcessState::kRunnable && !p->exiting});
  }
  s.counters = stats_counters(machine);
  return s;
}

}  // namespace vmlab::emulator

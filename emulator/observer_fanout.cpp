#include "emulator/observer_fanout.h"

namespace vmlab::emulator {

bool ObserverFanout::wants_instructions() const {
  for (const CpuObserver* o : cpu_)
    if (o->wants_instructions()) return true;
  return false;
}

void ObserverFanout::on_instruction(const os::Process& process, uint64_t address,
                                    std::span<const uint8_t> bytes, uint64_t index) {
  // An observer that declined instructions must not see them: the tracer, for one, treats
  // every call as an instruction to print.
  for (CpuObserver* o : cpu_)
    if (o->wants_instructions()) o->on_instruction(process, address, bytes, index);
}

void ObserverFanout::on_access(const os::Process& process, uint64_t va, mmu::Access access,
                               int size, const mmu::Translation& t) {
  for (CpuObserver* o : cpu_)
    o->on_access(process, va, access, size, t);
}

void ObserverFanout::on_translation(const mmu::TranslationEvent& e) {
  for (mmu::MmuObserver* o : mmu_)
    o->on_translation(e);
}

void ObserverFanout::on_invalidation(const mmu::InvalidationEvent& e) {
  for (mmu::MmuObserver* o : mmu_)
    o->on_invalidation(e);
}

}  // namespace vmlab::emulator

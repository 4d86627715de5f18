// Modelled time (os/cycle_accounting.h): the clock, what the kernel's work and page I/O add to
// it, and the memory stalls PSI counts.
#include "os/kernel.h"

namespace vmlab::os {

uint64_t Kernel::uptime_ns() const {
  return user_cycles() + cycles_.charged() + cycles_.idle;
}

uint64_t Kernel::now_ns() const {
  return config_.epoch_ns + uptime_ns();
}

bool Kernel::others_runnable(const Process& process) const {
  for (const auto& [pid, p] : tasks_.all())
    if (p.get() != &process && p->state() == ProcessState::kRunnable && !p->exiting &&
        p->vfork_child == 0)
      return true;
  return false;
}

void Kernel::charge(Process* process, CycleKind kind, uint64_t cycles) {
  if (is_memory_stall(kind))
    pressure_.stall(uptime_ns(), cycles, process == nullptr || !others_runnable(*process));
  cycles_.add(kind, cycles);
  if (process == nullptr) return;
  if (is_kernel_work(kind))
    process->counters().kernel_cycles += cycles;
  else
    process->counters().wait_cycles += cycles;
}

const MemoryPressure& Kernel::pressure() {
  pressure_.advance(uptime_ns());
  return pressure_;
}

void Kernel::charge_fault(Process& process, const FaultResult& result, bool refault, bool huge) {
  const uint64_t pages = huge ? mmu::Pte::kEntriesPerTable : 1;
  uint64_t work = cycle_cost::kPageFault;
  if (result.resolution == FaultResolution::kZeroFill) work += cycle_cost::kZeroPage * pages;
  if (result.resolution == FaultResolution::kCowCopy) work += cycle_cost::kCopyPage;
  charge(&process, CycleKind::kFault, work);
  // A page read from the device: a swap-in, or a file page, which is a stall on memory when
  // reclaim dropped it before (a refault) and a program's first read otherwise.
  if (result.resolution == FaultResolution::kSwapIn)
    charge(&process, CycleKind::kSwapWait, cycle_cost::kDiskRead);
  if (result.resolution == FaultResolution::kFileMajor)
    charge(&process, refault ? CycleKind::kSwapWait : CycleKind::kIoWait, cycle_cost::kDiskRead);
}

}  // namespace vmlab::os

// Kernel's side of the trap entry (os/trap_entry.h): page faults into the fault handler and
// their accounting, other CPU exceptions into signals, and faults the kernel itself takes on
// user memory. The analogue of Linux's arch/x86/mm/fault.c (do_user_addr_fault, its
// mm_fault_error and the OOM path) and arch/x86/kernel/traps.c (do_trap, force_sig_fault).
#include <cstdio>

#include "mmu/format.h"
#include "os/kernel.h"
#include "os/wait_status.h"

namespace vmlab::os {

uint64_t Kernel::time_stamp_counter() const {
  return uptime_ns();
}

bool Kernel::is_current(const Process& process) const {
  return current_ == &process;
}

void Kernel::page_fault(Process& process, uint64_t address, uint32_t error_code, uint64_t rip) {
  const FaultRequest request{address,
                             (error_code & mmu::pf_error::kInstruction) ? mmu::Access::kFetch
                             : (error_code & mmu::pf_error::kWrite)     ? mmu::Access::kWrite
                                                                        : mmu::Access::kRead,
                             (error_code & mmu::pf_error::kPresent) != 0,
                             (error_code & mmu::pf_error::kUser) != 0,
                             (error_code & mmu::pf_error::kReserved) != 0};
  const FaultResult result = handle_fault(process, request, error_code, rip);
  if (ticker_ && ticker_->time_based() && current_ == &process && process.has_cpu() &&
      ticker_->due(instructions(), uptime_ns())) {
    // The fault's cost carried the clock past a time tick: sample before the next instruction.
    tick_stop_requested_ = true;
    process.cpu().request_stop();
  }
  if (!is_signal(result.resolution)) return;
  if (result.resolution == FaultResolution::kOutOfMemory ||
      result.resolution == FaultResolution::kLimitExceeded) {
    out_of_memory(process, result.resolution);
    return;
  }
  if (result.resolution == FaultResolution::kBadPageTable) {
    std::fprintf(
        stderr,
        "vmlab: pid %d (%s): reserved bit in a page-table entry for %s (kernel bug); killed\n",
        process.pid(), process.comm.c_str(), mmu::hex(address).c_str());
    exit_process(process, signaled_status(sig::kKill, false));
    return;
  }
  SigInfo info;
  info.signo = result.resolution == FaultResolution::kBusError ? sig::kBus : sig::kSegv;
  info.code = result.resolution == FaultResolution::kSegvMapErr ? si_code::kSegvMapErr
              : result.resolution == FaultResolution::kBusError ? si_code::kBusAdrErr
                                                                : si_code::kSegvAccErr;
  info.address = address;
  info.rip = rip;
  info.trapno = mmu::x86::vector::kPageFault;
  info.error_code = error_code;
  force_signal(process, info);
}

bool Kernel::kernel_fault(Process& process, const FaultRequest& request) {
  uint32_t error_code = request.protection ? mmu::pf_error::kPresent : 0;
  if (request.access == mmu::Access::kWrite) error_code |= mmu::pf_error::kWrite;
  const FaultResult result = handle_fault(process, request, error_code, 0);
  if (result.resolution == FaultResolution::kOutOfMemory ||
      result.resolution == FaultResolution::kLimitExceeded)
    out_of_memory(process, result.resolution);
  return !is_signal(result.resolution);
}

FaultResult Kernel::handle_fault(Process& process, const FaultRequest& request, uint32_t error_code,
                                 uint64_t rip) {
  const uint64_t charged_before = cycles_.charged();
  const uint64_t huge_before = huge_counters_.huge_faults;
  const FaultResult result = faults_->handle(process, request);
  account_fault(process, request, error_code, rip, result,
                huge_counters_.huge_faults != huge_before);
  cycles_.in_page_faults += cycles_.charged() - charged_before;
  return result;
}

void Kernel::account_fault(Process& process, const FaultRequest& request, uint32_t error_code,
                           uint64_t rip, const FaultResult& result, bool huge) {
  ProcessCounters& c = process.counters();
  if (request.access == mmu::Access::kFetch) ++c.fetch_faults;
  switch (result.resolution) {
    case FaultResolution::kZeroFill:
      ++c.zero_fill;
      break;
    case FaultResolution::kZeroPage:
      ++c.zero_page;
      break;
    case FaultResolution::kFileMinor:
    case FaultResolution::kFileMajor:
      ++c.file_faults;
      break;
    case FaultResolution::kCowCopy:
      ++c.cow_faults;
      ++c.cow_copies;
      break;
    case FaultResolution::kCowReuse:
      ++c.cow_faults;
      ++c.cow_reuses;
      break;
    case FaultResolution::kSwapIn:
      ++c.swap_ins;
      break;
    case FaultResolution::kSwapCache:
      break;
    case FaultResolution::kSpurious:
      ++c.spurious;
      break;
    case FaultResolution::kSegvMapErr:
    case FaultResolution::kSegvAccErr:
      ++c.segv;
      break;
    case FaultResolution::kOutOfMemory:
    case FaultResolution::kLimitExceeded:
    case FaultResolution::kBadPageTable:
    case FaultResolution::kBusError:
      break;
  }
  bool refault = false;
  if (!is_signal(result.resolution)) {
    if (is_major(result.resolution))
      ++c.major_faults;
    else
      ++c.minor_faults;
    refault = reclaim_->note_fault(process, request.address, mmu::Pfn{result.new_pfn});
  }
  charge_fault(process, result, refault, huge);
  if (!events_.fault.empty())
    KernelEvents::raise(events_.fault,
                        FaultEvent{process, request.address, error_code, rip, result.resolution,
                                   result.old_pfn, result.new_pfn});
}

void Kernel::out_of_memory(Process& process, FaultResolution why) {
  if (why == FaultResolution::kLimitExceeded) {
    // The process's own limit: like a memory cgroup, it is the one that dies.
    std::fprintf(stderr, "vmlab: Memory limit exceeded: Killed process %d (%s)\n", process.pid(),
                 process.comm.c_str());
    exit_process(process, signaled_status(sig::kKill, false));
    return;
  }
  // RAM and swap are exhausted: the largest process goes. If that is not the faulting one, its
  // memory is free now and the faulting instruction simply runs again.
  reclaim_->oom_kill("Out of memory");
}

void Kernel::cpu_exception(Process& process, CpuException exception, uint64_t rip) {
  SigInfo info;
  info.address = rip;
  info.trapno = exception_vector(exception);
  switch (exception) {
    case CpuException::kDivide:
      info.signo = sig::kFpe;
      info.code = si_code::kFpeIntDiv;
      break;
    case CpuException::kBreakpoint:
      info.signo = sig::kTrap;
      info.code = si_code::kKernel;
      break;
    case CpuException::kInvalidOpcode:
      info.signo = sig::kIll;
      info.code = si_code::kIllOpc;
      break;
    case CpuException::kFloatingPoint:
      info.signo = sig::kFpe;
      info.code = si_code::kKernel;
      break;
    case CpuException::kAlignment:
    case CpuException::kStackSegment:
      info.signo = sig::kBus;
      info.code = si_code::kKernel;
      info.address = 0;
      break;
    case CpuException::kBoundOrOverflow:
    case CpuException::kGeneralProtection:
      // Linux reports #GP as SIGSEGV with si_code SI_KERNEL and no address.
      info.signo = sig::kSegv;
      info.code = si_code::kKernel;
      info.address = 0;
      break;
  }
  info.rip = rip;
  force_signal(process, info);
}

}  // namespace vmlab::os

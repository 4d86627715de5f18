#include "fuzz/support/user_access.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "fuzz/support/guest_machine.h"
#include "fuzz/support/report.h"
#include "mmu/format.h"

namespace vmlab::fuzz {

namespace {

// A real CPU retries a faulting instruction for as long as the kernel resolves the fault. A
// correct kernel needs at most two rounds (e.g. a zero-page read mapping, then a COW break);
// more means the guest would spin forever.
constexpr int kMaxFaultRounds = 4;

os::Process* live_process(os::Kernel& kernel, int pid) {
  os::Process* p = kernel.find(pid);
  if (p == nullptr || p->state() == os::ProcessState::kZombie || !p->has_space()) return nullptr;
  return p;
}

// Translates one access that stays inside a page; the physical address, or nothing when the
// access ends in a signal or the process's end.
std::optional<mmu::PhysAddr> translate_page(GuestMachine& machine, int pid, uint64_t va,
                                            mmu::Access access, uint64_t rip) {
  os::Kernel& kernel = machine.kernel();
  std::string history;
  for (int round = 0; round <= kMaxFaultRounds; ++round) {
    os::Process* p = live_process(kernel, pid);
    if (p == nullptr) return std::nullopt;
    kernel.tlb().switch_to(p->space());
    const mmu::Translation t = kernel.mmu().translate(mmu::VirtAddr{va}, access, mmu::Mode::kUser);
    if (!t.faulted) {
      if (kernel.reclaim().wants_accesses()) kernel.reclaim().on_access(mmu::Pfn{t.pa}, pid, va);
      return t.pa;
    }
    if (t.fault.kind == mmu::FaultKind::kGeneralProtection) {
      kernel.cpu_exception(*p, os::CpuException::kGeneralProtection, rip);
      return std::nullopt;
    }
    const uint64_t faults_before = machine.faults_seen();
    kernel.page_fault(*p, va, t.fault.error_code, rip);
    if (machine.faults_seen() == faults_before || os::is_signal(machine.last_fault()))
      return std::nullopt;
    history +=
        " " + mmu::hex(t.fault.error_code) + "->" + os::fault_resolution_name(machine.last_fault());
  }
  os::Process* p = live_process(kernel, pid);
  fail("pid " + std::to_string(pid) + ": " + std::string(mmu::access_name(access)) + " of " +
       mmu::hex(va) + " faults again after every resolved fault (error code -> resolution:" +
       history + "); leaf entry now " +
       (p != nullptr ? mmu::hex(p->space().read_pte(va & ~mmu::kPageOffsetMask).raw())
                     : std::string("(process gone)")));
}

}  // namespace

bool user_access(GuestMachine& machine, int pid, uint64_t va, mmu::Access access,
                 std::span<uint8_t> data, uint64_t rip) {
  const size_t length = access == mmu::Access::kFetch ? 1 : data.size();
  size_t done = 0;
  while (done < length) {
    const uint64_t at = va + done;
    const size_t chunk =
        std::min<uint64_t>(length - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    const auto pa = translate_page(machine, pid, at, access, rip);
    if (!pa) return false;
    if (access == mmu::Access::kWrite)
      std::memcpy(machine.ram().host(*pa, chunk), data.data() + done, chunk);
    else if (access == mmu::Access::kRead)
      std::memcpy(data.data() + done, machine.ram().host(*pa, chunk), chunk);
    done += chunk;
  }
  return true;
}

}  // namespace vmlab::fuzz

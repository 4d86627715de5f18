// The translation path of a Cpu: softmmu fills (the model as the MMU), the full model's view of
// every data access and instruction fetch, and page faults on their way to the kernel.
#include <unicorn/unicorn.h>

#include "emulator/cpu.h"
#include "emulator/cpu_observer.h"
#include "emulator/engine.h"
#include "mmu/format.h"
#include "os/process.h"
#include "os/reclaim.h"

namespace vmlab::emulator {

using mmu::hex;

namespace {

mmu::Access access_of(int type) {
  return type == UC_MEM_WRITE   ? mmu::Access::kWrite
         : type == UC_MEM_FETCH ? mmu::Access::kFetch
                                : mmu::Access::kRead;
}

}  // namespace

bool Cpu::fill(uint64_t va, int type, void* entry) {
  bool granted = false;
  guarded([&] { granted = fill_entry(va, access_of(type), entry); });
  return granted && error_.empty();
}

bool Cpu::fill_entry(uint64_t va, mmu::Access access, void* entry) {
  const mmu::VirtAddr address{va};
  // Full model: the data and block hooks account each access; the fill needs the answer only.
  // Fast model: this walk is the hardware's own (it sets Accessed and Dirty).
  mmu::WalkResult walk = options_.model == ModelMode::kFull
                             ? mmu_->probe(address, access, mmu::Mode::kUser)
                             : mmu_->walk_untracked(address, access, mmu::Mode::kUser);
  // A write to a clean page sets D here, in both models: locked read-modify-write instructions
  // reach memory without the data hook (Unicorn's atomic path has none), so the full model
  // cannot rely on seeing every write to keep D exact.
  if (!walk.faulted && access == mmu::Access::kWrite && !walk.dirty)
    walk = mmu_->walk_untracked(address, access, mmu::Mode::kUser);
  if (check_.enabled()) {
    const std::string disagreement = check_.judge(*mmu_, va, access, walk);
    if (!disagreement.empty()) {
      fail("--check: " + disagreement);
      return false;
    }
  }
  if (!walk.faulted) return grant(va, access, walk, entry);
  // The faulting data access, as the model's statistics and observers see it (size 0: the
  // engine does not tell the fill how wide the access is). A faulting fetch is counted by the
  // block hook once the block can run.
  if (options_.model == ModelMode::kFull && access != mmu::Access::kFetch) {
    const mmu::Translation t = mmu_->translate(address, access, mmu::Mode::kUser);
    if (observer_ != nullptr) observer_->on_access(process_, va, access, 0, t);
  }
  // The kernel handles the fault once the engine has stopped at the faulting instruction: RIP
  // is exact then, and no half-done instruction continues on translations the fault handler
  // may have taken away (reclaim runs inside it).
  pending_fault_ = PendingFault{va, walk.fault.error_code,
                                walk.fault.kind == mmu::FaultKind::kGeneralProtection};
  stop(StopCause::kPendingFault);
  return false;
}

bool Cpu::grant(uint64_t va, mmu::Access access, const mmu::WalkResult& walk, void* out) {
  auto* entry = static_cast<uc_tlb_entry*>(out);
  const mmu::PhysAddr page = walk.translate(mmu::VirtAddr{va & ~mmu::kPageOffsetMask});
  int perms = UC_PROT_READ;
  // Write permission is withheld while D is clear, so the first write comes back here and the
  // walk sets D before the page can be written.
  if (walk.permissions.writable && walk.dirty) perms |= UC_PROT_WRITE;
  if (walk.permissions.executable) perms |= UC_PROT_EXEC;
  entry->paddr = page.value;
  entry->perms = static_cast<uc_prot>(perms);
  if (access == mmu::Access::kFetch) engine_.note_code_frame(page);
  mmu_->forget(
      mmu::Mmu::kDataPath);  // the shadow may name another virtual page for a physical one now
  engine_.count_fill();
  if (options_.model == ModelMode::kFull) {
    SoftmmuShadow& shadow = engine_.shadow();
    // Another virtual page of this process may still reach the frame through the softmmu TLB.
    if (shadow.conflicts(va, page.value)) engine_.invalidate_tlb();
    engine_.flush_tlb_if_pending();
    shadow.record(va, page.value);
  } else {
    engine_.flush_tlb_if_pending();
  }
  return true;
}

void Cpu::resolve_pending_fault(uint64_t rip) {
  settle_repeated_hits();
  guarded([&] {
    if (pending_fault_.general_protection)  // a non-canonical address (SIGSEGV on Linux)
      kernel_.cpu_exception(process_, os::CpuException::kGeneralProtection, rip);
    else
      kernel_.page_fault(process_, pending_fault_.address, pending_fault_.error_code, rip);
    engine_.flush_tlb_if_pending();
  });
}

void Cpu::translate_data(mmu::Access access, uint64_t pa, int size) {
  // Nobody else watching, an access within one page: the other remembered page, or one
  // translation, remembered when it hit or filled the first L1 array's most recent entry
  // (Mmu::remember checks).
  if (plain_accesses_ && read_halves_to_skip_ == 0 &&
      (pa & mmu::kPageOffsetMask) + static_cast<uint64_t>(size) <= mmu::kPageBytes) [[likely]] {
    // The other remembered page (a row and a column, a source and a destination).
    if (mmu_->repeat_other(mmu::Mmu::kDataPath, pa & ~mmu::kPageOffsetMask, access)) return;
    const uint64_t va = engine_.shadow().virtual_address(pa);
    if (va != SoftmmuShadow::kUnknown) [[likely]] {
      const mmu::Translation t = mmu_->translate(mmu::VirtAddr{va}, access, mmu::Mode::kUser);
      if (!t.faulted)
        mmu_->remember(mmu::Mmu::kDataPath, pa & ~mmu::kPageOffsetMask, mmu::VirtAddr{va});
      return;
    }
  }
  memory_access_slow(access, pa, size);
}

void Cpu::memory_access_slow(mmu::Access access, uint64_t pa, int size) {
  if (access == mmu::Access::kRead && read_halves_to_skip_ > 0) {
    --read_halves_to_skip_;  // the two halves of a page-straddling load, already translated
    return;
  }
  guarded([&] {
    const uint64_t va = engine_.shadow().virtual_address(pa);
    if (va == SoftmmuShadow::kUnknown) {
      fail("an access to physical " + hex(pa) + " without a translation the model gave");
      return;
    }
    const uint64_t last = va + static_cast<uint64_t>(size > 0 ? size - 1 : 0);
    const bool straddles = (va >> mmu::kPageShift) != (last >> mmu::kPageShift);
    if (straddles && access == mmu::Access::kRead) {
      read_halves_to_skip_ = 2;
      mmu_->forget(
          mmu::Mmu::kDataPath);  // the halves come next, and must not count as repeated hits
    }
    translate_access(va, access, size);
  });
}

void Cpu::translate_access(uint64_t va, mmu::Access access, int size) {
  // An access that straddles a page boundary is translated once per page, like hardware.
  const uint64_t last = va + static_cast<uint64_t>(size > 0 ? size - 1 : 0);
  for (uint64_t at = va;; at = (at & ~mmu::kPageOffsetMask) + mmu::kPageBytes) {
    const mmu::Translation t = mmu_->translate(mmu::VirtAddr{at}, access, mmu::Mode::kUser);
    if (observer_ != nullptr) observer_->on_access(process_, at, access, size, t);
    if (t.faulted) {
      // The engine holds a translation for the first page: the model must agree. The second
      // page's fill decides its own fault.
      if (at == va && options_.check)
        fail("--check: the model faults (" + hex(t.fault.error_code) + ") on a " +
             std::string(mmu::access_name(access)) + " of " + hex(at) +
             " that the engine performed");
      return;
    }
    if (access_tracker_ != nullptr) access_tracker_->on_access(mmu::Pfn{t.pa}, process_.pid(), at);
    if ((at >> mmu::kPageShift) == (last >> mmu::kPageShift)) break;
  }
}

void Cpu::translate_fetch(uint64_t address, uint32_t size) {
  // The instruction TLB is looked up once per page a block's bytes come from.
  const uint64_t last = address + (size == 0 ? 0 : size - 1);
  for (uint64_t page = address & ~mmu::kPageOffsetMask; page <= last; page += mmu::kPageBytes) {
    const mmu::VirtAddr va{page < address ? address : page};
    const mmu::Translation t = mmu_->translate(va, mmu::Access::kFetch, mmu::Mode::kUser);
    if (!t.faulted && access_tracker_ != nullptr)
      access_tracker_->on_access(mmu::Pfn{t.pa}, process_.pid(), va.value);
    if (t.faulted && options_.check)
      fail("--check: the model faults fetching " + hex(va.value) + " (error code " +
           hex(t.fault.error_code) + ") but the CPU executed the block");
  }
}

}  // namespace vmlab::emulator

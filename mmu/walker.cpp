#include "mmu/walker.h"

namespace vmlab::mmu {

namespace {

uint32_t access_error_bits(Access access, Mode mode, const PagingControl& control) {
  uint32_t code = 0;
  if (access == Access::kWrite) code |= pf_error::kWrite;
  if (mode == Mode::kUser) code |= pf_error::kUser;
  // The I/D bit is reported only when execute-disable exists (SDM §4.7).
  if (access == Access::kFetch && control.no_execute) code |= pf_error::kInstruction;
  return code;
}

// Whether combined rights allow the access (SDM §4.6.1; SMEP and SMAP are off).
bool allowed(const Permissions& rights, Access access, Mode mode, const PagingControl& control) {
  if (access == Access::kFetch && !rights.executable) return false;
  if (mode == Mode::kUser) {
    if (!rights.user) return false;
    return access != Access::kWrite || rights.writable;
  }
  return access != Access::kWrite || rights.writable || !control.write_protect;
}

// Every walk returns its one `result` object, so that it is built in the caller's storage.
void fail(WalkResult& result, VirtAddr va, uint32_t error_code) {
  result.faulted = true;
  result.fault = Fault{FaultKind::kPageFault, va, error_code};
}

}  // namespace

WalkResult walk(PhysicalMemory& memory, const PagingControl& control, VirtAddr va, Access access,
                Mode mode, WalkEffects effects) {
  return walk_from(memory, control, WalkStart{Level::kPml4, control.root, {true, true, true}}, va,
                   access, mode, effects);
}

WalkResult walk_from(PhysicalMemory& memory, const PagingControl& control, const WalkStart& start,
                     VirtAddr va, Access access, Mode mode, WalkEffects effects) {
  WalkResult result;
  walk_into(result, memory, control, start, va, access, mode, effects);
  return result;
}

void walk_into(WalkResult& result, PhysicalMemory& memory, const PagingControl& control,
               const WalkStart& start, VirtAddr va, Access access, Mode mode, WalkEffects effects) {
  result.step_count = 0;
  result.faulted = false;
  const uint32_t access_bits = access_error_bits(access, mode, control);
  if (!is_canonical(va)) {
    result.faulted = true;
    result.fault = Fault{FaultKind::kGeneralProtection, va, 0};
    return;
  }

  // Rights combine over the levels as bits: R/W and U/S are ANDed, XD is ORed (SDM §4.6.1).
  uint64_t granted =
      (start.inherited.writable ? Pte::kWritable : 0) | (start.inherited.user ? Pte::kUser : 0);
  uint64_t denied = start.inherited.executable ? 0 : Pte::kNoExecute;
  const uint64_t execute_disable = control.no_execute ? Pte::kNoExecute : 0;
  PhysAddr table = start.table;
  // Reserved bits depend only on the controls, the level and PS: compute them once per walk.
  const uint64_t reserved_table = reserved_bits(Level::kPd, false, control);
  const uint64_t reserved_pml4 = reserved_bits(Level::kPml4, false, control);
  for (auto level = static_cast<int>(start.level); level >= 1; --level) {
    const auto lvl = static_cast<Level>(level);
    WalkStep& step = result.steps[result.step_count++];
    step.level = lvl;
    step.entry_address = table + table_index(va, lvl) * Pte::kBytes;
    const Pte entry{memory.read_u64(step.entry_address)};
    step.entry = entry;
    step.set_accessed = false;
    step.set_dirty = false;

    if (!entry.present()) {
      fail(result, va, access_bits);
      return;
    }
    const bool large_leaf = (lvl == Level::kPdpt || lvl == Level::kPd) && entry.page_size();
    const uint64_t reserved = lvl == Level::kPml4 ? reserved_pml4
                              : large_leaf        ? reserved_bits(lvl, true, control)
                                                  : reserved_table;
    if ((entry.raw() & reserved) != 0) {
      fail(result, va, access_bits | pf_error::kPresent | pf_error::kReserved);
      return;
    }
    granted &= entry.raw();
    denied |= entry.raw() & execute_disable;

    if (lvl != Level::kPt && !large_leaf) {
      // Entries that reference another table get A as soon as they are used, whatever happens
      // further down (SDM §4.8; QEMU's walker does the same).
      if (!entry.accessed() && effects == WalkEffects::kSetAccessedDirty) {
        memory.write_u64(step.entry_address, entry.with(Pte::kAccessed).raw());
        step.set_accessed = true;
      }
      table = entry.address();
      continue;
    }

    const Permissions rights{(granted & Pte::kWritable) != 0, (granted & Pte::kUser) != 0,
                             (denied & Pte::kNoExecute) == 0};
    if (!allowed(rights, access, mode, control)) {
      fail(result, va, access_bits | pf_error::kPresent);
      return;
    }
    // A translation that succeeds marks the leaf Accessed, and Dirty for a write.
    Pte updated = entry.with(Pte::kAccessed);
    if (access == Access::kWrite) updated = updated.with(Pte::kDirty);
    if (updated != entry && effects == WalkEffects::kSetAccessedDirty) {
      memory.write_u64(step.entry_address, updated.raw());
      step.set_accessed = !entry.accessed();
      step.set_dirty = access == Access::kWrite && !entry.dirty();
    }
    result.size = leaf_page_size(lvl);
    result.frame = entry.frame(result.size);
    result.permissions = rights;
    result.global = entry.global();
    result.dirty = effects == WalkEffects::kSetAccessedDirty ? updated.dirty() : entry.dirty();
    return;
  }
  // Unreachable: level 1 is always a leaf.
  fail(result, va, access_bits);
}

}  // namespace vmlab::mmu

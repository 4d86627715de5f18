#include "emulator/access_check.h"

#include "mmu/format.h"
#include "mmu/reference/sdm_walker.h"

namespace vmlab::emulator {

namespace {

mmu::ref::Kind kind_of(mmu::Access access) {
  return access == mmu::Access::kRead    ? mmu::ref::Kind::kRead
         : access == mmu::Access::kWrite ? mmu::ref::Kind::kWrite
                                         : mmu::ref::Kind::kFetch;
}

std::string describe(const mmu::ref::Outcome& o) {
  using Type = mmu::ref::Outcome::Type;
  switch (o.type) {
    case Type::kTranslated:
      return "frame " + mmu::hex(o.physical) + (o.all_writable ? " writable" : " read-only") +
             (o.executable ? " executable" : " no-execute");
    case Type::kPageFault:
      return "#PF error code " + mmu::hex(o.error_code);
    case Type::kGeneralProtection:
      return "#GP (non-canonical)";
    case Type::kOutsideRam:
      return "an entry outside RAM at " + mmu::hex(o.unreadable);
  }
  return "?";
}

}  // namespace

std::string AccessCheck::judge(mmu::Mmu& mmu, uint64_t va, mmu::Access access,
                               const mmu::WalkResult& model) const {
  mmu::PhysicalMemory& memory = mmu.memory();
  mmu::ref::Ram ram{memory.base().value, memory.host_base(), memory.size(), /*set_flags=*/false};
  const mmu::PagingControl& control = mmu.control();
  mmu::ref::Controls controls;
  controls.cr3 = control.root.value;
  controls.cr0_wp = control.write_protect;
  controls.efer_nxe = control.no_execute;
  controls.page_1gb = control.large_1g_pages;
  controls.maxphyaddr = control.physical_address_bits;
  const mmu::ref::Outcome want =
      mmu::ref::translate(ram, controls, va, kind_of(access), mmu::ref::Privilege::kUser);
  using Type = mmu::ref::Outcome::Type;
  std::string got;
  bool agree;
  if (model.faulted) {
    got = model.fault.kind == mmu::FaultKind::kGeneralProtection
              ? "#GP (non-canonical)"
              : "#PF error code " + mmu::hex(model.fault.error_code);
    agree = model.fault.kind == mmu::FaultKind::kGeneralProtection
                ? want.type == Type::kGeneralProtection
                : want.type == Type::kPageFault && want.error_code == model.fault.error_code;
  } else {
    const uint64_t pa = model.translate(mmu::VirtAddr{va}).value;
    got = "frame " + mmu::hex(pa) + (model.permissions.writable ? " writable" : " read-only") +
          (model.permissions.executable ? " executable" : " no-execute");
    agree = want.type == Type::kTranslated && want.physical == pa &&
            want.all_writable == model.permissions.writable &&
            want.executable == model.permissions.executable;
  }
  if (agree) return {};
  return std::string(mmu::access_name(access)) + " of " + mmu::hex(va) + " from CR3 " +
         mmu::hex(control.root.value) + ": the model says " + got +
         ", the SDM reference walker says " + describe(want);
}

}  // namespace vmlab::emulator

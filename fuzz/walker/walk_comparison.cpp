#include "fuzz/walker/walk_comparison.h"

#include "mmu/format.h"

namespace vmlab::fuzz {

namespace ref = mmu::ref;

namespace {

using Type = ref::Outcome::Type;

std::string flag(const char* name, bool value) {
  return std::string(" ") + name + "=" + (value ? "1" : "0");
}

void expect(std::string& diffs, bool same, const std::string& what, uint64_t vmlab,
            uint64_t reference) {
  if (!same)
    diffs +=
        "  " + what + ": vmlab " + mmu::hex(vmlab) + ", reference " + mmu::hex(reference) + "\n";
}

// The parts every translation result has: fault or not, which fault, and where it leads.
void compare_outcome(std::string& diffs, const ref::Outcome& expected, bool faulted,
                     const mmu::Fault& fault, uint64_t physical, uint64_t linear) {
  switch (expected.type) {
    case Type::kOutsideRam:
      diffs += "  the reference reads an entry outside RAM at " + mmu::hex(expected.unreadable) +
               " but vmlab did not throw\n";
      return;
    case Type::kGeneralProtection:
      if (!faulted || fault.kind != mmu::FaultKind::kGeneralProtection)
        diffs += "  the reference raises #GP (non-canonical), vmlab does not\n";
      return;
    case Type::kPageFault:
      if (!faulted || fault.kind != mmu::FaultKind::kPageFault) {
        diffs += "  the reference raises #PF " + mmu::hex(expected.error_code) + ", vmlab " +
                 (faulted ? std::string("raises #GP") : "translates to " + mmu::hex(physical)) +
                 "\n";
        return;
      }
      expect(diffs, fault.error_code == expected.error_code, "#PF error code", fault.error_code,
             expected.error_code);
      expect(diffs, fault.address.value == linear, "#PF address (CR2)", fault.address.value,
             linear);
      return;
    case Type::kTranslated:
      if (faulted) {
        diffs += "  the reference translates to " + mmu::hex(expected.physical) +
                 ", vmlab faults (error code " + mmu::hex(fault.error_code) + ")\n";
        return;
      }
      expect(diffs, physical == expected.physical, "physical address", physical, expected.physical);
      return;
  }
}

}  // namespace

std::string compare_walk(const ref::Outcome& expected, const std::optional<mmu::WalkResult>& walk,
                         uint64_t linear) {
  std::string diffs;
  if (!walk) {
    if (expected.type != Type::kOutsideRam)
      diffs += "  vmlab's walker threw (entry outside RAM), the reference did not\n";
    return diffs;
  }
  const mmu::WalkResult& w = *walk;
  compare_outcome(diffs, expected, w.faulted, w.fault,
                  w.faulted ? 0 : w.translate(mmu::VirtAddr{linear}).value, linear);
  expect(diffs, w.step_count == expected.read_count, "entries read", w.step_count,
         static_cast<uint64_t>(expected.read_count));
  for (int i = 0; i < expected.read_count && i < w.step_count; ++i) {
    const mmu::WalkStep& got = w.steps[i];
    const ref::EntryRead& want = expected.reads[i];
    const std::string which = "entry " + std::to_string(i);
    expect(diffs, got.entry_address.value == want.address, which + " address",
           got.entry_address.value, want.address);
    expect(diffs, got.entry.raw() == want.value, which + " value", got.entry.raw(), want.value);
    expect(diffs, got.set_accessed == want.set_accessed, which + " set A", got.set_accessed,
           want.set_accessed);
    expect(diffs, got.set_dirty == want.set_dirty, which + " set D", got.set_dirty, want.set_dirty);
  }
  if (expected.type == Type::kTranslated && !w.faulted) {
    expect(diffs, mmu::page_bytes(w.size) == expected.page_bytes, "page size",
           mmu::page_bytes(w.size), expected.page_bytes);
    expect(diffs, w.permissions.writable == expected.all_writable, "writable",
           w.permissions.writable, expected.all_writable);
    expect(diffs, w.permissions.user == expected.all_user, "user", w.permissions.user,
           expected.all_user);
    expect(diffs, w.permissions.executable == expected.executable, "executable",
           w.permissions.executable, expected.executable);
    expect(diffs, w.global == expected.global, "global", w.global, expected.global);
    expect(diffs, w.dirty == expected.dirty_after, "dirty after the walk", w.dirty,
           expected.dirty_after);
  }
  return diffs;
}

std::string compare_probe(const ref::Outcome& expected, const std::optional<mmu::WalkResult>& walk,
                          uint64_t linear) {
  std::string diffs;
  if (!walk) {
    if (expected.type != Type::kOutsideRam)
      diffs += "  the side-effect-free walk threw (entry outside RAM), the reference did not\n";
    return diffs;
  }
  compare_outcome(diffs, expected, walk->faulted, walk->fault,
                  walk->faulted ? 0 : walk->translate(mmu::VirtAddr{linear}).value, linear);
  expect(diffs, walk->step_count == expected.read_count, "entries read", walk->step_count,
         static_cast<uint64_t>(expected.read_count));
  for (int i = 0; i < expected.read_count && i < walk->step_count; ++i) {
    const std::string which = "entry " + std::to_string(i);
    expect(diffs, walk->steps[i].entry_address.value == expected.reads[i].address,
           which + " address", walk->steps[i].entry_address.value, expected.reads[i].address);
    // When tables alias, the real walk reads A or D it has just set itself; nothing else.
    const uint64_t set_by_walk = mmu::Pte::kAccessed | mmu::Pte::kDirty;
    expect(diffs, ((walk->steps[i].entry.raw() ^ expected.reads[i].value) & ~set_by_walk) == 0,
           which + " value", walk->steps[i].entry.raw(), expected.reads[i].value);
    expect(diffs, !walk->steps[i].set_accessed && !walk->steps[i].set_dirty,
           which + " reports A/D set", 1, 0);
  }
  return diffs;
}

std::string compare_translation(const ref::Outcome& expected,
                                const std::optional<mmu::Translation>& t, uint64_t linear) {
  std::string diffs;
  if (!t) {
    if (expected.type != Type::kOutsideRam)
      diffs += "  the Mmu threw (entry outside RAM), the reference did not\n";
    return diffs;
  }
  compare_outcome(diffs, expected, t->faulted, t->fault, t->pa.value, linear);
  // A TLB may hold a large page splintered into smaller entries; a walk reports the page.
  if (expected.type == Type::kTranslated && !t->faulted && t->outcome == mmu::TlbOutcome::kWalk)
    expect(diffs, mmu::page_bytes(t->size) == expected.page_bytes, "page size",
           mmu::page_bytes(t->size), expected.page_bytes);
  return diffs;
}

std::string describe(const ref::Outcome& o) {
  std::string out;
  switch (o.type) {
    case Type::kTranslated:
      out = "translated to " + mmu::hex(o.physical) + " (" + mmu::hex(o.page_bytes) +
            "-byte page)" + flag("W", o.all_writable) + flag("U", o.all_user) +
            flag("X", o.executable) + flag("G", o.global) + flag("D", o.dirty_after);
      break;
    case Type::kPageFault:
      out = "#PF error code " + mmu::hex(o.error_code);
      break;
    case Type::kGeneralProtection:
      out = "#GP";
      break;
    case Type::kOutsideRam:
      out = "entry outside RAM at " + mmu::hex(o.unreadable);
      break;
  }
  for (int i = 0; i < o.read_count; ++i)
    out += "\n    read [" + mmu::hex(o.reads[i].address) + "] = " + mmu::hex(o.reads[i].value) +
           (o.reads[i].set_accessed ? " +A" : "") + (o.reads[i].set_dirty ? " +D" : "");
  return out;
}

std::string describe(const mmu::WalkResult& w) {
  std::string out;
  if (w.faulted)
    out = w.fault.kind == mmu::FaultKind::kGeneralProtection
              ? "#GP"
              : "#PF error code " + mmu::hex(w.fault.error_code);
  else
    out = "frame " + mmu::hex(w.frame.value) + " (" + std::string(mmu::page_size_name(w.size)) +
          " page)" + flag("W", w.permissions.writable) + flag("U", w.permissions.user) +
          flag("X", w.permissions.executable) + flag("G", w.global) + flag("D", w.dirty);
  for (uint8_t i = 0; i < w.step_count; ++i)
    out += "\n    " + std::string(mmu::level_name(w.steps[i].level)) + " [" +
           mmu::hex(w.steps[i].entry_address.value) + "] = " + mmu::hex(w.steps[i].entry.raw()) +
           (w.steps[i].set_accessed ? " +A" : "") + (w.steps[i].set_dirty ? " +D" : "");
  return out;
}

std::string describe(const mmu::Translation& t) {
  if (t.faulted)
    return t.fault.kind == mmu::FaultKind::kGeneralProtection
               ? "#GP"
               : "#PF error code " + mmu::hex(t.fault.error_code);
  const char* how = t.outcome == mmu::TlbOutcome::kL1Hit   ? "L1 hit"
                    : t.outcome == mmu::TlbOutcome::kL2Hit ? "L2 hit"
                                                           : "walk";
  return "translated to " + mmu::hex(t.pa.value) + " (" + std::string(mmu::page_size_name(t.size)) +
         ", " + how + ")";
}

}  // namespace vmlab::fuzz

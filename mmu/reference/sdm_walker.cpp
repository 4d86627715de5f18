#include "mmu/reference/sdm_walker.h"

#include <cstring>

namespace vmlab::mmu::ref {

namespace {

constexpr uint64_t bit(unsigned n) {
  return uint64_t{1} << n;
}
// Bits hi..lo of a 64-bit value, inclusive, the way the SDM's tables write ranges ("51:M").
constexpr uint64_t field(unsigned hi, unsigned lo) {
  const uint64_t up_to_hi = hi >= 63 ? ~uint64_t{0} : bit(hi + 1) - 1;
  return up_to_hi & ~(bit(lo) - 1);
}

// Entry bits, Tables 4-15 to 4-20.
constexpr uint64_t kP = bit(0);
constexpr uint64_t kRW = bit(1);
constexpr uint64_t kUS = bit(2);
constexpr uint64_t kA = bit(5);
constexpr uint64_t kD = bit(6);
constexpr uint64_t kPS = bit(7);
constexpr uint64_t kG = bit(8);
constexpr uint64_t kXD = bit(63);

// Page-fault error code, Figure 4-12.
constexpr uint32_t kErrorP = 1u << 0;
constexpr uint32_t kErrorWR = 1u << 1;
constexpr uint32_t kErrorUS = 1u << 2;
constexpr uint32_t kErrorRSVD = 1u << 3;
constexpr uint32_t kErrorID = 1u << 4;

// The four steps of Figure 4-8 (4-level paging). Each entry is selected by 9 bits of the
// linear address starting at `index_low`; when it maps a page, the page offset is the linear
// address below `index_low`.
enum class Step : uint8_t { kPml4e, kPdpte, kPde, kPte };
struct StepRule {
  Step step;
  unsigned index_low;
};
constexpr StepRule kSteps[] = {
    {Step::kPml4e, 39},
    {Step::kPdpte, 30},
    {Step::kPde, 21},
    {Step::kPte, 12},
};

// Vol. 1 §3.3.7.1: bits 63:47 of a 48-bit linear address are all equal.
bool canonical(uint64_t linear) {
  const uint64_t top = linear >> 47;
  return top == 0 || top == field(16, 0);
}

bool maps_page(Step step, uint64_t entry) {
  if (step == Step::kPte) return true;
  return (step == Step::kPdpte || step == Step::kPde) && (entry & kPS) != 0;
}

// Reserved bits of a present entry (Tables 4-15 to 4-20, and the notes to §4.5.4).
uint64_t reserved_bits(Step step, uint64_t entry, const Controls& c) {
  uint64_t reserved = c.maxphyaddr >= 52 ? 0 : field(51, c.maxphyaddr);
  if (!c.efer_nxe) reserved |= kXD;  // "If IA32_EFER.NXE = 0 ... XD is reserved"
  switch (step) {
    case Step::kPml4e:
      reserved |= kPS;  // bit 7 of a PML4E: "Reserved (must be 0)"
      break;
    case Step::kPdpte:
      // A 1-GByte page: bits 29:13 must be 0, and PS=1 itself is reserved on processors
      // without 1-GByte pages.
      if ((entry & kPS) != 0) reserved |= c.page_1gb ? field(29, 13) : kPS;
      break;
    case Step::kPde:
      if ((entry & kPS) != 0) reserved |= field(20, 13);  // a 2-MByte page
      break;
    case Step::kPte:
      break;
  }
  return reserved;
}

// §4.6.1 with CR4.SMEP = CR4.SMAP = CR4.PKE = 0.
bool permitted(Kind kind, Privilege privilege, bool all_writable, bool all_user, bool any_xd,
               const Controls& c) {
  const bool fetch_allowed = !c.efer_nxe || !any_xd;
  if (privilege == Privilege::kUser) {
    if (!all_user) return false;  // user accesses reach user-mode addresses only
    switch (kind) {
      case Kind::kRead:
        return true;
      case Kind::kWrite:
        return all_writable;  // whatever CR0.WP says
      case Kind::kFetch:
        return fetch_allowed;
    }
  }
  switch (kind) {
    case Kind::kRead:
      return true;  // any address, without SMAP
    case Kind::kWrite:
      return !c.cr0_wp || all_writable;
    case Kind::kFetch:
      return fetch_allowed;  // any address with XD clear, without SMEP
  }
  return false;
}

}  // namespace

bool Ram::holds(uint64_t address, uint64_t length) const {
  return address >= base && address - base <= size && size - (address - base) >= length;
}

uint64_t Ram::load64(uint64_t address) const {
  uint64_t value = 0;
  std::memcpy(&value, bytes + (address - base), sizeof value);
  return value;
}

void Ram::store64(uint64_t address, uint64_t value) {
  if (set_flags) std::memcpy(bytes + (address - base), &value, sizeof value);
}

Outcome translate(Ram& ram, const Controls& c, uint64_t linear, Kind kind, Privilege privilege) {
  Outcome out;
  if (!canonical(linear)) {
    out.type = Outcome::Type::kGeneralProtection;
    return out;
  }
  // §4.7: W/R and U/S describe the access; I/D is set for fetches only when NXE (or SMEP) is on.
  uint32_t access_code = 0;
  if (kind == Kind::kWrite) access_code |= kErrorWR;
  if (privilege == Privilege::kUser) access_code |= kErrorUS;
  if (kind == Kind::kFetch && c.efer_nxe) access_code |= kErrorID;
  auto page_fault = [&](uint32_t code) {
    out.type = Outcome::Type::kPageFault;
    out.error_code = code;
    return out;
  };

  uint64_t table = c.cr3 & field(51, 12);
  bool all_writable = true, all_user = true, any_xd = false;
  for (const StepRule& rule : kSteps) {
    const uint64_t address = table | (((linear >> rule.index_low) & field(8, 0)) << 3);
    if (!ram.holds(address, sizeof(uint64_t))) {
      out.type = Outcome::Type::kOutsideRam;
      out.unreadable = address;
      return out;
    }
    EntryRead& read = out.reads[out.read_count++];
    read.address = address;
    read.value = ram.load64(address);
    const uint64_t entry = read.value;

    if ((entry & kP) == 0) return page_fault(access_code);
    // Reserved bits are checked only in present entries, so RSVD comes with P (§4.7).
    if ((entry & reserved_bits(rule.step, entry, c)) != 0)
      return page_fault(access_code | kErrorP | kErrorRSVD);
    all_writable = all_writable && (entry & kRW) != 0;
    all_user = all_user && (entry & kUS) != 0;
    any_xd = any_xd || (entry & kXD) != 0;

    if (!maps_page(rule.step, entry)) {
      // §4.8: an entry used to reach the next structure gets A. The SDM does not say whether
      // that happens when the walk later faults; QEMU (the CPU vmlab runs on, and the oracle of
      // --check) sets it as it goes, and so does this reference. The leaf below is different:
      // its A and D describe an access that happened, so a faulting access leaves them alone.
      if ((entry & kA) == 0) {
        ram.store64(address, entry | kA);
        read.set_accessed = true;
      }
      table = entry & field(51, 12);
      continue;
    }

    if (!permitted(kind, privilege, all_writable, all_user, any_xd, c))
      return page_fault(access_code | kErrorP);
    uint64_t updated = entry | kA;
    if (kind == Kind::kWrite) updated |= kD;  // §4.8: D in the entry that maps the page
    if (updated != entry) {
      ram.store64(address, updated);
      read.set_accessed = (entry & kA) == 0;
      read.set_dirty = (updated & kD) != 0 && (entry & kD) == 0;
    }
    out.type = Outcome::Type::kTranslated;
    out.page_bytes = bit(rule.index_low);
    out.physical = (entry & field(51, rule.index_low)) | (linear & (out.page_bytes - 1));
    out.all_writable = all_writable;
    out.all_user = all_user;
    out.executable = !c.efer_nxe || !any_xd;
    out.global = (entry & kG) != 0;
    out.dirty_after = (updated & kD) != 0;
    return out;
  }
  return out;  // not reached: a PTE always maps a page
}

}  // namespace vmlab::mmu::ref

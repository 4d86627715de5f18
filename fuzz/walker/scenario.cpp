#include "fuzz/walker/scenario.h"

#include "fuzz/support/byte_reader.h"
#include "mmu/format.h"

namespace vmlab::fuzz {

namespace ref = mmu::ref;

namespace {

constexpr uint64_t kFrameBytes = 4096;
constexpr uint64_t kEntriesPerTable = 512;
constexpr uint64_t kEntryBytes = 8;
constexpr uint64_t kMinFrames = 8;
constexpr uint64_t kMaxFrames = 64;
constexpr int kMaxOperations = 6;
constexpr int kMaxStrayWrites = 4;
constexpr unsigned kLevels = 4;
constexpr unsigned kLinearIndexLow[kLevels] = {39, 30, 21, 12};  // PML4, PDPT, PD, PT index
constexpr uint64_t kMaxPhysical = (uint64_t{1} << 52) - 1;
constexpr uint64_t kAddressField = kMaxPhysical & ~(kFrameBytes - 1);  // entry bits 51:12

// Entry flag bits 8:0 (P RW US PWT PCD A D PS G) come straight from the input, with P, RW and
// US inverted so that zero bytes make a present, writable, user entry: walks go deep at once.
constexpr uint64_t kLowFlags = 0x1ff;
constexpr uint64_t kInvertedFlags = 0x7;
constexpr uint16_t kWithNoExecute = 1u << 9;
constexpr uint16_t kWithIgnoredBits = 1u << 10;
constexpr uint16_t kWithStrayAddressBit = 1u << 11;
constexpr uint64_t kNoExecute = uint64_t{1} << 63;
constexpr unsigned kIgnoredLowShift = 9;    // bits 11:9
constexpr unsigned kIgnoredHighShift = 52;  // bits 62:52
constexpr unsigned kIgnoredHighCount = 11;

// Control byte: each bit toggles a setting away from the kernel's own (WP, NXE, 1 GiB pages).
constexpr uint8_t kToggleWriteProtect = 1u << 0;
constexpr uint8_t kToggleNoExecute = 1u << 1;
constexpr uint8_t kToggle1GPages = 1u << 2;
constexpr uint8_t kPcids = 1u << 3;
constexpr uint8_t kSmallTlbs = 1u << 4;

// A physical address an entry (or CR3) points at: a RAM frame, an aligned 2 MiB or 1 GiB
// frame (large pages, mostly outside this small RAM), or any address at all.
uint64_t decode_target(ByteReader& in, const Scenario& s) {
  const uint8_t t = in.u8();
  if (t < 0xc0) return s.ram_base + (t % s.ram_frames) * kFrameBytes;
  if (t < 0xe0) return static_cast<uint64_t>(t - 0xc0) << 21;
  if (t < 0xf0) return static_cast<uint64_t>(t - 0xe0) << 30;
  return in.u64() & kAddressField;
}

uint64_t decode_entry(ByteReader& in, const Scenario& s) {
  const uint16_t f = in.u16();
  uint64_t value = (f ^ kInvertedFlags) & kLowFlags;
  if ((f & kWithNoExecute) != 0) value |= kNoExecute;
  if ((f & kWithIgnoredBits) != 0) {
    const uint16_t ignored = in.u16();
    const uint64_t bits = ignored;
    value |= (bits & 0x7) << kIgnoredLowShift;
    value |= ((bits >> 3) & ((uint64_t{1} << kIgnoredHighCount) - 1)) << kIgnoredHighShift;
  }
  // One bit of 51:12: a large page's PAT or reserved bits, or an address bit at or above
  // MAXPHYADDR.
  if ((f & kWithStrayAddressBit) != 0) value |= uint64_t{1} << (12 + in.u8() % 40);
  return value | (decode_target(in, s) & kAddressField);
}

bool in_ram(const Scenario& s, uint64_t address) {
  return address >= s.ram_base && address - s.ram_base + kEntryBytes <= s.ram_frames * kFrameBytes;
}

uint64_t decode_linear(ByteReader& in) {
  const uint8_t how = in.u8();
  const uint64_t raw = in.u64();
  if ((how & 1) != 0) return raw;  // possibly non-canonical
  return static_cast<uint64_t>(static_cast<int64_t>(raw << 16) >> 16);
}

}  // namespace

Scenario decode_scenario(std::span<const uint8_t> input) {
  ByteReader in(input);
  Scenario s;
  switch (in.u8() % 4) {
    case 0:
      s.ram_base = 0;
      break;
    case 1:
      s.ram_base = uint64_t{1} << 39;  // where vmlab's machine puts RAM
      break;
    case 2:
      s.ram_base = uint64_t{in.u16()} * kFrameBytes;
      break;
    default:
      s.ram_base = uint64_t{in.u32()} * kFrameBytes;
      break;
  }
  s.ram_frames = kMinFrames + in.u8() % (kMaxFrames - kMinFrames + 1);
  const uint8_t control = in.u8();
  s.controls.cr0_wp = (control & kToggleWriteProtect) == 0;
  s.controls.efer_nxe = (control & kToggleNoExecute) == 0;
  s.controls.page_1gb = (control & kToggle1GPages) == 0;
  s.pcid_enabled = (control & kPcids) != 0;
  s.small_tlbs = (control & kSmallTlbs) != 0;
  s.controls.maxphyaddr = 52 - in.u8() % 17;  // 36..52
  s.pcid = s.pcid_enabled ? static_cast<uint16_t>(in.u16() & 0xfff) : 0;
  s.controls.cr3 = decode_target(in, s);

  const int operations = 1 + in.u8() % kMaxOperations;
  for (int i = 0; i < operations; ++i) {
    Operation op;
    op.linear = decode_linear(in);
    const uint8_t how = in.u8();
    op.kind = static_cast<ref::Kind>(how % 3);
    op.privilege = (how / 3) % 2 == 0 ? ref::Privilege::kUser : ref::Privilege::kSupervisor;
    s.operations.push_back(op);
    // The entries this access's walk will read, if the earlier ones lead where they say.
    uint64_t table = s.controls.cr3 & kAddressField;
    for (unsigned level = 0; level < kLevels; ++level) {
      const uint64_t slot =
          table + ((op.linear >> kLinearIndexLow[level]) % kEntriesPerTable) * kEntryBytes;
      const uint64_t value = decode_entry(in, s);
      if (!in_ram(s, slot)) break;
      s.writes.push_back({slot, value});
      table = value & kAddressField;
    }
    const int stray = in.u8() % (kMaxStrayWrites + 1);
    for (int w = 0; w < stray; ++w) {
      const uint64_t frame = in.u8() % s.ram_frames;
      const uint64_t index = in.u16() % kEntriesPerTable;
      s.writes.push_back(
          {s.ram_base + frame * kFrameBytes + index * kEntryBytes, decode_entry(in, s)});
    }
  }
  return s;
}

std::string describe(const Operation& op) {
  const char* kind = op.kind == ref::Kind::kRead    ? "read"
                     : op.kind == ref::Kind::kWrite ? "write"
                                                    : "fetch";
  return std::string(op.privilege == ref::Privilege::kUser ? "user " : "supervisor ") + kind +
         " of " + mmu::hex(op.linear);
}

std::string describe(const Scenario& s) {
  std::string out = "RAM [" + mmu::hex(s.ram_base) + ", +" + std::to_string(s.ram_frames) +
                    " frames)  CR3 " + mmu::hex(s.controls.cr3) +
                    "  CR0.WP=" + std::to_string(s.controls.cr0_wp) +
                    " EFER.NXE=" + std::to_string(s.controls.efer_nxe) +
                    " Page1GB=" + std::to_string(s.controls.page_1gb) +
                    " MAXPHYADDR=" + std::to_string(s.controls.maxphyaddr) +
                    " PCID=" + (s.pcid_enabled ? std::to_string(s.pcid) : std::string("off")) +
                    (s.small_tlbs ? " small TLBs" : " default TLBs") + "\n";
  for (const EntryWrite& w : s.writes)
    out += "  [" + mmu::hex(w.address) + "] = " + mmu::hex(w.value) + "\n";
  for (const Operation& op : s.operations)
    out += "  access: " + describe(op) + "\n";
  return out;
}

}  // namespace vmlab::fuzz

// Rights combine across levels as Intel SDM Vol. 3 §4.6.1 says: an access is allowed only if
// every level allows it. Explicit rows first, then every combination of R/W, U/S and XD at the
// four levels against a restatement of the manual's rules.
#include "tests/mmu/walker_fixture.h"

namespace vmlab::mmu::testing {
namespace {

using pf_error::kInstruction;
using pf_error::kPresent;
using pf_error::kReserved;
using pf_error::kUser;
using pf_error::kWrite;

constexpr VirtAddr kVa{0x0000'1234'5678'9000};
constexpr uint64_t kAllRights = Pte::kPresent | Pte::kWritable | Pte::kUser;

class PermissionTest : public WalkerTest {
 protected:
  // Maps kVa with `bits` at each level (index by Level; [0] unused).
  void map_with(const uint64_t (&bits)[kLevels + 1]) {
    tables_.map(kVa, PhysAddr{0x30'0000}, bits[static_cast<int>(Level::kPt)], PageSize::k4K, bits);
  }
};

struct Row {
  const char* what;
  Level restricted;  // the level whose entry lacks a right
  uint64_t remove;   // bits removed from that entry (or added, for XD)
  uint64_t add;
  Access access;
  Mode mode;
  bool wp;
  bool nxe;
  bool faults;
  uint32_t error_code;
};

TEST_F(PermissionTest, ManualRows) {
  const Row rows[] = {
      {"user read, all levels user", Level::kPt, 0, 0, Access::kRead, Mode::kUser, true, true,
       false, 0},
      {"user read, PML4E supervisor", Level::kPml4, Pte::kUser, 0, Access::kRead, Mode::kUser, true,
       true, true, kPresent | kUser},
      {"user read, PDPTE supervisor", Level::kPdpt, Pte::kUser, 0, Access::kRead, Mode::kUser, true,
       true, true, kPresent | kUser},
      {"user read, PDE supervisor", Level::kPd, Pte::kUser, 0, Access::kRead, Mode::kUser, true,
       true, true, kPresent | kUser},
      {"user read, PTE supervisor", Level::kPt, Pte::kUser, 0, Access::kRead, Mode::kUser, true,
       true, true, kPresent | kUser},
      {"user write, PDPTE read-only", Level::kPdpt, Pte::kWritable, 0, Access::kWrite, Mode::kUser,
       true, true, true, kPresent | kWrite | kUser},
      {"user write, PTE read-only, WP=0 still faults", Level::kPt, Pte::kWritable, 0,
       Access::kWrite, Mode::kUser, false, true, true, kPresent | kWrite | kUser},
      {"supervisor write, read-only, WP=1", Level::kPd, Pte::kWritable, 0, Access::kWrite,
       Mode::kSupervisor, true, true, true, kPresent | kWrite},
      {"supervisor write, read-only, WP=0", Level::kPd, Pte::kWritable, 0, Access::kWrite,
       Mode::kSupervisor, false, true, false, 0},
      {"supervisor read of a user page (no SMAP)", Level::kPt, 0, 0, Access::kRead,
       Mode::kSupervisor, true, true, false, 0},
      {"user fetch, XD in PML4E", Level::kPml4, 0, Pte::kNoExecute, Access::kFetch, Mode::kUser,
       true, true, true, kPresent | kUser | kInstruction},
      {"user fetch, XD in PTE", Level::kPt, 0, Pte::kNoExecute, Access::kFetch, Mode::kUser, true,
       true, true, kPresent | kUser | kInstruction},
      {"supervisor fetch, XD in PDE", Level::kPd, 0, Pte::kNoExecute, Access::kFetch,
       Mode::kSupervisor, true, true, true, kPresent | kInstruction},
      {"user fetch of a read-only page", Level::kPt, Pte::kWritable, 0, Access::kFetch, Mode::kUser,
       true, true, false, 0},
      {"XD set with NXE=0 is a reserved bit", Level::kPt, 0, Pte::kNoExecute, Access::kRead,
       Mode::kUser, true, false, true, kPresent | kUser | kReserved},
      {"fetch with NXE=0 reports no I/D bit", Level::kPml4, Pte::kUser, 0, Access::kFetch,
       Mode::kUser, true, false, true, kPresent | kUser},
      {"supervisor fetch of a user page (no SMEP)", Level::kPt, 0, 0, Access::kFetch,
       Mode::kSupervisor, true, true, false, 0},
  };
  for (const Row& row : rows) {
    uint64_t bits[kLevels + 1] = {0, kAllRights, kAllRights, kAllRights, kAllRights};
    auto& restricted = bits[static_cast<int>(row.restricted)];
    restricted = (restricted & ~row.remove) | row.add;
    map_with(bits);
    control_.write_protect = row.wp;
    control_.no_execute = row.nxe;
    const WalkResult r = walk(kVa, row.access, row.mode);
    EXPECT_EQ(r.faulted, row.faults) << row.what;
    if (row.faults && r.faulted) {
      EXPECT_EQ(r.fault.kind, FaultKind::kPageFault) << row.what;
      EXPECT_EQ(r.fault.error_code, row.error_code) << row.what;
      EXPECT_EQ(r.fault.address, kVa) << row.what;
    }
  }
}

// The manual's rules, restated: a level denies a user access without U/S, a write without R/W
// (in supervisor mode only with CR0.WP), a fetch with XD (only with NXE).
bool manual_allows(const uint64_t (&bits)[kLevels + 1], Access access, Mode mode, bool wp,
                   bool nxe) {
  for (int level = 1; level <= kLevels; ++level) {
    const Pte e{bits[level]};
    if (mode == Mode::kUser && !e.user()) return false;
    if (access == Access::kWrite && !e.writable() && (mode == Mode::kUser || wp)) return false;
    if (access == Access::kFetch && nxe && e.no_execute()) return false;
  }
  return true;
}

TEST_F(PermissionTest, EveryCombinationAcrossLevels) {
  int checked = 0;
  for (uint32_t combo = 0; combo < (1u << 12); ++combo) {
    uint64_t bits[kLevels + 1] = {};
    for (int level = 1; level <= kLevels; ++level) {
      const uint32_t three = (combo >> (3 * (level - 1))) & 7u;
      bits[level] = Pte::kPresent | ((three & 1u) ? Pte::kWritable : 0) |
                    ((three & 2u) ? Pte::kUser : 0) | ((three & 4u) ? Pte::kNoExecute : 0);
    }
    map_with(bits);
    for (auto access : {Access::kRead, Access::kWrite, Access::kFetch}) {
      for (auto mode : {Mode::kUser, Mode::kSupervisor}) {
        for (bool wp : {false, true}) {
          control_.write_protect = wp;
          control_.no_execute = true;  // with NXE=0 any XD bit is a reserved-bit fault instead
          const bool allowed = manual_allows(bits, access, mode, wp, true);
          const WalkResult r = walk(kVa, access, mode, WalkEffects::kNone);
          ASSERT_EQ(!r.faulted, allowed) << "combo " << combo << " " << access_name(access);
          if (r.faulted) {
            uint32_t code = kPresent;
            if (access == Access::kWrite) code |= kWrite;
            if (mode == Mode::kUser) code |= kUser;
            if (access == Access::kFetch) code |= kInstruction;
            ASSERT_EQ(r.fault.error_code, code) << "combo " << combo;
          } else {
            const Permissions p = r.permissions;
            EXPECT_EQ(p.user, manual_allows(bits, Access::kRead, Mode::kUser, wp, true));
            EXPECT_EQ(p.executable,
                      manual_allows(bits, Access::kFetch, Mode::kSupervisor, wp, true));
          }
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 4096 * 3 * 2 * 2);
}

}  // namespace
}  // namespace vmlab::mmu::testing

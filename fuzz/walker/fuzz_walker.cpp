// fuzz_walker: random 4-level page tables, control registers and accesses; vmlab's walker (with
// and without effects) and its Mmu (TLBs, paging-structure caches) must agree with the SDM
// reference walker on the fault, the error code, the physical address, every entry read and every
// A/D bit written.
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <tuple>

#include "fuzz/support/report.h"
#include "fuzz/walker/scenario.h"
#include "fuzz/walker/walk_comparison.h"
#include "mmu/format.h"
#include "mmu/mmu.h"
#include "mmu/physical_memory.h"
#include "mmu/reference/sdm_walker.h"
#include "mmu/walker.h"

namespace vmlab::fuzz {

namespace ref = mmu::ref;
namespace {

// Few entries, every replacement policy, 1 GiB pages splintered, tiny paging-structure caches:
// evictions and partial hits on every input.
constexpr const char* kSmallTlbs =
    "l1i.4k=4x2/fifo,l1d.4k=4x2/lru,l1d.2m=2x2/random,l2.4k+2m=8x4/plru,l2.1g=2x1,"
    "psc.pml4e=1,psc.pdpte=1,psc.pde=2";

mmu::Access access_of(ref::Kind kind) {
  return kind == ref::Kind::kRead    ? mmu::Access::kRead
         : kind == ref::Kind::kWrite ? mmu::Access::kWrite
                                     : mmu::Access::kFetch;
}

mmu::Mode mode_of(ref::Privilege privilege) {
  return privilege == ref::Privilege::kUser ? mmu::Mode::kUser : mmu::Mode::kSupervisor;
}

mmu::PagingControl paging_control(const Scenario& s) {
  mmu::PagingControl c;
  c.root = mmu::PhysAddr{s.controls.cr3};
  c.pcid = s.pcid;
  c.write_protect = s.controls.cr0_wp;
  c.no_execute = s.controls.efer_nxe;
  c.pcid_enabled = s.pcid_enabled;
  c.large_1g_pages = s.controls.page_1gb;
  c.physical_address_bits = static_cast<uint8_t>(s.controls.maxphyaddr);
  return c;
}

// The first 8-byte word where vmlab's RAM and the reference's differ (A/D bits written or not).
std::string compare_ram(const mmu::PhysicalMemory& vmlab, const ref::Ram& reference) {
  if (std::memcmp(vmlab.host_base(), reference.bytes, reference.size) == 0) return {};
  for (uint64_t offset = 0; offset < reference.size; offset += sizeof(uint64_t)) {
    uint64_t got = 0, want = 0;
    std::memcpy(&got, vmlab.host_base() + offset, sizeof got);
    std::memcpy(&want, reference.bytes + offset, sizeof want);
    if (got != want)
      return "  RAM differs at " + mmu::hex(reference.base + offset) + ": vmlab " + mmu::hex(got) +
             ", reference " + mmu::hex(want) + "\n";
  }
  return {};
}

[[noreturn]] void mismatch(const Scenario& s, const Operation& op, const char* who,
                           const std::string& diffs, const ref::Outcome& expected,
                           const std::string& vmlab) {
  fail(std::string(who) + " disagrees with the SDM reference on the " + describe(op) + ":\n" +
       diffs + "reference: " + describe(expected) + "\nvmlab:     " + vmlab +
       "\nscenario:  " + describe(s));
}

std::optional<mmu::WalkResult> vmlab_walk(mmu::PhysicalMemory& ram, const Scenario& s,
                                          const Operation& op, mmu::WalkEffects effects) {
  try {
    return mmu::walk(ram, paging_control(s), mmu::VirtAddr{op.linear}, access_of(op.kind),
                     mode_of(op.privilege), effects);
  } catch (const std::out_of_range&) {
    return std::nullopt;  // the documented answer to an entry outside RAM
  }
}

std::optional<mmu::Translation> vmlab_translate(mmu::Mmu& mmu, const Operation& op) {
  try {
    return mmu.translate(mmu::VirtAddr{op.linear}, access_of(op.kind), mode_of(op.privilege));
  } catch (const std::out_of_range&) {
    return std::nullopt;
  }
}

// Zeroed RAM of the scenario's geometry. Creating RAM per input costs more than a walk, so
// RAM is kept per geometry and cleared: every input still starts from all-zero memory.
mmu::PhysicalMemory& zeroed_ram(const Scenario& s, int which) {
  static constexpr size_t kMaxKept = 32;
  static std::map<std::tuple<uint64_t, uint64_t, int>, std::unique_ptr<mmu::PhysicalMemory>> kept;
  const auto key = std::make_tuple(s.ram_base, s.ram_frames, which);
  auto it = kept.find(key);
  if (it == kept.end()) {
    if (kept.size() >= kMaxKept) kept.clear();
    it = kept.emplace(key, std::make_unique<mmu::PhysicalMemory>(mmu::PhysAddr{s.ram_base},
                                                                 s.ram_frames * mmu::kPageBytes))
             .first;
  }
  it->second->fill(it->second->base(), 0, it->second->size());
  return *it->second;
}

void run(const Scenario& s) {
  const uint64_t bytes = s.ram_frames * mmu::kPageBytes;
  mmu::PhysicalMemory& walker_ram = zeroed_ram(s, 0);
  mmu::PhysicalMemory& mmu_ram = zeroed_ram(s, 1);
  std::vector<uint8_t> reference_bytes(bytes);
  ref::Ram reference{s.ram_base, reference_bytes.data(), bytes};
  for (const EntryWrite& w : s.writes) {
    walker_ram.write_u64(mmu::PhysAddr{w.address}, w.value);
    mmu_ram.write_u64(mmu::PhysAddr{w.address}, w.value);
    reference.store64(w.address, w.value);
  }
  mmu::MmuConfig config = mmu::MmuConfig::defaults();
  if (s.small_tlbs) config.apply_spec(kSmallTlbs);
  mmu::Mmu mmu(mmu_ram, config);
  mmu.set_control(paging_control(s));

  for (const Operation& op : s.operations) {
    // A walk without effects first: RAM must still equal the reference's before its walk.
    const auto probe = vmlab_walk(walker_ram, s, op, mmu::WalkEffects::kNone);
    const std::string untouched = compare_ram(walker_ram, reference);
    const ref::Outcome expected =
        ref::translate(reference, s.controls, op.linear, op.kind, op.privilege);
    std::string diffs = compare_probe(expected, probe, op.linear) + untouched;
    if (!diffs.empty())
      mismatch(s, op, "mmu::walk without effects", diffs, expected,
               probe ? describe(*probe) : "threw");

    const auto walk = vmlab_walk(walker_ram, s, op, mmu::WalkEffects::kSetAccessedDirty);
    diffs = compare_walk(expected, walk, op.linear) + compare_ram(walker_ram, reference);
    if (!diffs.empty())
      mismatch(s, op, "mmu::walk", diffs, expected, walk ? describe(*walk) : "threw");

    // The Mmu sees the same tables, translates the access twice (the second time from its
    // TLBs when the first succeeded) and must match the reference both times. Page tables
    // never change here, so no TLB entry can be stale.
    for (int round = 0; round < 2; ++round) {
      const ref::Outcome again =
          round == 0 ? expected
                     : ref::translate(reference, s.controls, op.linear, op.kind, op.privilege);
      const auto t = vmlab_translate(mmu, op);
      diffs = compare_translation(again, t, op.linear) + compare_ram(mmu_ram, reference);
      if (round == 1 && !s.small_tlbs && again.type == ref::Outcome::Type::kTranslated && t &&
          t->outcome == mmu::TlbOutcome::kWalk)
        diffs += "  the default TLBs did not keep a translation made just before\n";
      if (!diffs.empty())
        mismatch(s, op, round == 0 ? "Mmu::translate" : "Mmu::translate (repeated)", diffs, again,
                 t ? describe(*t) : "threw");
    }
  }
}

}  // namespace
}  // namespace vmlab::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vmlab::fuzz::keep_report_stream();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmlab::fuzz::run(vmlab::fuzz::decode_scenario({data, size}));
  return 0;
}

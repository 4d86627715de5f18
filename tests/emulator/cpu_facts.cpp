#include "tests/emulator/cpu_facts.h"

#include <array>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "mmu/address.h"
#include "mmu/format.h"
#include "mmu/x86_registers.h"

namespace vmlab::testing {

namespace {

using mmu::hex;
using mmu::kPageBytes;
namespace x86 = mmu::x86;

// An Intel model whose CPUID has NX and Page1GB, so that the model can walk with 1 GiB pages on
// as the CPU reports them. (QEMU's walker maps PS=1 in a PDPTE whatever CPUID says; Unicorn's
// default "qemu64" model would report Page1GB=0 and so contradict its own walker.)
constexpr int kCpuModel = UC_CPU_X86_SKYLAKE_SERVER;

[[noreturn]] void refuse(const std::string& what) {
  const unsigned v = uc_version(nullptr, nullptr);
  throw std::runtime_error("the paging harness cannot use libunicorn " + std::to_string(v >> 24) +
                           "." + std::to_string(v >> 16 & 0xff) + "." +
                           std::to_string(v >> 8 & 0xff) + ": " + what);
}

struct ScratchEngine {
  uc_engine* uc = nullptr;
  uc_context* clean = nullptr;
  uc_context* saved = nullptr;
  std::vector<uint32_t> interrupts;
  ~ScratchEngine() {
    if (saved != nullptr) uc_context_free(saved);
    if (clean != nullptr) uc_context_free(clean);
    if (uc != nullptr) uc_close(uc);
  }
};

void probe_interrupt(uc_engine* uc, uint32_t intno, void* user) {
  auto* e = static_cast<ScratchEngine*>(user);
  e->interrupts.push_back(intno);
  uc_context_save(uc, e->saved);
  uc_emu_stop(uc);
}

constexpr uint64_t kProbeCode = 0x1000;
constexpr uint64_t kProbeCpuid = kProbeCode, kProbeLoadDs = kProbeCode + 0x100;
// mov eax, 0x80000001; cpuid; mov r8d, edx; mov eax, 0x80000008; cpuid; mov r9d, eax
constexpr std::array<uint8_t, 20> kCpuidCode = {0xb8, 0x01, 0x00, 0x00, 0x80, 0x0f, 0xa2,
                                                0x41, 0x89, 0xd0, 0xb8, 0x08, 0x00, 0x00,
                                                0x80, 0x0f, 0xa2, 0x41, 0x89, 0xc1};
constexpr std::array<uint8_t, 2> kLoadDsCode = {0x8e, 0xd8};  // mov ds, eax
// Two GDT selectors (TI=0) beyond the GDT limit: `mov ds` raises #GP with the selector, RPL
// cleared, as its error code.
constexpr std::array<uint16_t, 2> kProbeSelectors = {0x1230, 0x5a58};
constexpr uint16_t kProbeGdtLimit = 0x17;
constexpr uint32_t kProbeRegisterJunk = 0x5eed'0000;
constexpr uint16_t kRpl3 = 3;

// The saved context, as bytes, after #GP(selector).
std::vector<uint8_t> context_after_gp(ScratchEngine& e, uint16_t selector) {
  check(uc_context_restore(e.uc, e.clean), "probe: restoring the clean context");
  // The register holds the selector with RPL 3 and junk above bit 15, so that it differs from
  // the error code (the selector with RPL cleared) wherever the context keeps it.
  const uint64_t rax = uint64_t{kProbeRegisterJunk} | selector | kRpl3;
  check(uc_reg_write(e.uc, UC_X86_REG_RAX, &rax), "probe: RAX");
  e.interrupts.clear();
  uc_emu_start(e.uc, kProbeLoadDs, kProbeLoadDs + kLoadDsCode.size(), 0, 0);
  if (e.interrupts != std::vector<uint32_t>{x86::vector::kGeneralProtection})
    refuse("`mov ds` with selector " + hex(selector) + " beyond the GDT did not raise one #GP");
  const size_t size = uc_context_size(e.uc);
  std::vector<uint8_t> bytes(size);
  std::memcpy(bytes.data(), e.saved, size);
  return bytes;
}

CpuFacts measure() {
  CpuFacts facts;
  facts.model = kCpuModel;
  ScratchEngine e;
  check(uc_open(UC_ARCH_X86, UC_MODE_64, &e.uc), "probe: uc_open");
  check(uc_ctl_set_cpu_model(e.uc, kCpuModel), "probe: selecting the CPU model");
  check(uc_context_alloc(e.uc, &e.clean), "probe: uc_context_alloc");
  check(uc_context_alloc(e.uc, &e.saved), "probe: uc_context_alloc");
  std::vector<uint8_t> page(kPageBytes, kHlt);
  std::memcpy(page.data() + (kProbeCpuid - kProbeCode), kCpuidCode.data(), kCpuidCode.size());
  std::memcpy(page.data() + (kProbeLoadDs - kProbeCode), kLoadDsCode.data(), kLoadDsCode.size());
  check(uc_mem_map(e.uc, kProbeCode, kPageBytes, UC_PROT_ALL), "probe: mapping code");
  check(uc_mem_write(e.uc, kProbeCode, page.data(), page.size()), "probe: writing code");
  uc_hook hook;
  check(uc_hook_add(e.uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(&probe_interrupt), &e, 1, 0),
        "probe: interrupt hook");

  // CPUID as the harness's CPU reports it.
  check(uc_emu_start(e.uc, kProbeCpuid, kProbeCpuid + kCpuidCode.size(), 0, 0), "probe: CPUID");
  if (!e.interrupts.empty()) refuse("CPUID raised vector " + std::to_string(e.interrupts[0]));
  uint64_t ext_features = 0, address_sizes = 0;
  uc_reg_read(e.uc, UC_X86_REG_R8, &ext_features);
  uc_reg_read(e.uc, UC_X86_REG_R9, &address_sizes);
  facts.no_execute = (ext_features >> 20 & 1) != 0;
  facts.one_gib_pages = (ext_features >> 26 & 1) != 0;
  facts.physical_address_bits = static_cast<uint8_t>(address_sizes & 0xff);
  if (!facts.no_execute)
    refuse("the CPU model lacks CPUID NX (80000001H:EDX = " + hex(ext_features) + ")");
  if (facts.physical_address_bits < 32 || facts.physical_address_bits > 52)
    refuse("CPUID reports MAXPHYADDR " + std::to_string(facts.physical_address_bits));

  // The error code: the one int32 of the saved context that holds each selector after its #GP.
  uc_x86_mmr gdtr{0, 0, kProbeGdtLimit, 0};
  check(uc_reg_write(e.uc, UC_X86_REG_GDTR, &gdtr), "probe: GDTR");
  check(uc_context_save(e.uc, e.clean), "probe: saving the clean context");
  const std::vector<uint8_t> first = context_after_gp(e, kProbeSelectors[0]);
  const std::vector<uint8_t> second = context_after_gp(e, kProbeSelectors[1]);
  std::vector<size_t> found;
  for (size_t off = 0; off + sizeof(int32_t) <= first.size(); off += sizeof(int32_t)) {
    uint32_t a, b;
    std::memcpy(&a, first.data() + off, sizeof a);
    std::memcpy(&b, second.data() + off, sizeof b);
    if (a == kProbeSelectors[0] && b == kProbeSelectors[1]) found.push_back(off);
  }
  if (found.size() != 1)
    refuse("the #GP error code appears at " + std::to_string(found.size()) +
           " places in the saved context (uc_context_size " + std::to_string(first.size()) +
           "), not exactly one");
  facts.error_code_offset = found[0];
  return facts;
}

}  // namespace

void check(uc_err err, const std::string& what) {
  if (err != UC_ERR_OK) throw std::runtime_error(what + ": " + uc_strerror(err));
}

const CpuFacts& cpu_facts() {
  static const CpuFacts facts = measure();
  return facts;
}

uint32_t read_error_code(const uc_context* context) {
  uint32_t v;
  std::memcpy(&v, reinterpret_cast<const uint8_t*>(context) + cpu_facts().error_code_offset,
              sizeof v);
  return v;
}

}  // namespace vmlab::testing

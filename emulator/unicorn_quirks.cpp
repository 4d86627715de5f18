#include "emulator/unicorn_quirks.h"

#include <unicorn/unicorn.h>

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace vmlab::emulator {

namespace {

// Offsets inside the saved blob (struct uc_context: size_t size, uc_mode, uc_arch, then the
// CPU state), measured on Debian 12's libunicorn 2.0.1.
constexpr size_t kBlobHeader = sizeof(size_t) + 2 * sizeof(int);
constexpr size_t kOldExceptionOffset = kBlobHeader + 5464;
constexpr size_t kErrorCodeOffset = kBlobHeader + 5352;
constexpr uint32_t kEferMsr = 0xC000'0080;
constexpr uint64_t kEferLongModeEnable = 1u << 8;
constexpr uint64_t kEferLongModeActive = 1u << 10;
constexpr uint64_t kEferNoExecuteEnable = 1u << 11;

constexpr uint32_t kDivideError = 0;
constexpr uint32_t kGeneralProtection = 13;

template <typename T>
T blob_read(const uc_context* ctx, size_t offset) {
  T v;
  std::memcpy(&v, reinterpret_cast<const char*>(ctx) + offset, sizeof v);
  return v;
}
template <typename T>
void blob_write(uc_context* ctx, size_t offset, T v) {
  std::memcpy(reinterpret_cast<char*>(ctx) + offset, &v, sizeof v);
}

[[noreturn]] void refuse(const std::string& what) {
  throw std::runtime_error(
      "this libunicorn does not match the Unicorn 2.0.1 build vmlab was measured on (" + what +
      "); vmlab needs Debian's libunicorn2 2.0.1");
}

struct Engine {
  uc_engine* uc = nullptr;
  uc_context* ctx = nullptr;
  ~Engine() {
    if (ctx != nullptr) uc_context_free(ctx);
    if (uc != nullptr) uc_close(uc);
  }
};

struct Probe {
  ContextLayout layout;
  std::vector<uint32_t> interrupts;
  std::vector<uint32_t> error_codes;
};

void probe_hook(uc_engine* uc, uint32_t intno, void* user) {
  auto* p = static_cast<Probe*>(user);
  uc_context* ctx = nullptr;
  uc_context_alloc(uc, &ctx);
  uc_context_save(uc, ctx);
  p->interrupts.push_back(intno);
  p->error_codes.push_back(blob_read<uint32_t>(ctx, p->layout.error_code));
  blob_write<int32_t>(ctx, p->layout.old_exception, -1);
  uc_context_restore(uc, ctx);
  uc_context_free(ctx);
  // Skip the two-byte faulting instruction (div ecx / mov ds, eax) and carry on.
  uint64_t rip = 0;
  uc_reg_read(uc, UC_X86_REG_RIP, &rip);
  rip += 2;
  uc_reg_write(uc, UC_X86_REG_RIP, &rip);
}

size_t find_efer(uc_engine* uc, uc_context* ctx) {
  // Save with two EFER values and look for the one word that changed accordingly.
  const size_t size = uc_context_size(uc);
  std::vector<char> a(size), b(size);
  uc_x86_msr msr{kEferMsr, kEferLongModeEnable};
  uc_reg_write(uc, UC_X86_REG_MSR, &msr);
  uc_context_save(uc, ctx);
  std::memcpy(a.data(), ctx, size);
  msr.value = 0;
  uc_reg_write(uc, UC_X86_REG_MSR, &msr);
  uc_context_save(uc, ctx);
  std::memcpy(b.data(), ctx, size);
  for (size_t off = kBlobHeader; off + sizeof(uint64_t) <= size; off += sizeof(uint64_t)) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + off, sizeof x);
    std::memcpy(&y, b.data() + off, sizeof y);
    if ((x & kEferLongModeEnable) != 0 && (y & kEferLongModeEnable) == 0 &&
        ((x ^ y) & ~(kEferLongModeEnable | kEferLongModeActive)) == 0)
      return off;
  }
  refuse("EFER not found in the saved CPU context");
}

void set_no_execute(uc_engine* uc, uc_context* scratch, size_t efer_offset) {
  uc_context_save(uc, scratch);
  blob_write<uint64_t>(scratch, efer_offset,
                       blob_read<uint64_t>(scratch, efer_offset) | kEferNoExecuteEnable);
  uc_context_restore(uc, scratch);
  uc_x86_msr msr{kEferMsr, 0};
  uc_reg_read(uc, UC_X86_REG_MSR, &msr);
  if ((msr.value & kEferNoExecuteEnable) == 0) refuse("EFER.NXE did not stick");
}

ContextLayout probe() {
  Probe p;
  p.layout.old_exception = kOldExceptionOffset;
  p.layout.error_code = kErrorCodeOffset;
  Engine e;
  if (uc_open(UC_ARCH_X86, UC_MODE_64, &e.uc) != UC_ERR_OK) refuse("uc_open failed");
  uc_context_alloc(e.uc, &e.ctx);
  if (uc_context_size(e.uc) < kOldExceptionOffset + sizeof(int32_t))
    refuse("saved CPU context is only " + std::to_string(uc_context_size(e.uc)) + " bytes");

  // Two divide errors (the second would be #DF without the fix), then a #GP whose error code
  // is the offending selector.
  constexpr uint64_t kCode = 0x1000;
  constexpr uint16_t kSelector = 0x1234;
  const uint8_t code[] = {
      0xf7, 0xf1,  // div ecx        (ecx = 0: #DE)
      0xf7, 0xf1,  // div ecx        (#DE again)
      0x8e, 0xd8,  // mov ds, eax    (selector 0x1234 beyond the GDT: #GP(0x1234))
      0x90,        // nop
  };
  std::vector<uint8_t> page(0x1000, 0x90);
  std::memcpy(page.data(), code, sizeof code);
  uc_mem_map(e.uc, kCode, page.size(), UC_PROT_ALL);
  uc_mem_write(e.uc, kCode, page.data(), page.size());
  const uint64_t zero = 0, selector = kSelector;
  uc_reg_write(e.uc, UC_X86_REG_RCX, &zero);
  uc_reg_write(e.uc, UC_X86_REG_RAX, &selector);
  uc_hook hook;
  uc_hook_add(e.uc, &hook, UC_HOOK_INTR, reinterpret_cast<void*>(probe_hook), &p, 1, 0);
  uc_emu_start(e.uc, kCode, kCode + sizeof code, 0, 0);
  if (p.interrupts != std::vector<uint32_t>{kDivideError, kDivideError, kGeneralProtection})
    refuse("the old_exception workaround did not prevent a double fault");
  if (p.error_codes.back() != kSelector) refuse("the #GP error code is not where expected");

  p.layout.efer = find_efer(e.uc, e.ctx);
  uc_x86_msr msr{kEferMsr, kEferLongModeEnable};
  uc_reg_write(e.uc, UC_X86_REG_MSR, &msr);
  set_no_execute(e.uc, e.ctx, p.layout.efer);
  return p.layout;
}

}  // namespace

const ContextLayout& context_layout() {
  static const ContextLayout layout = probe();
  return layout;
}

uint32_t exception_error_code(uc_engine* uc, uc_context* scratch) {
  uc_context_save(uc, scratch);
  return blob_read<uint32_t>(scratch, context_layout().error_code);
}

void clear_exception_state(uc_engine* uc, uc_context* scratch) {
  uc_context_save(uc, scratch);
  blob_write<int32_t>(scratch, context_layout().old_exception, -1);
  uc_context_restore(uc, scratch);
}

void enable_no_execute(uc_engine* uc, uc_context* scratch) {
  set_no_execute(uc, scratch, context_layout().efer);
}

}  // namespace vmlab::emulator

#include "emulator/registers.h"

#include <unicorn/unicorn.h>

#include <array>
#include <cstring>

namespace vmlab::emulator {

namespace {

// UserRegs field order with the matching Unicorn register ids.
constexpr int kUserRegIds[] = {
    UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10,    UC_X86_REG_R11,     UC_X86_REG_R12,
    UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,    UC_X86_REG_RDI,     UC_X86_REG_RSI,
    UC_X86_REG_RBP, UC_X86_REG_RBX, UC_X86_REG_RDX,    UC_X86_REG_RAX,     UC_X86_REG_RCX,
    UC_X86_REG_RSP, UC_X86_REG_RIP, UC_X86_REG_EFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE};
constexpr int kUserRegCount = sizeof(kUserRegIds) / sizeof(kUserRegIds[0]);
static_assert(sizeof(os::UserRegs) == kUserRegCount * sizeof(uint64_t));

// One row per os::Reg, in its declaration order: where the value lives in each view.
struct RegRow {
  int unicorn;
  uint64_t os::UserRegs::*field;
};
constexpr RegRow kRegTable[] = {
    {UC_X86_REG_RAX, &os::UserRegs::rax},         {UC_X86_REG_RDI, &os::UserRegs::rdi},
    {UC_X86_REG_RSI, &os::UserRegs::rsi},         {UC_X86_REG_RDX, &os::UserRegs::rdx},
    {UC_X86_REG_R10, &os::UserRegs::r10},         {UC_X86_REG_R8, &os::UserRegs::r8},
    {UC_X86_REG_R9, &os::UserRegs::r9},           {UC_X86_REG_RIP, &os::UserRegs::rip},
    {UC_X86_REG_RSP, &os::UserRegs::rsp},         {UC_X86_REG_RCX, &os::UserRegs::rcx},
    {UC_X86_REG_R11, &os::UserRegs::r11},         {UC_X86_REG_FS_BASE, &os::UserRegs::fs_base},
    {UC_X86_REG_GS_BASE, &os::UserRegs::gs_base},
};
static_assert(sizeof(kRegTable) / sizeof(kRegTable[0]) ==
              static_cast<size_t>(os::Reg::kGsBase) + 1);

// FXSAVE image offsets (SDM Vol. 1 Table 10-2).
constexpr size_t kFcw = 0, kFsw = 2, kFtwAbridged = 4, kMxcsr = 24, kMxcsrMask = 28, kSt0 = 32,
                 kXmm0 = 160, kStride = 16;
constexpr int kX87Registers = 8, kXmmRegisters = 16;
constexpr uint32_t kMxcsrMaskAll = 0xffff;
constexpr uint64_t kTagEmpty = 3;  // full tag word: 11 = empty

// The address of each UserRegs field, in kUserRegIds order (the batch calls' value array).
std::array<void*, kUserRegCount> field_pointers(os::UserRegs& regs) {
  std::array<void*, kUserRegCount> ptrs;
  for (int i = 0; i < kUserRegCount; ++i)
    ptrs[i] = reinterpret_cast<uint64_t*>(&regs) + i;
  return ptrs;
}

}  // namespace

int unicorn_id(os::Reg r) {
  return kRegTable[static_cast<size_t>(r)].unicorn;
}

uint64_t& field(os::UserRegs& regs, os::Reg r) {
  return regs.*kRegTable[static_cast<size_t>(r)].field;
}

void RegisterFile::read(int id, void* value) const {
  if (engine != nullptr)
    uc_reg_read(engine, id, value);
  else
    uc_context_reg_read(context, id, value);
}

void RegisterFile::read_batch(int* ids, void** values, int count) const {
  if (engine != nullptr)
    uc_reg_read_batch(engine, ids, values, count);
  else
    uc_context_reg_read_batch(context, ids, values, count);
}

void RegisterFile::write(int id, const void* value) const {
  if (engine != nullptr)
    uc_reg_write(engine, id, value);
  else
    uc_context_reg_write(context, id, value);
}

os::UserRegs RegisterFile::user_regs() const {
  os::UserRegs r;
  auto ptrs = field_pointers(r);
  int* ids = const_cast<int*>(kUserRegIds);
  if (engine != nullptr)
    uc_reg_read_batch(engine, ids, ptrs.data(), kUserRegCount);
  else
    uc_context_reg_read_batch(context, ids, ptrs.data(), kUserRegCount);
  return r;
}

void RegisterFile::set_user_regs(const os::UserRegs& regs) const {
  os::UserRegs r = regs;
  auto ptrs = field_pointers(r);
  int* ids = const_cast<int*>(kUserRegIds);
  if (engine != nullptr)
    uc_reg_write_batch(engine, ids, ptrs.data(), kUserRegCount);
  else
    uc_context_reg_write_batch(context, ids, ptrs.data(), kUserRegCount);
}

os::FxsaveArea RegisterFile::fpu() const {
  os::FxsaveArea area{};
  uint64_t fcw = 0, fsw = 0, ftw = 0, mxcsr = 0;
  read(UC_X86_REG_FPCW, &fcw);
  read(UC_X86_REG_FPSW, &fsw);
  read(UC_X86_REG_FPTAG, &ftw);
  read(UC_X86_REG_MXCSR, &mxcsr);
  const uint16_t cw = static_cast<uint16_t>(fcw), sw = static_cast<uint16_t>(fsw);
  std::memcpy(&area[kFcw], &cw, sizeof cw);
  std::memcpy(&area[kFsw], &sw, sizeof sw);
  // Abridged tag word: one bit per register, 1 = valid (full tag 00/01/10), 0 = empty (11).
  uint8_t abridged = 0;
  for (int i = 0; i < kX87Registers; ++i)
    if (((ftw >> (2 * i)) & kTagEmpty) != kTagEmpty) abridged |= static_cast<uint8_t>(1u << i);
  area[kFtwAbridged] = abridged;
  const uint32_t mx = static_cast<uint32_t>(mxcsr);
  std::memcpy(&area[kMxcsr], &mx, sizeof mx);
  std::memcpy(&area[kMxcsrMask], &kMxcsrMaskAll, sizeof kMxcsrMaskAll);
  for (int i = 0; i < kX87Registers; ++i) {
    uint8_t st[10] = {};
    read(UC_X86_REG_ST0 + i, st);
    std::memcpy(&area[kSt0 + kStride * i], st, sizeof st);
  }
  for (int i = 0; i < kXmmRegisters; ++i) {
    uint8_t xmm[16] = {};
    read(UC_X86_REG_XMM0 + i, xmm);
    std::memcpy(&area[kXmm0 + kStride * i], xmm, sizeof xmm);
  }
  return area;
}

void RegisterFile::set_fpu(const os::FxsaveArea& area) const {
  uint16_t cw, sw;
  std::memcpy(&cw, &area[kFcw], sizeof cw);
  std::memcpy(&sw, &area[kFsw], sizeof sw);
  uint64_t fcw = cw, fsw = sw, ftw = 0;
  for (int i = 0; i < kX87Registers; ++i)
    if (((area[kFtwAbridged] >> i) & 1u) == 0) ftw |= kTagEmpty << (2 * i);
  uint32_t mx;
  std::memcpy(&mx, &area[kMxcsr], sizeof mx);
  uint64_t mxcsr = mx;
  write(UC_X86_REG_FPCW, &fcw);
  write(UC_X86_REG_FPSW, &fsw);
  write(UC_X86_REG_FPTAG, &ftw);
  write(UC_X86_REG_MXCSR, &mxcsr);
  for (int i = 0; i < kX87Registers; ++i)
    write(UC_X86_REG_ST0 + i, &area[kSt0 + kStride * i]);
  for (int i = 0; i < kXmmRegisters; ++i)
    write(UC_X86_REG_XMM0 + i, &area[kXmm0 + kStride * i]);
}

}  // namespace vmlab::emulator

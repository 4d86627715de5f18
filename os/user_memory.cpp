#include "os/user_memory.h"

#include <algorithm>
#include <cstring>

#include "os/fault.h"
#include "os/frame_allocator.h"
#include "os/process.h"

namespace vmlab::os {

namespace {
constexpr size_t kMaxArgStrings = 1 << 17;    // far above ARG_MAX's count of pointers
constexpr size_t kMaxArgString = 128 * 1024;  // MAX_ARG_STRLEN
}  // namespace

uint8_t* UserMemory::page_for(uint64_t va, bool write) {
  const mmu::Access access = write ? mmu::Access::kWrite : mmu::Access::kRead;
  mmu::PagingControl control = control_;
  control.root = process_.space().root();
  control.write_protect = true;
  auto& memory = frames_.memory();
  for (int attempt = 0; attempt < 3; ++attempt) {
    const mmu::WalkResult w =
        mmu::walk(memory, control, mmu::VirtAddr{va}, access, mmu::Mode::kSupervisor,
                  mmu::WalkEffects::kSetAccessedDirty);
    if (!w.faulted) {
      // Kernel accesses must also respect the user's rights: a user pointer to a supervisor
      // page is not the process's memory.
      if (!w.permissions.user) return nullptr;
      const mmu::PhysAddr pa = w.translate(mmu::VirtAddr{va});
      if (write) frames_.writing(mmu::Pfn{pa});
      return memory.host(pa, 1);
    }
    if (w.fault.kind != mmu::FaultKind::kPageFault) return nullptr;
    const FaultRequest request{va, access, (w.fault.error_code & mmu::pf_error::kPresent) != 0,
                               /*user=*/false};
    if (!faults_.kernel_fault(process_, request)) return nullptr;
  }
  return nullptr;
}

bool UserMemory::peek(uint64_t va, std::span<uint8_t> out) const {
  if (!process_.has_space()) return false;
  mmu::PagingControl control = control_;
  control.root = process_.space().root();
  auto& memory = frames_.memory();
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t at = va + done;
    const size_t chunk =
        std::min<uint64_t>(out.size() - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    const mmu::WalkResult w = mmu::walk(memory, control, mmu::VirtAddr{at}, mmu::Access::kRead,
                                        mmu::Mode::kUser, mmu::WalkEffects::kNone);
    if (w.faulted) return false;
    std::memcpy(out.data() + done, memory.host(w.translate(mmu::VirtAddr{at}), chunk), chunk);
    done += chunk;
  }
  return true;
}

std::optional<std::string> UserMemory::peek_string(uint64_t va, size_t max) const {
  std::string out;
  char c = 0;
  while (out.size() < max) {
    if (!peek(va + out.size(), {reinterpret_cast<uint8_t*>(&c), 1})) return std::nullopt;
    if (c == 0) return out;
    out += c;
  }
  return out;
}

bool UserMemory::read(uint64_t va, std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const uint64_t at = va + done;
    const size_t chunk =
        std::min<uint64_t>(out.size() - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    const uint8_t* src = page_for(at, false);
    if (src == nullptr) return false;
    std::memcpy(out.data() + done, src, chunk);
    done += chunk;
  }
  return true;
}

bool UserMemory::write(uint64_t va, std::span<const uint8_t> in) {
  size_t done = 0;
  while (done < in.size()) {
    const uint64_t at = va + done;
    const size_t chunk =
        std::min<uint64_t>(in.size() - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    uint8_t* dst = page_for(at, true);
    if (dst == nullptr) return false;
    std::memcpy(dst, in.data() + done, chunk);
    done += chunk;
  }
  return true;
}

bool UserMemory::zero(uint64_t va, uint64_t length) {
  uint64_t done = 0;
  while (done < length) {
    const uint64_t at = va + done;
    const uint64_t chunk =
        std::min<uint64_t>(length - done, mmu::kPageBytes - (at & mmu::kPageOffsetMask));
    uint8_t* dst = page_for(at, true);
    if (dst == nullptr) return false;
    std::memset(dst, 0, chunk);
    done += chunk;
  }
  return true;
}

Result<std::string> UserMemory::read_string(uint64_t va, size_t max) {
  std::string out;
  while (out.size() < max) {
    const uint64_t at = va + out.size();
    const uint8_t* src = page_for(at, false);
    if (src == nullptr) return Errno(EFAULT);
    const size_t in_page = mmu::kPageBytes - (at & mmu::kPageOffsetMask);
    const size_t limit = std::min(in_page, max - out.size());
    const void* nul = std::memchr(src, 0, limit);
    if (nul != nullptr) {
      out.append(reinterpret_cast<const char*>(src), static_cast<const uint8_t*>(nul) - src);
      return out;
    }
    out.append(reinterpret_cast<const char*>(src), limit);
  }
  return Errno(ENAMETOOLONG);
}

Result<std::vector<std::string>> UserMemory::read_string_array(uint64_t va) {
  std::vector<std::string> out;
  if (va == 0) return out;
  for (size_t i = 0; i < kMaxArgStrings; ++i) {
    uint64_t pointer = 0;
    if (!read_value(va + i * sizeof(uint64_t), pointer)) return Errno(EFAULT);
    if (pointer == 0) return out;
    auto s = read_string(pointer, kMaxArgString);
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return Errno(E2BIG);
}

}  // namespace vmlab::os

#include "mmu/physical_memory.h"

#include "mmu/format.h"

#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace vmlab::mmu {

PhysicalMemory::PhysicalMemory(PhysAddr base, uint64_t bytes) : base_(base), size_(bytes) {
  if (bytes == 0 || (bytes & kPageOffsetMask) != 0)
    throw std::invalid_argument("RAM size must be a positive multiple of 4 KiB, got " +
                                std::to_string(bytes) + " bytes");
  if ((base.value & kPageOffsetMask) != 0)
    throw std::invalid_argument("RAM base must be 4 KiB aligned, got " + hex(base.value));
  // MAP_NORESERVE: the host commits a page when the guest (or the kernel) first touches it.
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "reserving RAM");
  host_ = static_cast<uint8_t*>(p);
  // Transparent huge pages where the host offers them: the host then zero-fills RAM 2 MiB at a
  // time instead of faulting on every 4 KiB frame the guest kernel first touches (the frame
  // allocator hands out low frames first, so touched RAM stays dense). Only advice: without
  // THP, RAM is backed page by page.
  madvise(host_, bytes, MADV_HUGEPAGE);
}

PhysicalMemory::~PhysicalMemory() {
  munmap(host_, size_);
}

void PhysicalMemory::out_of_range(PhysAddr pa, uint64_t length) const {
  throw std::out_of_range("physical access [" + hex(pa.value) + ", +" + std::to_string(length) +
                          ") is outside RAM [" + hex(base_.value) + ", " +
                          hex(base_.value + size_) + ")");
}

void PhysicalMemory::read(PhysAddr pa, std::span<uint8_t> out) const {
  check(pa, out.size());
  std::memcpy(out.data(), host_ + offset_of(pa), out.size());
}

void PhysicalMemory::write(PhysAddr pa, std::span<const uint8_t> in) {
  check(pa, in.size());
  std::memcpy(host_ + offset_of(pa), in.data(), in.size());
}

void PhysicalMemory::fill(PhysAddr pa, uint8_t byte, uint64_t length) {
  check(pa, length);
  std::memset(host_ + offset_of(pa), byte, length);
}

void PhysicalMemory::copy_frame(Pfn to, Pfn from) {
  check(to.address(), kPageBytes);
  check(from.address(), kPageBytes);
  std::memcpy(host_ + offset_of(to.address()), host_ + offset_of(from.address()), kPageBytes);
}

uint8_t* PhysicalMemory::host(PhysAddr pa, uint64_t length) {
  check(pa, length);
  return host_ + offset_of(pa);
}

}  // namespace vmlab::mmu

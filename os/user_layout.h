// The user address-space layout of x86-64 Linux without randomisation.
#pragma once

#include <cstdint>

#include "mmu/address.h"

namespace vmlab::os::layout {

inline constexpr uint64_t kMmapMinAddr = 0x10000;                  // vm.mmap_min_addr
inline constexpr uint64_t kUserTop = 0x7fff'ffff'f000;             // TASK_SIZE - one guard page
inline constexpr uint64_t kStackTop = kUserTop;                    // STACK_TOP
inline constexpr uint64_t kMmapBase = 0x7fff'f7ff'f000;            // below a 128 MiB stack gap
inline constexpr uint64_t kDynamicBase = 0x5555'5555'4000;         // ELF_ET_DYN_BASE (static-pie)
inline constexpr uint64_t kStackGuardGap = 256 * mmu::kPageBytes;  // stack_guard_gap
inline constexpr uint64_t kStackMax = 8 << 20;                     // RLIMIT_STACK default

}  // namespace vmlab::os::layout

// Architectural constants of the x86-64 processor state around paging: control-register and
// EFER bits, RFLAGS bits, exception vectors (Intel SDM Vol. 3 §2.5, §2.2.1, Table 6-1) and the
// segment selectors of Linux's GDT. One definition for the engine, the kernel and the tests;
// the page-fault error code's bits are in mmu/paging.h (pf_error), next to the walker.
#pragma once

#include <cstdint>

namespace vmlab::mmu::x86 {

namespace cr0 {
inline constexpr uint64_t kProtectionEnable = 1u << 0;    // PE
inline constexpr uint64_t kMonitorCoprocessor = 1u << 1;  // MP
inline constexpr uint64_t kNumericError = 1u << 5;        // NE
inline constexpr uint64_t kWriteProtect = 1u << 16;       // WP
inline constexpr uint64_t kPaging = 1u << 31;             // PG
}  // namespace cr0

namespace cr4 {
inline constexpr uint64_t kTimeStampDisable = 1u << 2;  // TSD: RDTSC at CPL 3 raises #GP
inline constexpr uint64_t kPae = 1u << 5;
inline constexpr uint64_t kOsfxsr = 1u << 9;
inline constexpr uint64_t kOsxmmexcpt = 1u << 10;
}  // namespace cr4

namespace efer {
inline constexpr uint32_t kMsr = 0xC000'0080;
inline constexpr uint64_t kLongModeEnable = 1u << 8;    // LME
inline constexpr uint64_t kLongModeActive = 1u << 10;   // LMA
inline constexpr uint64_t kNoExecuteEnable = 1u << 11;  // NXE
}  // namespace efer

namespace rflags {
inline constexpr uint64_t kReserved1 = 1u << 1;   // always set
inline constexpr uint64_t kTrap = 1u << 8;        // TF
inline constexpr uint64_t kInterrupt = 1u << 9;   // IF
inline constexpr uint64_t kDirection = 1u << 10;  // DF
inline constexpr uint64_t kResume = 1u << 16;     // RF
}  // namespace rflags

// Linux x86-64 segment selectors (arch/x86/include/asm/segment.h): the GDT's kernel code and
// data, user data and 64-bit user code (RPL 3).
namespace selector {
inline constexpr uint16_t kKernelCs = 0x10;
inline constexpr uint16_t kKernelDs = 0x18;
inline constexpr uint16_t kUserDs = 0x2b;
inline constexpr uint16_t kUserCs = 0x33;
}  // namespace selector

// Exception vectors.
namespace vector {
inline constexpr uint32_t kDivide = 0, kDebug = 1, kBreakpoint = 3, kOverflow = 4, kBound = 5,
                          kInvalidOpcode = 6, kDoubleFault = 8, kStackSegment = 12,
                          kGeneralProtection = 13, kPageFault = 14, kFpu = 16, kAlignment = 17,
                          kSimd = 19;
}  // namespace vector

}  // namespace vmlab::mmu::x86

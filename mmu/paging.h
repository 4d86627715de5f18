// The vocabulary of one translation: what is accessed, from which privilege level, under which
// control-register settings, and how a failed translation is reported (a fault value).
#pragma once

#include <cstdint>
#include <string_view>

#include "mmu/address.h"

namespace vmlab::mmu {

enum class Access : uint8_t { kRead = 0, kWrite = 1, kFetch = 2 };
inline constexpr int kAccessKinds = 3;
enum class Mode : uint8_t { kUser, kSupervisor };

constexpr std::string_view access_name(Access a) {
  return a == Access::kRead ? "read" : a == Access::kWrite ? "write" : "fetch";
}

// Control-register state that changes how a walk behaves (SDM Vol. 3 §4.1.3, §4.6).
struct PagingControl {
  PhysAddr root;                       // CR3 bits 51:12: the PML4 table
  uint16_t pcid = 0;                   // CR3 bits 11:0 when CR4.PCIDE=1
  bool write_protect = true;           // CR0.WP: supervisor writes honour R/W
  bool no_execute = true;              // IA32_EFER.NXE: bit 63 is XD instead of reserved
  bool pcid_enabled = false;           // CR4.PCIDE
  bool large_1g_pages = true;          // CPUID.80000001H:EDX.Page1GB: PS in a PDPTE allowed
  uint8_t physical_address_bits = 40;  // MAXPHYADDR: entry address bits above it are reserved
};

// Page-fault error code bits pushed by the processor (SDM Vol. 3 §4.7, Figure 4-12).
namespace pf_error {
inline constexpr uint32_t kPresent = 1u << 0;      // 0: non-present page; 1: protection violation
inline constexpr uint32_t kWrite = 1u << 1;        // the access was a write
inline constexpr uint32_t kUser = 1u << 2;         // the access was made in user mode (CPL 3)
inline constexpr uint32_t kReserved = 1u << 3;     // a reserved bit was set in an entry
inline constexpr uint32_t kInstruction = 1u << 4;  // instruction fetch (only when NXE or SMEP)
}  // namespace pf_error

// Why a translation failed. Non-canonical addresses raise #GP, everything else #PF.
enum class FaultKind : uint8_t { kPageFault, kGeneralProtection };

struct Fault {
  FaultKind kind = FaultKind::kPageFault;
  VirtAddr address;         // CR2 for a #PF
  uint32_t error_code = 0;  // pf_error bits for a #PF; 0 for #GP
  bool operator==(const Fault&) const = default;
};

// Rights granted by the combination of all levels of a walk (SDM §4.6.1).
struct Permissions {
  bool writable = false;
  bool user = false;
  bool executable = false;
  bool operator==(const Permissions&) const = default;
};

}  // namespace vmlab::mmu

// An x86-64 4-level page walker written from the Intel SDM, Vol. 3A, to judge mmu/walker.*:
//   §4.5 (Tables 4-14..4-20)  entry formats, reserved bits, how each level indexes the address
//   §4.6.1                    access rights (SMEP, SMAP and protection keys off)
//   §4.7                      the page-fault error code
//   §4.8                      Accessed and Dirty flags
// It shares no code and no constants with the rest of mmu/, so a misreading of the manual in
// one of them is not silently copied into the other. It judges the model in the walker fuzzer
// (fuzz/walker) and in every run with --check (emulator/access_check.*).
#pragma once

#include <array>
#include <cstdint>

namespace vmlab::mmu::ref {

// Physical memory as a plain byte array at `base`. With set_flags false the walk only looks:
// Accessed/Dirty updates are computed and reported but not written (a checker's view).
struct Ram {
  uint64_t base = 0;
  uint8_t* bytes = nullptr;
  uint64_t size = 0;
  bool set_flags = true;

  bool holds(uint64_t address, uint64_t length) const;
  uint64_t load64(uint64_t address) const;  // requires holds(address, 8)
  void store64(uint64_t address, uint64_t value);
};

// The processor state a walk depends on.
struct Controls {
  uint64_t cr3 = 0;          // bits 51:12 locate the PML4 table
  bool cr0_wp = true;        // CR0.WP
  bool efer_nxe = true;      // IA32_EFER.NXE
  bool page_1gb = true;      // CPUID.80000001H:EDX.Page1GB[bit 26]
  unsigned maxphyaddr = 40;  // CPUID.80000008H:EAX[7:0], 36..52
};

enum class Kind : uint8_t { kRead, kWrite, kFetch };
enum class Privilege : uint8_t { kUser, kSupervisor };

// One paging-structure entry the walk read, and the flags it set in it.
struct EntryRead {
  uint64_t address = 0;
  uint64_t value = 0;  // as read, before the walk's own update
  bool set_accessed = false;
  bool set_dirty = false;
};

struct Outcome {
  enum class Type : uint8_t {
    kTranslated,
    kPageFault,
    kGeneralProtection,  // non-canonical linear address (Vol. 1 §3.3.7.1): no walk at all
    kOutsideRam,         // an entry lies outside RAM (no such physical memory to read)
  };
  Type type = Type::kTranslated;
  uint32_t error_code = 0;    // kPageFault
  uint64_t unreadable = 0;    // kOutsideRam: the entry's physical address
  uint64_t physical = 0;      // kTranslated
  uint64_t page_bytes = 0;    // kTranslated: 4 KiB, 2 MiB or 1 GiB
  bool all_writable = false;  // R/W=1 in every entry (kTranslated)
  bool all_user = false;      // U/S=1 in every entry: a user-mode address
  bool executable = false;    // no XD=1 in any entry, or NXE=0
  bool global = false;        // G of the entry that maps the page
  bool dirty_after = false;   // D of that entry once the walk is done
  std::array<EntryRead, 4> reads{};
  int read_count = 0;
};

// Translates `linear` for an access of `kind` at `privilege`, reading entries from `ram` and
// setting A/D flags in it as the processor does.
Outcome translate(Ram& ram, const Controls& controls, uint64_t linear, Kind kind,
                  Privilege privilege);

}  // namespace vmlab::mmu::ref

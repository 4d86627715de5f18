// Test support: builds 4-level page tables in a PhysicalMemory, with chosen bits at each level.
#pragma once

#include <cstdint>

#include "mmu/address.h"
#include "mmu/physical_memory.h"
#include "mmu/pte.h"

namespace vmlab::mmu::testing {

class PageTableBuilder {
 public:
  // Bits every non-leaf entry gets unless a test says otherwise.
  static constexpr uint64_t kTableBits = Pte::kPresent | Pte::kWritable | Pte::kUser;

  explicit PageTableBuilder(PhysicalMemory& memory)
      : memory_(memory), next_(memory.base()), root_(allocate()) {}

  PhysAddr root() const { return root_; }

  PhysAddr allocate() {
    const PhysAddr frame = next_;
    next_ = next_ + kPageBytes;
    memory_.fill(frame, 0, kPageBytes);
    return frame;
  }

  // Maps the page of `size` containing va to `frame` with `leaf_bits`; the non-leaf entries on
  // the way get `table_bits[level]` (indexed by Level, so table_bits[4] is the PML4E). Existing
  // tables are reused and their entries overwritten with the given bits.
  void map(VirtAddr va, PhysAddr frame, uint64_t leaf_bits, PageSize size = PageSize::k4K,
           const uint64_t* table_bits = nullptr) {
    PhysAddr table = root_;
    const int leaf_level = static_cast<int>(size) + 1;
    for (int level = kLevels; level > leaf_level; --level) {
      const PhysAddr slot = table + table_index(va, static_cast<Level>(level)) * Pte::kBytes;
      Pte entry{memory_.read_u64(slot)};
      const PhysAddr next = entry.present() ? entry.address() : allocate();
      const uint64_t bits = table_bits != nullptr ? table_bits[level] : kTableBits;
      memory_.write_u64(slot, Pte{bits}.with_address(next).raw());
      table = next;
    }
    const PhysAddr slot = table + table_index(va, static_cast<Level>(leaf_level)) * Pte::kBytes;
    const uint64_t ps = size == PageSize::k4K ? 0 : Pte::kPageSize;
    memory_.write_u64(slot, Pte{leaf_bits | ps}.with_address(frame).raw());
  }

  // Address of the entry at `level` for va (the tables must exist down to that level).
  PhysAddr entry_address(VirtAddr va, Level level) const {
    PhysAddr table = root_;
    for (int l = kLevels; l > static_cast<int>(level); --l) {
      const Pte e{memory_.read_u64(table + table_index(va, static_cast<Level>(l)) * Pte::kBytes)};
      table = e.address();
    }
    return table + table_index(va, level) * Pte::kBytes;
  }
  Pte entry(VirtAddr va, Level level) const {
    return Pte{memory_.read_u64(entry_address(va, level))};
  }
  void set_entry(VirtAddr va, Level level, Pte value) {
    memory_.write_u64(entry_address(va, level), value.raw());
  }

 private:
  PhysicalMemory& memory_;
  PhysAddr next_;
  PhysAddr root_;
};

}  // namespace vmlab::mmu::testing

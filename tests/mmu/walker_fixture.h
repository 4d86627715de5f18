// Test support: a small RAM with a page-table builder and the default paging controls.
#pragma once

#include <gtest/gtest.h>

#include "mmu/physical_memory.h"
#include "mmu/walker.h"
#include "tests/mmu/page_table_builder.h"

namespace vmlab::mmu::testing {

class WalkerTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kRamBytes = 4 << 20;
  static constexpr uint64_t kLeafRw = Pte::kPresent | Pte::kWritable | Pte::kUser;

  WalkerTest() : memory_(PhysAddr{0}, kRamBytes), tables_(memory_) {
    control_.root = tables_.root();
  }

  WalkResult walk(VirtAddr va, Access access = Access::kRead, Mode mode = Mode::kUser,
                  WalkEffects effects = WalkEffects::kSetAccessedDirty) {
    return mmu::walk(memory_, control_, va, access, mode, effects);
  }

  PhysicalMemory memory_;
  PageTableBuilder tables_;
  PagingControl control_;
};

}  // namespace vmlab::mmu::testing

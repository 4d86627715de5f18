// The exact instruction count of the block hook: blocks counted whole as they start, slices
// that end at a block boundary or exactly, a block cut short, and the hook's fast path, which
// charges a repeated block before it tests the room left and gives the charge back when the
// block does not fit. The code is NOPs, one byte each, so a block of N bytes holds N
// instructions.
#include "emulator/instruction_counter.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace vmlab::emulator {
namespace {

using Entry = InstructionCounter::Entry;
using Verdict = InstructionCounter::Verdict;
using SliceEnd = os::CpuPort::SliceEnd;

constexpr uint64_t kLoop = 0x401000;   // a block of 4 NOPs
constexpr uint64_t kOther = 0x402000;  // a block of 3 NOPs

struct Block {
  uint64_t address;
  uint32_t size;
};
constexpr Block kLoopBlock{kLoop, 4}, kOtherBlock{kOther, 3};

InstructionCounter nop_counter() {
  return InstructionCounter([](uint64_t, std::span<uint8_t> out) {
    std::fill(out.begin(), out.end(), uint8_t{0x90});
    return true;
  });
}

// What the CPU's block hook does: the fast path, else enter_block (after give_back on an
// overrun). Returns whether the block runs.
bool hook(InstructionCounter& counter, uint64_t address, uint32_t size) {
  switch (counter.enter_cached_block(address, size)) {
    case Entry::kCounted:
      return true;
    case Entry::kOverrun:
      counter.give_back();
      break;
    case Entry::kSlow:
      break;
  }
  return counter.enter_block(address, size) == Verdict::kRun;
}

// A counter in a new slice, after the hook has run `blocks` (each of which must run).
InstructionCounter after(uint64_t budget, SliceEnd end, std::initializer_list<Block> blocks) {
  InstructionCounter counter = nop_counter();
  counter.start_slice(budget, end);
  for (const Block& b : blocks)
    EXPECT_TRUE(hook(counter, b.address, b.size)) << "block at " << b.address;
  return counter;
}

TEST(InstructionCounter, ARepeatedBlockIsCountedByTheFastPathUntilTheBudgetEnds) {
  InstructionCounter counter = nop_counter();
  counter.start_slice(100, SliceEnd::kAtBlock);
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kSlow);  // never seen
  EXPECT_EQ(counter.enter_block(kLoop, 4), Verdict::kRun);
  for (int i = 1; i < 25; ++i)
    EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kCounted);
  EXPECT_EQ(counter.retired(), 100u);
  EXPECT_TRUE(counter.exhausted());
  // The 26th run is charged, found not to fit, and given back before the slow path decides.
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kOverrun);
  counter.give_back();
  EXPECT_EQ(counter.retired(), 100u);
  EXPECT_EQ(counter.enter_block(kLoop, 4), Verdict::kStop);
  EXPECT_EQ(counter.retired(), 100u);
  EXPECT_FALSE(counter.in_block());
}

TEST(InstructionCounter, ASliceEndingAtABlockRunsTheBlockThatStartsBeforeItsEnd) {
  // The third block starts at 8 and ends at 12.
  InstructionCounter counter = after(10, SliceEnd::kAtBlock, {kLoopBlock, kLoopBlock, kLoopBlock});
  EXPECT_EQ(counter.retired(), 12u);
  EXPECT_EQ(counter.left(), 0u);
  EXPECT_FALSE(hook(counter, kLoop, 4));
  EXPECT_FALSE(hook(counter, kOther, 3));
  EXPECT_EQ(counter.retired(), 12u);
  // The next slice starts from there.
  counter.start_slice(3, SliceEnd::kAtBlock);
  EXPECT_TRUE(hook(counter, kOther, 3));
  EXPECT_EQ(counter.retired(), 15u);
  EXPECT_FALSE(hook(counter, kOther, 3));
}

TEST(InstructionCounter, AnExactSliceStopsBeforeTheBlockItEndsInsideThenCountsItsTail) {
  InstructionCounter counter = after(10, SliceEnd::kExact, {kLoopBlock, kLoopBlock});
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kOverrun);
  counter.give_back();
  EXPECT_EQ(counter.enter_block(kLoop, 4), Verdict::kStopForTail);
  EXPECT_EQ(counter.left(), 2u);
  // The tail runs under Unicorn's own count: the block is counted whole, however far past
  // the budget, and the instructions after the stop are given back.
  counter.set_counting_tail(true);
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kCounted);
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kCounted);
  EXPECT_EQ(counter.retired(), 16u);
  counter.retire_partial(kLoop + 2);
  EXPECT_EQ(counter.retired(), 14u);
  counter.set_counting_tail(false);
  EXPECT_TRUE(counter.exhausted());
  EXPECT_FALSE(hook(counter, kOther, 3));
}

TEST(InstructionCounter, TheFastPathOfAnotherCachedBlockRespectsTheBudgetWithoutACharge) {
  InstructionCounter counter = after(9, SliceEnd::kAtBlock, {kLoopBlock, kOtherBlock});
  EXPECT_EQ(counter.retired(), 7u);
  // kLoop is cached but 7 + 4 > 9: the fast path declines and charges nothing.
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kSlow);
  EXPECT_EQ(counter.retired(), 7u);
  EXPECT_EQ(counter.enter_block(kLoop, 4), Verdict::kRun);  // at a boundary: 7 < 9
  EXPECT_EQ(counter.retired(), 11u);
}

TEST(InstructionCounter, AForcedSlowPathSendsEveryBlockToEnterBlockUntilRestored) {
  InstructionCounter counter = after(1000, SliceEnd::kAtBlock, {kLoopBlock, kOtherBlock});
  counter.force_slow_path();
  EXPECT_EQ(counter.enter_cached_block(kOther, 3), Entry::kOverrun);
  counter.give_back();
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kSlow);
  EXPECT_EQ(counter.retired(), 7u);
  EXPECT_EQ(counter.left(), 993u);
  counter.restore_limit();
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kCounted);
  EXPECT_EQ(counter.retired(), 11u);
}

TEST(InstructionCounter, ABlockCutShortRetiresOnlyTheInstructionsBeforeTheStop) {
  InstructionCounter counter = after(100, SliceEnd::kAtBlock, {kLoopBlock, kLoopBlock});
  EXPECT_EQ(counter.instruction_index(kLoop + 3), 7u);
  counter.retire_partial(kLoop + 1);  // a fault at the second instruction
  EXPECT_EQ(counter.retired(), 5u);
  EXPECT_FALSE(counter.in_block());
  counter.retire_emulated();  // the kernel emulated it
  EXPECT_EQ(counter.retired(), 6u);
  EXPECT_EQ(counter.left(), 94u);
  EXPECT_EQ(counter.enter_cached_block(kLoop, 4), Entry::kCounted);  // cached, not current
  EXPECT_EQ(counter.retired(), 10u);
}

}  // namespace
}  // namespace vmlab::emulator

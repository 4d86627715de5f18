// Exact instruction counting from translation blocks: a block is counted whole when it starts
// (UC_HOOK_BLOCK), and a block cut short (a fault, a stop inside it) gives back the
// instructions after the one that did not retire. Each block is decoded once with Capstone
// (BlockShapes, by address and size, per process); its instruction boundaries are kept, so a
// block cut short is accounted without reading its code again (its page may be gone by then).
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "emulator/block_shapes.h"
#include "mmu/address.h"
#include "os/cpu_port.h"

namespace vmlab::emulator {

class InstructionCounter {
 public:
  // Reads code bytes at a virtual address of the process; false when they cannot be read.
  using CodeReader = std::function<bool(uint64_t va, std::span<uint8_t> out)>;
  explicit InstructionCounter(CodeReader reader) : read_(std::move(reader)) {}

  uint64_t retired() const { return retired_; }

  // Starts a slice of `budget` instructions (see os::CpuPort::run).
  void start_slice(uint64_t budget, os::CpuPort::SliceEnd end) {
    budget_end_ = retired_ + budget;
    end_ = end;
    limit_ = budget_end_;
  }
  uint64_t left() const { return budget_end_ > retired_ ? budget_end_ - retired_ : 0; }
  bool exhausted() const { return retired_ >= budget_end_; }

  enum class Verdict : uint8_t {
    kRun,         // counted: the block runs
    kStop,        // the budget is spent: stop before the block
    kStopForTail  // an exact budget ends inside this block: stop, then run its head alone
  };
  // A block at `address` of `size` bytes is about to run.
  Verdict enter_block(uint64_t address, uint32_t size) {
    const uint32_t n = instructions_in(address, size);
    if (!counting_tail_) {
      const bool over =
          end_ == os::CpuPort::SliceEnd::kExact ? retired_ + n > budget_end_ : exhausted();
      if (over) {
        current_ = kNoBlock;
        return end_ == os::CpuPort::SliceEnd::kExact && retired_ < budget_end_
                   ? Verdict::kStopForTail
                   : Verdict::kStop;
      }
    }
    retired_ += n;
    become_current(key_of(address, size), n);
    return Verdict::kRun;
  }
  // The common case, inline in the block hook: a block whose count is cached and that ends
  // within the budget. False when enter_block must decide (first sight of the block, the
  // budget's last block, the tail of an exact slice): one compare covers both slice ends, so
  // the hook stays a handful of instructions.
  bool enter_cached_block(uint64_t address, uint32_t size) {
    const uint64_t key = key_of(address, size);
    if (key == current_) [[likely]] {
      // A loop of one block enters the block that ran last: its count is at hand.
      return retire_block(current_count_);
    }
    const BlockShapes::Shape& hit = shapes_.first_probe(key);
    if (hit.key != key || !retire_block(hit.count)) [[unlikely]]
      return false;
    become_current(key, hit.count);
    return true;
  }
  // While the tail of an exact slice runs, Unicorn's own count stops the engine.
  void set_counting_tail(bool on) {
    counting_tail_ = on;
    restore_limit();
  }
  // Sends the next block to enter_block (the owner wants to stop there).
  void force_slow_path() { limit_ = 0; }
  void restore_limit() { limit_ = counting_tail_ ? ~uint64_t{0} : budget_end_; }

  // The current block stopped at `rip`: only the instructions before it retired.
  void retire_partial(uint64_t rip);
  // An instruction the CPU did not run retired anyway (the kernel emulated it).
  void retire_emulated() { ++retired_; }
  // Index (instructions retired before it) of the instruction at `address` inside the current
  // block.
  uint64_t instruction_index(uint64_t address) const;
  bool in_block() const { return current_ != kNoBlock; }
  // The page the current block lies in (its address with the page offset cleared), or
  // kStraddles when it spans two pages: the full model's block hook looks its fetch up by it
  // without recomputing it for every run of the block.
  static constexpr uint64_t kStraddles = 1;  // no page's address
  uint64_t current_page() const { return current_page_; }

 private:
  // User code lies below 2^47 and a block is far shorter than 64 KiB, so the key holds both.
  static uint64_t key_of(uint64_t address, uint32_t size) {
    return address | (static_cast<uint64_t>(size) << 48);
  }
  static uint64_t address_of(uint64_t key) { return key & ((uint64_t{1} << 48) - 1); }
  static uint32_t size_of(uint64_t key) { return static_cast<uint32_t>(key >> 48); }
  static constexpr uint64_t kNoBlock = BlockShapes::kNoKey;

  // The block `key` of `count` instructions runs now.
  void become_current(uint64_t key, uint32_t count) {
    current_ = key;
    current_count_ = count;
    const uint64_t address = address_of(key);
    current_page_ = (address & mmu::kPageOffsetMask) + size_of(key) <= mmu::kPageBytes
                        ? address & ~mmu::kPageOffsetMask
                        : kStraddles;
  }
  // Counts a block of `count` instructions as running, unless it would end past limit_.
  bool retire_block(uint32_t count) {
    const uint64_t after = retired_ + count;
    if (after > limit_) [[unlikely]]
      return false;
    retired_ = after;
    return true;
  }
  uint32_t instructions_in(uint64_t address, uint32_t size) {
    const uint64_t key = key_of(address, size);
    const BlockShapes::Shape& hit = shapes_.first_probe(key);
    if (hit.key == key) [[likely]]
      return hit.count;
    return decode(key, address, size);
  }
  uint32_t decode(uint64_t key, uint64_t address, uint32_t size);

  CodeReader read_;
  uint64_t retired_ = 0;
  uint64_t budget_end_ = 0;
  uint64_t limit_ = 0;  // where enter_cached_block's blocks must end: budget_end_, or none (tail)
  os::CpuPort::SliceEnd end_ = os::CpuPort::SliceEnd::kAtBlock;
  bool counting_tail_ = false;
  uint64_t current_ = kNoBlock;         // key of the block running now
  uint32_t current_count_ = 0;          // its instructions
  uint64_t current_page_ = kStraddles;  // current_page()
  BlockShapes shapes_;
};

}  // namespace vmlab::emulator

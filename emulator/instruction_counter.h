// Exact instruction counting from translation blocks: a block is counted whole when it starts
// (UC_HOOK_BLOCK), and a block cut short (a fault, a stop inside it) gives back the
// instructions after the one that did not retire. Each block is decoded once with Capstone
// (BlockShapes, by address and size, per process); its instruction boundaries are kept, so a
// block cut short is accounted without reading its code again (its page may be gone by then).
#pragma once

#include <algorithm>
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

  uint64_t retired() const { return limit_ - static_cast<uint64_t>(room_); }

  // Starts a slice of `budget` instructions (see os::CpuPort::run).
  void start_slice(uint64_t budget, os::CpuPort::SliceEnd end) {
    budget_end_ = retired() + budget;
    end_ = end;
    restore_limit();
  }
  uint64_t left() const {
    const uint64_t done = retired();
    return budget_end_ > done ? budget_end_ - done : 0;
  }
  bool exhausted() const { return retired() >= budget_end_; }

  enum class Verdict : uint8_t {
    kRun,         // counted: the block runs
    kStop,        // the budget is spent: stop before the block
    kStopForTail  // an exact budget ends inside this block: stop, then run its head alone
  };
  // A block at `address` of `size` bytes is about to run.
  Verdict enter_block(uint64_t address, uint32_t size) {
    const uint32_t n = instructions_in(address, size);
    if (!counting_tail_) {
      const uint64_t done = retired();
      const bool over =
          end_ == os::CpuPort::SliceEnd::kExact ? done + n > budget_end_ : exhausted();
      if (over) {
        current_ = kNoBlock;
        return end_ == os::CpuPort::SliceEnd::kExact && done < budget_end_ ? Verdict::kStopForTail
                                                                           : Verdict::kStop;
      }
    }
    room_ -= n;
    become_current(key_of(address, size), n);
    return Verdict::kRun;
  }
  // The common case, inline in the block hook: a block whose count is cached and that ends
  // within the budget. Anything else goes to enter_block (first sight of the block, the
  // budget's last block, the tail of an exact slice): one room covers both slice ends, so the
  // hook stays a handful of instructions.
  enum class Entry : uint8_t {
    kCounted,  // the block runs
    kSlow,     // enter_block decides
    kOverrun   // give_back(), then enter_block decides
  };
  Entry enter_cached_block(uint64_t address, uint32_t size) {
    const uint64_t key = key_of(address, size);
    if (key == current_) [[likely]] {
      // A loop of one block enters the block that ran last: its count is at hand. It is
      // charged before the test, so that the hook is one subtraction and a sign test; a block
      // that does not fit is given back out of line.
      room_ -= current_count_;
      return room_ >= 0 ? Entry::kCounted : Entry::kOverrun;
    }
    const BlockShapes::Shape& hit = shapes_.first_probe(key);
    if (hit.key != key || room_ < static_cast<int64_t>(hit.count)) [[unlikely]]
      return Entry::kSlow;
    room_ -= hit.count;
    become_current(key, hit.count);
    return Entry::kCounted;
  }
  // Undoes the charge of an Entry::kOverrun.
  void give_back() { room_ += current_count_; }
  // While the tail of an exact slice runs, Unicorn's own count stops the engine.
  void set_counting_tail(bool on) {
    counting_tail_ = on;
    restore_limit();
  }
  // Sends the next block to enter_block (the owner wants to stop there): no block fits.
  void force_slow_path() { set_room(-1); }
  void restore_limit() {
    set_room(counting_tail_ ? kUnlimited
                            : static_cast<int64_t>(std::min<uint64_t>(left(), kUnlimited)));
  }

  // The current block stopped at `rip`: only the instructions before it retired.
  void retire_partial(uint64_t rip);
  // An instruction the CPU did not run retired anyway (the kernel emulated it).
  void retire_emulated() { --room_; }
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
  // The instructions enter_cached_block may count before enter_block decides again.
  static constexpr int64_t kUnlimited = int64_t{1} << 62;
  void set_room(int64_t room) {
    limit_ = retired() + static_cast<uint64_t>(room);
    room_ = room;
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
  // The count of retired instructions is limit_ - room_, so that the hook's fast path updates
  // room_ alone. limit_ is where that path's blocks must end: budget_end_, or none (the tail).
  uint64_t limit_ = 0;
  int64_t room_ = 0;
  uint64_t budget_end_ = 0;
  os::CpuPort::SliceEnd end_ = os::CpuPort::SliceEnd::kAtBlock;
  bool counting_tail_ = false;
  uint64_t current_ = kNoBlock;         // key of the block running now
  uint32_t current_count_ = 0;          // its instructions
  uint64_t current_page_ = kStraddles;  // current_page()
  BlockShapes shapes_;
};

}  // namespace vmlab::emulator

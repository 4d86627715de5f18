// The instruction boundaries of every translation block a process ran, by block key
// (address | size << 48). An open-addressing table with linear probing, kept at most half
// full, so the block hook finds a count with one multiply and, nearly always, one probe; the
// offsets of all blocks live back to back in one vector. (std::unordered_map cost a division
// and a cache miss per lookup: 10% of a python3 start-up, which runs ~100,000 distinct blocks.)
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace vmlab::emulator {

class BlockShapes {
 public:
  static constexpr uint64_t kNoKey = ~uint64_t{0};

  struct Shape {
    uint64_t key = kNoKey;
    uint32_t first = 0;  // index of its first offset in offsets_
    uint32_t count = 0;  // instructions in the block
  };

  BlockShapes() : slots_(kInitialSlots) {}

  // The slot where `key` is, or the empty slot where it would go: the hot path looks at the
  // first probe only and calls find() when that is not the key.
  const Shape& first_probe(uint64_t key) const { return slots_[home(key)]; }
  const Shape* find(uint64_t key) const;
  // Records a block decoded to `offsets` (key must be new).
  const Shape& insert(uint64_t key, std::span<const uint32_t> offsets);
  // Offsets of each instruction's first byte from the block's address.
  std::span<const uint32_t> offsets(const Shape& shape) const {
    return {offsets_.data() + shape.first, shape.count};
  }

 private:
  static constexpr size_t kInitialSlots = 4096;                  // a power of two
  static constexpr uint64_t kFibonacci = 0x9e37'79b9'7f4a'7c15;  // 2^64 / golden ratio
  size_t home(uint64_t key) const { return (key * kFibonacci) >> shift_; }
  void grow();

  std::vector<Shape> slots_;
  unsigned shift_ = 64 - 12;  // 64 - log2(slots_.size())
  size_t used_ = 0;
  std::vector<uint32_t> offsets_;
};

}  // namespace vmlab::emulator

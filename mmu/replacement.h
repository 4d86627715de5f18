// Replacement policies for set-associative structures, as small per-set helpers.
//
// A policy sees only way indices: it is told when a way is filled or hits, and asked which way
// to evict. It never sees tags or addresses, so the same policies serve every TLB array.
#pragma once

#include <bit>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mmu/random.h"

namespace vmlab::mmu {

enum class Replacement : uint8_t { kLru, kTreePlru, kFifo, kRandom, kCustom };

std::string_view replacement_name(Replacement r);
std::optional<Replacement> parse_replacement(std::string_view name);  // lru, plru, fifo, random

// A policy implemented outside the model (e.g. in Lua). `victim` returns a way in [0, ways).
class CustomReplacement {
 public:
  virtual ~CustomReplacement() = default;
  virtual void on_fill(uint32_t set, uint32_t way) = 0;
  virtual void on_hit(uint32_t set, uint32_t way) = 0;
  virtual uint32_t victim(uint32_t set) = 0;
};

// Replacement state for every set of one array.
class ReplacementState {
 public:
  ReplacementState(Replacement kind, uint32_t sets, uint32_t ways, uint64_t seed);

  Replacement kind() const { return kind_; }
  void set_custom(std::shared_ptr<CustomReplacement> custom) { custom_ = std::move(custom); }

  void on_fill(uint32_t set, uint32_t way) {
    if (kind_ == Replacement::kLru || kind_ == Replacement::kFifo) [[likely]]
      stamp(set, way);
    else
      other_fill(set, way);
  }
  void on_hit(uint32_t set, uint32_t way) {
    switch (kind_) {
      case Replacement::kLru:
        stamp(set, way);
        break;
      case Replacement::kTreePlru:
        plru_touch(set, way);
        break;
      case Replacement::kCustom:
        custom_->on_hit(set, way);
        break;
      case Replacement::kFifo:
      case Replacement::kRandom:
        break;
    }
  }
  // `n` hits on one way in a row: the state of `n` calls of on_hit.
  void on_hits(uint32_t set, uint32_t way, uint64_t n) {
    switch (kind_) {
      case Replacement::kLru:
        if (ordered_) [[likely]] {
          move_to_front(set, way);
        } else {
          clock_ += n;
          stamps_[set * ways_ + way] = clock_;
        }
        break;
      case Replacement::kTreePlru:
        plru_touch(set, way);
        break;
      case Replacement::kCustom:
        for (uint64_t i = 0; i < n; ++i)
          custom_->on_hit(set, way);
        break;
      case Replacement::kFifo:
      case Replacement::kRandom:
        break;
    }
  }
  // Chooses the way to evict when every way of `set` is valid.
  uint32_t victim(uint32_t set) {
    if (kind_ == Replacement::kLru || kind_ == Replacement::kFifo) [[likely]]
      return oldest(set);
    return other_victim(set);
  }

 private:
  void plru_touch(uint32_t set, uint32_t way);
  uint32_t plru_victim(uint32_t set) const;
  // victim() and on_fill() of the policies without stamps.
  uint32_t other_victim(uint32_t set);
  void other_fill(uint32_t set, uint32_t way);
  // LRU: the way was used now; FIFO: it was filled now.
  void stamp(uint32_t set, uint32_t way) {
    if (ordered_) [[likely]]
      move_to_front(set, way);
    else
      stamps_[set * ways_ + way] = ++clock_;
  }
  // The way used (LRU) or filled (FIFO) longest ago. The victim is asked for only when every
  // way of the set is valid, so every way has been stamped and the order is total.
  uint32_t oldest(uint32_t set) const {
    if (ordered_) [[likely]]
      return static_cast<uint32_t>((order_[set] >> oldest_shift_) & kNibble);
    const uint64_t* s = &stamps_[static_cast<size_t>(set) * ways_];
    uint32_t best = 0;
    uint64_t best_stamp = s[0];
    for (uint32_t w = 1; w < ways_; ++w) {
      if (s[w] < best_stamp) {
        best_stamp = s[w];
        best = w;
      }
    }
    return best;
  }

  // Sets of up to 16 ways keep LRU and FIFO as the order of their ways, four bits per way, the
  // most recent in the low bits: one word per set, where stamps take eight bytes per way (a
  // 12-way array of 1536 entries: 1 KB instead of 12 KB, searched by no scan for a victim).
  static constexpr unsigned kMaxOrderedWays = 16;
  static constexpr uint64_t kNibble = 0xf;
  static constexpr uint64_t kNibbleOnes = 0x1111'1111'1111'1111;  // 1 in every nibble
  static constexpr uint64_t kNibbleTops = 0x8888'8888'8888'8888;  // the top bit of every nibble
  // Moves `way` to the front of its set's order.
  void move_to_front(uint32_t set, uint32_t way) {
    uint64_t& order = order_[set];
    if ((order & kNibble) == way) return;  // already the most recent (repeated hits)
    // The nibble holding `way` becomes 0; the lowest nibble the subtraction flags as zero is
    // one (a flag above a zero nibble may be false), and unused nibbles (0) lie above the
    // ways' own.
    const uint64_t x = order ^ (way * kNibbleOnes);
    const uint64_t zero = (x - kNibbleOnes) & ~x & kNibbleTops;
    const unsigned shift = static_cast<unsigned>(std::countr_zero(zero)) & ~3u;
    const uint64_t before = (uint64_t{1} << shift) - 1;  // the nibbles more recent than `way`
    const uint64_t through = before << 4 | kNibble;      // those and `way`'s own
    order = (order & ~through) | (order & before) << 4 | way;
  }

  Replacement kind_;
  uint32_t ways_;
  bool ordered_ = false;       // LRU or FIFO with at most kMaxOrderedWays: order_, not stamps_
  unsigned oldest_shift_ = 0;  // the last way's nibble in order_
  std::vector<uint64_t> order_;
  uint32_t plru_leaves_;            // ways rounded up to a power of two
  std::vector<uint64_t> stamps_;    // LRU: last use; FIFO: fill time
  std::vector<uint8_t> plru_bits_;  // tree-PLRU: one byte per internal node, plru_leaves_-1 per set
  uint64_t clock_ = 0;
  Xorshift64 random_;
  std::shared_ptr<CustomReplacement> custom_;
};

}  // namespace vmlab::mmu

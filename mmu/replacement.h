// Replacement policies for set-associative structures, as small per-set helpers.
//
// A policy sees only way indices: it is told when a way is filled or hits, and asked which way
// to evict. It never sees tags or addresses, so the same policies serve every TLB array.
#pragma once

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
        clock_ += n;
        stamps_[set * ways_ + way] = clock_;
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
  void stamp(uint32_t set, uint32_t way) { stamps_[set * ways_ + way] = ++clock_; }
  // The way with the smallest stamp (LRU: least recently used; FIFO: first filled).
  uint32_t oldest(uint32_t set) const {
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

  Replacement kind_;
  uint32_t ways_;
  uint32_t plru_leaves_;            // ways rounded up to a power of two
  std::vector<uint64_t> stamps_;    // LRU: last use; FIFO: fill time
  std::vector<uint8_t> plru_bits_;  // tree-PLRU: one byte per internal node, plru_leaves_-1 per set
  uint64_t clock_ = 0;
  Xorshift64 random_;
  std::shared_ptr<CustomReplacement> custom_;
};

}  // namespace vmlab::mmu

#include "mmu/replacement.h"

#include <stdexcept>

namespace vmlab::mmu {

std::string_view replacement_name(Replacement r) {
  switch (r) {
    case Replacement::kLru:
      return "lru";
    case Replacement::kTreePlru:
      return "plru";
    case Replacement::kFifo:
      return "fifo";
    case Replacement::kRandom:
      return "random";
    case Replacement::kCustom:
      return "custom";
  }
  return "?";
}

std::optional<Replacement> parse_replacement(std::string_view name) {
  for (auto r :
       {Replacement::kLru, Replacement::kTreePlru, Replacement::kFifo, Replacement::kRandom}) {
    if (replacement_name(r) == name) return r;
  }
  return std::nullopt;
}

ReplacementState::ReplacementState(Replacement kind, uint32_t sets, uint32_t ways, uint64_t seed)
    : kind_(kind), ways_(ways), plru_leaves_(1), random_(seed) {
  if (ways == 0 || sets == 0) throw std::invalid_argument("replacement state needs sets and ways");
  while (plru_leaves_ < ways)
    plru_leaves_ <<= 1;
  if (kind == Replacement::kLru || kind == Replacement::kFifo) {
    ordered_ = ways <= kMaxOrderedWays;
    if (ordered_) {
      // Any order of the ways will do: the victim is asked for once all have been used.
      uint64_t identity = 0;
      for (uint32_t w = 0; w < ways; ++w)
        identity |= static_cast<uint64_t>(w) << (4 * w);
      order_.assign(sets, identity);
      oldest_shift_ = 4 * (ways - 1);
    } else {
      stamps_.assign(static_cast<size_t>(sets) * ways, 0);
    }
  }
  if (kind == Replacement::kTreePlru)
    plru_bits_.assign(static_cast<size_t>(sets) * (plru_leaves_ - 1), 0);
}

void ReplacementState::other_fill(uint32_t set, uint32_t way) {
  switch (kind_) {
    case Replacement::kLru:
    case Replacement::kFifo:  // stamped by on_fill itself
      break;
    case Replacement::kTreePlru:
      plru_touch(set, way);
      break;
    case Replacement::kCustom:
      custom_->on_fill(set, way);
      break;
    case Replacement::kRandom:
      break;
  }
}

uint32_t ReplacementState::other_victim(uint32_t set) {
  switch (kind_) {
    case Replacement::kLru:
    case Replacement::kFifo:  // chosen by victim() itself
      return oldest(set);
    case Replacement::kTreePlru:
      return plru_victim(set);
    case Replacement::kRandom: {
      return static_cast<uint32_t>(random_.next() % ways_);
    }
    case Replacement::kCustom: {
      const uint32_t way = custom_->victim(set);
      if (way >= ways_)
        throw std::out_of_range("custom replacement chose way " + std::to_string(way) + " of a " +
                                std::to_string(ways_) + "-way set");
      return way;
    }
  }
  return 0;
}

// Tree-PLRU over plru_leaves_ leaves stored heap-style: node n has children 2n+1 and 2n+2. A
// node's bit names the child to evict from next (0 = left). Leaves at or beyond ways_ do not
// exist, so the victim search never descends into a subtree that holds none of them.
void ReplacementState::plru_touch(uint32_t set, uint32_t way) {
  uint8_t* bits = &plru_bits_[static_cast<size_t>(set) * (plru_leaves_ - 1)];
  uint32_t node = 0;
  for (uint32_t span = plru_leaves_, base = 0; span > 1; span >>= 1) {
    const uint32_t half = span >> 1;
    const bool right = way >= base + half;
    bits[node] = right ? 0 : 1;  // point away from the way just used
    node = 2 * node + (right ? 2 : 1);
    if (right) base += half;
  }
}

uint32_t ReplacementState::plru_victim(uint32_t set) const {
  const uint8_t* bits = &plru_bits_[static_cast<size_t>(set) * (plru_leaves_ - 1)];
  uint32_t node = 0;
  uint32_t base = 0;
  for (uint32_t span = plru_leaves_; span > 1; span >>= 1) {
    const uint32_t half = span >> 1;
    bool right = bits[node] != 0;
    if (right && base + half >= ways_) right = false;  // right subtree has no real ways
    node = 2 * node + (right ? 2 : 1);
    if (right) base += half;
  }
  return base;
}

}  // namespace vmlab::mmu

#include "emulator/block_shapes.h"

#include <stdexcept>

namespace vmlab::emulator {

const BlockShapes::Shape* BlockShapes::find(uint64_t key) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = home(key);; i = (i + 1) & mask) {
    if (slots_[i].key == key) return &slots_[i];
    if (slots_[i].key == kNoKey) return nullptr;
  }
}

const BlockShapes::Shape& BlockShapes::insert(uint64_t key, std::span<const uint32_t> offsets) {
  if (offsets_.size() + offsets.size() > UINT32_MAX)
    throw std::length_error("too many translated instructions to count");
  if (2 * (used_ + 1) > slots_.size()) grow();
  const size_t mask = slots_.size() - 1;
  size_t i = home(key);
  while (slots_[i].key != kNoKey)
    i = (i + 1) & mask;
  slots_[i] =
      Shape{key, static_cast<uint32_t>(offsets_.size()), static_cast<uint32_t>(offsets.size())};
  offsets_.insert(offsets_.end(), offsets.begin(), offsets.end());
  ++used_;
  return slots_[i];
}

void BlockShapes::grow() {
  std::vector<Shape> old(slots_.size() * 2);
  old.swap(slots_);
  --shift_;
  const size_t mask = slots_.size() - 1;
  for (const Shape& s : old) {
    if (s.key == kNoKey) continue;
    size_t i = home(s.key);
    while (slots_[i].key != kNoKey)
      i = (i + 1) & mask;
    slots_[i] = s;
  }
}

}  // namespace vmlab::emulator

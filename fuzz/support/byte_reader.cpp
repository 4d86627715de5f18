#include "fuzz/support/byte_reader.h"

#include <algorithm>

namespace vmlab::fuzz {

uint64_t ByteReader::little_endian(unsigned width) {
  uint64_t value = 0;
  for (unsigned i = 0; i < width; ++i) {
    const uint64_t byte = pos_ < data_.size() ? data_[pos_] : 0;
    ++pos_;
    value |= byte << (8 * i);
  }
  return value;
}

uint8_t ByteReader::u8() {
  return static_cast<uint8_t>(little_endian(1));
}
uint16_t ByteReader::u16() {
  return static_cast<uint16_t>(little_endian(2));
}
uint32_t ByteReader::u32() {
  return static_cast<uint32_t>(little_endian(4));
}
uint64_t ByteReader::u64() {
  return little_endian(8);
}

std::span<const uint8_t> ByteReader::bytes(size_t n) {
  const size_t start = std::min(pos_, data_.size());
  const size_t count = std::min(n, data_.size() - start);
  pos_ = start + count;
  return data_.subspan(start, count);
}

}  // namespace vmlab::fuzz

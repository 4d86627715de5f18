// Reads a fuzz input front to back as little-endian integers. Past the end every read gives
// zeros, so any input decodes and hand-written seeds read in the order they are written
// (libFuzzer's FuzzedDataProvider takes integers from the end, which makes seeds opaque).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vmlab::fuzz {

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> data) : data_(data) {}

  bool empty() const { return pos_ >= data_.size(); }
  size_t remaining() const { return empty() ? 0 : data_.size() - pos_; }

  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  // Up to `n` bytes (fewer at the end of the input).
  std::span<const uint8_t> bytes(size_t n);

 private:
  uint64_t little_endian(unsigned width);

  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace vmlab::fuzz

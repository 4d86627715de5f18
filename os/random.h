// A small deterministic generator (SplitMix64) for everything the guest sees as random:
// AT_RANDOM, getrandom(), /dev/urandom. Same seed, same bytes.
#pragma once

#include <cstdint>
#include <span>

namespace vmlab::os {

class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e37'79b9'7f4a'7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebull;
    return z ^ (z >> 31);
  }
  void fill(std::span<uint8_t> out) {
    for (size_t i = 0; i < out.size(); i += 8) {
      const uint64_t v = next();
      for (size_t j = 0; j < 8 && i + j < out.size(); ++j)
        out[i + j] = static_cast<uint8_t>(v >> (8 * j));
    }
  }

 private:
  uint64_t state_;
};

}  // namespace vmlab::os

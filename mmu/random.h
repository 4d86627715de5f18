// vmlab's pseudo-random generators, seeded so that runs repeat: SplitMix64 for everything the
// guest sees as random (AT_RANDOM, getrandom(), /dev/urandom, the random replacement policy),
// xorshift64 for the TLB's random replacement (cheap enough for every miss).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace vmlab::mmu {

// SplitMix64 (Steele, Lea, Flood: "Fast splittable pseudorandom number generators", 2014).
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9e37'79b9'7f4a'7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58'476d'1ce4'e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d0'49bb'1331'11ebull;
    return z ^ (z >> 31);
  }
  // Each word's bytes, least significant first.
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

// Marsaglia's xorshift64 (13, 7, 17); the state must not be 0.
class Xorshift64 {
 public:
  explicit Xorshift64(uint64_t seed) : state_(seed | 1) {}
  uint64_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

 private:
  uint64_t state_;
};

}  // namespace vmlab::mmu

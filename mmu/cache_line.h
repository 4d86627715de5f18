// Storage that starts on a cache line. A TLB array keeps its entries in it, so that every set
// of a power-of-two associativity starts on a line and a search touches as few lines as the
// set's size allows (std::allocator aligns to 16 bytes only).
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace vmlab::mmu {

inline constexpr size_t kCacheLineBytes = 64;

template <typename T>
struct CacheLineAllocator {
  using value_type = T;
  static constexpr std::align_val_t kAlignment{kCacheLineBytes};
  CacheLineAllocator() = default;
  template <typename U>
  CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), kAlignment)); }
  void deallocate(T* p, size_t) { ::operator delete(p, kAlignment); }
  friend bool operator==(const CacheLineAllocator&, const CacheLineAllocator&) { return true; }
};

template <typename T>
using CacheLineVector = std::vector<T, CacheLineAllocator<T>>;

}  // namespace vmlab::mmu

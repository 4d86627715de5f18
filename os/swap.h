// The swap device: a real host file divided into page-sized slots.
//
// A slot is referenced by every non-present PTE that holds its swap entry and by the swap
// cache while a resident frame still has a valid copy in it; it is freed when the last
// reference goes. Slots are handed out lowest first, so runs are deterministic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mmu/address.h"
#include "os/result.h"

namespace vmlab::os {

class SwapDevice {
 public:
  // Opens (creating or truncating) `path`, or an unlinked temporary file when `path` is empty,
  // of `bytes` (a multiple of 4 KiB). Throws std::runtime_error naming the file and the cause.
  SwapDevice(const std::string& path, uint64_t bytes);
  ~SwapDevice();
  SwapDevice(const SwapDevice&) = delete;
  SwapDevice& operator=(const SwapDevice&) = delete;

  uint64_t slots() const { return refs_.size(); }
  uint64_t used() const { return used_; }
  const std::string& path() const { return path_; }

  // A free slot with one reference, or nullopt when the device is full.
  std::optional<uint64_t> allocate();
  void duplicate(uint64_t slot);
  // Drops one reference; returns true when the slot became free.
  bool release(uint64_t slot);
  uint32_t references(uint64_t slot) const { return refs_.at(slot); }

  // Page I/O. A host failure (the file cannot be written or read) is a message naming the
  // slot, the file and the cause.
  Result<void, std::string> write(uint64_t slot, const uint8_t* page);
  Result<void, std::string> read(uint64_t slot, uint8_t* page);

  // The swap cache: a resident frame whose contents are also in `slot`.
  void cache(uint64_t slot, mmu::Pfn frame) { cache_[slot] = frame; }
  void uncache(uint64_t slot) { cache_.erase(slot); }
  std::optional<mmu::Pfn> cached(uint64_t slot) const;
  const std::map<uint64_t, mmu::Pfn>& swap_cache() const { return cache_; }

  uint64_t writes() const { return writes_; }
  uint64_t reads() const { return reads_; }

 private:
  std::string path_;
  int fd_ = -1;
  std::vector<uint32_t> refs_;
  uint64_t used_ = 0;
  uint64_t next_hint_ = 0;
  std::map<uint64_t, mmu::Pfn> cache_;
  uint64_t writes_ = 0;
  uint64_t reads_ = 0;
};

}  // namespace vmlab::os

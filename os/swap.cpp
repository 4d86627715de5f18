#include "os/swap.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace vmlab::os {

namespace {

// Slots are numbered in 31 bits (the frame table keeps a swap-cache slot per frame in an
// int32_t): 8 TiB of swap at most.
constexpr uint64_t kMaxSlots = uint64_t{1} << 31;

uint64_t slots_for(uint64_t bytes) {
  if (bytes == 0 || (bytes & mmu::kPageOffsetMask) != 0)
    throw std::runtime_error("swap size must be a positive multiple of 4K");
  if ((bytes >> mmu::kPageShift) > kMaxSlots)
    throw std::runtime_error("swap larger than 8T is not supported");
  return bytes >> mmu::kPageShift;
}

}  // namespace

SwapDevice::SwapDevice(const std::string& path, uint64_t bytes)
    : path_(path), refs_(slots_for(bytes), 0) {
  if (path_.empty()) {
    char pattern[] = "/tmp/vmlab-swap-XXXXXX";
    fd_ = mkstemp(pattern);
    if (fd_ < 0)
      throw std::runtime_error(std::string("cannot create a swap file in /tmp: ") +
                               std::strerror(errno));
    path_ = pattern;
    unlink(pattern);  // removed at exit even if vmlab is killed
  } else {
    fd_ = open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd_ < 0)
      throw std::runtime_error("cannot open swap file '" + path_ + "': " + std::strerror(errno));
  }
  // A regular file is sized (sparse); a device is used as it is, like a swap partition.
  struct stat st = {};
  const bool regular = fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  if (regular && ftruncate(fd_, static_cast<off_t>(bytes)) != 0) {
    const int err = errno;
    close(fd_);
    throw std::runtime_error("cannot size swap file '" + path_ + "': " + std::strerror(err));
  }
}

SwapDevice::~SwapDevice() {
  close(fd_);
}

std::optional<uint64_t> SwapDevice::allocate() {
  for (uint64_t i = 0; i < refs_.size(); ++i) {
    const uint64_t slot = (next_hint_ + i) % refs_.size();
    if (refs_[slot] == 0) {
      refs_[slot] = 1;
      ++used_;
      next_hint_ = slot + 1;
      return slot;
    }
  }
  return std::nullopt;
}

void SwapDevice::duplicate(uint64_t slot) {
  ++refs_.at(slot);
}

bool SwapDevice::release(uint64_t slot) {
  uint32_t& r = refs_.at(slot);
  if (r == 0) throw std::logic_error("swap slot " + std::to_string(slot) + " released twice");
  if (--r != 0) return false;
  --used_;
  cache_.erase(slot);
  if (slot < next_hint_) next_hint_ = slot;  // lowest free slot first
  return true;
}

Result<void, std::string> SwapDevice::write(uint64_t slot, const uint8_t* page) {
  const ssize_t n = pwrite(fd_, page, mmu::kPageBytes, static_cast<off_t>(slot << mmu::kPageShift));
  if (n != static_cast<ssize_t>(mmu::kPageBytes)) {
    return "swap: writing slot " + std::to_string(slot) + " of '" + path_ +
           "' failed: " + (n < 0 ? std::strerror(errno) : "short write");
  }
  ++writes_;
  return {};
}

Result<void, std::string> SwapDevice::read(uint64_t slot, uint8_t* page) {
  const ssize_t n = pread(fd_, page, mmu::kPageBytes, static_cast<off_t>(slot << mmu::kPageShift));
  if (n != static_cast<ssize_t>(mmu::kPageBytes)) {
    return "swap: reading slot " + std::to_string(slot) + " of '" + path_ +
           "' failed: " + (n < 0 ? std::strerror(errno) : "short read");
  }
  ++reads_;
  return {};
}

std::optional<mmu::Pfn> SwapDevice::cached(uint64_t slot) const {
  auto it = cache_.find(slot);
  if (it == cache_.end()) return std::nullopt;
  return it->second;
}

}  // namespace vmlab::os

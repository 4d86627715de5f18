// Readiness of an open file as poll(2) reports it: Linux's EPOLL* bits, whose values are
// poll's POLL* values on x86-64.
#pragma once

#include <cstdint>

namespace vmlab::os::vfs::poll_bits {

inline constexpr uint32_t kIn = 0x001;      // POLLIN: a read would not block
inline constexpr uint32_t kPri = 0x002;     // POLLPRI: urgent data (select's exceptions)
inline constexpr uint32_t kOut = 0x004;     // POLLOUT: a write would not block
inline constexpr uint32_t kErr = 0x008;     // POLLERR: a pipe's write end nobody reads
inline constexpr uint32_t kHup = 0x010;     // POLLHUP: a pipe's read end nobody writes
inline constexpr uint32_t kNval = 0x020;    // POLLNVAL: the descriptor is not open
inline constexpr uint32_t kRdNorm = 0x040;  // POLLRDNORM: normal data to read
inline constexpr uint32_t kRdBand = 0x080;  // POLLRDBAND
inline constexpr uint32_t kWrNorm = 0x100;  // POLLWRNORM: room for normal data
inline constexpr uint32_t kWrBand = 0x200;  // POLLWRBAND
inline constexpr uint32_t kRdHup = 0x2000;  // POLLRDHUP: the peer shut down its sending

// Files without a poll method of their own (regular files, directories, /dev/null, ...):
// Linux's DEFAULT_POLLMASK, whatever the access mode.
inline constexpr uint32_t kAlwaysReady = kIn | kOut | kRdNorm | kWrNorm;

}  // namespace vmlab::os::vfs::poll_bits

#include "emulator/strace_format/syscall_wait_format.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "emulator/strace_format/strace_text.h"
#include "emulator/strace_format/syscall_flags.h"
#include "os/syscalls/time_values.h"

namespace vmlab::emulator {

namespace {

constexpr uint64_t kArrayLimit = 32;  // entries shown, like strace's default -s 32
constexpr int64_t kMaxSelectFds = 1024;
constexpr int kBitsPerWord = 64;
constexpr uint64_t kSigsetBytes = 8;

struct PollFd {
  int32_t fd;
  uint16_t events;
  uint16_t revents;
};

// The entries of a pollfd array, each formatted by `entry` (skipped when it returns "").
template <typename Entry>
std::string pollfds(const PeekMemory& peek, uint64_t address, uint64_t count, Entry entry) {
  if (address == 0) return "NULL";
  std::string out = "[";
  bool first = true;
  for (uint64_t i = 0; i < count; ++i) {
    if (i == kArrayLimit) {
      out += ", ...";
      break;
    }
    PollFd p{};
    if (!peek(address + i * sizeof p, &p, sizeof p)) return pointer(address);
    const std::string text = entry(p);
    if (text.empty()) continue;
    out += (first ? "" : ", ") + text;
    first = false;
  }
  return out + "]";
}

std::string time_left(const PeekMemory& peek, uint64_t timeout, bool timespec) {
  if (timeout == 0) return "";
  return ", left " + (timespec ? timespec_at(peek, timeout) : timeval_at(peek, timeout));
}

}  // namespace

std::string pollfd_array(const PeekMemory& peek, uint64_t address, uint64_t count) {
  return pollfds(peek, address, count, [](const PollFd& p) {
    const std::string fd = "{fd=" + std::to_string(p.fd);
    if (p.fd < 0) return fd + "}";
    return fd + ", events=" + poll_events(p.events) + "}";
  });
}

std::string fd_set_bits(const PeekMemory& peek, uint64_t address, int64_t nfds) {
  if (address == 0) return "NULL";
  const int64_t n = std::clamp<int64_t>(nfds, 0, kMaxSelectFds);
  std::vector<uint64_t> words(static_cast<size_t>((n + kBitsPerWord - 1) / kBitsPerWord));
  if (!words.empty() && !peek(address, words.data(), words.size() * sizeof(uint64_t)))
    return pointer(address);
  std::string out = "[";
  for (int64_t fd = 0; fd < n; ++fd) {
    if ((words[fd / kBitsPerWord] >> (fd % kBitsPerWord) & 1) == 0) continue;
    out += (out.size() > 1 ? " " : "") + std::to_string(fd);
  }
  return out + "]";
}

std::string timeval_at(const PeekMemory& peek, uint64_t address) {
  os::UserTimeval tv{};
  if (address == 0 || !peek(address, &tv, sizeof tv)) return pointer(address);
  return "{tv_sec=" + std::to_string(tv.sec) + ", tv_usec=" + std::to_string(tv.usec) + "}";
}

std::string timespec_at(const PeekMemory& peek, uint64_t address) {
  os::UserTimespec ts{};
  if (address == 0 || !peek(address, &ts, sizeof ts)) return pointer(address);
  return "{tv_sec=" + std::to_string(ts.sec) + ", tv_nsec=" + std::to_string(ts.nsec) + "}";
}

std::string sigset_at(const PeekMemory& peek, uint64_t address, uint64_t size) {
  uint64_t mask = 0;
  if (address == 0 || size != kSigsetBytes || !peek(address, &mask, sizeof mask))
    return pointer(address);
  return signal_set(mask);
}

std::string sigset_pack_at(const PeekMemory& peek, uint64_t address) {
  struct {
    uint64_t mask, size;
  } pack{};
  if (address == 0 || !peek(address, &pack, sizeof pack)) return pointer(address);
  return "{sigmask=" + sigset_at(peek, pack.mask, pack.size) +
         ", sigsetsize=" + std::to_string(pack.size) + "}";
}

std::string poll_result(const PeekMemory& peek, uint64_t address, uint64_t count, int64_t result,
                        uint64_t timeout) {
  if (result < 0) return "";
  if (result == 0) return " (Timeout)";
  const std::string ready = pollfds(peek, address, count, [](const PollFd& p) {
    if (p.revents == 0) return std::string();
    return "{fd=" + std::to_string(p.fd) + ", revents=" + poll_events(p.revents) + "}";
  });
  return " (" + ready + time_left(peek, timeout, true) + ")";
}

std::string select_result(const PeekMemory& peek, const uint64_t (&args)[6], int64_t result,
                          bool timespec) {
  if (result < 0) return "";
  if (result == 0) return " (Timeout)";
  static const char* const kSetNames[] = {"in", "out", "except"};
  std::string sets;
  for (int s = 0; s < 3; ++s) {
    const uint64_t address = args[1 + s];
    if (address == 0) continue;
    const std::string bits = fd_set_bits(peek, address, static_cast<int32_t>(args[0]));
    if (bits == "[]") continue;
    sets += (sets.empty() ? "" : ", ") + std::string(kSetNames[s]) + " " + bits;
  }
  return " (" + sets + time_left(peek, args[4], timespec) + ")";
}

}  // namespace vmlab::emulator

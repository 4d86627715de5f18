// The small pieces every strace-style decoder prints: numbers in hex, pointers, strings.
#pragma once

#include <cstdint>
#include <string>

namespace vmlab::emulator {

inline constexpr size_t kStraceStringLimit = 32;  // strace's default -s 32

std::string hex(uint64_t value);      // "0x1f", "0"
std::string pointer(uint64_t value);  // "NULL" or "0x7ffd..."
// `bytes` as a C string literal with strace's escapes, cut after `limit` bytes ("..." follows).
std::string quote(const std::string& bytes, size_t limit);

}  // namespace vmlab::emulator

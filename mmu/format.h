// Number formatting shared by messages, traces and reports.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>

namespace vmlab::mmu {

inline std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace vmlab::mmu

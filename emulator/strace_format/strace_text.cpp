#include "emulator/strace_format/strace_text.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <utility>

namespace vmlab::emulator {

std::string hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(value));
  return buf;
}

std::string pointer(uint64_t value) {
  return value == 0 ? "NULL" : hex(value);
}

std::string quote(const std::string& bytes, size_t limit) {
  static constexpr std::pair<char, const char*> kEscapes[] = {
      {'\n', "\\n"}, {'\t', "\\t"}, {'\r', "\\r"}, {'"', "\\\""}, {'\\', "\\\\"}};
  std::string out = "\"";
  for (size_t i = 0; i < bytes.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(bytes[i]);
    const auto* escape = std::find_if(std::begin(kEscapes), std::end(kEscapes), [c](const auto& e) {
      return e.first == static_cast<char>(c);
    });
    if (escape != std::end(kEscapes)) {
      out += escape->second;
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  out += "\"";
  if (bytes.size() > limit) out += "...";
  return out;
}

}  // namespace vmlab::emulator

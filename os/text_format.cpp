#include "os/text_format.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace vmlab::os {

std::string format(const char* fmt, ...) {
  char buffer[512];
  va_list args;
  va_start(args, fmt);
  const int n = std::vsnprintf(buffer, sizeof buffer, fmt, args);
  va_end(args);
  return std::string(buffer,
                     n < 0 ? 0 : std::min<size_t>(static_cast<size_t>(n), sizeof buffer - 1));
}

}  // namespace vmlab::os

// printf into a std::string, for the kernel's generated text files (/proc, /sys).
#pragma once

#include <string>

namespace vmlab::os {

// At most 511 characters: every line of a generated file is shorter.
std::string format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace vmlab::os

#include "os/shebang.h"

#include <cerrno>
#include <cstdint>

#include "os/vfs/inode.h"

namespace vmlab::os {

namespace {
bool blank(char c) {
  return c == ' ' || c == '\t';
}
}  // namespace

Result<std::optional<Shebang>> read_shebang(vfs::Inode& file) {
  std::string line(kShebangBytes, '\0');
  const int64_t n = file.read(0, {reinterpret_cast<uint8_t*>(line.data()), line.size()});
  if (n < 2 || line[0] != '#' || line[1] != '!') return std::optional<Shebang>();
  line.resize(static_cast<size_t>(n));
  const size_t newline = line.find('\n');
  const bool complete = newline != std::string::npos;
  line = line.substr(2, complete ? newline - 2 : std::string::npos);
  // Blanks and NULs end a name; trailing blanks are not part of the argument.
  const size_t start = line.find_first_not_of(" \t");
  if (start == std::string::npos || line[start] == '\0') return Errno(ENOEXEC);
  size_t end = start;
  while (end < line.size() && !blank(line[end]) && line[end] != '\0')
    ++end;
  // Without a newline in the buffer, a name that runs to its end may be cut short: refused.
  if (!complete && end == line.size()) return Errno(ENOEXEC);
  Shebang out{line.substr(start, end - start), std::nullopt};
  std::string rest = line.substr(end);
  rest = rest.substr(0, rest.find('\0'));
  const size_t arg_start = rest.find_first_not_of(" \t");
  if (arg_start != std::string::npos) {
    const size_t arg_end = rest.find_last_not_of(" \t");
    out.argument = rest.substr(arg_start, arg_end - arg_start + 1);
  }
  return std::optional<Shebang>(std::move(out));
}

}  // namespace vmlab::os

#include "emulator/lua/string_streams.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace vmlab::lua {

namespace {

constexpr uint32_t kPipeMode = S_IFIFO | 0600;

}  // namespace

StringInput::StringInput(std::string data) : OpenFile(O_RDONLY), data_(std::move(data)) {}

int64_t StringInput::read(std::span<uint8_t> out) {
  const size_t n = std::min(out.size(), data_.size() - offset_);
  std::memcpy(out.data(), data_.data() + offset_, n);
  offset_ += n;
  return static_cast<int64_t>(n);
}

int64_t StringInput::write(std::span<const uint8_t>) {
  return -EBADF;
}

os::vfs::FileStat StringInput::stat() const {
  os::vfs::FileStat st;
  st.mode = kPipeMode;
  st.nlink = 1;
  return st;
}

StringOutput::StringOutput(Keep keep) : OpenFile(O_WRONLY), keep_(keep) {}

int64_t StringOutput::read(std::span<uint8_t>) {
  return -EBADF;
}

int64_t StringOutput::write(std::span<const uint8_t> data) {
  if (keep_ == Keep::kText) text_.append(reinterpret_cast<const char*>(data.data()), data.size());
  return static_cast<int64_t>(data.size());
}

os::vfs::FileStat StringOutput::stat() const {
  os::vfs::FileStat st;
  st.mode = kPipeMode;
  st.nlink = 1;
  return st;
}

}  // namespace vmlab::lua

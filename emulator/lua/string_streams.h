// Standard streams for guests spawned by scripts: stdin read from a Lua string, stdout or
// stderr collected into a string (or discarded). They behave like the read or write end of a
// pipe whose other end the script holds.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "os/vfs/open_file.h"

namespace vmlab::lua {

class StringInput final : public os::vfs::OpenFile {
 public:
  explicit StringInput(std::string data);

  int64_t read(std::span<uint8_t> out) override;  // the data, then end of file
  int64_t write(std::span<const uint8_t> data) override;
  os::vfs::FileStat stat() const override;
  std::string describe() const override { return "pipe:[script stdin]"; }

 private:
  std::string data_;
  size_t offset_ = 0;
};

class StringOutput final : public os::vfs::OpenFile {
 public:
  enum class Keep : uint8_t { kText, kNothing };
  explicit StringOutput(Keep keep);

  int64_t read(std::span<uint8_t> out) override;
  int64_t write(std::span<const uint8_t> data) override;
  os::vfs::FileStat stat() const override;
  std::string describe() const override { return "pipe:[script output]"; }
  const std::string& text() const { return text_; }

 private:
  Keep keep_;
  std::string text_;
};

}  // namespace vmlab::lua

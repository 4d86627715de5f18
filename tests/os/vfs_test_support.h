// A throwaway host directory tree for VFS tests: created under a unique mkdtemp name, removed
// (with everything in it) when the test ends.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "os/vfs/file_system.h"

namespace vmlab::os::vfs::testing {

class TempTree {
 public:
  TempTree() {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/vmlab-vfs-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    root_ = pattern;
  }
  ~TempTree() { std::filesystem::remove_all(root_); }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;

  const std::string& root() const { return root_; }
  std::string host(const std::string& relative) const { return root_ + "/" + relative; }

  void mkdir(const std::string& relative) const {
    std::filesystem::create_directories(host(relative));
  }
  void write(const std::string& relative, const std::string& content) const {
    std::ofstream(host(relative), std::ios::binary) << content;
  }
  std::string read(const std::string& relative) const {
    std::ifstream in(host(relative), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void symlink(const std::string& target, const std::string& relative) const {
    ASSERT_EQ(::symlink(target.c_str(), host(relative).c_str()), 0) << relative;
  }

 private:
  std::string root_;
};

inline std::span<const uint8_t> bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// The whole content of a guest inode, read through the VFS.
inline std::string content(Inode& inode) {
  std::string out;
  std::vector<uint8_t> chunk(256);
  for (uint64_t offset = 0;;) {
    const int64_t n = inode.read(offset, chunk);
    if (n <= 0) break;
    out.append(chunk.begin(), chunk.begin() + n);
    offset += static_cast<uint64_t>(n);
  }
  return out;
}

// The errno a VFS operation failed with, 0 when it succeeded.
template <class T>
int errno_of(const Result<T>& result) {
  return result ? 0 : result.error().code();
}

// Names of a directory listing, in order.
inline std::vector<std::string> names(const std::vector<DirEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries)
    out.push_back(e.name);
  return out;
}

}  // namespace vmlab::os::vfs::testing

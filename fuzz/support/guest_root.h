// The host directory a fuzzed guest sees as "/": a few files, directories and symlinks
// (including ones that point outside it), created once per fuzzer process and removed at exit.
// The guest may only ever read it; signature() lets a target check that nothing changed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmlab::fuzz {

struct RootFile {
  std::string path;  // relative to the root
  std::vector<uint8_t> bytes;
  unsigned mode = 0644;
};

class GuestRoot {
 public:
  // Creates the tree with the standard fixtures plus `extra` files.
  explicit GuestRoot(const std::vector<RootFile>& extra);
  ~GuestRoot();
  GuestRoot(const GuestRoot&) = delete;
  GuestRoot& operator=(const GuestRoot&) = delete;

  const std::string& path() const { return path_; }
  // Every name, type, mode, size, modification time and link target under the root.
  std::string signature() const;

 private:
  std::string path_;
};

}  // namespace vmlab::fuzz

// Function symbols of an ELF executable, for "function+offset" in traces.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmlab::emulator {

class Symbols {
 public:
  // Reads .symtab of the ELF file at `host_path`; `bias` is added to every address (the load
  // address of a position-independent executable). Missing or stripped files give no symbols.
  static Symbols load(const std::string& host_path, uint64_t bias);

  // "main+0x1a", or "" when no function contains the address.
  std::string describe(uint64_t address) const;
  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    uint64_t start;
    uint64_t size;
    std::string name;
  };
  std::vector<Entry> entries_;  // sorted by start
};

}  // namespace vmlab::emulator

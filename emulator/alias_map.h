// Which frame each aliased guest page shows the CPU, and what that costs the host.
//
// Every present user page is a host mapping of its frame's memfd offset (see cpu.h). Linux
// merges neighbouring mappings of consecutive offsets, so a run of pages on consecutive frames
// is one host mapping, plus the piece of reservation that separates it from the next run.
// vm.max_map_count caps those for the whole vmlab process (65530 by default) and, once it is
// reached, every mmap fails — malloc's included. All engines therefore share one budget, and
// aliasing a page that would come near the limit fails with a clear error instead.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <unordered_map>

namespace vmlab::emulator {

class HostLimitError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AliasMap {
 public:
  AliasMap() = default;
  ~AliasMap();  // returns this engine's runs to the shared budget
  AliasMap(const AliasMap&) = delete;
  AliasMap& operator=(const AliasMap&) = delete;

  // Before the host mmap: throws HostLimitError if the page could start a new run beyond the
  // budget. Call record() after the mmap succeeded.
  void reserve(uint64_t vpn, uint64_t pfn) const;
  void record(uint64_t vpn, uint64_t pfn);
  void erase(uint64_t vpn);
  // The frame behind the page, or 0 when the page is not aliased.
  uint64_t frame_at(uint64_t vpn) const;
  size_t pages() const { return frames_.size(); }
  int64_t runs() const { return runs_; }

  // Host mappings vmlab may use for aliases: vm.max_map_count minus room for everything else.
  static int64_t run_budget();
  static int64_t runs_in_use();  // over every engine

 private:
  bool continues(uint64_t vpn, uint64_t pfn) const;  // vpn is aliased to pfn
  void add_runs(int64_t delta);

  std::unordered_map<uint64_t, uint64_t> frames_;  // vpn -> pfn
  int64_t runs_ = 0;
};

}  // namespace vmlab::emulator

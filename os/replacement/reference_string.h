// A page-reference string: the pages a run touched, in order, with repeats of the same page
// collapsed. Recorded by --record-refs, read back by the OPT policy.
//
// The file is compact: a text header line, then one varint per reference (LEB128). A page is
// numbered by its first appearance: 0 introduces the next new page (followed by its pid and
// virtual page number as varints), k > 0 names page k - 1 again. The pages a program uses
// most (its code and stack) appear first, so most references take one byte.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <vector>

namespace vmlab::os {

struct PageRef {
  int pid = 0;
  uint64_t vpn = 0;
  bool operator==(const PageRef&) const = default;
  auto operator<=>(const PageRef&) const = default;
};

struct PageRefHash {
  size_t operator()(const PageRef& r) const {
    return std::hash<uint64_t>()(r.vpn * 0x9e37'79b9'7f4a'7c15ull ^ static_cast<uint64_t>(r.pid));
  }
};

// A loaded reference string: the distinct pages, and the sequence as page numbers.
struct References {
  std::vector<PageRef> pages;      // by page number
  std::vector<uint32_t> sequence;  // page numbers, in reference order
};

class ReferenceString {
 public:
  // Opens `path` for writing; throws std::runtime_error naming the file on failure.
  explicit ReferenceString(const std::string& path);
  ~ReferenceString();
  ReferenceString(const ReferenceString&) = delete;
  ReferenceString& operator=(const ReferenceString&) = delete;

  void record(int pid, uint64_t va);
  uint64_t size() const { return count_; }

  // Reads a recorded string; throws std::runtime_error for a missing or malformed file.
  static References load(const std::string& path);

 private:
  void put(uint64_t value);

  std::FILE* out_;
  PageRef last_{-1, 0};
  uint64_t count_ = 0;
  std::unordered_map<PageRef, uint32_t, PageRefHash> numbers_;
};

}  // namespace vmlab::os

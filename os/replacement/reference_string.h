// A page-reference string: the pages a run touched, in order, with repeats of the same page
// collapsed. Recorded by --record-refs, read back by the OPT policy.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace vmlab::os {

struct PageRef {
  int pid = 0;
  uint64_t vpn = 0;
  bool operator==(const PageRef&) const = default;
  auto operator<=>(const PageRef&) const = default;
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
  static std::vector<PageRef> load(const std::string& path);

 private:
  std::FILE* out_;
  PageRef last_{-1, 0};
  uint64_t count_ = 0;
};

}  // namespace vmlab::os

// What a run cost the host: vmlab's own peak resident memory and CPU time. Unlike everything
// in --stats-json these numbers differ from run to run, so they have a file of their own
// (--host-stats).
#pragma once

#include <chrono>
#include <string>

namespace vmlab::emulator {

class HostUsage {
 public:
  HostUsage() : start_(std::chrono::steady_clock::now()) {}
  // {"peak_rss_kib": ..., "wall_seconds": ..., "user_seconds": ..., "system_seconds": ...}
  std::string json() const;

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace vmlab::emulator

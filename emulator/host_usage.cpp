#include "emulator/host_usage.h"

#include <sys/resource.h>

#include <cstdint>
#include <fstream>

#include "emulator/json_stats_writer.h"

namespace vmlab::emulator {

namespace {

// VmHWM of this process image: getrusage's ru_maxrss would also count the memory of the
// process that forked vmlab, which exec folds into it.
uint64_t peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string word;
  while (status >> word)
    if (word == "VmHWM:") {
      uint64_t kib = 0;
      status >> kib;
      return kib;
    }
  return 0;
}

double seconds(const timeval& t) {
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

}  // namespace

std::string HostUsage::json() const {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start_;
  const Json out = {{"peak_rss_kib", peak_rss_kib()},
                    {"wall_seconds", json_number(wall.count())},
                    {"user_seconds", json_number(seconds(usage.ru_utime))},
                    {"system_seconds", json_number(seconds(usage.ru_stime))}};
  return json_dump(out, 2) + "\n";
}

}  // namespace vmlab::emulator

#include "fuzz/support/report.h"

#include <unistd.h>

#include <cstdlib>

namespace vmlab::fuzz {

namespace {
int report_fd = STDERR_FILENO;
}

void keep_report_stream() {
  const int fd = dup(STDERR_FILENO);
  if (fd >= 0) report_fd = fd;
}

void fail(const std::string& what) {
  const std::string text = "\n==== vmlab fuzz invariant broken ====\n" + what + "\n";
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = write(report_fd, text.data() + done, text.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  std::abort();
}

}  // namespace vmlab::fuzz

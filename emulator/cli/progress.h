// A one-line status display for long runs on a terminal: instructions, speed, faults and
// resident memory, redrawn in place on stderr. Host time decides only when it is drawn (never
// anything the guest sees); it is never drawn when stderr is not a terminal, and it steps
// aside (the line is erased) before the guest writes to a terminal, so it never mixes with the
// guest's output.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "os/kernel.h"

namespace vmlab::cli {

class ProgressLine {
 public:
  static constexpr std::chrono::milliseconds kShowAfter{2000};  // short runs never see it
  static constexpr std::chrono::milliseconds kRedrawEvery{500};

  // Draws on `stream` if it is a terminal; installs itself between the kernel's time slices.
  ProgressLine(os::Kernel& kernel, std::FILE* stream);
  ~ProgressLine();
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  // Erases the line (before vmlab's own messages at the end of the run).
  void clear();
  // The text of the line (without the terminal controls).
  std::string text() const;

 private:
  void between_slices();
  void on_write(int pid, int fd);

  os::Kernel& kernel_;
  std::FILE* stream_;
  std::chrono::steady_clock::time_point start_, next_draw_;
  bool visible_ = false;
  bool watching_writes_ = false;
  os::Subscription writes_;  // the guest's writes, watched from the first drawing on
};

}  // namespace vmlab::cli

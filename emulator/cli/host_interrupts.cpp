#include "emulator/cli/host_interrupts.h"

#include <signal.h>
#include <sys/time.h>

#include <cmath>

namespace vmlab::cli {
namespace {

std::atomic<int> g_stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "written from a signal handler");

extern "C" void record_stop_signal(int sig) {
  int expected = 0;
  // The first signal decides how the run ends; a second SIGINT while stopping is ignored.
  g_stop_signal.compare_exchange_strong(expected, sig);
}

void install() {
  struct sigaction action = {};
  action.sa_handler = record_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: a host read() blocked on stdin returns EINTR
  for (int sig : {SIGINT, SIGTERM, SIGALRM})
    sigaction(sig, &action, nullptr);
}

}  // namespace

const std::atomic<int>& host_stop_flag() {
  static const bool installed = (install(), true);
  (void)installed;
  return g_stop_signal;
}

void arm_timeout(double seconds) {
  if (!(seconds > 0)) return;
  struct itimerval timer = {};
  const double whole = std::floor(seconds);
  timer.it_value.tv_sec = static_cast<time_t>(whole);
  timer.it_value.tv_usec = static_cast<suseconds_t>((seconds - whole) * 1e6);
  if (timer.it_value.tv_sec == 0 && timer.it_value.tv_usec == 0) timer.it_value.tv_usec = 1;
  setitimer(ITIMER_REAL, &timer, nullptr);
}

}  // namespace vmlab::cli

// Timers on the virtual clock: alarm + pause (which ended with "every process is blocked"
// before timers existed), periodic and virtual interval timers, POSIX timers with their
// siginfo, absolute expiry; compared with native runs. The run stays deterministic.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

class Timers : public ::testing::TestWithParam<const char*> {};

TEST_P(Timers, BehaveAsOnLinux) {
  expect_same_as_native({guest(std::string("timers-") + GetParam())});
}

TEST_P(Timers, SameRunTwice) {
  const std::vector<std::string> argv = {guest(std::string("timers-") + GetParam())};
  const VmlabRun a = run_vmlab({}, argv), b = run_vmlab({}, argv);
  EXPECT_EQ(a.result.out, b.result.out);
  EXPECT_EQ(a.stats["instructions"].u64(), b.stats["instructions"].u64());
}

INSTANTIATE_TEST_SUITE_P(Libc, Timers, ::testing::Values("musl", "glibc"));

TEST(Timers, ShellSleepAndTimeout) {
  // coreutils timeout arms a POSIX timer (timer_create) and kills the command when it fires.
  expect_same_as_native({"/bin/sh", "-c", "timeout 0.2 sleep 5; echo timeout status $?"});
}

}  // namespace
}  // namespace vmlab::testing

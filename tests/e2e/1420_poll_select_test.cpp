// poll, ppoll, select and pselect6: readiness of pipes, files and devices, timeouts on the
// virtual clock, the counts and sets Linux returns, signal masks and EINTR, compared with
// native runs of the same binaries; and the shells whose `read` waits with them.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char kBusybox[] = "/bin/busybox";
const char kBash[] = "/bin/bash";

struct PollCase {
  const char* libc;
  const char* mode;
};

class PollSelect : public ::testing::TestWithParam<PollCase> {};

TEST_P(PollSelect, BehavesAsOnLinux) {
  const PollCase& c = GetParam();
  expect_same_as_native({guest(std::string("poll_select-") + c.libc), c.mode});
}

INSTANTIATE_TEST_SUITE_P(Modes, PollSelect,
                         ::testing::Values(PollCase{"musl", "poll"}, PollCase{"musl", "ppoll"},
                                           PollCase{"musl", "select"}, PollCase{"musl", "pselect"},
                                           PollCase{"glibc", "poll"}, PollCase{"glibc", "ppoll"},
                                           PollCase{"glibc", "select"},
                                           PollCase{"glibc", "pselect"}),
                         [](const ::testing::TestParamInfo<PollCase>& info) {
                           return std::string(info.param.libc) + "_" + info.param.mode;
                         });

TEST(PollSelect, WaitingForeverWithNobodyToWakeItEndsTheRunAsBlocked) {
  // Natively this poll never returns; vmlab sees that no process can ever run again.
  const VmlabRun run = run_vmlab({}, {guest("poll_select-musl"), "forever"});
  EXPECT_EQ(run.result.status, 123);
  EXPECT_EQ(run.result.out, "waiting\n");
  EXPECT_EQ(run.result.err,
            "vmlab: deadlock: every thread waits and nothing can wake one (pid 1 (poll_select-mus) "
            "in poll)\n");
}

// busybox sh's `read` polls its input before each byte.
TEST(ShellRead, BusyboxWhileReadLoop) {
  expect_same_as_native(
      {kBusybox, "sh", "-c", "echo a b | while read x y; do echo \"$y $x\"; done"});
}
TEST(ShellRead, BusyboxReadFromStdin) {
  expect_same_as_native({kBusybox, "sh", "-c",
                         "read a b; echo \"[$b] [$a]\"; read c; echo \"[$c]\"; read d; echo $?"},
                        {}, "hello world\nline2\n");
}
TEST(ShellRead, BusyboxReadWithTimeout) {
  expect_same_as_native({kBusybox, "sh", "-c",
                         "read -t 1 x <<EOF\nhi\nEOF\necho $x; "
                         "(sleep 1; echo late) | { read -t 0.2 y; echo \"rc=$? y=[$y]\"; }"});
}

// bash's `read -t` waits with pselect6 and a signal mask.
TEST(ShellRead, BashReadWithTimeout) {
  expect_same_as_native({kBash, "-c",
                         "read -t 1 x <<< hi; echo $x; "
                         "(sleep 1; echo late) | { read -t 0.2 y; echo \"rc=$? y=[$y]\"; }; "
                         "echo a b | while read p q; do echo \"$q $p\"; done"});
}

}  // namespace
}  // namespace vmlab::testing

// Threads: pthread programs with glibc (static and dynamic) and musl, and a Go program, compared
// with native runs; a thread's fault, exit_group, exec and fork from a thread, process-directed
// signals, the task limit and a deadlock end as on Linux (or with vmlab's clear message).
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

struct ThreadCase {
  const char* flavor;
  const char* mode;
};

class Threads : public ::testing::TestWithParam<ThreadCase> {};

TEST_P(Threads, BehaveAsOnLinux) {
  expect_same_as_native({guest(std::string("threads-") + GetParam().flavor), GetParam().mode});
}

std::vector<ThreadCase> thread_cases() {
  std::vector<ThreadCase> cases;
  for (const char* flavor : {"musl", "glibc", "dynamic"})
    for (const char* mode : {"sync", "exit-group", "main-exit", "signal", "fork", "exec"})
      cases.push_back({flavor, mode});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Libc, Threads, ::testing::ValuesIn(thread_cases()),
                         [](const ::testing::TestParamInfo<ThreadCase>& info) {
                           std::string name =
                               std::string(info.param.flavor) + "_" + info.param.mode;
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

TEST(Threads, AThreadsFaultKillsTheWholeProcess) {
  const std::string program = guest("threads-glibc");
  const CommandResult native = run_command({program, "segv"});
  const VmlabRun run = run_vmlab({}, {program, "segv"});
  EXPECT_EQ(native.status, 139);
  EXPECT_EQ(run.result.status, 139);
  EXPECT_EQ(run.result.out, native.out);
  // The report names the process and the thread that faulted (its ID is the third task's).
  EXPECT_NE(run.result.err.find("vmlab: pid 1 (threads-glibc) thread 3 killed by SIGSEGV"),
            std::string::npos)
      << run.result.err;
  expect_no_frame_leak(run.stats);
}

TEST(Threads, ThreadsCountAgainstMaxProcsAndTheNextOneIsEagain) {
  // Like RLIMIT_NPROC: ten tasks, the main thread and nine others.
  const VmlabRun run = run_vmlab({"--max-procs", "10"}, {guest("threads-musl"), "bomb"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, "created 9 threads, then: Resource temporarily unavailable\n");
  expect_no_frame_leak(run.stats);
}

TEST(Threads, ADeadlockEndsTheRunWithItsOwnStatusAndNamesTheWaiters) {
  const VmlabRun run = run_vmlab({}, {guest("threads-glibc"), "deadlock"});
  EXPECT_EQ(run.result.status, 123);
  EXPECT_EQ(run.result.out, "both hold one lock\n");
  EXPECT_EQ(run.result.err,
            "vmlab: deadlock: every thread waits and nothing can wake one (pid 1 (threads-glibc) "
            "in futex, pid 1 (threads-glibc) thread 2 in futex)\n");
}

TEST(GoProgram, GoroutinesChannelsAndAWaitGroup) {
  expect_same_as_native({guest("go_workers")});
}

}  // namespace
}  // namespace vmlab::testing

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
    for (const char* mode : {"sync", "exit-group", "main-exit", "signal", "fork", "exec", "proc"})
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

// ---- several CPUs ----

TEST(Cpus, ThreadsOnFourCpusGiveTheNativeOutput) {
  expect_same_as_native({guest("threads-glibc"), "sync"}, {"--cpus", "4"});
  expect_same_as_native({guest("threads-musl"), "signal"}, {"--cpus", "4"});
  expect_same_as_native({guest("go_workers")}, {"--cpus", "4"});
}

TEST(Cpus, TheSameCommandGivesTheSameStatisticsTwice) {
  for (const std::vector<std::string>& argv :
       {std::vector<std::string>{guest("threads-glibc"), "sync"},
        std::vector<std::string>{guest("go_workers")}}) {
    std::string stats[2], out[2];
    for (int i = 0; i < 2; ++i) {
      const std::string file = temp_dir() + "/cpus4-" + std::to_string(i) + ".json";
      std::vector<std::string> cmd = {vmlab_binary(), "run", "--cpus", "4",
                                      "--stats-json", file,  "--"};
      cmd.insert(cmd.end(), argv.begin(), argv.end());
      const CommandResult r = run_command(cmd);
      ASSERT_EQ(r.status, 0) << r.err;
      out[i] = r.out;
      stats[i] = read_file(file);
    }
    EXPECT_EQ(out[0], out[1]) << argv[0];
    EXPECT_EQ(stats[0], stats[1]) << argv[0];
  }
}

TEST(Cpus, TheGuestSeesAsManyCpusAsTheMachineHas) {
  for (const char* n : {"1", "4"}) {
    const VmlabRun run = run_vmlab({"--cpus", n}, {"/usr/bin/nproc"});
    EXPECT_EQ(run.result.out, std::string(n) + "\n") << run.result.err;
  }
}

TEST(Cpus, ShootdownIpisGrowWithTheCpusAndCostModelledTime) {
  const std::vector<std::string> argv = {guest("shootdown-glibc"), "8", "10", "16", "mprotect"};
  uint64_t previous = 0;
  std::string output;
  for (const char* n : {"1", "2", "4", "8"}) {
    const VmlabRun run = run_vmlab({"--cpus", n}, argv);
    ASSERT_EQ(run.result.status, 0) << run.result.err;
    if (output.empty()) output = run.result.out;
    EXPECT_EQ(run.result.out, output) << "the result does not depend on the CPUs";
    const uint64_t ipis = run.stats["tlb_shootdowns"]["ipis"].u64();
    EXPECT_EQ(run.stats["cycles"]["tlb_shootdowns"].u64(), ipis * 2000) << n;
    EXPECT_EQ(run.stats["cpus"].array().size(), std::stoul(n));
    if (std::string(n) == "1") {
      EXPECT_EQ(ipis, 0u);
    } else {
      // At least one IPI to every other CPU for each of the ten mprotects.
      EXPECT_GE(ipis, 10 * (std::stoul(n) - 1)) << n;
      EXPECT_GT(ipis, previous) << n;
    }
    previous = ipis;
  }
}

TEST(Cpus, AbsurdCountsAreOneClearError) {
  for (const char* n : {"0", "65", "four"}) {
    const CommandResult r = run_command({vmlab_binary(), "run", "--cpus", n, "--", "/bin/true"});
    EXPECT_EQ(r.status, 125) << n;
    EXPECT_NE(r.err.find("--cpus: expected"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace vmlab::testing

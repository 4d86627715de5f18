// Running out of RAM: data stays intact under every policy, Belady's anomaly appears on a real
// guest, limits hold, the OOM killer picks the largest process, and nothing leaks.
#include <sys/stat.h>

#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char* const kPolicies[] = {"fifo", "clock", "nru", "lru", "random", "two-list"};
constexpr char kBeladyRange[] = "0x10000000-0x10005000";

void expect_swap_consistent(const Json& stats) {
  expect_no_frame_leak(stats);
  if (stats.has("swap")) {
    EXPECT_EQ(stats["swap"]["used_at_exit"].u64(), 0u) << "swap slots leaked";
  }
}

uint64_t belady_faults(const std::string& policy, int frames,
                       const std::vector<std::string>& extra = {}) {
  std::vector<std::string> options = {
      "--ram",         "4M",
      "--swap",        "1M",
      "--policy",      policy,
      "--limit-range", std::string(kBeladyRange) + "=" + std::to_string(frames)};
  options.insert(options.end(), extra.begin(), extra.end());
  const VmlabRun run = run_vmlab(options, {guest("belady-rt")});
  EXPECT_EQ(run.result.out, "belady: 12 references\n") << run.result.err;
  expect_swap_consistent(run.stats);
  return run.stats["reclaim"]["range_faults"].u64();
}

TEST(Belady, FifoFaultsMoreWithMoreFrames) {
  // The reference string 1 2 3 4 1 2 5 1 2 3 4 5 (Belady, Nelson, Shedler 1969).
  EXPECT_EQ(belady_faults("fifo", 3), 9u);
  EXPECT_EQ(belady_faults("fifo", 4), 10u);
}

TEST(Belady, LruIsAStackAlgorithm) {
  EXPECT_EQ(belady_faults("lru", 3), 10u);
  EXPECT_EQ(belady_faults("lru", 4), 8u);
}

TEST(Belady, OptIsTheLowerBound) {
  const std::string refs = temp_dir() + "/belady.refs";
  const VmlabRun record = run_vmlab({"--record-refs", refs, "--ram", "4M"}, {guest("belady-rt")});
  ASSERT_EQ(record.result.status, 0) << record.result.err;
  EXPECT_EQ(belady_faults("opt", 3, {"--refs", refs}), 7u);
  EXPECT_EQ(belady_faults("opt", 4, {"--refs", refs}), 6u);
}

TEST(Belady, OptRefusesADifferentRun) {
  const std::string refs = temp_dir() + "/other.refs";
  run_vmlab({"--record-refs", refs}, {guest("belady-rt"), "1", "2", "3"});
  const VmlabRun run = run_vmlab({"--policy", "opt", "--refs", refs, "--ram", "4M", "--swap", "1M",
                                  "--limit-range", std::string(kBeladyRange) + "=2"},
                                 {guest("belady-rt")});
  EXPECT_EQ(run.result.status, 125);
  EXPECT_NE(run.result.err.find("OPT: this run's page references differ from the recorded ones"),
            std::string::npos)
      << run.result.err;
}

// The same output with RAM a fraction of the working set, for every policy.
class UnderPressure : public ::testing::TestWithParam<const char*> {
 protected:
  void expect_same(const std::string& ram, const std::vector<std::string>& argv) {
    const CommandResult native = run_command(argv);
    const VmlabRun run = run_vmlab({"--ram", ram, "--swap", "16M", "--policy", GetParam()}, argv);
    EXPECT_EQ(run.result.status, 0) << run.result.err;
    EXPECT_EQ(run.result.out, native.out);
    EXPECT_GT(run.stats["reclaim"]["evictions"].u64(), 0u)
        << "no pressure: the test proves nothing";
    expect_swap_consistent(run.stats);
  }
};

TEST_P(UnderPressure, RandomAccess) {
  // 1024 data pages in 1 MiB of RAM (256 frames).
  expect_same("1M", {guest("random_access-musl"), "4", "20000", "3"});
}
TEST_P(UnderPressure, Matmul) {
  expect_same("256K", {guest("matmul-musl"), "150"});
}
TEST_P(UnderPressure, ForkDemo) {
  expect_same("1M", {guest("fork_demo-musl"), "1000", "100", "50"});
}
TEST_P(UnderPressure, BusyboxSha256sum) {
  // busybox's own pages are what gets evicted (its text is re-read from the page cache).
  const std::string file = temp_dir() + "/pressure-input";
  std::ofstream out(file, std::ios::binary);
  for (uint32_t i = 0; i < 300000 / 4; ++i)
    out.write(reinterpret_cast<const char*>(&i), sizeof i);
  out.close();
  expect_same("256K", {"/bin/busybox", "sha256sum", file});
}

INSTANTIATE_TEST_SUITE_P(Policies, UnderPressure, ::testing::ValuesIn(kPolicies),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(Swap, CleanPagesWithASwapCopyAreNotWrittenAgain) {
  // Written once, then only read for two more rounds in too little RAM: every page is written
  // to swap once; later evictions drop the clean copy.
  const VmlabRun run =
      run_vmlab({"--ram", "1M", "--swap", "8M"}, {guest("page_toucher-rt"), "600", "1", "wr", "3"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const Json& r = run.stats["reclaim"];
  EXPECT_LE(r["swap_outs"].u64(), 600u + 5);
  EXPECT_GT(r["evict_clean"].u64(), 600u);
  EXPECT_EQ(run.stats["swap"]["pages_written"].u64(), r["swap_outs"].u64());
  EXPECT_GT(r["swap_ins"].u64(), 1000u);
  expect_swap_consistent(run.stats);
}

TEST(Swap, SwapFileErrorsAreReported) {
  const VmlabRun run =
      run_vmlab({"--swap", "1M", "--swap-file", "/no/such/dir/swap"}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 125);
  EXPECT_EQ(run.result.err,
            "vmlab: cannot open swap file '/no/such/dir/swap': No such file or directory\n");
}

TEST(Swap, NamedSwapFileHoldsThePages) {
  const std::string file = temp_dir() + "/swapfile";
  const VmlabRun run = run_vmlab({"--ram", "1M", "--swap", "4M", "--swap-file", file},
                                 {guest("page_toucher-rt"), "500"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_size, 4 << 20);
  EXPECT_GT(run.stats["swap"]["pages_written"].u64(), 0u);
}

TEST(Oom, TheLargestProcessIsKilledAndTheOthersFinish) {
  for (const char* swap : {"0", "8M"}) {
    const VmlabRun run = run_vmlab({"--ram", "16M", "--swap", swap, "--quantum", "10000"},
                                   {guest("oom_demo-musl"), "64", "2000"});
    EXPECT_EQ(run.result.status, 0) << run.result.err;
    EXPECT_EQ(run.result.out,
              "worker: checksum 250008\nworker: exited 0\nhog: killed by signal 9\n");
    EXPECT_EQ(run.result.err.rfind("vmlab: Out of memory: Killed process 2 (oom_demo-musl)", 0), 0u)
        << run.result.err;
    EXPECT_EQ(run.stats["reclaim"]["oom_kills"].u64(), 1u);
    expect_swap_consistent(run.stats);
  }
}

TEST(Limits, AProcessNeverHoldsMoreThanItsLimit) {
  const VmlabRun run = run_vmlab({"--mem-limit", "64", "--swap", "4M"},
                                 {guest("page_toucher-rt"), "300", "1", "rw", "2"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_LE(run.stats["processes"][0]["peak_resident_pages"].u64(), 64u);
  EXPECT_GT(run.stats["reclaim"]["limit_reclaims"].u64(), 0u);
  expect_swap_consistent(run.stats);
}

TEST(Limits, ALimitWithNothingToEvictKillsTheProcess) {
  const VmlabRun run = run_vmlab({"--mem-limit", "16"}, {guest("page_toucher-rt"), "100"});
  EXPECT_EQ(run.result.status, 137);
  EXPECT_EQ(run.result.err, "vmlab: Memory limit exceeded: Killed process 1 (page_toucher-rt)\n");
}

}  // namespace
}  // namespace vmlab::testing

namespace vmlab::testing {
namespace {

TEST(HugePages, FewerTlbMissesOnASequentialScan) {
  const std::vector<std::string> argv = {guest("stream-musl"), "16", "2"};
  const VmlabRun small = run_vmlab({"--thp", "never"}, argv);
  const VmlabRun huge = run_vmlab({"--thp", "always"}, argv);
  ASSERT_EQ(huge.result.out, small.result.out);
  EXPECT_EQ(small.stats["huge_pages"]["mapped"].u64(), 0u);
  // 16 MiB from malloc holds at least six aligned 2 MiB regions.
  EXPECT_GE(huge.stats["huge_pages"]["mapped"].u64(), 6u);
  EXPECT_LT(huge.stats["tlb"]["l1d"]["misses"].u64() * 4,
            small.stats["tlb"]["l1d"]["misses"].u64());
  EXPECT_LT(huge.stats["walks"].u64() * 4, small.stats["walks"].u64());
  EXPECT_LT(huge.stats["faults"]["minor"].u64() * 4, small.stats["faults"]["minor"].u64());
  expect_no_frame_leak(huge.stats);
}

TEST(HugePages, ForkSplitsThemAndKeepsProcessesApart) {
  const std::vector<std::string> argv = {guest("fork_demo-musl"), "2000", "300", "100"};
  const CommandResult native = run_command(argv);
  const VmlabRun run = run_vmlab({"--thp", "always"}, argv);
  EXPECT_EQ(run.result.out, native.out);
  EXPECT_GE(run.stats["huge_pages"]["mapped"].u64(), 1u);
  EXPECT_EQ(run.stats["huge_pages"]["splits"].u64(), run.stats["huge_pages"]["mapped"].u64());
  expect_no_frame_leak(run.stats);
}

TEST(HugePages, SplitBeforeSwapOut) {
  const std::vector<std::string> argv = {guest("random_access-musl"), "16", "50000", "3"};
  const CommandResult native = run_command(argv);
  const VmlabRun run = run_vmlab({"--thp", "always", "--ram", "8M", "--swap", "32M"}, argv);
  EXPECT_EQ(run.result.out, native.out);
  EXPECT_GE(run.stats["huge_pages"]["splits"].u64(), 1u);
  EXPECT_GT(run.stats["reclaim"]["swap_outs"].u64(), 0u);
  expect_swap_consistent(run.stats);
}

TEST(Buddy, BuddyinfoListsFreeBlocksPerOrder) {
  const VmlabRun run = run_vmlab({}, {guest("hello_rt-rt")});
  const Json& info = run.stats["buddyinfo"];
  ASSERT_EQ(info.size(), 11u);  // orders 0..10
  uint64_t free_frames = 0;
  for (size_t order = 0; order < info.size(); ++order)
    free_frames += info[order].u64() << order;
  EXPECT_EQ(free_frames, run.stats["frames"]["free_at_exit"].u64());
}

}  // namespace
}  // namespace vmlab::testing

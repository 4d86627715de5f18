// Hostile guests: random system calls with wild pointers, memory floods, fork bombs, programs
// that never end, code that rewrites itself, memory too scattered for the host. Each ends the
// way Linux would end it, with one clear report, and leaves no frame or swap slot behind.
#include <algorithm>
#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

std::string hostile() {
  return guest("hostile-musl");
}

void expect_clean_machine(const Json& stats) {
  expect_no_frame_leak(stats);
  if (stats.has("swap")) {
    EXPECT_EQ(stats["swap"]["used_at_exit"].u64(), 0u) << "swap slots leaked";
  }
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

// ---- every system call with random arguments ----

class SyscallFuzz : public ::testing::TestWithParam<int> {};

TEST_P(SyscallFuzz, EveryCallEndsLikeLinux) {
  const std::string seed = std::to_string(GetParam());
  const VmlabRun run = run_vmlab({"--max-insns", "500000000"}, {hostile(), "syscalls", seed, "40"});
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  const auto out = lines_of(run.result.out);
  ASSERT_EQ(out.size(), 41u) << run.result.out;
  EXPECT_TRUE(starts_with(out.back(), "40 batches: ")) << out.back();
  // The only reports: calls vmlab does not implement, and children killed by their own calls.
  for (const std::string& line : lines_of(run.result.err))
    EXPECT_TRUE(starts_with(line, "vmlab: unsupported system call ") ||
                starts_with(line, "vmlab: pid "))
        << line;
  expect_clean_machine(run.stats);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SyscallFuzz, ::testing::Values(1, 2, 3, 4));

TEST(SyscallFuzz, IsDeterministic) {
  const std::vector<std::string> argv = {hostile(), "syscalls", "7", "20"};
  const VmlabRun first = run_vmlab({}, argv);
  const VmlabRun second = run_vmlab({}, argv);
  EXPECT_EQ(first.result.status, second.result.status);
  EXPECT_EQ(first.result.out, second.result.out);
  EXPECT_EQ(first.result.err, second.result.err);
  EXPECT_EQ(first.stats["instructions"].u64(), second.stats["instructions"].u64());
  EXPECT_EQ(first.stats["faults"]["minor"].u64(), second.stats["faults"]["minor"].u64());
}

// ---- memory ----

class MmapFlood : public ::testing::TestWithParam<const char*> {};

TEST_P(MmapFlood, EndsInTheOomKiller) {
  // Linux overcommits: the maps succeed and touching them runs out of RAM (and swap).
  const VmlabRun run = run_vmlab({"--ram", "16M", "--swap", GetParam()}, {hostile(), "mmap-flood"});
  EXPECT_EQ(run.result.status, 137) << run.result.err;
  const auto err = lines_of(run.result.err);
  ASSERT_EQ(err.size(), 1u) << run.result.err;
  EXPECT_TRUE(starts_with(err[0], "vmlab: Out of memory: Killed process 1 (hostile-musl)"))
      << err[0];
  expect_clean_machine(run.stats);
}

INSTANTIATE_TEST_SUITE_P(Swap, MmapFlood, ::testing::Values("0", "8M"));

TEST(FullSwapDevice, StopsSwappingWithOneReportThenTheOomKillerActs) {
  // /dev/full takes the place of a swap partition on a full disk: every write fails.
  const VmlabRun run = run_vmlab({"--ram", "4M", "--swap", "8M", "--swap-file", "/dev/full"},
                                 {guest("page_toucher-rt"), "2000"});
  EXPECT_EQ(run.result.status, 137);
  EXPECT_EQ(run.result.err,
            "vmlab: swap: writing slot 0 of '/dev/full' failed: No space left on device; no more "
            "pages will be swapped out\n"
            "vmlab: Out of memory: Killed process 1 (page_toucher-rt) anon-rss:4044kB, swap:0kB\n");
  expect_clean_machine(run.stats);
}

int64_t host_max_map_count() {
  std::ifstream in("/proc/sys/vm/max_map_count");
  int64_t n = 0;
  in >> n;
  return n;
}

// Guest memory is one host block at guest physical address 0: no host mapping per guest page,
// so the host's vm.max_map_count (which capped a run at ~28,700 scattered pages when every page
// was a host alias) no longer limits how scattered a guest's memory may be.
TEST(ScatteredMemory, IsNotLimitedByTheHostsMappingCount) {
  const std::string pages = std::to_string(host_max_map_count() + 2000);
  const VmlabRun run = run_vmlab({"--ram", "1G"}, {hostile(), "scatter", pages});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, "scatter: " + pages + " pages, child status 256\n");
  expect_clean_machine(run.stats);
}

// ---- CPU semantics at CPL 3 ----

// Instructions user mode may not run end the program the way Linux ends it: #GP, SIGSEGV.
class Privileged : public ::testing::TestWithParam<const char*> {};

TEST_P(Privileged, InstructionEndsTheProgramLikeOnLinux) {
  const std::vector<std::string> argv = {hostile(), "privileged", GetParam()};
  const CommandResult native = run_command(argv);
  ASSERT_EQ(native.status, 139) << "natively: " << native.out << native.err;
  const VmlabRun run = run_vmlab({}, argv);
  EXPECT_EQ(run.result.status, 139) << run.result.out << run.result.err;
  EXPECT_EQ(run.result.out, "");
  EXPECT_NE(run.result.err.find("killed by SIGSEGV"), std::string::npos) << run.result.err;
  expect_clean_machine(run.stats);
}

INSTANTIATE_TEST_SUITE_P(AtCpl3, Privileged,
                         ::testing::Values("in", "out", "ins", "outs", "cli", "sti", "hlt",
                                           "mov-cr", "mov-dr", "lgdt", "lidt", "rdmsr", "wrmsr",
                                           "invlpg"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

// ---- processes and time ----

TEST(ForkBomb, EndsAtTheLimits) {
  const VmlabRun run =
      run_vmlab({"--max-procs", "16", "--max-insns", "500000"}, {hostile(), "fork-bomb"});
  EXPECT_EQ(run.result.status, 124) << run.result.err;
  EXPECT_EQ(run.result.err, "vmlab: stopped after 500000 instructions (--max-insns)\n");
  EXPECT_GT(run.stats["processes"].size(), 16u);
  expect_clean_machine(run.stats);
}

TEST(NeverExits, StopsExactlyAtTheInstructionLimit) {
  const VmlabRun run = run_vmlab({"--max-insns", "1000000"}, {hostile(), "spin"});
  EXPECT_EQ(run.result.status, 124);
  EXPECT_EQ(run.stats["instructions"].u64(), 1000000u);
  expect_clean_machine(run.stats);
}

// ---- code that changes ----

TEST(ChangingCode, SelfModifyingCodeRunsTheNewInstructions) {
  const VmlabRun run = run_vmlab({}, {hostile(), "smc"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, run_command({hostile(), "smc"}).out);
  EXPECT_EQ(run.result.out, "smc: 1 then 2\n");
}

TEST(ChangingCode, JitThroughMprotectRunsTheNewInstructions) {
  const VmlabRun run = run_vmlab({}, {hostile(), "jit"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, run_command({hostile(), "jit"}).out);
  EXPECT_EQ(run.result.out, "jit: 10 11 12\n");
}

// The kernel writes the code (read() into an RWX page): the translations of the old code in
// that frame must go, as QEMU only notices the guest's own stores.
TEST(ChangingCode, CodeTheKernelWritesRunsTheNewInstructions) {
  const VmlabRun run = run_vmlab({}, {hostile(), "jit-read"});
  EXPECT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, run_command({hostile(), "jit-read"}).out);
  EXPECT_EQ(run.result.out, "jit-read: 20 21 22\n");
}

}  // namespace
}  // namespace vmlab::testing

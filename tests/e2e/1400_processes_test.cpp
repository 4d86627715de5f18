// Several processes: copy-on-write fork counted exactly, busybox sh pipelines byte-identical to
// native runs, signals delivered to user handlers, PCIDs keeping TLB entries across switches,
// and --max-procs ending a fork storm cleanly.
#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

const char kBusybox[] = "/bin/busybox";

const Json* process_with_pid(const Json& stats, int pid) {
  for (const Json& p : stats["processes"].array())
    if (p["pid"].i64() == pid) return &p;
  return nullptr;
}

// ---- fork with copy-on-write ----

class ForkDemo : public ::testing::TestWithParam<const char*> {};

TEST_P(ForkDemo, CopiesExactlyTheWrittenPages) {
  // The parent fills 1,000 pages and forks; the child writes 100, the parent 50 others. A run
  // that writes none measures the faults the C library itself causes (its own stack and
  // data); the difference is the demo's, and every one of them must copy.
  const std::string program = guest(std::string("fork_demo-") + GetParam());
  const VmlabRun writes = expect_same_as_native({program, "1000", "100", "50"});
  const VmlabRun none = expect_same_as_native({program, "1000", "0", "0"});
  const Json& w = writes.stats["faults"];
  const Json& n = none.stats["faults"];
  EXPECT_EQ(w["cow"].u64() - n["cow"].u64(), 150u);
  EXPECT_EQ(w["cow_copies"].u64() - n["cow_copies"].u64(), 150u);
  EXPECT_EQ(w["cow_reuses"].u64(), n["cow_reuses"].u64());

  const Json* parent_w = process_with_pid(writes.stats, 1);
  const Json* child_w = process_with_pid(writes.stats, 2);
  const Json* parent_n = process_with_pid(none.stats, 1);
  const Json* child_n = process_with_pid(none.stats, 2);
  ASSERT_TRUE(parent_w && child_w && parent_n && child_n);
  EXPECT_EQ((*child_w)["cow_faults"].u64() - (*child_n)["cow_faults"].u64(), 100u);
  EXPECT_EQ((*parent_w)["cow_faults"].u64() - (*parent_n)["cow_faults"].u64(), 50u);
  // Both processes had the whole region resident (shared frames count for each).
  EXPECT_GE((*parent_w)["peak_resident_pages"].u64(), 1000u);
  EXPECT_GE((*child_w)["peak_resident_pages"].u64(), 1000u);
}

INSTANTIATE_TEST_SUITE_P(Libc, ForkDemo, ::testing::Values("musl", "glibc"));

// ---- busybox sh ----

TEST(BusyboxShell, PipeThroughCat) {
  expect_same_as_native({kBusybox, "sh", "-c", "echo a | cat"});
}
TEST(BusyboxShell, LoopIntoSort) {
  expect_same_as_native({kBusybox, "sh", "-c", "for i in 3 1 2; do echo $i; done | sort"});
}
TEST(BusyboxShell, LsIntoWc) {
  expect_same_as_native({kBusybox, "sh", "-c", "ls / | wc -l"});
}
TEST(BusyboxShell, SubshellAndCommandSubstitution) {
  const char* script =
      "x=$(echo hello | tr a-z A-Z); echo \"got $x\"\n"
      "(cd /; echo \"in $(pwd)\"; exit 3); echo \"subshell said $?\"\n"
      "n=0; for f in $(ls / | head -3); do n=$((n+1)); done; echo \"$n entries\"\n"
      "echo $(echo $(echo nested)) | sed s/nested/deep/\n";
  expect_same_as_native({kBusybox, "sh", "-c", script});
}
TEST(BusyboxShell, ExecInAForkedChild) {
  // The exec'd image must be the one the model translates for (CR3 reloaded after execve).
  expect_same_as_native({kBusybox, "sh", "-c", "/bin/busybox echo exec; busybox true && echo ok"});
}
TEST(BusyboxShell, ExitStatusOfAPipelineAndAKilledChild) {
  expect_same_as_native(
      {kBusybox, "sh", "-c", "false | true; echo $?; sh -c 'kill -9 $$'; echo $?"});
}

// ---- signals ----

struct SignalCase {
  const char* libc;
  const char* mode;
};

class Signals : public ::testing::TestWithParam<SignalCase> {};

TEST_P(Signals, BehaveAsOnLinux) {
  const SignalCase& c = GetParam();
  expect_same_as_native({guest(std::string("signals-") + c.libc), c.mode});
}

INSTANTIATE_TEST_SUITE_P(Modes, Signals,
                         ::testing::Values(SignalCase{"musl", "segv"}, SignalCase{"musl", "chld"},
                                           SignalCase{"musl", "kill"}, SignalCase{"musl", "mask"},
                                           SignalCase{"glibc", "segv"}, SignalCase{"glibc", "chld"},
                                           SignalCase{"glibc", "kill"},
                                           SignalCase{"glibc", "mask"}),
                         [](const ::testing::TestParamInfo<SignalCase>& info) {
                           return std::string(info.param.libc) + "_" + info.param.mode;
                         });

// ---- PCIDs ----

TEST(Pcid, KeepsTranslationsAcrossContextSwitches) {
  const std::vector<std::string> argv = {guest("pingpong-musl"), "200", "16"};
  const VmlabRun on = expect_same_as_native(argv, {"--pcid", "on"});
  const VmlabRun off = expect_same_as_native(argv, {"--pcid", "off"});
  // The same program, the same switches: one pass each way per round.
  EXPECT_EQ(on.stats["context_switches"].u64(), off.stats["context_switches"].u64());
  EXPECT_GE(on.stats["context_switches"].u64(), 400u);
  // Without PCIDs every switch flushes; with them none does, and the misses almost vanish.
  EXPECT_EQ(on.stats["mmu"]["tlb.cr3_flushes"].u64(), 0u);
  EXPECT_GE(off.stats["mmu"]["tlb.cr3_flushes"].u64(), 400u);
  const uint64_t misses_on = on.stats["tlb"]["l1d"]["misses"].u64();
  const uint64_t misses_off = off.stats["tlb"]["l1d"]["misses"].u64();
  EXPECT_LT(misses_on * 10, misses_off) << misses_on << " vs " << misses_off;
  EXPECT_LT(on.stats["walks"].u64() * 10, off.stats["walks"].u64());
}

// Fork write-protects every written private page of the parent. Like Linux's mmu_gather, the
// kernel invalidates them one INVLPG at a time up to 33 pages (tlb_single_page_flush_ceiling)
// and with one flush of the whole context beyond.
TEST(Pcid, ForkInvalidatesPageByPageUpToTheCeilingThenTheWholeContext) {
  const VmlabRun few = expect_same_as_native({guest("fork_demo-musl"), "20", "0", "0"}, {});
  const VmlabRun many = expect_same_as_native({guest("fork_demo-musl"), "200", "0", "0"}, {});
  const Json& f = few.stats["mmu"];
  const Json& m = many.stats["mmu"];
  EXPECT_GE(f["tlb.invlpg"].u64(), 20u);
  EXPECT_LT(m["tlb.invlpg"].u64(), 20u) << "200 pages were invalidated one by one";
  EXPECT_EQ(m["tlb.invpcid"].u64(), f["tlb.invpcid"].u64() + 1) << "one single-context flush";
  EXPECT_GE(m["tlb.entries_invalidated"].u64(), 200u);
}

// ---- limits ----

TEST(MaxProcs, ForkFailsWithEagainBeyondTheLimit) {
  const VmlabRun run =
      run_vmlab({"--max-procs", "4"},
                {kBusybox, "sh", "-c", "for i in 1 2 3 4 5 6; do sleep 0 & done; wait; echo done"});
  EXPECT_EQ(run.result.status, 2);
  EXPECT_EQ(run.result.err, "sh: can't fork: Resource temporarily unavailable\n");
  expect_no_frame_leak(run.stats);
}

}  // namespace
}  // namespace vmlab::testing

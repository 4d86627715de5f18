// What a run costs the host. Guest RAM is one lazily backed host block mapped at guest physical
// address 0, so vmlab's resident memory follows the guest memory actually touched, however
// large the machine and however scattered the pages, with no host mapping per guest page.
#include <gtest/gtest.h>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kKib = 1024;
constexpr uint64_t kMib = 1024 * kKib;
constexpr uint64_t kPageBytes = 4096;
// vmlab itself (Unicorn, translated code, metadata of the touched frames) on top of the guest.
constexpr uint64_t kOverheadBytes = 64 * kMib;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;  // ASan's shadow memory makes resident sizes meaningless
#else
constexpr bool kSanitized = false;
#endif

class RandomGibibyte : public ::testing::TestWithParam<const char*> {};

// 1 GiB touched in random page order: 262,144 scattered resident pages (every one a host
// mapping under Unicorn 2.0.1, where the host's vm.max_map_count stopped the run at ~28,700).
TEST_P(RandomGibibyte, CostsTheHostWhatTheGuestTouches) {
  if (kSanitized) GTEST_SKIP() << "resident sizes are not meaningful under AddressSanitizer";
  const std::vector<std::string> argv = {guest("random_pages-musl"), "1024"};
  const CommandResult native = run_command(argv);
  const VmlabRun run = run_vmlab({"--ram", "2G", "--model", GetParam()}, argv, "", Check::kOff);
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, native.out);
  // Touched guest memory: every resident page of the process plus its page tables (one
  // 4 KiB table per 2 MiB of address space).
  const uint64_t resident = run.stats["processes"][0]["peak_resident_pages"].u64() * kPageBytes;
  const uint64_t page_tables = resident / 512;
  EXPECT_GE(resident, 1024 * kMib);
  EXPECT_LT(run.host["peak_rss_kib"].u64() * kKib, resident + page_tables + kOverheadBytes)
      << "vmlab's peak RSS " << run.host["peak_rss_kib"].u64() / kKib << " MiB for "
      << (resident + page_tables) / kMib << " MiB of guest memory";
  expect_no_frame_leak(run.stats);
}

INSTANTIATE_TEST_SUITE_P(Models, RandomGibibyte, ::testing::Values("full", "fast"));

// A machine with 16 GiB of RAM that runs a small program costs the host little: RAM and the
// frame metadata are only backed where they are used.
TEST(HostMemory, ABigMachineRunningBusyboxStaysSmall) {
  if (kSanitized) GTEST_SKIP() << "resident sizes are not meaningful under AddressSanitizer";
  const VmlabRun run = run_vmlab({"--ram", "16G"}, {"/bin/busybox", "echo", "hi"}, "", Check::kOff);
  ASSERT_EQ(run.result.status, 0) << run.result.err;
  EXPECT_EQ(run.result.out, "hi\n");
  EXPECT_LT(run.host["peak_rss_kib"].u64() * kKib, 100 * kMib)
      << "vmlab's peak RSS " << run.host["peak_rss_kib"].u64() / kKib << " MiB";
}

}  // namespace
}  // namespace vmlab::testing

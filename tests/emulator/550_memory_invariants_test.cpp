// The --check memory invariants on a live machine: consistent while a forked pair of processes
// shares pages copy-on-write and swaps, and each kind of corruption is named when injected.
#include <fcntl.h>
#include <gtest/gtest.h>

#include <string>

#include "emulator/machine.h"
#include "os/memory_invariants.h"

namespace vmlab {
namespace {

class MemoryInvariants : public ::testing::Test {
 protected:
  void SetUp() override {
    emulator::MachineConfig config;
    config.ram_bytes = 4ull << 20;
    config.kernel.swap_bytes = 8ull << 20;
    machine_ = std::make_unique<emulator::Machine>(config);
    os::SpawnRequest request;
    // The parent fills 1,500 pages (more than RAM holds: some go to swap) and forks.
    request.argv = {std::string(VMLAB_GUESTS_DIR) + "/fork_demo-musl", "1500", "100", "50"};
    request.stdout_file = kernel().fs().open("/dev/null", "/", O_WRONLY, 0)->file;
    const auto spawned = kernel().spawn(request);
    ASSERT_TRUE(spawned) << spawned.error().message;
  }

  os::Kernel& kernel() { return machine_->kernel(); }

  // Runs until both processes exist and the parent's region is (partly) swapped out.
  void run_until_forked() {
    while (kernel().tasks().all().size() < 2 || kernel().reclaim().swap()->used() == 0)
      ASSERT_EQ(kernel().run(20'000), os::RunEnd::kPaused);
  }

  // A frame some process maps (not the zero page).
  mmu::Pfn mapped_frame() {
    for (uint64_t i = 0; i < kernel().frames().total_frames(); ++i) {
      const mmu::Pfn pfn = kernel().frames().table().pfn_at(i);
      const os::Frame& f = kernel().frames().frame(pfn);
      if (f.use == os::FrameUse::kAnonymous && !f.rmap.empty()) return pfn;
    }
    ADD_FAILURE() << "no mapped anonymous frame";
    return mmu::Pfn{};
  }

  static bool mentions(const std::vector<std::string>& problems, const std::string& text) {
    for (const std::string& p : problems)
      if (p.find(text) != std::string::npos) return true;
    return false;
  }

  std::unique_ptr<emulator::Machine> machine_;
};

TEST_F(MemoryInvariants, HoldThroughForkCopyOnWriteSwapAndExit) {
  run_until_forked();
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
  ASSERT_EQ(kernel().run(), os::RunEnd::kAllExited);
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
  kernel().shutdown();
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
}

// PROT_NONE keeps a page resident with P clear; the entry still maps the frame (found by
// fuzz/fuzz_syscalls: the check counted present entries only).
TEST_F(MemoryInvariants, HoldForProtNonePages) {
  run_until_forked();
  const os::Mapping mapping = kernel().frames().frame(mapped_frame()).rmap.front();
  os::AddressSpace& space = *mapping.space;
  const uint64_t page = mapping.va & ~(mmu::kPageBytes - 1);
  const uint32_t prot = space.find_vma(page)->prot;
  ASSERT_TRUE(space.protect_range(page, page + mmu::kPageBytes, os::prot::kNone));
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
  ASSERT_TRUE(space.protect_range(page, page + mmu::kPageBytes, prot));
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
}

TEST_F(MemoryInvariants, NameAReferenceCountThatDisagreesWithTheReverseMap) {
  run_until_forked();
  os::Frame& f = kernel().frames().frame(mapped_frame());
  ++f.refcount;
  EXPECT_TRUE(mentions(os::check_memory_invariants(kernel()), "references (one per mapping)"));
  --f.refcount;
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
}

TEST_F(MemoryInvariants, NameAReverseMapThatLostAMapping) {
  run_until_forked();
  os::Frame& f = kernel().frames().frame(mapped_frame());
  const os::Mapping lost = f.rmap.back();
  f.rmap.pop_back();
  --f.refcount;
  EXPECT_TRUE(mentions(os::check_memory_invariants(kernel()), "the page tables hold"));
  f.rmap.push_back(lost);
  ++f.refcount;
}

TEST_F(MemoryInvariants, NameALeakedFrame) {
  run_until_forked();
  const auto leaked = kernel().frames().allocate(os::FrameUse::kAnonymous);
  ASSERT_TRUE(leaked);
  EXPECT_TRUE(mentions(os::check_memory_invariants(kernel()), "nothing refers to it (leak)"));
  kernel().frames().put(*leaked);
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
}

TEST_F(MemoryInvariants, NameASwapSlotWithoutAnOwner) {
  run_until_forked();
  os::SwapDevice& swap = *kernel().reclaim().swap();
  const auto slot = swap.allocate();
  ASSERT_TRUE(slot);
  EXPECT_TRUE(mentions(os::check_memory_invariants(kernel()), "(no owner)"));
  swap.release(*slot);
  EXPECT_EQ(os::check_memory_invariants(kernel()), std::vector<std::string>{});
}

}  // namespace
}  // namespace vmlab

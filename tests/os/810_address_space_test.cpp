// Address-space operations on their own (os/address_space.cpp): the VMA tree (find, free
// ranges, splits), mprotect and munmap on VMAs and entries, fork's copy-on-write copy,
// mremap's move and MADV_DONTNEED.
#include <gtest/gtest.h>

#include <stdexcept>

#include "os/pte_encoding.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

using os::FrameUse;
using os::Sharing;
namespace prot = os::prot;
constexpr uint64_t kPage = 4096;
constexpr uint64_t kA = 0x20000000;  // an area's start, far from the spawned program's

class AddressSpaceTest : public ::testing::Test {
 protected:
  os::Vma& area(uint64_t start, uint64_t pages, uint32_t prot_bits,
                Sharing sharing = Sharing::kPrivate) {
    os::Vma v;
    v.start = start;
    v.end = start + pages * kPage;
    v.prot = prot_bits;
    v.sharing = sharing;
    return space->insert_vma(v);
  }
  mmu::Pfn page(os::AddressSpace& s, uint64_t va, bool writable = true) {
    const auto frame = frames.allocate(FrameUse::kAnonymous);
    EXPECT_TRUE(frame && s.map_page(va, *frame, {writable, false}));
    return *frame;
  }
  std::vector<uint64_t> starts() const {
    std::vector<uint64_t> out;
    for (const auto& [start, vma] : space->vmas())
      out.push_back(start);
    return out;
  }

  TestGuest guest;
  os::FrameAllocator& frames = guest.kernel().frames();
  std::unique_ptr<os::AddressSpace> space = guest.kernel().new_address_space();
};

TEST_F(AddressSpaceTest, VmasAreFoundByAddressAndMayNotOverlap) {
  area(kA, 3, prot::kRead);
  EXPECT_EQ(space->find_vma(kA + kPage)->start, kA);
  EXPECT_EQ(space->find_vma(kA + 3 * kPage), nullptr);
  EXPECT_EQ(space->find_vma(kA - 1), nullptr);
  EXPECT_EQ(space->vma_above(kA - 1)->start, kA);
  EXPECT_TRUE(space->range_is_free(kA + 3 * kPage, kA + 4 * kPage));
  EXPECT_FALSE(space->range_is_free(kA + 2 * kPage, kA + 4 * kPage));
  EXPECT_THROW(area(kA + 2 * kPage, 2, prot::kRead), std::logic_error);
}

TEST_F(AddressSpaceTest, FreeRangesAreHandedOutTopDownBelowTheMmapBase) {
  const uint64_t base = os::layout::kMmapBase;
  EXPECT_EQ(space->find_free_range(2 * kPage), base - 2 * kPage);
  area(base - 2 * kPage, 2, prot::kRead);
  EXPECT_EQ(space->find_free_range(kPage), base - 3 * kPage);
}

TEST_F(AddressSpaceTest, ProtectingTheMiddleSplitsTheAreaInThree) {
  os::Vma& v = area(kA, 3, prot::kRead | prot::kWrite);
  v.kind = os::VmaKind::kFile;
  v.file_offset = 0x10000;
  v.file_bytes = 3 * kPage;
  ASSERT_TRUE(space->protect_range(kA + kPage, kA + 2 * kPage, prot::kRead));
  EXPECT_EQ(starts(), (std::vector<uint64_t>{kA, kA + kPage, kA + 2 * kPage}));
  const os::Vma& low = *space->find_vma(kA);
  const os::Vma& mid = *space->find_vma(kA + kPage);
  const os::Vma& high = *space->find_vma(kA + 2 * kPage);
  EXPECT_EQ(low.end, kA + kPage);
  EXPECT_EQ(low.prot, prot::kRead | prot::kWrite);
  EXPECT_EQ(mid.prot, prot::kRead);
  EXPECT_EQ(high.prot, prot::kRead | prot::kWrite);
  // Each piece still reads the file at its own offset.
  EXPECT_EQ(mid.file_offset, 0x11000u);
  EXPECT_EQ(mid.file_bytes, 2 * kPage);
  EXPECT_EQ(high.file_offset, 0x12000u);
  EXPECT_EQ(high.file_bytes, kPage);
}

TEST_F(AddressSpaceTest, ProtectChangesTheRightsOfResidentEntries) {
  area(kA, 2, prot::kRead | prot::kWrite);
  const mmu::Pfn f = page(*space, kA);
  page(*space, kA + kPage);
  ASSERT_TRUE(space->protect_range(kA, kA + 2 * kPage, prot::kRead));
  EXPECT_TRUE(space->read_pte(kA).present());
  EXPECT_FALSE(space->read_pte(kA).writable());
  ASSERT_TRUE(space->protect_range(kA, kA + kPage, prot::kNone));
  const mmu::Pte none = space->read_pte(kA);
  EXPECT_FALSE(none.present());
  EXPECT_EQ(os::non_present_kind(none), os::NonPresentKind::kProtNone);
  EXPECT_EQ(os::restore_prot_none(none).pfn(), f);
  EXPECT_EQ(space->stats().resident, 2u);  // PROT_NONE keeps the page
  // Back to writable: the page is nobody else's, so the entry may be written at once.
  ASSERT_TRUE(space->protect_range(kA, kA + kPage, prot::kRead | prot::kWrite));
  EXPECT_TRUE(space->read_pte(kA).writable());
  EXPECT_EQ(space->read_pte(kA).pfn(), f);
}

TEST_F(AddressSpaceTest, ProtectOverAHoleFailsAndChangesNothing) {
  area(kA, 1, prot::kRead | prot::kWrite);
  area(kA + 2 * kPage, 1, prot::kRead | prot::kWrite);
  EXPECT_FALSE(space->protect_range(kA, kA + 3 * kPage, prot::kRead));
  EXPECT_EQ(space->find_vma(kA)->prot, prot::kRead | prot::kWrite);
  EXPECT_EQ(starts(), (std::vector<uint64_t>{kA, kA + 2 * kPage}));
}

TEST_F(AddressSpaceTest, UnmappingTheMiddleLeavesTwoAreasAndFreesItsPage) {
  area(kA, 3, prot::kRead | prot::kWrite);
  for (uint64_t i = 0; i < 3; ++i)
    page(*space, kA + i * kPage);
  const uint64_t free_before = frames.free_frames();
  space->unmap_range(kA + kPage, kA + 2 * kPage);
  EXPECT_EQ(starts(), (std::vector<uint64_t>{kA, kA + 2 * kPage}));
  EXPECT_EQ(space->read_pte(kA + kPage).raw(), 0u);
  EXPECT_EQ(frames.free_frames(), free_before + 1);
  EXPECT_EQ(space->stats().resident, 2u);
}

TEST_F(AddressSpaceTest, ForkSharesPrivatePagesCopyOnWriteAndSharedOnesWritable) {
  area(kA, 3, prot::kRead | prot::kWrite);
  area(kA + 4 * kPage, 1, prot::kRead | prot::kWrite, Sharing::kShared);
  const mmu::Pfn priv = page(*space, kA);
  const mmu::Pfn shared = page(*space, kA + 4 * kPage);
  page(*space, kA + 2 * kPage);
  space->set_swap_entry(kA + 2 * kPage, 5);  // as if swapped out to slot 5
  auto child = guest.kernel().new_address_space();
  std::vector<uint64_t> duplicated;
  space->fork_into(*child, [&](uint64_t slot) { duplicated.push_back(slot); });

  EXPECT_EQ(child->vmas().size(), 2u);
  for (os::AddressSpace* s : {space.get(), child.get()}) {
    EXPECT_EQ(s->read_pte(kA).pfn(), priv);
    EXPECT_FALSE(s->read_pte(kA).writable());
    EXPECT_EQ(s->read_pte(kA + 4 * kPage).pfn(), shared);
    EXPECT_TRUE(s->read_pte(kA + 4 * kPage).writable());
    EXPECT_EQ(os::swap_slot_of(s->read_pte(kA + 2 * kPage)), 5u);
    EXPECT_EQ(s->stats().resident, 2u);
    EXPECT_EQ(s->stats().swapped, 1u);
  }
  EXPECT_EQ(frames.frame(priv).refcount, 2u);
  EXPECT_EQ(frames.frame(priv).rmap.size(), 2u);
  EXPECT_EQ(frames.frame(shared).refcount, 2u);
  EXPECT_EQ(duplicated, std::vector<uint64_t>{5});
}

TEST_F(AddressSpaceTest, AMoveKeepsTheFramesAtTheirNewAddresses) {
  area(kA, 2, prot::kRead | prot::kWrite);
  const mmu::Pfn f = page(*space, kA + kPage);
  const uint64_t to = kA + 16 * kPage;
  ASSERT_TRUE(space->move_range(kA, 2 * kPage, to, 2 * kPage));
  EXPECT_EQ(space->find_vma(kA), nullptr);
  EXPECT_EQ(space->find_vma(to)->end, to + 2 * kPage);
  EXPECT_EQ(space->read_pte(kA + kPage).raw(), 0u);
  EXPECT_EQ(space->read_pte(to + kPage).pfn(), f);
  ASSERT_EQ(frames.frame(f).rmap.size(), 1u);
  EXPECT_EQ(frames.frame(f).rmap[0].va, to + kPage);
}

TEST_F(AddressSpaceTest, DiscardDropsPrivatePagesButKeepsSharedAnonymousOnes) {
  area(kA, 1, prot::kRead | prot::kWrite);
  area(kA + kPage, 1, prot::kRead | prot::kWrite, Sharing::kShared);
  page(*space, kA);
  const mmu::Pfn shared = page(*space, kA + kPage);
  space->discard_range(kA, kA + 2 * kPage);
  EXPECT_EQ(space->read_pte(kA).raw(), 0u);
  EXPECT_EQ(space->read_pte(kA + kPage).pfn(), shared);
  EXPECT_EQ(space->stats().resident, 1u);
}

}  // namespace
}  // namespace vmlab::testing

// Every replacement policy of os/replacement on worked textbook examples. The expected faults
// and victims were worked out by hand from each policy's rule (comments show the frames after
// each fault, oldest first), not taken from a run.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

#include "os/replacement/policies.h"
#include "os/replacement/reference_string.h"
#include "tests/os/policy_simulator.h"

namespace vmlab::testing {
namespace {

using Pages = std::vector<uint64_t>;
// Belady's reference string: FIFO faults more with more frames on it.
const Pages kBelady = {1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5};

Simulation simulate(os::ReplacementPolicy& policy, uint64_t frames,
                    const std::vector<PageReference>& refs) {
  return PolicySimulator(policy, frames).run(refs);
}

Simulation simulate(std::string_view name, uint64_t frames, const Pages& pages) {
  auto policy = os::make_policy(name, {});
  return simulate(*policy, frames, reads(pages));
}

TEST(FifoPolicy, ShowsBeladysAnomaly) {
  // 3 frames: 1 2 3 | 4:[2 3 4] 1:[3 4 1] 2:[4 1 2] 5:[1 2 5] 1 2 hit | 3:[2 5 3] 4:[5 3 4] 5 hit
  const Simulation three = simulate("fifo", 3, kBelady);
  EXPECT_EQ(three.faults, 9u);
  EXPECT_EQ(three.victims, (Pages{1, 2, 3, 4, 1, 2}));
  // 4 frames: 1 2 3 4 | 1 2 hit | 5:[2 3 4 5] 1:[3 4 5 1] 2 3 4 5 each evict the oldest
  const Simulation four = simulate("fifo", 4, kBelady);
  EXPECT_EQ(four.faults, 10u);
  EXPECT_EQ(four.victims, (Pages{1, 2, 3, 4, 5, 1}));
}

TEST(LruPolicy, EvictsTheLeastRecentlyUsedPage) {
  // 3 frames: 4 evicts 1, 1 evicts 2, 2 evicts 3, 5 evicts 4; 1 2 hit; 3 evicts 5 (used
  // before 1 and 2), 4 evicts 1, 5 evicts 2.
  const Simulation three = simulate("lru", 3, kBelady);
  EXPECT_EQ(three.faults, 10u);
  EXPECT_EQ(three.victims, (Pages{1, 2, 3, 4, 5, 1, 2}));
  // 4 frames: 1 2 hit after 1 2 3 4, so 5 evicts 3; 1 2 hit; 3 evicts 4, 4 evicts 5, 5 evicts 1.
  const Simulation four = simulate("lru", 4, kBelady);
  EXPECT_EQ(four.faults, 8u);
  EXPECT_EQ(four.victims, (Pages{3, 4, 5, 1}));
}

class OptPolicy : public ::testing::Test {
 protected:
  // OPT reads the future from a reference string recorded the way --record-refs does.
  std::unique_ptr<os::ReplacementPolicy> opt_for(const Pages& pages) {
    const std::string path = ::testing::TempDir() + "/opt-refs-" +
                             ::testing::UnitTest::GetInstance()->current_test_info()->name();
    {
      os::ReferenceString recorder(path);
      for (uint64_t p : pages)
        recorder.record(PolicySimulator::kPid, p << mmu::kPageShift);
    }
    return os::make_opt(path);
  }
};

TEST_F(OptPolicy, EvictsThePageUsedFarthestAhead) {
  // 3 frames: 4 evicts 3 (next uses: 1 at 5, 2 at 6, 3 at 10); 5 evicts 4 (1 at 8, 2 at 9,
  // 4 at 11); 1 2 hit; 3 and 4 each evict a page never used again; 5 hits: 7 faults.
  auto three = opt_for(kBelady);
  const Simulation s3 = simulate(*three, 3, reads(kBelady));
  EXPECT_EQ(s3.faults, 7u);
  ASSERT_EQ(s3.victims.size(), 4u);
  EXPECT_EQ(s3.victims[0], 3u);
  EXPECT_EQ(s3.victims[1], 4u);
  // 4 frames: 5 evicts 4 (used last, at 11); 1 2 3 hit; 4 evicts a page never used again.
  auto four = opt_for(kBelady);
  const Simulation s4 = simulate(*four, 4, reads(kBelady));
  EXPECT_EQ(s4.faults, 6u);
  ASSERT_EQ(s4.victims.size(), 2u);
  EXPECT_EQ(s4.victims[0], 4u);
}

TEST_F(OptPolicy, ARunThatDiffersFromTheRecordingIsRefused) {
  auto opt = opt_for({1, 2, 3});
  EXPECT_THROW(simulate(*opt, 2, reads({1, 3})), std::runtime_error);
}

// 1 2 3 fill three frames; 4 arrives; 2 is used again; 5 arrives; 2 is used again; 6; 2; 3.
const Pages kSecondChance = {1, 2, 3, 4, 2, 5, 2, 6, 2, 3};

TEST(ClockPolicy, GivesAReferencedPageASecondChance) {
  // 4: every page referenced, the hand clears 1 2 3 and takes 1 on its second pass: [2 3 4].
  // 2 hit (A set). 5: the hand at 2 clears it, takes 3: [2 4 5]. 2 hit. 6: clears 4 5 2, takes
  // 4: [2 5 6]. 2 hit. 3: the hand at 5 (clear) takes it: [2 6 3]. 7 faults.
  const Simulation s = simulate("clock", 3, kSecondChance);
  EXPECT_EQ(s.faults, 7u);
  EXPECT_EQ(s.victims, (Pages{1, 3, 4, 5}));
  // FIFO throws the busy page 2 out twice: 8 faults.
  const Simulation fifo = simulate("fifo", 3, kSecondChance);
  EXPECT_EQ(fifo.faults, 8u);
  EXPECT_EQ(fifo.victims, (Pages{1, 2, 3, 4, 5}));
}

TEST(ClockPolicy, WithEveryPageReferencedItDegeneratesToFifo) {
  EXPECT_EQ(simulate("clock", 3, kBelady).victims, (Pages{1, 2, 3, 4, 1, 2}));
  EXPECT_EQ(simulate("clock", 4, kBelady).faults, 10u);
}

TEST(NruPolicy, PrefersAPageThatIsNeitherReferencedNorDirty) {
  // Writes 1 and 3, reads 2: on 4 every page is referenced; the sweep clears the A bits, then
  // the clean page 2 goes before the older dirty page 1. On 5 (4 just referenced) no clean
  // unreferenced page is left, and the hand takes the dirty, unreferenced 3.
  auto nru = os::make_policy("nru", {});
  const Simulation s =
      simulate(*nru, 3, {{1, true}, {2, false}, {3, true}, {4, false}, {5, false}});
  EXPECT_EQ(s.victims, (Pages{2, 3}));
}

TEST(TwoListPolicy, PromotesAPageUsedAgainWhileInactive) {
  // 4: all three inactive pages are referenced, so all are promoted, then aged back with their
  // A bits cleared, and 1 goes: inactive [2 3 4]. 2 is used. 5: 2 is found referenced and
  // promoted; 3 goes. FIFO would have evicted 2.
  const Simulation s = simulate("two-list", 3, {1, 2, 3, 4, 2, 5});
  EXPECT_EQ(s.victims, (Pages{1, 3}));
  EXPECT_EQ(simulate("fifo", 3, {1, 2, 3, 4, 2, 5}).victims, (Pages{1, 2}));
}

// A page inspector where nothing is referenced unless a test says so.
class Bits final : public os::PageInspector {
 public:
  std::set<uint64_t> referenced_frames;
  bool test_and_clear_referenced(mmu::Pfn f) override { return referenced_frames.erase(f.value); }
  bool referenced(mmu::Pfn f) const override { return referenced_frames.contains(f.value); }
  bool dirty(mmu::Pfn) const override { return false; }
  uint64_t now() const override { return 0; }
  uint64_t loaded_at(mmu::Pfn) const override { return 0; }
  uint64_t last_access(mmu::Pfn) const override { return 0; }
  int owner(mmu::Pfn) const override { return 1; }
  std::vector<std::pair<int, uint64_t>> mappings(mmu::Pfn) const override { return {}; }
};

std::vector<uint64_t> two_list_victims(uint64_t refault_distance) {
  auto policy = os::make_two_list();
  Bits bits;
  const auto all = [](mmu::Pfn) { return true; };
  for (uint64_t f : {1, 2, 3})
    policy->on_load(mmu::Pfn{f});
  bits.referenced_frames = {1};
  std::vector<uint64_t> victims;
  victims.push_back(policy->choose(bits, all)->value);  // 1 promoted (active [1]), 2 goes
  policy->on_release(mmu::Pfn{victims.back()});
  policy->on_load(mmu::Pfn{4});  // inactive [3 4]
  policy->on_refault(mmu::Pfn{4}, refault_distance);
  for (int i = 0; i < 2; ++i) {
    victims.push_back(policy->choose(bits, all)->value);
    policy->on_release(mmu::Pfn{victims.back()});
  }
  return victims;
}

TEST(TwoListPolicy, APageRefaultingWithinTheActiveListsSizeComesBackActive) {
  // Refault distance 1 <= active size 1: 4 joins 1 on the active list; the lists are then
  // balanced (1 is aged to the inactive list: inactive [3 1], active [4]), 3 goes, then 1.
  EXPECT_EQ(two_list_victims(1), (std::vector<uint64_t>{2, 3, 1}));
  // A distant refault is an ordinary new page: inactive [3 4], so 3 goes, then 4.
  EXPECT_EQ(two_list_victims(5), (std::vector<uint64_t>{2, 3, 4}));
}

TEST(RandomPolicy, IsDeterministicForASeedAndChoosesOnlyEligiblePages) {
  auto a = os::make_random(7), b = os::make_random(7);
  const Simulation sa = simulate(*a, 3, reads(kBelady));
  EXPECT_EQ(sa.victims, simulate(*b, 3, reads(kBelady)).victims);
  EXPECT_GE(sa.faults, 7u);  // never better than OPT
  auto c = os::make_random(1);
  Bits bits;
  for (uint64_t f : {1, 2, 3, 4})
    c->on_load(mmu::Pfn{f});
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(c->choose(bits, [](mmu::Pfn f) { return f.value == 3; })->value, 3u);
  EXPECT_FALSE(c->choose(bits, [](mmu::Pfn) { return false; }).has_value());
}

TEST(Policies, EachNameBuildsItsPolicy) {
  for (std::string_view name : os::policy_names()) {
    if (name == "opt") continue;
    EXPECT_EQ(os::make_policy(name, {})->name(), name);
  }
  EXPECT_THROW(os::make_policy("opt", {}), std::invalid_argument);
  EXPECT_THROW(os::make_policy("mru", {}), std::invalid_argument);
  EXPECT_EQ(os::policy_names().size(), 7u);
}

}  // namespace
}  // namespace vmlab::testing

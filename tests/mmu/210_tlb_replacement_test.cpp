// Replacement policies replayed on worked reference strings through one 4-way set, and LRU and
// FIFO against a textbook cache at associativities from 1 to 24 ways.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "mmu/random.h"
#include "tests/mmu/tlb_support.h"

namespace vmlab::mmu::testing {
namespace {

// Pages that all map to set 0 of a 4-entry, 4-way (fully associative) array.
uint64_t letter(char c) {
  return static_cast<uint64_t>(c - 'A' + 1) * 100;
}

// Replays the virtual pages `vpns`: a hit touches, a miss fills. Returns "h"/"m" per reference.
std::string replay_pages(TlbArray& tlb, const std::vector<uint64_t>& vpns) {
  std::string outcome;
  for (uint64_t vpn : vpns) {
    if (tlb.lookup(Vpn{vpn}.address(), 0) != nullptr) {
      outcome += 'h';
    } else {
      outcome += 'm';
      tlb.fill(page(vpn), 0);
    }
  }
  return outcome;
}

// replay_pages() of the letters of `refs` ("ABCDAEB").
std::string replay(TlbArray& tlb, const std::string& refs) {
  std::vector<uint64_t> vpns;
  for (char c : refs)
    vpns.push_back(letter(c));
  return replay_pages(tlb, vpns);
}

std::string resident(const TlbArray& tlb, const std::string& candidates) {
  std::string out;
  for (char c : candidates)
    if (tlb.peek(Vpn{letter(c)}.address(), 0) != nullptr) out += c;
  return out;
}

TEST(TlbReplacement, LruEvictsTheLeastRecentlyUsed) {
  TlbArray tlb(tlb_config(4, 4, Replacement::kLru));
  EXPECT_EQ(replay(tlb, "ABCDAE"), "mmmmhm");
  EXPECT_EQ(resident(tlb, "ABCDE"), "ACDE") << "B was least recently used";
  EXPECT_EQ(replay(tlb, "B"), "m");
  EXPECT_EQ(resident(tlb, "ABCDE"), "ABDE") << "then C";
}

TEST(TlbReplacement, FifoIgnoresHits) {
  TlbArray tlb(tlb_config(4, 4, Replacement::kFifo));
  EXPECT_EQ(replay(tlb, "ABCDAE"), "mmmmhm");
  EXPECT_EQ(resident(tlb, "ABCDE"), "BCDE") << "A was filled first, its hit does not matter";
}

// A textbook LRU or FIFO cache of `capacity` pages, kept as a list with the most recent first:
// the oracle of the test below, written without sets, ways or stamps.
std::string reference_replay(bool lru, size_t capacity, const std::vector<uint64_t>& refs) {
  std::vector<uint64_t> recent;
  std::string outcome;
  for (uint64_t page : refs) {
    const auto at = std::find(recent.begin(), recent.end(), page);
    if (at != recent.end()) {
      outcome += 'h';
      if (lru) {
        recent.erase(at);
        recent.insert(recent.begin(), page);
      }
      continue;
    }
    outcome += 'm';
    if (recent.size() == capacity) recent.pop_back();
    recent.insert(recent.begin(), page);
  }
  return outcome;
}

TEST(TlbReplacement, LruAndFifoMatchATextbookCacheAtEveryAssociativity) {
  // Sets of up to 16 ways keep their order in one word, wider ones a stamp per way: both must
  // be exactly LRU and FIFO. One fully associative set, a pseudo-random string over 2x pages.
  for (const bool lru : {true, false}) {
    for (const uint32_t ways : {1u, 2u, 3u, 4u, 12u, 15u, 16u, 17u, 24u}) {
      std::vector<uint64_t> refs;
      Xorshift64 random(0x9e37'79b9'7f4a'7c15);
      for (int i = 0; i < 4000; ++i)
        refs.push_back(1 + random.next() % (2 * ways));
      TlbArray tlb(tlb_config(ways, ways, lru ? Replacement::kLru : Replacement::kFifo));
      EXPECT_EQ(replay_pages(tlb, refs), reference_replay(lru, ways, refs))
          << (lru ? "LRU" : "FIFO") << " with " << ways << " ways";
    }
  }
}

TEST(TlbReplacement, TreePlruFollowsTheTreeBits) {
  // Ways 0..3 receive A..D. Touching A points the root at the right half and the right node
  // still points at way 2 (C), so E replaces C, where true LRU would replace B.
  TlbArray tlb(tlb_config(4, 4, Replacement::kTreePlru));
  EXPECT_EQ(replay(tlb, "ABCDAE"), "mmmmhm");
  EXPECT_EQ(resident(tlb, "ABCDE"), "ABDE");
}

TEST(TlbReplacement, TreePlruWithTwelveWaysNeverPicksAMissingWay) {
  TlbArray tlb(tlb_config(12, 12, Replacement::kTreePlru));
  for (uint64_t i = 0; i < 12; ++i)
    tlb.fill(page(i), 0);
  for (uint64_t i = 12; i < 200; ++i) {
    tlb.fill(page(i), 0);
    ASSERT_EQ(tlb.valid_entries(), 12u);
    ASSERT_NE(tlb.peek(Vpn{i}.address(), 0), nullptr);
    ASSERT_NE(tlb.peek(Vpn{i - 1}.address(), 0), nullptr) << "the most recent fill survives";
  }
}

TEST(TlbReplacement, RandomIsReproducibleForASeed) {
  auto run = [](uint64_t seed) {
    TlbArrayConfig c = tlb_config(4, 4, Replacement::kRandom);
    c.seed = seed;
    TlbArray tlb(c);
    return replay(tlb, "ABCDEFGABCDEFGAEBFCGDAEBF");
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
}

TEST(TlbReplacement, InvalidWaysAreFilledBeforeAnyEviction) {
  TlbArray tlb(tlb_config(4, 4, Replacement::kRandom));
  replay(tlb, "ABCD");
  EXPECT_EQ(resident(tlb, "ABCD"), "ABCD");
}

class CountingPolicy : public CustomReplacement {
 public:
  void on_fill(uint32_t, uint32_t) override { ++fills; }
  void on_hit(uint32_t, uint32_t) override { ++hits; }
  uint32_t victim(uint32_t) override { return 3; }
  int fills = 0, hits = 0;
};

TEST(TlbReplacement, CustomPolicyDecidesTheVictim) {
  TlbArray tlb(tlb_config(4, 4, Replacement::kCustom));
  auto policy = std::make_shared<CountingPolicy>();
  tlb.set_custom_replacement(policy);
  EXPECT_EQ(replay(tlb, "ABCDAE"), "mmmmhm");
  EXPECT_EQ(resident(tlb, "ABCDE"), "ABCE") << "way 3 held D";
  EXPECT_EQ(policy->fills, 5);
  EXPECT_EQ(policy->hits, 1);
}

TEST(TlbReplacement, PolicyNamesParse) {
  EXPECT_EQ(parse_replacement("lru"), Replacement::kLru);
  EXPECT_EQ(parse_replacement("plru"), Replacement::kTreePlru);
  EXPECT_EQ(parse_replacement("fifo"), Replacement::kFifo);
  EXPECT_EQ(parse_replacement("random"), Replacement::kRandom);
  EXPECT_EQ(parse_replacement("mru"), std::nullopt);
}

}  // namespace
}  // namespace vmlab::mmu::testing

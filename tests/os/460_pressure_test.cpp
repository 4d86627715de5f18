// Pressure stall information on the modelled clock: exact totals, and Linux's fixed-point
// decaying averages over 2-second periods, whenever the stall falls and the file is read.
#include <gtest/gtest.h>

#include "os/pressure.h"

namespace vmlab::os {
namespace {

constexpr uint64_t kSecond = 1'000'000'000;
constexpr uint64_t kPeriod = MemoryPressure::kPeriodNs;

std::array<uint64_t, 3> hundredths(const PressureLine& line) {
  return {PressureLine::hundredths(line.avg[0]), PressureLine::hundredths(line.avg[1]),
          PressureLine::hundredths(line.avg[2])};
}

TEST(Pressure, TotalsCountEveryStallAndFullOnlyWhenNothingElseCouldRun) {
  MemoryPressure psi;
  psi.stall(0, 1500, true);
  psi.stall(10'000, 2500, false);
  EXPECT_EQ(psi.some().total_ns, 4000u);
  EXPECT_EQ(psi.full().total_ns, 1500u);
  EXPECT_EQ(psi.text(),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=4\n"
            "full avg10=0.00 avg60=0.00 avg300=0.00 total=1\n");
}

TEST(Pressure, AveragesAreLinuxsFixedPointAfterEachPeriod) {
  // A whole period stalled: avg10 = 100% * (1 - e^(-2/10)) in 11-bit fixed point, as
  // kernel/sched/psi.c computes it (the values of a Linux machine stalled for 2 s).
  MemoryPressure psi;
  psi.stall(0, kPeriod, true);
  psi.advance(kPeriod);
  EXPECT_EQ(hundredths(psi.full()), (std::array<uint64_t, 3>{1811, 327, 68}));
  // Half of the next period.
  psi.stall(kPeriod, kPeriod / 2, true);
  psi.advance(2 * kPeriod);
  EXPECT_EQ(hundredths(psi.some()), (std::array<uint64_t, 3>{2389, 480, 102}));
}

TEST(Pressure, AStallIsSplitAtPeriodBoundaries) {
  // One 10-second stall is five whole periods at 100%.
  MemoryPressure psi;
  psi.stall(0, 5 * kPeriod, true);
  EXPECT_EQ(hundredths(psi.some()), (std::array<uint64_t, 3>{6318, 1532, 337}));
  EXPECT_EQ(psi.some().total_ns, 10 * kSecond);
}

TEST(Pressure, ReadingLaterDoesNotChangeTheAverages) {
  MemoryPressure early, late;
  for (MemoryPressure* psi : {&early, &late})
    psi->stall(kPeriod / 4, kPeriod, true);
  early.advance(2 * kPeriod);
  early.advance(5 * kPeriod);
  late.advance(5 * kPeriod);
  EXPECT_EQ(early.text(), late.text());
  // Quiet periods decay the averages, as on Linux (calc_load_n).
  EXPECT_LT(PressureLine::hundredths(late.some().avg[0]), 1811u);
  EXPECT_GT(PressureLine::hundredths(late.some().avg[0]), 0u);
}

TEST(Pressure, TotalIsInMicroseconds) {
  MemoryPressure psi;
  psi.stall(3 * kSecond, 12'345'678, false);
  EXPECT_NE(psi.text().find("some avg10=0.00 avg60=0.00 avg300=0.00 total=12345\n"),
            std::string::npos);
}

}  // namespace
}  // namespace vmlab::os

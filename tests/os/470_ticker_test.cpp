// Sampling points on a grid of instructions or of modelled nanoseconds, never host time.
#include <gtest/gtest.h>

#include "os/ticker.h"

namespace vmlab::os {
namespace {

using Unit = TickSchedule::Unit;

TEST(Ticker, InstructionTicksLieOnMultiplesOfTheInterval) {
  int ticks = 0;
  Ticker t(
      {Unit::kInstructions, 1000}, [&] { ++ticks; }, 250, 0);
  EXPECT_EQ(t.instructions_until(250, 0, 1), 750u);
  EXPECT_FALSE(t.fire_if_due(999, 0));
  EXPECT_TRUE(t.fire_if_due(1000, 0));
  EXPECT_EQ(t.instructions_until(1000, 0, 1), 1000u);
  // Far past several points: one tick, then the next point after now.
  EXPECT_TRUE(t.fire_if_due(5500, 0));
  EXPECT_EQ(t.instructions_until(5500, 0, 1), 500u);
  EXPECT_EQ(ticks, 2);
}

TEST(Ticker, TimeTicksBudgetWhatUserTimeAloneWouldTake) {
  int ticks = 0;
  Ticker t(
      {Unit::kNanoseconds, 1'000'000}, [&] { ++ticks; }, 0, 400'000);
  EXPECT_TRUE(t.time_based());
  EXPECT_EQ(t.deadline_ns(), 1'000'000u);
  EXPECT_EQ(t.instructions_until(123, 400'000, 1), 600'000u);
  EXPECT_EQ(t.instructions_until(123, 400'000, 3), 200'000u);
  EXPECT_EQ(t.instructions_until(123, 400'001, 3), 200'000u);  // rounded up
  EXPECT_FALSE(t.due(10, 999'999));
  EXPECT_TRUE(t.fire_if_due(10, 1'000'020));
  EXPECT_EQ(t.deadline_ns(), 2'000'000u);
  EXPECT_EQ(ticks, 1);
}

TEST(Ticker, ZeroIsNotAnInterval) {
  EXPECT_THROW(Ticker(
                   {Unit::kInstructions, 0}, [] {}, 0, 0),
               std::invalid_argument);
}

}  // namespace
}  // namespace vmlab::os

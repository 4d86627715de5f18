// The OOM killer's choice and its report on their own (os/oom_kill.cpp): the largest
// footprint goes, the last of equals, never a process already on its way out.
#include <sys/mman.h>
#include <sys/syscall.h>

#include <gtest/gtest.h>

#include "os/oom_kill.h"
#include "os/wait_status.h"
#include "tests/os/guest_fixture.h"

namespace vmlab::testing {
namespace {

constexpr uint64_t kPage = 4096;

// Maps `pages` fresh pages in process `pid` and writes each.
void touch(TestGuest& g, int pid, uint64_t pages) {
  const int64_t a = g.syscall(
      SYS_mmap,
      {0, pages * kPage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, ~uint64_t{0}, 0},
      pid);
  ASSERT_GT(a, 0);
  for (uint64_t i = 0; i < pages; ++i)
    g.write(static_cast<uint64_t>(a) + i * kPage, pid);
}

TEST(Oom, TheLargestFootprintIsChosen) {
  TestGuest g;
  const int child = g.fork();
  touch(g, child, 8);
  EXPECT_EQ(os::choose_oom_victim(g.kernel().memory_holders()), &g.process(child));
  touch(g, g.pid(), 16);
  EXPECT_EQ(os::choose_oom_victim(g.kernel().memory_holders()), &g.process(g.pid()));
}

TEST(Oom, OfEqualFootprintsTheLastIsChosen) {
  TestGuest g;
  const int child = g.fork();  // the same pages mapped in both
  EXPECT_EQ(g.space(child).stats().resident, g.space().stats().resident);
  EXPECT_EQ(os::choose_oom_victim({&g.process(), &g.process(child)}), &g.process(child));
  EXPECT_EQ(os::choose_oom_victim({&g.process(child), &g.process()}), &g.process());
}

TEST(Oom, AProcessOnItsWayOutIsPassedOver) {
  TestGuest g;
  const int child = g.fork();
  touch(g, child, 8);
  g.process(child).exiting = true;
  EXPECT_EQ(os::choose_oom_victim(g.kernel().memory_holders()), &g.process(g.pid()));
  g.process(g.pid()).exiting = true;
  EXPECT_EQ(os::choose_oom_victim(g.kernel().memory_holders()), nullptr);
}

TEST(Oom, TheVictimIsEndedBySigkillAndCounted) {
  TestGuest g;
  const int child = g.fork();
  touch(g, child, 4);
  os::ReclaimStats stats;
  os::Process* ended = nullptr;
  int status = 0;
  os::OomKiller killer({[&] { return g.kernel().memory_holders(); },
                        [&](os::Process& p, int wait_status) {
                          ended = &p;
                          status = wait_status;
                        }},
                       stats);
  EXPECT_EQ(killer.kill("test"), &g.process(child));
  EXPECT_EQ(ended, &g.process(child));
  EXPECT_EQ(status, os::signaled_status(os::sig::kKill, false));
  EXPECT_EQ(stats.oom_kills, 1u);
}

}  // namespace
}  // namespace vmlab::testing

// Kernel event subscriptions are RAII handles (os/event_list.h): a destroyed subscriber is not
// called again, in whichever order it and the event list go, even from inside a raise.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <vector>

#include "os/event_list.h"

namespace vmlab::os {
namespace {

// An observer in the style of Tracer and Strace: a lambda capturing `this`, its subscription a
// member, so destroying the observer is all it takes to leave the list.
class Counter {
 public:
  explicit Counter(EventList<int>& list)
      : subscription_(list.subscribe([this](const int& value) { sum_ += value; })) {}
  int sum() const { return sum_; }

 private:
  int sum_ = 0;
  Subscription subscription_;
};

TEST(EventList, RaiseCallsEverySubscriberInOrder) {
  EventList<int> list;
  std::vector<int> calls;
  const Subscription a = list.subscribe([&](const int& v) { calls.push_back(v); });
  const Subscription b = list.subscribe([&](const int& v) { calls.push_back(v * 10); });
  list.raise(3);
  EXPECT_EQ(calls, (std::vector<int>{3, 30}));
  EXPECT_EQ(list.size(), 2u);
}

TEST(EventList, DestroyedSubscriberIsNoLongerCalled) {
  EventList<int> list;
  auto counter = std::make_unique<Counter>(list);
  list.raise(5);
  EXPECT_EQ(counter->sum(), 5);
  counter.reset();
  EXPECT_TRUE(list.empty());
  list.raise(7);  // would write into freed memory (ASan) if the lambda were still listed
  EXPECT_TRUE(list.empty());
}

TEST(EventList, SubscriptionOutlivingTheListIsHarmless) {
  std::optional<EventList<int>> list(std::in_place);
  int calls = 0;
  Subscription s = list->subscribe([&](const int&) { ++calls; });
  list->raise(1);
  list.reset();  // the kernel goes first, as when a machine is shut down before its tracer
  s.reset();
  EXPECT_EQ(calls, 1);
}

TEST(EventList, MovedSubscriptionUnsubscribesOnce) {
  EventList<int> list;
  int calls = 0;
  std::optional<Subscription> moved;
  {
    Subscription s = list.subscribe([&](const int&) { ++calls; });
    moved.emplace(std::move(s));
  }  // the moved-from handle does nothing
  list.raise(1);
  EXPECT_EQ(calls, 1);
  moved.reset();
  list.raise(1);
  EXPECT_EQ(calls, 1);
}

TEST(EventList, HandlerMayUnsubscribeOthersAndItselfDuringRaise) {
  EventList<int> list;
  std::vector<char> calls;
  Subscription a, b, c;
  a = list.subscribe([&](const int&) {
    calls.push_back('a');
    a.reset();  // itself: its closure stays alive until the raise ends
    b.reset();  // a later one: not called for this event
  });
  b = list.subscribe([&](const int&) { calls.push_back('b'); });
  c = list.subscribe([&](const int&) { calls.push_back('c'); });
  list.raise(0);
  EXPECT_EQ(calls, (std::vector<char>{'a', 'c'}));
  EXPECT_EQ(list.size(), 1u);
  list.raise(0);
  EXPECT_EQ(calls, (std::vector<char>{'a', 'c', 'c'}));
}

TEST(EventList, SubscriberAddedDuringRaiseHearsTheNextEvent) {
  EventList<int> list;
  std::vector<int> late;
  std::vector<Subscription> added;
  const Subscription first = list.subscribe([&](const int&) {
    if (added.empty()) added.push_back(list.subscribe([&](const int& v) { late.push_back(v); }));
  });
  list.raise(1);
  EXPECT_TRUE(late.empty());
  list.raise(2);
  EXPECT_EQ(late, (std::vector<int>{2}));
}

}  // namespace
}  // namespace vmlab::os

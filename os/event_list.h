// Subscriber lists of kernel events whose subscriptions are RAII handles: destroying the
// Subscription that subscribe() returned removes its handler. An observer that subscribes a
// lambda capturing `this` keeps the Subscription as a member, so it leaves the list when it is
// destroyed, whichever of the kernel and the observer goes first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <utility>

namespace vmlab::os {

namespace detail {
// What a Subscription needs from a list of any event type.
class SubscriberList {
 public:
  virtual ~SubscriberList() = default;
  virtual void remove(uint64_t id) = 0;
};
}  // namespace detail

// Removes its handler from its list when destroyed (or reset); does nothing once the list is
// gone. Movable, not copyable: one handle per subscription.
class [[nodiscard]] Subscription {
 public:
  Subscription() = default;
  Subscription(std::weak_ptr<detail::SubscriberList> list, uint64_t id)
      : list_(std::move(list)), id_(id) {}
  Subscription(Subscription&& other) noexcept
      : list_(std::exchange(other.list_, {})), id_(other.id_) {}
  Subscription& operator=(Subscription&& other) noexcept {
    if (this != &other) {
      reset();
      list_ = std::exchange(other.list_, {});
      id_ = other.id_;
    }
    return *this;
  }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;
  ~Subscription() { reset(); }

  void reset() {
    if (auto list = list_.lock()) list->remove(id_);
    list_.reset();
  }

 private:
  std::weak_ptr<detail::SubscriberList> list_;
  uint64_t id_ = 0;
};

template <typename Event>
class EventList {
 public:
  using Handler = std::function<void(const Event&)>;

  EventList() = default;
  EventList(const EventList&) = delete;  // subscriptions point at this list's state
  EventList& operator=(const EventList&) = delete;

  Subscription subscribe(Handler handler) {
    const uint64_t id = state_->next_id++;
    state_->entries.push_back(Entry{id, std::move(handler)});
    return Subscription(state_, id);
  }

  // Calls every handler subscribed before the call. A handler may subscribe (the new one hears
  // the next event) or destroy subscriptions, its own included (those are not called any more);
  // a deque keeps the running handler in place while others are added behind it.
  void raise(const Event& event) const {
    State& s = *state_;
    const size_t count = s.entries.size();
    ++s.raising;
    for (size_t i = 0; i < count; ++i)
      if (!s.entries[i].removed) s.entries[i].handler(event);
    if (--s.raising == 0 && s.removed_while_raising) s.compact();
  }

  bool empty() const { return state_->entries.empty(); }
  size_t size() const { return state_->entries.size() - state_->removed_while_raising; }

 private:
  struct Entry {
    uint64_t id;
    Handler handler;
    bool removed = false;  // unsubscribed during a raise: erased after it
  };
  struct State final : detail::SubscriberList {
    std::deque<Entry> entries;
    uint64_t next_id = 1;
    int raising = 0;
    size_t removed_while_raising = 0;

    void remove(uint64_t id) override {
      for (auto it = entries.begin(); it != entries.end(); ++it) {
        if (it->id != id || it->removed) continue;
        if (raising > 0) {
          // Erasing could destroy or move the handler that is running: mark it, erase it later.
          it->removed = true;
          ++removed_while_raising;
        } else {
          entries.erase(it);
        }
        return;
      }
    }
    void compact() {
      std::erase_if(entries, [](const Entry& e) { return e.removed; });
      removed_while_raising = 0;
    }
  };
  std::shared_ptr<State> state_ = std::make_shared<State>();
};

}  // namespace vmlab::os

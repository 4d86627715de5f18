// An epoll instance (fs/eventpoll.c): the interest list of (descriptor, open file) pairs with
// the events each waits for. Readiness is what the files' poll() reports, checked when the
// guest asks: level-triggered, entries reported in turn (a reported entry goes to the back,
// as Linux re-queues it), EPOLLONESHOT disarming an entry until EPOLL_CTL_MOD. EPOLLET is
// accepted and reported like level-triggered readiness (the files keep no event history), a
// superset of what Linux reports that programs written for edge triggering handle.
// An entry lasts while its open file does, as on Linux: closing one of several descriptors of
// a file keeps it, closing the last one removes it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "os/vfs/open_file.h"

namespace vmlab::os::vfs {

class Epoll final : public OpenFile {
 public:
  // The flags of struct epoll_event's events beyond poll's.
  static constexpr uint32_t kEdgeTriggered = 1u << 31;
  static constexpr uint32_t kOneShot = 1u << 30;
  static constexpr uint32_t kWakeUp = 1u << 29;
  static constexpr uint32_t kExclusive = 1u << 28;
  // Linux's EP_MAX_NESTS: how deep epoll instances may watch each other.
  static constexpr int kMaxNesting = 4;

  struct Event {
    uint32_t events;
    uint64_t data;
  };

  Epoll(uint64_t ino, Timespec created);

  // EPOLL_CTL_ADD, _MOD, _DEL for descriptor `fd` open on `file`: 0 or -errno (EEXIST,
  // ENOENT, ELOOP for a loop of epoll instances or too deep a nesting, EINVAL).
  int add(int fd, const std::shared_ptr<OpenFile>& file, uint32_t events, uint64_t data);
  int modify(int fd, const OpenFile& file, uint32_t events, uint64_t data);
  int remove(int fd, const OpenFile& file);

  // The ready entries, at most `max`: what epoll_wait returns.
  std::vector<Event> collect(size_t max);

  int64_t read(std::span<uint8_t>) override { return -EINVAL; }
  int64_t write(std::span<const uint8_t>) override { return -EINVAL; }
  FileStat stat() const override;
  std::string describe() const override { return "anon_inode:[eventpoll]"; }
  // POLLIN while an entry is ready (an epoll instance can be watched by poll or another epoll).
  uint32_t poll() const override;

 private:
  struct Entry {
    int fd;
    const OpenFile* key;
    std::weak_ptr<OpenFile> file;
    uint32_t events;
    uint64_t data;
    bool armed = true;
  };

  Entry* find(int fd, const OpenFile& file);
  // The events of `entry` ready now (0 when its file is gone or it is disarmed).
  static uint32_t ready_events(const Entry& entry);
  // Whether `target` is this instance or one it watches through others `depth` levels down
  // (deeper than kMaxNesting counts as reaching it).
  bool reaches(const Epoll& target, int depth) const;
  // The longest chain of epoll instances this one watches.
  int depth_below() const;

  uint64_t ino_;
  Timespec created_;
  std::vector<Entry> entries_;  // in report order
};

}  // namespace vmlab::os::vfs

#include "os/vfs/epoll.h"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>

#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

namespace {

const uint64_t kAnonInodeDevice = makedev(0, 14);  // anon_inodefs
// The events an entry can ask for: poll's, plus POLLRDHUP; POLLERR and POLLHUP always.
constexpr uint32_t kPollEvents = 0xffff | poll_bits::kRdHup;
constexpr uint32_t kAlwaysReported = poll_bits::kErr | poll_bits::kHup;

}  // namespace

Epoll::Epoll(uint64_t ino, Timespec created) : OpenFile(O_RDWR), ino_(ino), created_(created) {}

Epoll::Entry* Epoll::find(int fd, const OpenFile& file) {
  for (Entry& entry : entries_)
    if (entry.fd == fd && entry.key == &file && !entry.file.expired()) return &entry;
  return nullptr;
}

bool Epoll::reaches(const Epoll& target, int depth) const {
  if (this == &target) return true;
  if (depth > kMaxNesting) return true;
  for (const Entry& entry : entries_) {
    const auto file = entry.file.lock();
    const auto* nested = dynamic_cast<const Epoll*>(file.get());
    if (nested != nullptr && nested->reaches(target, depth + 1)) return true;
  }
  return false;
}

int Epoll::depth_below() const {
  int depth = 0;
  for (const Entry& entry : entries_) {
    const auto file = entry.file.lock();
    if (const auto* nested = dynamic_cast<const Epoll*>(file.get()))
      depth = std::max(depth, 1 + nested->depth_below());
  }
  return depth;
}

int Epoll::add(int fd, const std::shared_ptr<OpenFile>& file, uint32_t events, uint64_t data) {
  if (file.get() == this) return -EINVAL;
  std::erase_if(entries_, [](const Entry& e) { return e.file.expired(); });
  if (find(fd, *file) != nullptr) return -EEXIST;
  if (const auto* nested = dynamic_cast<const Epoll*>(file.get()))
    if (nested->reaches(*this, 1) || nested->depth_below() + 1 > kMaxNesting) return -ELOOP;
  entries_.push_back(Entry{fd, file.get(), file, events, data});
  return 0;
}

int Epoll::modify(int fd, const OpenFile& file, uint32_t events, uint64_t data) {
  Entry* entry = find(fd, file);
  if (entry == nullptr) return -ENOENT;
  if ((entry->events & kExclusive) != 0) return -EINVAL;
  entry->events = events;
  entry->data = data;
  entry->armed = true;
  return 0;
}

int Epoll::remove(int fd, const OpenFile& file) {
  Entry* entry = find(fd, file);
  if (entry == nullptr) return -ENOENT;
  entries_.erase(entries_.begin() + (entry - entries_.data()));
  return 0;
}

uint32_t Epoll::ready_events(const Entry& entry) {
  if (!entry.armed) return 0;
  const auto file = entry.file.lock();
  if (!file) return 0;
  return file->poll() & ((entry.events & kPollEvents) | kAlwaysReported);
}

std::vector<Epoll::Event> Epoll::collect(size_t max) {
  std::vector<Event> ready;
  std::vector<Entry> reported;
  std::vector<Entry> waiting;
  for (Entry& entry : entries_) {
    const uint32_t events = ready.size() < max ? ready_events(entry) : 0;
    if (events == 0) {
      if (!entry.file.expired()) waiting.push_back(entry);
      continue;
    }
    ready.push_back({events, entry.data});
    if ((entry.events & kOneShot) != 0) entry.armed = false;
    reported.push_back(entry);
  }
  // Reported entries go behind the others, so that every ready file gets its turn.
  entries_ = std::move(waiting);
  entries_.insert(entries_.end(), reported.begin(), reported.end());
  return ready;
}

FileStat Epoll::stat() const {
  FileStat st;
  st.dev = kAnonInodeDevice;
  st.ino = ino_;
  st.mode = 0600;
  st.nlink = 1;
  st.blksize = kBlockSize;
  st.atime = st.mtime = st.ctime = created_;
  return st;
}

uint32_t Epoll::poll() const {
  for (const Entry& entry : entries_)
    if (ready_events(entry) != 0) return poll_bits::kIn | poll_bits::kRdNorm;
  return 0;
}

}  // namespace vmlab::os::vfs

#include "os/vfs/socket_queue.h"

#include <algorithm>
#include <cstring>

namespace vmlab::os::vfs {

void SocketQueue::push(std::span<const uint8_t> data, const SocketAddress& sender) {
  messages_.push_back({{data.begin(), data.end()}, sender});
  bytes_ += data.size();
}

SocketQueue::Taken SocketQueue::take_stream(std::span<uint8_t> out, bool peek) {
  Taken taken;
  if (!messages_.empty()) taken.sender = messages_.front().sender;
  size_t offset = front_offset_;
  for (size_t i = 0; i < messages_.size() && taken.copied < out.size(); ++i) {
    const std::vector<uint8_t>& bytes = messages_[i].bytes;
    const size_t n = std::min(bytes.size() - offset, out.size() - taken.copied);
    if (n > 0) std::memcpy(out.data() + taken.copied, bytes.data() + offset, n);
    taken.copied += n;
    offset = 0;
  }
  taken.message_length = taken.copied;
  if (peek) return taken;
  bytes_ -= taken.copied;
  size_t left = taken.copied;
  while (left > 0) {
    const size_t in_front = messages_.front().bytes.size() - front_offset_;
    if (left < in_front) {
      front_offset_ += left;
      break;
    }
    left -= in_front;
    messages_.pop_front();
    front_offset_ = 0;
  }
  return taken;
}

SocketQueue::Taken SocketQueue::take_message(std::span<uint8_t> out, bool peek) {
  Taken taken;
  if (messages_.empty()) return taken;
  const Message& front = messages_.front();
  taken.message_length = front.bytes.size();
  taken.copied = std::min(out.size(), front.bytes.size());
  if (taken.copied > 0) std::memcpy(out.data(), front.bytes.data(), taken.copied);
  taken.sender = front.sender;
  if (!peek) {
    bytes_ -= front.bytes.size();
    messages_.pop_front();
  }
  return taken;
}

}  // namespace vmlab::os::vfs

// A socket's receive queue: the messages sent to it, each with its sender's address, under a
// byte limit (SO_RCVBUF) so that writers wait when it is full, as they do on a pipe. A stream
// reads across message boundaries; datagram and seqpacket sockets read one message at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "os/vfs/socket_address.h"

namespace vmlab::os::vfs {

class SocketQueue {
 public:
  struct Message {
    std::vector<uint8_t> bytes;
    SocketAddress sender;
  };
  struct Taken {
    size_t copied = 0;
    size_t message_length = 0;  // the whole message's length (MSG_TRUNC)
    SocketAddress sender;
  };

  bool empty() const { return messages_.empty(); }
  size_t bytes() const { return bytes_; }
  size_t messages() const { return messages_.size(); }
  size_t space(size_t limit) const { return bytes_ >= limit ? 0 : limit - bytes_; }

  void push(std::span<const uint8_t> data, const SocketAddress& sender);
  // A stream read: bytes from as many messages as fit into `out`. `peek` leaves them queued.
  Taken take_stream(std::span<uint8_t> out, bool peek);
  // A datagram read: the first message, cut to `out`; the rest of it is lost unless peeking.
  Taken take_message(std::span<uint8_t> out, bool peek);

 private:
  std::deque<Message> messages_;
  size_t front_offset_ = 0;  // bytes of the first message a stream read already took
  size_t bytes_ = 0;
};

}  // namespace vmlab::os::vfs

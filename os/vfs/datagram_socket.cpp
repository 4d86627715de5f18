#include "os/vfs/datagram_socket.h"

#include <sys/socket.h>

#include <cerrno>

namespace vmlab::os::vfs {

namespace {

constexpr size_t kUnixDatagramOverhead = 32;
constexpr size_t kMaxUdp4Payload = 65507;  // 65535 less the IPv4 and UDP headers
constexpr size_t kMaxUdp6Payload = 65527;  // 65535 less the UDP header

}  // namespace

DatagramSocket::DatagramSocket(int domain, uint64_t ino, Timespec created, int flags)
    : Socket(domain, SOCK_DGRAM, ino, created, flags) {}

void DatagramSocket::connect_pair(DatagramSocket& a, DatagramSocket& b) {
  a.connected_ = b.connected_ = true;
  a.peer_ = std::static_pointer_cast<DatagramSocket>(b.shared_from_this());
  b.peer_ = std::static_pointer_cast<DatagramSocket>(a.shared_from_this());
}

std::optional<SocketAddress> DatagramSocket::peer_address() const {
  if (!connected_) return std::nullopt;
  if (!is_udp())
    if (const auto peer = peer_.lock()) return peer->local_address();
  return peer_address_;
}

int64_t DatagramSocket::connect(const std::shared_ptr<Socket>& target,
                                const SocketAddress& address) {
  if (address.family == AF_UNSPEC) {
    connected_ = false;
    peer_.reset();
    return 0;
  }
  if (!is_udp()) {
    auto peer = std::dynamic_pointer_cast<DatagramSocket>(target);
    if (!target) return -ECONNREFUSED;
    if (!peer) return -EPROTOTYPE;
    peer_ = peer;
  }
  connected_ = true;
  peer_address_ = address;
  return 0;
}

int DatagramSocket::shutdown(int how) {
  if (!connected_ && is_udp()) return -ENOTCONN;
  shutdown_ |= static_cast<uint8_t>(how + 1);
  return 0;
}

size_t DatagramSocket::max_datagram() const {
  if (!is_udp()) return static_cast<size_t>(options().send_buffer()) - kUnixDatagramOverhead;
  return domain() == AF_INET ? kMaxUdp4Payload : kMaxUdp6Payload;
}

bool DatagramSocket::queue_full() const {
  return queue_.messages() > kUnixDatagramQueueLength ||
         queue_.space(static_cast<size_t>(options().receive_buffer())) == 0;
}

int64_t DatagramSocket::deliver(DatagramSocket& target, std::span<const uint8_t> data, int flags) {
  if (is_udp()) {
    // UDP drops what the receive buffer cannot hold.
    if (target.queue_.space(static_cast<size_t>(target.options().receive_buffer())) >= data.size())
      target.queue_.push(data, local_address());
    return static_cast<int64_t>(data.size());
  }
  // unix_may_send: a socket connected elsewhere takes datagrams from its peer only.
  if (target.connected_ && target.peer_.lock().get() != this) return -EPERM;
  if ((target.shutdown_ & kReceiveShutdown) != 0) return -EPIPE;
  if (target.queue_full()) return would_block(flags);
  target.queue_.push(data, local_address());
  return static_cast<int64_t>(data.size());
}

int64_t DatagramSocket::send(std::span<const uint8_t> data, int flags,
                             const std::shared_ptr<Socket>& destination,
                             const SocketAddress* destination_address) {
  if (data.size() > max_datagram()) return -EMSGSIZE;
  if ((shutdown_ & kSendShutdown) != 0) return -EPIPE;
  if (const int error = take_error(); error != 0) return -error;
  std::shared_ptr<Socket> target = destination;
  if (destination_address == nullptr) {
    if (!connected_) return is_udp() ? -EDESTADDRREQ : -ENOTCONN;
    if (!is_udp()) {
      target = peer_.lock();
      if (!target) {
        connected_ = false;  // the peer is gone: Linux drops the association
        return -ECONNREFUSED;
      }
    }
  }
  if (!target) {
    // Nobody listens on that port: lost, and a connected socket hears of it (ICMP).
    if (destination_address == nullptr) set_error(ECONNREFUSED);
    return static_cast<int64_t>(data.size());
  }
  auto receiver = std::dynamic_pointer_cast<DatagramSocket>(target);
  if (!receiver) return is_udp() ? static_cast<int64_t>(data.size()) : -EPROTOTYPE;
  return deliver(*receiver, data, flags);
}

int64_t DatagramSocket::receive(std::span<uint8_t> out, int flags, Received* received) {
  if (!queue_.empty()) {
    const SocketQueue::Taken taken = queue_.take_message(out, (flags & MSG_PEEK) != 0);
    if (received != nullptr) {
      received->sender = taken.sender;
      received->message_length = taken.message_length;
    }
    return (flags & MSG_TRUNC) != 0 ? static_cast<int64_t>(taken.message_length)
                                    : static_cast<int64_t>(taken.copied);
  }
  return nothing_to_read(flags);
}

uint32_t DatagramSocket::poll() const {
  using namespace poll_bits;
  uint32_t mask = receive_events();
  // unix_dgram_poll: not writable while the connected peer's queue is full.
  const auto peer = peer_.lock();
  if (!(connected_ && !is_udp() && peer && peer->queue_full())) mask |= kOut | kWrNorm | kWrBand;
  return mask;
}

}  // namespace vmlab::os::vfs

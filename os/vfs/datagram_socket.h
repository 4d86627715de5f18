// Datagram sockets: AF_UNIX SOCK_DGRAM (unix_dgram_sendmsg/recvmsg) and loopback UDP. Each
// datagram keeps its boundaries and its sender's address. A full Unix receive queue makes the
// sender wait, as on Linux; UDP drops what does not fit, and a datagram to a port nobody
// bound is lost (a connected UDP socket then sees ECONNREFUSED, from the ICMP error).
#pragma once

#include <memory>

#include "os/vfs/socket.h"

namespace vmlab::os::vfs {

// net.unix.max_dgram_qlen: datagrams a Unix socket queues before senders wait.
inline constexpr size_t kUnixDatagramQueueLength = 10;

class DatagramSocket final : public Socket {
 public:
  DatagramSocket(int domain, uint64_t ino, Timespec created, int flags);

  // socketpair(2) of SOCK_DGRAM sockets.
  static void connect_pair(DatagramSocket& a, DatagramSocket& b);

  std::optional<SocketAddress> peer_address() const override;
  int listen(int) override { return -EOPNOTSUPP; }
  int64_t accept(std::shared_ptr<Socket>&) override { return -EOPNOTSUPP; }
  // Sets the default destination; an AF_UNSPEC `address` dissolves the association.
  int64_t connect(const std::shared_ptr<Socket>& target, const SocketAddress& address) override;
  int shutdown(int how) override;
  // `destination` is the socket bound at sendto's address or, for a connected UDP socket,
  // at its peer's; `destination_address` is null when sendto gave none.
  int64_t send(std::span<const uint8_t> data, int flags, const std::shared_ptr<Socket>& destination,
               const SocketAddress* destination_address) override;
  int64_t receive(std::span<uint8_t> out, int flags, Received* received) override;
  uint32_t poll() const override;

 private:
  bool is_udp() const { return domain() != AF_UNIX; }
  // The largest datagram: the send buffer less an skb's overhead, or what fits in IP.
  size_t max_datagram() const;
  bool queue_full() const;
  int64_t deliver(DatagramSocket& target, std::span<const uint8_t> data, int flags);

  bool connected_ = false;
  std::weak_ptr<DatagramSocket> peer_;  // Unix: the socket connect() chose
  SocketAddress peer_address_;
};

}  // namespace vmlab::os::vfs

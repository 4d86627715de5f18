// Connection-oriented sockets: AF_UNIX SOCK_STREAM and SOCK_SEQPACKET (net/unix/af_unix.c)
// and loopback TCP. A connection is two sockets, each sending into the other's receive
// queue; closing one shuts the other down as Linux does (Unix: both directions, with
// ECONNRESET if data was left unread; TCP: a FIN, or a reset when data was left unread, and
// the reset the next write after a FIN provokes).
#pragma once

#include <deque>
#include <memory>

#include "os/vfs/socket.h"

namespace vmlab::os::vfs {

class StreamSocket final : public Socket {
 public:
  StreamSocket(int domain, int type, uint64_t ino, Timespec created, int flags);
  ~StreamSocket() override;

  // socketpair(2): `a` and `b` connected to each other.
  static void connect_pair(StreamSocket& a, StreamSocket& b);

  std::optional<SocketAddress> peer_address() const override;
  int listen(int backlog) override;
  bool listening() const override { return state_ == State::kListening; }
  int64_t accept(std::shared_ptr<Socket>& connection) override;
  int64_t connect(const std::shared_ptr<Socket>& target, const SocketAddress& address) override;
  int shutdown(int how) override;
  int64_t send(std::span<const uint8_t> data, int flags, const std::shared_ptr<Socket>& destination,
               const SocketAddress* destination_address) override;
  int64_t receive(std::span<uint8_t> out, int flags, Received* received) override;
  // unix_poll / tcp_poll.
  uint32_t poll() const override;

 private:
  enum class State : uint8_t { kUnconnected, kListening, kConnected };

  bool is_tcp() const { return domain() != AF_UNIX; }
  // The peer went away: `reset` when it left data unread or was never accepted.
  void peer_closed(bool reset);
  // The peer shut down its sending (we read EOF) or, for Unix sockets, its receiving.
  void peer_shut_down(int mode);
  // TCP after shutdown(SHUT_WR) or a reset: the pending error, else EPIPE.
  int64_t send_error();
  // A listener closes: the connections waiting in its accept queue are reset.
  void reset_pending_connections();

  State state_ = State::kUnconnected;
  std::weak_ptr<StreamSocket> peer_;
  SocketAddress peer_address_;
  bool peer_gone_ = false;
  bool connect_in_progress_ = false;  // a nonblocking TCP connect said EINPROGRESS  // TCP after a
                                      // FIN from a closed peer: a write provokes a reset
  std::deque<std::shared_ptr<StreamSocket>> accept_queue_;
  size_t backlog_ = 0;
};

}  // namespace vmlab::os::vfs

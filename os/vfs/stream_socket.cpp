#include "os/vfs/stream_socket.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace vmlab::os::vfs {

namespace {

// net.core.somaxconn: listen's backlog is capped there.
constexpr size_t kMaxBacklog = 4096;

}  // namespace

StreamSocket::StreamSocket(int domain, int type, uint64_t ino, Timespec created, int flags)
    : Socket(domain, type, ino, created, flags) {}

StreamSocket::~StreamSocket() {
  if (state_ == State::kConnected)
    if (const auto peer = peer_.lock()) peer->peer_closed(!queue_.empty());
  reset_pending_connections();
}

void StreamSocket::reset_pending_connections() {
  // Connections nobody accepted are reset (Linux's "embrion" connections, or a TCP RST).
  for (const auto& pending : accept_queue_) {
    if (const auto client = pending->peer_.lock()) client->peer_closed(true);
    pending->state_ = State::kUnconnected;
  }
  accept_queue_.clear();
}

void StreamSocket::connect_pair(StreamSocket& a, StreamSocket& b) {
  a.state_ = b.state_ = State::kConnected;
  a.peer_ = std::static_pointer_cast<StreamSocket>(b.shared_from_this());
  b.peer_ = std::static_pointer_cast<StreamSocket>(a.shared_from_this());
  a.peer_address_ = b.local_address();
  b.peer_address_ = a.local_address();
}

void StreamSocket::peer_closed(bool reset) {
  if (!is_tcp()) {
    shutdown_ = kShutdownBoth;
    if (reset) set_error(ECONNRESET);
    return;
  }
  if (reset) {
    // tcp_reset: EPIPE once the peer's FIN came (CLOSE_WAIT), else ECONNRESET.
    set_error(peer_gone_ ? EPIPE : ECONNRESET);
    shutdown_ = kShutdownBoth;
    peer_gone_ = false;
    return;
  }
  shutdown_ |= kReceiveShutdown;
  peer_gone_ = true;
}

void StreamSocket::peer_shut_down(int mode) {
  if ((mode & kSendShutdown) != 0) shutdown_ |= kReceiveShutdown;
  if (!is_tcp() && (mode & kReceiveShutdown) != 0) shutdown_ |= kSendShutdown;
}

std::optional<SocketAddress> StreamSocket::peer_address() const {
  if (state_ != State::kConnected) return std::nullopt;
  return peer_address_;
}

int StreamSocket::listen(int backlog) {
  if (state_ == State::kConnected) return -EINVAL;
  if (!bound()) return -EINVAL;  // the caller binds a TCP socket to a free port first
  backlog_ = std::min(static_cast<size_t>(static_cast<unsigned>(backlog)), kMaxBacklog);
  state_ = State::kListening;
  return 0;
}

int64_t StreamSocket::accept(std::shared_ptr<Socket>& connection) {
  if (state_ != State::kListening) return -EINVAL;
  if (accept_queue_.empty()) return would_block(0);
  connection = accept_queue_.front();
  accept_queue_.pop_front();
  return 0;
}

int64_t StreamSocket::connect(const std::shared_ptr<Socket>& target, const SocketAddress& address) {
  if (state_ == State::kConnected) {
    // The connect after EINPROGRESS learns that the connection is up (inet_stream_connect).
    if (!connect_in_progress_) return -EISCONN;
    connect_in_progress_ = false;
    return 0;
  }
  if (state_ == State::kListening) return is_tcp() ? -EISCONN : -EINVAL;
  if (!target) return -ECONNREFUSED;
  auto listener = std::dynamic_pointer_cast<StreamSocket>(target);
  if (!listener || listener->type() != type()) return is_tcp() ? -ECONNREFUSED : -EPROTOTYPE;
  if (listener->state_ != State::kListening) return -ECONNREFUSED;
  // Linux's sk_acceptq_is_full: the queue holds up to backlog + 1 connections.
  if (listener->accept_queue_.size() > listener->backlog_) return would_block(0);
  auto server = std::make_shared<StreamSocket>(domain(), type(), 0, Timespec{}, 0);
  SocketAddress server_name = listener->local_address();
  if (is_tcp() && server_name.is_any_ip()) server_name.ip = address.ip;
  server->set_local_address(server_name);
  server->options() = listener->options();
  connect_pair(*this, *server);
  peer_address_ = is_tcp() ? address : listener->local_address();
  listener->accept_queue_.push_back(std::move(server));
  // A nonblocking TCP connect reports EINPROGRESS even on the loopback, where the handshake
  // is over by the time it returns.
  connect_in_progress_ = is_tcp() && nonblocking();
  return connect_in_progress_ ? -EINPROGRESS : 0;
}

int StreamSocket::shutdown(int how) {
  const int mode = how + 1;  // SHUT_RD, SHUT_WR, SHUT_RDWR to sk_shutdown bits
  if (is_tcp() && state_ == State::kListening) {
    // inet_shutdown: shutting down reading closes the listener.
    if ((mode & kReceiveShutdown) != 0) {
      reset_pending_connections();
      state_ = State::kUnconnected;
    }
    return 0;
  }
  if (state_ != State::kConnected) {
    shutdown_ |= static_cast<uint8_t>(mode);
    return is_tcp() ? -ENOTCONN : 0;
  }
  shutdown_ |= static_cast<uint8_t>(mode);
  if (const auto peer = peer_.lock()) peer->peer_shut_down(mode);
  return 0;
}

int64_t StreamSocket::send_error() {
  if (const int error = take_error(); error != 0) return -error;
  return -EPIPE;
}

int64_t StreamSocket::send(std::span<const uint8_t> data, int flags, const std::shared_ptr<Socket>&,
                           const SocketAddress*) {
  if (state_ != State::kConnected) {
    if (is_tcp()) return -EPIPE;
    return -ENOTCONN;
  }
  if ((shutdown_ & kSendShutdown) != 0) return is_tcp() ? send_error() : -EPIPE;
  const auto peer = peer_.lock();
  if (peer_gone_ || !peer) {
    // The closed peer answers this segment with a reset; the data is lost.
    peer_closed(true);
    return static_cast<int64_t>(data.size());
  }
  const size_t limit = static_cast<size_t>(peer->options().receive_buffer());
  if (type() == SOCK_SEQPACKET) {
    if (data.size() > limit) return -EMSGSIZE;
    if (peer->queue_.space(limit) < data.size()) return would_block(flags);
    peer->queue_.push(data, local_address());
    return static_cast<int64_t>(data.size());
  }
  if (data.empty()) return 0;
  const size_t space = peer->queue_.space(limit);
  if (space == 0) return would_block(flags);
  const size_t n = std::min(space, data.size());
  peer->queue_.push(data.first(n), is_tcp() ? SocketAddress{} : local_address());
  return static_cast<int64_t>(n);
}

int64_t StreamSocket::receive(std::span<uint8_t> out, int flags, Received* received) {
  if (state_ != State::kConnected) return is_tcp() ? -ENOTCONN : -EINVAL;
  const bool peek = (flags & MSG_PEEK) != 0;
  if (!queue_.empty()) {
    const bool ended = (shutdown_ & kReceiveShutdown) != 0 || error() != 0;
    if ((flags & MSG_WAITALL) != 0 && type() == SOCK_STREAM && queue_.bytes() < out.size() &&
        !ended && would_block(flags) == kWouldBlock)
      return kWouldBlock;
    const SocketQueue::Taken taken =
        type() == SOCK_SEQPACKET ? queue_.take_message(out, peek) : queue_.take_stream(out, peek);
    if (received != nullptr) {
      received->sender = taken.sender;
      received->message_length = taken.message_length;
    }
    return static_cast<int64_t>(taken.copied);
  }
  if (out.empty() && type() == SOCK_STREAM) return 0;
  return nothing_to_read(flags);
}

uint32_t StreamSocket::poll() const {
  using namespace poll_bits;
  const uint32_t writable = kOut | kWrNorm | (is_tcp() ? 0 : kWrBand);
  if (state_ == State::kListening) return accept_queue_.empty() ? 0 : kIn | kRdNorm;
  if (state_ == State::kUnconnected) return kHup | writable;
  uint32_t mask = receive_events();
  const auto peer = peer_.lock();
  const bool room =
      !peer || peer->queue_.space(static_cast<size_t>(peer->options().receive_buffer())) > 0;
  // tcp_poll reports a socket that can no longer send as writable: the write fails at once.
  if (room || (is_tcp() && (shutdown_ & kSendShutdown) != 0)) mask |= writable;
  return mask;
}

}  // namespace vmlab::os::vfs

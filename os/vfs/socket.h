// Sockets inside the machine: AF_UNIX (paths, abstract names, socketpair) and loopback
// AF_INET/AF_INET6 between guest processes. Nothing leaves the machine; the system calls
// (os/syscalls/socket*.cpp) find the socket an address names (SocketNamespace) and hand it to
// these objects, which model Linux's net/unix and a loopback TCP/UDP: a receive queue per
// socket with a byte limit, writers and readers that wait (kWouldBlock, retried by the
// scheduler as pipes are), an accept queue bounded by the backlog.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>
#include <memory>
#include <optional>

#include "os/vfs/open_file.h"
#include "os/vfs/socket_address.h"
#include "os/vfs/socket_options.h"
#include "os/vfs/socket_queue.h"

namespace vmlab::os::vfs {

// Linux's sk_shutdown bits.
inline constexpr uint8_t kReceiveShutdown = 1;
inline constexpr uint8_t kSendShutdown = 2;
inline constexpr uint8_t kShutdownBoth = kReceiveShutdown | kSendShutdown;

// What a receive reports besides its byte count (recvfrom's address, recvmsg's MSG_TRUNC).
struct Received {
  SocketAddress sender;
  size_t message_length = 0;
};

class Socket : public OpenFile, public std::enable_shared_from_this<Socket> {
 public:
  // `domain` AF_UNIX/AF_INET/AF_INET6, `type` SOCK_STREAM/SOCK_DGRAM/SOCK_SEQPACKET (without
  // the SOCK_NONBLOCK/SOCK_CLOEXEC bits); `flags` open-style (O_NONBLOCK).
  Socket(int domain, int type, uint64_t ino, Timespec created, int flags);

  int domain() const { return domain_; }
  int type() const { return type_; }
  bool connection_oriented() const;

  // The name bind() (or an automatic bind) gave it; family 0 while unbound. `node` is the
  // file a Unix path names, kept alive so the namespace can find the socket through it.
  const SocketAddress& local_address() const { return local_; }
  bool bound() const { return local_.family != 0; }
  void set_local_address(SocketAddress address, std::shared_ptr<Inode> node = nullptr);
  const Inode* node() const { return node_.get(); }
  // The connected peer's address; nullopt when not connected (ENOTCONN).
  virtual std::optional<SocketAddress> peer_address() const = 0;

  // listen(2): 0 or -errno (EOPNOTSUPP for datagram sockets, EINVAL when connected).
  virtual int listen(int backlog) = 0;
  virtual bool listening() const { return false; }
  // accept(2): 0 and the new connection, -errno, or kWouldBlock.
  virtual int64_t accept(std::shared_ptr<Socket>& connection) = 0;
  // connect(2) to `target`, the socket bound at `address` (null when none is).
  virtual int64_t connect(const std::shared_ptr<Socket>& target, const SocketAddress& address) = 0;
  // shutdown(2) with SHUT_RD, SHUT_WR or SHUT_RDWR (already checked).
  virtual int shutdown(int how) = 0;
  // Bytes sent, -errno (-EPIPE: the caller raises SIGPIPE unless MSG_NOSIGNAL) or
  // kWouldBlock. `destination` is sendto's target socket for datagrams (null: the peer), and
  // `destination_address` its address.
  virtual int64_t send(std::span<const uint8_t> data, int flags,
                       const std::shared_ptr<Socket>& destination,
                       const SocketAddress* destination_address) = 0;
  // Bytes received (a datagram's copied part), 0 at end of stream, -errno or kWouldBlock.
  // MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL and MSG_TRUNC are understood.
  virtual int64_t receive(std::span<uint8_t> out, int flags, Received* received) = 0;

  // accept(2) names the connection it returns (queued since connect): a fresh inode number.
  void set_identity(uint64_t ino, Timespec created) {
    ino_ = ino;
    created_ = created;
  }

  // SO_ERROR: the pending error (positive errno), cleared by reading it.
  int take_error();
  void set_error(int error) { error_ = error; }
  SocketOptions& options() { return options_; }
  const SocketOptions& options() const { return options_; }

  int64_t read(std::span<uint8_t> out) override { return receive(out, 0, nullptr); }
  int64_t write(std::span<const uint8_t> data) override { return send(data, 0, nullptr, nullptr); }
  FileStat stat() const override;
  std::string describe() const override;

 protected:
  // -EAGAIN for a nonblocking socket or call, else kWouldBlock.
  int64_t would_block(int flags) const;
  int error() const { return error_; }
  // A receive that found the queue empty: the pending error, 0 once reading is shut down, or
  // a wait.
  int64_t nothing_to_read(int flags);
  // What poll reports of the receiving side: POLLERR for a pending error, POLLIN with data or
  // after a shutdown of reading (with POLLRDHUP), POLLHUP once both directions are shut down.
  uint32_t receive_events() const;

  SocketQueue queue_;     // what was sent to this socket
  uint8_t shutdown_ = 0;  // kReceiveShutdown / kSendShutdown, as Linux's sk_shutdown

 private:
  int domain_;
  int type_;
  uint64_t ino_;
  Timespec created_;
  SocketAddress local_;
  std::shared_ptr<Inode> node_;
  SocketOptions options_;
  int error_ = 0;
};

// socket(2)'s new socket: a StreamSocket or a DatagramSocket.
std::shared_ptr<Socket> make_socket(int domain, int type, uint64_t ino, Timespec created,
                                    int flags);

}  // namespace vmlab::os::vfs

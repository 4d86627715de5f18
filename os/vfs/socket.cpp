#include "os/vfs/socket.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include "os/vfs/datagram_socket.h"
#include "os/vfs/overlay_state.h"
#include "os/vfs/stream_socket.h"

namespace vmlab::os::vfs {

namespace {

const uint64_t kSockfsDevice = makedev(0, 8);
constexpr uint32_t kSocketMode = S_IFSOCK | 0777;

SocketOptions default_options(int domain, int type) {
  if (domain != AF_UNIX && type == SOCK_STREAM)
    return SocketOptions(kTcpDefaultReceiveBuffer, kTcpDefaultSendBuffer);
  return SocketOptions(kDefaultSocketBuffer, kDefaultSocketBuffer);
}

}  // namespace

Socket::Socket(int domain, int type, uint64_t ino, Timespec created, int flags)
    : OpenFile(flags | O_RDWR),
      domain_(domain),
      type_(type),
      ino_(ino),
      created_(created),
      options_(default_options(domain, type)) {}

bool Socket::connection_oriented() const {
  return type_ == SOCK_STREAM || type_ == SOCK_SEQPACKET;
}

void Socket::set_local_address(SocketAddress address, std::shared_ptr<Inode> node) {
  local_ = std::move(address);
  node_ = std::move(node);
}

int Socket::take_error() {
  const int error = error_;
  error_ = 0;
  return error;
}

int64_t Socket::would_block(int flags) const {
  return nonblocking() || (flags & MSG_DONTWAIT) != 0 ? -EAGAIN : kWouldBlock;
}

int64_t Socket::nothing_to_read(int flags) {
  if (const int error = take_error(); error != 0) return -error;
  if ((shutdown_ & kReceiveShutdown) != 0) return 0;
  return would_block(flags);
}

uint32_t Socket::receive_events() const {
  using namespace poll_bits;
  uint32_t mask = 0;
  if (error_ != 0) mask |= kErr;
  if (shutdown_ == kShutdownBoth) mask |= kHup;
  if ((shutdown_ & kReceiveShutdown) != 0) mask |= kIn | kRdNorm | kRdHup;
  if (!queue_.empty()) mask |= kIn | kRdNorm;
  return mask;
}

FileStat Socket::stat() const {
  FileStat st;
  st.dev = kSockfsDevice;
  st.ino = ino_;
  st.mode = kSocketMode;
  st.nlink = 1;
  st.blksize = kBlockSize;
  st.atime = st.mtime = st.ctime = created_;
  return st;
}

std::string Socket::describe() const {
  return "socket:[" + std::to_string(ino_) + "]";
}

std::shared_ptr<Socket> make_socket(int domain, int type, uint64_t ino, Timespec created,
                                    int flags) {
  if (type == SOCK_DGRAM) return std::make_shared<DatagramSocket>(domain, ino, created, flags);
  return std::make_shared<StreamSocket>(domain, type, ino, created, flags);
}

}  // namespace vmlab::os::vfs

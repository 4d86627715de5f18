#include "os/vfs/socket.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <cerrno>

#include "os/vfs/overlay_state.h"

namespace vmlab::os::vfs {

namespace {
const uint64_t kSockfsDevice = makedev(0, 8);
constexpr uint32_t kSocketMode = S_IFSOCK | 0777;
}  // namespace

Socket::Socket(int domain, int type, uint64_t ino, Timespec created, int flags)
    : OpenFile(flags | O_RDWR), domain_(domain), type_(type), ino_(ino), created_(created) {}

bool Socket::connection_oriented() const {
  return type_ == SOCK_STREAM || type_ == SOCK_SEQPACKET;
}

int64_t Socket::read(std::span<uint8_t>) {
  // A datagram socket waits for a datagram that never comes.
  if (connection_oriented()) return -ENOTCONN;
  return nonblocking() ? -EAGAIN : kWouldBlock;
}

int64_t Socket::write(std::span<const uint8_t>) {
  return connection_oriented() ? -ENOTCONN : -EDESTADDRREQ;
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

uint32_t Socket::poll() const {
  using namespace poll_bits;
  uint32_t mask = kOut | kWrNorm;
  if (domain_ == AF_UNIX || !connection_oriented()) mask |= kWrBand;
  if (connection_oriented()) mask |= kHup;
  return mask;
}

std::string Socket::describe() const {
  return "socket:[" + std::to_string(ino_) + "]";
}

}  // namespace vmlab::os::vfs

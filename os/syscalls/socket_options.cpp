// setsockopt and getsockopt: the options Linux programs set on their sockets, kept and
// reported back as Linux reports them (booleans read back as 0/1, buffer sizes doubled), and
// the read-only ones (SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ERROR, SO_ACCEPTCONN). The options
// change nothing else in a machine whose loopback neither delays nor loses data.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/socket_common.h"

namespace vmlab::os::socket_syscalls {

namespace {

enum class Kind : uint8_t { kBool, kInt, kBytes };

struct OptionSpec {
  int level;
  int name;
  Kind kind;
  size_t size;  // the least setsockopt accepts, and what getsockopt returns
  int default_value;
};

constexpr size_t kInt = sizeof(int);
constexpr size_t kTimeval = 16;
constexpr size_t kLinger = 8;
constexpr int kDefaultTtl = 64;

constexpr OptionSpec kOptions[] = {
    {SOL_SOCKET, SO_REUSEADDR, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_REUSEPORT, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_KEEPALIVE, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_BROADCAST, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_OOBINLINE, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_PASSCRED, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_DONTROUTE, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_TIMESTAMP, Kind::kBool, kInt, 0},
    {SOL_SOCKET, SO_PRIORITY, Kind::kInt, kInt, 0},
    {SOL_SOCKET, SO_RCVLOWAT, Kind::kInt, kInt, 1},
    {SOL_SOCKET, SO_LINGER, Kind::kBytes, kLinger, 0},
    {SOL_SOCKET, SO_RCVTIMEO, Kind::kBytes, kTimeval, 0},
    {SOL_SOCKET, SO_SNDTIMEO, Kind::kBytes, kTimeval, 0},
    {IPPROTO_TCP, TCP_NODELAY, Kind::kBool, kInt, 0},
    {IPPROTO_TCP, TCP_CORK, Kind::kBool, kInt, 0},
    {IPPROTO_TCP, TCP_QUICKACK, Kind::kBool, kInt, 1},
    {IPPROTO_TCP, TCP_KEEPIDLE, Kind::kInt, kInt, 7200},
    {IPPROTO_TCP, TCP_KEEPINTVL, Kind::kInt, kInt, 75},
    {IPPROTO_TCP, TCP_KEEPCNT, Kind::kInt, kInt, 9},
    {IPPROTO_IP, IP_TOS, Kind::kInt, kInt, 0},
    {IPPROTO_IP, IP_TTL, Kind::kInt, kInt, kDefaultTtl},
    {IPPROTO_IPV6, IPV6_V6ONLY, Kind::kBool, kInt, 0},
    {IPPROTO_IPV6, IPV6_UNICAST_HOPS, Kind::kInt, kInt, kDefaultTtl},
};

// The error for an option level `socket` does not have (0 when it has it).
int level_error(const vfs::Socket& socket, int level) {
  if (level == SOL_SOCKET) return 0;
  if (socket.domain() == AF_UNIX) return -EOPNOTSUPP;
  if (level == IPPROTO_TCP) return socket.type() == SOCK_STREAM ? 0 : -ENOPROTOOPT;
  if (level == IPPROTO_IP) return 0;
  if (level == IPPROTO_IPV6) return socket.domain() == AF_INET6 ? 0 : -ENOPROTOOPT;
  return -ENOPROTOOPT;
}

const OptionSpec* find_option(int level, int name) {
  for (const OptionSpec& spec : kOptions)
    if (spec.level == level && spec.name == name) return &spec;
  return nullptr;
}

std::vector<uint8_t> int_bytes(int value) {
  std::vector<uint8_t> bytes(kInt);
  std::memcpy(bytes.data(), &value, kInt);
  return bytes;
}

// setsockopt(fd, level, name, value, length)
int64_t sys_setsockopt(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  const int level = c.int_arg(1);
  const int name = c.int_arg(2);
  const int length = c.int_arg(4);
  if (const int e = level_error(*socket, level)) return e;
  const bool buffer_size =
      level == SOL_SOCKET &&
      (name == SO_RCVBUF || name == SO_SNDBUF || name == SO_RCVBUFFORCE || name == SO_SNDBUFFORCE);
  const OptionSpec* spec = find_option(level, name);
  if (!spec && !buffer_size) return -ENOPROTOOPT;
  const size_t needed = spec ? spec->size : kInt;
  if (length < 0 || static_cast<size_t>(length) < needed) return -EINVAL;
  std::vector<uint8_t> value(needed);
  if (!c.user().read(c.arg(3), value)) return -EFAULT;
  int number = 0;
  std::memcpy(&number, value.data(), std::min(value.size(), kInt));
  if (buffer_size) {
    if (name == SO_RCVBUF || name == SO_RCVBUFFORCE)
      socket->options().set_receive_buffer(number);
    else
      socket->options().set_send_buffer(number);
    return 0;
  }
  if (spec->kind == Kind::kBool) value = int_bytes(number != 0 ? 1 : 0);
  socket->options().set(level, name, value);
  return 0;
}

int protocol_of(const vfs::Socket& socket) {
  if (socket.domain() == AF_UNIX) return 0;
  return socket.type() == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
}

// The value getsockopt reports, nullopt for an option Linux does not know there.
std::optional<std::vector<uint8_t>> option_value(vfs::Socket& socket, int level, int name) {
  if (level == SOL_SOCKET) {
    switch (name) {
      case SO_TYPE:
        return int_bytes(socket.type());
      case SO_DOMAIN:
        return int_bytes(socket.domain());
      case SO_PROTOCOL:
        return int_bytes(protocol_of(socket));
      case SO_ERROR:
        return int_bytes(socket.take_error());
      case SO_ACCEPTCONN:
        return int_bytes(socket.listening() ? 1 : 0);
      case SO_RCVBUF:
        return int_bytes(socket.options().receive_buffer());
      case SO_SNDBUF:
        return int_bytes(socket.options().send_buffer());
      default:
        break;
    }
  }
  const OptionSpec* spec = find_option(level, name);
  if (!spec) return std::nullopt;
  if (const std::vector<uint8_t>* set = socket.options().get(level, name)) return *set;
  if (spec->kind == Kind::kBytes) return std::vector<uint8_t>(spec->size);
  return int_bytes(spec->default_value);
}

// getsockopt(fd, level, name, value, length)
int64_t sys_getsockopt(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  const int level = c.int_arg(1);
  if (const int e = level_error(*socket, level)) return e;
  int32_t length = 0;
  if (!c.user().read_value(c.arg(4), length)) return -EFAULT;
  if (length < 0) return -EINVAL;
  const auto value = option_value(*socket, level, c.int_arg(2));
  if (!value) return -ENOPROTOOPT;
  const size_t n = std::min(value->size(), static_cast<size_t>(length));
  if (n > 0 && !c.user().write(c.arg(3), {value->data(), n})) return -EFAULT;
  return c.user().write_value(c.arg(4), static_cast<int32_t>(n)) ? 0 : -EFAULT;
}

}  // namespace

void register_option_calls(SyscallTable& table) {
  table.add(SYS_setsockopt, sys_setsockopt);
  table.add(SYS_getsockopt, sys_getsockopt);
}

}  // namespace vmlab::os::socket_syscalls

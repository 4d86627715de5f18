// Socket system calls for vfs::Socket (see os/vfs/socket.h: no network, no servers): socket,
// connect, the name and option queries, shutdown and the unconnected data calls. bind,
// listen, accept and socketpair are not implemented.
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "os/kernel.h"
#include "os/syscalls/file_common.h"
#include "os/syscalls/syscall_table.h"
#include "os/vfs/overlay_state.h"
#include "os/vfs/socket.h"

namespace vmlab::os {

namespace {

constexpr int kTypeMask = 0xf;  // the socket type below SOCK_NONBLOCK / SOCK_CLOEXEC
constexpr uint64_t kMaxAddress = sizeof(sockaddr_storage);

int64_t sys_socket(SyscallContext& c) {
  const int domain = c.int_arg(0);
  const int type = c.int_arg(1) & kTypeMask;
  const int flags = c.int_arg(1) & ~kTypeMask;
  if ((flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) != 0) return -EINVAL;
  if (domain != AF_UNIX && domain != AF_INET && domain != AF_INET6) return -EAFNOSUPPORT;
  const bool known_type =
      type == SOCK_STREAM || type == SOCK_DGRAM || (type == SOCK_SEQPACKET && domain == AF_UNIX);
  if (!known_type) return -ESOCKTNOSUPPORT;
  vfs::OverlayState& state = *c.kernel.fs().state();
  auto socket = std::make_shared<vfs::Socket>(domain, type, state.new_ino(), state.now(),
                                              (flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
  return c.process.fds().allocate(std::move(socket), (flags & SOCK_CLOEXEC) != 0);
}

// The socket behind a descriptor argument, or -EBADF / -ENOTSOCK in `error`.
std::shared_ptr<vfs::Socket> socket_arg(SyscallContext& c, int64_t& error) {
  auto file = c.process.fds().get(c.int_arg(0));
  if (!file) {
    error = -EBADF;
    return nullptr;
  }
  auto socket = std::dynamic_pointer_cast<vfs::Socket>(file);
  error = socket ? 0 : -ENOTSOCK;
  return socket;
}

// Where a connection to the address at `pointer` would go: the errno of the failure.
int64_t reach(SyscallContext& c, const vfs::Socket& socket, uint64_t pointer, uint64_t length) {
  if (length < sizeof(sa_family_t) || length > kMaxAddress) return -EINVAL;
  sockaddr_storage address{};
  if (!c.user().read(pointer, {reinterpret_cast<uint8_t*>(&address), length})) return -EFAULT;
  if (address.ss_family != socket.domain()) return -EAFNOSUPPORT;
  if (socket.domain() != AF_UNIX) return -ENETUNREACH;
  const auto& unix_address = reinterpret_cast<const sockaddr_un&>(address);
  const size_t path_bytes = length - offsetof(sockaddr_un, sun_path);
  if (path_bytes == 0 || unix_address.sun_path[0] == '\0') return -ECONNREFUSED;  // abstract
  const std::string path(unix_address.sun_path, strnlen(unix_address.sun_path, path_bytes));
  const vfs::Lookup found = c.kernel.fs().resolve(path, c.process.cwd, vfs::Follow::kYes);
  return found.error != 0 ? found.error : -ECONNREFUSED;
}

int64_t sys_connect(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  if (!socket) return error;
  return reach(c, *socket, c.arg(1), c.arg(2));
}

// sendto with an address on a datagram socket tries to reach it; everything else is an
// unconnected socket's write.
int64_t sys_sendto(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  if (!socket) return error;
  if (c.arg(4) != 0 && !socket->connection_oriented()) return reach(c, *socket, c.arg(4), c.arg(5));
  return socket->write({});
}

int64_t sys_sendmsg(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  return socket ? socket->write({}) : error;
}

int64_t sys_receive(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  if (!socket) return error;
  return file_syscalls::finish_io(c, socket->read({}));
}

int64_t sys_shutdown(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  return socket ? -ENOTCONN : error;
}

// getsockname of an unbound socket: its family and nothing else (an unbound Unix socket), or
// the family and a zero address and port.
int64_t sys_getsockname(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  if (!socket) return error;
  uint32_t length = 0;
  if (!c.user().read_value(c.arg(2), length)) return -EFAULT;
  sockaddr_storage address{};
  address.ss_family = static_cast<sa_family_t>(socket->domain());
  const uint32_t full = socket->domain() == AF_UNIX   ? sizeof(sa_family_t)
                        : socket->domain() == AF_INET ? sizeof(sockaddr_in)
                                                      : sizeof(sockaddr_in6);
  if (!c.user().write(c.arg(1), {reinterpret_cast<const uint8_t*>(&address),
                                 std::min<uint32_t>(length, full)}) ||
      !c.user().write_value(c.arg(2), full))
    return -EFAULT;
  return 0;
}

int64_t sys_getpeername(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  return socket ? -ENOTCONN : error;
}

// Options are accepted and forgotten: no option changes what an unconnected socket does.
int64_t sys_setsockopt(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  return socket ? 0 : error;
}

int64_t sys_getsockopt(SyscallContext& c) {
  int64_t error = 0;
  auto socket = socket_arg(c, error);
  if (!socket) return error;
  if (c.int_arg(1) != SOL_SOCKET) return -ENOPROTOOPT;
  int value = 0;
  switch (c.int_arg(2)) {
    case SO_TYPE:
      value = socket->type();
      break;
    case SO_DOMAIN:
      value = socket->domain();
      break;
    case SO_ERROR:
    case SO_ACCEPTCONN:
      value = 0;
      break;
    default:
      return -ENOPROTOOPT;
  }
  uint32_t length = 0;
  if (!c.user().read_value(c.arg(4), length)) return -EFAULT;
  if (length < sizeof value) return -EINVAL;
  return c.user().write_value(c.arg(3), value) &&
                 c.user().write_value(c.arg(4), static_cast<uint32_t>(sizeof value))
             ? 0
             : -EFAULT;
}

}  // namespace

void register_socket_syscalls(SyscallTable& table) {
  table.add(SYS_socket, sys_socket);
  table.add(SYS_connect, sys_connect);
  table.add(SYS_sendto, sys_sendto);
  table.add(SYS_sendmsg, sys_sendmsg);
  table.add(SYS_recvfrom, sys_receive);
  table.add(SYS_recvmsg, sys_receive);
  table.add(SYS_shutdown, sys_shutdown);
  table.add(SYS_getsockname, sys_getsockname);
  table.add(SYS_getpeername, sys_getpeername);
  table.add(SYS_setsockopt, sys_setsockopt);
  table.add(SYS_getsockopt, sys_getsockopt);
}

}  // namespace vmlab::os

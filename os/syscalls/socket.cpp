// Creating, naming and connecting sockets (os/vfs/socket.h: everything stays inside the
// machine): socket, socketpair, bind, listen, accept, accept4, connect, shutdown,
// getsockname, getpeername. Data calls are in socket_data.cpp, options in socket_options.cpp.
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <cerrno>

#include "os/kernel.h"
#include "os/syscalls/socket_common.h"
#include "os/syscalls/syscall_table.h"
#include "os/vfs/datagram_socket.h"
#include "os/vfs/overlay_state.h"
#include "os/vfs/stream_socket.h"

namespace vmlab::os {

namespace {

using namespace socket_syscalls;

constexpr int kTypeMask = 0xf;  // the socket type below SOCK_NONBLOCK / SOCK_CLOEXEC
constexpr int kFdFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

// socket(2)'s arguments checked as Linux checks them; 0 or -errno.
int check_socket_args(int domain, int type, int flags, int protocol) {
  if ((flags & ~kFdFlags) != 0) return -EINVAL;
  if (domain != AF_UNIX && domain != AF_INET && domain != AF_INET6) return -EAFNOSUPPORT;
  if (type != SOCK_STREAM && type != SOCK_DGRAM && type != SOCK_SEQPACKET && type != SOCK_RAW)
    return -EINVAL;
  if (domain == AF_UNIX) {
    if (type == SOCK_RAW) return -ESOCKTNOSUPPORT;
    return protocol == 0 || protocol == PF_UNIX ? 0 : -EPROTONOSUPPORT;
  }
  if (type == SOCK_SEQPACKET) return -ESOCKTNOSUPPORT;
  if (type == SOCK_RAW) return -EPERM;  // needs CAP_NET_RAW, which the machine does not grant
  const int expected = type == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
  return protocol == 0 || protocol == expected ? 0 : -EPROTONOSUPPORT;
}

std::shared_ptr<vfs::Socket> new_socket(SyscallContext& c, int domain, int type, int flags) {
  vfs::OverlayState& state = *c.kernel.fs().state();
  return vfs::make_socket(domain, type, state.new_ino(), state.now(),
                          (flags & SOCK_NONBLOCK) != 0 ? O_NONBLOCK : 0);
}

int64_t sys_socket(SyscallContext& c) {
  const int domain = c.int_arg(0);
  const int type = c.int_arg(1) & kTypeMask;
  const int flags = c.int_arg(1) & ~kTypeMask;
  if (const int error = check_socket_args(domain, type, flags, c.int_arg(2))) return error;
  return c.process.fds().allocate(new_socket(c, domain, type, flags), (flags & SOCK_CLOEXEC) != 0);
}

// socketpair(domain, type, protocol, sv[2]): Unix sockets only, as on Linux.
int64_t sys_socketpair(SyscallContext& c) {
  const int domain = c.int_arg(0);
  const int type = c.int_arg(1) & kTypeMask;
  const int flags = c.int_arg(1) & ~kTypeMask;
  if (const int error = check_socket_args(domain, type, flags, c.int_arg(2))) return error;
  if (domain != AF_UNIX) return -EOPNOTSUPP;
  const auto a = new_socket(c, domain, type, flags);
  const auto b = new_socket(c, domain, type, flags);
  if (type == SOCK_DGRAM)
    vfs::DatagramSocket::connect_pair(static_cast<vfs::DatagramSocket&>(*a),
                                      static_cast<vfs::DatagramSocket&>(*b));
  else
    vfs::StreamSocket::connect_pair(static_cast<vfs::StreamSocket&>(*a),
                                    static_cast<vfs::StreamSocket&>(*b));
  const bool cloexec = (flags & SOCK_CLOEXEC) != 0;
  const int fds[2] = {c.process.fds().allocate(a, cloexec), c.process.fds().allocate(b, cloexec)};
  if (fds[1] < 0 || !c.user().write_value(c.arg(3), fds)) {
    c.process.fds().close(fds[0]);
    if (fds[1] >= 0) c.process.fds().close(fds[1]);
    return fds[1] < 0 ? fds[1] : -EFAULT;
  }
  return 0;
}

int bind_unix(SyscallContext& c, vfs::Socket& socket, vfs::SocketAddress address, bool autobind) {
  vfs::SocketNamespace& names = c.kernel.fs().sockets();
  if (autobind) address.unix_name = names.autobind_name();
  if (address.unix_name.empty()) return -EADDRINUSE;  // every automatic name is taken
  if (address.is_abstract()) {
    if (const int error = names.bind_abstract(address.unix_name, socket.shared_from_this()))
      return error;
    socket.set_local_address(address);
    return 0;
  }
  const auto node =
      c.kernel.fs().make_socket_node(address.unix_name, c.process.cwd, 0777 & ~c.process.umask);
  if (!node) return static_cast<int>(node.error().syscall_return());
  names.bind_node(node->inode.get(), socket.shared_from_this());
  socket.set_local_address(address, node->inode);
  return 0;
}

int64_t sys_bind(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  vfs::SocketAddress address;
  bool autobind = false;
  if (const int e = read_address(c, *socket, c.arg(1), c.arg(2), address, &autobind)) return e;
  if (socket->bound()) return -EINVAL;
  if (socket->domain() == AF_UNIX) return bind_unix(c, *socket, address, autobind);
  if (!address.is_local_ip()) return -EADDRNOTAVAIL;
  const int port =
      c.kernel.fs().sockets().bind_port(socket->type(), address, socket->shared_from_this());
  if (port < 0) return port;
  address.port = static_cast<uint16_t>(port);
  socket->set_local_address(address);
  return 0;
}

int64_t sys_listen(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  if (!socket->connection_oriented()) return -EOPNOTSUPP;
  if (!socket->listening() && !socket->peer_address())
    if (const int e = bind_ephemeral(c, *socket)) return e;
  return socket->listen(c.int_arg(1));
}

// accept4(fd, addr, addrlen, flags); accept is flags 0.
int64_t sys_accept4(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  const int flags = c.number == SYS_accept4 ? c.int_arg(3) : 0;
  if ((flags & ~kFdFlags) != 0) return -EINVAL;
  std::shared_ptr<vfs::Socket> connection;
  if (const int64_t result = socket->accept(connection); result != 0)
    return finish_receive(c, result);
  vfs::OverlayState& state = *c.kernel.fs().state();
  connection->set_identity(state.new_ino(), state.now());
  if ((flags & SOCK_NONBLOCK) != 0) connection->set_flags(connection->flags() | O_NONBLOCK);
  if (c.arg(1) != 0) {
    const auto peer = connection->peer_address().value_or(vfs::SocketAddress{});
    if (const int e = write_address(c, peer.to_bytes(socket->domain()), c.arg(1), c.arg(2)))
      return e;
  }
  return c.process.fds().allocate(connection, (flags & SOCK_CLOEXEC) != 0);
}

int64_t sys_connect(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  vfs::SocketAddress address;
  sa_family_t family = 0;
  if (!socket->connection_oriented() && c.arg(2) >= sizeof family &&
      c.user().read_value(c.arg(1), family) && family == AF_UNSPEC)
    return socket->connect(nullptr, address);  // a datagram socket forgets its peer
  if (const int e = read_address(c, *socket, c.arg(1), c.arg(2), address)) return e;
  std::shared_ptr<vfs::Socket> target;
  if (const int e = find_target(c, *socket, address, target)) return e;
  const bool reachable = target && (target->listening() || !socket->connection_oriented());
  if (reachable || !socket->connection_oriented())
    if (const int e = bind_ephemeral(c, *socket)) return e;
  return finish_receive(c, socket->connect(target, address));
}

int64_t sys_shutdown(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  const int how = c.int_arg(1);
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR) return -EINVAL;
  return socket->shutdown(how);
}

int64_t sys_getsockname(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  vfs::SocketAddress address = socket->local_address();
  if (!socket->bound() && socket->domain() != AF_UNIX) address.family = socket->domain();
  return write_address(c, address.to_bytes(socket->domain()), c.arg(1), c.arg(2));
}

int64_t sys_getpeername(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  const auto peer = socket->peer_address();
  if (!peer) return -ENOTCONN;
  return write_address(c, peer->to_bytes(socket->domain()), c.arg(1), c.arg(2));
}

}  // namespace

void register_socket_syscalls(SyscallTable& table) {
  table.add(SYS_socket, sys_socket);
  table.add(SYS_socketpair, sys_socketpair);
  table.add(SYS_bind, sys_bind);
  table.add(SYS_listen, sys_listen);
  table.add(SYS_accept, sys_accept4);
  table.add(SYS_accept4, sys_accept4);
  table.add(SYS_connect, sys_connect);
  table.add(SYS_shutdown, sys_shutdown);
  table.add(SYS_getsockname, sys_getsockname);
  table.add(SYS_getpeername, sys_getpeername);
  register_data_calls(table);
  register_option_calls(table);
}

}  // namespace vmlab::os

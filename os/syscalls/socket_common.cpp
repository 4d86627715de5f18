#include "os/syscalls/socket_common.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <algorithm>
#include <cerrno>

#include "os/kernel.h"
#include "os/syscalls/file_common.h"

namespace vmlab::os::socket_syscalls {

std::shared_ptr<vfs::Socket> socket_arg(SyscallContext& c, int index, int64_t& error) {
  auto file = c.process.fds().get(c.int_arg(index));
  if (!file) {
    error = -EBADF;
    return nullptr;
  }
  auto socket = std::dynamic_pointer_cast<vfs::Socket>(file);
  error = socket ? 0 : -ENOTSOCK;
  return socket;
}

int read_address(SyscallContext& c, const vfs::Socket& socket, uint64_t pointer, uint64_t length,
                 vfs::SocketAddress& out, bool* autobind) {
  if (static_cast<int>(length) < 0 || length > sizeof(sockaddr_storage)) return -EINVAL;
  std::vector<uint8_t> bytes(length);
  if (!c.user().read(pointer, bytes)) return -EFAULT;
  if (socket.domain() == AF_UNIX) {
    bool unnamed = false;
    const int error = vfs::parse_unix_address(bytes, out, &unnamed);
    if (autobind != nullptr) *autobind = unnamed;
    return error == 0 && unnamed && autobind == nullptr ? -EINVAL : error;
  }
  return vfs::parse_inet_address(bytes, socket.domain(), out);
}

int write_address(SyscallContext& c, const std::vector<uint8_t>& address, uint64_t pointer,
                  uint64_t length_pointer) {
  int32_t length = 0;
  if (!c.user().read_value(length_pointer, length)) return -EFAULT;
  if (length < 0) return -EINVAL;
  const size_t n = std::min(address.size(), static_cast<size_t>(length));
  if (n > 0 && !c.user().write(pointer, {address.data(), n})) return -EFAULT;
  return c.user().write_value(length_pointer, static_cast<int32_t>(address.size())) ? 0 : -EFAULT;
}

int find_target(SyscallContext& c, const vfs::Socket& socket, const vfs::SocketAddress& address,
                std::shared_ptr<vfs::Socket>& target) {
  vfs::SocketNamespace& names = c.kernel.fs().sockets();
  target = nullptr;
  if (socket.domain() != AF_UNIX) {
    if (!address.is_local_ip()) return -ENETUNREACH;
    target = names.find_port(socket.type(), address);
    return 0;
  }
  if (address.is_abstract()) {
    target = names.find_abstract(address.unix_name);
    return target ? 0 : -ECONNREFUSED;
  }
  const auto found = c.kernel.fs().resolve(address.unix_name, c.process.cwd, vfs::Follow::kYes);
  if (!found) return static_cast<int>(found.error().syscall_return());
  if (!S_ISSOCK(found->inode->type())) return -ECONNREFUSED;
  target = names.find_node(found->inode.get());
  return target ? 0 : -ECONNREFUSED;
}

int bind_ephemeral(SyscallContext& c, vfs::Socket& socket) {
  if (socket.domain() == AF_UNIX || socket.bound()) return 0;
  vfs::SocketAddress address = vfs::loopback_address(socket.domain(), 0);
  const int port =
      c.kernel.fs().sockets().bind_port(socket.type(), address, socket.shared_from_this());
  if (port < 0) return port;
  address.port = static_cast<uint16_t>(port);
  socket.set_local_address(address);
  return 0;
}

int64_t finish_send(SyscallContext& c, int64_t result, int flags) {
  if (result == -EPIPE && (flags & MSG_NOSIGNAL) != 0) return result;
  return file_syscalls::finish_io(c, result);
}

int64_t finish_receive(SyscallContext& c, int64_t result) {
  return file_syscalls::finish_io(c, result);
}

}  // namespace vmlab::os::socket_syscalls

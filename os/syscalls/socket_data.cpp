// Moving data through sockets: sendto, sendmsg, recvfrom, recvmsg. read(2) and write(2) reach
// the same code through OpenFile. Ancillary data (msg_control) is not carried: recvmsg reports
// none.
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "os/kernel.h"
#include "os/syscalls/file_common.h"
#include "os/syscalls/socket_common.h"

namespace vmlab::os::socket_syscalls {

namespace {

// Where a send goes: sendto's or sendmsg's address (may be absent) on `socket`.
struct Destination {
  std::shared_ptr<vfs::Socket> socket;
  vfs::SocketAddress address;
  bool given = false;
};

int find_destination(SyscallContext& c, vfs::Socket& socket, uint64_t pointer, uint64_t length,
                     Destination& out) {
  if (pointer != 0 && length != 0) {
    if (socket.connection_oriented()) {
      // TCP ignores the address; a Unix stream refuses it.
      if (socket.domain() != AF_UNIX) return 0;
      return socket.peer_address() ? -EISCONN : -EOPNOTSUPP;
    }
    if (const int e = read_address(c, socket, pointer, length, out.address)) return e;
    if (const int e = find_target(c, socket, out.address, out.socket)) return e;
    out.given = true;
    return bind_ephemeral(c, socket);
  }
  // A connected UDP socket sends to whoever is bound at its peer's address now.
  if (socket.domain() != AF_UNIX && !socket.connection_oriented())
    if (const auto peer = socket.peer_address())
      out.socket = c.kernel.fs().sockets().find_port(socket.type(), *peer);
  return 0;
}

int64_t send_bytes(SyscallContext& c, vfs::Socket& socket, std::span<const uint8_t> data, int flags,
                   uint64_t address, uint64_t address_length) {
  Destination destination;
  if (const int e = find_destination(c, socket, address, address_length, destination)) return e;
  const int64_t result = socket.send(data, flags, destination.socket,
                                     destination.given ? &destination.address : nullptr);
  return finish_send(c, result, flags);
}

// sendto(fd, buf, len, flags, addr, addrlen)
int64_t sys_sendto(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  std::vector<uint8_t> data(std::min(c.arg(2), file_syscalls::kMaxTransfer));
  if (!c.user().read(c.arg(1), data)) return -EFAULT;
  return send_bytes(c, *socket, data, c.int_arg(3), c.arg(4), c.int_arg(5));
}

// sendmsg's and recvmsg's socket, struct msghdr and the iovecs it names.
struct Message {
  std::shared_ptr<vfs::Socket> socket;
  msghdr header{};
  std::vector<struct iovec> iov;
  uint64_t total = 0;  // the iovecs' bytes
};

int64_t read_message(SyscallContext& c, Message& m) {
  int64_t error = 0;
  m.socket = socket_arg(c, 0, error);
  if (!m.socket) return error;
  if (!c.user().read_value(c.arg(1), m.header)) return -EFAULT;
  return file_syscalls::read_iovecs(c, reinterpret_cast<uint64_t>(m.header.msg_iov),
                                    m.header.msg_iovlen, m.iov, &m.total);
}

// sendmsg(fd, msg, flags)
int64_t sys_sendmsg(SyscallContext& c) {
  Message m;
  if (const int64_t e = read_message(c, m)) return e;
  std::vector<uint8_t> data;
  if (!file_syscalls::gather(c, m.iov, m.total, data)) return -EFAULT;
  return send_bytes(c, *m.socket, data, c.int_arg(2), reinterpret_cast<uint64_t>(m.header.msg_name),
                    m.header.msg_namelen);
}

// A receive of up to `capacity` bytes: the result (bytes, or a datagram's full length with
// MSG_TRUNC), the bytes themselves and what else the socket reports.
int64_t receive_bytes(SyscallContext& c, vfs::Socket& socket, uint64_t capacity, int flags,
                      std::vector<uint8_t>& data, vfs::Received& received) {
  data.resize(std::min(capacity, file_syscalls::kMaxTransfer));
  const int64_t result = finish_receive(c, socket.receive(data, flags, &received));
  if (result < 0 || c.block) return result;
  data.resize(std::min<size_t>(data.size(), static_cast<size_t>(result)));
  return result;
}

std::vector<uint8_t> sender_bytes(const vfs::Socket& socket, const vfs::Received& received) {
  if (received.sender.family == 0) return {};  // an unbound sender, or TCP: no address
  return received.sender.to_bytes(socket.domain());
}

// recvfrom(fd, buf, len, flags, addr, addrlen)
int64_t sys_recvfrom(SyscallContext& c) {
  int64_t error = 0;
  const auto socket = socket_arg(c, 0, error);
  if (!socket) return error;
  std::vector<uint8_t> data;
  vfs::Received received;
  const int64_t result = receive_bytes(c, *socket, c.arg(2), c.int_arg(3), data, received);
  if (result < 0 || c.block) return result;
  if (!data.empty() && !c.user().write(c.arg(1), data)) return -EFAULT;
  if (c.arg(4) != 0 && c.arg(5) != 0)
    if (const int e = write_address(c, sender_bytes(*socket, received), c.arg(4), c.arg(5)))
      return e;
  return result;
}

// recvmsg(fd, msg, flags): the data, msg_name and msg_namelen, no control data, msg_flags.
int64_t sys_recvmsg(SyscallContext& c) {
  Message m;
  if (const int64_t e = read_message(c, m)) return e;
  std::vector<uint8_t> data;
  vfs::Received received;
  const int64_t result = receive_bytes(c, *m.socket, m.total, c.int_arg(2), data, received);
  if (result < 0 || c.block) return result;
  if (!file_syscalls::scatter(c, m.iov, data)) return -EFAULT;
  const std::vector<uint8_t> sender = sender_bytes(*m.socket, received);
  msghdr& header = m.header;
  const size_t name_bytes = std::min<size_t>(sender.size(), header.msg_namelen);
  if (header.msg_name != nullptr && name_bytes > 0 &&
      !c.user().write(reinterpret_cast<uint64_t>(header.msg_name), {sender.data(), name_bytes}))
    return -EFAULT;
  header.msg_namelen = header.msg_name != nullptr ? static_cast<socklen_t>(sender.size()) : 0;
  header.msg_controllen = 0;
  header.msg_flags = received.message_length > data.size() ? MSG_TRUNC : 0;
  return c.user().write_value(c.arg(1), header) ? result : -EFAULT;
}

}  // namespace

void register_data_calls(SyscallTable& table) {
  table.add(SYS_sendto, sys_sendto);
  table.add(SYS_sendmsg, sys_sendmsg);
  table.add(SYS_recvfrom, sys_recvfrom);
  table.add(SYS_recvmsg, sys_recvmsg);
}

}  // namespace vmlab::os::socket_syscalls

// What the socket system calls share: the socket behind a descriptor, sockaddr arguments in
// and out, the socket an address reaches inside the machine, automatic binds, and the end of
// a send or receive (waiting, SIGPIPE).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "os/syscalls/syscall_table.h"
#include "os/vfs/socket.h"

namespace vmlab::os::socket_syscalls {

// The socket open on descriptor argument `index`, or null with -EBADF / -ENOTSOCK in `error`.
std::shared_ptr<vfs::Socket> socket_arg(SyscallContext& c, int index, int64_t& error);

// The sockaddr of `length` bytes at `pointer`, for `socket`'s family: 0 or -errno. `autobind`
// (may be null) is set for a Unix address without a name (bind picks one).
int read_address(SyscallContext& c, const vfs::Socket& socket, uint64_t pointer, uint64_t length,
                 vfs::SocketAddress& out, bool* autobind = nullptr);

// Writes `address` as Linux does: at most *length_pointer bytes of it, and its full length
// to *length_pointer. -EINVAL for a negative length, -EFAULT.
int write_address(SyscallContext& c, const std::vector<uint8_t>& address, uint64_t pointer,
                  uint64_t length_pointer);

// The socket bound where `address` points: 0 and the socket (null when nothing listens
// there, which each call answers its own way), or the error of reaching it: ENOENT and
// friends for a Unix path, ECONNREFUSED for a Unix name nobody bound, ENETUNREACH for an
// Internet address outside the machine.
int find_target(SyscallContext& c, const vfs::Socket& socket, const vfs::SocketAddress& address,
                std::shared_ptr<vfs::Socket>& target);

// An unbound Internet socket gets the loopback address and a free ephemeral port (connect,
// listen, a UDP send). 0 or -errno.
int bind_ephemeral(SyscallContext& c, vfs::Socket& socket);

// A send's result: the call waits on kWouldBlock, and EPIPE raises SIGPIPE unless the flags
// have MSG_NOSIGNAL.
int64_t finish_send(SyscallContext& c, int64_t result, int flags);
// A receive's result: the call waits on kWouldBlock.
int64_t finish_receive(SyscallContext& c, int64_t result);

void register_data_calls(SyscallTable& table);
void register_option_calls(SyscallTable& table);

}  // namespace vmlab::os::socket_syscalls

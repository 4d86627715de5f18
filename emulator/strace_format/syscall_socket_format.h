// How strace prints the arguments of the socket and epoll calls: "AF_INET",
// "SOCK_STREAM|SOCK_CLOEXEC", "{sa_family=AF_INET, sin_port=htons(80),
// sin_addr=inet_addr("127.0.0.1")}", "[16]", "SOL_SOCKET, SO_REUSEADDR, [1]",
// "{events=EPOLLIN, data={u32=3, u64=3}}", and socket errno names.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "emulator/strace_format/syscall_format.h"
#include "emulator/strace_format/syscall_signatures.h"

namespace vmlab::emulator {

// Argument `index` of `args` of kind `kind` (one of the socket and epoll kinds of Arg);
// `result` is the call's result once it returned (buffers the kernel fills are shown then).
std::string socket_argument(const PeekMemory& peek, Arg kind, const uint64_t (&args)[6],
                            size_t index, std::optional<int64_t> result);

// "ECONNREFUSED" and the other errnos of the network; nullptr for others.
const char* socket_errno_name(int error);

}  // namespace vmlab::emulator

// How strace prints the arguments and results of poll, ppoll, select and pselect6, and the
// signal sets they (and others) take: "[{fd=3, events=POLLIN}]", "[3 4]", "[USR1 CHLD]", and
// after the result "([{fd=3, revents=POLLIN}], left {tv_sec=0, tv_nsec=999000})",
// "(in [3], out [4])" or "(Timeout)".
#pragma once

#include <cstdint>
#include <string>

#include "emulator/strace_format/syscall_format.h"

namespace vmlab::emulator {

// The `count` struct pollfd at `address` with the events asked for.
std::string pollfd_array(const PeekMemory& peek, uint64_t address, uint64_t count);
// The descriptors below `nfds` set in the fd_set at `address`; NULL for a null pointer.
std::string fd_set_bits(const PeekMemory& peek, uint64_t address, int64_t nfds);
// A struct timeval or timespec at `address`.
std::string timeval_at(const PeekMemory& peek, uint64_t address);
std::string timespec_at(const PeekMemory& peek, uint64_t address);
// The sigset_t at `address` of `size` bytes (a pointer unless 8); pselect6's
// {sigmask, sigsetsize} pair.
std::string sigset_at(const PeekMemory& peek, uint64_t address, uint64_t size);
std::string sigset_pack_at(const PeekMemory& peek, uint64_t address);

// What strace adds after a successful result: " (Timeout)" for 0, else the revents of the
// ready entries (poll, ppoll) or the ready sets (select, pselect6) and the time left when
// `timeout` is not NULL (`timespec` tells its layout).
std::string poll_result(const PeekMemory& peek, uint64_t address, uint64_t count, int64_t result,
                        uint64_t timeout);
std::string select_result(const PeekMemory& peek, const uint64_t (&args)[6], int64_t result,
                          bool timespec);

}  // namespace vmlab::emulator

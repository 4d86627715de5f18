// Symbolic names of the constants system calls take: flag sets and enumerations.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>

namespace vmlab::emulator {

using FlagNames = std::initializer_list<std::pair<uint64_t, const char*>>;
// Flag bits joined with '|', leftover bits in hex, `none` when nothing is set; and the name
// of one value among `names`, else its number. For decoders kept in other files.
std::string flag_bits(uint64_t value, FlagNames names, const char* none = "0");
std::string one_name(uint64_t value, FlagNames names);

std::string open_flags(uint64_t flags);      // "O_RDONLY|O_CLOEXEC"
std::string fd_flags(uint64_t flags);        // "O_CLOEXEC" or "0"
std::string prot_flags(uint64_t prot);       // "PROT_READ|PROT_WRITE" or "PROT_NONE"
std::string mmap_flags(uint64_t flags);      // "MAP_PRIVATE|MAP_ANONYMOUS"
std::string at_flags(uint64_t flags);        // "AT_EMPTY_PATH" or "0"
std::string access_mode(uint64_t mode);      // "F_OK" or "R_OK|X_OK"
std::string clone_flags(uint64_t flags);     // "CLONE_CHILD_CLEARTID|...|SIGCHLD"
std::string wait_options(uint64_t options);  // "WNOHANG" or "0"
std::string mremap_flags(uint64_t flags);
std::string getrandom_flags(uint64_t flags);
std::string signal_name_or_number(int64_t signo);  // "SIGCHLD", "SIGRT_1", or the number
std::string sigaction_flags(uint64_t flags);       // "SA_RESTORER|SA_RESTART" or "0"
std::string sighow(uint64_t how);
std::string whence(uint64_t whence);
std::string fcntl_command(uint64_t cmd);
std::string ioctl_request(uint64_t request);
std::string arch_prctl_code(uint64_t code);
std::string prctl_option(uint64_t option);
std::string rlimit_resource(uint64_t resource);
std::string clock_id(uint64_t clock);
std::string madvice(uint64_t advice);
std::string futex_op(uint64_t op);
std::string file_mode(uint64_t mode);      // "S_IFREG|0644"
std::string poll_events(uint64_t events);  // "POLLIN|POLLOUT" or "0"
std::string signal_set(uint64_t mask);     // "[USR1 CHLD]", "~[KILL STOP]" when most are set

}  // namespace vmlab::emulator

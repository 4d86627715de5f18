#include "emulator/strace_format/syscall_flags.h"

#include <asm/prctl.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/prctl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <initializer_list>
#include <utility>

#include "emulator/strace_format/strace_text.h"
#include "os/signals.h"

namespace vmlab::emulator {

namespace {

using Names = std::initializer_list<std::pair<uint64_t, const char*>>;

// Flag bits joined with '|'; leftover bits in hex; `none` when nothing is set.
std::string bits(uint64_t value, Names names, const char* none = "0") {
  std::string out;
  for (const auto& [bit, name] : names) {
    if (bit != 0 && (value & bit) == bit) {
      out += (out.empty() ? "" : "|") + std::string(name);
      value &= ~bit;
    }
  }
  if (value != 0) out += (out.empty() ? "" : "|") + hex(value);
  return out.empty() ? none : out;
}

// One name for one value, else the number.
std::string one_of(uint64_t value, Names names) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return std::to_string(static_cast<int64_t>(value));
}

}  // namespace

std::string flag_bits(uint64_t value, FlagNames names, const char* none) {
  return bits(value, names, none);
}

std::string one_name(uint64_t value, FlagNames names) {
  return one_of(value, names);
}

std::string open_flags(uint64_t flags) {
  const char* access = (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                       : (flags & O_ACCMODE) == O_RDWR ? "O_RDWR"
                                                       : "O_RDONLY";
  const std::string rest = bits(flags & ~uint64_t{O_ACCMODE},
                                {{O_CREAT, "O_CREAT"},
                                 {O_EXCL, "O_EXCL"},
                                 {O_NOCTTY, "O_NOCTTY"},
                                 {O_TRUNC, "O_TRUNC"},
                                 {O_APPEND, "O_APPEND"},
                                 {O_NONBLOCK, "O_NONBLOCK"},
                                 {O_DSYNC, "O_DSYNC"},
                                 {O_DIRECT, "O_DIRECT"},
                                 {O_LARGEFILE, "O_LARGEFILE"},
                                 {O_DIRECTORY, "O_DIRECTORY"},
                                 {O_NOFOLLOW, "O_NOFOLLOW"},
                                 {O_NOATIME, "O_NOATIME"},
                                 {O_CLOEXEC, "O_CLOEXEC"},
                                 {O_PATH, "O_PATH"}},
                                "");
  return rest.empty() ? access : std::string(access) + "|" + rest;
}

std::string fd_flags(uint64_t flags) {
  return bits(flags,
              {{O_NONBLOCK, "O_NONBLOCK"}, {O_CLOEXEC, "O_CLOEXEC"}, {O_DIRECT, "O_DIRECT"}});
}

std::string prot_flags(uint64_t prot) {
  return bits(prot,
              {{PROT_READ, "PROT_READ"}, {PROT_WRITE, "PROT_WRITE"}, {PROT_EXEC, "PROT_EXEC"}},
              "PROT_NONE");
}

std::string mmap_flags(uint64_t flags) {
  const uint64_t type = flags & MAP_TYPE;
  const char* base = type == MAP_SHARED    ? "MAP_SHARED"
                     : type == MAP_PRIVATE ? "MAP_PRIVATE"
                                           : "MAP_SHARED_VALIDATE";
  const std::string rest = bits(flags & ~uint64_t{MAP_TYPE},
                                {{MAP_FIXED, "MAP_FIXED"},
                                 {MAP_ANONYMOUS, "MAP_ANONYMOUS"},
                                 {MAP_GROWSDOWN, "MAP_GROWSDOWN"},
                                 {MAP_DENYWRITE, "MAP_DENYWRITE"},
                                 {MAP_NORESERVE, "MAP_NORESERVE"},
                                 {MAP_POPULATE, "MAP_POPULATE"},
                                 {MAP_STACK, "MAP_STACK"},
                                 {MAP_HUGETLB, "MAP_HUGETLB"},
                                 {MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE"}},
                                "");
  return rest.empty() ? base : std::string(base) + "|" + rest;
}

std::string at_flags(uint64_t flags) {
  return bits(flags, {{AT_SYMLINK_NOFOLLOW, "AT_SYMLINK_NOFOLLOW"},
                      {AT_REMOVEDIR, "AT_REMOVEDIR"},
                      {AT_SYMLINK_FOLLOW, "AT_SYMLINK_FOLLOW"},
                      {AT_NO_AUTOMOUNT, "AT_NO_AUTOMOUNT"},
                      {AT_EMPTY_PATH, "AT_EMPTY_PATH"}});
}

std::string access_mode(uint64_t mode) {
  return bits(mode, {{R_OK, "R_OK"}, {W_OK, "W_OK"}, {X_OK, "X_OK"}}, "F_OK");
}

std::string clone_flags(uint64_t flags) {
  std::string out = bits(flags & ~uint64_t{0xff},
                         {{CLONE_VM, "CLONE_VM"},
                          {CLONE_FS, "CLONE_FS"},
                          {CLONE_FILES, "CLONE_FILES"},
                          {CLONE_SIGHAND, "CLONE_SIGHAND"},
                          {0x1000, "CLONE_PIDFD"},
                          {CLONE_PTRACE, "CLONE_PTRACE"},
                          {CLONE_VFORK, "CLONE_VFORK"},
                          {CLONE_PARENT, "CLONE_PARENT"},
                          {CLONE_THREAD, "CLONE_THREAD"},
                          {CLONE_NEWNS, "CLONE_NEWNS"},
                          {CLONE_SYSVSEM, "CLONE_SYSVSEM"},
                          {CLONE_SETTLS, "CLONE_SETTLS"},
                          {CLONE_PARENT_SETTID, "CLONE_PARENT_SETTID"},
                          {CLONE_CHILD_CLEARTID, "CLONE_CHILD_CLEARTID"},
                          {CLONE_CHILD_SETTID, "CLONE_CHILD_SETTID"}},
                         "");
  if ((flags & 0xff) != 0)
    out += (out.empty() ? "" : "|") + signal_name_or_number(static_cast<int64_t>(flags & 0xff));
  return out.empty() ? "0" : out;
}

std::string wait_options(uint64_t options) {
  return bits(options, {{WNOHANG, "WNOHANG"},
                        {WUNTRACED, "WUNTRACED"},
                        {WCONTINUED, "WCONTINUED"},
                        {__WALL, "__WALL"},
                        {__WCLONE, "__WCLONE"}});
}

std::string mremap_flags(uint64_t flags) {
  return bits(flags, {{MREMAP_MAYMOVE, "MREMAP_MAYMOVE"}, {MREMAP_FIXED, "MREMAP_FIXED"}});
}

std::string getrandom_flags(uint64_t flags) {
  return bits(flags, {{0x1, "GRND_NONBLOCK"}, {0x2, "GRND_RANDOM"}, {0x4, "GRND_INSECURE"}});
}

std::string signal_name_or_number(int64_t signo) {
  if (signo <= 0 || signo > os::sig::kMax) return std::to_string(signo);
  constexpr int kRtMin = 32;  // the kernel's SIGRTMIN (libcs reserve the first few)
  if (signo == kRtMin) return "SIGRTMIN";
  if (signo > kRtMin) return "SIGRT_" + std::to_string(signo - kRtMin);
  return os::signal_name(static_cast<int>(signo));
}

std::string sigaction_flags(uint64_t flags) {
  // strace's order, which is not the order of the bits.
  return bits(flags, {{os::kSaRestorer, "SA_RESTORER"},
                      {SA_ONSTACK, "SA_ONSTACK"},
                      {SA_RESTART, "SA_RESTART"},
                      {SA_NODEFER, "SA_NODEFER"},
                      {SA_RESETHAND, "SA_RESETHAND"},
                      {SA_SIGINFO, "SA_SIGINFO"},
                      {SA_NOCLDSTOP, "SA_NOCLDSTOP"},
                      {SA_NOCLDWAIT, "SA_NOCLDWAIT"}});
}

std::string sighow(uint64_t how) {
  return one_of(
      how, {{SIG_BLOCK, "SIG_BLOCK"}, {SIG_UNBLOCK, "SIG_UNBLOCK"}, {SIG_SETMASK, "SIG_SETMASK"}});
}

std::string whence(uint64_t w) {
  return one_of(w, {{SEEK_SET, "SEEK_SET"},
                    {SEEK_CUR, "SEEK_CUR"},
                    {SEEK_END, "SEEK_END"},
                    {SEEK_DATA, "SEEK_DATA"},
                    {SEEK_HOLE, "SEEK_HOLE"}});
}

std::string fcntl_command(uint64_t cmd) {
  return one_of(cmd, {{F_DUPFD, "F_DUPFD"},
                      {F_GETFD, "F_GETFD"},
                      {F_SETFD, "F_SETFD"},
                      {F_GETFL, "F_GETFL"},
                      {F_SETFL, "F_SETFL"},
                      {F_GETLK, "F_GETLK"},
                      {F_SETLK, "F_SETLK"},
                      {F_SETLKW, "F_SETLKW"},
                      {F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC"},
                      {F_GETPIPE_SZ, "F_GETPIPE_SZ"},
                      {F_SETPIPE_SZ, "F_SETPIPE_SZ"}});
}

std::string ioctl_request(uint64_t request) {
  const std::string name = one_of(request, {{TCGETS, "TCGETS"},
                                            {TCSETS, "TCSETS"},
                                            {TCSETSW, "TCSETSW"},
                                            {TCSETSF, "TCSETSF"},
                                            {TIOCGWINSZ, "TIOCGWINSZ"},
                                            {TIOCSWINSZ, "TIOCSWINSZ"},
                                            {TIOCGPGRP, "TIOCGPGRP"},
                                            {TIOCSPGRP, "TIOCSPGRP"},
                                            {FIONREAD, "FIONREAD"}});
  return name == std::to_string(static_cast<int64_t>(request)) ? hex(request) : name;
}

std::string arch_prctl_code(uint64_t code) {
  return one_of(code, {{ARCH_SET_FS, "ARCH_SET_FS"},
                       {ARCH_GET_FS, "ARCH_GET_FS"},
                       {ARCH_SET_GS, "ARCH_SET_GS"},
                       {ARCH_GET_GS, "ARCH_GET_GS"}});
}

std::string prctl_option(uint64_t option) {
  return one_of(option, {{PR_SET_NAME, "PR_SET_NAME"},
                         {PR_GET_NAME, "PR_GET_NAME"},
                         {PR_SET_PDEATHSIG, "PR_SET_PDEATHSIG"},
                         {PR_GET_DUMPABLE, "PR_GET_DUMPABLE"},
                         {PR_SET_DUMPABLE, "PR_SET_DUMPABLE"},
                         {PR_SET_NO_NEW_PRIVS, "PR_SET_NO_NEW_PRIVS"}});
}

std::string rlimit_resource(uint64_t resource) {
  return one_of(resource, {{RLIMIT_CPU, "RLIMIT_CPU"},
                           {RLIMIT_FSIZE, "RLIMIT_FSIZE"},
                           {RLIMIT_DATA, "RLIMIT_DATA"},
                           {RLIMIT_STACK, "RLIMIT_STACK"},
                           {RLIMIT_CORE, "RLIMIT_CORE"},
                           {RLIMIT_RSS, "RLIMIT_RSS"},
                           {RLIMIT_NPROC, "RLIMIT_NPROC"},
                           {RLIMIT_NOFILE, "RLIMIT_NOFILE"},
                           {RLIMIT_MEMLOCK, "RLIMIT_MEMLOCK"},
                           {RLIMIT_AS, "RLIMIT_AS"}});
}

std::string clock_id(uint64_t clock) {
  return one_of(clock, {{CLOCK_REALTIME, "CLOCK_REALTIME"},
                        {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
                        {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
                        {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
                        {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
                        {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
                        {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
                        {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"}});
}

std::string madvice(uint64_t advice) {
  return one_of(advice, {{MADV_NORMAL, "MADV_NORMAL"},
                         {MADV_RANDOM, "MADV_RANDOM"},
                         {MADV_SEQUENTIAL, "MADV_SEQUENTIAL"},
                         {MADV_WILLNEED, "MADV_WILLNEED"},
                         {MADV_DONTNEED, "MADV_DONTNEED"},
                         {MADV_FREE, "MADV_FREE"},
                         {MADV_HUGEPAGE, "MADV_HUGEPAGE"},
                         {MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE"}});
}

std::string futex_op(uint64_t op) {
  std::string name = one_of(op & FUTEX_CMD_MASK, {{FUTEX_WAIT, "FUTEX_WAIT"},
                                                  {FUTEX_WAKE, "FUTEX_WAKE"},
                                                  {FUTEX_WAIT_BITSET, "FUTEX_WAIT_BITSET"},
                                                  {FUTEX_WAKE_BITSET, "FUTEX_WAKE_BITSET"}});
  if (op & FUTEX_PRIVATE_FLAG) name += "_PRIVATE";
  return name;
}

std::string file_mode(uint64_t mode) {
  const char* type = S_ISREG(mode)    ? "S_IFREG"
                     : S_ISDIR(mode)  ? "S_IFDIR"
                     : S_ISLNK(mode)  ? "S_IFLNK"
                     : S_ISCHR(mode)  ? "S_IFCHR"
                     : S_ISBLK(mode)  ? "S_IFBLK"
                     : S_ISFIFO(mode) ? "S_IFIFO"
                     : S_ISSOCK(mode) ? "S_IFSOCK"
                                      : "0";
  char perms[16];
  std::snprintf(perms, sizeof perms, "%04llo", static_cast<unsigned long long>(mode & 07777));
  return std::string(type) + "|" + perms;
}

std::string poll_events(uint64_t events) {
  return bits(events, {{POLLIN, "POLLIN"},
                       {POLLPRI, "POLLPRI"},
                       {POLLOUT, "POLLOUT"},
                       {POLLERR, "POLLERR"},
                       {POLLHUP, "POLLHUP"},
                       {POLLNVAL, "POLLNVAL"},
                       {POLLRDNORM, "POLLRDNORM"},
                       {POLLRDBAND, "POLLRDBAND"},
                       {POLLWRNORM, "POLLWRNORM"},
                       {POLLWRBAND, "POLLWRBAND"},
                       {POLLMSG, "POLLMSG"},
                       {POLLRDHUP, "POLLRDHUP"}});
}

std::string signal_set(uint64_t mask) {
  // strace lists the signals left out when more than half are in.
  const bool complement = __builtin_popcountll(mask) > os::sig::kMax / 2;
  if (complement) mask = ~mask;
  std::string out = complement ? "~[" : "[";
  for (int signo = 1; signo <= os::sig::kMax; ++signo) {
    if ((mask & os::sig_bit(signo)) == 0) continue;
    out += (out.back() == '[' ? "" : " ") + signal_name_or_number(signo).substr(3);
  }
  return out + "]";
}

}  // namespace vmlab::emulator

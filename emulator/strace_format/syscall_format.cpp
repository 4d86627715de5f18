// Splitting a call's arguments at entry and exit and formatting its result, as strace does.
// SyscallFormatter::argument is long because it is a table: one case per argument kind (Arg),
// most of them one call to the decoder that kind needs.
#include "emulator/strace_format/syscall_format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "emulator/strace_format/strace_text.h"
#include "emulator/strace_format/syscall_flags.h"
#include "emulator/strace_format/syscall_signatures.h"
#include "emulator/strace_format/syscall_socket_format.h"
#include "emulator/strace_format/syscall_struct_format.h"
#include "emulator/strace_format/syscall_wait_format.h"
#include "os/syscalls/syscall_table.h"

namespace vmlab::emulator {

namespace {

constexpr size_t kStringLimit = kStraceStringLimit;
constexpr size_t kPathLimit = 4096;  // PATH_MAX
constexpr size_t kArrayLimit = 32;   // argv entries shown
constexpr int64_t kMaxErrno = 4095;

bool is_error(int64_t result) {
  return result < 0 && result >= -kMaxErrno;
}

}  // namespace

std::string errno_name(int error) {
  static const char* const kNames[] = {
      nullptr,   "EPERM",        "ENOENT", "ESRCH",  "EINTR",     "EIO",     "ENXIO",
      "E2BIG",   "ENOEXEC",      "EBADF",  "ECHILD", "EAGAIN",    "ENOMEM",  "EACCES",
      "EFAULT",  "ENOTBLK",      "EBUSY",  "EEXIST", "EXDEV",     "ENODEV",  "ENOTDIR",
      "EISDIR",  "EINVAL",       "ENFILE", "EMFILE", "ENOTTY",    "ETXTBSY", "EFBIG",
      "ENOSPC",  "ESPIPE",       "EROFS",  "EMLINK", "EPIPE",     "EDOM",    "ERANGE",
      "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY", "ELOOP"};
  if (error > 0 && error < static_cast<int>(sizeof kNames / sizeof kNames[0]) && kNames[error])
    return kNames[error];
  if (error == EOPNOTSUPP) return "EOPNOTSUPP";
  if (const char* name = socket_errno_name(error)) return name;
  return "E" + std::to_string(error);
}

std::string SyscallFormatter::result(int number, const uint64_t (&args)[6], int64_t value) {
  const Signature* sig = signature_of(number);
  if (sig != nullptr && sig->returns == Returns::kNever) return "?";
  if (is_error(value)) {
    const int err = static_cast<int>(-value);
    return "-1 " + errno_name(err) + " (" + std::strerror(err) + ")";
  }
  if (sig != nullptr && (sig->returns == Returns::kPointer || sig->returns == Returns::kHex))
    return hex(static_cast<uint64_t>(value));
  std::string text = std::to_string(value);
  if (sig == nullptr) return text;
  switch (sig->detail) {
    case ResultDetail::kNone:
      break;
    case ResultDetail::kPollFds: {
      const bool has_timeout = sig->args.size() > 2 && sig->args[2] == Arg::kTimespecIn;
      text += poll_result(peek_, args[0], args[1], value, has_timeout ? args[2] : 0);
      break;
    }
    case ResultDetail::kFdSets:
      text += select_result(peek_, args, value, sig->args[4] == Arg::kTimespecIn);
      break;
  }
  return text;
}

std::optional<std::string> SyscallFormatter::argument(const Signature& signature, size_t i,
                                                      const uint64_t (&args)[6],
                                                      std::optional<int64_t> result) {
  const Signature* sig = &signature;
  auto peek_string = [&](uint64_t va, size_t max) -> std::optional<std::string> {
    std::string s;
    char c = 0;
    while (s.size() < max) {
      if (!peek_(va + s.size(), &c, 1)) return std::nullopt;
      if (c == 0) return s;
      s += c;
    }
    return s;
  };
  const bool succeeded = result && !is_error(*result);
  const uint64_t v = args[i];
  const int64_t sv = static_cast<int64_t>(v);
  // What the kernel fills exists only after a call that succeeded: strace shows the pointer
  // else. (A sleep's remainder is the opposite: it matters when the sleep was interrupted; a
  // socklen_t is shown as the caller set it.)
  if (is_output(sig->args[i]) && !succeeded && sig->args[i] != Arg::kSleepRemainder &&
      sig->args[i] != Arg::kCloneIds && sig->args[i] != Arg::kSocklen)
    return pointer(v);
  std::string text;
  switch (sig->args[i]) {
    case Arg::kInt:
      text = std::to_string(static_cast<int32_t>(v));
      break;
    case Arg::kLong:
      text = std::to_string(sv);
      break;
    case Arg::kUnsigned:
      text = std::to_string(v);
      break;
    case Arg::kHex:
      text = hex(v);
      break;
    case Arg::kPointer:
      text = pointer(v);
      break;
    case Arg::kFd:
      text = std::to_string(static_cast<int32_t>(v));
      break;
    case Arg::kAtFd:
      text = static_cast<int32_t>(v) == AT_FDCWD ? "AT_FDCWD"
                                                 : std::to_string(static_cast<int32_t>(v));
      break;
    case Arg::kPath: {
      const auto s = peek_string(v, kPathLimit);
      text = s ? quote(*s, kPathLimit) : pointer(v);
      break;
    }
    case Arg::kWriteBuffer:
      text = quoted_memory(peek_, v, args[i + 1]);
      break;
    case Arg::kReadBuffer:
      // recv(..., MSG_TRUNC) returns a datagram's length, more than the buffer holds.
      text = quoted_memory(peek_, v, std::min(static_cast<uint64_t>(*result), args[i + 1]));
      break;
    case Arg::kOpenFlags:
      text = open_flags(v);
      break;
    case Arg::kFdFlags:
      text = fd_flags(v);
      break;
    case Arg::kMode: {
      // open's mode matters only when a file may be created (strace omits it otherwise).
      if (i > 0 && sig->args[i - 1] == Arg::kOpenFlags &&
          (args[i - 1] & (O_CREAT | O_TMPFILE)) == 0)
        return std::nullopt;
      char buf[16];
      std::snprintf(buf, sizeof buf, "%#llo", static_cast<unsigned long long>(v));
      text = v == 0 ? "000" : buf;
      break;
    }
    case Arg::kProt:
      text = prot_flags(v);
      break;
    case Arg::kMmapFlags:
      text = mmap_flags(v);
      break;
    case Arg::kAtFlags:
      text = at_flags(v);
      break;
    case Arg::kAccessMode:
      text = access_mode(v);
      break;
    case Arg::kSignal:
      text = signal_name_or_number(sv);
      break;
    case Arg::kSigHow:
      text = sighow(v);
      break;
    case Arg::kWhence:
      text = whence(v);
      break;
    case Arg::kFcntlCommand:
      text = fcntl_command(v);
      break;
    case Arg::kIoctlRequest:
      text = ioctl_request(v);
      break;
    case Arg::kArchPrctlCode:
      text = arch_prctl_code(v);
      break;
    case Arg::kPrctlOption:
      text = prctl_option(v);
      break;
    case Arg::kRlimitResource:
      text = rlimit_resource(v);
      break;
    case Arg::kClockId:
      text = clock_id(v);
      break;
    case Arg::kCloneFlags:
      text = clone_flags(v);
      break;
    case Arg::kWaitOptions:
      text = wait_options(v);
      break;
    case Arg::kMremapFlags:
      text = mremap_flags(v);
      break;
    case Arg::kMadvice:
      text = madvice(v);
      break;
    case Arg::kGetrandomFlags:
      text = getrandom_flags(v);
      break;
    case Arg::kFutexOp:
      text = futex_op(v);
      break;
    case Arg::kStringArray: {
      text = "[";
      for (size_t k = 0; k < kArrayLimit; ++k) {
        uint64_t p = 0;
        if (!peek_(v + k * 8, &p, sizeof p)) break;
        if (p == 0) break;
        const auto s = peek_string(p, kPathLimit);
        text += (k ? ", " : "") + (s ? quote(*s, kStringLimit) : pointer(p));
      }
      text += "]";
      break;
    }
    case Arg::kEnvArray: {
      size_t n = 0;
      for (uint64_t p = 1; n < 100000 && peek_(v + n * 8, &p, sizeof p) && p != 0;)
        ++n;
      text = pointer(v) + " /* " + std::to_string(n) + " vars */";
      break;
    }
    case Arg::kStatOut: {
      struct stat st {};
      if (!peek_(v, &st, sizeof st)) {
        text = pointer(v);
      } else {
        text = "{st_mode=" + file_mode(st.st_mode) + ", st_size=" + std::to_string(st.st_size) +
               ", ...}";
      }
      break;
    }
    case Arg::kPipeOut: {
      int32_t fds[2];
      if (!peek_(v, fds, sizeof fds))
        text = pointer(v);
      else
        text = "[" + std::to_string(fds[0]) + ", " + std::to_string(fds[1]) + "]";
      break;
    }
    case Arg::kTimespecIn:
      text = timespec_at(peek_, v);
      break;
    case Arg::kTimevalIn:
      text = timeval_at(peek_, v);
      break;
    case Arg::kPollFds:
      text = pollfd_array(peek_, v, args[i + 1]);
      break;
    case Arg::kFdSet:
      text = fd_set_bits(peek_, v, static_cast<int32_t>(args[0]));
      break;
    case Arg::kSigset:
    case Arg::kSigsetOut:
      text = sigset_at(peek_, v, args[sig->args.size() - 1]);
      break;
    case Arg::kSigsetPack:
      text = sigset_pack_at(peek_, v);
      break;
    case Arg::kUnameOut: {
      struct utsname u {};
      if (!peek_(v, &u, sizeof u))
        text = pointer(v);
      else
        text = std::string("{sysname=\"") + u.sysname + "\", nodename=\"" + u.nodename + "\", ...}";
      break;
    }
    case Arg::kSigaction:
    case Arg::kSigactionOut:
      text = sigaction_at(peek_, v);
      break;
    case Arg::kRlimit:
    case Arg::kRlimitOut:
      text = rlimit_at(peek_, v);
      break;
    case Arg::kIovec:
      text = iovec_array(peek_, v, args[i + 1], std::nullopt);
      break;
    case Arg::kIovecOut:
      text = iovec_array(peek_, v, args[i + 1], static_cast<uint64_t>(*result));
      break;
    case Arg::kWaitStatusOut:
      // No child reported (WNOHANG): the kernel stored nothing.
      text = *result > 0 ? wait_status_at(peek_, v) : pointer(v);
      break;
    case Arg::kTimespecOut:
      text = timespec_at(peek_, v);
      break;
    case Arg::kCloneStackAndFlags:
      text = clone_stack_and_flags(args[0], args[1]);
      break;
    case Arg::kSocketFamily:
    case Arg::kSocketType:
    case Arg::kSocketProtocol:
    case Arg::kSocketFlags:
    case Arg::kMessageFlags:
    case Arg::kShutdownHow:
    case Arg::kSocketLevel:
    case Arg::kSocketOption:
    case Arg::kSockaddrIn:
    case Arg::kSockaddrOut:
    case Arg::kIntIn:
    case Arg::kIntOut:
    case Arg::kSocklen:
    case Arg::kEpollFlags:
    case Arg::kEpollOp:
    case Arg::kEpollEventIn:
    case Arg::kEpollEventsOut:
      text = socket_argument(peek_, sig->args[i], args, i, result);
      break;
    case Arg::kCloneIds:
      text = succeeded ? clone_ids(peek_, args[0], args[2], args[3], args[4]) : "";
      break;
    case Arg::kSleepRemainder:
      text = result && *result == -EINTR ? timespec_at(peek_, v) : pointer(v);
      break;
  }
  return text;
}

std::string SyscallFormatter::arguments_from(int number, const uint64_t (&args)[6],
                                             std::optional<int64_t> result, Part part) {
  const Signature* sig = signature_of(number);
  if (sig == nullptr) {
    if (part == Part::kExit) return "";
    std::string out;
    for (int i = 0; i < 6; ++i)
      out += (i ? ", " : "") + hex(args[i]);
    return out;
  }
  size_t first_output = 0;
  while (first_output < sig->args.size() && !is_output(sig->args[first_output]))
    ++first_output;
  const size_t begin = part == Part::kExit ? first_output : 0;
  const size_t end = part == Part::kEntry ? first_output : sig->args.size();
  std::string out;
  for (size_t i = begin; i < end; ++i) {
    const std::optional<std::string> text = argument(*sig, i, args, result);
    if (!text) continue;
    out += (out.empty() || carries_separator(sig->args[i]) ? "" : ", ") + *text;
  }
  // strace ends what it printed at entry with the separator before the first output.
  if (part == Part::kEntry && first_output < sig->args.size() && !out.empty() &&
      !carries_separator(sig->args[first_output]))
    out += ", ";
  return out;
}

std::string SyscallFormatter::entry_arguments(int number, const uint64_t (&args)[6]) {
  return arguments_from(number, args, std::nullopt, Part::kEntry);
}

std::string SyscallFormatter::exit_arguments(int number, const uint64_t (&args)[6],
                                             int64_t result) {
  return arguments_from(number, args, result, Part::kExit);
}

std::string SyscallFormatter::arguments(int number, const uint64_t (&args)[6],
                                        std::optional<int64_t> result) {
  return arguments_from(number, args, result, Part::kAll);
}

std::string SyscallFormatter::format(int number, const uint64_t (&args)[6],
                                     std::optional<int64_t> result_value) {
  const char* name = os::syscall_name(number);
  std::string line = (*name ? std::string(name) : "syscall_" + std::to_string(number)) + "(" +
                     arguments(number, args, result_value) + ")";
  const std::string r = result_value ? result(number, args, *result_value) : "?";
  return line + " = " + r;
}

}  // namespace vmlab::emulator

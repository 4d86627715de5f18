#include "emulator/strace_format/syscall_struct_format.h"

#include <sched.h>
#include <sys/wait.h>

#include <algorithm>

#include "emulator/strace_format/strace_text.h"
#include "emulator/strace_format/syscall_flags.h"
#include "os/signals.h"

namespace vmlab::emulator {

namespace {

constexpr uint64_t kArrayLimit = kStraceStringLimit;  // strace cuts arrays where it cuts strings
constexpr uint64_t kRlimInfinity = ~uint64_t{0};
constexpr uint64_t kKibibyte = 1024;
// Linux's x86-64 rt_sigframe: the handler's `ret` popped pretcode, so at rt_sigreturn the frame
// (uc_flags, uc_link, uc_stack, uc_mcontext, uc_sigmask) starts at RSP.
constexpr uint64_t kSigreturnMaskOffset = 8 + 8 + 24 + 256;

struct KernelSigaction {
  uint64_t handler, flags, restorer, mask;
};

struct Iovec {
  uint64_t base, length;
};

std::string handler_name(uint64_t handler) {
  if (handler == os::kSigDfl) return "SIG_DFL";
  if (handler == os::kSigIgn) return "SIG_IGN";
  return pointer(handler);
}

// strace prints limits that are whole kibibytes as "N*1024".
std::string limit_value(uint64_t value) {
  if (value == kRlimInfinity) return "RLIM64_INFINITY";
  if (value > kKibibyte && value % kKibibyte == 0)
    return std::to_string(value / kKibibyte) + "*1024";
  return std::to_string(value);
}

}  // namespace

std::string quoted_memory(const PeekMemory& peek, uint64_t address, uint64_t length) {
  std::string bytes(std::min(length, kStraceStringLimit + 1), '\0');
  if (!peek(address, bytes.data(), bytes.size())) return pointer(address);
  return quote(bytes, kStraceStringLimit);
}

std::string sigaction_at(const PeekMemory& peek, uint64_t address) {
  KernelSigaction sa{};
  if (address == 0 || !peek(address, &sa, sizeof sa)) return pointer(address);
  std::string out = "{sa_handler=" + handler_name(sa.handler) + ", sa_mask=" + signal_set(sa.mask) +
                    ", sa_flags=" + sigaction_flags(sa.flags);
  if ((sa.flags & os::kSaRestorer) != 0) out += ", sa_restorer=" + pointer(sa.restorer);
  return out + "}";
}

std::string rlimit_at(const PeekMemory& peek, uint64_t address) {
  struct {
    uint64_t cur, max;
  } limit{};
  if (address == 0 || !peek(address, &limit, sizeof limit)) return pointer(address);
  return "{rlim_cur=" + limit_value(limit.cur) + ", rlim_max=" + limit_value(limit.max) + "}";
}

std::string iovec_array(const PeekMemory& peek, uint64_t address, uint64_t count,
                        std::optional<uint64_t> data_size) {
  if (address == 0) return "NULL";
  std::string out = "[";
  uint64_t data_left = data_size.value_or(UINT64_MAX);
  for (uint64_t i = 0; i < count; ++i) {
    if (i == kArrayLimit) {
      out += ", ...";
      break;
    }
    Iovec iov{};
    if (!peek(address + i * sizeof iov, &iov, sizeof iov)) return i == 0 ? pointer(address) : out;
    const uint64_t shown = std::min(iov.length, data_left);
    data_left -= shown;
    const std::string data = iov.base == 0 ? "NULL" : quoted_memory(peek, iov.base, shown);
    out += (i ? ", " : "") + std::string("{iov_base=") + data +
           ", iov_len=" + std::to_string(iov.length) + "}";
  }
  return out + "]";
}

std::string wait_status(int status) {
  if (WIFSTOPPED(status))
    return "{WIFSTOPPED(s) && WSTOPSIG(s) == " + signal_name_or_number(WSTOPSIG(status)) + "}";
  if (WIFSIGNALED(status))
    return "{WIFSIGNALED(s) && WTERMSIG(s) == " + signal_name_or_number(WTERMSIG(status)) +
           (WCOREDUMP(status) ? " && WCOREDUMP(s)}" : "}");
  if (WIFEXITED(status))
    return "{WIFEXITED(s) && WEXITSTATUS(s) == " + std::to_string(WEXITSTATUS(status)) + "}";
  if (WIFCONTINUED(status)) return "{WIFCONTINUED(s)}";
  return hex(static_cast<uint32_t>(status));
}

std::string wait_status_at(const PeekMemory& peek, uint64_t address) {
  int32_t status = 0;
  if (address == 0 || !peek(address, &status, sizeof status)) return pointer(address);
  return "[" + wait_status(status) + "]";
}

std::string clone_stack_and_flags(uint64_t flags, uint64_t stack) {
  return "child_stack=" + pointer(stack) + ", flags=" + clone_flags(flags);
}

std::string clone_ids(const PeekMemory& peek, uint64_t flags, uint64_t parent_tid,
                      uint64_t child_tid, uint64_t tls) {
  std::string out;
  if ((flags & CLONE_PARENT_SETTID) != 0) {
    int32_t tid = 0;
    out += ", parent_tid=" + (parent_tid != 0 && peek(parent_tid, &tid, sizeof tid)
                                  ? "[" + std::to_string(tid) + "]"
                                  : pointer(parent_tid));
  }
  if ((flags & CLONE_SETTLS) != 0) out += ", tls=" + pointer(tls);
  if ((flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) != 0)
    out += ", child_tidptr=" + pointer(child_tid);
  return out;
}

std::string sigreturn_frame(const PeekMemory& peek, uint64_t stack_pointer) {
  uint64_t mask = 0;
  if (!peek(stack_pointer + kSigreturnMaskOffset, &mask, sizeof mask)) return "";
  return "{mask=" + signal_set(mask) + "}";
}

}  // namespace vmlab::emulator

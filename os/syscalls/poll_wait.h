// What poll, ppoll, select and pselect6 share (fs/select.c): a timeout on the virtual clock
// that outlives the retries of a call that blocks, the temporary signal mask of ppoll and
// pselect6, and Linux's write-back of the time left.
#pragma once

#include <cstdint>
#include <optional>

#include "os/syscalls/syscall_table.h"

namespace vmlab::os::poll_wait {

// When a waiting call gives up with 0.
class Deadline {
 public:
  // No timeout: wait until a descriptor is ready or a handler interrupts.
  static Deadline forever() { return Deadline(Kind::kForever, 0); }
  // The first call: `ns` from now; 0 means do not wait at all.
  static Deadline after(const SyscallContext& c, uint64_t ns);
  // A retried or interrupted call: the deadline it blocked with.
  static Deadline of_blocked_call(SyscallContext& c);

  bool passed(uint64_t now_ns) const;
  // The time left, for the calls that write it back; nullopt without a timeout or with a
  // zero one (Linux leaves those alone).
  std::optional<uint64_t> remaining(uint64_t now_ns) const;
  // The call sleeps until a retry finds a descriptor ready, the deadline passes (the retry
  // then returns 0) or a handler interrupts it.
  void block(SyscallContext& c) const;

 private:
  enum class Kind : uint8_t { kForever, kImmediate, kAt };
  Deadline(Kind kind, uint64_t at_ns) : kind_(kind), at_ns_(at_ns) {}

  Kind kind_;
  uint64_t at_ns_;
};

// How the caller's timeout is laid out in its memory.
enum class TimeFormat : uint8_t { kTimeval, kTimespec };

// The timeout at `address` of select (a timeval, whole seconds of tv_usec folded in as Linux
// does) or of ppoll and pselect6 (a timespec): forever for NULL, -EFAULT, -EINVAL.
int64_t read_timeout(SyscallContext& c, uint64_t address, TimeFormat format, Deadline* out);

// ppoll and pselect6: the mask at `address` (none when NULL) replaces the blocked mask while
// the call waits. 0, -EINVAL for a sigset size other than 8, -EFAULT.
int64_t set_temporary_mask(SyscallContext& c, uint64_t address, uint64_t size);

// Writes the time left to the caller's timeout at `address`, as Linux does on every return
// of select, pselect6 and ppoll (a failed write changes nothing).
void write_time_left(SyscallContext& c, const Deadline& deadline, uint64_t address,
                     TimeFormat format);

// A select, pselect6 or ppoll returns `result` unless it blocked: the temporary mask goes
// and the time left is written back.
int64_t finish(SyscallContext& c, const Deadline& deadline, int64_t result, uint64_t address,
               TimeFormat format);

}  // namespace vmlab::os::poll_wait

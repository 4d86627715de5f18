// System calls as strace prints them: "openat(AT_FDCWD, "/etc/passwd", O_RDONLY) = 3".
//
// Arguments are formatted at entry (so pointers the kernel is about to consume, like a path,
// are read as the process passed them) and buffers the kernel fills are formatted at exit.
// Guest memory is read without side effects: tracing never changes a run.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace vmlab::emulator {

struct Signature;

// Reads guest memory without faulting or setting Accessed bits; false when not resident.
using PeekMemory = std::function<bool(uint64_t va, void* out, size_t size)>;

struct SyscallText {
  std::string name;
  std::string arguments;  // without the parentheses
};

// Formats a call at entry. `finish` completes the arguments that are results (read buffers,
// stat structures, pipe fds) and formats the return value.
class SyscallFormatter {
 public:
  explicit SyscallFormatter(PeekMemory peek) : peek_(std::move(peek)) {}
  const PeekMemory& peek() const { return peek_; }

  // The whole line without the pid prefix: "name(args) = result" or "name(args) = ?" for
  // calls that do not return.
  std::string format(int number, const uint64_t (&args)[6], std::optional<int64_t> result);

  // The pieces, for the JSONL trace.
  std::string arguments(int number, const uint64_t (&args)[6], std::optional<int64_t> result);
  std::string result(int number, const uint64_t (&args)[6], int64_t value);

  // The arguments in the two halves strace prints them: at entry, the ones the kernel reads up
  // to the first one it fills, followed by ", " when there is one ("wait4(-1, "); at exit, the
  // rest ("[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL"). Together they are arguments().
  std::string entry_arguments(int number, const uint64_t (&args)[6]);
  std::string exit_arguments(int number, const uint64_t (&args)[6], int64_t result);

 private:
  enum class Part : uint8_t { kEntry, kExit, kAll };
  std::string arguments_from(int number, const uint64_t (&args)[6], std::optional<int64_t> result,
                             Part part);
  // Argument `i` as text; nullopt for one strace leaves out (open's mode without O_CREAT).
  std::optional<std::string> argument(const Signature& signature, size_t i,
                                      const uint64_t (&args)[6], std::optional<int64_t> result);

  PeekMemory peek_;
};

// "ENOENT" for 2; "E" + number when unknown.
std::string errno_name(int error);

}  // namespace vmlab::emulator

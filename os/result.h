// How kernel-internal operations fail: a Result<T> holds the value or an Errno, Linux's errno
// number, always positive (ENOENT, never -ENOENT). Only the system-call ABI speaks Linux's
// negative convention (a call returns -errno, as ERR_PTR/IS_ERR encode it inside Linux), and
// the sign changes here alone: Errno::syscall_return() writes it, Errno::from_syscall_return()
// reads it back from code that still answers -errno (the VFS's file operations, Inode::read or
// truncate, which are shaped like the system calls they serve).
//
// Why not std::expected: it is C++23; vmlab is C++20, and the fuzz build's clang 14 cannot
// compile libstdc++ 12's <expected>. This is the small part of it vmlab needs, after
// SerenityOS's ErrorOr<T>.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace vmlab::os {

class Errno {
 public:
  constexpr explicit Errno(int code) : code_(code) {}
  // From a system call's return value (or a -errno field); `value` must be negative.
  static constexpr Errno from_syscall_return(int64_t value) {
    return Errno(static_cast<int>(-value));
  }
  constexpr int code() const { return code_; }
  // What a system call returns for this error.
  constexpr int64_t syscall_return() const { return -int64_t{code_}; }
  friend constexpr bool operator==(Errno, Errno) = default;

 private:
  int code_;
};

// An errno with one line for the user: execve's refusals, which vmlab prints when the first
// program cannot start ("not an ELF file (bad magic)").
struct ErrnoMessage {
  Errno code;
  std::string message;
};

template <class T, class E = Errno>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(E error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(state_); }
  const T& value() const { return std::get<0>(state_); }
  T& operator*() { return value(); }
  const T& operator*() const { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const E& error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

// Success with nothing to return.
template <class E>
class [[nodiscard]] Result<void, E> {
 public:
  Result() = default;
  Result(E error) : error_(std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const E& error() const { return *error_; }

 private:
  std::optional<E> error_;
};

}  // namespace vmlab::os

#include "fuzz/syscalls/strace_decoder.h"

#include <cstdio>
#include <optional>
#include <string>

#include "os/user_memory.h"

namespace vmlab::fuzz {

StraceDecoder::StraceDecoder(os::Kernel& kernel, bool print)
    : kernel_(kernel),
      formatter_([this](uint64_t va, void* out, size_t size) {
        // peek() has no side effects; UserMemory only wants a mutable process for its others.
        auto& p = const_cast<os::Process&>(*calling_);
        return kernel_.user_memory(p).peek(va, {static_cast<uint8_t*>(out), size});
      }),
      print_(print) {
  subscription_ =
      kernel_.events().syscall.subscribe([this](const os::SyscallEvent& e) { on_syscall(e); });
}

void StraceDecoder::on_syscall(const os::SyscallEvent& e) {
  calling_ = &e.process;
  const std::optional<int64_t> result = e.entry ? std::nullopt : std::optional<int64_t>(e.result);
  const std::string text = formatter_.format(e.number, e.args, result);
  characters_ += text.size();
  if (print_)
    std::fprintf(stderr, "[pid %d] %s %s\n", e.process.pid(), e.entry ? "enter" : "exit ",
                 text.c_str());
}

}  // namespace vmlab::fuzz

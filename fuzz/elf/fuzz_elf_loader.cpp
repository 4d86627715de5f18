// fuzz_elf_loader: the input is an executable file. execve (Kernel::spawn, the path a guest's
// execve takes as well) must either refuse it with an errno and a one-line message, or load
// it: parse the headers, map the segments, build the initial stack. A loaded program then has
// pages of every mapping touched from user mode through the fault handler (file pages, the
// zeroed tail of .data, .bss, the stack), and is torn down; no frame may stay behind.
#include <fcntl.h>

#include <cerrno>
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz/support/guest_machine.h"
#include "fuzz/support/guest_root.h"
#include "fuzz/support/invariants.h"
#include "fuzz/support/report.h"
#include "fuzz/support/user_access.h"
#include "mmu/format.h"

namespace vmlab::fuzz {
namespace {

constexpr uint64_t kRamBytes = 2 << 20;
constexpr uint64_t kTouchesPerMapping = 8;  // pages per VMA: first, last and some between
constexpr const char* kProgram = "/prog";
constexpr uint32_t kExecutableMode = 0755;

struct Mapping {
  uint64_t start, end;
  uint32_t prot;
};

GuestRoot& guest_root() {
  static GuestRoot root({});
  return root;
}

void check_refusal(int error, const std::string& message, os::Kernel& kernel) {
  // What execve may answer for a bad file (execve(2)): not an executable format, not
  // executable, an I/O error, no memory for the new image, or an interpreter (PT_INTERP or
  // "#!") that is missing, not a usable ELF file, not a file, or nested too deep.
  const bool expected_errno = error == ENOEXEC || error == EACCES || error == EIO ||
                              error == ENOMEM || error == E2BIG || error == ENOENT ||
                              error == ELIBBAD || error == ENOTDIR || error == ELOOP;
  if (!expected_errno || message.empty() || message.find('\n') != std::string::npos ||
      !kernel.tasks().all().empty())
    fail("execve refused the file with errno " + std::to_string(error) + " and message '" +
         message + "', leaving " + std::to_string(kernel.tasks().all().size()) + " processes");
}

// Every mapping of a loaded program lies in user space: below its top.
void check_layout(const std::vector<Mapping>& mappings) {
  for (const Mapping& m : mappings)
    if (m.end > os::layout::kUserTop)
      fail("execve mapped [" + mmu::hex(m.start) + ", " + mmu::hex(m.end) + ") outside user space");
}

// Reads, writes and executes pages of every mapping as the program's own code would.
void touch_mappings(GuestMachine& machine, int pid) {
  os::Process* p = machine.kernel().find(pid);
  if (p == nullptr) return;
  std::vector<Mapping> mappings;
  for (const auto& [start, vma] : p->space().vmas())
    mappings.push_back({vma.start, vma.end, vma.prot});
  check_layout(mappings);
  uint8_t byte[1] = {0x5a};
  for (const Mapping& m : mappings) {
    const uint64_t pages = (m.end - m.start) / mmu::kPageBytes;
    const uint64_t stride = pages <= kTouchesPerMapping ? 1 : pages / (kTouchesPerMapping - 1);
    for (uint64_t i = 0; i < pages; i += stride) {
      const uint64_t va = m.start + std::min(i, pages - 1) * mmu::kPageBytes;
      if (!user_access(machine, pid, va, mmu::Access::kRead, byte, va)) return;
      if ((m.prot & os::prot::kExec) != 0 &&
          !user_access(machine, pid, va, mmu::Access::kFetch, byte, va))
        return;
      if ((m.prot & os::prot::kWrite) != 0 &&
          !user_access(machine, pid, va + mmu::kPageBytes - 1, mmu::Access::kWrite, byte, va))
        return;
    }
  }
}

void run(const uint8_t* data, size_t size) {
  GuestMachineConfig config;
  config.ram_bytes = kRamBytes;
  config.kernel.root = guest_root().path();
  GuestMachine machine(config, nullptr);
  os::Kernel& kernel = machine.kernel();

  // The file is written into the overlay the way a guest would write it, then made executable.
  const auto file = kernel.fs().create(kProgram, "/", kExecutableMode, os::vfs::Exclusive::kNo);
  if (!file || file->inode->write(0, {data, size}) != static_cast<int64_t>(size))
    fail("cannot create the program file in the overlay");

  os::SpawnRequest request;
  request.argv = {kProgram, "argument"};
  request.envp = {"PATH=/bin", "HOME=/"};
  const auto null = kernel.fs().open("/dev/null", "/", O_RDWR, 0);
  request.stdin_file = request.stdout_file = request.stderr_file = null->file;
  const auto spawned = kernel.spawn(request);
  if (!spawned)
    check_refusal(spawned.error().code.code(), spawned.error().message, kernel);
  else
    touch_mappings(machine, *spawned);
  shut_down_and_check(machine, !spawned ? "refused: " + spawned.error().message : "loaded");
}

}  // namespace
}  // namespace vmlab::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vmlab::fuzz::keep_report_stream();
  vmlab::fuzz::guest_root();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmlab::fuzz::run(data, size);
  return 0;
}

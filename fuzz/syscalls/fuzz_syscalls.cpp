// fuzz_syscalls: a live guest kernel (real RAM, page tables, frames, file system) whose
// processes run fuzz input instead of code: system calls 0..450 with wild arguments, user
// loads and stores, register changes, forks, execs, signals, exits. Kernel::run schedules them
// exactly as in production; only the CPU is a FakeCpu. Every call is also decoded by the
// strace formatter. After the run the kernel is shut down and must have given back every
// frame, swap slot and page-cache page, and the host root must be untouched.
#include <fcntl.h>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "fuzz/support/byte_reader.h"
#include "fuzz/support/guest_machine.h"
#include "fuzz/support/guest_root.h"
#include "fuzz/support/invariants.h"
#include "fuzz/support/report.h"
#include "fuzz/syscalls/guest_program.h"
#include "fuzz/syscalls/strace_decoder.h"
#include "fuzz/syscalls/syscall_script.h"

namespace vmlab::fuzz {
namespace {

constexpr uint64_t kRamBytes = 4 << 20;
constexpr uint64_t kQuantum = 8;               // steps per time slice: processes interleave
constexpr uint64_t kMaxInstructions = 100000;  // a safety net; inputs end long before
constexpr uint64_t kCheckInterval = 64;        // steps between bookkeeping checks
constexpr uint32_t kMaxProcesses = 6;
constexpr uint64_t kSwapBytes = 64 * 4096;
constexpr size_t kConfigBytes = 2;

// Byte 0 of the input: the machine's options. Zero is the CLI's defaults.
constexpr const char* kPolicies[] = {"clock", "fifo", "lru", "random", "nru", "two-list"};
constexpr uint8_t kPolicyMask = 0x7;
constexpr uint8_t kPcidOff = 1u << 3;
constexpr unsigned kThpShift = 4;
constexpr uint8_t kThpMask = 0x3;
constexpr uint8_t kSwapOn = 1u << 6;
constexpr uint8_t kZeroPageOff = 1u << 7;
// Byte 1: a per-process resident limit (0: none) and local replacement.
constexpr uint8_t kLimitMask = 0x3f;
constexpr uint64_t kMinLimitPages = 8;
constexpr uint8_t kLocalReplacement = 1u << 6;

GuestRoot& guest_root() {
  static GuestRoot root({{"init", guest_program().elf, 0755}});
  return root;
}

// VMLAB_FUZZ_STRACE=1 prints every system call of a replayed input on stderr.
bool print_strace() {
  static const bool print = std::getenv("VMLAB_FUZZ_STRACE") != nullptr;
  return print;
}

const std::string& root_signature() {
  static const std::string signature = guest_root().signature();
  return signature;
}

os::KernelConfig kernel_config(std::span<const uint8_t> bytes) {
  ByteReader in(bytes);
  const uint8_t machine = in.u8();
  const uint8_t limits = in.u8();
  os::KernelConfig c;
  c.root = guest_root().path();
  c.quantum = kQuantum;
  c.max_instructions = kMaxInstructions;
  c.max_processes = kMaxProcesses;
  c.policy = kPolicies[(machine & kPolicyMask) % std::size(kPolicies)];
  c.pcid = (machine & kPcidOff) != 0 ? os::PcidMode::kOff : os::PcidMode::kOn;
  switch ((machine >> kThpShift) & kThpMask) {
    case 1:
      c.thp = os::KernelConfig::Thp::kAlways;
      break;
    case 2:
      c.thp = os::KernelConfig::Thp::kMadvise;
      break;
    default:
      c.thp = os::KernelConfig::Thp::kNever;
      break;
  }
  if ((machine & kSwapOn) != 0) c.swap_bytes = kSwapBytes;
  c.zero_page = (machine & kZeroPageOff) == 0;
  if ((limits & kLimitMask) != 0) c.process_limit_pages = kMinLimitPages + (limits & kLimitMask);
  c.local_replacement = (limits & kLocalReplacement) != 0;
  return c;
}

const char* end_name(os::RunEnd end) {
  switch (end) {
    case os::RunEnd::kAllExited:
      return "all exited";
    case os::RunEnd::kInstructionLimit:
      return "instruction limit";
    case os::RunEnd::kDeadlock:
      return "deadlock";
    case os::RunEnd::kHostError:
      return "host error";
    case os::RunEnd::kPaused:
      return "paused";
    case os::RunEnd::kInterrupted:
      return "interrupted";
  }
  return "?";
}

void run(std::span<const uint8_t> input) {
  const size_t config_bytes = std::min(input.size(), kConfigBytes);
  SyscallScript script(input.subspan(config_bytes));
  GuestMachineConfig config;
  config.ram_bytes = kRamBytes;
  config.kernel = kernel_config(input.first(config_bytes));
  GuestMachine machine(config, &script);
  script.attach(machine);
  os::Kernel& kernel = machine.kernel();
  StraceDecoder strace(kernel, print_strace());

  os::SpawnRequest request;
  request.argv = {"/init"};
  request.envp = {"PATH=/bin", "HOME=/"};
  const auto null = kernel.fs().open("/dev/null", "/", O_RDWR, 0);
  request.stdin_file = request.stdout_file = request.stderr_file = null->file;
  if (const auto spawned = kernel.spawn(request); !spawned)
    fail("cannot start /init: " + spawned.error().message);

  // Run in short budgets: between them, no fault or call is in progress and the kernel's
  // bookkeeping must be consistent.
  os::RunEnd end = os::RunEnd::kPaused;
  while (end == os::RunEnd::kPaused) {
    end = kernel.run(kCheckInterval);
    check_bookkeeping(machine, "after " + std::to_string(script.syscalls()) + " system calls");
  }
  if (end == os::RunEnd::kHostError || end == os::RunEnd::kInterrupted)
    fail(std::string("the run ended with '") + end_name(end) + "', which nothing here asks for");
  shut_down_and_check(machine, std::string("run ended: ") + end_name(end) + ", " +
                                   std::to_string(script.syscalls()) + " system calls");
  if (guest_root().signature() != root_signature())
    fail("the guest changed the host root " + guest_root().path() + ":\n" +
         guest_root().signature() + "instead of:\n" + root_signature());
}

}  // namespace
}  // namespace vmlab::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  vmlab::fuzz::keep_report_stream();
  vmlab::fuzz::root_signature();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmlab::fuzz::run({data, size});
  return 0;
}

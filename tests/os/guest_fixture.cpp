#include "tests/os/guest_fixture.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/syscall.h>

#include <stdexcept>

#include "fuzz/support/fake_cpu.h"
#include "fuzz/support/mini_elf.h"
#include "fuzz/support/user_access.h"

namespace vmlab::testing {

namespace {

std::vector<uint8_t> program() {
  fuzz::MiniSegment text{kText, PF_R | PF_X, std::vector<uint8_t>(64, 0x90), 64};
  std::vector<uint8_t> data(kDataFileBytes);
  for (size_t i = 0; i < data.size(); ++i)
    data[i] = static_cast<uint8_t>(i);
  fuzz::MiniSegment rw{kData, PF_R | PF_W, data, kDataBytes};
  return fuzz::build_static_elf(kText, {text, rw});
}

std::vector<uint8_t> file_contents() {
  std::vector<uint8_t> bytes(kFilePages * mmu::kPageBytes + kFileTail);
  for (uint64_t i = 0; i < bytes.size(); ++i)
    bytes[i] = file_byte(i);
  return bytes;
}

}  // namespace

TestGuest::TestGuest(os::KernelConfig config, uint64_t ram_bytes)
    : root_(std::make_unique<fuzz::GuestRoot>(std::vector<fuzz::RootFile>{
          {"prog", program(), 0755}, {"data.bin", file_contents(), 0644}})) {
  config.root = root_->path();
  fuzz::GuestMachineConfig machine;
  machine.ram_bytes = ram_bytes;
  machine.kernel = std::move(config);
  machine_ = std::make_unique<fuzz::GuestMachine>(machine, nullptr);
  fault_subscription_ = kernel().events().fault.subscribe(
      [this](const os::FaultEvent& e) { faults_.push_back(e.resolution); });
  os::SpawnRequest request;
  request.argv = {"/prog"};
  const auto null = kernel().fs().open("/dev/null", "/", O_RDWR, 0);
  request.stdin_file = request.stdout_file = request.stderr_file = null->file;
  const auto spawned = kernel().spawn(request);
  if (!spawned)
    throw std::runtime_error("cannot spawn the test program: " + spawned.error().message);
  pid_ = *spawned;
}

TestGuest::~TestGuest() {
  machine_.reset();  // the kernel goes before the root it reads
}

os::Process& TestGuest::process(int pid) {
  os::Process* p = kernel().find(pid == 0 ? pid_ : pid);
  if (p == nullptr) throw std::logic_error("no process " + std::to_string(pid));
  return *p;
}

fuzz::FakeCpu& TestGuest::cpu(int pid) {
  return static_cast<fuzz::FakeCpu&>(process(pid).cpu());
}

int64_t TestGuest::syscall(int number, std::initializer_list<uint64_t> args, int pid) {
  fuzz::FakeCpu& c = cpu(pid);
  constexpr os::Reg kArgs[] = {os::Reg::kRdi, os::Reg::kRsi, os::Reg::kRdx,
                               os::Reg::kR10, os::Reg::kR8,  os::Reg::kR9};
  c.set_reg(os::Reg::kRax, static_cast<uint64_t>(number));
  size_t i = 0;
  for (uint64_t a : args)
    c.set_reg(kArgs[i++], a);
  c.retire(1);
  kernel().syscall(process(pid));
  return static_cast<int64_t>(c.reg(os::Reg::kRax));
}

int64_t TestGuest::mmap(uint64_t length, int prot, int flags, int fd, uint64_t addr) {
  return syscall(SYS_mmap, {addr, length, static_cast<uint64_t>(prot), static_cast<uint64_t>(flags),
                            static_cast<uint64_t>(fd), 0});
}

int TestGuest::open_file(int pid) {
  const uint64_t path = put_string(kFilePath, pid);
  return static_cast<int>(syscall(SYS_open, {path, O_RDWR, 0}, pid));
}

int TestGuest::fork(int pid) {
  const os::Result<os::Process*> child = kernel().fork(process(pid));
  if (!child) throw std::runtime_error("fork failed: " + std::to_string(child.error().code()));
  return (*child)->pid();
}

Faults TestGuest::access(uint64_t va, mmu::Access access, int pid, bool* completed) {
  faults_.clear();
  cpu(pid).retire(1);
  uint8_t byte[1] = {0};
  const bool done = fuzz::user_access(*machine_, pid == 0 ? pid_ : pid, va, access, byte, kText);
  if (completed != nullptr) *completed = done;
  return faults_;
}

uint8_t TestGuest::peek(uint64_t va, int pid) {
  uint8_t byte[1] = {0};
  cpu(pid).retire(1);
  if (!fuzz::user_access(*machine_, pid == 0 ? pid_ : pid, va, mmu::Access::kRead, byte, kText))
    throw std::runtime_error("read of " + std::to_string(va) + " failed");
  return byte[0];
}

void TestGuest::poke(uint64_t va, uint8_t value, int pid) {
  uint8_t byte[1] = {value};
  cpu(pid).retire(1);
  if (!fuzz::user_access(*machine_, pid == 0 ? pid_ : pid, va, mmu::Access::kWrite, byte, kText))
    throw std::runtime_error("write of " + std::to_string(va) + " failed");
}

uint64_t TestGuest::put_string(const std::string& s, int pid) {
  const uint64_t at = kData + kDataBytes - 256;  // the end of .bss
  for (size_t i = 0; i <= s.size(); ++i)
    poke(at + i, i < s.size() ? static_cast<uint8_t>(s[i]) : 0, pid);
  return at;
}

}  // namespace vmlab::testing

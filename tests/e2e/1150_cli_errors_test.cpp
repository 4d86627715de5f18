// Bad input gets one clear line and a documented exit status, never a crash.
#include <elf.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/vmlab_test.h"

namespace vmlab::testing {
namespace {

CommandResult vmlab(const std::vector<std::string>& args) {
  std::vector<std::string> cmd = {vmlab_binary()};
  cmd.insert(cmd.end(), args.begin(), args.end());
  return run_command(cmd);
}

void expect_error(const std::vector<std::string>& args, int status, const std::string& line) {
  const CommandResult r = vmlab(args);
  EXPECT_EQ(r.status, status) << r.err;
  EXPECT_EQ(r.err, line + "\n");
  EXPECT_EQ(r.out, "");
}

TEST(CliErrors, BadOptions) {
  expect_error({"run", "--ram", "lots", "x"}, 125,
               "vmlab: --ram: expected a size like 64M, got 'lots'");
  expect_error({"run", "--ram", "100", "x"}, 125, "vmlab: --ram: 100 is not a multiple of 4K");
  expect_error({"run", "--ram", "64k", "x"}, 125, "vmlab: --ram: 64k is outside 256K..64G");
  expect_error({"run", "--frobnicate", "x"}, 125,
               "vmlab: unknown option --frobnicate (see vmlab run --help)");
  expect_error({"run", "--tlb", "l1d.4k=60x8", "x"}, 125,
               "vmlab: --tlb item 'l1d.4k=60x8': entries must be a multiple of ways");
  expect_error({"run", "--max-insns"}, 125, "vmlab: --max-insns needs a value (N)");
  expect_error({"run", "--pcid", "maybe", "x"}, 125,
               "vmlab: --pcid: expected on or off, got 'maybe'");
  expect_error({"run", "--timeout", "-1", "x"}, 125,
               "vmlab: --timeout: expected a positive number of seconds, got '-1'");
  expect_error({"run"}, 125,
               "vmlab: no program to run (vmlab run [options] [--] PROGRAM [ARGS...])");
  const CommandResult unknown = vmlab({"frob"});
  EXPECT_EQ(unknown.status, 125);
  EXPECT_EQ(unknown.err.rfind("vmlab: unknown command 'frob'\nusage: vmlab COMMAND", 0), 0u);
}

TEST(CliErrors, HelpDocumentsEveryOptionWithItsDefault) {
  const CommandResult r = vmlab({"run", "--help"});
  EXPECT_EQ(r.status, 0);
  for (const char* option : {"--ram", "--tlb", "--stats", "--stats-json", "--max-insns", "--root",
                             "--env", "--unset-env", "--check", "--model", "--quantum", "--pcid"})
    EXPECT_NE(r.out.find(std::string("  ") + option), std::string::npos) << option;
  size_t lines = 0, defaults = 0;
  for (size_t at = r.out.find("\n  --"); at != std::string::npos; at = r.out.find("\n  --", at + 1))
    ++lines;
  for (size_t at = r.out.find("[default: "); at != std::string::npos;
       at = r.out.find("[default: ", at + 1))
    ++defaults;
  EXPECT_EQ(lines, defaults);
  EXPECT_NE(r.out.find("l2.4k+2m  1536 entries, 12-way, lru"), std::string::npos);
}

TEST(CliErrors, ProgramNotFoundIs127) {
  expect_error({"run", "/no/such/program"}, 127,
               "vmlab: /no/such/program: No such file or directory");
}

std::string write_file(const std::string& name, const std::string& bytes, bool executable = true) {
  const std::string path = temp_dir() + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  chmod(path.c_str(), executable ? 0755 : 0644);
  return path;
}

std::string elf_header(unsigned char cls, uint16_t machine, uint16_t type) {
  Elf64_Ehdr eh{};
  std::copy(ELFMAG, ELFMAG + SELFMAG, eh.e_ident);
  eh.e_ident[EI_CLASS] = cls;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = type;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_phoff = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  eh.e_ehsize = sizeof eh;
  return std::string(reinterpret_cast<const char*>(&eh), sizeof eh);
}

TEST(CliErrors, MalformedExecutablesAre126) {
  const std::string script = write_file("text", std::string(100, 'x'));
  expect_error({"run", script}, 126, "vmlab: " + script + ": not an ELF file (bad magic)");
  const std::string short_text = write_file("short", "echo hi\n");
  expect_error({"run", short_text}, 126,
               "vmlab: " + short_text + ": not an ELF file (too short for an ELF header)");
  const std::string tiny = write_file("tiny",
                                      "\x7f"
                                      "ELF");
  expect_error({"run", tiny}, 126,
               "vmlab: " + tiny + ": truncated ELF file (no complete ELF header)");
  const std::string elf32 = write_file("elf32", elf_header(ELFCLASS32, EM_X86_64, ET_EXEC));
  expect_error({"run", elf32}, 126, "vmlab: " + elf32 + ": not a 64-bit ELF file (ELF class 1)");
  const std::string arm = write_file("arm", elf_header(ELFCLASS64, EM_AARCH64, ET_EXEC));
  expect_error({"run", arm}, 126,
               "vmlab: " + arm + ": ELF file for another machine (e_machine 183, x86-64 is 62)");
  const std::string core = write_file("core", elf_header(ELFCLASS64, EM_X86_64, ET_CORE));
  expect_error({"run", core}, 126, "vmlab: " + core + ": ELF file is not an executable (e_type 4)");
  const std::string headers_only = write_file("nophdr", elf_header(ELFCLASS64, EM_X86_64, ET_EXEC));
  expect_error(
      {"run", headers_only}, 126,
      "vmlab: " + headers_only + ": truncated ELF file (program headers past the end of the file)");
  const std::string not_exec = write_file("noexec", "x", false);
  expect_error({"run", not_exec}, 126,
               "vmlab: " + not_exec + ": permission denied (not executable)");
}

// One PT_LOAD segment of `memsz` bytes at `vaddr` (no file bytes), entry at its start.
std::string elf_with_segment(uint16_t type, uint64_t vaddr, uint64_t memsz) {
  std::string file = elf_header(ELFCLASS64, EM_X86_64, type);
  reinterpret_cast<Elf64_Ehdr*>(file.data())->e_entry = vaddr;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_vaddr = vaddr;
  ph.p_memsz = memsz;
  ph.p_align = 4096;
  return file + std::string(reinterpret_cast<const char*>(&ph), sizeof ph);
}

// Segments the file places outside what a process may map (found by fuzz/fuzz_elf_loader):
// over the initial stack, or past the top of user space once a static-pie is moved to its load
// base.
TEST(CliErrors, SegmentsOutsideUserSpaceAre126) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"over-stack", elf_with_segment(ET_EXEC, 0x7fff'fffe'0000, 0x10000)},
      {"pie-beyond-top", elf_with_segment(ET_DYN, 0x7000'0000'0000, 0x1000)},
  };
  for (const auto& [name, bytes] : cases) {
    const std::string path = write_file(name, bytes);
    expect_error({"run", "--check", path}, 126,
                 "vmlab: " + path + ": PT_LOAD segment outside the user address space");
  }
}

// A segment high in user space whose zero bytes run as `add [rax], al` with RAX = 0: the load
// from page 0 has no engine region behind it (nothing is mapped in the low PML4 slots), and
// --check must still see the model predict the same #PF as the CPU, as Linux ends it.
TEST(CliErrors, FaultOutsideEveryEngineRegionIsCheckedLikeAnyOther) {
  const std::string path = write_file("high", elf_with_segment(ET_EXEC, 0x7fff'fff0'0000, 0x1000));
  const VmlabRun run = run_vmlab({}, {path});
  EXPECT_EQ(run.result.status, 139) << run.result.err;
  EXPECT_EQ(run.result.err,
            "vmlab: pid 1 (high) killed by SIGSEGV (Segmentation fault) at address "
            "0x0, rip 0x7ffffff00000\n");
}

TEST(CliErrors, AZeroQuantumIsRefused) {
  expect_error({"run", "--quantum", "0", guest("hello_rt-rt")}, 125,
               "vmlab: --quantum: a time slice is at least 1 instruction");
}

TEST(CliErrors, EveryTraceEventTheHelpListsIsAccepted) {
  const CommandResult help = vmlab({"run", "--help"});
  const auto at = help.out.find("comma list: ");
  ASSERT_NE(at, std::string::npos);
  const std::string list = help.out.substr(at + 12, help.out.find(')', at) - at - 12);
  const VmlabRun run =
      run_vmlab({"--trace", "/dev/null", "--trace-events", list}, {guest("hello_rt-rt")});
  EXPECT_EQ(run.result.status, 0) << list << ": " << run.result.err;
}

TEST(CliErrors, VersionNamesTheLibraries) {
  const CommandResult r = vmlab({"--version"});
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(r.out.rfind("vmlab ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("Unicorn 2.1."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Capstone "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Lua 5.4"), std::string::npos) << r.out;
}

TEST(CliErrors, AMissingInterpreterIs127NamingIt) {
  const std::string program = guest("hello-nointerp");
  expect_error({"run", program}, 127,
               "vmlab: " + program +
                   ": cannot run its interpreter /nonexistent/ld.so: No such file or directory");
}

TEST(CliErrors, MaxInstructionsStopsExactly) {
  const VmlabRun run = run_vmlab({"--max-insns", "12345"}, {guest("compute-musl"), "1000000"});
  EXPECT_EQ(run.result.status, 124);
  EXPECT_EQ(run.result.err, "vmlab: stopped after 12345 instructions (--max-insns)\n");
  EXPECT_EQ(run.stats["instructions"].u64(), 12345u);
  EXPECT_EQ(run.stats["end"].str(), "instruction-limit");
  expect_no_frame_leak(run.stats);
}

TEST(CliErrors, TimeoutStopsAGuestThatNeverExits) {
  const VmlabRun run =
      run_vmlab({"--timeout", "0.3"}, {"/bin/busybox", "sh", "-c", "while :; do :; done"});
  EXPECT_EQ(run.result.status, 124);
  EXPECT_EQ(run.result.err.rfind("vmlab: stopped by --timeout after ", 0), 0u) << run.result.err;
  EXPECT_EQ(run.stats["end"].str(), "timeout");
  EXPECT_GT(run.stats["instructions"].u64(), 0u);
  expect_no_frame_leak(run.stats);
}

TEST(CliErrors, InterruptedRunsStillWriteTheirResults) {
  // SIGINT to vmlab (a Ctrl-C) stops the guest at the next time slice; the statistics are
  // written and vmlab ends as the signal would end it.
  const std::string stats = temp_dir() + "/interrupted.json";
  const CommandResult r =
      run_command({"timeout", "--preserve-status", "-s", "INT", "0.3", vmlab_binary(), "run",
                   "--stats-json", stats, "--", "/bin/busybox", "sh", "-c", "while :; do :; done"});
  EXPECT_EQ(r.status, 130) << r.err;
  EXPECT_EQ(r.err.rfind("vmlab: interrupted by SIGINT after ", 0), 0u) << r.err;
  std::ifstream in(stats);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const Json json = Json::parse(text);
  EXPECT_EQ(json["end"].str(), "interrupted");
  EXPECT_EQ(json["exit_status"].i64(), 130);
  expect_no_frame_leak(json);
}

TEST(CliErrors, UnusableSwapFileIsOneClearLine) {
  expect_error({"run", "--swap", "8M", "--swap-file", "/no/such/dir/swap", guest("hello_rt-rt")},
               125, "vmlab: cannot open swap file '/no/such/dir/swap': No such file or directory");
}

TEST(CliErrors, UnwritableStatsFileIsReported) {
  const CommandResult r =
      vmlab({"run", "--stats-json", "/no/such/dir/s.json", guest("hello_rt-rt")});
  EXPECT_EQ(r.status, 125);
  EXPECT_EQ(r.out, "hello from a freestanding guest\n");
  EXPECT_EQ(r.err, "vmlab: cannot write --stats-json file '/no/such/dir/s.json'\n");
}

}  // namespace
}  // namespace vmlab::testing

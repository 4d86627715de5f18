// --trace: each instruction with its translations, interleaved with kernel events.
//
// The tracer only observes: it reads guest memory and translates nothing itself, so a traced
// run retires the same instructions and produces the same statistics as an untraced one.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "emulator/cpu_observer.h"
#include "emulator/machine.h"
#include "emulator/strace_format/syscall_format.h"
#include "emulator/trace/disassembler.h"
#include "emulator/trace/symbols.h"
#include "emulator/trace/trace_format.h"
#include "emulator/trace/trace_options.h"
#include "os/vma.h"

namespace vmlab::emulator {

class Tracer final : public CpuObserver, public mmu::MmuObserver {
 public:
  // Opens options.file ("-" is stdout) and subscribes to the machine's events. Install it on
  // the machine (set_cpu_observer, mmu().set_observer) before the first process starts.
  // Throws std::runtime_error when the file cannot be opened.
  Tracer(Machine& machine, const TraceOptions& options);
  ~Tracer() override;

  void flush();
  uint64_t lines() const { return lines_; }

  // CpuObserver
  bool wants_instructions() const override { return instructions_; }
  void on_instruction(const os::Process& process, uint64_t address, std::span<const uint8_t> bytes,
                      uint64_t index) override;
  void on_access(const os::Process& process, uint64_t va, mmu::Access access, int size,
                 const mmu::Translation& t) override;
  // mmu::MmuObserver
  void on_translation(const mmu::TranslationEvent& e) override;
  void on_invalidation(const mmu::InvalidationEvent& e) override;

 private:
  bool wants(const char* event) const;
  bool in_window(uint64_t seq) const {
    return seq >= options_.from && seq - options_.from < options_.count;
  }
  bool pid_ok(int pid) const { return options_.pid == 0 || options_.pid == pid; }
  KernelRecord kernel_record(const os::Process& process);
  const Symbols& symbols_of(const os::Vma& vma);
  std::string symbol_of(const os::Process& process, uint64_t address);
  void emitted();

  Machine& machine_;
  TraceOptions options_;
  std::FILE* out_;
  bool owns_out_;
  bool instructions_;
  std::set<std::string> events_;
  std::unique_ptr<TraceFormat> format_;
  Disassembler disassembler_;
  SyscallFormatter syscalls_;
  const os::Process* calling_ = nullptr;
  std::map<std::string, Symbols> symbols_;
  std::string buffer_;
  uint64_t lines_ = 0;
  uint64_t base_ = 0;                // instructions retired by other CPUs when this one runs
  bool instruction_traced_ = false;  // the last instruction passed the filters
  uint64_t last_seq_ = 0;
  std::optional<AccessRecord> pending_;  // a translation waiting for its on_access
  std::optional<AccessRecord> fetch_;    // a block's fetch, printed after its first instruction
  // Last, so the kernel stops calling this tracer before any of its other members go.
  std::vector<os::Subscription> subscriptions_;
};

}  // namespace vmlab::emulator

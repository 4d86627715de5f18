#include "emulator/trace/tracer.h"

#include <sys/syscall.h>

#include <algorithm>
#include <sstream>
#include <stdexcept>

#include "os/address_space.h"
#include "os/user_memory.h"

namespace vmlab::emulator {

namespace {

constexpr size_t kFlushBytes = 1 << 20;
const std::set<std::string> kKnownEvents = {"faults",    "syscalls",  "tlb", "switches",
                                            "processes", "evictions", "swap"};

std::set<std::string> parse_events(const std::string& list) {
  std::set<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) continue;
    if (kKnownEvents.count(item) == 0)
      throw std::runtime_error("--trace-events: unknown event '" + item +
                               "' (faults, syscalls, tlb, switches, processes, evictions, swap)");
    out.insert(item);
  }
  return out;
}

}  // namespace

Tracer::Tracer(Machine& machine, const TraceOptions& options)
    : machine_(machine),
      options_(options),
      out_(options.file == "-" ? stdout : std::fopen(options.file.c_str(), "w")),
      owns_out_(options.file != "-"),
      instructions_(options.events.empty()),
      events_(parse_events(options.events)),
      format_(options.format == "jsonl" ? make_jsonl_format() : make_text_format()),
      disassembler_(options.syntax == "att" ? Disassembler::Syntax::kAtt
                                            : Disassembler::Syntax::kIntel),
      syscalls_([this](uint64_t va, void* out, size_t size) {
        auto& p = const_cast<os::Process&>(*calling_);  // peek() changes nothing
        return machine_.kernel().user_memory(p).peek(va, {static_cast<uint8_t*>(out), size});
      }) {
  if (out_ == nullptr) throw std::runtime_error("cannot open trace file '" + options.file + "'");
  os::KernelEvents& ev = machine_.kernel().events();
  subscriptions_.push_back(ev.fault.subscribe([this](const os::FaultEvent& e) {
    if (!wants("faults") || !pid_ok(e.process.pid())) return;
    const KernelRecord k = kernel_record(e.process);
    if (!in_window(k.seq)) return;
    format_->fault(buffer_, k, e);
    emitted();
  }));
  subscriptions_.push_back(ev.syscall.subscribe([this](const os::SyscallEvent& e) {
    calling_ = &e.process;
    if (e.entry) {
      if (out_ == stdout) flush();  // the trace so far goes out before the guest's own output
      return;
    }
    if (!wants("syscalls") || !pid_ok(e.process.pid())) return;
    const KernelRecord k = kernel_record(e.process);
    if (!in_window(k.seq)) return;
    const char* name = os::syscall_name(e.number);
    const std::string call = std::string(*name ? name : "syscall") + "(" +
                             syscalls_.arguments(e.number, e.args, e.result) + ")";
    format_->syscall(buffer_, k, call, syscalls_.result(e.number, e.args, e.result));
    emitted();
  }));
  subscriptions_.push_back(ev.process.subscribe([this](const os::ProcessEvent& e) {
    if (e.kind == os::ProcessEvent::Kind::kSwitchIn || e.kind == os::ProcessEvent::Kind::kExec) {
      auto& p = const_cast<os::Process&>(e.process);
      base_ = machine_.kernel().instructions() - (p.has_cpu() ? p.cpu().instructions() : 0);
    }
    const char* kind = e.kind == os::ProcessEvent::Kind::kSwitchIn ? "switches" : "processes";
    if (!wants(kind) || !pid_ok(e.process.pid())) return;
    const KernelRecord k = kernel_record(e.process);
    if (!in_window(k.seq)) return;
    format_->process(buffer_, k, e);
    emitted();
  }));
  subscriptions_.push_back(ev.reclaim.subscribe([this](const os::ReclaimEvent& e) {
    const bool swap =
        e.kind == os::ReclaimEvent::Kind::kSwapIn || e.kind == os::ReclaimEvent::Kind::kSwapOut;
    if (!wants(swap ? "swap" : "evictions")) return;
    const int pid = e.process != nullptr ? e.process->pid() : 0;
    if (!pid_ok(pid)) return;
    KernelRecord k{machine_.kernel().instructions(), pid};
    if (!in_window(k.seq)) return;
    format_->reclaim(buffer_, k, e);
    emitted();
  }));
}

Tracer::~Tracer() {
  flush();
  if (owns_out_) std::fclose(out_);
}

void Tracer::flush() {
  if (!buffer_.empty()) std::fwrite(buffer_.data(), 1, buffer_.size(), out_);
  buffer_.clear();
  std::fflush(out_);
}

void Tracer::emitted() {
  ++lines_;
  if (buffer_.size() >= kFlushBytes) flush();
}

bool Tracer::wants(const char* event) const {
  return events_.empty() || events_.count(event) != 0;
}

KernelRecord Tracer::kernel_record(const os::Process& process) {
  return KernelRecord{machine_.kernel().instructions(), process.pid()};
}

const Symbols& Tracer::symbols_of(const os::Vma& vma) {
  // One table per file (its path and inode number: a file replaced at that path is another).
  const std::string key = vma.name + "#" + std::to_string(vma.file->stat().ino);
  auto it = symbols_.find(key);
  if (it != symbols_.end()) return it->second;
  std::string bytes(static_cast<size_t>(std::max<int64_t>(vma.file->stat().size, 0)), '\0');
  const int64_t n = vma.file->read(0, {reinterpret_cast<uint8_t*>(bytes.data()), bytes.size()});
  bytes.resize(static_cast<size_t>(std::max<int64_t>(n, 0)));
  return symbols_.emplace(key, Symbols::parse(bytes)).first->second;
}

std::string Tracer::symbol_of(const os::Process& process, uint64_t address) {
  if (!process.has_space()) return "";
  const os::Vma* vma = process.space().find_vma(address);
  if (vma == nullptr || vma->kind != os::VmaKind::kFile || !vma->file) return "";
  const std::string name =
      symbols_of(*vma).describe_offset(address - vma->start + vma->file_offset);
  // Code of a shared object is named with it: "printf+0x1b@libc.so.6".
  if (name.empty() || vma->name == process.exe) return name;
  return name + "@" + vma->name.substr(vma->name.rfind('/') + 1);
}

void Tracer::on_instruction(const os::Process& process, uint64_t address,
                            std::span<const uint8_t> bytes, uint64_t index) {
  const uint64_t seq = base_ + index;
  last_seq_ = seq;
  instruction_traced_ = pid_ok(process.pid()) && in_window(seq) && address >= options_.range_lo &&
                        address <= options_.range_hi;
  if (!instruction_traced_) {
    fetch_.reset();
    return;
  }
  const std::string text = disassembler_.disassemble(bytes, address);
  const std::string symbol = symbol_of(process, address);
  format_->instruction(buffer_,
                       InstructionRecord{seq, process.pid(), address, bytes, text, symbol});
  emitted();
  if (fetch_) {
    fetch_->seq = seq;
    format_->access(buffer_, *fetch_);
    fetch_.reset();
    emitted();
  }
}

void Tracer::on_translation(const mmu::TranslationEvent& e) {
  AccessRecord r;
  r.seq = last_seq_;
  r.pid = machine_.kernel().current().pid();
  r.kind = e.access;
  r.size = 0;
  r.va = e.va.value;
  r.result = e.result;
  r.walked = e.walk != nullptr;
  if (r.walked) r.walk = *e.walk;
  r.psc_level = e.psc_level;
  r.rewalk = e.rewalk;
  if (e.access == mmu::Access::kFetch)
    fetch_ = r;
  else
    pending_ = r;
}

void Tracer::on_access(const os::Process&, uint64_t va, mmu::Access, int size,
                       const mmu::Translation&) {
  if (!pending_ || pending_->va != va) return;
  AccessRecord r = *pending_;
  pending_.reset();
  if (!instructions_ || !instruction_traced_ || va < options_.data_lo || va > options_.data_hi)
    return;
  r.size = size;
  r.seq = last_seq_;
  format_->access(buffer_, r);
  emitted();
}

void Tracer::on_invalidation(const mmu::InvalidationEvent& e) {
  if (!wants("tlb")) return;
  os::Kernel& kernel = machine_.kernel();
  const int pid = kernel.has_current() ? kernel.current().pid() : 0;
  if (!pid_ok(pid)) return;
  const KernelRecord k{kernel.instructions(), pid};
  if (!in_window(k.seq)) return;
  format_->invalidation(buffer_, k, e);
  emitted();
}

}  // namespace vmlab::emulator

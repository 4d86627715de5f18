// The text trace: one line per instruction like a debugger listing, its translations indented
// under it, kernel events prefixed with "--".
#include <cstdio>

#include "emulator/trace/trace_format.h"
#include "mmu/format.h"
#include "os/process.h"

namespace vmlab::emulator {

namespace {

using mmu::hex;

void append(std::string& out, const char* fmt, auto... args) {
  char line[512];
  std::snprintf(line, sizeof line, fmt, args...);
  out += line;
}

class TextFormat final : public TraceFormat {
 public:
  void instruction(std::string& out, const InstructionRecord& r) override {
    std::string bytes;
    for (uint8_t b : r.bytes)
      append(bytes, "%02x ", b);
    const std::string symbol = r.symbol.empty() ? "" : "<" + std::string(r.symbol) + ">";
    append(out, "%10llu [%d] %016llx %-24s %-30s %.*s\n", static_cast<unsigned long long>(r.seq),
           r.pid, static_cast<unsigned long long>(r.va), symbol.c_str(), bytes.c_str(),
           static_cast<int>(r.text.size()), r.text.data());
  }

  void access(std::string& out, const AccessRecord& r) override {
    append(out, "%18s%-5s %2d %016llx", "", std::string(mmu::access_name(r.kind)).c_str(), r.size,
           static_cast<unsigned long long>(r.va));
    if (r.result.faulted) {
      append(out, " -> #%s error %s (%s)",
             r.result.fault.kind == mmu::FaultKind::kPageFault ? "PF" : "GP",
             hex(r.result.fault.error_code).c_str(),
             describe_error_code(r.result.fault.error_code).c_str());
    } else {
      append(out, " -> %s %s", hex(r.result.pa.value).c_str(),
             r.result.outcome == mmu::TlbOutcome::kL1Hit   ? "L1 hit"
             : r.result.outcome == mmu::TlbOutcome::kL2Hit ? "L2 hit"
                                                           : "walk");
      if (r.result.size != mmu::PageSize::k4K)
        append(out, " (%s page)", std::string(mmu::page_size_name(r.result.size)).c_str());
    }
    if (r.walked) {
      if (r.rewalk) out += " [TLB entry could not serve it]";
      if (r.psc_level != 0)
        append(out, " [%s cache hit]", mmu::level_name(static_cast<mmu::Level>(r.psc_level)));
      for (uint8_t i = 0; i < r.walk.step_count; ++i) {
        const mmu::WalkStep& s = r.walk.steps[i];
        append(out, " %s@%s=%s", mmu::level_name(s.level), hex(s.entry_address.value).c_str(),
               hex(s.entry.raw()).c_str());
        if (s.set_accessed || s.set_dirty)
          append(out, "{%s%s}", s.set_accessed ? "+A" : "", s.set_dirty ? "+D" : "");
      }
    }
    out += "\n";
  }

  void fault(std::string& out, const KernelRecord& k, const os::FaultEvent& e) override {
    append(out, "        -- #PF [%d] at %s rip %s error %s (%s) -> %s", k.pid,
           hex(e.address).c_str(), hex(e.rip).c_str(), hex(e.error_code).c_str(),
           describe_error_code(e.error_code).c_str(), os::fault_resolution_name(e.resolution));
    if (e.new_pfn != 0) append(out, ", frame %s", hex(e.new_pfn).c_str());
    if (e.old_pfn != 0 && e.old_pfn != e.new_pfn) append(out, " (was %s)", hex(e.old_pfn).c_str());
    out += "\n";
  }

  void syscall(std::string& out, const KernelRecord& k, const std::string& call,
               const std::string& result) override {
    append(out, "        -- syscall [%d] ", k.pid);
    out += call + " = " + result + "\n";
  }

  void invalidation(std::string& out, const KernelRecord& k,
                    const mmu::InvalidationEvent& e) override {
    append(out, "        -- tlb [%d] %s %s pcid %u: %u entries dropped\n", k.pid,
           invalidation_name(e.kind), hex(e.va.value).c_str(), static_cast<unsigned>(e.pcid),
           e.entries_dropped);
  }

  void process(std::string& out, const KernelRecord& k, const os::ProcessEvent& e) override {
    append(out, "        -- %s [%d] %s", process_event_name(e.kind), k.pid, e.process.comm.c_str());
    if (e.kind == os::ProcessEvent::Kind::kExit)
      append(out, " wait status %s", hex(e.wait_status).c_str());
    out += "\n";
  }

  void reclaim(std::string& out, const KernelRecord& k, const os::ReclaimEvent& e) override {
    append(out, "        -- %s [%d] %s frame %s", reclaim_event_name(e.kind), k.pid,
           hex(e.va).c_str(), hex(e.pfn).c_str());
    if (e.kind == os::ReclaimEvent::Kind::kSwapOut || e.kind == os::ReclaimEvent::Kind::kSwapIn)
      append(out, " slot %llu", static_cast<unsigned long long>(e.slot));
    out += "\n";
  }
};

}  // namespace

std::unique_ptr<TraceFormat> make_text_format() {
  return std::make_unique<TextFormat>();
}

}  // namespace vmlab::emulator

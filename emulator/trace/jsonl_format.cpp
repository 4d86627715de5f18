// The JSONL trace: one object per event; the schema is docs/trace-schema.md. Numbers that are
// addresses or entry values are hex strings ("0x..."), counts are JSON numbers. Lines are built
// by hand, not as nlohmann::json values: this runs per instruction (json_quote.h has the numbers).
#include "emulator/trace/json_quote.h"
#include "emulator/trace/trace_format.h"
#include "mmu/format.h"
#include "os/process.h"

namespace vmlab::emulator {

namespace {

using mmu::hex;

class JsonlFormat final : public TraceFormat {
 public:
  void instruction(std::string& out, const InstructionRecord& r) override {
    std::string bytes;
    char b[4];
    for (uint8_t x : r.bytes) {
      std::snprintf(b, sizeof b, "%02x", x);
      bytes += b;
    }
    out += R"({"type":"insn","seq":)" + std::to_string(r.seq) + R"(,"pid":)" +
           std::to_string(r.pid) + R"(,"va":")" + hex(r.va) + R"(","bytes":")" + bytes +
           R"(","asm":)" + json_string(r.text) + R"(,"sym":)" + json_string(r.symbol) + "}\n";
  }

  void access(std::string& out, const AccessRecord& r) override {
    out += R"({"type":"access","seq":)" + std::to_string(r.seq) + R"(,"pid":)" +
           std::to_string(r.pid) + R"(,"kind":")" + std::string(mmu::access_name(r.kind)) +
           R"(","size":)" + std::to_string(r.size) + R"(,"va":")" + hex(r.va) + R"(","outcome":")" +
           outcome_name(r) + "\"";
    if (r.result.faulted) {
      out += R"(,"error_code":)" + std::to_string(r.result.fault.error_code);
    } else {
      out += R"(,"pa":")" + hex(r.result.pa.value) + R"(","page_size":")" +
             std::string(mmu::page_size_name(r.result.size)) + "\"";
    }
    if (r.walked) {
      out += R"(,"psc_level":)" + std::to_string(r.psc_level) + R"(,"rewalk":)" +
             (r.rewalk ? "true" : "false") + R"(,"walk":[)";
      for (uint8_t i = 0; i < r.walk.step_count; ++i) {
        const mmu::WalkStep& s = r.walk.steps[i];
        out += std::string(i ? "," : "") + R"({"level":")" + mmu::level_name(s.level) +
               R"(","addr":")" + hex(s.entry_address.value) + R"(","value":")" +
               hex(s.entry.raw()) + R"(","set_a":)" + (s.set_accessed ? "true" : "false") +
               R"(,"set_d":)" + (s.set_dirty ? "true" : "false") + "}";
      }
      out += "]";
    }
    out += "}\n";
  }

  void fault(std::string& out, const KernelRecord& k, const os::FaultEvent& e) override {
    out += R"({"type":"fault","seq":)" + std::to_string(k.seq) + R"(,"pid":)" +
           std::to_string(k.pid) + R"(,"address":")" + hex(e.address) + R"(","rip":")" +
           hex(e.rip) + R"(","error_code":)" + std::to_string(e.error_code) + R"(,"resolution":")" +
           os::fault_resolution_name(e.resolution) + R"(","major":)" +
           (os::is_major(e.resolution) ? "true" : "false") + R"(,"old_pfn":")" + hex(e.old_pfn) +
           R"(","new_pfn":")" + hex(e.new_pfn) + "\"}\n";
  }

  void syscall(std::string& out, const KernelRecord& k, const std::string& call,
               const std::string& result) override {
    out += R"({"type":"syscall","seq":)" + std::to_string(k.seq) + R"(,"pid":)" +
           std::to_string(k.pid) + R"(,"call":)" + json_string(call) + R"(,"result":)" +
           json_string(result) + "}\n";
  }

  void invalidation(std::string& out, const KernelRecord& k,
                    const mmu::InvalidationEvent& e) override {
    out += R"({"type":"tlb","seq":)" + std::to_string(k.seq) + R"(,"pid":)" +
           std::to_string(k.pid) + R"(,"op":")" + invalidation_name(e.kind) + R"(","va":")" +
           hex(e.va.value) + R"(","pcid":)" + std::to_string(e.pcid) + R"(,"dropped":)" +
           std::to_string(e.entries_dropped) + "}\n";
  }

  void process(std::string& out, const KernelRecord& k, const os::ProcessEvent& e) override {
    out += R"({"type":"process","seq":)" + std::to_string(k.seq) + R"(,"pid":)" +
           std::to_string(k.pid) + R"(,"event":")" + process_event_name(e.kind) + R"(","comm":)" +
           json_string(e.process.comm) + R"(,"wait_status":)" + std::to_string(e.wait_status) +
           "}\n";
  }

  void reclaim(std::string& out, const KernelRecord& k, const os::ReclaimEvent& e) override {
    out += R"({"type":"reclaim","seq":)" + std::to_string(k.seq) + R"(,"pid":)" +
           std::to_string(k.pid) + R"(,"event":")" + reclaim_event_name(e.kind) + R"(","va":")" +
           hex(e.va) + R"(","pfn":")" + hex(e.pfn) + R"(","slot":)" + std::to_string(e.slot) +
           "}\n";
  }
};

}  // namespace

std::unique_ptr<TraceFormat> make_jsonl_format() {
  return std::make_unique<JsonlFormat>();
}

}  // namespace vmlab::emulator

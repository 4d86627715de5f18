#include "emulator/report.h"

#include <cstdio>

#include "emulator/json_writer.h"
#include "emulator/stat_flattener.h"
#include "os/vmstat.h"

namespace vmlab::emulator {

namespace {

// The statistics tree is written once, as a template over its writer: JsonWriter for
// --stats-json, StatFlattener for the timeline's list of counters.
template <typename Writer>
void tlb_section(Writer& json, Machine& machine) {
  if (machine.config().cpu.model == ModelMode::kFast) {
    json.value("tlb", "unavailable (--model fast)");
    return;
  }
  json.begin_object("tlb");
  for (auto level : {mmu::TlbLevel::kL1i, mmu::TlbLevel::kL1d, mmu::TlbLevel::kL2}) {
    if (machine.mmu().arrays(level).empty()) continue;
    json.begin_object(mmu::tlb_level_name(level));
    json.value("hits", machine.level_hits(level));
    json.value("misses", machine.level_misses(level));
    json.end_object();
  }
  json.end_object();
}

template <typename Writer>
void cycles_section(Writer& json, os::Kernel& kernel) {
  const os::CycleCounters& c = kernel.cycles();
  json.begin_object("cycles");  // modelled time, 1 cycle = 1 ns (os/cycle_accounting.h)
  json.value("total", kernel.uptime_ns());
  json.value("user", kernel.user_cycles());
  json.value("kernel", c.kernel());
  json.value("syscalls", c.syscalls);
  json.value("faults", c.faults);
  json.value("reclaim", c.reclaim);
  json.value("context_switches", c.context_switches);
  json.value("tlb_shootdowns", c.tlb_shootdowns);
  json.value("swap_wait", c.swap_wait);
  json.value("io_wait", c.io_wait);
  json.value("idle", c.idle);
  json.value("in_page_faults", c.in_page_faults);
  json.end_object();
}

// Each modelled CPU's work and TLB misses, and the shootdowns between them.
template <typename Writer>
void cpus_section(Writer& json, Machine& machine) {
  os::Kernel& kernel = machine.kernel();
  const os::TlbControl& tlb = kernel.tlb();
  json.begin_array("cpus");
  for (size_t cpu = 0; cpu < machine.cpu_count(); ++cpu) {
    const os::Kernel::CpuCounters& c = kernel.cpu_counters()[cpu];
    const mmu::Mmu& m = machine.mmu(cpu);
    json.begin_object();
    json.value("cpu", static_cast<uint64_t>(cpu));
    json.value("instructions", c.instructions);
    json.value("context_switches", c.context_switches);
    json.value("tlb_l1_misses",
               m.level_misses(mmu::TlbLevel::kL1i) + m.level_misses(mmu::TlbLevel::kL1d));
    json.value("tlb_l2_misses", m.level_misses(mmu::TlbLevel::kL2));
    json.value("walks", m.stats().value("walks"));
    json.value("shootdown_ipis_received", tlb.shootdowns_received(cpu).ipis);
    json.value("deferred_flushes", tlb.shootdowns_received(cpu).deferred_flushes);
    json.end_object();
  }
  json.end_array();
  const os::ShootdownCounters& s = tlb.shootdowns();
  json.begin_object("tlb_shootdowns");
  json.value("ipis", s.ipis);
  json.value("pages", s.pages);
  json.value("full_flushes", s.full_flushes);
  json.value("deferred_flushes", s.deferred_flushes);
  json.end_object();
}

template <typename Writer>
void pressure_section(Writer& json, os::Kernel& kernel) {
  constexpr double kHundred = 100.0;
  const os::MemoryPressure& psi = kernel.pressure();
  json.begin_object("pressure");
  json.begin_object("memory");
  for (const auto& [name, line] :
       {std::pair{"some", &psi.some()}, std::pair{"full", &psi.full()}}) {
    json.begin_object(name);
    const char* const windows[] = {"avg10", "avg60", "avg300"};
    for (size_t w = 0; w < line->avg.size(); ++w)
      json.value(windows[w],
                 static_cast<double>(os::PressureLine::hundredths(line->avg[w])) / kHundred);
    json.value("total_us", line->total_ns / 1000);
    json.end_object();
  }
  json.end_object();
  json.end_object();
}

template <typename Writer>
void vmstat_section(Writer& json, const os::Kernel& kernel) {
  json.begin_object("vmstat");  // the guest's /proc/vmstat
  for (const os::VmstatEntry& e : os::vmstat(kernel))
    json.value(e.name, e.value);
  json.end_object();
}

// Everything after "end" and "exit_status".
template <typename Writer>
void write_statistics(Writer& json, Machine& machine, const RunFacts& facts) {
  os::Kernel& kernel = machine.kernel();
  const os::ProcessCounters totals = kernel.totals();
  const bool full = machine.config().cpu.model == ModelMode::kFull;
  json.value("instructions", kernel.instructions());
  json.value("model", full ? "full" : "fast");
  json.begin_object("memory_accesses");
  json.value("read", machine.translations(mmu::Access::kRead));
  json.value("write", machine.translations(mmu::Access::kWrite));
  json.value("fetch", machine.translations(mmu::Access::kFetch));
  json.end_object();
  tlb_section(json, machine);
  json.value("walks", machine.mmu_stat("walks"));
  json.value("walk_memory_refs", machine.mmu_stat("walk_memory_refs"));
  json.begin_object("faults");
  json.value("minor", totals.minor_faults);
  json.value("major", totals.major_faults);
  json.value("zero_fill", totals.zero_fill);
  json.value("zero_page", totals.zero_page);
  json.value("file", totals.file_faults);
  json.value("cow", totals.cow_faults);
  json.value("cow_copies", totals.cow_copies);
  json.value("cow_reuses", totals.cow_reuses);
  json.value("swap_in", totals.swap_ins);
  json.value("stack_growth", totals.stack_growth);
  json.value("spurious", totals.spurious);
  json.value("segv", totals.segv);
  json.end_object();
  json.begin_object("frames");
  json.value("total", kernel.frames().total_frames());
  json.value("free_at_start", facts.frames_free_at_start);
  json.value("free_at_exit", facts.frames_free_at_exit);
  json.value("page_cache_at_exit", facts.page_cache_at_exit);
  json.end_object();
  const os::ReclaimStats& rs = kernel.reclaim().stats();
  json.begin_object("reclaim");
  json.value("policy", std::string(kernel.reclaim().policy().name()));
  json.value("evictions", rs.evictions);
  json.value("evict_clean", rs.evict_clean);
  json.value("swap_outs", rs.swap_outs);
  json.value("swap_ins", rs.swap_ins);
  json.value("swap_cache_hits", rs.swap_cache_hits);
  json.value("file_drops", rs.file_drops);
  json.value("file_writebacks", rs.file_writebacks);
  json.value("refaults", rs.refaults);
  json.value("refaults_file", rs.refaults_file);
  json.value("scanned", rs.scanned);
  json.value("oom_kills", rs.oom_kills);
  json.value("limit_reclaims", rs.limit_reclaims);
  json.value("range_faults", rs.range_faults);
  json.end_object();
  if (const os::SwapDevice* swap = kernel.reclaim().swap()) {
    json.begin_object("swap");
    json.value("slots", swap->slots());
    json.value("used_at_exit", swap->used());
    json.value("pages_written", swap->writes());
    json.value("pages_read", swap->reads());
    json.end_object();
  }
  json.begin_object("huge_pages");
  json.value("mapped", kernel.huge_pages().huge_faults);
  json.value("splits", kernel.huge_pages().huge_splits);
  json.end_object();
  json.begin_array("buddyinfo");
  for (uint64_t n : kernel.frames().buddy().free_blocks())
    json.value("", n);
  json.end_array();
  json.begin_array("fault_rate");  // per million instructions, one sample per million
  for (const os::FaultRateSample& s : kernel.fault_rate()) {
    json.begin_object();
    json.value("instructions", s.instructions);
    json.value("faults", s.faults);
    json.value("major_faults", s.major_faults);
    json.end_object();
  }
  json.end_array();
  json.value("syscalls", totals.syscalls);
  json.value("context_switches", kernel.context_switches());
  cpus_section(json, machine);
  cycles_section(json, kernel);
  pressure_section(json, kernel);
  vmstat_section(json, kernel);
  json.begin_array("processes");
  for (const auto& p : kernel.finished()) {
    json.begin_object();
    json.value("pid", p.pid);
    json.value("ppid", p.ppid);
    json.value("command", p.command);
    json.value("exit_status", (p.wait_status & 0x7f) != 0 ? 128 + (p.wait_status & 0x7f)
                                                          : (p.wait_status >> 8) & 0xff);
    json.value("wait_status", p.wait_status);
    json.value("instructions", p.instructions);
    json.value("minor_faults", p.minor_faults);
    json.value("major_faults", p.major_faults);
    json.value("cow_faults", p.cow_faults);
    json.value("zero_fill", p.zero_fill);
    json.value("syscalls", p.syscalls);
    json.value("peak_resident_pages", p.peak_resident);
    json.end_object();
  }
  json.end_array();
  json.begin_array("threads");  // of processes that had several
  for (const os::ThreadSummary& t : kernel.finished_threads()) {
    json.begin_object();
    json.value("pid", t.pid);
    json.value("tid", t.tid);
    json.value("cpu", static_cast<uint64_t>(t.processor));
    json.value("instructions", t.instructions);
    json.value("minor_faults", t.minor_faults);
    json.value("major_faults", t.major_faults);
    json.value("syscalls", t.syscalls);
    json.value("context_switches", t.context_switches);
    json.end_object();
  }
  json.end_array();
  json.begin_object("mmu");
  for (const auto& s : machine.mmu().stats().all())
    json.value(s.name, machine.mmu_stat(s.name));
  json.end_object();
}

}  // namespace

std::string stats_json(Machine& machine, const RunFacts& facts) {
  JsonWriter json;
  json.begin_object();
  json.value("end", facts.end);
  json.value("exit_status", facts.exit_status);
  write_statistics(json, machine, facts);
  json.end_object();
  return json.str() + "\n";
}

std::vector<StatValue> stats_counters(Machine& machine) {
  os::Kernel& kernel = machine.kernel();
  RunFacts facts;
  facts.frames_free_at_start = kernel.frames_free_at_start();
  facts.frames_free_at_exit = kernel.frames().free_frames();
  facts.page_cache_at_exit = kernel.page_cache().pages();
  StatFlattener flat;
  flat.begin_object();
  write_statistics(flat, machine, facts);
  flat.end_object();
  return flat.take();
}

std::string stats_summary(Machine& machine, const RunFacts& facts) {
  os::Kernel& kernel = machine.kernel();
  const mmu::Mmu& mmu = machine.mmu();
  const os::ProcessCounters t = kernel.totals();
  std::string out;
  char line[256];
  auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  add("---- vmlab statistics ----\n");
  add("instructions        %llu\n", static_cast<unsigned long long>(kernel.instructions()));
  if (machine.config().cpu.model == ModelMode::kFull) {
    add("memory accesses     %llu reads, %llu writes, %llu fetch translations\n",
        static_cast<unsigned long long>(machine.translations(mmu::Access::kRead)),
        static_cast<unsigned long long>(machine.translations(mmu::Access::kWrite)),
        static_cast<unsigned long long>(machine.translations(mmu::Access::kFetch)));
    for (auto level : {mmu::TlbLevel::kL1i, mmu::TlbLevel::kL1d, mmu::TlbLevel::kL2}) {
      if (mmu.arrays(level).empty()) continue;
      const uint64_t h = machine.level_hits(level), m = machine.level_misses(level);
      add("tlb %-4s            %llu hits, %llu misses (%.2f%% hit rate)\n",
          std::string(mmu::tlb_level_name(level)).c_str(), static_cast<unsigned long long>(h),
          static_cast<unsigned long long>(m), h + m == 0 ? 0.0 : 100.0 * h / (h + m));
    }
    add("page walks          %llu (%llu entry reads)\n",
        static_cast<unsigned long long>(machine.mmu_stat("walks")),
        static_cast<unsigned long long>(machine.mmu_stat("walk_memory_refs")));
  } else {
    add("tlb                 unavailable (--model fast)\n");
  }
  add("faults              %llu minor, %llu major: %llu zero-fill, %llu zero-page, %llu file, "
      "%llu COW (%llu copied, %llu reused), %llu SIGSEGV\n",
      static_cast<unsigned long long>(t.minor_faults),
      static_cast<unsigned long long>(t.major_faults), static_cast<unsigned long long>(t.zero_fill),
      static_cast<unsigned long long>(t.zero_page), static_cast<unsigned long long>(t.file_faults),
      static_cast<unsigned long long>(t.cow_faults), static_cast<unsigned long long>(t.cow_copies),
      static_cast<unsigned long long>(t.cow_reuses), static_cast<unsigned long long>(t.segv));
  add("frames              %llu total, %llu free at start, %llu free at exit\n",
      static_cast<unsigned long long>(kernel.frames().total_frames()),
      static_cast<unsigned long long>(facts.frames_free_at_start),
      static_cast<unsigned long long>(facts.frames_free_at_exit));
  add("processes           %zu, %llu context switches, %llu system calls\n",
      kernel.finished().size(), static_cast<unsigned long long>(kernel.context_switches()),
      static_cast<unsigned long long>(t.syscalls));
  if (machine.cpu_count() > 1) {
    const os::TlbControl& tlb = kernel.tlb();
    for (size_t cpu = 0; cpu < machine.cpu_count(); ++cpu) {
      const os::Kernel::CpuCounters& c = kernel.cpu_counters()[cpu];
      const mmu::Mmu& m = machine.mmu(cpu);
      add("cpu%-2zu               %llu instructions, %llu context switches, %llu L1 TLB misses, "
          "%llu IPIs received\n",
          cpu, static_cast<unsigned long long>(c.instructions),
          static_cast<unsigned long long>(c.context_switches),
          static_cast<unsigned long long>(m.level_misses(mmu::TlbLevel::kL1i) +
                                          m.level_misses(mmu::TlbLevel::kL1d)),
          static_cast<unsigned long long>(tlb.shootdowns_received(cpu).ipis));
    }
    const os::ShootdownCounters& s = tlb.shootdowns();
    add("tlb shootdowns      %llu IPIs (%llu pages, %llu full flushes), %llu deferred flushes\n",
        static_cast<unsigned long long>(s.ipis), static_cast<unsigned long long>(s.pages),
        static_cast<unsigned long long>(s.full_flushes),
        static_cast<unsigned long long>(s.deferred_flushes));
  }
  return out;
}

}  // namespace vmlab::emulator

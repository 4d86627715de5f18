// Every statistic of a run, in the order of --stats-json. Counters kept by os/ come from their
// registry tables (os/process_counters.h, os/reclaim.h, ...); what only this layer can compute
// (sums over CPUs, the model's TLB levels, frames) is described here, next to its value.
#include "emulator/stats_tree.h"

#include "os/vmstat.h"
#include "os/wait_status.h"

namespace vmlab::emulator {

namespace {

using mmu::StatInfo;
constexpr mmu::StatScope kMachine = mmu::StatScope::kMachine;
constexpr mmu::StatScope kCpu = mmu::StatScope::kCpu;
constexpr mmu::StatScope kProcess = mmu::StatScope::kProcess;

// The machine-wide totals of process counters whose key is in `group` ("faults"), or the
// top-level ones (group ""), under their member names.
void process_totals(StatsWriter& out, const os::ProcessCounters& totals, std::string_view group) {
  for (const auto& f : os::kProcessTotals) {
    const std::string_view key = f.info.key;
    if (key.empty()) continue;
    const size_t dot = key.find('.');
    const std::string_view in = dot == std::string_view::npos ? "" : key.substr(0, dot);
    if (in != group) continue;
    StatInfo member = f.info;
    member.key = dot == std::string_view::npos ? key : key.substr(dot + 1);
    out.count(member, totals.*f.field);
  }
}

void tlb_section(StatsWriter& out, Machine& machine) {
  if (machine.config().cpu.model == ModelMode::kFast && !out.describing()) {
    out.text({"tlb", "", kMachine, "TLB hits and misses by level (text under --model fast)"},
             "unavailable (--model fast)");
    return;
  }
  out.begin_object("tlb");
  for (auto level : {mmu::TlbLevel::kL1i, mmu::TlbLevel::kL1d, mmu::TlbLevel::kL2}) {
    if (machine.mmu().arrays(level).empty() && !out.describing()) continue;
    out.begin_object(mmu::tlb_level_name(level));
    out.count({"hits", "lookups", kMachine, "lookups that hit this level (every CPU)"},
              machine.level_hits(level));
    out.count({"misses", "lookups", kMachine, "lookups that missed this level (every CPU)"},
              machine.level_misses(level));
    out.end_object();
  }
  out.end_object();
}

void memory_section(StatsWriter& out, Machine& machine, const RunFacts& facts) {
  os::Kernel& kernel = machine.kernel();
  out.begin_object("frames");
  out.count({"total", "frames", kMachine, "physical frames of the machine"},
            kernel.frames().total_frames());
  out.count({"free_at_start", "frames", kMachine, "free frames when the first program started"},
            facts.frames_free_at_start);
  out.count({"free_at_exit", "frames", kMachine,
             "free frames at the end, caches dropped (equal to free_at_start: nothing leaked)"},
            facts.frames_free_at_exit);
  out.count({"page_cache_at_exit", "pages", kMachine, "page-cache pages before they were dropped"},
            facts.page_cache_at_exit);
  out.end_object();
  out.begin_object("reclaim");
  out.text({"policy", "", kMachine, "the replacement policy (--policy)"},
           kernel.reclaim().policy().name());
  out.counters<os::ReclaimStats>(os::kReclaimStats, kernel.reclaim().stats());
  out.end_object();
  const os::SwapDevice* swap = kernel.reclaim().swap();
  if (swap != nullptr || out.describing()) {
    out.begin_object("swap");  // only with a swap device
    out.count({"slots", "pages", kMachine, "slots of the swap device"}, swap ? swap->slots() : 0);
    out.count({"used_at_exit", "pages", kMachine, "slots in use at the end"},
              swap ? swap->used() : 0);
    out.count({"pages_written", "pages", kMachine, "pages written to the swap device"},
              swap ? swap->writes() : 0);
    out.count({"pages_read", "pages", kMachine, "pages read from the swap device"},
              swap ? swap->reads() : 0);
    out.end_object();
  }
  out.begin_object("huge_pages");
  out.counters<os::HugePageCounters>(os::kHugePageStats, kernel.huge_pages());
  out.end_object();
  out.begin_array("buddyinfo");
  const StatInfo blocks{"", "blocks", kMachine,
                        "free blocks of each order 0..10 at the end, as /proc/buddyinfo"};
  for (uint64_t n : kernel.frames().buddy().free_blocks()) {
    out.count(blocks, n);
    if (out.describing()) break;
  }
  out.end_array();
  // Per million instructions, one sample per million.
  out.objects("fault_rate", kernel.fault_rate(), [&](const os::FaultRateSample& s) {
    out.count({"instructions", "instructions", kMachine, "instructions retired at the sample"},
              s.instructions);
    out.count({"faults", "faults", kMachine, "page faults since the previous sample"}, s.faults);
    out.count({"major_faults", "faults", kMachine, "major faults since the previous sample"},
              s.major_faults);
  });
}

// A statistic of each modelled CPU.
struct CpuStat {
  StatInfo info;
  uint64_t (*read)(Machine& machine, size_t cpu);
};

const CpuStat kCpuStats[] = {
    {{"instructions", "instructions", kCpu, "instructions retired on this CPU"},
     [](Machine& m, size_t cpu) {
       return m.kernel().scheduler().cpu_counters()[cpu].instructions;
     }},
    {{"context_switches", "switches", kCpu, "task switches on this CPU"},
     [](Machine& m, size_t cpu) {
       return m.kernel().scheduler().cpu_counters()[cpu].context_switches;
     }},
    {{"tlb_l1_misses", "lookups", kCpu, "misses of its L1 TLBs (instruction and data)"},
     [](Machine& m, size_t cpu) {
       return m.mmu(cpu).level_misses(mmu::TlbLevel::kL1i) +
              m.mmu(cpu).level_misses(mmu::TlbLevel::kL1d);
     }},
    {{"tlb_l2_misses", "lookups", kCpu, "misses of its L2 TLB"},
     [](Machine& m, size_t cpu) { return m.mmu(cpu).level_misses(mmu::TlbLevel::kL2); }},
    {{"walks", "walks", kCpu, "page walks of its MMU"},
     [](Machine& m, size_t cpu) { return m.mmu(cpu).stats().value("walks"); }},
    {{"shootdown_ipis_received", "IPIs", kCpu, "TLB shootdown IPIs it received"},
     [](Machine& m, size_t cpu) { return m.kernel().tlb().shootdowns_received(cpu).ipis; }},
    {{"deferred_flushes", "flushes", kCpu, "stale PCID contexts it flushed when loading them"},
     [](Machine& m, size_t cpu) {
       return m.kernel().tlb().shootdowns_received(cpu).deferred_flushes;
     }},
};

void cpus_section(StatsWriter& out, Machine& machine) {
  out.begin_array("cpus");
  const size_t cpus = out.describing() ? 1 : machine.cpu_count();
  for (size_t cpu = 0; cpu < cpus; ++cpu) {
    out.begin_object({});
    out.count({"cpu", "", kCpu, "the CPU's number"}, cpu);
    for (const CpuStat& s : kCpuStats)
      out.count(s.info, s.read(machine, cpu));
    out.end_object();
  }
  out.end_array();
  out.begin_object("tlb_shootdowns");
  out.counters<os::ShootdownCounters>(os::kShootdownStats, machine.kernel().tlb().shootdowns());
  out.end_object();
}

void cycles_section(StatsWriter& out, os::Kernel& kernel) {
  out.begin_object("cycles");  // modelled time, 1 cycle = 1 ns (os/cycle_accounting.h)
  out.count({"total", "cycles", kMachine, "the guest's clock: every kind below but in_page_faults"},
            kernel.uptime_ns());
  out.count({"user", "cycles", kMachine, "user time: one per instruction"}, kernel.user_cycles());
  out.count({"kernel", "cycles", kMachine,
             "kernel work: syscalls + faults + reclaim + "
             "context_switches + tlb_shootdowns"},
            kernel.cycles().kernel());
  out.counters<os::CycleCounters>(os::kCycleStats, kernel.cycles());
  out.end_object();
}

void pressure_section(StatsWriter& out, os::Kernel& kernel) {
  constexpr double kHundred = 100.0;
  const os::MemoryPressure& psi = kernel.pressure();
  out.begin_object("pressure");
  out.begin_object("memory");  // /proc/pressure/memory
  for (const auto& [name, line] :
       {std::pair{"some", &psi.some()}, std::pair{"full", &psi.full()}}) {
    out.begin_object(name);
    const char* const windows[] = {"avg10", "avg60", "avg300"};
    for (size_t w = 0; w < line->avg.size(); ++w)
      out.number({windows[w], "%", kMachine, "PSI's decaying average of the stalled share"},
                 static_cast<double>(os::PressureLine::hundredths(line->avg[w])) / kHundred);
    out.count({"total_us", "us", kMachine, "stalled time"}, line->total_ns / 1000);
    out.end_object();
  }
  out.end_object();
  out.end_object();
}

void vmstat_section(StatsWriter& out, const os::Kernel& kernel) {
  out.begin_object("vmstat");  // the guest's /proc/vmstat
  for (const os::VmstatEntry& e : os::vmstat(kernel))
    out.count({e.name, "", kMachine, e.description}, e.value);
  out.end_object();
}

void tasks_section(StatsWriter& out, os::Kernel& kernel) {
  out.objects("processes", kernel.tasks().finished(), [&](const os::ProcessSummary& p) {
    out.count({"pid", "", kProcess, "process ID"}, static_cast<uint64_t>(p.pid));
    out.count({"ppid", "", kProcess, "parent's process ID"}, static_cast<uint64_t>(p.ppid));
    out.text({"command", "", kProcess, "its name (comm)"}, p.command);
    out.count({"exit_status", "", kProcess, "as a shell shows it: the code, or 128 + the signal"},
              static_cast<uint64_t>(os::shell_status(p.wait_status)));
    out.count({"wait_status", "", kProcess, "the status wait4 returned"},
              static_cast<uint64_t>(p.wait_status));
    out.count({"instructions", "instructions", kProcess, "instructions it retired (every thread)"},
              p.instructions);
    out.counters<os::ProcessCounters>(os::kProcessCounters, p.counters);
    out.count({"peak_resident_pages", "pages", kProcess, "its largest resident set"},
              p.peak_resident);
  });
  // Threads of processes that had several.
  out.objects("threads", kernel.tasks().finished_threads(), [&](const os::ThreadSummary& t) {
    out.count({"pid", "", kProcess, "its process"}, static_cast<uint64_t>(t.pid));
    out.count({"tid", "", kProcess, "thread ID"}, static_cast<uint64_t>(t.tid));
    out.count({"cpu", "", kProcess, "the CPU it ran on last"}, t.processor);
    out.count({"instructions", "instructions", kProcess, "instructions it retired"},
              t.instructions);
    out.counters<os::ProcessCounters>(os::kProcessCounters, t.counters);
  });
}

}  // namespace

RunFacts facts_now(Machine& machine) {
  os::Kernel& kernel = machine.kernel();
  RunFacts facts;
  facts.frames_free_at_start = kernel.frames_free_at_start();
  facts.frames_free_at_exit = kernel.frames().free_frames();
  facts.page_cache_at_exit = kernel.page_cache().pages();
  return facts;
}

void write_run(StatsWriter& out, Machine& machine, const RunFacts& facts) {
  out.begin_object({});
  out.text({"end", "", kMachine, "why the run ended: exited, instruction-limit, deadlock, ..."},
           facts.end);
  out.count({"exit_status", "", kMachine, "vmlab's exit status"},
            static_cast<uint64_t>(facts.exit_status));
  write_statistics(out, machine, facts);
  out.end_object();
}

void write_statistics(StatsWriter& out, Machine& machine, const RunFacts& facts) {
  os::Kernel& kernel = machine.kernel();
  const os::ProcessCounters totals = kernel.tasks().totals();
  const bool full = machine.config().cpu.model == ModelMode::kFull;
  out.count({"instructions", "instructions", kMachine, "instructions retired (exact)"},
            kernel.instructions());
  out.text({"model", "", kMachine, "full or fast (--model)"}, full ? "full" : "fast");
  out.begin_object("memory_accesses");
  out.count({"read", "accesses", kMachine, "data reads translated"},
            machine.translations(mmu::Access::kRead));
  out.count({"write", "accesses", kMachine, "data writes translated"},
            machine.translations(mmu::Access::kWrite));
  out.count({"fetch", "accesses", kMachine, "instruction fetches translated"},
            machine.translations(mmu::Access::kFetch));
  out.end_object();
  tlb_section(out, machine);
  out.count({"walks", "walks", kMachine, "page walks (every CPU)"}, machine.mmu_stat("walks"));
  out.count({"walk_memory_refs", "reads", kMachine, "paging-structure entries walks read"},
            machine.mmu_stat("walk_memory_refs"));
  out.begin_object("faults");
  process_totals(out, totals, "faults");
  out.end_object();
  memory_section(out, machine, facts);
  process_totals(out, totals, "");
  out.count({"context_switches", "switches", kMachine, "task switches (every CPU)"},
            kernel.scheduler().context_switches());
  cpus_section(out, machine);
  cycles_section(out, kernel);
  pressure_section(out, kernel);
  vmstat_section(out, kernel);
  tasks_section(out, kernel);
  out.begin_object("mmu");  // the model's named counters (mmu/mmu.cpp), summed over CPUs
  for (const auto& s : machine.mmu().stats().all())
    out.count({s.name, s.unit, kMachine, s.description}, machine.mmu_stat(s.name));
  out.end_object();
}

}  // namespace vmlab::emulator

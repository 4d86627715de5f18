// --stats, --stats-json and the timeline's counters, from the one statistics tree
// (emulator/stats_tree.cpp).
#include "emulator/report.h"

#include <cstdio>

#include "emulator/json_stats_writer.h"

namespace vmlab::emulator {

namespace {

// --stats's line of a group of process counters ("faults"): the pieces of its registry
// entries, joined as written, "{}" replaced by the value.
std::string summary_line(const os::ProcessCounters& totals, std::string_view group) {
  std::string line;
  for (const auto& f : os::kProcessTotals) {
    const std::string_view piece = f.info.summary;
    if (piece.empty() || !f.info.key.starts_with(std::string(group) + ".")) continue;
    const size_t at = piece.find("{}");
    line += std::string(piece.substr(0, at)) + std::to_string(totals.*f.field) +
            std::string(piece.substr(at + 2));
  }
  return line;
}

}  // namespace

std::string stats_json(Machine& machine, const RunFacts& facts) {
  JsonStatsWriter json;
  write_run(json, machine, facts);
  return json.dump_pretty() + "\n";
}

std::vector<StatValue> stats_counters(Machine& machine) {
  StatFlattener flat;
  flat.begin_object({});
  write_statistics(flat, machine, facts_now(machine));
  flat.end_object();
  return flat.take();
}

std::string stats_summary(Machine& machine, const RunFacts& facts) {
  os::Kernel& kernel = machine.kernel();
  const mmu::Mmu& mmu = machine.mmu();
  const os::ProcessCounters t = kernel.tasks().totals();
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
  out += "faults              " + summary_line(t, "faults") + "\n";
  add("frames              %llu total, %llu free at start, %llu free at exit\n",
      static_cast<unsigned long long>(kernel.frames().total_frames()),
      static_cast<unsigned long long>(facts.frames_free_at_start),
      static_cast<unsigned long long>(facts.frames_free_at_exit));
  add("processes           %zu, %llu context switches, %llu system calls\n",
      kernel.tasks().finished().size(),
      static_cast<unsigned long long>(kernel.scheduler().context_switches()),
      static_cast<unsigned long long>(t.syscalls));
  if (machine.cpu_count() > 1) {
    const os::TlbControl& tlb = kernel.tlb();
    for (size_t cpu = 0; cpu < machine.cpu_count(); ++cpu) {
      const os::Scheduler::CpuCounters& c = kernel.scheduler().cpu_counters()[cpu];
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

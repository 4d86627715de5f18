#include "emulator/stats_doc.h"

#include <vector>

#include "emulator/stats_tree.h"

namespace vmlab::emulator {

namespace {

constexpr const char* kHeader =
    "# Statistics\n"
    "\n"
    "Every key of `vmlab run --stats-json FILE`, in the file's order. Lua's `m:stats()` returns\n"
    "the same tree as tables, and `--timeline` records every number outside the arrays under the\n"
    "same dotted names. `--stats` shows a summary; the registry entries that have a `--stats`\n"
    "piece say so.\n"
    "\n"
    "This file is generated: `build/vmlab stats-doc > docs/stats.md`. A test fails when it and\n"
    "the registry differ.\n"
    "\n"
    "**Adding a counter.** A counter the kernel keeps is one line in the X-macro list of the\n"
    "header that owns it — `VMLAB_PROCESS_COUNTERS` (`os/process_counters.h`: per process, with\n"
    "its machine-wide total and `--stats` piece), `VMLAB_RECLAIM_STATS` (`os/reclaim.h`),\n"
    "`VMLAB_SHOOTDOWN_STATS` (`os/tlb_control.h`), `VMLAB_HUGE_PAGE_STATS`\n"
    "(`os/address_space.h`), `VMLAB_CYCLE_STATS` (`os/cycle_accounting.h`) — plus the line that\n"
    "increments it; the model's counters are `StatSet` entries (`mmu/mmu.cpp`). `--stats-json`,\n"
    "`--timeline`, Lua and this file (regenerate it) follow. Statistics only the emulator can\n"
    "compute are described next to their value in `emulator/stats_tree.cpp`.\n"
    "\n"
    "Scopes: *machine* (one value), *per-CPU* (an element of `cpus` per modelled CPU),\n"
    "*per-process* (an element of `processes` per process, of `threads` per thread of a process\n"
    "that had several). `X[]` is an element of array `X`. The `mmu.*` keys are those of the\n"
    "default `--tlb`; another geometry names its own arrays.\n"
    "\n"
    "| key | unit | scope | description |\n"
    "|---|---|---|---|\n";

// Records each statistic's full key instead of its value.
class DocWriter final : public StatsWriter {
 public:
  void begin_object(std::string_view key) override { path_.push_back(member(key)); }
  void end_object() override { path_.pop_back(); }
  void begin_array(std::string_view key) override { path_.push_back(member(key) + "[]"); }
  void end_array() override { path_.pop_back(); }
  void count(const mmu::StatInfo& stat, uint64_t) override { row(stat); }
  void number(const mmu::StatInfo& stat, double) override { row(stat); }
  void text(const mmu::StatInfo& stat, std::string_view) override { row(stat); }
  bool describing() const override { return true; }

  const std::string& rows() const { return rows_; }

 private:
  // The full key of a member of the innermost container (of an element, for an array's).
  std::string member(std::string_view key) const {
    const std::string in = path_.empty() ? "" : path_.back();
    if (in.empty()) return std::string(key);
    if (key.empty()) return in;
    return in + "." + std::string(key);
  }
  void row(const mmu::StatInfo& stat) {
    std::string description(stat.description);
    if (!stat.summary.empty()) description += " (also in `--stats`)";
    rows_ += "| `" + member(stat.key) + "` | " + std::string(stat.unit.empty() ? "-" : stat.unit) +
             " | " + std::string(mmu::scope_name(stat.scope)) + " | " + description + " |\n";
  }

  std::vector<std::string> path_;
  std::string rows_;
};

}  // namespace

std::string stats_markdown(Machine& machine) {
  DocWriter doc;
  write_run(doc, machine, RunFacts{});
  return kHeader + doc.rows();
}

}  // namespace vmlab::emulator

#include "emulator/timeline/record.h"

#include <initializer_list>

#include "mmu/address.h"

namespace vmlab::emulator {

namespace {

constexpr uint64_t kKibPerPage = mmu::kPageBytes / 1024;
constexpr double kNsPerMs = 1e6;
constexpr double kPercent = 100.0;
constexpr double kUsPerNs = 1e-3;

// Per-interval amounts: the growth of one or more registry counters over the interval.
struct Delta {
  const char* field;
  std::initializer_list<const char*> counters;
};
const Delta kDeltas[] = {
    {"insns", {"instructions"}},
    {"cycles", {"cycles.total"}},
    {"user_cycles", {"cycles.user"}},
    {"kernel_cycles", {"cycles.kernel"}},
    {"swap_wait_cycles", {"cycles.swap_wait"}},
    {"io_wait_cycles", {"cycles.io_wait"}},
    {"idle_cycles", {"cycles.idle"}},
    {"fault_cycles", {"cycles.in_page_faults"}},
    {"faults", {"faults.minor", "faults.major"}},
    {"minor_faults", {"faults.minor"}},
    {"major_faults", {"faults.major"}},
    {"zero_fill", {"faults.zero_fill"}},
    {"zero_page", {"faults.zero_page"}},
    {"file_faults", {"faults.file"}},
    {"cow_faults", {"faults.cow"}},
    {"swap_ins", {"reclaim.swap_ins"}},
    {"swap_outs", {"reclaim.swap_outs"}},
    {"evictions", {"reclaim.evictions"}},
    {"refaults", {"reclaim.refaults"}},
    {"scanned", {"reclaim.scanned"}},
    {"pgpgin_kib", {"vmstat.pgpgin"}},
    {"pgpgout_kib", {"vmstat.pgpgout"}},
    {"syscalls", {"syscalls"}},
    {"context_switches", {"context_switches"}},
    {"walks", {"walks"}},
};

// Shares of the interval's cycles, in percent.
struct Share {
  const char* field;
  std::initializer_list<const char*> parts;  // delta fields
};
const Share kShares[] = {
    {"user_pct", {"user_cycles"}},
    {"kernel_pct", {"kernel_cycles"}},
    {"swap_wait_pct", {"swap_wait_cycles"}},
    {"io_wait_pct", {"io_wait_cycles"}},
    {"wait_pct", {"swap_wait_cycles", "io_wait_cycles"}},
    {"idle_pct", {"idle_cycles"}},
    {"fault_pct", {"fault_cycles"}},
};

// TLB miss rates of the interval, in percent of lookups (--model full only).
struct MissRate {
  const char* field;
  const char* level;  // "tlb.l1d": its .hits and .misses
};
const MissRate kMissRates[] = {{"tlb_l1i_miss_pct", "tlb.l1i"},
                               {"tlb_l1d_miss_pct", "tlb.l1d"},
                               {"tlb_l2_miss_pct", "tlb.l2"}};

// The share of the interval a PSI line was stalled, and its 10-second average.
struct Pressure {
  const char* line;  // "some", "full"
};
const Pressure kPressure[] = {{"some"}, {"full"}};

uint64_t growth(const Sample& start, const Sample& end, const char* name) {
  const StatValue* a = start.find(name);
  const StatValue* b = end.find(name);
  if (b == nullptr || !b->integer) return 0;
  const uint64_t before = a != nullptr ? a->count : 0;
  return b->count >= before ? b->count - before : 0;
}

// How many live processes waited for page I/O during the interval (vmstat's b).
uint64_t waiting(const Sample& start, const Sample& end) {
  uint64_t n = 0;
  for (const ProcessSample& p : end.processes) {
    uint64_t before = 0;
    for (const ProcessSample& q : start.processes)
      if (q.pid == p.pid) before = q.wait_cycles;
    if (p.wait_cycles > before) ++n;
  }
  return n;
}

}  // namespace

const StatValue* TimelineRecord::field(std::string_view name) const {
  for (const StatValue& v : fields)
    if (v.name == name) return &v;
  return nullptr;
}

uint64_t TimelineRecord::count(std::string_view name) const {
  const StatValue* v = field(name);
  return v != nullptr && v->integer && !v->missing ? v->count : 0;
}

namespace {

// The growth of every kDeltas counter, then each kShares part of the interval's cycles.
void add_deltas_and_shares(TimelineRecord& r, const Sample& start, const Sample& end) {
  for (const Delta& d : kDeltas) {
    uint64_t sum = 0;
    for (const char* counter : d.counters)
      sum += growth(start, end, counter);
    r.fields.push_back(StatValue::of(d.field, sum));
  }
  const uint64_t cycles = r.count("cycles");
  for (const Share& s : kShares) {
    uint64_t part = 0;
    for (const char* delta : s.parts)
      part += r.count(delta);
    r.fields.push_back(cycles == 0 ? StatValue::none(s.field)
                                   : StatValue::of(s.field, kPercent * static_cast<double>(part) /
                                                                static_cast<double>(cycles)));
  }
}

void add_miss_rates(std::vector<StatValue>& f, const Sample& start, const Sample& end) {
  for (const MissRate& m : kMissRates) {
    const std::string level = m.level;
    const bool present = end.find(level + ".misses") != nullptr;
    const uint64_t misses = growth(start, end, (level + ".misses").c_str());
    const uint64_t lookups = misses + growth(start, end, (level + ".hits").c_str());
    f.push_back(!present || lookups == 0
                    ? StatValue::none(m.field)
                    : StatValue::of(m.field, kPercent * static_cast<double>(misses) /
                                                 static_cast<double>(lookups)));
  }
}

void add_pressure(std::vector<StatValue>& f, const Sample& start, const Sample& end) {
  const double interval_us = static_cast<double>(end.uptime_ns - start.uptime_ns) * kUsPerNs;
  for (const Pressure& p : kPressure) {
    const std::string line = std::string("pressure.memory.") + p.line;
    const uint64_t stalled_us = growth(start, end, (line + ".total_us").c_str());
    const std::string name = std::string("psi_") + p.line;
    f.push_back(interval_us <= 0
                    ? StatValue::none(name + "_pct")
                    : StatValue::of(name + "_pct",
                                    kPercent * static_cast<double>(stalled_us) / interval_us));
    const StatValue* avg10 = end.find(line + ".avg10");
    f.push_back(avg10 != nullptr ? StatValue::of(name + "_avg10", avg10->as_double())
                                 : StatValue::none(name + "_avg10"));
  }
}

// Memory and processes as of the interval's end.
void add_memory_and_processes(std::vector<StatValue>& f, const Sample& start, const Sample& end) {
  uint64_t rss = 0, runnable = 0;
  for (const ProcessSample& p : end.processes) {
    rss += p.rss_pages;
    if (p.runnable) ++runnable;
  }
  f.push_back(StatValue::of("free_kib", end.free_pages * kKibPerPage));
  f.push_back(StatValue::of("cache_kib", end.cache_pages * kKibPerPage));
  f.push_back(StatValue::of("anon_kib", end.anon_pages * kKibPerPage));
  f.push_back(StatValue::of("page_tables_kib", end.page_table_pages * kKibPerPage));
  f.push_back(StatValue::of("swap_used_kib", end.swap_used_pages * kKibPerPage));
  f.push_back(StatValue::of("rss_kib", rss * kKibPerPage));
  f.push_back(StatValue::of("live_processes", static_cast<uint64_t>(end.processes.size())));
  f.push_back(StatValue::of("runnable", runnable));
  f.push_back(StatValue::of("waiting", waiting(start, end)));
}

}  // namespace

TimelineRecord make_record(uint64_t index, const Sample& start, const Sample& end) {
  TimelineRecord r;
  std::vector<StatValue>& f = r.fields;
  f.push_back(StatValue::of("interval", index));
  f.push_back(StatValue::of("instructions", end.instructions));
  f.push_back(StatValue::of("time_ms", static_cast<double>(end.uptime_ns) / kNsPerMs));
  f.push_back(StatValue::of("interval_ms",
                            static_cast<double>(end.uptime_ns - start.uptime_ns) / kNsPerMs));
  add_deltas_and_shares(r, start, end);
  add_miss_rates(f, start, end);
  add_pressure(f, start, end);
  add_memory_and_processes(f, start, end);
  r.processes = end.processes;
  r.totals = end.counters;
  return r;
}

}  // namespace vmlab::emulator

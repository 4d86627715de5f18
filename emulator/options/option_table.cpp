// The table of `vmlab run`'s options. It is long because it is a table: one entry per option,
// each with its help text and a few lines applying and checking its value; splitting it would
// scatter one list that reads top to bottom as `vmlab run --help` does.
#include "emulator/options/option_table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <ctime>

#include "emulator/timeline/interval.h"
#include "os/replacement/policy.h"

namespace vmlab::emulator {

namespace {

constexpr uint64_t kMinRam = 256ull << 10;
constexpr uint64_t kMaxRam = 64ull << 30;
constexpr uint64_t kMaxCpus = 64;  // CPU masks (sched_getaffinity) are one 64-bit word
constexpr uint64_t kNanosecondsPerSecond = 1'000'000'000;
constexpr uint64_t kMaxEpochSeconds = UINT64_MAX / kNanosecondsPerSecond / 2;  // room to run

// --policy lua:FILE names a file whose chunk returns a Lua replacement policy.
constexpr const char* kLuaPolicyPrefix = "lua:";

std::string on_off(bool b) {
  return b ? "on" : "off";
}

// A positive duration in seconds, at most a year ("2.5").
double parse_seconds(const std::string& option, const std::string& text) {
  constexpr double kMaxSeconds = 365.0 * 24 * 3600;
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || !(v > 0) ||
      v > kMaxSeconds)
    throw UsageError(option + ": expected a positive number of seconds, got '" + text + "'");
  return v;
}

bool parse_on_off(const std::string& option, const std::string& v) {
  if (v == "on") return true;
  if (v == "off") return false;
  throw UsageError(option + ": expected on or off, got '" + v + "'");
}

std::pair<uint64_t, uint64_t> parse_range(const std::string& option, const std::string& text) {
  const auto dash = text.find('-');
  if (dash == std::string::npos) throw UsageError(option + ": expected LO-HI, got '" + text + "'");
  auto number = [&](const std::string& s) {
    uint64_t v = 0;
    const int base = s.rfind("0x", 0) == 0 ? 16 : 10;
    const char* begin = s.data() + (base == 16 ? 2 : 0);
    const auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v, base);
    if (ec != std::errc() || end != s.data() + s.size() || begin == end)
      throw UsageError(option + ": '" + s + "' is not an address");
    return v;
  };
  const uint64_t lo = number(text.substr(0, dash)), hi = number(text.substr(dash + 1));
  if (hi < lo) throw UsageError(option + ": the range " + text + " is empty");
  return {lo, hi};
}

}  // namespace

const std::vector<Option>& run_option_table() {
  static const std::vector<Option> table = {
      {"--ram", "SIZE", "physical memory of the machine (K, M, G suffixes)",
       [](const RunOptions& o) { return std::to_string(o.machine.ram_bytes >> 20) + "M"; },
       [](RunOptions& o, const std::string& v) {
         const uint64_t bytes = parse_size("--ram", v);
         if (bytes < kMinRam || bytes > kMaxRam)
           throw UsageError("--ram: " + v + " is outside 256K..64G");
         o.machine.ram_bytes = bytes;
       }},
      {"--tlb", "SPEC", "TLB geometry, e.g. l1d.4k=64x4/lru,l2.4k+2m=1536x12,psc=off (see README)",
       [](const RunOptions&) { return std::string("a recent x86 core, see below"); },
       [](RunOptions& o, const std::string& v) {
         try {
           o.machine.mmu.apply_spec(v);
         } catch (const std::invalid_argument& e) {
           throw UsageError(e.what());
         }
       }},
      {"--model", "full|fast",
       "full: every access goes through the modelled TLBs; fast: no per-access model (faults, "
       "COW, swap still exact; TLB statistics unavailable)",
       [](const RunOptions& o) {
         return std::string(o.machine.cpu.model == emulator::ModelMode::kFull ? "full" : "fast");
       },
       [](RunOptions& o, const std::string& v) {
         if (v == "full")
           o.machine.cpu.model = emulator::ModelMode::kFull;
         else if (v == "fast")
           o.machine.cpu.model = emulator::ModelMode::kFast;
         else
           throw UsageError("--model: expected full or fast, got '" + v + "'");
       }},
      {"--check", "",
       "cross-check the model against the CPU on every access, and the kernel's memory "
       "bookkeeping (frames, reverse maps, swap slots) when the run ends; stop on any "
       "disagreement",
       [](const RunOptions& o) { return on_off(o.machine.cpu.check); },
       [](RunOptions& o, const std::string&) { o.machine.cpu.check = true; }},
      {"--stats", "", "print a summary of the run's statistics on stderr",
       [](const RunOptions& o) { return on_off(o.stats); },
       [](RunOptions& o, const std::string&) { o.stats = true; }},
      {"--stats-json", "FILE", "write every statistic as JSON to FILE",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.stats_json = v; }},
      {"--host-stats", "FILE",
       "write what the run cost the host as JSON to FILE: vmlab's peak resident memory, wall, "
       "user and system seconds (these vary from run to run, unlike --stats-json)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.host_stats = v; }},
      {"--interval", "N|TIME",
       "sample the machine every N guest instructions, or every TIME of the modelled clock "
       "(500us, 10ms, 2s, 100000c cycles), for --vmstat, --timeline and Lua's tick event",
       [](const RunOptions&) { return emulator::describe_interval(emulator::kDefaultInterval); },
       [](RunOptions& o, const std::string& v) {
         try {
           o.timeline.interval = emulator::parse_interval(v);
         } catch (const std::invalid_argument& e) {
           throw UsageError(e.what());
         }
       }},
      {"--vmstat", "",
       "print a line in vmstat's columns on stderr every interval (r b swpd free buff cache si so "
       "bi bo in cs us sy id wa; README.md, Memory over time, has vmlab's meaning of each)",
       [](const RunOptions& o) { return on_off(o.timeline.vmstat); },
       [](RunOptions& o, const std::string&) { o.timeline.vmstat = true; }},
      {"--timeline", "FILE",
       "write a record per interval to FILE.csv or FILE.jsonl: cycles by kind, faults, swap "
       "traffic, memory, per-process RSS, TLB miss rates, PSI and every statistic",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.timeline.file = v; }},
      {"--progress", "on|off",
       "on a terminal, show a status line on stderr (instructions, MIPS, faults, RSS) once a run "
       "takes longer than a few seconds",
       [](const RunOptions& o) { return on_off(o.progress); },
       [](RunOptions& o, const std::string& v) { o.progress = parse_on_off("--progress", v); }},
      {"--max-insns", "N", "stop the machine after exactly N guest instructions (exit 124)",
       [](const RunOptions&) { return std::string("unlimited"); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.max_instructions = parse_count("--max-insns", v);
       }},
      {"--timeout", "SECONDS",
       "stop the machine after SECONDS of wall-clock time (exit 124; results are still written)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) {
         o.timeout_seconds = parse_seconds("--timeout", v);
       }},
      {"--quantum", "N", "scheduler time slice, in guest instructions",
       [](const RunOptions& o) { return std::to_string(o.machine.kernel.quantum); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.quantum = parse_count("--quantum", v);
         if (o.machine.kernel.quantum == 0)
           throw UsageError("--quantum: a time slice is at least 1 instruction");
       }},
      {"--pcid", "on|off", "tag TLB entries with the process's PCID instead of flushing on switch",
       [](const RunOptions& o) { return on_off(o.machine.kernel.pcid == os::PcidMode::kOn); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.pcid = parse_on_off("--pcid", v) ? os::PcidMode::kOn : os::PcidMode::kOff;
       }},
      {"--cpus", "N", "modelled CPUs, 1 to 64, each with its own TLBs (default 1)",
       [](const RunOptions& o) { return std::to_string(o.machine.kernel.cpus); },
       [](RunOptions& o, const std::string& v) {
         const uint64_t n = parse_count("--cpus", v);
         if (n < 1 || n > kMaxCpus)
           throw UsageError("--cpus: expected 1 to " + std::to_string(kMaxCpus) + " CPUs, got '" +
                            v + "'");
         o.machine.kernel.cpus = static_cast<uint32_t>(n);
       }},
      {"--max-procs", "N", "fork and clone fail with EAGAIN beyond N live tasks (threads count)",
       [](const RunOptions& o) { return std::to_string(o.machine.kernel.max_processes); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.max_processes = static_cast<uint32_t>(parse_count("--max-procs", v));
       }},
      {"--zero-page", "on|off", "map the shared zero page on read faults of untouched memory",
       [](const RunOptions& o) { return on_off(o.machine.kernel.zero_page); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.zero_page = parse_on_off("--zero-page", v);
       }},
      {"--swap", "SIZE", "swap device size (K, M, G suffixes); 0 disables swap",
       [](const RunOptions& o) { return std::to_string(o.machine.kernel.swap_bytes >> 20) + "M"; },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.swap_bytes = v == "0" ? 0 : parse_size("--swap", v);
       }},
      {"--swap-file", "PATH", "host file backing the swap device",
       [](const RunOptions&) { return std::string("a temporary file, removed at exit"); },
       [](RunOptions& o, const std::string& v) { o.machine.kernel.swap_file = v; }},
      {"--policy", "NAME",
       "page replacement: fifo, clock, nru, lru, random, two-list, opt, or lua:FILE (a policy "
       "written in Lua, scripts/README.md)",
       [](const RunOptions& o) { return o.machine.kernel.policy; },
       [](RunOptions& o, const std::string& v) {
         if (v.rfind(kLuaPolicyPrefix, 0) == 0) {
           o.lua_policy = v.substr(std::char_traits<char>::length(kLuaPolicyPrefix));
           if (o.lua_policy.empty()) throw UsageError("--policy lua:FILE needs a file name");
           return;
         }
         o.lua_policy.clear();
         const auto names = os::policy_names();
         if (std::find(names.begin(), names.end(), v) == names.end())
           throw UsageError("--policy: unknown policy '" + v +
                            "' (fifo, clock, nru, lru, random, two-list, opt, lua:FILE)");
         o.machine.kernel.policy = v;
       }},
      {"--local", "", "replace pages of the faulting process only (default: global replacement)",
       [](const RunOptions& o) { return on_off(o.machine.kernel.local_replacement); },
       [](RunOptions& o, const std::string&) { o.machine.kernel.local_replacement = true; }},
      {"--mem-limit", "N|SIZE",
       "resident pages per process (a plain number counts pages; K, M, G suffixes count bytes)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) {
         const bool bytes = !v.empty() && !std::isdigit(static_cast<unsigned char>(v.back()));
         o.machine.kernel.process_limit_pages =
             bytes ? parse_size("--mem-limit", v) >> 12 : parse_count("--mem-limit", v);
         if (o.machine.kernel.process_limit_pages == 0)
           throw UsageError("--mem-limit: must be at least one page");
       }},
      {"--limit-range", "LO-HI=N",
       "each process keeps at most N resident pages in [LO, HI) (repeatable)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) {
         const auto eq = v.find('=');
         if (eq == std::string::npos)
           throw UsageError("--limit-range: expected LO-HI=N, got '" + v + "'");
         const auto [lo, hi] = parse_range("--limit-range", v.substr(0, eq));
         const uint64_t pages = parse_count("--limit-range", v.substr(eq + 1));
         if (pages == 0) throw UsageError("--limit-range: N must be at least 1");
         o.machine.kernel.range_limits.push_back(os::RangeLimit{lo & ~uint64_t{0xfff}, hi, pages});
       }},
      {"--record-refs", "FILE", "record the run's page-reference string (for --policy opt)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.machine.kernel.record_references = v; }},
      {"--refs", "FILE", "the page-reference string OPT looks ahead in",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.machine.kernel.opt_references = v; }},
      {"--thp", "always|madvise|never",
       "back aligned 2 MiB regions of anonymous memory with huge pages (PS in the PDE)",
       [](const RunOptions& o) {
         using T = os::KernelConfig::Thp;
         const T t = o.machine.kernel.thp;
         return std::string(t == T::kAlways ? "always" : t == T::kMadvise ? "madvise" : "never");
       },
       [](RunOptions& o, const std::string& v) {
         using T = os::KernelConfig::Thp;
         if (v == "always")
           o.machine.kernel.thp = T::kAlways;
         else if (v == "madvise")
           o.machine.kernel.thp = T::kMadvise;
         else if (v == "never")
           o.machine.kernel.thp = T::kNever;
         else
           throw UsageError("--thp: expected always, madvise or never, got '" + v + "'");
       }},
      {"--root", "DIR", "guest file-system root (read-only; writes go to an in-memory overlay)",
       [](const RunOptions& o) { return o.machine.kernel.root; },
       [](RunOptions& o, const std::string& v) { o.machine.kernel.root = v; }},
      {"--seed", "N", "seed of everything random the guest sees (AT_RANDOM, getrandom, ...)",
       [](const RunOptions& o) { return std::to_string(o.machine.kernel.seed); },
       [](RunOptions& o, const std::string& v) {
         o.machine.kernel.seed = parse_count("--seed", v);
       }},
      {"--epoch", "SECONDS|now",
       "the guest's wall-clock time (CLOCK_REALTIME) when the machine starts, in seconds since "
       "1970; now takes the host's clock (runs then differ in the times they see, and files "
       "the host wrote recently are no longer in the guest's future)",
       [](const RunOptions& o) {
         return std::to_string(o.machine.kernel.epoch_ns / kNanosecondsPerSecond);
       },
       [](RunOptions& o, const std::string& v) {
         const uint64_t seconds =
             v == "now" ? static_cast<uint64_t>(std::time(nullptr)) : parse_count("--epoch", v);
         if (seconds > kMaxEpochSeconds)
           throw UsageError("--epoch: " + v + " is past the year 2262 (64-bit nanoseconds)");
         o.machine.kernel.epoch_ns = seconds * kNanosecondsPerSecond;
       }},
      {"--env", "NAME=VALUE", "set a variable in the guest's environment (repeatable)",
       [](const RunOptions&) { return std::string("PATH and HOME only"); },
       [](RunOptions& o, const std::string& v) {
         const auto eq = v.find('=');
         if (eq == std::string::npos || eq == 0)
           throw UsageError("--env: expected NAME=VALUE, got '" + v + "'");
         const std::string prefix = v.substr(0, eq + 1);
         std::erase_if(o.env, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
         o.env.push_back(v);
       }},
      {"--unset-env", "NAME", "remove a variable from the guest's environment (repeatable)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) {
         std::erase_if(o.env, [&](const std::string& e) { return e.rfind(v + "=", 0) == 0; });
       }},
      {"--script", "FILE.lua", "attach the event handlers of a Lua script to this run",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.script = v; }},
      {"--unsafe-lua", "", "give Lua scripts os.execute and io.popen",
       [](const RunOptions& o) { return on_off(o.unsafe_lua); },
       [](RunOptions& o, const std::string&) { o.unsafe_lua = true; }},
      {"--trace", "FILE", "trace every instruction with its translations to FILE (- for stdout)",
       [](const RunOptions&) { return std::string("none"); },
       [](RunOptions& o, const std::string& v) { o.trace.file = v; }},
      {"--trace-format", "text|jsonl", "trace format (JSONL schema: docs/trace-schema.md)",
       [](const RunOptions& o) { return o.trace.format; },
       [](RunOptions& o, const std::string& v) {
         if (v != "text" && v != "jsonl")
           throw UsageError("--trace-format: expected text or jsonl, got '" + v + "'");
         o.trace.format = v;
       }},
      {"--syntax", "intel|att", "disassembly syntax in traces",
       [](const RunOptions& o) { return o.trace.syntax; },
       [](RunOptions& o, const std::string& v) {
         if (v != "intel" && v != "att")
           throw UsageError("--syntax: expected intel or att, got '" + v + "'");
         o.trace.syntax = v;
       }},
      {"--trace-pid", "PID", "trace only this process",
       [](const RunOptions&) { return std::string("all"); },
       [](RunOptions& o, const std::string& v) {
         o.trace.pid = static_cast<int>(parse_count("--trace-pid", v));
       }},
      {"--trace-range", "LO-HI", "trace only instructions at addresses in [LO, HI]",
       [](const RunOptions&) { return std::string("all"); },
       [](RunOptions& o, const std::string& v) {
         std::tie(o.trace.range_lo, o.trace.range_hi) = parse_range("--trace-range", v);
       }},
      {"--trace-data-range", "LO-HI", "trace only data accesses to addresses in [LO, HI]",
       [](const RunOptions&) { return std::string("all"); },
       [](RunOptions& o, const std::string& v) {
         std::tie(o.trace.data_lo, o.trace.data_hi) = parse_range("--trace-data-range", v);
       }},
      {"--trace-from", "N", "start tracing at the N-th instruction (machine-wide count)",
       [](const RunOptions&) { return std::string("0"); },
       [](RunOptions& o, const std::string& v) { o.trace.from = parse_count("--trace-from", v); }},
      {"--trace-count", "M", "trace at most M instructions",
       [](const RunOptions&) { return std::string("unlimited"); },
       [](RunOptions& o, const std::string& v) {
         o.trace.count = parse_count("--trace-count", v);
       }},
      {"--trace-events", "LIST",
       "trace only kernel events (comma list: "
       "faults,evictions,swap,tlb,switches,syscalls,processes)",
       [](const RunOptions&) { return std::string("instructions and all events"); },
       [](RunOptions& o, const std::string& v) { o.trace.events = v; }},
      {"--strace", "", "print system calls like strace on stderr",
       [](const RunOptions& o) { return on_off(o.trace.strace); },
       [](RunOptions& o, const std::string&) { o.trace.strace = true; }},
  };
  return table;
}

}  // namespace vmlab::emulator

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

#include "emulator/cli/commands.h"
#include "emulator/cli/host_interrupts.h"
#include "emulator/cli/progress.h"
#include "emulator/host_usage.h"
#include "emulator/lua/script.h"
#include "emulator/machine.h"
#include "emulator/options/run_options.h"
#include "emulator/report.h"
#include "emulator/trace/strace.h"
#include "emulator/trace/tracer.h"
#include "os/memory_invariants.h"
#include "os/syscalls/syscall_table.h"
#include "os/wait_status.h"

namespace vmlab::cli {

using emulator::parse_run_options;
using emulator::run_help;
using emulator::RunOptions;
using emulator::UsageError;

namespace {

// The guest starts where vmlab was started, if that directory is inside the guest root.
std::string guest_cwd(const std::string& root) {
  char buffer[PATH_MAX];
  if (getcwd(buffer, sizeof buffer) == nullptr) return "/";
  char resolved_root[PATH_MAX];
  if (realpath(root.c_str(), resolved_root) == nullptr) return "/";
  const std::string host(buffer), base(resolved_root);
  if (base == "/") return host;
  if (host == base) return "/";
  if (host.rfind(base + "/", 0) == 0) return host.substr(base.size());
  return "/";
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out.flush());
}

// The status line would mix with lines vmlab itself writes on stderr while the run goes on.
bool shows_progress(const RunOptions& options) {
  return options.progress && !options.timeline.vmstat && !options.trace.strace &&
         options.trace.file != "-";
}

}  // namespace

int help(const std::string& command) {
  if (command == "run") {
    std::fputs(run_help().c_str(), stdout);
    return 0;
  }
  if (command == "script") {
    std::fputs(script_help().c_str(), stdout);
    return 0;
  }
  if (command == "plot") {
    std::fputs(plot_help().c_str(), stdout);
    return 0;
  }
  if (command == "stats-doc") {
    std::fputs(stats_doc_help().c_str(), stdout);
    return 0;
  }
  std::fprintf(stderr, "vmlab: no help for '%s'\n", command.c_str());
  return kExitVmlabError;
}

// A run stopped from the host: --timeout ends like --max-insns (124, as timeout(1) does); a
// signal to vmlab ends like the signal would (128 + N), after the results are written.
// "pid 1 (prog) in futex, pid 3 (prog) thread 4 in wait4": who waits, in which call.
std::string blocked_threads(os::Kernel& kernel) {
  std::string out;
  for (const auto& [tid, task] : kernel.tasks().all()) {
    if (task->state() != os::ProcessState::kBlocked) continue;
    if (!out.empty()) out += ", ";
    out += "pid " + std::to_string(task->tgid()) + " (" + task->comm + ")";
    if (!task->is_leader()) out += " thread " + std::to_string(tid);
    const char* call = os::syscall_name(task->blocked_call().number);
    out += std::string(" in ") + (*call != '\0' ? call : "a system call");
  }
  return out;
}

int report_interruption(int sig, uint64_t instructions, emulator::RunFacts* facts) {
  const auto n = static_cast<unsigned long long>(instructions);
  if (sig == SIGALRM) {
    facts->end = "timeout";
    std::fprintf(stderr, "vmlab: stopped by --timeout after %llu instructions\n", n);
    return kExitInstructionLimit;
  }
  facts->end = "interrupted";
  std::fprintf(stderr, "vmlab: interrupted by SIG%s after %llu instructions\n", sigabbrev_np(sig),
               n);
  return 128 + sig;
}

// --check: the kernel's memory bookkeeping must agree with itself. False, with a report of
// what disagrees, when it does not.
bool memory_is_consistent(os::Kernel& kernel, const char* when) {
  constexpr size_t kMaxReported = 20;
  const std::vector<std::string> problems = os::check_memory_invariants(kernel);
  if (problems.empty()) return true;
  std::fprintf(stderr, "vmlab: --check: memory bookkeeping is inconsistent %s (%zu problems):\n",
               when, problems.size());
  for (size_t i = 0; i < problems.size() && i < kMaxReported; ++i)
    std::fprintf(stderr, "  %s\n", problems[i].c_str());
  return false;
}

// The observers the options ask for, attached to the machine (destroyed before it).
struct Observers {
  std::unique_ptr<emulator::Strace> strace;
  std::unique_ptr<emulator::Tracer> tracer;
  std::unique_ptr<emulator::Timeline> timeline;
  std::unique_ptr<lua::AttachedScript> script;
};

Observers attach_observers(emulator::Machine& machine, const RunOptions& options) {
  Observers o;
  if (options.trace.strace) o.strace = std::make_unique<emulator::Strace>(machine.kernel(), stderr);
  if (!options.trace.file.empty()) {
    o.tracer = std::make_unique<emulator::Tracer>(machine, options.trace);
    machine.set_cpu_observer(o.tracer.get());
    machine.set_mmu_observer(o.tracer.get());
  }
  if (options.timeline.enabled())
    o.timeline = std::make_unique<emulator::Timeline>(machine, options.timeline);
  // --script attaches a Lua script's event handlers to this run; --policy lua:FILE a policy.
  if (!options.script.empty() || !options.lua_policy.empty())
    o.script =
        std::make_unique<lua::AttachedScript>(machine, options, o.tracer.get(), o.timeline.get());
  return o;
}

// Starts the program as pid 1. The exit status when it cannot start, as a shell reports it.
std::optional<int> start_program(os::Kernel& kernel, const RunOptions& options) {
  os::SpawnRequest request;
  request.argv = options.argv;
  request.envp = options.env;
  request.cwd = guest_cwd(options.machine.kernel.root);
  const auto spawned = kernel.spawn(request);
  if (spawned) return std::nullopt;
  std::fprintf(stderr, "vmlab: %s\n", spawned.error().message.c_str());
  return spawned.error().code == os::Errno(ENOENT) ? kExitNotFound : kExitCannotExecute;
}

os::RunEnd run_to_end(os::Kernel& kernel, const RunOptions& options,
                      const lua::AttachedScript* script) {
  std::optional<ProgressLine> progress;
  if (shows_progress(options)) progress.emplace(kernel, stderr);
  os::RunEnd end = kernel.run();
  while (end == os::RunEnd::kPaused && !(script && script->stopped()))
    end = kernel.run();  // a script looked, and goes on
  return end;            // the status line is erased before vmlab's own messages
}

// Why the run ended (facts->end) and the exit status that says so.
int status_of(os::RunEnd end, os::Kernel& kernel, emulator::RunFacts* facts) {
  switch (end) {
    case os::RunEnd::kAllExited:
      facts->end = "exited";
      return os::shell_status(kernel.tasks().init_status());
    case os::RunEnd::kInstructionLimit:
      facts->end = "instruction-limit";
      std::fprintf(stderr, "vmlab: stopped after %llu instructions (--max-insns)\n",
                   static_cast<unsigned long long>(kernel.instructions()));
      return kExitInstructionLimit;
    case os::RunEnd::kInterrupted:
      return report_interruption(host_stop_flag().load(), kernel.instructions(), facts);
    case os::RunEnd::kDeadlock:
      facts->end = "deadlock";
      std::fprintf(stderr, "vmlab: deadlock: every thread waits and nothing can wake one (%s)\n",
                   blocked_threads(kernel).c_str());
      return kExitDeadlock;
    case os::RunEnd::kPaused:
    case os::RunEnd::kHostError:
      break;
  }
  facts->end = "error";
  return kExitVmlabError;
}

// --stats, --stats-json and --host-stats. False when a file cannot be written.
bool write_reports(emulator::Machine& machine, const RunOptions& options,
                   const emulator::RunFacts& facts, const emulator::HostUsage& host_usage) {
  std::fflush(stdout);
  if (options.stats) std::fputs(emulator::stats_summary(machine, facts).c_str(), stderr);
  if (!options.stats_json.empty() &&
      !write_file(options.stats_json, emulator::stats_json(machine, facts))) {
    std::fprintf(stderr, "vmlab: cannot write --stats-json file '%s'\n",
                 options.stats_json.c_str());
    return false;
  }
  if (!options.host_stats.empty() && !write_file(options.host_stats, host_usage.json())) {
    std::fprintf(stderr, "vmlab: cannot write --host-stats file '%s'\n",
                 options.host_stats.c_str());
    return false;
  }
  return true;
}

// After the run: the last samples, the script's "end", --check, the machine's shutdown and the
// reports. Returns the exit status.
int finish_run(emulator::Machine& machine, const RunOptions& options, Observers& observers,
               emulator::RunFacts& facts, int status) {
  os::Kernel& kernel = machine.kernel();
  if (observers.timeline) observers.timeline->finish();  // the last, partial interval
  if (observers.script) status = observers.script->finish(facts.end, status);  // "end", errors
  if (observers.tracer) observers.tracer->flush();
  const bool check = options.machine.cpu.check;
  if (check && !memory_is_consistent(kernel, "when the run ended")) status = kExitVmlabError;
  facts.page_cache_at_exit = kernel.page_cache().pages();
  kernel.shutdown();
  if (check && !memory_is_consistent(kernel, "after every process exited"))
    status = kExitVmlabError;
  facts.frames_free_at_exit = kernel.frames().free_frames();
  facts.exit_status = status;
  return status;
}

int run_command(const std::vector<std::string>& args) {
  if (!args.empty() && (args[0] == "--help" || args[0] == "-h")) return help("run");
  RunOptions options;
  try {
    options = parse_run_options(args);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "vmlab: %s\n", e.what());
    return kExitVmlabError;
  }
  try {
    const emulator::HostUsage host_usage;
    emulator::Machine machine(options.machine);
    os::Kernel& kernel = machine.kernel();
    Observers observers = attach_observers(machine, options);
    if (observers.script && observers.script->early_exit()) return *observers.script->early_exit();
    emulator::RunFacts facts;
    facts.frames_free_at_start = kernel.frames().free_frames();
    if (const auto refused = start_program(kernel, options)) return *refused;
    kernel.set_stop_flag(&host_stop_flag());
    arm_timeout(options.timeout_seconds);
    const os::RunEnd end = run_to_end(kernel, options, observers.script.get());
    const int status =
        finish_run(machine, options, observers, facts, status_of(end, kernel, &facts));
    return write_reports(machine, options, facts, host_usage) ? status : kExitVmlabError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vmlab: %s\n", e.what());
    return kExitVmlabError;
  }
}

}  // namespace vmlab::cli
